using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using static CdcLake.Parquet.Tests.WriterTestSupport;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// Files written by <see cref="ParquetWriter"/> read back by DuckDB: every supported type, with and without
/// nulls, under every codec, with and without dictionaries, with data pages v1 and v2; and nested columns with
/// nulls and empties at every level. Each file holds all the types, and twelve files rotate through the other
/// axes so that every type meets every value of every axis. DuckDB's column types must be the ones the
/// logical types imply, and every value must equal the source value rendered in the oracle's canonical form.
/// </summary>
public sealed class WriterDuckDbMatrixTests
{
    private const int Rows = 2000;

    private static DuckDb Db => DuckDb.Shared;

    private static readonly ParquetCodec[] Codecs =
        [ParquetCodec.None, ParquetCodec.Snappy, ParquetCodec.Gzip, ParquetCodec.Zstd, ParquetCodec.Brotli, ParquetCodec.Lz4Raw];

    /// <summary>One file per config: codec, dictionary, page version and nulls rotate so every pair of values meets.</summary>
    public static TheoryData<int> Configs() => [.. Enumerable.Range(0, 12)];

    private static (ParquetCodec Codec, bool Dictionary, int PageVersion, bool Nulls) Config(int k) =>
        (Codecs[k % 6], (k & 1) == 0, ((k >> 1) & 1) + 1, ((k >> 2) & 1) == 1);

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_scalar_type_reads_back_in_DuckDB_with_its_type_and_values(int config)
    {
        var (codec, dictionary, pageVersion, nulls) = Config(config);
        var random = new Random(4242 + config);
        var cases = ScalarCases;
        var fields = new Field[cases.Length];
        var columns = new List<object?>[cases.Length];
        for (var c = 0; c < cases.Length; c++)
        {
            var @case = cases[c];
            // Without nulls, every other column is required (max definition level 0).
            var repetition = nulls || c % 2 == 1 ? Repetition.Optional : Repetition.Required;
            fields[c] = new PrimitiveField(@case.Name, @case.Physical, @case.Logical, repetition, @case.Length);
            columns[c] = Generate(@case, random, Rows, nulls);
        }

        var options = new ParquetWriteOptions
        {
            Codec = codec,
            EnableDictionary = dictionary,
            DataPageVersion = pageVersion,
            PageBytes = 1024,
            DictionaryPageBytes = 1536,
            RowGroupRows = config % 3 == 0 ? 800 : 100_000,
            WriteChecksums = config % 2 == 1,
        };

        using var temp = new TempDirectory("writer-matrix");
        var file = temp.PathOf($"scalars-{config}.parquet");
        WriteInBatches(file, new ParquetSchema(fields), columns, options, random);

        var result = Db.Query(Query(file));
        result.Rows.Should().HaveCount(Rows);
        for (var c = 0; c < cases.Length; c++)
        {
            result.Columns[c].Name.Should().Be(cases[c].Name);
            NormalizeType(result.Columns[c].Type).Should().Be(cases[c].DuckType, "column {0}", cases[c].Name);
        }

        var mismatches = new List<string>();
        for (var c = 0; c < cases.Length; c++)
        {
            for (var r = 0; r < Rows; r++)
            {
                var expected = columns[c][r] is { } v ? cases[c].Expected(v) : "null";
                var actual = Canonical.Render(result[r, c]);
                if (actual != expected && mismatches.Count < 20)
                {
                    mismatches.Add($"{cases[c].Name} row {r}: DuckDB {actual}, expected {expected}");
                }
            }
        }

        mismatches.Should().BeEmpty($"config {config} ({codec}, dictionary {dictionary}, v{pageVersion}, nulls {nulls})");
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Nested_columns_read_back_in_DuckDB_with_nulls_and_empties_at_every_level(int config)
    {
        var (codec, dictionary, pageVersion, _) = Config(config);
        var random = new Random(777 + config);
        var fields = NestedFields;
        var columns = fields.Select(f => (List<object?>)[.. Enumerable.Range(0, Rows).Select(_ => NestedValue(f, random, 0))]).ToArray();

        var options = new ParquetWriteOptions
        {
            Codec = codec,
            EnableDictionary = dictionary,
            DataPageVersion = pageVersion,
            PageBytes = 700,
            DictionaryPageBytes = 1024,
            RowGroupRows = config % 3 == 0 ? 900 : 100_000,
            WriteChecksums = config % 2 == 0,
        };

        using var temp = new TempDirectory("writer-nested");
        var file = temp.PathOf($"nested-{config}.parquet");
        WriteInBatches(file, new ParquetSchema(fields), columns, options, random);

        var result = Db.Query(Query(file));
        result.Rows.Should().HaveCount(Rows);
        string[] types =
        [
            "STRUCT(a INTEGER, b VARCHAR)",
            "INTEGER[]",
            "VARCHAR[][]",
            "MAP(VARCHAR, INTEGER)",
            "STRUCT(x BIGINT, y BOOLEAN[])[]",
            "STRUCT(r INTEGER, o DOUBLE, inner STRUCT(d DECIMAL(18,3)))",
            "MAP(INTEGER, VARCHAR[])",
        ];
        result.Columns.Select(c => NormalizeType(c.Type)).Should().Equal(types);

        var mismatches = new List<string>();
        for (var c = 0; c < fields.Length; c++)
        {
            for (var r = 0; r < Rows; r++)
            {
                var expected = Json(w => WriteExpected(w, fields[c], columns[c][r]));
                var actual = Canonical.Render(result[r, c]);
                if (actual != expected && mismatches.Count < 20)
                {
                    mismatches.Add($"{fields[c].Name} row {r}: DuckDB {actual}, expected {expected}");
                }
            }
        }

        mismatches.Should().BeEmpty($"config {config} ({codec}, dictionary {dictionary}, v{pageVersion})");
    }

    /// <summary>Writes the rows in batches of random sizes, so that batches straddle pages and row groups.</summary>
    internal static void WriteInBatches(string file, ParquetSchema schema, IReadOnlyList<List<object?>> columns, ParquetWriteOptions options, Random random)
    {
        var rows = columns[0].Count;
        using var writer = ParquetWriter.Create(file, schema, options);
        var start = 0;
        while (start < rows)
        {
            var count = Math.Min(rows - start, 1 + random.Next(700));
            var vectors = new ColumnVector[schema.Fields.Count];
            for (var c = 0; c < vectors.Length; c++)
            {
                vectors[c] = Vector(schema.Fields[c], columns[c].GetRange(start, count));
            }

            writer.Write(new RecordBatch(schema, vectors, count));
            start += count;
        }

        writer.RowsWritten.Should().Be(rows);
        writer.Close().RowCount.Should().Be(rows);
    }

    // ---- scalar types --------------------------------------------------------------------------------

    internal sealed record ScalarCase(
        string Name,
        PhysicalType Physical,
        LogicalType? Logical,
        int Length,
        string DuckType,
        Func<Random, object> Random,
        object[] Specials,
        Func<object, string> Expected);

    /// <summary>Half the rows come from a small pool (so dictionaries pay off), the rest are fresh (so they overflow).</summary>
    internal static List<object?> Generate(ScalarCase @case, Random random, int rows, bool nulls)
    {
        var pool = @case.Specials.Concat(Enumerable.Range(0, 20).Select(_ => @case.Random(random))).ToArray();
        var values = new List<object?>(rows);
        for (var r = 0; r < rows; r++)
        {
            if (nulls && random.Next(7) == 0)
            {
                values.Add(null);
            }
            else if (r < rows / 2)
            {
                values.Add(pool[random.Next(pool.Length)]);
            }
            else
            {
                values.Add(random.Next(40) == 0 ? @case.Specials[random.Next(@case.Specials.Length)] : @case.Random(random));
            }
        }

        return values;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string RandomText(Random random)
    {
        string[] pieces = ["a", "b", "Z", "0", " ", "é", "ß", "中", "文", "😀", "\"", "\\", "\n", "ü", "ñ", "€"];
        var sb = new StringBuilder();
        var length = random.Next(12);
        for (var i = 0; i < length; i++)
        {
            sb.Append(pieces[random.Next(pieces.Length)]);
        }

        return sb.ToString();
    }

    private static BigInteger RandomUnscaled(Random random, int precision)
    {
        var limit = BigInteger.Pow(10, precision);
        var magnitude = new BigInteger(RandomBytes(random, 20), isUnsigned: true) % limit;
        // Small magnitudes too, so that leading zeros and values below one are covered.
        if (random.Next(4) == 0)
        {
            magnitude %= 1000;
        }

        return random.Next(2) == 0 ? -magnitude : magnitude;
    }

    private static ScalarCase DecimalCase(string name, PhysicalType physical, int precision, int scale, int length = 0)
    {
        object Store(BigInteger unscaled) => physical switch
        {
            PhysicalType.Int32 => (int)unscaled,
            PhysicalType.Int64 => (long)unscaled,
            PhysicalType.FixedLenByteArray => BigEndian(unscaled, length),
            _ => unscaled.ToByteArray(isUnsigned: false, isBigEndian: true),
        };

        BigInteger Load(object stored) => stored switch
        {
            int i => i,
            long l => l,
            byte[] b => b.Length == 0 ? BigInteger.Zero : new BigInteger(b, isUnsigned: false, isBigEndian: true),
            _ => throw new ArgumentException("not a decimal"),
        };

        var max = BigInteger.Pow(10, precision) - 1;
        return new ScalarCase(
            name,
            physical,
            LogicalType.Decimal(precision, scale),
            length,
            $"DECIMAL({precision},{scale})",
            r => Store(RandomUnscaled(r, precision)),
            [Store(max), Store(-max), Store(BigInteger.Zero), Store(BigInteger.One), Store(BigInteger.MinusOne)],
            v => Str(DecimalText(Load(v), scale)));
    }

    private static long RandomLong(Random random, long min, long max) => random.NextInt64(min, max);

    // Microseconds/milliseconds of 0001-01-01 and 9999-12-31 23:59:59.999999.
    private const long MinMicros = -62_135_596_800_000_000L;
    private const long MaxMicros = 253_402_300_799_999_999L;

    internal static readonly ScalarCase[] ScalarCases =
    [
        new("bool", PhysicalType.Boolean, null, 0, "BOOLEAN", r => r.Next(2) == 1, [true, false], v => (bool)v ? "true" : "false"),
        new("int8", PhysicalType.Int32, LogicalType.Integer(8, true), 0, "TINYINT", r => r.Next(-128, 128), [-128, 127, 0], v => ((int)v).ToString(CultureInfo.InvariantCulture)),
        new("int16", PhysicalType.Int32, LogicalType.Integer(16, true), 0, "SMALLINT", r => r.Next(-32768, 32768), [-32768, 32767, 0], v => ((int)v).ToString(CultureInfo.InvariantCulture)),
        new("int32", PhysicalType.Int32, null, 0, "INTEGER", r => r.Next(int.MinValue, int.MaxValue), [int.MinValue, int.MaxValue, 0, -1], v => ((int)v).ToString(CultureInfo.InvariantCulture)),
        new("int32_annotated", PhysicalType.Int32, LogicalType.Integer(32, true), 0, "INTEGER", r => r.Next(int.MinValue, int.MaxValue), [int.MinValue, int.MaxValue], v => ((int)v).ToString(CultureInfo.InvariantCulture)),
        new("int64", PhysicalType.Int64, null, 0, "BIGINT", r => RandomLong(r, long.MinValue, long.MaxValue), [long.MinValue, long.MaxValue, 0L], v => ((long)v).ToString(CultureInfo.InvariantCulture)),
        new("uint8", PhysicalType.Int32, LogicalType.Integer(8, false), 0, "UTINYINT", r => r.Next(0, 256), [0, 255], v => ((int)v).ToString(CultureInfo.InvariantCulture)),
        new("uint16", PhysicalType.Int32, LogicalType.Integer(16, false), 0, "USMALLINT", r => r.Next(0, 65536), [0, 65535], v => ((int)v).ToString(CultureInfo.InvariantCulture)),
        new("uint32", PhysicalType.Int32, LogicalType.Integer(32, false), 0, "UINTEGER", r => r.Next(int.MinValue, int.MaxValue), [0, -1, int.MinValue, int.MaxValue], v => ((uint)(int)v).ToString(CultureInfo.InvariantCulture)),
        new("uint64", PhysicalType.Int64, LogicalType.Integer(64, false), 0, "UBIGINT", r => RandomLong(r, long.MinValue, long.MaxValue), [0L, -1L, long.MinValue, long.MaxValue], v => ((ulong)(long)v).ToString(CultureInfo.InvariantCulture)),
        new("float", PhysicalType.Float, null, 0, "FLOAT",
            r => r.Next(3) == 0 ? BitConverter.Int32BitsToSingle(r.Next(int.MinValue, int.MaxValue)) : (float)((r.NextDouble() - 0.5) * 1e6),
            [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, float.Epsilon, float.MaxValue, float.MinValue, 1.1f],
            v => JsNumber((float)v)),
        new("double", PhysicalType.Double, null, 0, "DOUBLE",
            r => r.Next(3) == 0 ? BitConverter.Int64BitsToDouble(r.NextInt64(long.MinValue, long.MaxValue)) : (r.NextDouble() - 0.5) * 1e12,
            [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0d, 0d, double.Epsilon, double.MaxValue, 0.1, 1e21, 1e-7, 123456789012345680000d],
            v => JsNumber((double)v)),
        new("float16", PhysicalType.FixedLenByteArray, LogicalType.Float16, 2, "FLOAT",
            r => RandomBytes(r, 2),
            [new byte[] { 0x00, 0x7C }, new byte[] { 0x00, 0xFC }, new byte[] { 0x00, 0x7E }, new byte[] { 0x00, 0x80 }, new byte[] { 0x00, 0x00 }, new byte[] { 0x01, 0x00 }, new byte[] { 0xFF, 0x7B }],
            v => JsNumber((float)BinaryPrimitives.ReadHalfLittleEndian((byte[])v))),
        DecimalCase("decimal_int32", PhysicalType.Int32, 9, 2),
        DecimalCase("decimal_int64", PhysicalType.Int64, 18, 6),
        DecimalCase("decimal_fixed", PhysicalType.FixedLenByteArray, 38, 10, 16),
        DecimalCase("decimal_fixed5", PhysicalType.FixedLenByteArray, 11, 0, 5),
        DecimalCase("decimal_binary", PhysicalType.ByteArray, 38, 10),
        DecimalCase("decimal_binary_small", PhysicalType.ByteArray, 20, 20),
        new("string", PhysicalType.ByteArray, LogicalType.String, 0, "VARCHAR", RandomText, ["", "a", "\u00ff", "😀😀"], v => Str((string)v)),
        new("binary", PhysicalType.ByteArray, null, 0, "BLOB", r => RandomBytes(r, r.Next(10)), [Array.Empty<byte>(), new byte[] { 0 }, new byte[] { 0xFF, 0xFF }], v => Str(Convert.ToBase64String((byte[])v))),
        new("fixed", PhysicalType.FixedLenByteArray, null, 7, "BLOB", r => RandomBytes(r, 7), [new byte[7], Enumerable.Repeat((byte)0xFF, 7).ToArray()], v => Str(Convert.ToBase64String((byte[])v))),
        new("uuid", PhysicalType.FixedLenByteArray, LogicalType.Uuid, 16, "UUID", r => RandomBytes(r, 16), [new byte[16], Enumerable.Repeat((byte)0xFF, 16).ToArray()], v => Str(Uuid((byte[])v))),
        new("json", PhysicalType.ByteArray, LogicalType.Json, 0, "JSON",
            r => $"{{\"k\":{r.Next(1000)},\"s\":{JsonSerializer.Serialize(RandomText(r))}}}", ["{}", "[1,2]", "null", "\"x\""], v => Str((string)v)),
        new("enum", PhysicalType.ByteArray, LogicalType.Enum, 0, "VARCHAR", r => new[] { "red", "green", "blue", "cyan" }[r.Next(4)], ["", "magenta"], v => Str((string)v)),
        new("bson", PhysicalType.ByteArray, LogicalType.Bson, 0, "BLOB", r => RandomBytes(r, 5 + r.Next(5)), [new byte[] { 5, 0, 0, 0, 0 }], v => Str(Convert.ToBase64String((byte[])v))),
        new("date", PhysicalType.Int32, LogicalType.Date, 0, "DATE", r => r.Next(-719_162, 2_932_897), [-719_162, 2_932_896, 0, -1],
            v => Str(DateOnly.FromDayNumber(719_162 + (int)v).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
        new("time_millis", PhysicalType.Int32, LogicalType.Time(TimeUnit.Millis, false), 0, "TIME", r => r.Next(0, 86_400_000), [0, 86_399_999],
            v => Str(TimeOfDay((int)v, 1000, 6))),
        new("time_micros", PhysicalType.Int64, LogicalType.Time(TimeUnit.Micros, false), 0, "TIME", r => RandomLong(r, 0, 86_400_000_000), [0L, 86_399_999_999L],
            v => Str(TimeOfDay((long)v, 1_000_000, 6))),
        new("time_nanos", PhysicalType.Int64, LogicalType.Time(TimeUnit.Nanos, false), 0, "TIME_NS", r => RandomLong(r, 0, 86_400_000_000_000), [0L, 86_399_999_999_999L],
            v => Str(TimeOfDay((long)v, 1_000_000_000, 9))),
        new("time_millis_utc", PhysicalType.Int32, LogicalType.Time(TimeUnit.Millis, true), 0, "TIME WITH TIME ZONE", r => r.Next(0, 86_400_000), [0, 86_399_999],
            v => Str(TimeOfDay((int)v, 1000, 6) + "+00:00")),
        new("time_micros_utc", PhysicalType.Int64, LogicalType.Time(TimeUnit.Micros, true), 0, "TIME WITH TIME ZONE", r => RandomLong(r, 0, 86_400_000_000), [0L, 86_399_999_999L],
            v => Str(TimeOfDay((long)v, 1_000_000, 6) + "+00:00")),
        // DuckDB keeps microseconds of a UTC TIME: the nanoseconds are cut off.
        new("time_nanos_utc", PhysicalType.Int64, LogicalType.Time(TimeUnit.Nanos, true), 0, "TIME WITH TIME ZONE", r => RandomLong(r, 0, 86_400_000_000_000), [0L, 86_399_999_999_999L],
            v => Str(TimeOfDay((long)v / 1000, 1_000_000, 6) + "+00:00")),
        new("ts_millis_utc", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, true), 0, "TIMESTAMP WITH TIME ZONE",
            r => RandomLong(r, MinMicros / 1000, MaxMicros / 1000), [MinMicros / 1000, MaxMicros / 1000, 0L, -1L],
            v => Str(MicrosTimestamp((long)v * 1000, "Z"))),
        new("ts_millis", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, false), 0, "TIMESTAMP",
            r => RandomLong(r, MinMicros / 1000, MaxMicros / 1000), [MinMicros / 1000, 0L, -1L],
            v => Str(MicrosTimestamp((long)v * 1000))),
        new("ts_micros_utc", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, true), 0, "TIMESTAMP WITH TIME ZONE",
            r => RandomLong(r, MinMicros, MaxMicros), [MinMicros, MaxMicros, 0L, -1L],
            v => Str(MicrosTimestamp((long)v, "Z"))),
        new("ts_micros", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, false), 0, "TIMESTAMP",
            r => RandomLong(r, MinMicros, MaxMicros), [MinMicros, MaxMicros, 0L, -1L],
            v => Str(MicrosTimestamp((long)v))),
        // DuckDB reads a UTC nanosecond timestamp as microseconds, dividing toward zero.
        new("ts_nanos_utc", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Nanos, true), 0, "TIMESTAMP WITH TIME ZONE",
            r => RandomLong(r, long.MinValue / 2, long.MaxValue / 2), [0L, -1L, 1_234_567_891L, -1_234_567_891L],
            v => Str(MicrosTimestamp((long)v / 1000, "Z"))),
        new("ts_nanos", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Nanos, false), 0, "TIMESTAMP_NS",
            r => RandomLong(r, long.MinValue / 2, long.MaxValue / 2), [0L, -1L, 1L, 999_999_999L],
            v => Str(NanosTimestamp((long)v))),
        new("int96", PhysicalType.Int96, null, 0, "TIMESTAMP",
            r => new Int96(RandomLong(r, 0, 86_400_000_000_000), r.Next(1_721_426, 5_373_484)),
            [new Int96(0, 2_440_588), new Int96(86_399_999_999_999, 2_440_587), new Int96(1_000, 1_721_426)],
            v => Str(MicrosTimestamp(Int96Micros((Int96)v)))),
        new("interval", PhysicalType.FixedLenByteArray, LogicalType.Interval, 12, "INTERVAL",
            r => Interval(r.Next(0, 1000), r.Next(0, 1000), r.Next(0, 86_400_000)),
            [Interval(0, 0, 0), Interval(12, 31, 1)],
            v => $"{{\"months\":{BinaryPrimitives.ReadInt32LittleEndian((byte[])v)},\"days\":{BinaryPrimitives.ReadInt32LittleEndian(((byte[])v).AsSpan(4))},\"micros\":{BinaryPrimitives.ReadInt32LittleEndian(((byte[])v).AsSpan(8)) * 1000L}}}"),
    ];

    private static byte[] Interval(int months, int days, int millis)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, months);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), days);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), millis);
        return bytes;
    }

    // ---- nested types --------------------------------------------------------------------------------

    private static readonly Field[] NestedFields =
    [
        new StructField("s", [new PrimitiveField("a", PhysicalType.Int32), new PrimitiveField("b", PhysicalType.ByteArray, LogicalType.String, Repetition.Required)]),
        new ListField("li", new PrimitiveField("element", PhysicalType.Int32)),
        new ListField("lls", new ListField("element", new PrimitiveField("element", PhysicalType.ByteArray, LogicalType.String))),
        new MapField("m", new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required), new PrimitiveField("value", PhysicalType.Int32)),
        new ListField("ls", new StructField("element", [new PrimitiveField("x", PhysicalType.Int64), new ListField("y", new PrimitiveField("element", PhysicalType.Boolean))])),
        new StructField(
            "req",
            [
                new PrimitiveField("r", PhysicalType.Int32, repetition: Repetition.Required),
                new PrimitiveField("o", PhysicalType.Double),
                new StructField("inner", [new PrimitiveField("d", PhysicalType.Int64, LogicalType.Decimal(18, 3), Repetition.Required)]),
            ],
            Repetition.Required),
        new MapField("mil", new PrimitiveField("key", PhysicalType.Int32, repetition: Repetition.Required), new ListField("value", new PrimitiveField("element", PhysicalType.ByteArray, LogicalType.String), Repetition.Required)),
    ];

    /// <summary>A random value of <paramref name="field"/>: null (when allowed), empty or short collections, small pools of leaves.</summary>
    private static object? NestedValue(Field field, Random random, int depth)
    {
        if (field.IsNullable && random.Next(6) == 0)
        {
            return null;
        }

        switch (field)
        {
            case PrimitiveField p:
                return p.PhysicalType switch
                {
                    PhysicalType.Boolean => random.Next(2) == 1,
                    PhysicalType.Int32 => random.Next(3) == 0 ? random.Next() : random.Next(-20, 20),
                    PhysicalType.Int64 => random.NextInt64(-1_000_000_000_000, 1_000_000_000_000),
                    PhysicalType.Double => Math.Round((random.NextDouble() - 0.5) * 1000, 3),
                    _ => random.Next(3) == 0 ? RandomText(random) : $"k{random.Next(30)}",
                };
            case StructField s:
                return new StructValue([.. s.Children.Select(c => NestedValue(c, random, depth + 1))]);
            case ListField l:
                return Enumerable.Range(0, random.Next(depth == 0 ? 5 : 3)).Select(_ => NestedValue(l.Element, random, depth + 1)).ToArray();
            case MapField m:
                // Keys are unique within a map, as DuckDB requires.
                var keys = new HashSet<object>();
                var entries = new List<(object?, object?)>();
                for (var i = random.Next(4); i > 0; i--)
                {
                    var key = NestedValue(m.Key, random, depth + 1)!;
                    if (keys.Add(key))
                    {
                        entries.Add((key, NestedValue(m.Value, random, depth + 1)));
                    }
                }

                return new MapValue(entries);
            default:
                throw new ArgumentException(field.ToString());
        }
    }

    private static void WriteExpected(Utf8JsonWriter w, Field field, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                return;
            case StructValue s:
                var structField = (StructField)field;
                w.WriteStartObject();
                for (var i = 0; i < structField.Children.Count; i++)
                {
                    w.WritePropertyName(structField.Children[i].Name);
                    WriteExpected(w, structField.Children[i], s.Fields[i]);
                }

                w.WriteEndObject();
                return;
            case object?[] items:
                w.WriteStartArray();
                foreach (var item in items)
                {
                    WriteExpected(w, ((ListField)field).Element, item);
                }

                w.WriteEndArray();
                return;
            case MapValue map:
                var mapField = (MapField)field;
                w.WriteStartArray();
                foreach (var (k, v) in map.Entries)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("key");
                    WriteExpected(w, mapField.Key, k);
                    w.WritePropertyName("value");
                    WriteExpected(w, mapField.Value, v);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                return;
            case bool b:
                w.WriteBooleanValue(b);
                return;
            case int i:
                w.WriteRawValue(i.ToString(CultureInfo.InvariantCulture));
                return;
            case long l when field is PrimitiveField { LogicalType.Kind: LogicalKind.Decimal } p:
                w.WriteStringValue(DecimalText(l, p.LogicalType!.Scale));
                return;
            case long l:
                w.WriteRawValue(l.ToString(CultureInfo.InvariantCulture));
                return;
            case double d:
                w.WriteRawValue(JsNumber(d));
                return;
            case string s:
                w.WriteStringValue(s);
                return;
            default:
                throw new ArgumentException(value.GetType().Name);
        }
    }
}
