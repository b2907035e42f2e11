using System.Text.Json;
using CdcLake.Cdc;
using CdcLake.Cli.Output;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cli.Tests;

/// <summary>
/// <c>cdclake run</c> and <c>cdclake merge</c>, run in-process on a sample DMS bucket: usage and pipeline errors (exit 2,
/// every error naming its field or option), a pipeline merged end to end (exit 0; the tables' rows, read back with
/// <c>cdclake hudi show</c>, equal DuckDB's expected state over the same DMS files; the JSON summary agrees with the
/// tables on disk), a failing table (exit 1, the others committed), dry runs (nothing written) and reruns (nothing new).
/// </summary>
public sealed class MergeCommandTests
{
    private static readonly string[] s_tables = ["customers", "orders", "order_lines"];

    [Fact]
    public void Run_merges_every_table_of_the_sample_into_the_table_duckdb_expects()
    {
        using var dir = new TempDirectory("cli-run");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 60, Batches = 3, Seed = 3 });
        var summaryFile = Path.Combine(dir.Path, "out", "summary.json");

        var result = Cli.Run("run", sample.PipelineFile, "--summary", summaryFile);

        result.ExitCode.Should().Be(0, result.ToString());
        var summary = ReadSummary(summaryFile);
        summary.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("table").GetString()).Should().Equal(s_tables);
        var specs = PipelineConfig.LoadAndResolve(sample.PipelineFile);
        var shown = new Dictionary<string, List<JsonElement>>();
        foreach (var table in summary.GetProperty("tables").EnumerateArray())
        {
            var name = table.GetProperty("table").GetString()!;
            var spec = specs.Single(s => s.Name == name);
            var written = sample.Tables.Single(t => t.Name == name);
            table.GetProperty("status").GetString().Should().Be("Merged", name);
            table.GetProperty("database").GetString().Should().Be("sales");
            table.GetProperty("files").GetInt32().Should().Be(written.LoadFiles + written.CdcFiles, name);
            table.GetProperty("rowsRead").GetInt64().Should().Be(written.LoadRows + written.CdcRows, name);

            // The summary against the table on disk: its rows, its commits, its base files.
            var rows = ShowRows(spec.Target);
            var inserts = table.GetProperty("inserts").GetInt64();
            var deletes = table.GetProperty("deletes").GetInt64();
            (inserts - deletes).Should().Be(rows.Count, $"{name}: a table merged from nothing holds the keys inserted less those deleted");
            var commits = table.GetProperty("commits").EnumerateArray().Select(c => c.GetString()).ToList();
            commits.Should().NotBeEmpty();
            rows.Select(r => r.GetProperty("_hoodie_commit_time").GetString()).Distinct().Should().BeSubsetOf(commits);
            var baseFiles = Directory.EnumerateFiles(spec.Target, "*.parquet", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/.hoodie/", StringComparison.Ordinal)).ToList();
            table.GetProperty("filesWritten").GetInt32().Should().Be(baseFiles.Count, $"{name}: one run from nothing wrote every base file there is");
            table.GetProperty("bytesWritten").GetInt64().Should().Be(baseFiles.Sum(f => new FileInfo(f).Length), name);

            shown[name] = rows;
            Cli.Run("hudi", "validate", spec.Target).ExitCode.Should().Be(0, name);
        }

        // The printed summary: a header, a row per table, the total.
        result.StdoutLines[0].Should().StartWith("table").And.Contain("inserts").And.Contain("tombstones");
        result.StdoutLines.Should().Contain(l => l.StartsWith("sales.orders ", StringComparison.Ordinal) && l.Contains(" merged ", StringComparison.Ordinal));
        result.StdoutLines[^1].Should().Be("3 tables: 3 merged");
        result.StderrLines.Should().Contain(l => l.StartsWith("orders: ", StringComparison.Ordinal), "progress is shown on stderr, as plain lines when it is no terminal");

        // Exactly once: a second run finds nothing new and writes nothing.
        var timelines = s_tables.Select(t => Cli.Run("hudi", "timeline", specs.Single(s => s.Name == t).Target).Stdout).ToList();
        var again = Cli.Run("run", sample.PipelineFile, "--summary", summaryFile);
        again.ExitCode.Should().Be(0, again.ToString());
        ReadSummary(summaryFile).GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("status").GetString()).Should().OnlyContain(s => s == "UpToDate");
        s_tables.Select(t => Cli.Run("hudi", "timeline", specs.Single(s => s.Name == t).Target).Stdout).Should().Equal(timelines);

        // Last, the rows themselves against the independent oracle, every table reported.
        s_tables.Select(t => Mismatch(specs.Single(s => s.Name == t), shown[t])).Where(m => m is not null).Should().BeEmpty();
    }

    [Fact]
    public void Merge_runs_one_table_from_options_alone()
    {
        using var dir = new TempDirectory("cli-merge");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 50, Batches = 2, Seed = 4 });
        var source = sample.Tables.Single(t => t.Name == "customers").Folder;
        var target = Path.Combine(dir.Path, "lake", "customers");
        var summaryFile = Path.Combine(dir.Path, "customers.json");

        // --order left out: the files have AR_H_CHANGE_SEQ, so the job orders by it.
        var result = Cli.Run("merge", "--source", source, "--target", target, "--table", "customers", "--database", "sales", "--key", "customer_id", "--summary", summaryFile);

        result.ExitCode.Should().Be(0, result.ToString());
        var summary = ReadSummary(summaryFile).GetProperty("tables").EnumerateArray().Single();
        summary.GetProperty("status").GetString().Should().Be("Merged");
        summary.GetProperty("target").GetString().Should().Be(target);
        var spec = new TableSpec { Name = "customers", Source = source, Target = target, RecordKey = ["customer_id"], Ordering = ["AR_H_CHANGE_SEQ"] };
        Mismatch(spec, ShowRows(target)).Should().BeNull();
        File.ReadAllText(Path.Combine(target, ".hoodie", "hoodie.properties")).Should().Contain("hoodie.database.name=sales");
    }

    [Fact]
    public void A_failing_table_exits_1_and_the_other_tables_commit()
    {
        using var dir = new TempDirectory("cli-fail");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 40, Batches = 2, Seed = 5 });
        var config = PipelineConfig.Load(sample.PipelineFile);
        config.Tables![0].RecordKey = ["no_such_column"];
        var pipeline = Path.Combine(dir.Path, "broken.json");
        File.WriteAllText(pipeline, config.ToJson());
        var summaryFile = Path.Combine(dir.Path, "summary.json");

        var result = Cli.Run("run", pipeline, "--summary", summaryFile);

        result.ExitCode.Should().Be(1, result.ToString());
        var tables = ReadSummary(summaryFile).GetProperty("tables").EnumerateArray().ToList();
        tables.Select(t => t.GetProperty("status").GetString()).Should().Equal("Failed", "Merged", "Merged");
        tables[0].GetProperty("error").GetString().Should().Contain("no_such_column");
        result.StderrLines.Should().Contain(l => l.StartsWith("cdclake: customers: ", StringComparison.Ordinal) && l.Contains("no_such_column", StringComparison.Ordinal));
        result.StdoutLines.Should().Contain(l => l.StartsWith("customers: error: ", StringComparison.Ordinal));
        result.StdoutLines[^1].Should().Be("3 tables: 2 merged, 1 FAILED");

        var specs = PipelineConfig.LoadAndResolve(pipeline);
        // Nothing of the failed table is written: no table, no base file (only the lock's guard file may be left).
        File.Exists(Path.Combine(specs[0].Target, ".hoodie", "hoodie.properties")).Should().BeFalse();
        Directory.EnumerateFiles(specs[0].Target, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Should().OnlyContain(f => f!.StartsWith("lock", StringComparison.Ordinal));
        specs.Skip(1).Select(spec => Mismatch(spec, ShowRows(spec.Target))).Where(m => m is not null).Should().BeEmpty();
    }

    [Fact]
    public void A_dry_run_reports_what_it_would_merge_and_writes_nothing()
    {
        using var dir = new TempDirectory("cli-dry");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 40, Batches = 2, Seed = 6 });
        var summaryFile = Path.Combine(dir.Path, "plan.json");

        var result = Cli.Run("run", sample.PipelineFile, "--dry-run", "--table", "orders", "--table", "customers", "--summary", summaryFile);

        result.ExitCode.Should().Be(0, result.ToString());
        var tables = ReadSummary(summaryFile).GetProperty("tables").EnumerateArray().ToList();
        tables.Select(t => t.GetProperty("table").GetString()).Should().Equal("customers", "orders");
        tables.Should().OnlyContain(t => t.GetProperty("status").GetString() == "Planned");
        tables.Select(t => t.GetProperty("files").GetInt32()).Should().Equal(
            sample.Tables.Where(t => t.Name != "order_lines").Select(t => t.LoadFiles + t.CdcFiles));
        result.StdoutLines[^1].Should().Be("2 tables: 2 planned (dry run: nothing written)");
        Directory.Exists(Path.Combine(dir.Path, "lake")).Should().BeFalse("a dry run writes no table");
    }

    [Fact]
    public void Usage_errors_exit_2()
    {
        using var dir = new TempDirectory("cli-usage");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 20, Batches = 1, Seed = 1 });
        var source = sample.Tables[0].Folder;

        Cli.Run("run").ExitCode.Should().Be(2);
        Cli.Run("run", sample.PipelineFile, "--bogus").ExitCode.Should().Be(2);
        Cli.Run("run", sample.PipelineFile, "--memory-budget", "0").ExitCode.Should().Be(2);

        var missing = Cli.Run("run", Path.Combine(dir.Path, "nope.json"));
        missing.ExitCode.Should().Be(2);
        missing.StderrLines[0].Should().Be($"cdclake: {Path.Combine(dir.Path, "nope.json")}: no such pipeline file.");

        var unknown = Cli.Run("run", sample.PipelineFile, "--table", "orders", "--table", "invoices");
        unknown.ExitCode.Should().Be(2);
        unknown.StderrLines[0].Should().Be($"cdclake: --table invoices: not in {sample.PipelineFile} (its tables: customers, orders, order_lines).");

        Cli.Run("merge", "--source", source, "--target", dir.PathOf("t"), "--table", "t").ExitCode.Should().Be(2, "--key is required");
        var noSource = Cli.Run("merge", "--source", dir.PathOf("absent"), "--target", dir.PathOf("t"), "--table", "t", "--key", "id");
        noSource.ExitCode.Should().Be(2);
        noSource.StderrLines[0].Should().StartWith("cdclake: --source ").And.EndWith("no such folder.");
        Directory.Exists(dir.PathOf("t")).Should().BeFalse();
    }

    [Fact]
    public void Pipeline_errors_exit_2_with_one_line_per_error_naming_its_field()
    {
        using var dir = new TempDirectory("cli-config");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 20, Batches = 1, Seed = 1 });
        var config = PipelineConfig.Load(sample.PipelineFile);
        config.Tables![1].RecordKey = null;
        config.Tables[2].Write = new WriteSettings { Codec = "lzo" };
        config.Tables[0].Table = "2customers";
        var pipeline = Path.Combine(dir.Path, "bad.json");
        File.WriteAllText(pipeline, config.ToJson());

        var result = Cli.Run("run", pipeline);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().HaveCount(3);
        result.StderrLines.Should().ContainSingle(l => l.StartsWith($"cdclake: {pipeline}: tables[0].table: ", StringComparison.Ordinal));
        result.StderrLines.Should().ContainSingle(l => l == $"cdclake: {pipeline}: tables[1].recordKey: required");
        result.StderrLines.Should().ContainSingle(l => l.StartsWith($"cdclake: {pipeline}: tables[2].write.codec: 'lzo' is not one of", StringComparison.Ordinal));
        Directory.Exists(Path.Combine(dir.Path, "lake")).Should().BeFalse();

        File.WriteAllText(pipeline, "{\"tables\": [{\"table\": \"t\", \"recordKey\": \"id\"}]}");
        var shape = Cli.Run("run", pipeline);
        shape.ExitCode.Should().Be(2);
        shape.StderrLines.Should().OnlyContain(l => l.StartsWith($"cdclake: {pipeline}: tables[0].", StringComparison.Ordinal));
    }

    [Fact]
    public void Merge_reports_bad_options_by_option_name()
    {
        using var dir = new TempDirectory("cli-merge-bad");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 20, Batches = 1, Seed = 1 });
        var source = sample.Tables[0].Folder;

        var result = Cli.Run("merge", "--source", source, "--target", source, "--table", "9lives", "--key", "customer_id");
        var order = Cli.Run("merge", "--source", source, "--target", dir.PathOf("t"), "--table", "t", "--key", "customer_id", "--order", "DMS_TIMESTAMP,customer_id");

        result.ExitCode.Should().Be(2, result.ToString());
        result.StderrLines.Should().Equal(
            "cdclake: --table: '9lives' is not a valid name (letters, digits and _, not starting with a digit)",
            "cdclake: --target: must differ from source");
        order.ExitCode.Should().Be(2, order.ToString());
        order.StderrLines.Should().ContainSingle().Which.Should().StartWith("cdclake: --order: 'customer_id' is a record key column");
        Directory.Exists(dir.PathOf("t")).Should().BeFalse();
    }

    [Fact]
    public void The_summary_text_aligns_the_counts_and_lists_errors_and_warnings()
    {
        var summary = new RunSummary(
        [
            new TableSummary { Table = "orders", Database = "sales", Target = "/lake/orders", Status = MergeStatus.Merged, Files = 12, RowsRead = 1500, Inserts = 1000, Updates = 400, Deletes = 7, Tombstones = 7, FilesWritten = 3, FilesRewritten = 1, BytesWritten = 3 * 1024 * 1024 / 2, Seconds = 1.234, Commits = ["20260101000000000"], Warnings = ["primary-key updates without before images leave ghost rows"] },
            new TableSummary { Table = "customers", Database = "default", Target = "/lake/customers", Status = MergeStatus.Failed, Error = "x.parquet: row 3: column 'id': null key" },
        ]);

        var lines = RunSummaryText.Render(summary, dryRun: false).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines[0].Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).Should().Equal(
            "table", "status", "files", "rows_read", "inserts", "updates", "deletes", "stale", "quarantined", "tombstones", "written", "rewritten", "bytes", "seconds");
        lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal("sales.orders", "merged", "12", "1500", "1000", "400", "7", "0", "0", "7", "3", "1", "1.5", "MiB", "1.23");
        lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal("customers", "FAILED", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "B", "0.00");
        lines[0].Length.Should().Be(lines[1].Length, "columns are aligned");
        lines.Should().Contain("customers: error: x.parquet: row 3: column 'id': null key");
        lines.Should().Contain("orders: warning: primary-key updates without before images leave ghost rows");
        lines.Should().Contain("orders: commits 20260101000000000 → /lake/orders");
        lines[^1].Should().Be("2 tables: 1 merged, 1 FAILED");
    }

    /// <summary>The table's rows as <c>cdclake hudi show --format jsonl</c> prints them.</summary>
    private static List<JsonElement> ShowRows(string target)
    {
        var show = Cli.Run("hudi", "show", target, "--format", "jsonl");
        show.ExitCode.Should().Be(0, show.ToString());
        return [.. show.JsonRows];
    }

    /// <summary>
    /// Null when the shown rows' data columns equal DuckDB's expected state over the table's DMS folder (and keys are
    /// unique); else the difference, naming the table and a few rows each way.
    /// </summary>
    private static string? Mismatch(TableSpec spec, List<JsonElement> rows)
    {
        if (rows.Count == 0)
        {
            return $"{spec.Name}: no rows";
        }

        var columns = rows[0].EnumerateObject().Select(p => p.Name)
            .Where(c => !c.StartsWith("_hoodie_", StringComparison.Ordinal) && c != TableSpec.OrderColumn && c != spec.DatePartition?.Column)
            .ToList();
        var expected = ExpectedState.Query(DuckDb.Shared, new ExpectedStateSpec
        {
            Folder = spec.Source,
            RecordKey = spec.RecordKey,
            Ordering = spec.Ordering ?? ["AR_H_CHANGE_SEQ"],
            BeforeImageKey = spec.BeforeImageKeyColumns,
            Columns = columns,
        });
        var ours = rows.Select(r => Canonical.Render(columns.Select(c => r.GetProperty(c)))).ToList();
        var theirs = Canonical.Render(expected);
        var extra = ours.Except(theirs, StringComparer.Ordinal).ToList();
        var missing = theirs.Except(ours, StringComparer.Ordinal).ToList();
        var keys = rows.Select(r => r.GetProperty("_hoodie_record_key").GetString()).ToList();
        return extra.Count == 0 && missing.Count == 0 && ours.Count == theirs.Count && keys.Distinct().Count() == keys.Count
            ? null
            : $"{spec.Name}: {ours.Count} rows ({keys.Distinct().Count()} keys), DuckDB {theirs.Count}; not expected: {string.Join(" ", extra.Take(5))}; missing: {string.Join(" ", missing.Take(5))}";
    }

    private static JsonElement ReadSummary(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.Clone();
    }
}
