using System.IO.Compression;
using System.Text.Json;
using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cli.Tests;

/// <summary>
/// The CLI on real files written by other tools (../shared/fixtures), checked against DuckDB reading the
/// same files: <c>cat --format jsonl</c> value by value, <c>meta --json</c> against DuckDB's
/// parquet_metadata, and the exit codes for unreadable files.
/// </summary>
public sealed class FixtureTests
{
    /// <summary>Fixtures whose DuckDB reading legitimately differs from ours, with the reason.</summary>
    private static readonly Dictionary<string, string> NotComparable = new(StringComparer.Ordinal)
    {
        ["parquet/datapage_v1-corrupt-checksum.parquet"] = "a page CRC does not match: we refuse the file, DuckDB does not check (see Corrupt_checksums_exit_1)",
        ["parquet/rle-dict-uncompressed-corrupt-checksum.parquet"] = "as above",
        ["parquet/map_no_value.parquet"] = "DuckDB cannot read a MAP without values (see Map_without_values_reads_as_a_list_of_keys)",
    };

    /// <summary>LZ4 (Hadoop framing or raw under the old codec id) files DuckDB cannot read, and their LZ4_RAW twins with the same rows.</summary>
    private static readonly Dictionary<string, string> DuckDbTwin = new(StringComparer.Ordinal)
    {
        ["parquet/hadoop_lz4_compressed.parquet"] = "parquet/lz4_raw_compressed.parquet",
        ["parquet/non_hadoop_lz4_compressed.parquet"] = "parquet/lz4_raw_compressed.parquet",
        ["parquet/hadoop_lz4_compressed_larger.parquet"] = "parquet/lz4_raw_compressed_larger.parquet",
    };

    public static TheoryData<string> ReadableFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SharedFixtures, "parquet"), "*.parquet").Order(StringComparer.Ordinal))
        {
            data.Add("parquet/" + Path.GetFileName(file));
        }

        data.Add("dms/dms_test_table_LOAD00000001.parquet");
        return data;
    }

    public static TheoryData<string> BadFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SharedFixtures, "parquet", "bad_data"), "*.parquet").Order(StringComparer.Ordinal))
        {
            data.Add("parquet/bad_data/" + Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReadableFixtures))]
    public void Cat_jsonl_matches_DuckDB(string fixture)
    {
        if (NotComparable.ContainsKey(fixture))
        {
            return;
        }

        var twin = DuckDbTwin.GetValueOrDefault(fixture, fixture);
        CompareWithDuckDb(Path.Combine(RepoPaths.SharedFixtures, fixture), Path.Combine(RepoPaths.SharedFixtures, twin));
    }

    [Fact]
    public void Cat_jsonl_matches_DuckDB_on_Spark_written_Hudi_files()
    {
        using var temp = new TempDirectory("cli-hudi");
        var compared = 0;
        foreach (var zip in Directory.GetFiles(Path.Combine(RepoPaths.SharedFixtures, "hudi"), "*.zip").Order(StringComparer.Ordinal))
        {
            using var archive = ZipFile.OpenRead(zip);
            foreach (var entry in archive.Entries.Where(e => e.FullName.EndsWith(".parquet", StringComparison.Ordinal) && !e.FullName.Contains("__MACOSX", StringComparison.Ordinal)))
            {
                var path = temp.PathOf($"{compared:D3}-{entry.Name}");
                entry.ExtractToFile(path);
                CompareWithDuckDb(path);
                compared++;
            }
        }

        compared.Should().BeGreaterThan(5);
    }

    /// <summary>Every scalar type DuckDB writes, at its edges (local and UTC timestamps in every unit, years 1 and 9999, NaN, -0, …).</summary>
    private const string EveryTypeRows = """
        (1, true, (-128)::TINYINT, 255::UTINYINT, 65535::USMALLINT, 4294967295::UINTEGER, 18446744073709551615::UBIGINT, (-9223372036854775808)::BIGINT,
         123.45::DECIMAL(9,4), (-12345678901234.5678)::DECIMAL(18,4), 1234567890123456789012345678.9012345678::DECIMAL(38,10),
         1.1::FLOAT, 0.1::DOUBLE, 'NaN'::DOUBLE, '-0.0'::DOUBLE,
         DATE '2024-01-02', TIME '03:04:05.123456', TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMP_MS '1900-01-02 03:04:05.123',
         TIMESTAMP_NS '1960-01-02 03:04:05.123456789', TIMESTAMPTZ '2024-01-02 05:04:05.123456+02', 'héllo "wörld"'::VARCHAR, '\x00\xFFab'::BLOB,
         '27211B33-5FFB-4C89-95C7-D5087CA50A9F'::UUID, '{"x":1}'::JSON, INTERVAL '1 month 2 days 3.5 seconds', {'a': 1, 'c': 'x'}, 'Infinity'::FLOAT),
        (2, false, 127::TINYINT, 0::UTINYINT, 0::USMALLINT, 0::UINTEGER, 0::UBIGINT, 9223372036854775807::BIGINT,
         -0.0001::DECIMAL(9,4), 0::DECIMAL(18,4), (-9999999999999999999999999999.9999999999)::DECIMAL(38,10),
         '-Infinity'::FLOAT, 1e300::DOUBLE, 'Infinity'::DOUBLE, 5e-324::DOUBLE,
         DATE '0001-01-01', TIME '23:59:59.999999', TIMESTAMP '0001-01-01 00:00:00', TIMESTAMP_MS '9999-12-31 23:59:59.999',
         TIMESTAMP_NS '2262-04-11 23:47:16.854775806', TIMESTAMPTZ '1969-07-20 20:17:40+00', '日本語 😀 a,b' || chr(10) || 'c', ''::BLOB,
         '00000000-0000-0000-0000-000000000001'::UUID, '[]'::JSON, INTERVAL '3 days 4 hours', {'a': -1, 'c': 'y'}, 1.17549435e-38::FLOAT)
        """;

    private const string EveryTypeColumns = "id, b, i8, u8, u16, u32, u64, i64, d4, d18, d38, f, d, nan, negz, dt, tm, ts, tsms, tsns, tstz, s, bl, u, j, iv, st, f2";

    [Fact]
    public void Cat_jsonl_matches_DuckDB_on_a_DuckDB_written_file_of_every_type()
    {
        using var temp = new TempDirectory("cli-duck");
        var path = temp.PathOf("every-type.parquet");
        DuckDb.Shared.Execute($"COPY (SELECT * FROM (VALUES {EveryTypeRows}) t({EveryTypeColumns})) TO {DuckDb.Literal(path)} (FORMAT parquet)");
        CompareWithDuckDb(path);

        var rows = Cli.Run("parquet", "cat", path).JsonRows;
        rows[0].GetProperty("ts").GetString().Should().Be("1969-12-31T23:59:59.999999"); // local: no Z
        rows[0].GetProperty("tstz").GetString().Should().Be("2024-01-02T03:04:05.123456Z");
        rows[0].GetProperty("tsns").GetString().Should().Be("1960-01-02T03:04:05.123456");
        rows[0].GetProperty("f").GetRawText().Should().Be("1.1");
        rows[1].GetProperty("tsms").GetString().Should().Be("9999-12-31T23:59:59.999000");
    }

    [Fact]
    public void Cat_jsonl_matches_DuckDB_on_a_DuckDB_written_file_with_nulls_and_nesting()
    {
        using var temp = new TempDirectory("cli-duck");
        var path = temp.PathOf("nulls-and-nesting.parquet");
        DuckDb.Shared.Execute($$"""
            COPY (SELECT * FROM (VALUES
              (1, NULL::INTEGER, 'a', NULL::TIMESTAMP, {'a': 1, 'b': ['x', NULL]}, [1, NULL, 3], MAP {'k1': 10, 'k2': NULL}, NULL::UUID),
              (2, 5, NULL, TIMESTAMP '1969-12-31 23:59:59.999999', NULL, [], MAP {}, '27211B33-5FFB-4C89-95C7-D5087CA50A9F'::UUID),
              (3, NULL, '', NULL, {'a': NULL, 'b': []}, NULL, NULL, NULL)
            ) t(id, n, s, ts, st, l, m, u)) TO {{DuckDb.Literal(path)}} (FORMAT parquet)
            """);
        CompareWithDuckDb(path);
    }

    [Fact]
    public void Cat_csv_agrees_with_cat_jsonl()
    {
        var path = RepoPaths.SharedFixture("dms", "dms_test_table_LOAD00000001.parquet");
        var jsonl = Cli.Run("parquet", "cat", path).JsonRows;
        var csv = Cli.Run("parquet", "cat", path, "--format", "csv");
        csv.ExitCode.Should().Be(0, csv.ToString());

        var records = ParseCsv(csv.Stdout);
        records[0].Should().Equal(jsonl[0].EnumerateObject().Select(p => p.Name));
        records.Should().HaveCount(jsonl.Length + 1);
        for (var row = 0; row < jsonl.Length; row++)
        {
            var expected = jsonl[row].EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.Null ? "" : Canonical.Text(p.Value));
            records[row + 1].Should().Equal(expected, $"row {row}");
        }
    }

    [Fact]
    public void Meta_json_agrees_with_DuckDB_parquet_metadata()
    {
        foreach (var name in new[] { "data_index_bloom_encoding_stats.parquet", "alltypes_tiny_pages_plain.parquet", "nested_maps.snappy.parquet", "column_chunk_key_value_metadata.parquet", "int32_decimal.parquet" })
        {
            var path = RepoPaths.SharedFixture("parquet", name);
            var result = Cli.Run("parquet", "meta", path, "--json");
            result.ExitCode.Should().Be(0, result.ToString());
            var meta = JsonDocument.Parse(result.Stdout).RootElement;
            var duck = DuckDb.Shared.Query($"select * from parquet_metadata({DuckDb.Literal(path)}) order by row_group_id, column_id");

            meta.GetProperty("file").GetString().Should().Be(path);
            var columns = meta.GetProperty("row_groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("columns").EnumerateArray().Select(c => (Group: g, Column: c))).ToArray();
            columns.Should().HaveCount(duck.Rows.Count, name);
            for (var i = 0; i < columns.Length; i++)
            {
                var (group, column) = columns[i];
                string Duck(string c) => Canonical.Text(duck[i, c]);
                var because = $"{name} chunk {i} ({column.GetProperty("path").GetString()})";
                group.GetProperty("index").GetRawText().Should().Be(Duck("row_group_id"), because);
                group.GetProperty("rows").GetRawText().Should().Be(Duck("row_group_num_rows"), because);
                column.GetProperty("path").GetString().Should().Be(Duck("path_in_schema").Replace(", ", ".", StringComparison.Ordinal), because);
                column.GetProperty("values").GetRawText().Should().Be(Duck("num_values"), because);
                column.GetProperty("codec").GetString().Should().Be(Duck("compression"), because);
                column.GetProperty("encodings").EnumerateArray().Select(e => e.GetString()).Should()
                    .BeEquivalentTo(Duck("encodings").Split(", "), because);
                column.GetProperty("compressed_size").GetRawText().Should().Be(Duck("total_compressed_size"), because);
                column.GetProperty("uncompressed_size").GetRawText().Should().Be(Duck("total_uncompressed_size"), because);
                column.GetProperty("data_page_offset").GetRawText().Should().Be(Duck("data_page_offset"), because);
                column.GetProperty("bloom_filter").GetBoolean().Should().Be(duck[i, "bloom_filter_offset"].ValueKind != JsonValueKind.Null, because);
                if (column.GetProperty("statistics") is { ValueKind: JsonValueKind.Object } stats)
                {
                    if (duck[i, "stats_null_count"].ValueKind != JsonValueKind.Null)
                    {
                        stats.GetProperty("null_count").GetRawText().Should().Be(Duck("stats_null_count"), because);
                    }

                    if (column.GetProperty("physical_type").GetString() is "INT32" or "INT64" && column.GetProperty("logical_type").ValueKind == JsonValueKind.Null
                        && duck[i, "stats_min_value"].ValueKind != JsonValueKind.Null)
                    {
                        stats.GetProperty("min").GetRawText().Should().Be(Duck("stats_min_value"), because);
                        stats.GetProperty("max").GetRawText().Should().Be(Duck("stats_max_value"), because);
                    }
                }
            }
        }
    }

    [Fact]
    public void Meta_text_names_every_column_chunk()
    {
        var path = RepoPaths.SharedFixture("parquet", "data_index_bloom_encoding_stats.parquet");
        var result = Cli.Run("parquet", "meta", path);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain($"file: {path}\n")
            .And.Contain("rows: 14\n")
            .And.Contain("  column String\n")
            .And.Contain("    codec: GZIP\n")
            .And.Contain("    statistics: null_count=0 distinct_count=- min=\"Hello\" max=\"today\"")
            .And.Contain("    bloom_filter: yes\n");

        var kv = Cli.Run("parquet", "meta", RepoPaths.SharedFixture("parquet", "column_chunk_key_value_metadata.parquet"));
        kv.ExitCode.Should().Be(0, kv.ToString());
        kv.Stdout.Should().Contain("    key_value_metadata:\n");
    }

    [Fact]
    public void Schema_lists_every_leaf_of_a_nested_file()
    {
        var path = RepoPaths.SharedFixture("parquet", "nested_maps.snappy.parquet");
        var result = Cli.Run("parquet", "schema", path);
        result.ExitCode.Should().Be(0, result.ToString());
        using var reader = ParquetReader.Open(path);
        var lines = result.StdoutLines;
        var columnsAt = Array.IndexOf(lines, "columns:");
        lines.Length.Should().Be(columnsAt + 2 + reader.Schema.Columns.Count);
        foreach (var column in reader.Schema.Columns)
        {
            lines.Should().Contain(l => l.Contains($" {column.DottedPath} ", StringComparison.Ordinal));
        }

        result.Stdout.Should().StartWith("fields:\n  a: map\n");
    }

    [Fact]
    public void Truncated_file_exits_1_naming_it()
    {
        using var temp = new TempDirectory("cli-truncated");
        var source = File.ReadAllBytes(RepoPaths.SharedFixture("parquet", "alltypes_plain.parquet"));
        foreach (var keep in new[] { source.Length / 2, source.Length - 1, 10, 0 })
        {
            var path = temp.PathOf($"truncated-{keep}.parquet");
            File.WriteAllBytes(path, source[..keep]);
            foreach (var command in new[] { "cat", "schema", "meta" })
            {
                var result = Cli.Run("parquet", command, path);
                result.ExitCode.Should().Be(1, result.ToString());
                result.StderrLines.Should().ContainSingle().Which.Should().StartWith($"cdclake: {path}: ");
                result.Stderr.Should().NotContain(" at ");
            }
        }
    }

    [Fact]
    public void Missing_file_exits_1_naming_it()
    {
        var missing = Path.Combine(RepoPaths.SharedFixtures, "no-such-file.parquet");
        var result = Cli.Run("parquet", "cat", missing);
        result.ExitCode.Should().Be(1);
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith($"cdclake: {missing}: ");
    }

    [Theory]
    [InlineData("datapage_v1-corrupt-checksum.parquet")]
    [InlineData("rle-dict-uncompressed-corrupt-checksum.parquet")]
    public void Corrupt_checksums_exit_1_naming_file_and_column(string name)
    {
        var corrupt = RepoPaths.SharedFixture("parquet", name);
        var result = Cli.Run("parquet", "cat", corrupt);
        result.ExitCode.Should().Be(1);
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith($"cdclake: {corrupt}: column '").And.ContainEquivalentOf("crc");

        // The footer is intact: schema and meta still work.
        Cli.Run("parquet", "schema", corrupt).ExitCode.Should().Be(0);
        Cli.Run("parquet", "meta", corrupt).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Map_without_values_reads_as_a_list_of_keys()
    {
        var result = Cli.Run("parquet", "cat", RepoPaths.SharedFixture("parquet", "map_no_value.parquet"));
        result.ExitCode.Should().Be(0, result.ToString());
        result.JsonRows.Should().NotBeEmpty();
        foreach (var row in result.JsonRows)
        {
            Canonical.Render(row.GetProperty("my_map_no_v")).Should().Be(Canonical.Render(row.GetProperty("my_list")));
        }
    }

    [Theory]
    [MemberData(nameof(BadFixtures))]
    public void Malformed_files_exit_1_with_one_line(string fixture)
    {
        var path = Path.Combine(RepoPaths.SharedFixtures, fixture);
        var result = Cli.Run("parquet", "cat", path);
        if (fixture.EndsWith("ARROW-GH-43605.parquet", StringComparison.Ordinal))
        {
            result.ExitCode.Should().Be(0, result.ToString()); // valid: a one-entry dictionary with bit width 0
            return;
        }

        result.ExitCode.Should().Be(1, result.ToString());
        result.StderrLines.Should().ContainSingle(result.ToString()).Which.Should().StartWith($"cdclake: {path}: ").And.NotContain("internal error");
    }

    private static void CompareWithDuckDb(string path, string? duckPath = null)
    {
        duckPath ??= path;
        var result = Cli.Run("parquet", "cat", path, "--format", "jsonl");
        result.ExitCode.Should().Be(0, $"{path}: {result.Stderr}");
        result.Stderr.Should().BeEmpty();

        var duck = DuckDb.Shared.Query($"select * from read_parquet({DuckDb.Literal(duckPath)})");
        var legacy = DuckDb.Shared.Query(
            $"select name from parquet_schema({DuckDb.Literal(duckPath)}) where converted_type in ('TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS') and logical_type is null")
            .Column("name").Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal);
        using var reader = ParquetReader.Open(path);
        var schema = reader.Schema;

        duck.Columns.Select(c => c.Name).Should().Equal(schema.Fields.Select(f => f.Name), path);
        var rows = result.JsonRows;
        rows.Should().HaveCount(duck.Rows.Count, path);

        var comparison = new OracleComparison(legacy);
        for (var row = 0; row < rows.Length; row++)
        {
            rows[row].EnumerateObject().Select(p => p.Name).Should().Equal(schema.Fields.Select(f => f.Name));
            for (var c = 0; c < schema.Fields.Count; c++)
            {
                var field = schema.Fields[c];
                var ours = rows[row].GetProperty(field.Name);
                var theirs = duck[row, c];
                if (field is PrimitiveField { LogicalType.Kind: LogicalKind.Timestamp } p && !legacy.Contains(p.Name) && ours.ValueKind == JsonValueKind.String)
                {
                    // Z exactly when DuckDB reads the column as an instant.
                    ours.GetString()!.EndsWith('Z').Should().Be(duck.Columns[c].Type.Contains("TIME ZONE", StringComparison.Ordinal), $"{path} {field.Name}");
                }

                comparison.Compare($"{Path.GetFileName(path)} row {row} {field.Name}", ours, theirs, field);
            }
        }

        comparison.Differences.Should().BeEmpty();
    }

    /// <summary>A small RFC 4180 reader: quoted fields, doubled quotes, embedded newlines.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        return records;
    }
}
