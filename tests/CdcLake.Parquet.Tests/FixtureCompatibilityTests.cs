using System.Globalization;
using System.IO.Compression;
using System.Text;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CdcLake.Parquet.Tests;

/// <summary>The base files of the Hudi fixture zips, extracted once for the test class (ignoring __MACOSX/).</summary>
public sealed class HudiBaseFiles : IDisposable
{
    private readonly TempDirectory _dir = new("hudi-fixtures");

    public HudiBaseFiles()
    {
        foreach (var zip in Directory.GetFiles(Path.Combine(RepoPaths.SharedFixtures, "hudi"), "*.zip"))
        {
            using var archive = ZipFile.OpenRead(zip);
            foreach (var entry in archive.Entries.Where(IsBaseFile))
            {
                entry.ExtractToFile(_dir.PathOf(Path.Combine(Path.GetFileName(zip), entry.FullName)));
            }
        }
    }

    /// <summary>Parquet data files; not the __MACOSX resource forks, not anything under .hoodie/.</summary>
    public static bool IsBaseFile(ZipArchiveEntry entry) =>
        entry.FullName.EndsWith(".parquet", StringComparison.Ordinal)
        && !entry.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal)
        && !entry.FullName.Contains("/.hoodie/", StringComparison.Ordinal);

    public string PathOf(string zipName, string entry) => Path.Combine(_dir.Path, zipName, entry);

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// Acceptance line 1 of the Parquet issue, read direction: every fixture written by another tool reads
/// correctly. "Correctly" means value for value what DuckDB reads from the same file (or, where DuckDB
/// cannot read it, the documented expectation), what the *_expect.csv files list, and what
/// ../shared/fixtures/README.md says of the files with special expectations. Malformed files in bad_data/
/// are refused with a <see cref="ParquetException"/> that names the file.
/// </summary>
public sealed class FixtureCompatibilityTests(HudiBaseFiles hudi, ITestOutputHelper output) : IClassFixture<HudiBaseFiles>
{
    private const string HudiPrefix = "hudi/";

    /// <summary>Files whose page CRCs do not match: a verifying reader refuses them.</summary>
    private static readonly HashSet<string> CorruptChecksums =
    [
        "datapage_v1-corrupt-checksum.parquet",
        "rle-dict-uncompressed-corrupt-checksum.parquet",
    ];

    /// <summary>The one file in bad_data/ that is valid (a one-entry dictionary with index bit width 0).</summary>
    private const string ValidBadDataFile = "ARROW-GH-43605.parquet";

    /// <summary>
    /// DuckDB 1.5 cannot read the old LZ4 codec id (Hadoop-framed or raw): it refuses it as "Unsupported
    /// compression codec". parquet-testing wrote the same table with LZ4_RAW, which DuckDB reads, so those
    /// siblings are the expectation (and <see cref="Lz4_variants_hold_the_same_table_as_their_lz4_raw_siblings"/>
    /// checks the pairing independently of DuckDB).
    /// </summary>
    private static readonly Dictionary<string, string> Lz4RawSibling = new(StringComparer.Ordinal)
    {
        ["hadoop_lz4_compressed.parquet"] = "lz4_raw_compressed.parquet",
        ["non_hadoop_lz4_compressed.parquet"] = "lz4_raw_compressed.parquet",
        ["hadoop_lz4_compressed_larger.parquet"] = "lz4_raw_compressed_larger.parquet",
    };

    public static TheoryData<string> Files()
    {
        var root = RepoPaths.SharedFixtures;
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(root, "parquet"), "*.parquet", SearchOption.AllDirectories)
                     .Concat(Directory.GetFiles(Path.Combine(root, "dms"), "*.parquet"))
                     .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        foreach (var zip in Directory.GetFiles(Path.Combine(root, "hudi"), "*.zip").Order(StringComparer.Ordinal))
        {
            using var archive = ZipFile.OpenRead(zip);
            foreach (var entry in archive.Entries.Where(HudiBaseFiles.IsBaseFile).OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                data.Add($"{HudiPrefix}{Path.GetFileName(zip)}!{entry.FullName}");
            }
        }

        return data;
    }

    [Fact]
    public void Every_fixture_folder_contributes_cases()
    {
        var cases = ((IEnumerable<object[]>)Files()).Select(row => (string)row[0]).ToList();
        cases.Should().Contain(c => c.StartsWith("parquet/bad_data/", StringComparison.Ordinal));
        cases.Should().Contain(c => c.StartsWith("dms/", StringComparison.Ordinal));
        // Every zip but the empty table's holds base files: 19 in all.
        cases.Count(c => c.StartsWith(HudiPrefix, StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(19);
        cases.Count(c => c.StartsWith("parquet/", StringComparison.Ordinal) && !c.Contains("bad_data", StringComparison.Ordinal))
            .Should().BeGreaterThanOrEqualTo(60);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Fixture_reads_as_expected(string fixture)
    {
        var path = Resolve(fixture);
        var name = Path.GetFileName(path);
        if (fixture.StartsWith("parquet/bad_data/", StringComparison.Ordinal) && name != ValidBadDataFile)
        {
            AssertRefused(path);
            return;
        }

        if (CorruptChecksums.Contains(name))
        {
            AssertRefused(path).Message.Should().Contain("CRC");
            return;
        }

        var (schema, batches, hints) = CompatibilitySupport.ReadAll(path);
        output.WriteLine($"{fixture}: {batches.Sum(b => b.RowCount)} rows in {batches.Count} row groups\n{schema}");

        if (Lz4RawSibling.TryGetValue(name, out var sibling))
        {
            // DuckDB cannot read the LZ4 codec id; compare with its reading of the LZ4_RAW sibling.
            var expected = CompatibilitySupport.DuckRead(Path.Combine(Path.GetDirectoryName(path)!, sibling));
            CompatibilitySupport.Differences(schema, batches, hints, expected).Should().BeEmpty();
        }
        else if (name == "map_no_value.parquet")
        {
            // DuckDB refuses the file ("MAP_KEY_VALUE requires two children"); see Map_without_values_reads_as_the_list_of_its_keys.
            AssertMapNoValue(schema, batches);
        }
        else
        {
            var duck = CompatibilitySupport.DuckRead(path);
            CompatibilitySupport.Differences(schema, batches, hints, duck).Should().BeEmpty();
        }

        var expectCsv = Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "_expect.csv");
        if (File.Exists(expectCsv))
        {
            AssertMatchesCsv(schema, batches, expectCsv);
        }

        AssertStatisticsBoundTheValues(path);
    }

    // ---------------------------------------------------------------------------------------------
    // Special expectations from ../shared/fixtures/README.md, asserted one by one.

    [Theory]
    [InlineData("datapage_v1-corrupt-checksum.parquet", "datapage_v1-uncompressed-checksum.parquet")]
    [InlineData("rle-dict-uncompressed-corrupt-checksum.parquet", "rle-dict-snappy-checksum.parquet")]
    public void Corrupt_checksums_are_refused_and_their_siblings_read(string corrupt, string sibling)
    {
        var corruptPath = RepoPaths.SharedFixture("parquet", corrupt);
        var e = AssertRefused(corruptPath);
        e.Message.Should().Contain("CRC");

        // Without verification the same file decodes: the refusal above is the CRC check and nothing else.
        var unverified = CompatibilitySupport.ReadAll(corruptPath, new ParquetReadOptions { VerifyChecksums = false });
        unverified.Batches.Sum(b => b.RowCount).Should().BeGreaterThan(0);

        var siblingPath = RepoPaths.SharedFixture("parquet", sibling);
        var (schema, batches, hints) = CompatibilitySupport.ReadAll(siblingPath);
        CompatibilitySupport.Differences(schema, batches, hints, CompatibilitySupport.DuckRead(siblingPath)).Should().BeEmpty();
    }

    [Fact]
    public void Checksum_siblings_really_carry_page_crcs()
    {
        foreach (var name in new[] { "datapage_v1-uncompressed-checksum.parquet", "datapage_v1-snappy-compressed-checksum.parquet", "rle-dict-snappy-checksum.parquet", "plain-dict-uncompressed-checksum.parquet" })
        {
            var path = RepoPaths.SharedFixture("parquet", name);
            var bytes = File.ReadAllBytes(path);
            var footer = CompatibilitySupport.ReadFooter(path);
            var chunk = footer.RowGroups[0].Columns[0].MetaData!;
            var header = Meta.PageHeader.Read(bytes.AsSpan((int)chunk.FirstPageOffset), out _);
            header.Crc.Should().NotBeNull($"{name} is the checksummed sibling of a corrupt-CRC file");
        }
    }

    [Fact]
    public void Unknown_logical_type_reads_by_physical_type()
    {
        var path = RepoPaths.SharedFixture("parquet", "unknown-logical-type.parquet");
        using var reader = ParquetReader.Open(path);
        var field = (PrimitiveField)reader.Schema["column with unknown type"];
        field.PhysicalType.Should().Be(PhysicalType.ByteArray);
        field.LogicalType.Should().BeNull();
        var batch = reader.ReadRowGroup(0);
        var values = Enumerable.Range(0, batch.RowCount).Select(i => batch["column with unknown type"].GetValue(i)).ToList();
        values.Should().NotBeEmpty().And.AllBeOfType<byte[]>();
        reader.Schema["column with known type"].Should().BeOfType<PrimitiveField>()
            .Which.LogicalType.Should().Be(LogicalType.String, "the column beside it keeps its known annotation");
    }

    [Theory]
    [InlineData("nan_in_stats.parquet")]
    [InlineData("floating_orders_nan_count.parquet")]
    [InlineData("single_nan.parquet")]
    public void NaN_statistics_never_prune(string name)
    {
        var path = RepoPaths.SharedFixture("parquet", name);
        using var reader = ParquetReader.Open(path);
        var probes = new object[] { 0.0, -1e300, 1e300, double.NaN, double.PositiveInfinity, double.NegativeInfinity };
        var nanStatistics = 0;
        foreach (var group in reader.Info.RowGroups)
        {
            foreach (var chunk in group.Columns)
            {
                if (chunk.Statistics is not { } stats || !(IsNaN(stats.Min) || IsNaN(stats.Max)))
                {
                    continue;
                }

                nanStatistics++;
                foreach (var probe in probes)
                {
                    var typed = ConvertProbe(probe, chunk.Column.Field);
                    stats.MayContain(typed).Should().BeTrue($"{chunk.Column} has NaN in its statistics ({stats.Min}..{stats.Max}), which bound nothing; probe {typed}");
                }
            }
        }

        output.WriteLine($"{name}: {nanStatistics} column chunks with NaN statistics");

        // Pruning with every value actually present keeps every row group holding it.
        foreach (var column in reader.Schema.Fields.OfType<PrimitiveField>())
        {
            var all = CompatibilitySupport.ReadAll(path).Batches.SelectMany(b => Enumerable.Range(0, b.RowCount).Select(i => b[column.Name].GetValue(i))).Where(v => v is not null).ToList();
            foreach (var value in all.Distinct().Take(64))
            {
                var kept = reader.ReadBatches([column.Name], g => g.Columns.First(c => c.Column.Field == column).Statistics?.MayContain(value!) ?? true)
                    .Sum(b => Enumerable.Range(0, b.RowCount).Count(i => Equals(b[column.Name].GetValue(i), value)));
                kept.Should().Be(all.Count(v => Equals(v, value)), $"pruning on {column.Name} = {value} must keep every row holding it");
            }
        }
    }

    [Fact]
    public void Truncated_binary_statistics_bound_the_values()
    {
        var path = RepoPaths.SharedFixture("parquet", "binary_truncated_min_max.parquet");
        using var reader = ParquetReader.Open(path);
        var checkedColumns = 0;
        foreach (var chunk in reader.Info.RowGroups.SelectMany(g => g.Columns))
        {
            chunk.Statistics.Should().NotBeNull();
            chunk.Statistics!.MinBytes.Should().NotBeNull();
            chunk.Statistics.MaxBytes.Should().NotBeNull();
            checkedColumns++;
        }

        checkedColumns.Should().Be(6);
        AssertStatisticsBoundTheValues(path);
    }

    [Fact]
    public void Overflow_i16_page_count_reads_every_page()
    {
        var path = RepoPaths.SharedFixture("parquet", "overflow_i16_page_cnt.parquet");
        var footer = CompatibilitySupport.ReadFooter(path);
        var pages = CompatibilitySupport.Pages(path, footer);
        pages.Max(c => c.Pages.Count).Should().BeGreaterThan(short.MaxValue, "the file exists to have more pages in one chunk than a 16-bit counter holds");
        var (_, batches, _) = CompatibilitySupport.ReadAll(path);
        batches.Sum(b => b.RowCount).Should().BeGreaterThanOrEqualTo(40_000);
    }

    [Fact]
    public void Dictionary_page_offset_zero_is_located_from_the_data_offset()
    {
        var path = RepoPaths.SharedFixture("parquet", "dict-page-offset-zero.parquet");
        var footer = CompatibilitySupport.ReadFooter(path);
        footer.RowGroups.SelectMany(g => g.Columns).Should().Contain(c => c.MetaData!.DictionaryPageOffset == 0);
        var (schema, batches, hints) = CompatibilitySupport.ReadAll(path);
        batches.Sum(b => b.RowCount).Should().Be(39);
        CompatibilitySupport.Differences(schema, batches, hints, CompatibilitySupport.DuckRead(path)).Should().BeEmpty();
    }

    [Fact]
    public void Lz4_variants_hold_the_same_table_as_their_lz4_raw_siblings()
    {
        foreach (var (lz4, raw) in Lz4RawSibling)
        {
            var lz4Path = RepoPaths.SharedFixture("parquet", lz4);
            CompatibilitySupport.ReadFooter(lz4Path).RowGroups.SelectMany(g => g.Columns)
                .Should().OnlyContain(c => c.MetaData!.Codec == Meta.CompressionCodec.Lz4, $"{lz4} uses the old LZ4 codec id");
            var ours = RenderAll(lz4Path);
            var sibling = RenderAll(RepoPaths.SharedFixture("parquet", raw));
            ours.Should().Equal(sibling, $"{lz4} and {raw} hold the same table");
        }
    }

    [Fact]
    public void Map_without_values_reads_as_the_list_of_its_keys()
    {
        var path = RepoPaths.SharedFixture("parquet", "map_no_value.parquet");
        var (schema, batches, _) = CompatibilitySupport.ReadAll(path);
        AssertMapNoValue(schema, batches);
    }

    [Theory]
    [InlineData("incorrect_map_schema.parquet")]
    [InlineData("repeated_primitive_no_list.parquet")]
    [InlineData("repeated_no_annotation.parquet")]
    [InlineData("old_list_structure.parquet")]
    public void Legacy_layouts_read_as_lists_and_maps(string name)
    {
        var path = RepoPaths.SharedFixture("parquet", name);
        var (schema, batches, hints) = CompatibilitySupport.ReadAll(path);
        Flatten(schema.Fields).Should().Contain(f => f is ListField || f is MapField);
        CompatibilitySupport.Differences(schema, batches, hints, CompatibilitySupport.DuckRead(path)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("page_v2_empty_compressed.parquet")]
    [InlineData("datapage_v2_empty_datapage.snappy.parquet")]
    [InlineData("concatenated_gzip_members.parquet")]
    public void Pages_with_unusual_compressed_streams_read(string name)
    {
        var path = RepoPaths.SharedFixture("parquet", name);
        var (schema, batches, hints) = CompatibilitySupport.ReadAll(path);
        batches.Sum(b => b.RowCount).Should().BeGreaterThan(0);
        CompatibilitySupport.Differences(schema, batches, hints, CompatibilitySupport.DuckRead(path)).Should().BeEmpty();
    }

    // ---------------------------------------------------------------------------------------------

    private string Resolve(string fixture)
    {
        if (!fixture.StartsWith(HudiPrefix, StringComparison.Ordinal))
        {
            return Path.Combine(RepoPaths.SharedFixtures, fixture);
        }

        var parts = fixture[HudiPrefix.Length..].Split('!', 2);
        return hudi.PathOf(parts[0], parts[1]);
    }

    private ParquetException AssertRefused(string path)
    {
        var act = () =>
        {
            using var reader = ParquetReader.Open(path);
            foreach (var batch in reader.ReadBatches())
            {
                // Touch every value: a refusal may only come from the reader, never from a later crash.
                for (var i = 0; i < batch.RowCount; i++)
                {
                    foreach (var column in batch.Columns)
                    {
                        _ = DuckCanonical.Render(column, i);
                    }
                }
            }
        };
        var e = act.Should().Throw<ParquetException>().Which;
        output.WriteLine($"{Path.GetFileName(path)} refused: {e.Message}");
        e.Message.Should().Contain(path, "the message names the file");
        return e;
    }

    private static bool IsNaN(object? v) => v is double d && double.IsNaN(d) || v is float f && float.IsNaN(f) || v is Half h && Half.IsNaN(h);

    private static object ConvertProbe(object probe, PrimitiveField field) => field switch
    {
        { PhysicalType: PhysicalType.Float } => (float)(double)probe,
        { LogicalType.Kind: LogicalKind.Float16 } => (Half)(double)probe,
        _ => probe,
    };

    private static IEnumerable<Field> Flatten(IEnumerable<Field> fields) => fields.SelectMany(f => f switch
    {
        StructField s => Flatten(s.Children).Prepend(f),
        ListField l => Flatten([l.Element]).Prepend(f),
        MapField m => Flatten([m.Key, m.Value]).Prepend(f),
        _ => [f],
    });

    private static List<string> RenderAll(string path)
    {
        var (_, batches, hints) = CompatibilitySupport.ReadAll(path);
        return batches.SelectMany(b => Enumerable.Range(0, b.RowCount).Select(i => DuckCanonical.RenderRow(b, i, hints))).ToList();
    }

    /// <summary>
    /// map_no_value.parquet holds the same keys three ways: <c>my_map</c> (a map whose values are all null),
    /// <c>my_map_no_v</c> (a MAP group whose key_value has no value field) and <c>my_list</c> (a list); three
    /// rows of keys 1..9. The valueless map reads as the list of its keys, equal to <c>my_list</c> (as
    /// arrow-rs and arrow-cpp read it).
    /// </summary>
    private void AssertMapNoValue(ParquetSchema schema, List<RecordBatch> batches)
    {
        schema.Fields.Select(f => f.Name).Should().Equal("my_map", "my_map_no_v", "my_list");
        schema["my_map"].Should().BeOfType<MapField>();
        schema["my_map_no_v"].Should().BeOfType<ListField>().Which.Element.Should().BeOfType<PrimitiveField>()
            .Which.PhysicalType.Should().Be(PhysicalType.Int32);
        var rows = batches.SelectMany(b => Enumerable.Range(0, b.RowCount).Select(i => DuckCanonical.RenderRow(b, i))).ToList();
        rows.ForEach(output.WriteLine);
        rows.Should().Equal(
            """[[{"key":1,"value":null},{"key":2,"value":null},{"key":3,"value":null}],[1,2,3],[1,2,3]]""",
            """[[{"key":4,"value":null},{"key":5,"value":null},{"key":6,"value":null}],[4,5,6],[4,5,6]]""",
            """[[{"key":7,"value":null},{"key":8,"value":null},{"key":9,"value":null}],[7,8,9],[7,8,9]]""");
    }

    /// <summary>
    /// Values compared with an *_expect.csv: the CSV lists one column per top-level field in file order
    /// (headers may differ in decoration, e.g. a stripped trailing ':'); an unquoted empty field is null,
    /// a quoted one an empty string; integers and strings compare as text.
    /// </summary>
    private void AssertMatchesCsv(ParquetSchema schema, List<RecordBatch> batches, string csvPath)
    {
        var rows = ParseCsv(File.ReadAllText(csvPath, Encoding.UTF8));
        var header = rows[0];
        header.Should().HaveCount(schema.Fields.Count);
        for (var c = 0; c < header.Count; c++)
        {
            Normalize(header[c].Text!).Should().Be(Normalize(schema.Fields[c].Name), $"column {c} of {Path.GetFileName(csvPath)}");
        }

        var expected = rows.Skip(1).ToList();
        expected.Should().HaveCount(batches.Sum(b => b.RowCount));
        var row = 0;
        var differences = new List<string>();
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.RowCount; i++, row++)
            {
                for (var c = 0; c < batch.Columns.Count; c++)
                {
                    var value = batch.Columns[c].GetValue(i);
                    var ours = value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
                    var theirs = expected[row][c].Text;
                    if (ours != theirs)
                    {
                        differences.Add($"row {row}, {schema.Fields[c].Name}: ours {ours ?? "null"}, csv {theirs ?? "null"}");
                    }
                }
            }
        }

        differences.Should().BeEmpty();
        output.WriteLine($"{Path.GetFileName(csvPath)}: {expected.Count} rows × {header.Count} columns match");

        static string Normalize(string name) => name.Trim().TrimEnd(':');
    }

    private readonly record struct CsvField(string? Text);

    /// <summary>RFC 4180: quoted fields may hold commas, newlines and doubled quotes; an unquoted empty field is null.</summary>
    private static List<List<CsvField>> ParseCsv(string text)
    {
        var rows = new List<List<CsvField>>();
        var row = new List<CsvField>();
        var i = 0;
        while (i < text.Length)
        {
            string? field;
            if (text[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    sb.Append(text[i++]);
                }

                field = sb.ToString();
            }
            else
            {
                var start = i;
                while (i < text.Length && text[i] is not (',' or '\n' or '\r'))
                {
                    i++;
                }

                field = i == start ? null : text[start..i];
            }

            row.Add(new CsvField(field));
            if (i < text.Length && text[i] == ',')
            {
                i++;
                continue;
            }

            // End of record.
            if (i < text.Length && text[i] == '\r')
            {
                i++;
            }

            if (i < text.Length && text[i] == '\n')
            {
                i++;
            }

            rows.Add(row);
            row = [];
        }

        return rows;
    }

    /// <summary>
    /// Wherever the footer has statistics for a top-level primitive column, every value read lies within
    /// them: <see cref="ColumnStatistics.MayContain"/> is true for it and, for byte strings, the raw bounds
    /// enclose it in unsigned byte order (truncated bounds must still bound).
    /// </summary>
    private void AssertStatisticsBoundTheValues(string path)
    {
        using var reader = ParquetReader.Open(path);
        var violations = new List<string>();
        var checkedValues = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var info = reader.Info.RowGroups[g];
            RecordBatch? batch = null;
            foreach (var chunk in info.Columns)
            {
                if (chunk.Statistics is not { } stats || chunk.Column.Path.Count != 1)
                {
                    continue;
                }

                batch ??= reader.ReadRowGroup(g);
                var vector = batch[chunk.Column.Path[0]];
                for (var i = 0; i < vector.Length; i++)
                {
                    if (vector.IsNull(i))
                    {
                        continue;
                    }

                    object? value;
                    try
                    {
                        value = vector.GetValue(i);
                    }
                    catch (ParquetException)
                    {
                        continue; // outside what .NET values hold (e.g. timestamps past 9999): nothing to compare
                    }

                    checkedValues++;
                    if (!stats.MayContain(value!))
                    {
                        violations.Add($"row group {g}, {chunk.Column}: {Show(value)} outside [{Show(stats.Min)}, {Show(stats.Max)}]");
                    }

                    if (vector is BinaryVector binary && SortsAsUnsignedBytes(chunk.Column.Field) && stats.Min is not null && stats.MinBytes is { } min && stats.MaxBytes is { } max)
                    {
                        var bytes = binary.GetSpan(i);
                        if (bytes.SequenceCompareTo(min) < 0 || bytes.SequenceCompareTo(max) > 0)
                        {
                            violations.Add($"row group {g}, {chunk.Column}: bytes {Convert.ToHexString(bytes)} outside [{Convert.ToHexString(min)}, {Convert.ToHexString(max)}]");
                        }
                    }
                }
            }
        }

        violations.Take(20).Should().BeEmpty();
        output.WriteLine($"statistics bound all {checkedValues} values checked");

        // Byte strings, text and UUIDs order as unsigned bytes; DECIMAL (signed), FLOAT16 and INTERVAL do not.
        static bool SortsAsUnsignedBytes(PrimitiveField f) =>
            f.LogicalType is null or { Kind: LogicalKind.String or LogicalKind.Enum or LogicalKind.Json or LogicalKind.Bson or LogicalKind.Uuid };

        static string Show(object? v) => v switch
        {
            null => "null",
            byte[] b => "0x" + Convert.ToHexString(b),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture)!,
        };
    }
}
