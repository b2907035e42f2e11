using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using CdcLake.Cli.Commands;
using CdcLake.Parquet;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cli.Tests;

/// <summary>The Spark-written Hudi fixture tables, unzipped once per test run (without __MACOSX/).</summary>
public static class HudiTables
{
    private static readonly Lazy<string> s_root = new(Extract, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path(string table) => System.IO.Path.Combine(s_root.Value, table, table);

    /// <summary>
    /// The base files a read as of <paramref name="asOf"/> sees, from names alone: per (folder, file id) the newest
    /// file whose instant has a completed commit file (<c>&lt;t&gt;.commit</c>, or <c>&lt;t&gt;_&lt;c&gt;.commit</c> in version 8).
    /// </summary>
    public static IReadOnlyList<string> BaseFiles(string table, string? asOf = null)
    {
        var root = Path(table);
        var completed = Directory.EnumerateFiles(System.IO.Path.Combine(root, ".hoodie"), "*.commit", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetFileName(f).Split('.', '_')[0])
            .ToHashSet(StringComparer.Ordinal);
        return [.. Directory.EnumerateFiles(root, "*.parquet", SearchOption.AllDirectories)
            .Select(f => (Full: f, Match: Regex.Match(System.IO.Path.GetFileName(f), @"^([a-zA-Z0-9-]+)_[a-zA-Z0-9-]+_([0-9]+)\.parquet$")))
            .Where(f => f.Match.Success && completed.Contains(f.Match.Groups[2].Value) && (asOf is null || string.CompareOrdinal(f.Match.Groups[2].Value, asOf) <= 0))
            .GroupBy(f => (System.IO.Path.GetDirectoryName(f.Full), f.Match.Groups[1].Value))
            .Select(g => g.MaxBy(f => f.Match.Groups[2].Value, StringComparer.Ordinal).Full)
            .Order(StringComparer.Ordinal)];
    }

    private static string Extract()
    {
        var temp = new TempDirectory("cli-hudi-tables");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => temp.Dispose();
        foreach (var zip in Directory.GetFiles(System.IO.Path.Combine(RepoPaths.SharedFixtures, "hudi"), "*.zip"))
        {
            var target = System.IO.Path.Combine(temp.Path, System.IO.Path.GetFileNameWithoutExtension(zip));
            using var archive = ZipFile.OpenRead(zip);
            foreach (var entry in archive.Entries.Where(e => !e.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal) && !e.FullName.EndsWith('/')))
            {
                var destination = System.IO.Path.GetFullPath(System.IO.Path.Combine(target, entry.FullName));
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
                entry.ExtractToFile(destination);
            }
        }

        return temp.Path;
    }
}

/// <summary>
/// <c>cdclake hudi show|timeline|validate</c> on the fixture tables: <c>show</c>'s rows against DuckDB reading the
/// base files the read should use (chosen from file names alone), value by value; formats, options, exit codes;
/// and the same commands on a table in S3 (s3rver) configured through the environment.
/// </summary>
public sealed class HudiCommandTests
{
    private const string Complex = "v6_complexkeygen_hivestyle";
    private const string ComplexC1 = "20240418173213674";
    private const string ComplexC2 = "20240418173235694";

    public static TheoryData<string> SnapshotTables() =>
    [
        "v6_complexkeygen_hivestyle", "v6_nonpartitioned", "v6_simplekeygen_hivestyle_no_metafields", "v6_simplekeygen_nonhivestyle",
        "v8_nonpartitioned", "v8_simplekeygen_nonhivestyle",
    ];

    public static TheoryData<string, string> FirstCommits() => new()
    {
        { "v6_complexkeygen_hivestyle", ComplexC1 },
        { "v6_nonpartitioned", "20240418173550988" },
        { "v6_simplekeygen_nonhivestyle", "20240418172802262" },
    };

    [Theory]
    [MemberData(nameof(SnapshotTables))]
    public void Show_prints_the_snapshot_DuckDB_reads_from_the_latest_base_files(string table)
    {
        var result = Cli.Run("hudi", "show", HudiTables.Path(table));
        result.ExitCode.Should().Be(0, result.ToString());
        result.Stderr.Should().BeEmpty();
        CompareWithDuckDb(result.JsonRows, HudiTables.BaseFiles(table));
    }

    [Theory]
    [MemberData(nameof(FirstCommits))]
    public void Show_as_of_the_first_commit_and_since_it(string table, string firstCommit)
    {
        var asOf = Cli.Run("hudi", "show", HudiTables.Path(table), "--as-of", firstCommit);
        asOf.ExitCode.Should().Be(0, asOf.ToString());
        CompareWithDuckDb(asOf.JsonRows, HudiTables.BaseFiles(table, firstCommit));

        var since = Cli.Run("hudi", "show", HudiTables.Path(table), "--since", firstCommit);
        since.ExitCode.Should().Be(0, since.ToString());
        CompareWithDuckDb(since.JsonRows, HudiTables.BaseFiles(table), $"_hoodie_commit_time > '{firstCommit}'");
        since.JsonRows.Should().NotBeEmpty();
    }

    [Fact]
    public void Show_columns_come_after_the_meta_columns_and_csv_agrees_with_jsonl()
    {
        var table = HudiTables.Path(Complex);
        var jsonl = Cli.Run("hudi", "show", table, "--columns", "name,_hoodie_record_key,id", "--partition", "byteField=10", "--partition", "byteField=20");
        jsonl.ExitCode.Should().Be(0, jsonl.ToString());
        string[] expected = ["_hoodie_commit_time", "_hoodie_commit_seqno", "_hoodie_record_key", "_hoodie_partition_path", "_hoodie_file_name", "name", "id"];
        jsonl.JsonRows.Should().HaveCount(3).And.OnlyContain(r => r.EnumerateObject().Select(p => p.Name).SequenceEqual(expected));
        jsonl.JsonRows.Select(r => r.GetProperty("id").GetInt32()).Should().BeEquivalentTo([1, 2, 3]);

        var csv = Cli.Run("hudi", "show", table, "--columns", "name,_hoodie_record_key,id", "--format", "csv", "--partition", "byteField=10", "--partition", "byteField=20");
        csv.ExitCode.Should().Be(0, csv.ToString());
        csv.StdoutLines[0].Should().Be(string.Join(',', expected));
        csv.StdoutLines.Skip(1).Should().BeEquivalentTo(jsonl.JsonRows.Select(r => string.Join(',', r.EnumerateObject().Select(p => CsvField(p.Value)))));
    }

    [Fact]
    public void Show_out_writes_the_file_and_nothing_to_stdout()
    {
        using var temp = new TempDirectory("cli-hudi-out");
        var target = temp.PathOf("rows.jsonl");
        File.WriteAllText(target, "old");

        var result = Cli.Run("hudi", "show", HudiTables.Path(Complex), "--since", ComplexC1, "--out", target);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().BeEmpty();
        File.ReadAllLines(target).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("_hoodie_commit_time").GetString()).Should().Equal(ComplexC2, ComplexC2);
        Directory.GetFiles(temp.Path).Should().HaveCount(1, "the temporary file is gone");
    }

    [Fact]
    public void Show_format_parquet_writes_one_file_DuckDB_reads_as_the_snapshot()
    {
        using var temp = new TempDirectory("cli-hudi-parquet");
        var target = temp.PathOf("snapshot.parquet");

        var result = Cli.Run("hudi", "show", HudiTables.Path(Complex), "--format", "parquet", "--out", target);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().BeEmpty();

        // The file holds exactly the rows `show` prints, meta columns included, as an independent reader sees them.
        var expected = Cli.Run("hudi", "show", HudiTables.Path(Complex)).StdoutLines
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("_hoodie_record_key").GetString())
            .Order(StringComparer.Ordinal);
        var duck = DuckDb.Shared.Query($"select * from read_parquet({DuckDb.Literal(target)})");
        var keyColumn = duck.ColumnIndex("_hoodie_record_key");
        duck.Rows.Select(r => r[keyColumn].GetString()).Order(StringComparer.Ordinal).Should().Equal(expected);
        duck.Columns.Take(5).Select(c => c.Name).Should().Equal(CdcLake.Hudi.HoodieMetaFields.All);
        Directory.GetFiles(temp.Path).Should().HaveCount(1, "the temporary file is gone");

        var noOut = Cli.Run("hudi", "show", HudiTables.Path(Complex), "--format", "parquet");
        noOut.ExitCode.Should().Be(ExitCodes.UsageError, noOut.ToString());
        noOut.Stderr.Should().Contain("--out FILE");
    }

    [Theory]
    [InlineData("--as-of", "yesterday", "--as-of takes an instant time*")]
    [InlineData("--since", "2024-13-01", "--since takes an instant time*")]
    [InlineData("--partition", "byteField", "--partition takes FIELD=VALUE*")]
    [InlineData("--partition", "color=red", "--partition color=red: the table's partition fields are byteField, shortField.*")]
    public void Show_usage_errors_exit_2(string option, string value, string message)
    {
        var result = Cli.Run("hudi", "show", HudiTables.Path(Complex), option, value);
        result.ExitCode.Should().Be(ExitCodes.UsageError, result.ToString());
        result.Stderr.Should().Match($"cdclake: {message}");
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public void Show_accepts_dashed_instants_and_refuses_since_after_as_of()
    {
        var dashed = Cli.Run("hudi", "show", HudiTables.Path(Complex), "--as-of", "2024-04-18 17:32:13.674");
        dashed.ExitCode.Should().Be(0, dashed.ToString());
        dashed.StdoutLines.Should().Equal(Cli.Run("hudi", "show", HudiTables.Path(Complex), "--as-of", ComplexC1).StdoutLines);

        var reversed = Cli.Run("hudi", "show", HudiTables.Path(Complex), "--as-of", ComplexC1, "--since", ComplexC2);
        reversed.ExitCode.Should().Be(ExitCodes.UsageError, reversed.ToString());
    }

    [Fact]
    public void Data_errors_exit_1_with_one_line()
    {
        using var temp = new TempDirectory("cli-hudi-none");
        var missing = Cli.Run("hudi", "show", temp.Path);
        missing.ExitCode.Should().Be(ExitCodes.DataError);
        missing.StderrLines.Should().ContainSingle().Which.Should().Match("cdclake: *not a Hudi table*");

        var v8 = Cli.Run("hudi", "show", HudiTables.Path("v8_nonpartitioned"), "--as-of", "20250713010535797");
        v8.ExitCode.Should().Be(ExitCodes.DataError);
        v8.StderrLines.Should().ContainSingle().Which.Should().StartWith("cdclake: unsupported table version 8: ");

        var noMeta = Cli.Run("hudi", "show", HudiTables.Path("v6_simplekeygen_hivestyle_no_metafields"), "--since", "20240101000000000", "--format", "csv");
        noMeta.ExitCode.Should().Be(ExitCodes.DataError);
        noMeta.Stdout.Should().BeEmpty("the query is refused before the CSV header is written");
        noMeta.StderrLines.Should().ContainSingle().Which.Should().Contain("hoodie.populate.meta.fields=false");

        var column = Cli.Run("hudi", "show", HudiTables.Path(Complex), "--columns", "nope");
        column.ExitCode.Should().Be(ExitCodes.DataError);
        column.StderrLines.Should().ContainSingle().Which.Should().Contain("no column named 'nope'");
    }

    [Fact]
    public void Timeline_prints_one_line_per_instant()
    {
        var v6 = Cli.Run("hudi", "timeline", HudiTables.Path(Complex));
        v6.ExitCode.Should().Be(0, v6.ToString());
        v6.StdoutLines.Should().HaveCount(3);
        v6.StdoutLines[0].Should().MatchRegex("^instant +action +state +completion +requested_at +inflight_at +completed_at$");
        v6.StdoutLines[1].Should().MatchRegex($"^{ComplexC1}  commit  COMPLETED  -  +\\d{{4}}-\\d\\d-\\d\\dT[0-9:.]+Z  +\\S+Z  +\\S+Z$");
        v6.StdoutLines[2].Should().StartWith($"{ComplexC2}  commit  COMPLETED");

        var v8 = Cli.Run("hudi", "timeline", HudiTables.Path("v8_nonpartitioned"));
        v8.ExitCode.Should().Be(0, v8.ToString());
        v8.StdoutLines[1].Should().StartWith("20250713010535797  commit  COMPLETED  20250713010536200  ");

        var empty = Cli.Run("hudi", "timeline", HudiTables.Path("v6_empty"));
        empty.StdoutLines.Should().ContainSingle();
    }

    [Fact]
    public void Validate_exits_0_for_a_valid_table_and_1_with_one_line_per_problem()
    {
        var valid = Cli.Run("hudi", "validate", HudiTables.Path("v6_simplekeygen_nonhivestyle"));
        valid.ExitCode.Should().Be(0, valid.ToString());
        valid.Stdout.Should().BeEmpty();
        valid.Stderr.Should().Contain("valid (2 instants, 3 partitions, 4 base files checked)");

        // The complex-key fixture's two bloom filters lack their keys (see CdcLake.Hudi.Tests' validator tests).
        var invalid = Cli.Run("hudi", "validate", HudiTables.Path(Complex));
        invalid.ExitCode.Should().Be(ExitCodes.DataError, invalid.ToString());
        invalid.StdoutLines.Should().HaveCount(2).And.OnlyContain(l => l.StartsWith("byteField=10/shortField=300/a22e8257-", StringComparison.Ordinal) && l.Contains("bloom filter lacks 2"));
        invalid.StderrLines.Should().Equal($"cdclake: {HudiTables.Path(Complex)}: 2 problems");

        var v8 = Cli.Run("hudi", "validate", HudiTables.Path("v8_nonpartitioned"));
        v8.ExitCode.Should().Be(ExitCodes.DataError);
        v8.StderrLines.Should().ContainSingle().Which.Should().StartWith("cdclake: unsupported table version 8");
    }

    [Fact]
    public async Task Commands_read_tables_in_S3_with_the_endpoint_from_the_environment()
    {
        using var server = new S3Server("lake");
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = server.ServiceUrl,
            ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey,
            ["AWS_REGION"] = S3Server.Region,
        };
        var stores = new TableStores(name => environment.GetValueOrDefault(name));
        stores.S3Options().ForcePathStyle.Should().BeTrue();
        using (var upload = ObjectStores.For("s3://lake/db", stores.S3Options() with { UseChunkEncoding = false, ConditionalWritesSupported = false }))
        {
            var root = HudiTables.Path(Complex);
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                await upload.WriteAsync($"{Complex}/{Path.GetRelativePath(root, file).Replace('\\', '/')}", File.ReadAllBytes(file));
            }
        }

        var uri = $"s3://lake/db/{Complex}";
        foreach (var args in new[] { new[] { "show" }, ["show", "--since", ComplexC1, "--format", "csv"], ["timeline"], ["validate"] })
        {
            var local = Run(null, ["hudi", args[0], HudiTables.Path(Complex), .. args[1..]]);
            var s3 = Run(stores, ["hudi", args[0], uri, .. args[1..]]);
            s3.ExitCode.Should().Be(local.ExitCode, s3.ToString());
            if (args[0] == "timeline")
            {
                // The state files' times are upload times in S3.
                s3.StdoutLines.Select(l => l[..37]).Should().Equal(local.StdoutLines.Select(l => l[..37]));
            }
            else
            {
                s3.StdoutLines.Order(StringComparer.Ordinal).Should().Equal(local.StdoutLines.Order(StringComparer.Ordinal), string.Join(' ', args));
            }
        }
    }

    private static CliResult Run(TableStores? stores, string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliApp.Invoke(args, stdout, stderr, null, stores);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    private static string CsvField(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "",
        JsonValueKind.String when value.GetString()!.Contains(',', StringComparison.Ordinal) => $"\"{value.GetString()}\"",
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    /// <summary>Our rows and DuckDB's rows of <paramref name="files"/>, matched by id and compared value by value.</summary>
    private static void CompareWithDuckDb(JsonElement[] rows, IReadOnlyList<string> files, string? where = null)
    {
        files.Should().NotBeEmpty();
        var list = string.Join(", ", files.Select(DuckDb.Literal));
        var duck = DuckDb.Shared.Query($"select * from read_parquet([{list}]){(where is null ? "" : " where " + where)} order by id");
        using var reader = ParquetReader.Open(files[0]);
        var schema = reader.Schema;
        duck.Columns.Select(c => c.Name).Should().Equal(schema.Fields.Select(f => f.Name));
        rows.Should().HaveCount(duck.Rows.Count);

        var ours = rows.OrderBy(r => r.GetProperty("id").GetInt32()).ToArray();
        var comparison = new OracleComparison(new HashSet<string>(StringComparer.Ordinal));
        for (var row = 0; row < ours.Length; row++)
        {
            ours[row].EnumerateObject().Select(p => p.Name).Should().Equal(schema.Fields.Select(f => f.Name));
            for (var c = 0; c < schema.Fields.Count; c++)
            {
                comparison.Compare($"row {row} {schema.Fields[c].Name}", ours[row].GetProperty(schema.Fields[c].Name), duck[row, c], schema.Fields[c]);
            }
        }

        comparison.Differences.Should().BeEmpty();
    }
}
