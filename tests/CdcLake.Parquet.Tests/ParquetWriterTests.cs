using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using CdcLake.Parquet.Compression;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using static CdcLake.Parquet.Tests.WriterTestSupport;
using MetaEncoding = CdcLake.Parquet.Meta.Encoding;
using MetaPageType = CdcLake.Parquet.Meta.PageType;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// <see cref="ParquetWriter"/>: statistics, row groups, metadata, schema annotations, page structure,
/// dictionary fallback, streams and errors. Files are checked with DuckDB (values, parquet_metadata,
/// parquet_schema, parquet_kv_metadata) and with a page-header walk; no reader of ours is involved.
/// </summary>
public sealed class ParquetWriterTests
{
    private static DuckDb Db => DuckDb.Shared;

    private static PrimitiveField Opt(string name, PhysicalType type, LogicalType? logical = null, int length = 0) =>
        new(name, type, logical, Repetition.Optional, length);

    private static ParquetFileInfo WriteFile(string file, Field[] fields, IReadOnlyList<List<object?>> columns, ParquetWriteOptions? options = null)
    {
        var schema = new ParquetSchema(fields);
        var rows = columns[0].Count;
        using var writer = ParquetWriter.Create(file, schema, options);
        writer.Write(new RecordBatch(schema, [.. fields.Select((f, i) => Vector(f, columns[i]))], rows));
        return writer.Close();
    }

    private static Dictionary<string, JsonElement[]> Metadata(string file, int rowGroup = 0)
    {
        var result = Db.Query($"""
            SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count, stats_min, stats_max, encodings
            FROM parquet_metadata({DuckDb.Literal(file)}) WHERE row_group_id = {rowGroup}
            """);
        return result.Rows.ToDictionary(r => r[0].GetString()!, r => r);
    }

    // ---- statistics ----------------------------------------------------------------------------------

    public static TheoryData<bool, int> StatisticsConfigs() => new() { { true, 1 }, { false, 1 }, { true, 2 }, { false, 2 } };

    [Theory]
    [MemberData(nameof(StatisticsConfigs))]
    public void Statistics_are_the_true_min_and_max_in_the_order_of_each_type(bool dictionary, int pageVersion)
    {
        var random = new Random(99);
        const int rows = 3000;
        object? Maybe(object value) => random.Next(10) == 0 ? null : value;

        string[] words = ["zeta", "alpha", "é", "Ωmega", "", "a", "ab", "😀", "Z", "zz"];
        var strings = Enumerable.Range(0, rows).Select(i => Maybe(words[random.Next(words.Length)] + (i % 7 == 0 ? "" : i.ToString(CultureInfo.InvariantCulture)))).ToList();
        var dec32 = Enumerable.Range(0, rows).Select(_ => Maybe(random.Next(-99_999, 100_000))).ToList();
        var dec64 = Enumerable.Range(0, rows).Select(_ => Maybe(random.NextInt64(-999_999_999_999, 1_000_000_000_000))).ToList();
        var decFixed = Enumerable.Range(0, rows).Select(_ => Maybe((object)BigEndian(RandomBig(random, 30), 16))).ToList();
        var decBinary = Enumerable.Range(0, rows).Select(_ => Maybe((object)RandomBig(random, 20).ToByteArray(isUnsigned: false, isBigEndian: true))).ToList();
        float[] floatPool = [float.NaN, -0f, 0f, 1.5f, -2.25f, float.NaN, 3e10f, -7e-3f];
        var floats = Enumerable.Range(0, rows).Select(_ => Maybe(floatPool[random.Next(floatPool.Length)])).ToList();
        var doubles = Enumerable.Range(0, rows).Select(_ => Maybe(random.Next(5) == 0 ? double.NaN : Math.Round((random.NextDouble() - 0.3) * 1e6, 2))).ToList();
        var zeros = Enumerable.Range(0, rows).Select(i => (object?)(i % 3 == 0 ? -0d : 0d)).ToList();
        var positiveZeros = Enumerable.Range(0, rows).Select(_ => (object?)0f).ToList();
        var nans = Enumerable.Range(0, rows).Select(_ => Maybe(double.NaN)).ToList();
        var allNull = Enumerable.Range(0, rows).Select(_ => (object?)null).ToList();
        var u32 = Enumerable.Range(0, rows).Select(_ => Maybe(random.Next(int.MinValue, int.MaxValue))).ToList();
        var u64 = Enumerable.Range(0, rows).Select(_ => Maybe(random.NextInt64(long.MinValue, long.MaxValue))).ToList();
        var i64 = Enumerable.Range(0, rows).Select(_ => Maybe(random.NextInt64(long.MinValue, long.MaxValue))).ToList();
        var bools = Enumerable.Range(0, rows).Select(_ => Maybe(true)).ToList();
        var halves = Enumerable.Range(0, rows).Select(_ => Maybe((object)HalfBytes((Half)((random.NextDouble() - 0.5) * 100)))).ToList();
        halves[5] = HalfBytes(Half.NaN);

        Field[] fields =
        [
            Opt("s", PhysicalType.ByteArray, LogicalType.String),
            Opt("dec32", PhysicalType.Int32, LogicalType.Decimal(9, 2)),
            Opt("dec64", PhysicalType.Int64, LogicalType.Decimal(18, 4)),
            Opt("dec_fixed", PhysicalType.FixedLenByteArray, LogicalType.Decimal(38, 5), 16),
            Opt("dec_binary", PhysicalType.ByteArray, LogicalType.Decimal(38, 3)),
            Opt("f", PhysicalType.Float),
            Opt("d", PhysicalType.Double),
            Opt("zeros", PhysicalType.Double),
            Opt("positive_zeros", PhysicalType.Float),
            Opt("nans", PhysicalType.Double),
            Opt("all_null", PhysicalType.Int32),
            Opt("u32", PhysicalType.Int32, LogicalType.Integer(32, false)),
            Opt("u64", PhysicalType.Int64, LogicalType.Integer(64, false)),
            Opt("i64", PhysicalType.Int64),
            Opt("b", PhysicalType.Boolean),
            Opt("f16", PhysicalType.FixedLenByteArray, LogicalType.Float16, 2),
        ];
        List<object?>[] columns = [strings, dec32, dec64, decFixed, decBinary, floats, doubles, zeros, positiveZeros, nans, allNull, u32, u64, i64, bools, halves];

        using var temp = new TempDirectory("writer-stats");
        var file = temp.PathOf("stats.parquet");
        var info = WriteFile(file, fields, columns, new ParquetWriteOptions { EnableDictionary = dictionary, DataPageVersion = pageVersion, PageBytes = 2048 });
        var meta = Metadata(file);

        void Expect(string column, string? min, string? max)
        {
            var nulls = columns[Array.FindIndex(fields, f => f.Name == column)].Count(v => v is null);
            meta[column][3].GetInt64().Should().Be(nulls, "null count of {0}", column);
            Text(meta[column][1]).Should().Be(min, "min of {0}", column);
            Text(meta[column][2]).Should().Be(max, "max of {0}", column);
        }

        // Strings order by their UTF-8 bytes (unsigned), so "é" and "😀" sort after every ASCII letter.
        var presentStrings = strings.OfType<string>().ToList();
        Expect("s", presentStrings.MinBy(Utf8, ByteOrder.Instance), presentStrings.MaxBy(Utf8, ByteOrder.Instance));
        Expect("dec32", DecimalText(dec32.OfType<int>().Min(), 2), DecimalText(dec32.OfType<int>().Max(), 2));
        Expect("dec64", DecimalText(dec64.OfType<long>().Min(), 4), DecimalText(dec64.OfType<long>().Max(), 4));
        var fixedValues = decFixed.OfType<byte[]>().Select(b => new BigInteger(b, isUnsigned: false, isBigEndian: true)).ToList();
        Expect("dec_fixed", DecimalText(fixedValues.Min(), 5), DecimalText(fixedValues.Max(), 5));
        var binaryValues = decBinary.OfType<byte[]>().Select(b => new BigInteger(b, isUnsigned: false, isBigEndian: true)).ToList();
        Expect("dec_binary", DecimalText(binaryValues.Min(), 3), DecimalText(binaryValues.Max(), 3));
        Expect("u32", u32.OfType<int>().Select(v => (uint)v).Min().ToString(CultureInfo.InvariantCulture), u32.OfType<int>().Select(v => (uint)v).Max().ToString(CultureInfo.InvariantCulture));
        Expect("u64", u64.OfType<long>().Select(v => (ulong)v).Min().ToString(CultureInfo.InvariantCulture), u64.OfType<long>().Select(v => (ulong)v).Max().ToString(CultureInfo.InvariantCulture));
        Expect("i64", i64.OfType<long>().Min().ToString(CultureInfo.InvariantCulture), i64.OfType<long>().Max().ToString(CultureInfo.InvariantCulture));
        Expect("b", "true", "true");
        Expect("all_null", null, null);
        Expect("nans", null, null);

        // Floating point: NaN ignored; a zero minimum is -0.0 and a zero maximum +0.0, whichever zeros occurred.
        static long Bits(string? text) => BitConverter.DoubleToInt64Bits(double.Parse(text!, CultureInfo.InvariantCulture));
        Bits(Text(meta["f"][1])).Should().Be(BitConverter.DoubleToInt64Bits(-2.25));
        Bits(Text(meta["f"][2])).Should().Be(BitConverter.DoubleToInt64Bits(3e10f));
        var presentDoubles = doubles.OfType<double>().Where(d => !double.IsNaN(d)).ToList();
        Bits(Text(meta["d"][1])).Should().Be(BitConverter.DoubleToInt64Bits(presentDoubles.Min()));
        Bits(Text(meta["d"][2])).Should().Be(BitConverter.DoubleToInt64Bits(presentDoubles.Max()));
        Text(meta["zeros"][1]).Should().Be("-0.0");
        Text(meta["zeros"][2]).Should().Be("0.0");
        Text(meta["positive_zeros"][1]).Should().Be("-0.0");
        Text(meta["positive_zeros"][2]).Should().Be("0.0");
        var presentHalves = halves.OfType<byte[]>().Select(b => (float)System.Buffers.Binary.BinaryPrimitives.ReadHalfLittleEndian(b)).Where(h => !float.IsNaN(h)).ToList();
        float.Parse(Text(meta["f16"][1])!, CultureInfo.InvariantCulture).Should().Be(presentHalves.Min());
        float.Parse(Text(meta["f16"][2])!, CultureInfo.InvariantCulture).Should().Be(presentHalves.Max());

        // The deprecated signed-order min/max are written only where signed order is the type's order.
        Text(meta["i64"][4]).Should().Be(Text(meta["i64"][1]));
        meta["u32"][4].ValueKind.Should().Be(JsonValueKind.Null);
        meta["s"][4].ValueKind.Should().Be(JsonValueKind.Null);

        // The summary Close returns carries the same bounds as logical values.
        var chunks = info.RowGroups[0].Columns.ToDictionary(c => c.Column.DottedPath);
        chunks["dec32"].Statistics!.Min.Should().Be(new ParquetDecimal(dec32.OfType<int>().Min(), 2));
        chunks["s"].Statistics!.Max.Should().Be(presentStrings.MaxBy(Utf8, ByteOrder.Instance));
        chunks["u32"].Statistics!.Max.Should().Be(u32.OfType<int>().Select(v => (uint)v).Max());
        chunks["all_null"].Statistics!.Min.Should().BeNull();
        chunks["all_null"].Statistics!.NullCount.Should().Be(rows);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] HalfBytes(Half value)
    {
        var bytes = new byte[2];
        System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(bytes, value);
        return bytes;
    }

    private static BigInteger RandomBig(Random random, int digits)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        var magnitude = new BigInteger(bytes, isUnsigned: true) % BigInteger.Pow(10, random.Next(1, digits));
        return random.Next(2) == 0 ? -magnitude : magnitude;
    }

    private static string? Text(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : Canonical.Text(e);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    [Fact]
    public void Statistics_can_be_turned_off()
    {
        using var temp = new TempDirectory("writer-nostats");
        var file = temp.PathOf("nostats.parquet");
        WriteFile(file, [Opt("x", PhysicalType.Int32)], [[1, null, 3]], new ParquetWriteOptions { WriteStatistics = false });
        var meta = Metadata(file);
        meta["x"][1].ValueKind.Should().Be(JsonValueKind.Null);
        meta["x"][3].ValueKind.Should().Be(JsonValueKind.Null);
        Db.Query($"SELECT sum(x) FROM {DuckDb.Literal(file)}").Scalar().GetInt64().Should().Be(4);
    }

    // ---- row groups ----------------------------------------------------------------------------------

    [Fact]
    public void Row_groups_are_cut_at_RowGroupRows_across_batches_and_at_FlushRowGroup()
    {
        using var temp = new TempDirectory("writer-groups");
        var file = temp.PathOf("groups.parquet");
        var schema = new ParquetSchema([Opt("id", PhysicalType.Int64), new ListField("tags", Opt("element", PhysicalType.ByteArray, LogicalType.String))]);
        using (var writer = ParquetWriter.Create(file, schema, new ParquetWriteOptions { RowGroupRows = 1000 }))
        {
            long id = 0;
            void Batch(int count)
            {
                var ids = Enumerable.Range(0, count).Select(_ => (object?)id++).ToList();
                var tags = ids.Select(i => (object?)Enumerable.Range(0, (int)((long)i! % 3)).Select(t => (object?)$"t{t}").ToArray()).ToList();
                writer.Write(new RecordBatch(schema, [Vector(schema.Fields[0], ids), Vector(schema.Fields[1], tags)], count));
            }

            for (var i = 0; i < 8; i++)
            {
                Batch(300); // 2400 rows: groups of 1000, 1000, then 400 open
            }

            writer.RowsWritten.Should().Be(2400);
            writer.FlushRowGroup(); // 400
            writer.FlushRowGroup(); // nothing to flush
            Batch(2500); // 1000, 1000, 500 at close
            var info = writer.Close();
            info.RowGroups.Select(g => g.RowCount).Should().Equal(1000, 1000, 400, 1000, 1000, 500);
            writer.BytesWritten.Should().Be(new FileInfo(file).Length);
        }

        var groups = Db.Query($"SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata({DuckDb.Literal(file)}) ORDER BY 1");
        groups.Rows.Select(r => r[1].GetInt64()).Should().Equal(1000, 1000, 400, 1000, 1000, 500);
        var check = Db.Query($"SELECT count(*), sum(id), sum(len(tags)), count(DISTINCT id) FROM {DuckDb.Literal(file)}").Rows[0];
        check.Select(e => e.GetInt64()).Should().Equal(4900, 4900L * 4899 / 2, Enumerable.Range(0, 4900).Sum(i => i % 3), 4900);

        // Each page of the repeated column starts a row.
        var pages = PageWalker.Walk(file, schema).Where(c => c.Column.MaxRepetitionLevel > 0).SelectMany(c => c.Pages).Where(p => p.Type != MetaPageType.DictionaryPage);
        pages.Should().OnlyContain(p => p.FirstRepetitionLevel == 0);
    }

    [Fact]
    public void Row_groups_are_cut_near_RowGroupBytes()
    {
        using var temp = new TempDirectory("writer-groupbytes");
        var file = temp.PathOf("bytes.parquet");
        var schema = new ParquetSchema([Opt("v", PhysicalType.Int64), Opt("s", PhysicalType.ByteArray, LogicalType.String)]);
        const int rows = 200_000;
        var values = Enumerable.Range(0, rows).Select(i => (object?)((long)i * 7919)).ToList();
        var strings = Enumerable.Range(0, rows).Select(i => (object?)$"row-{i:D8}").ToList();
        const long limit = 256 * 1024;
        using (var writer = ParquetWriter.Create(file, schema, new ParquetWriteOptions { Codec = ParquetCodec.None, RowGroupBytes = limit, PageBytes = 16 * 1024 }))
        {
            for (var start = 0; start < rows; start += 50_000)
            {
                writer.Write(new RecordBatch(schema, [Vector(schema.Fields[0], values.GetRange(start, 50_000)), Vector(schema.Fields[1], strings.GetRange(start, 50_000))], 50_000));
            }

            var info = writer.Close();
            info.RowGroups.Count.Should().BeGreaterThan(10);
            info.RowGroups.Sum(g => g.RowCount).Should().Be(rows);

            // Every group but the last reaches the limit and overshoots it by at most one step (1/16 of its rows).
            foreach (var group in info.RowGroups.SkipLast(1))
            {
                group.TotalCompressedSize.Should().BeInRange((long)(limit * 0.9), (long)(limit * 1.1));
            }
        }

        var check = Db.Query($"SELECT count(*), sum(v), count(DISTINCT s) FROM {DuckDb.Literal(file)}").Rows[0];
        check.Select(e => e.GetInt64()).Should().Equal(rows, values.Sum(v => (long)v!), rows);
    }

    // ---- metadata and schema -------------------------------------------------------------------------

    [Fact]
    public void Key_value_metadata_of_the_file_and_of_columns_is_visible_to_DuckDB()
    {
        using var temp = new TempDirectory("writer-kv");
        var file = temp.PathOf("kv.parquet");
        var fields = new Field[] { Opt("a", PhysicalType.Int32), new StructField("st", [Opt("b", PhysicalType.ByteArray, LogicalType.String)]) };
        var options = new ParquetWriteOptions
        {
            KeyValueMetadata = new Dictionary<string, string> { ["hoodie_commit_time"] = "20240102030405", ["json"] = "{\"x\": [1, \"é\"]}" },
            ColumnKeyValueMetadata = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["st.b"] = new Dictionary<string, string> { ["origin"] = "dms" },
            },
            CreatedBy = "CdcLake tests",
        };
        var info = WriteFile(file, fields, [[1, 2], [new StructValue(["x"]), null]], options);
        info.KeyValueMetadata.Should().Contain("hoodie_commit_time", "20240102030405");
        info.CreatedBy.Should().Be("CdcLake tests");

        var kv = Db.Query($"SELECT decode(key), decode(value) FROM parquet_kv_metadata({DuckDb.Literal(file)}) ORDER BY 1");
        kv.Rows.Select(r => $"{r[0].GetString()}={r[1].GetString()}").Should().Equal("hoodie_commit_time=20240102030405", "json={\"x\": [1, \"é\"]}");

        var columns = Db.Query($"""
            SELECT path_in_schema, list_transform(map_entries(key_value_metadata), e -> decode(e.key) || '=' || decode(e.value))
            FROM parquet_metadata({DuckDb.Literal(file)}) ORDER BY column_id
            """);
        Canonical.Render(columns.Rows[0][1]).Should().Be("[]");
        Canonical.Render(columns.Rows[1][1]).Should().Be("[\"origin=dms\"]");
        Db.Query($"SELECT created_by FROM parquet_file_metadata({DuckDb.Literal(file)})").Scalar().GetString().Should().Be("CdcLake tests");
    }

    [Fact]
    public void Schema_carries_logical_types_legacy_converted_types_and_field_ids()
    {
        using var temp = new TempDirectory("writer-schema");
        var file = temp.PathOf("schema.parquet");
        Field[] fields =
        [
            new PrimitiveField("id", PhysicalType.Int64, repetition: Repetition.Required, fieldId: 1),
            new PrimitiveField("name", PhysicalType.ByteArray, LogicalType.String, fieldId: 2),
            new PrimitiveField("amount", PhysicalType.FixedLenByteArray, LogicalType.Decimal(20, 4), typeLength: 9, fieldId: 3),
            new PrimitiveField("ts_utc", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, true)),
            new PrimitiveField("ts_local", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, false)),
            new PrimitiveField("ts_nanos", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Nanos, true)),
            new PrimitiveField("t", PhysicalType.Int32, LogicalType.Time(TimeUnit.Millis, true)),
            new PrimitiveField("u16", PhysicalType.Int32, LogicalType.Integer(16, false)),
            new PrimitiveField("uuid", PhysicalType.FixedLenByteArray, LogicalType.Uuid, typeLength: 16),
            new PrimitiveField("ivl", PhysicalType.FixedLenByteArray, LogicalType.Interval, typeLength: 12),
            new ListField("tags", new PrimitiveField("element", PhysicalType.Int32, fieldId: 5), fieldId: 4),
            new MapField("attrs", new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required), Opt("value", PhysicalType.Double), fieldId: 6),
        ];
        var schema = new ParquetSchema(fields);
        using (var writer = ParquetWriter.Create(file, schema))
        {
            writer.Close().RowCount.Should().Be(0);
        }

        var rows = Db.Query($"""
            SELECT name, type, type_length, repetition_type, num_children, converted_type, scale, precision, field_id, logical_type
            FROM parquet_schema({DuckDb.Literal(file)})
            """);
        var rendered = rows.Rows.Select(r => string.Join("|", r.Select(e => e.ValueKind == JsonValueKind.Null ? "" : Canonical.Text(e)))).ToList();
        rendered.Should().Equal(
            "schema||||12|||||",
            "id|INT64||REQUIRED|||||1|",
            "name|BYTE_ARRAY||OPTIONAL||UTF8|||2|StringType()",
            "amount|FIXED_LEN_BYTE_ARRAY|9|OPTIONAL||DECIMAL|4|20|3|DecimalType(scale=4, precision=20)",
            "ts_utc|INT64||OPTIONAL||TIMESTAMP_MICROS||||TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))",
            "ts_local|INT64||OPTIONAL||||||TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))",
            "ts_nanos|INT64||OPTIONAL||||||TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=<null>, NANOS=NanoSeconds()))",
            "t|INT32||OPTIONAL||TIME_MILLIS||||TimeType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=MilliSeconds(), MICROS=<null>, NANOS=<null>))",
            "u16|INT32||OPTIONAL||UINT_16||||IntType(bitWidth=\u0010, isSigned=0)", // DuckDB prints the i8 width 16 as a character
            "uuid|FIXED_LEN_BYTE_ARRAY|16|OPTIONAL||||||UUIDType()",
            "ivl|FIXED_LEN_BYTE_ARRAY|12|OPTIONAL||INTERVAL||||",
            "tags|||OPTIONAL|1|LIST|||4|ListType()",
            "list|||REPEATED|1|||||",
            "element|INT32||OPTIONAL|||||5|",
            "attrs|||OPTIONAL|1|MAP|||6|MapType()",
            "key_value|||REPEATED|2|||||",
            "key|BYTE_ARRAY||REQUIRED||UTF8||||StringType()",
            "value|DOUBLE||OPTIONAL||||||");
    }

    [Theory]
    [InlineData(PhysicalType.Int32, "STRING")]
    [InlineData(PhysicalType.ByteArray, "DATE")]
    [InlineData(PhysicalType.Int32, "DECIMAL(10,2)")]
    [InlineData(PhysicalType.Int64, "TIME_MILLIS")]
    [InlineData(PhysicalType.FixedLenByteArray, "UUID")]
    public void Logical_types_that_do_not_fit_the_physical_type_are_refused_naming_the_column(PhysicalType physical, string logical)
    {
        var type = logical switch
        {
            "STRING" => LogicalType.String,
            "DATE" => LogicalType.Date,
            "DECIMAL(10,2)" => LogicalType.Decimal(10, 2),
            "TIME_MILLIS" => LogicalType.Time(TimeUnit.Millis, false),
            _ => LogicalType.Uuid,
        };
        var schema = new ParquetSchema([new StructField("outer", [new PrimitiveField("bad", physical, type, typeLength: physical == PhysicalType.FixedLenByteArray ? 8 : 0)])]);
        var act = () => new ParquetWriter(new MemoryStream(), schema);
        act.Should().Throw<ParquetException>().Where(e => e.Column == "outer.bad" && e.Message.Contains("cannot annotate"));
    }

    // ---- pages and encodings -------------------------------------------------------------------------

    [Theory]
    [InlineData(1, ParquetCodec.Snappy)]
    [InlineData(2, ParquetCodec.Zstd)]
    [InlineData(2, ParquetCodec.None)]
    public void Pages_follow_the_dictionary_rules_and_carry_checksums(int pageVersion, ParquetCodec codec)
    {
        using var temp = new TempDirectory("writer-pages");
        var file = temp.PathOf("pages.parquet");
        const int rows = 20_000;
        Field[] fields =
        [
            Opt("low", PhysicalType.ByteArray, LogicalType.String),   // 10 distinct: dictionary throughout
            Opt("unique", PhysicalType.Int64),                         // all distinct: dictionary dropped at the first page
            Opt("growing", PhysicalType.Int32),                        // repeats, then distinct: dictionary, then PLAIN
            Opt("flag", PhysicalType.Boolean),                          // never a dictionary
            new ListField("lists", Opt("element", PhysicalType.Int32)),
        ];
        var random = new Random(5);
        List<object?>[] columns =
        [
            [.. Enumerable.Range(0, rows).Select(i => i % 11 == 0 ? null : (object)$"value-{i % 10}")],
            [.. Enumerable.Range(0, rows).Select(i => (object?)(i * 1_000_003L))],
            [.. Enumerable.Range(0, rows).Select(i => (object?)(i < rows / 2 ? i % 50 : i))],
            [.. Enumerable.Range(0, rows).Select(i => (object?)(i % 3 == 0))],
            [.. Enumerable.Range(0, rows).Select(i => i % 13 == 0 ? null : (object)Enumerable.Range(0, random.Next(6)).Select(k => (object?)(k == 2 ? null : i + k)).ToArray())],
        ];
        var options = new ParquetWriteOptions
        {
            Codec = codec,
            DataPageVersion = pageVersion,
            PageBytes = 4096,
            DictionaryPageBytes = 8192,
            WriteChecksums = true,
        };
        WriteFile(file, fields, columns, options);
        var chunks = PageWalker.Walk(file, new ParquetSchema(fields)).ToDictionary(c => c.Column.DottedPath);
        var dataPage = pageVersion == 2 ? MetaPageType.DataPageV2 : MetaPageType.DataPage;

        foreach (var chunk in chunks.Values)
        {
            chunk.Pages.Should().OnlyContain(p => p.CrcMatches == true, "every page of {0} has a correct CRC", chunk.Column);
            chunk.Pages.Skip(1).All(p => p.Type == dataPage).Should().BeTrue();
            chunk.Pages.Where(p => p.Type == dataPage).Sum(p => p.Levels).Should().Be((int)chunk.Meta.NumValues);
            if (chunk.Column.DottedPath != "flag")
            {
                // 20,000 booleans without nulls are 2.5 kB: one page; every other column needs several.
                chunk.Pages.Count.Should().BeGreaterThan(2, "{0} spans several pages", chunk.Column);
            }
            if (chunk.Pages[0].Type == MetaPageType.DictionaryPage)
            {
                chunk.Meta.DictionaryPageOffset.Should().NotBeNull();
                chunk.Pages[0].Encoding.Should().Be(MetaEncoding.Plain);
            }
        }

        chunks["low"].Pages[0].Type.Should().Be(MetaPageType.DictionaryPage);
        chunks["low"].Pages.Skip(1).Should().OnlyContain(p => p.Encoding == MetaEncoding.RleDictionary);
        chunks["unique"].Pages.Should().OnlyContain(p => p.Type == dataPage && p.Encoding == MetaEncoding.Plain);
        chunks["unique"].Meta.DictionaryPageOffset.Should().BeNull();
        var growing = chunks["growing"].Pages.Skip(1).Select(p => p.Encoding).ToList();
        chunks["growing"].Pages[0].Type.Should().Be(MetaPageType.DictionaryPage);
        growing.Should().StartWith(MetaEncoding.RleDictionary).And.EndWith(MetaEncoding.Plain);
        growing.SkipWhile(e => e == MetaEncoding.RleDictionary).Should().OnlyContain(e => e == MetaEncoding.Plain, "after the fallback every page is PLAIN");
        chunks["flag"].Pages.Should().OnlyContain(p => p.Encoding == MetaEncoding.Plain);
        chunks["lists.list.element"].Pages.Where(p => p.Type == dataPage).Should().OnlyContain(p => p.FirstRepetitionLevel == 0);

        // Page sizes stay near the target (dictionary indices and levels are estimated, so allow slack).
        chunks["unique"].Pages.SkipLast(1).Should().OnlyContain(p => p.UncompressedSize >= 3000 && p.UncompressedSize <= 4096 + 64);

        if (pageVersion == 2)
        {
            var low = chunks["low"].Pages.Skip(1).ToList();
            low.Sum(p => p.Nulls!.Value).Should().Be(columns[0].Count(v => v is null));
            low.Sum(p => p.Rows!.Value).Should().Be(rows);
            chunks["lists.list.element"].Pages.Where(p => p.Type == dataPage).Sum(p => p.Rows!.Value).Should().Be(rows);
        }

        // Encoding stats and encodings agree with the pages.
        chunks["growing"].Meta.EncodingStats!.Select(s => (s.PageType, s.Encoding)).Should().Contain([(MetaPageType.DictionaryPage, MetaEncoding.Plain), (dataPage, MetaEncoding.RleDictionary), (dataPage, MetaEncoding.Plain)]);
        chunks["unique"].Meta.Encodings.Should().NotContain(MetaEncoding.RleDictionary);

        var check = Db.Query($"SELECT count(low), count(DISTINCT low), sum(\"unique\"), sum(growing), count_if(flag), sum(len(lists)) FROM {DuckDb.Literal(file)}").Rows[0];
        check.Select(e => e.GetInt64()).Should().Equal(
            columns[0].Count(v => v is not null),
            10,
            columns[1].Sum(v => (long)v!),
            columns[2].Sum(v => (long)(int)v!),
            columns[3].Count(v => (bool)v!),
            columns[4].Sum(v => v is object?[] a ? a.Length : 0));
    }

    [Fact]
    public void A_large_file_with_default_options_matches_DuckDB_aggregates()
    {
        using var temp = new TempDirectory("writer-large");
        var file = temp.PathOf("large.parquet");
        var schema = new ParquetSchema(
        [
            new PrimitiveField("i", PhysicalType.Int32, repetition: Repetition.Required),
            Opt("l", PhysicalType.Int64),
            Opt("d", PhysicalType.Double),
            Opt("s", PhysicalType.ByteArray, LogicalType.String),
            Opt("dec", PhysicalType.Int64, LogicalType.Decimal(18, 4)),
            Opt("cat", PhysicalType.ByteArray, LogicalType.Enum),
        ]);
        string[] categories = [.. Enumerable.Range(0, 37).Select(c => $"category-{c}")];
        const int batch = 100_000;
        const int batches = 6;
        using (var writer = ParquetWriter.Create(file, schema, new ParquetWriteOptions { RowGroupRows = 250_000 }))
        {
            for (var b = 0; b < batches; b++)
            {
                var i = new int[batch];
                var l = new long[batch];
                var d = new double[batch];
                var dec = new long[batch];
                var offsets = new int[batch + 1];
                var data = new List<byte>(batch * 10);
                var validity = new byte[Bitmap.BytesFor(batch)];
                var cat = new List<object?>(batch);
                for (var r = 0; r < batch; r++)
                {
                    long k = (b * batch) + r;
                    i[r] = (int)(k * 7 % 1_000_000) - 500_000;
                    l[r] = k * 1_000_003;
                    d[r] = k / 7.0;
                    dec[r] = k * 3 % 1_000_000_000;
                    data.AddRange(Encoding.ASCII.GetBytes($"cust-{k % 100_000}"));
                    offsets[r + 1] = data.Count;
                    if (k % 10 != 0)
                    {
                        Bitmap.Set(validity, r);
                    }

                    cat.Add(k % 101 == 0 ? null : categories[(int)(k * 31 % 37)]);
                }

                writer.Write(new RecordBatch(schema,
                [
                    new PrimitiveVector<int>(schema.Fields[0], i, batch),
                    new PrimitiveVector<long>(schema.Fields[1], l, batch, validity),
                    new PrimitiveVector<double>(schema.Fields[2], d, batch),
                    new BinaryVector(schema.Fields[3], offsets, [.. data], batch),
                    new PrimitiveVector<long>(schema.Fields[4], dec, batch),
                    Vector(schema.Fields[5], cat),
                ], batch));
            }
        }

        const long total = (long)batch * batches;
        var expected = Db.Query($"""
            SELECT sum((k * 7 % 1000000 - 500000)::INTEGER)::VARCHAR, sum(CASE WHEN k % 10 <> 0 THEN k * 1000003 END)::VARCHAR,
                   count(DISTINCT 'cust-' || (k % 100000)::VARCHAR), sum(((k * 3) % 1000000000)::DECIMAL(18,0) * 0.0001)::VARCHAR, count(*)
            FROM range({total}) t(k)
            """).Rows[0].Select(Canonical.Text);
        var actual = Db.Query($"SELECT sum(i)::VARCHAR, sum(l)::VARCHAR, count(DISTINCT s), sum(dec)::VARCHAR, count(*) FROM {DuckDb.Literal(file)}").Rows[0].Select(Canonical.Text);
        actual.Should().Equal(expected);
        Db.Query($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({DuckDb.Literal(file)})").Scalar().GetInt64().Should().Be(3);
        Db.Query($"SELECT count(cat), count(DISTINCT cat) FROM {DuckDb.Literal(file)}").Rows[0].Select(e => e.GetInt64())
            .Should().Equal(total - ((total + 100) / 101), 37);

        // At scale: a low-cardinality column keeps its dictionary through every page of every row group, and
        // columns of unique values drop theirs before the first page is written; pages stay under the 1 MB target.
        var chunks = PageWalker.Walk(file, schema);
        foreach (var chunk in chunks.Where(c => c.Column.DottedPath == "cat"))
        {
            chunk.Pages[0].Type.Should().Be(MetaPageType.DictionaryPage);
            chunk.Pages[0].Levels.Should().Be(37);
            chunk.Pages.Skip(1).Should().OnlyContain(p => p.Encoding == MetaEncoding.RleDictionary);
        }

        var unique = chunks.Where(c => c.Column.DottedPath is "i" or "l" or "d").ToList();
        foreach (var chunk in unique)
        {
            chunk.Pages.Should().OnlyContain(p => p.Type == MetaPageType.DataPage && p.Encoding == MetaEncoding.Plain, "column {0}", chunk.Column);
            chunk.Pages.Should().OnlyContain(p => p.UncompressedSize <= (1 << 20) + 64);
        }

        unique.SelectMany(c => c.Pages.SkipLast(1)).Should().NotBeEmpty().And.OnlyContain(p => p.UncompressedSize > 900_000);
    }

    // ---- streams, lifecycle --------------------------------------------------------------------------

    [Fact]
    public void A_non_seekable_stream_receives_the_same_bytes_as_a_file()
    {
        using var temp = new TempDirectory("writer-stream");
        var file = temp.PathOf("file.parquet");
        Field[] fields = [Opt("a", PhysicalType.Int32), new ListField("b", Opt("element", PhysicalType.ByteArray, LogicalType.String))];
        List<object?>[] columns = [[1, null, 3], [new object?[] { "x", null }, null, Array.Empty<object?>()]];
        var options = new ParquetWriteOptions { MaxDegreeOfParallelism = 1 };
        WriteFile(file, fields, columns, options);

        var sink = new ForwardOnlyStream();
        var schema = new ParquetSchema(fields);
        using (var writer = new ParquetWriter(sink, schema, options, "stream", leaveOpen: true))
        {
            writer.Write(new RecordBatch(schema, [Vector(fields[0], columns[0]), Vector(fields[1], columns[1])], 3));
            writer.Close();
            writer.BytesWritten.Should().Be(sink.Length);
        }

        sink.Disposed.Should().BeFalse();
        sink.ToArray().Should().Equal(File.ReadAllBytes(file));
    }

    [Fact]
    public void Dispose_writes_the_footer_and_Close_is_idempotent()
    {
        using var temp = new TempDirectory("writer-dispose");
        var file = temp.PathOf("dispose.parquet");
        var schema = new ParquetSchema([Opt("a", PhysicalType.Int32)]);
        ParquetWriter kept;
        using (var writer = ParquetWriter.Create(file, schema))
        {
            writer.Write(new RecordBatch(schema, [Vector(schema.Fields[0], [1, 2])], 2));
            kept = writer;
        }

        Db.Query($"SELECT sum(a) FROM {DuckDb.Literal(file)}").Scalar().GetInt64().Should().Be(3);
        kept.Close().RowCount.Should().Be(2);
        var act = () => kept.Write(new RecordBatch(schema, [Vector(schema.Fields[0], [1])], 1));
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void An_empty_file_has_the_schema_and_no_row_groups()
    {
        using var temp = new TempDirectory("writer-empty");
        var file = temp.PathOf("empty.parquet");
        var schema = new ParquetSchema([Opt("a", PhysicalType.Int32), Opt("s", PhysicalType.ByteArray, LogicalType.String)]);
        using (var writer = ParquetWriter.Create(file, schema))
        {
            writer.Write(new RecordBatch(schema, [Vector(schema.Fields[0], []), Vector(schema.Fields[1], [])], 0));
            writer.Close().RowGroups.Should().BeEmpty();
        }

        var result = Db.Query($"SELECT * FROM {DuckDb.Literal(file)}");
        result.Rows.Should().BeEmpty();
        result.Columns.Select(c => c.Type).Should().Equal("INTEGER", "VARCHAR");
    }

    [Fact]
    public void Batch_buffers_may_be_reused_once_Write_returns()
    {
        using var temp = new TempDirectory("writer-reuse");
        var file = temp.PathOf("reuse.parquet");
        var schema = new ParquetSchema([Opt("v", PhysicalType.Int64), Opt("s", PhysicalType.ByteArray)]);
        var values = new long[4];
        var data = new byte[4];
        using (var writer = ParquetWriter.Create(file, schema, new ParquetWriteOptions { RowGroupRows = 1000 }))
        {
            for (var b = 0; b < 3; b++)
            {
                for (var i = 0; i < 4; i++)
                {
                    values[i] = (b * 4) + i;
                    data[i] = (byte)('a' + (b * 4) + i);
                }

                writer.Write(new RecordBatch(schema, [new PrimitiveVector<long>(schema.Fields[0], values, 4), new BinaryVector(schema.Fields[1], [0, 1, 2, 3, 4], data, 4)], 4));
            }
        }

        var result = Db.Query($"SELECT string_agg(v::VARCHAR, ','), string_agg(decode(s), '') FROM {DuckDb.Literal(file)}").Rows[0];
        result[0].GetString().Should().Be("0,1,2,3,4,5,6,7,8,9,10,11");
        result[1].GetString().Should().Be("abcdefghijkl");
    }

    // ---- errors --------------------------------------------------------------------------------------

    [Fact]
    public void A_null_in_a_required_column_is_refused_naming_the_column_and_the_writer_stays_usable()
    {
        var schema = new ParquetSchema(
        [
            new PrimitiveField("id", PhysicalType.Int64, repetition: Repetition.Required),
            new StructField("st", [new PrimitiveField("need", PhysicalType.Int32, repetition: Repetition.Required)], Repetition.Required),
            new ListField("l", new PrimitiveField("element", PhysicalType.Int32, repetition: Repetition.Required)),
        ]);
        var stream = new MemoryStream();
        using var writer = new ParquetWriter(stream, schema, name: "out.parquet", leaveOpen: true);
        RecordBatch Batch(object?[] ids, object?[] st, object?[] lists) =>
            new(schema, [Vector(schema.Fields[0], ids), Vector(schema.Fields[1], st), Vector(schema.Fields[2], lists)], ids.Length);

        var flat = () => writer.Write(Batch([1L, null], [new StructValue([1]), new StructValue([2])], [null, null]));
        flat.Should().Throw<ParquetException>().Where(e => e.Column == "id" && e.File == "out.parquet" && e.Message.Contains("null"));

        var inStruct = () => writer.Write(Batch([1L, 2L], [new StructValue([1]), new StructValue([null])], [null, null]));
        inStruct.Should().Throw<ParquetException>().Where(e => e.Column == "st.need");

        var inList = () => writer.Write(Batch([1L, 2L], [new StructValue([1]), new StructValue([2])], [new object?[] { 1, null }, null]));
        inList.Should().Throw<ParquetException>().Where(e => e.Column == "l" && e.Message.Contains("required"));

        // Refused batches left nothing behind.
        writer.Write(Batch([7L], [new StructValue([8])], [new object?[] { 9 }]));
        writer.RowsWritten.Should().Be(1);
        writer.Close().RowCount.Should().Be(1);
    }

    [Fact]
    public void A_vector_of_the_wrong_type_is_refused_naming_the_column()
    {
        var inner = new PrimitiveField("x", PhysicalType.Int64);
        var schema = new ParquetSchema([Opt("a", PhysicalType.Int32), new ListField("l", new StructField("element", [inner]))]);
        using var writer = new ParquetWriter(new MemoryStream(), schema);

        var wrongFlat = () => writer.Write(new RecordBatch(schema, [new PrimitiveVector<long>(schema.Fields[0], [1L], 1), Vector(schema.Fields[1], [null])], 1));
        wrongFlat.Should().Throw<ParquetException>().Where(e => e.Column == "a" && e.Message.Contains("PrimitiveVector<int>") && e.Message.Contains("PrimitiveVector<long>"));

        var elements = new StructVector(((ListField)schema.Fields[1]).Element, [new PrimitiveVector<int>(inner, [5], 1)], 1);
        var wrongNested = () => writer.Write(new RecordBatch(schema, [Vector(schema.Fields[0], [1]), new ListVector(schema.Fields[1], [0, 1], elements, 1)], 1));
        wrongNested.Should().Throw<ParquetException>().Where(e => e.Column == "l.list.element.x");

        var notAList = () => writer.Write(new RecordBatch(schema, [Vector(schema.Fields[0], [1]), new PrimitiveVector<int>(schema.Fields[1], [1], 1)], 1));
        notAList.Should().Throw<ParquetException>().Where(e => e.Column == "l" && e.Message.Contains("ListVector"));
    }

    [Fact]
    public void Fixed_length_values_of_the_wrong_width_are_refused()
    {
        var schema = new ParquetSchema([Opt("u", PhysicalType.FixedLenByteArray, LogicalType.Uuid, 16)]);
        using var writer = new ParquetWriter(new MemoryStream(), schema);
        var act = () => writer.Write(new RecordBatch(schema, [Vector(schema.Fields[0], [new byte[16], new byte[15]])], 2));
        act.Should().Throw<ParquetException>().Where(e => e.Column == "u" && e.Message.Contains("slot 1"));
    }

    [Fact]
    public void An_unavailable_codec_is_refused_before_anything_is_written()
    {
        using var temp = new TempDirectory("writer-codec");
        var file = temp.PathOf("never.parquet");
        var schema = new ParquetSchema([Opt("a", PhysicalType.Int32)]);
        var options = new ParquetWriteOptions
        {
            Codec = ParquetCodec.Zstd,
            CodecAvailability = codec => codec == CodecId.Zstd ? "ZSTD needs the native library libzstd.so.1" : null,
        };

        var create = () => ParquetWriter.Create(file, schema, options);
        create.Should().Throw<ParquetException>().Where(e => e.Message.Contains("ZSTD") && e.Message.Contains("libzstd") && e.File == file);
        File.Exists(file).Should().BeFalse();

        var stream = new MemoryStream();
        var open = () => new ParquetWriter(stream, schema, options);
        open.Should().Throw<ParquetException>();
        stream.Length.Should().Be(0);

        var unknown = () => new ParquetWriter(new MemoryStream(), schema, new ParquetWriteOptions { Codec = (ParquetCodec)42 });
        unknown.Should().Throw<ParquetException>().WithMessage("*codec 42*");

        var badLevel = () => new ParquetWriter(new MemoryStream(), schema, new ParquetWriteOptions { Codec = ParquetCodec.Gzip, CompressionLevel = 42 });
        badLevel.Should().Throw<ParquetException>().WithMessage("*level 42*GZIP*");

        var snappyLevel = () => new ParquetWriter(new MemoryStream(), schema, new ParquetWriteOptions { Codec = ParquetCodec.Snappy, CompressionLevel = 1 });
        snappyLevel.Should().Throw<ParquetException>();
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        var schema = new ParquetSchema([Opt("a", PhysicalType.Int32)]);
        ParquetWriteOptions[] bad =
        [
            new() { DataPageVersion = 3 },
            new() { PageBytes = 0 },
            new() { RowGroupRows = 0 },
            new() { MaxDegreeOfParallelism = 0 },
            new() { ColumnKeyValueMetadata = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["nope"] = new Dictionary<string, string>() } },
        ];
        foreach (var options in bad)
        {
            var act = () => new ParquetWriter(new MemoryStream(), schema, options);
            act.Should().Throw<ParquetException>();
        }
    }

    [Fact]
    public void Compression_levels_are_applied()
    {
        using var temp = new TempDirectory("writer-levels");
        var schema = new ParquetSchema([Opt("s", PhysicalType.ByteArray, LogicalType.String)]);
        var values = Enumerable.Range(0, 50_000).Select(i => (object?)$"some fairly repetitive text {i % 1000} {i}").ToList();
        long Size(int level)
        {
            var file = temp.PathOf($"gzip-{level}.parquet");
            WriteFile(file, schema.Fields.ToArray(), [values], new ParquetWriteOptions { Codec = ParquetCodec.Gzip, CompressionLevel = level, EnableDictionary = false });
            Db.Query($"SELECT count(DISTINCT s) FROM {DuckDb.Literal(file)}").Scalar().GetInt64().Should().Be(50_000);
            return new FileInfo(file).Length;
        }

        Size(1).Should().BeGreaterThan(Size(9));
    }

    /// <summary>A write-only stream that cannot seek or report its position, like a network upload.</summary>
    private sealed class ForwardOnlyStream : Stream
    {
        private readonly MemoryStream _inner = new();

        public bool Disposed { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _inner.Length;

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public byte[] ToArray() => _inner.ToArray();

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
