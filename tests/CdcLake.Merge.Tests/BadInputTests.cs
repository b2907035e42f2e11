using System.Text.Json;
using CdcLake.Cdc;
using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Merge.Tests;

/// <summary>
/// Bad DMS input, one case per test: the table fails with an error naming the file, row and column, and the table
/// (timeline, base files) and its checkpoint stay byte-for-byte as they were — or, with quarantine on, the bad rows
/// go to <c>.hoodie/.aux/cdclake/quarantine/</c> as Parquet and the rest commits. Other tables of the run go on.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private const string BadFile = "20240301-110000000.parquet";

    private static readonly string[] Header = ["Op", "DMS_TIMESTAMP", "AR_H_CHANGE_SEQ"];

    private readonly TempDirectory _dir = new("merge-bad");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_truncated_parquet_file_fails_the_table_naming_the_file_quarantine_or_not(bool quarantine)
    {
        var table = await MergedTableAsync("truncated-" + quarantine, quarantine);
        var path = WriteCdc(table, BadFile, [["U", "2024-03-01 11:00:00", Seq(10), 1, "x"], ["U", "2024-03-01 11:00:00", Seq(11), 2, "y"]]);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_at_all_fails_the_table_naming_the_file()
    {
        var table = await MergedTableAsync("garbage");
        await File.WriteAllTextAsync(Path.Combine(table.Source, BadFile), "this is not a parquet file, although its name says so");

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile);
    }

    [Fact]
    public async Task A_null_key_fails_the_table_naming_file_row_and_column()
    {
        var table = await MergedTableAsync("null-key");
        WriteCdc(table, BadFile, [["U", "2024-03-01 11:00:00", Seq(10), 1, "ok"], ["U", "2024-03-01 11:00:00", Seq(11), null, "no key"]]);

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile).And.Contain("row 1").And.Contain("'id'");
    }

    [Fact]
    public async Task An_unknown_op_fails_the_table_naming_file_row_and_column()
    {
        var table = await MergedTableAsync("unknown-op");
        WriteCdc(table, BadFile, [["U", "2024-03-01 11:00:00", Seq(10), 1, "ok"], ["U", "2024-03-01 11:00:00", Seq(11), 2, "ok"], ["X", "2024-03-01 11:00:00", Seq(12), 3, "bad op"]]);

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile).And.Contain("row 2").And.Contain("'Op'").And.Contain("X");
    }

    [Fact]
    public async Task A_bad_ordering_value_fails_the_table_naming_file_row_and_column()
    {
        var table = await MergedTableAsync("bad-order");
        WriteCdc(table, BadFile, [["U", "2024-03-01 11:00:00", "abc", 1, "bad seq"]]);

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile).And.Contain("row 0").And.Contain("'AR_H_CHANGE_SEQ'");
    }

    [Fact]
    public async Task An_empty_change_sequence_in_a_CDC_row_fails_the_table()
    {
        var table = await MergedTableAsync("empty-seq");
        WriteCdc(table, BadFile, [["U", "2024-03-01 11:00:00", Seq(10), 1, "ok"], ["U", "2024-03-01 11:00:00", "", 2, "empty seq"]]);

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile).And.Contain("row 1").And.Contain("'AR_H_CHANGE_SEQ'");
    }

    [Fact]
    public async Task A_bad_commit_timestamp_text_fails_the_table_naming_file_row_and_column()
    {
        var table = await MergedTableAsync("bad-timestamp", ordering: ["DMS_TIMESTAMP"]);
        WriteCdc(table, BadFile, [["U", "2024-03-01 11:00:00", null, 1, "ok"], ["U", "yesterday noon", null, 2, "bad time"]]);

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile).And.Contain("row 1").And.Contain("'DMS_TIMESTAMP'");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_type_conflict_between_files_fails_the_table_naming_file_and_column_quarantine_or_not(bool quarantine)
    {
        var table = await MergedTableAsync("type-conflict-" + quarantine, quarantine);
        WriteCdc(table, BadFile, [["U", "2024-03-01 11:00:00", Seq(10), 1, 42]], nameType: "int32");

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile).And.Contain("'name'");
    }

    [Fact]
    public async Task A_type_conflict_inside_one_run_fails_the_table_before_anything_is_written()
    {
        var table = Spec("type-conflict-first-run");
        Directory.CreateDirectory(table.Source);
        WriteLoad(table);
        WriteCdc(table, BadFile, [["U", "2024-03-01 11:00:00", Seq(10), 1, 42]], nameType: "int32");

        var summary = await MergeJob.MergeTableAsync(table, new MergeOptions { Parallelism = 2 });
        summary.Status.Should().Be(MergeStatus.Failed);
        summary.Error.Should().Contain(BadFile).And.Contain("'name'");
        TableState.TimelineFiles(table.Target).Should().BeEmpty("nothing is committed");
        (Directory.Exists(table.Target) ? Directory.EnumerateFiles(table.Target, "*.parquet", SearchOption.AllDirectories) : []).Should().BeEmpty("no base file is written");
    }

    [Fact]
    public async Task A_file_without_the_key_column_fails_the_table_naming_file_and_column()
    {
        var table = await MergedTableAsync("missing-key");
        var fields = Header.Select(c => ScenarioParquet.Field(c, c == "DMS_TIMESTAMP" ? "string!" : "string")).Append(ScenarioParquet.Field("name", "string")).ToList();
        ScenarioParquet.Write(Path.Combine(table.Source, BadFile), fields, Rows([["U", "2024-03-01 11:00:00", Seq(10), "no id column"]]));

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain(BadFile).And.Contain("'id'");
    }

    [Fact]
    public async Task A_null_key_in_the_first_full_load_fails_the_table_and_writes_nothing()
    {
        var table = Spec("load-null-key");
        Directory.CreateDirectory(table.Source);
        var fields = new[] { ScenarioParquet.Field("DMS_TIMESTAMP", "string!"), ScenarioParquet.Field("id", "int32"), ScenarioParquet.Field("name", "string") };
        ScenarioParquet.Write(Path.Combine(table.Source, "LOAD00000001.parquet"), fields,
            Rows([["2024-03-01 09:00:00", 1, "one"], ["2024-03-01 09:00:00", 2, "two"], ["2024-03-01 09:00:00", null, "no key"]]));

        var summary = await MergeJob.MergeTableAsync(table, new MergeOptions { Parallelism = 2 });
        summary.Status.Should().Be(MergeStatus.Failed);
        summary.Error.Should().Contain("LOAD00000001.parquet").And.Contain("row 2").And.Contain("'id'");
        TableState.TimelineFiles(table.Target).Should().BeEmpty("nothing is committed");
        (Directory.Exists(table.Target) ? Directory.EnumerateFiles(table.Target, "*.parquet", SearchOption.AllDirectories) : []).Should().BeEmpty("no base file is left");
    }

    [Fact]
    public async Task A_bad_row_in_a_full_reload_leaves_the_table_as_it_was()
    {
        var table = await MergedTableAsync("reload-null-key");
        var fields = new[] { ScenarioParquet.Field("DMS_TIMESTAMP", "string!"), ScenarioParquet.Field("id", "int32"), ScenarioParquet.Field("name", "string") };
        var load = Path.Combine(table.Source, "LOAD00000001.parquet");
        ScenarioParquet.Write(load, fields,
            Rows([["2024-03-02 09:00:00", 1, "reloaded"], ["2024-03-02 09:00:00", null, "no key"], ["2024-03-02 09:00:00", 5, "reloaded"]]));
        File.SetLastWriteTimeUtc(load, new DateTime(2024, 3, 2, 9, 0, 0, DateTimeKind.Utc));

        var summary = await FailsAndChangesNothingAsync(table);
        summary.Error.Should().Contain("LOAD00000001.parquet").And.Contain("row 1").And.Contain("'id'");
    }

    [Theory]
    [InlineData("null-key", 1, "id")]
    [InlineData("unknown-op", 2, "Op")]
    [InlineData("bad-order", 3, "AR_H_CHANGE_SEQ")]
    public async Task With_quarantine_bad_rows_go_to_the_quarantine_folder_and_the_rest_commits(string kind, int badRow, string column)
    {
        var table = await MergedTableAsync("quarantine-" + kind, quarantine: true);
        object?[][] rows =
        [
            ["U", "2024-03-01 11:00:00", Seq(10), 1, "one-updated"],
            ["U", "2024-03-01 11:00:00", Seq(11), kind == "null-key" ? null : 5, "row 1"],
            [kind == "unknown-op" ? "X" : "I", "2024-03-01 11:00:00", Seq(12), 6, "row 2"],
            ["I", "2024-03-01 11:00:00", kind == "bad-order" ? "abc" : Seq(13), 7, "row 3"],
            ["D", "2024-03-01 11:00:00", Seq(14), 2, null],
        ];
        WriteCdc(table, BadFile, rows);

        var summary = await MergeJob.MergeTableAsync(table, new MergeOptions { Parallelism = 2 });
        summary.Status.Should().Be(MergeStatus.Merged, summary.Error);
        summary.Quarantined.Should().Be(1);

        // The good rows of the file committed: 1 updated, 2 deleted, the three other inserts applied but the bad one.
        var state = await TableState.ReadAsync(table.Target);
        var ids = state.DataRows.Select(r => JsonDocument.Parse(r).RootElement.GetProperty("id").GetInt32()).ToList();
        var expected = new List<int> { 1, 3, 5, 6, 7 };
        expected.Remove(kind == "null-key" ? 5 : kind == "unknown-op" ? 6 : 7);
        ids.Should().BeEquivalentTo(expected);
        state.DataRows.Should().Contain(r => r.Contains("one-updated", StringComparison.Ordinal));

        // The quarantine: Parquet under .hoodie/.aux (readers never list it), naming file, row, column and reason.
        var folder = Path.Combine(table.Target, ".hoodie", ".aux", "cdclake", "quarantine");
        var files = Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories).ToList();
        files.Should().NotBeEmpty();
        var quarantined = DuckDb.Shared.Query(
            $"SELECT source_file, CAST(source_row AS BIGINT) AS source_row, \"column\", reason FROM read_parquet([{string.Join(", ", files.Select(DuckDb.Literal))}], union_by_name = true)");
        quarantined.Rows.Should().HaveCount(1);
        quarantined[0, "source_file"].GetString().Should().EndWith(BadFile);
        quarantined[0, "source_row"].GetInt64().Should().Be(badRow);
        quarantined[0, "column"].GetString().Should().Be(column);
        quarantined[0, "reason"].GetString().Should().NotBeNullOrWhiteSpace();

        // The quarantine is no part of the table.
        using var store = Storage.ObjectStores.For(table.Target);
        (await Hudi.HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty();
        state.DuckDbRows().Should().Equal(state.Rows);
    }

    [Fact]
    public async Task One_tables_bad_input_does_not_stop_the_other_tables_of_the_run()
    {
        var bad = await MergedTableAsync("run-bad");
        var good = await MergedTableAsync("run-good");
        WriteCdc(bad, BadFile, [["X", "2024-03-01 11:00:00", Seq(10), 1, "bad op"]]);
        WriteCdc(good, BadFile, [["U", "2024-03-01 11:00:00", Seq(10), 1, "good"]]);
        var before = TableState.Fingerprint(bad.Target);

        var run = await MergeJob.RunAsync([bad, good], new MergeOptions { Parallelism = 2 });
        run.Succeeded.Should().BeFalse();
        run.Tables.Should().HaveCount(2);
        run.Tables[0].Status.Should().Be(MergeStatus.Failed);
        run.Tables[0].Error.Should().Contain(BadFile).And.Contain("row 0").And.Contain("'Op'");
        run.Tables[1].Status.Should().Be(MergeStatus.Merged, run.Tables[1].Error);
        (await TableState.ReadAsync(good.Target)).DataRows.Should().Contain(r => r.Contains("\"good\"", StringComparison.Ordinal));
        TableState.Fingerprint(bad.Target).Should().Equal(before);
    }

    /// <summary>A table with a LOAD and a CDC file already merged.</summary>
    private async Task<TableSpec> MergedTableAsync(string name, bool quarantine = false, string[]? ordering = null)
    {
        var table = Spec(name) with { Quarantine = quarantine, Ordering = ordering ?? ["AR_H_CHANGE_SEQ", "DMS_TIMESTAMP"] };
        Directory.CreateDirectory(table.Source);
        WriteLoad(table);
        WriteCdc(table, "20240301-100000000.parquet", [["U", "2024-03-01 10:00:00", Seq(1), 3, "three-updated"]]);
        var summary = await MergeJob.MergeTableAsync(table, new MergeOptions { Parallelism = 2 });
        summary.Status.Should().Be(MergeStatus.Merged, summary.Error);
        return table;
    }

    /// <summary>Runs the table on its bad input: it must fail and leave every table file and the checkpoint as they were.</summary>
    private static async Task<TableSummary> FailsAndChangesNothingAsync(TableSpec table)
    {
        var before = TableState.Fingerprint(table.Target);
        var checkpoint = (await TableState.ReadAsync(table.Target)).Checkpoint;
        checkpoint.Should().NotBeNull("the first run committed a checkpoint");

        var summary = await MergeJob.MergeTableAsync(table, new MergeOptions { Parallelism = 2 });
        summary.Status.Should().Be(MergeStatus.Failed);
        summary.Error.Should().NotBeNullOrWhiteSpace();
        summary.Commits.Should().BeEmpty();
        TableState.Fingerprint(table.Target).Should().Equal(before, "a failed run writes nothing to the table");
        (await TableState.ReadAsync(table.Target)).Checkpoint.Should().Be(checkpoint);

        // Still failing on the next run: the bad file is not skipped as if merged.
        (await MergeJob.MergeTableAsync(table, new MergeOptions { Parallelism = 2 })).Status.Should().Be(MergeStatus.Failed);
        return summary;
    }

    private TableSpec Spec(string name) => new()
    {
        Name = name.Replace('-', '_'),
        Source = Path.Combine(_dir.Path, "dms", name),
        Target = Path.Combine(_dir.Path, "lake", name),
        RecordKey = ["id"],
        Ordering = ["AR_H_CHANGE_SEQ", "DMS_TIMESTAMP"],
    };

    private static void WriteLoad(TableSpec table)
    {
        var fields = new[] { ScenarioParquet.Field("DMS_TIMESTAMP", "string!"), ScenarioParquet.Field("id", "int32"), ScenarioParquet.Field("name", "string") };
        ScenarioParquet.Write(Path.Combine(table.Source, "LOAD00000001.parquet"), fields,
            Rows([["2024-03-01 09:00:00", 1, "one"], ["2024-03-01 09:00:00", 2, "two"], ["2024-03-01 09:00:00", 3, "three"]]));
    }

    private static string WriteCdc(TableSpec table, string name, object?[][] rows, string nameType = "string")
    {
        var fields = new[]
        {
            ScenarioParquet.Field("Op", "string"), ScenarioParquet.Field("DMS_TIMESTAMP", "string!"), ScenarioParquet.Field("AR_H_CHANGE_SEQ", "string"),
            ScenarioParquet.Field("id", "int32"), ScenarioParquet.Field("name", nameType),
        };
        var path = Path.Combine(table.Source, name);
        ScenarioParquet.Write(path, fields, Rows(rows));
        File.SetLastWriteTimeUtc(path, ScenarioFile.DefaultModified(name));
        return path;
    }

    private static List<JsonElement[]> Rows(object?[][] rows) =>
        [.. rows.Select(r => JsonSerializer.SerializeToElement(r).EnumerateArray().ToArray())];

    private static string Seq(int n) => "2024030110000000" + n.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
}
