using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using CdcLake.Cli.Output;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;
using static CdcLake.Cli.Tests.Vectors;

namespace CdcLake.Cli.Tests;

/// <summary>Every logical and physical type, rendered from vectors built here, with the edge cases of each.</summary>
public sealed class ValueFormatterTests
{
    private static readonly PrimitiveField Int32Field = Leaf(PhysicalType.Int32);
    private static readonly PrimitiveField Int64Field = Leaf(PhysicalType.Int64);

    [Fact]
    public void Booleans_and_nulls()
    {
        Json(Bools(Leaf(PhysicalType.Boolean), true, false, null)).Should().Equal("true", "false", "null");
        Json(Of<int>(Int32Field, 1, null, 3)).Should().Equal("1", "null", "3");
    }

    [Fact]
    public void Plain_integers_are_exact_json_numbers()
    {
        Json(Of<int>(Int32Field, int.MinValue, int.MaxValue, 0)).Should().Equal("-2147483648", "2147483647", "0");
        Json(Of<long>(Int64Field, long.MinValue, long.MaxValue)).Should().Equal("-9223372036854775808", "9223372036854775807");
    }

    [Theory]
    [InlineData(8, true, -128, "-128")]
    [InlineData(8, true, 127, "127")]
    [InlineData(16, true, -32768, "-32768")]
    [InlineData(8, false, 255, "255")]
    [InlineData(8, false, -1, "255")] // stored sign-extended by some writers: the low 8 bits count
    [InlineData(16, false, 65535, "65535")]
    [InlineData(16, false, -1, "65535")]
    [InlineData(32, false, -1, "4294967295")]
    [InlineData(32, false, int.MinValue, "2147483648")]
    [InlineData(32, true, int.MinValue, "-2147483648")]
    public void Annotated_int32_follows_width_and_sign(int bits, bool signed, int stored, string expected) =>
        Json(Leaf(PhysicalType.Int32, LogicalType.Integer(bits, signed)), stored).Should().Be(expected);

    [Fact]
    public void Unsigned_int64_is_exact()
    {
        var field = Leaf(PhysicalType.Int64, LogicalType.Integer(64, signed: false));
        Json(Of<long>(field, -1, long.MinValue, 42)).Should().Equal("18446744073709551615", "9223372036854775808", "42");
        Json(Of<long>(Leaf(PhysicalType.Int64, LogicalType.Integer(64, signed: true)), -1)).Should().Equal("-1");
    }

    [Fact]
    public void Float_renders_shortest_text_for_its_own_width()
    {
        var field = Leaf(PhysicalType.Float);
        Json(field, 1.1f).Should().Be("1.1"); // not 1.100000023841858
        Json(field, 0.1f).Should().Be("0.1");
        Json(field, -0.0f).Should().Be("-0");
        Json(field, 16777216f).Should().Be("16777216");
        Json(field, float.Epsilon).Should().Be("1E-45");
        Json(Of<float>(field, float.NaN, float.PositiveInfinity, float.NegativeInfinity))
            .Should().Equal("\"NaN\"", "\"Infinity\"", "\"-Infinity\"");
        foreach (var value in new[] { float.MaxValue, float.MinValue, 3.4028235E+38f, 1e-10f, 123456.79f, (float)Math.PI })
        {
            float.Parse(Json(field, value), CultureInfo.InvariantCulture).Should().Be(value);
        }
    }

    [Fact]
    public void Double_renders_shortest_round_trip_text()
    {
        var field = Leaf(PhysicalType.Double);
        Json(field, 0.1).Should().Be("0.1");
        Json(field, 1.1).Should().Be("1.1");
        Json(field, -0.0).Should().Be("-0");
        Json(field, 100.0).Should().Be("100");
        Json(field, 1e300).Should().Be("1E+300");
        Json(Of<double>(field, double.NaN, double.PositiveInfinity, double.NegativeInfinity))
            .Should().Equal("\"NaN\"", "\"Infinity\"", "\"-Infinity\"");
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(value))
            {
                var text = Json(field, value);
                BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)).Should().Be(BitConverter.DoubleToInt64Bits(value), text);
                text.Should().Be(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        // Every rendered number is valid JSON.
        System.Text.Json.JsonDocument.Parse($"[{Json(field, 1e-300)},{Json(field, double.MaxValue)},{Json(field, -0.0)}]");
    }

    [Fact]
    public void Float16_is_a_json_number_at_half_precision()
    {
        var field = Leaf(PhysicalType.FixedLenByteArray, LogicalType.Float16, 2);
        static byte[] H(Half h)
        {
            var b = new byte[2];
            BinaryPrimitives.WriteHalfLittleEndian(b, h);
            return b;
        }

        JsonBytes(field, H((Half)1.5)).Should().Be("1.5");
        JsonBytes(field, H((Half)0.1)).Should().Be("0.1"); // shortest for half, not float32's 0.099975586
        JsonBytes(field, H(Half.NegativeZero)).Should().Be("-0");
        JsonBytes(field, H(Half.MaxValue)).Should().Be("65500"); // the shortest text that reads back as 65504
        ((double)Half.Parse("65500", CultureInfo.InvariantCulture)).Should().Be(65504);
        JsonBytes(field, H(Half.NaN)).Should().Be("\"NaN\"");
        JsonBytes(field, H(Half.PositiveInfinity)).Should().Be("\"Infinity\"");
        JsonBytes(field, H(Half.NegativeInfinity)).Should().Be("\"-Infinity\"");
        JsonBytes(field, H(Half.Epsilon)).Should().Be("6E-08");
    }

    [Theory]
    [InlineData(1234500, 4, "123.4500")]
    [InlineData(-1, 2, "-0.01")]
    [InlineData(-100, 4, "-0.0100")]
    [InlineData(0, 3, "0.000")]
    [InlineData(5, 3, "0.005")]
    [InlineData(42, 0, "42")]
    [InlineData(-42, 0, "-42")]
    [InlineData(int.MinValue, 9, "-2.147483648")]
    [InlineData(int.MaxValue, 9, "2.147483647")]
    public void Int32_decimals_are_strings_with_exact_scale(int unscaled, int scale, string expected)
    {
        Json(Leaf(PhysicalType.Int32, LogicalType.Decimal(9, scale)), unscaled).Should().Be($"\"{expected}\"");
        new ParquetDecimal(unscaled, scale).ToString().Should().Be(expected);
    }

    [Fact]
    public void Int64_decimals_at_the_extremes()
    {
        var field = Leaf(PhysicalType.Int64, LogicalType.Decimal(18, 4));
        Json(Of<long>(field, long.MinValue, long.MaxValue, -5, 0))
            .Should().Equal("\"-922337203685477.5808\"", "\"922337203685477.5807\"", "\"-0.0005\"", "\"0.0000\"");
        Json(Leaf(PhysicalType.Int64, LogicalType.Decimal(18, 18)), -1L).Should().Be("\"-0.000000000000000001\"");
    }

    [Fact]
    public void Byte_array_decimals_match_ParquetDecimal_at_every_length_and_scale()
    {
        var random = new Random(11);
        for (var length = 0; length <= 24; length++)
        {
            foreach (var scale in new[] { 0, 1, 2, 10, 38, 45 })
            {
                var field = Leaf(PhysicalType.ByteArray, LogicalType.Decimal(Math.Max(scale, 38), scale));
                for (var i = 0; i < 20; i++)
                {
                    var bytes = new byte[length];
                    random.NextBytes(bytes);
                    if (i == 0 && length > 0)
                    {
                        Array.Fill(bytes, (byte)0xFF); // -1
                    }
                    else if (i == 1 && length > 0)
                    {
                        Array.Fill(bytes, (byte)0);
                        bytes[0] = 0x80; // the most negative value of this width
                    }

                    var expected = ParquetDecimal.FromBigEndian(bytes, scale).ToString();
                    JsonBytes(field, bytes).Should().Be($"\"{expected}\"", $"length {length}, scale {scale}, bytes {Convert.ToHexString(bytes)}");
                }
            }
        }
    }

    [Fact]
    public void Precision_38_decimals_in_sixteen_bytes()
    {
        var field = Leaf(PhysicalType.FixedLenByteArray, LogicalType.Decimal(38, 10), 16);
        var max = BigInteger.Pow(10, 38) - 1;
        JsonBytes(field, BigEndian(max, 16)).Should().Be("\"9999999999999999999999999999.9999999999\"");
        JsonBytes(field, BigEndian(-max, 16)).Should().Be("\"-9999999999999999999999999999.9999999999\"");
        JsonBytes(field, BigEndian(-1, 16)).Should().Be("\"-0.0000000001\"");
        JsonBytes(field, BigEndian(BigInteger.Parse("12345678901234567890123456789012345678", CultureInfo.InvariantCulture), 16))
            .Should().Be("\"1234567890123456789012345678.9012345678\"");
        JsonBytes(Leaf(PhysicalType.ByteArray, LogicalType.Decimal(9, 2)), []).Should().Be("\"0.00\"");
    }

    [Fact]
    public void Dates_match_the_calendar_and_extend_past_years_1_to_9999()
    {
        var field = Leaf(PhysicalType.Int32, LogicalType.Date);
        Json(Of<int>(field, 0, -1, 19724, 11016)).Should().Equal("\"1970-01-01\"", "\"1969-12-31\"", "\"2024-01-02\"", "\"2000-02-29\"");
        var epoch = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        Json(field, DateOnly.MinValue.DayNumber - epoch).Should().Be("\"0001-01-01\"");
        Json(field, DateOnly.MaxValue.DayNumber - epoch).Should().Be("\"9999-12-31\"");
        Json(field, DateOnly.MinValue.DayNumber - epoch - 1).Should().Be("\"0000-12-31\""); // 1 BC
        Json(field, DateOnly.MinValue.DayNumber - epoch - 307).Should().Be("\"0000-02-29\""); // 1 BC was a leap year
        Json(field, DateOnly.MaxValue.DayNumber - epoch + 1).Should().Be("\"+10000-01-01\"");
        Json(field, -2_440_588).Should().Be("\"-4713-11-24\""); // Julian day 0
        Json(field, int.MaxValue).Should().Be($"\"{OracleDate(int.MaxValue)}\"");
        Json(field, int.MinValue).Should().Be($"\"{OracleDate(int.MinValue)}\"");

        var random = new Random(3);
        for (var i = 0; i < 2000; i++)
        {
            var days = random.Next(int.MinValue, int.MaxValue);
            Json(field, days).Should().Be($"\"{OracleDate(days)}\"");
        }

        for (var days = DateOnly.MinValue.DayNumber - epoch; days <= DateOnly.MaxValue.DayNumber - epoch; days += 997)
        {
            Json(field, days).Should().Be($"\"{DateOnly.FromDayNumber(days + epoch):yyyy-MM-dd}\"");
        }
    }

    [Fact]
    public void Times_in_every_unit()
    {
        Json(Leaf(PhysicalType.Int32, LogicalType.Time(TimeUnit.Millis, true)), 45_296_789).Should().Be("\"12:34:56.789000\"");
        var micros = Leaf(PhysicalType.Int64, LogicalType.Time(TimeUnit.Micros, false));
        Json(Of<long>(micros, 0, 86_399_999_999, 86_400_000_000, 3_723_000_001))
            .Should().Equal("\"00:00:00.000000\"", "\"23:59:59.999999\"", "\"24:00:00.000000\"", "\"01:02:03.000001\"");
        var nanos = Leaf(PhysicalType.Int64, LogicalType.Time(TimeUnit.Nanos, true));
        Json(Of<long>(nanos, 999, 1_999, 45_296_123_456_789)).Should().Equal("\"00:00:00.000000\"", "\"00:00:00.000001\"", "\"12:34:56.123456\"");

        // Out-of-day values (not valid Parquet) still render rather than fail.
        Json(micros, -1L).Should().Be("\"-00:00:00.000001\"");
        Json(micros, 360_000_000_000L).Should().Be("\"100:00:00.000000\"");
    }

    [Fact]
    public void Timestamps_utc_end_in_Z_local_ones_do_not()
    {
        Json(Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, true)), 1_704_164_645_123_456L)
            .Should().Be("\"2024-01-02T03:04:05.123456Z\"");
        Json(Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, false)), 1_704_164_645_123_456L)
            .Should().Be("\"2024-01-02T03:04:05.123456\"");
        Json(Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, true)), 1_704_164_645_123L)
            .Should().Be("\"2024-01-02T03:04:05.123000Z\"");
        Json(Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Nanos, false)), 1_704_164_645_123_456_789L)
            .Should().Be("\"2024-01-02T03:04:05.123456\"");
    }

    [Fact]
    public void Timestamps_before_1970_use_floor_arithmetic()
    {
        var micros = Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, true));
        var millis = Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, true));
        var nanos = Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Nanos, false));
        Json(micros, -1L).Should().Be("\"1969-12-31T23:59:59.999999Z\"");
        Json(micros, -86_400_000_000L).Should().Be("\"1969-12-31T00:00:00.000000Z\"");
        Json(millis, -1L).Should().Be("\"1969-12-31T23:59:59.999000Z\"");
        Json(millis, -62_135_596_800_000L).Should().Be("\"0001-01-01T00:00:00.000000Z\"");

        // Nanoseconds are truncated toward minus infinity, not toward zero.
        Json(nanos, -1L).Should().Be("\"1969-12-31T23:59:59.999999\"");
        Json(nanos, -1_500L).Should().Be("\"1969-12-31T23:59:59.999998\"");
        Json(nanos, 1_500L).Should().Be("\"1970-01-01T00:00:00.000001\"");
        Json(nanos, long.MinValue).Should().Be("\"1677-09-21T00:12:43.145224\"");
        Json(nanos, long.MaxValue).Should().Be("\"2262-04-11T23:47:16.854775\"");
    }

    [Fact]
    public void Timestamps_agree_with_DateTime_over_its_range()
    {
        var field = Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, false));
        var random = new Random(5);
        var min = (DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        var max = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        for (var i = 0; i < 3000; i++)
        {
            var value = random.NextInt64(min, max);
            var expected = DateTime.UnixEpoch.AddTicks(value * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            Json(field, value).Should().Be($"\"{expected}\"");
        }
    }

    [Fact]
    public void Timestamps_outside_DateTime_range_render_with_expanded_years()
    {
        var micros = Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, true));
        var millis = Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, false));
        Json(micros, long.MaxValue).Should().Be("\"+294247-01-10T04:00:54.775807Z\"");
        Json(micros, long.MinValue).Should().Be("\"-290308-12-21T19:59:05.224192Z\"");
        Json(micros, 253_402_300_800_000_000L).Should().Be("\"+10000-01-01T00:00:00.000000Z\"");
        Json(micros, -62_135_596_800_000_001L).Should().Be("\"0000-12-31T23:59:59.999999Z\"");

        var random = new Random(9);
        for (var i = 0; i < 2000; i++)
        {
            var value = random.NextInt64(long.MinValue, long.MaxValue);
            var days = CivilTime.FloorDivRem(value, 86_400_000, out var ms);
            var time = new TimeOnly(ms * TimeSpan.TicksPerMillisecond).ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            Json(millis, value).Should().Be($"\"{OracleDate(days)}T{time}\"");
        }
    }

    [Fact]
    public void Int96_is_a_utc_timestamp()
    {
        var field = Leaf(PhysicalType.Int96);
        Json(field, Int96.FromUnixMicros(1_704_164_645_123_456L)).Should().Be("\"2024-01-02T03:04:05.123456Z\"");
        Json(field, Int96.FromUnixMicros(-1)).Should().Be("\"1969-12-31T23:59:59.999999Z\"");
        Json(field, new Int96(1_999, 2_440_588)).Should().Be("\"1970-01-01T00:00:00.000001Z\""); // nanos truncated
        Json(field, new Int96(0, 0)).Should().Be("\"-4713-11-24T00:00:00.000000Z\""); // Julian day 0
        Json(field, new Int96(0, int.MaxValue)).Should().Be($"\"{OracleDate((long)int.MaxValue - 2_440_588)}T00:00:00.000000Z\"");

        var random = new Random(13);
        for (var i = 0; i < 500; i++)
        {
            var micros = random.NextInt64(-62_135_596_800_000_000L, 253_402_300_799_999_999L);
            var expected = DateTime.UnixEpoch.AddTicks(micros * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            Json(field, Int96.FromUnixMicros(micros)).Should().Be($"\"{expected}\"");
        }
    }

    [Fact]
    public void Uuid_bytes_are_big_endian_as_in_RFC_4122()
    {
        var field = Leaf(PhysicalType.FixedLenByteArray, LogicalType.Uuid, 16);
        var bytes = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        JsonBytes(field, bytes).Should().Be("\"00112233-4455-6677-8899-aabbccddeeff\"");
        var guid = Guid.Parse("27211B33-5FFB-4C89-95C7-D5087CA50A9F");
        JsonBytes(field, guid.ToByteArray(bigEndian: true)).Should().Be("\"27211b33-5ffb-4c89-95c7-d5087ca50a9f\"");
        JsonBytes(Leaf(PhysicalType.FixedLenByteArray, LogicalType.Uuid, 15), new byte[15]).Should().Be("\"AAAAAAAAAAAAAAAAAAAA\""); // not a UUID: base64
    }

    [Fact]
    public void Strings_enums_and_json_are_json_strings()
    {
        var field = Leaf(PhysicalType.ByteArray, LogicalType.String);
        Json(Strings(field, "héllo \"wörld\"", "", "a\\b\nc\t\u0001", "<a&b>", "日本語")).Should().Equal(
            "\"héllo \\\"wörld\\\"\"", "\"\"", "\"a\\\\b\\nc\\t\\u0001\"", "\"<a&b>\"", "\"日本語\"");
        Json(Strings(field, "😀")).Should().Equal("\"\\uD83D\\uDE00\""); // outside the BMP: escaped, still valid JSON
        Json(Strings(Leaf(PhysicalType.ByteArray, LogicalType.Enum), "RED")).Should().Equal("\"RED\"");
        Json(Strings(Leaf(PhysicalType.ByteArray, LogicalType.Json), "{\"x\":1}")).Should().Equal("\"{\\\"x\\\":1}\"");
        JsonBytes(field, [0x61, 0xFF, 0x62]).Should().Be("\"a\uFFFDb\""); // invalid UTF-8 is replaced
        new ValueFormatter().ToText(Binary(field, [0x61, 0xFF, 0x62]), 0).Should().Be("a\uFFFDb");
    }

    [Fact]
    public void Other_binary_is_base64()
    {
        JsonBytes(Leaf(PhysicalType.ByteArray), [0x00, 0xFF, 0x61, 0x62]).Should().Be("\"AP9hYg==\"");
        JsonBytes(Leaf(PhysicalType.ByteArray), []).Should().Be("\"\"");
        JsonBytes(Leaf(PhysicalType.ByteArray, LogicalType.Bson), [1, 2, 3]).Should().Be("\"AQID\"");
        JsonBytes(Leaf(PhysicalType.FixedLenByteArray, null, 3), [1, 2, 3]).Should().Be("\"AQID\"");
        JsonBytes(Leaf(PhysicalType.FixedLenByteArray, LogicalType.Interval, 12), new byte[12]).Should().Be("\"AAAAAAAAAAAAAAAA\"");
        var big = new byte[100_000];
        new Random(1).NextBytes(big);
        JsonBytes(Leaf(PhysicalType.ByteArray), big).Should().Be($"\"{Convert.ToBase64String(big)}\"");
    }

    [Fact]
    public void Structs_are_objects_in_field_order_with_nulls()
    {
        var a = Leaf(PhysicalType.Int32, name: "a");
        var s = Leaf(PhysicalType.ByteArray, LogicalType.String, name: "s");
        var field = new StructField("st", [a, s]);
        // {a:1,s:"x"}, null, {a:null,s:null}
        var vector = new StructVector(field, [Of<int>(a, 1, null, null), Strings(s, "x", null, null)], 3, Validity(true, false, true));
        Json(vector).Should().Equal("{\"a\":1,\"s\":\"x\"}", "null", "{\"a\":null,\"s\":null}");
    }

    [Fact]
    public void Lists_are_arrays_null_and_empty_distinct()
    {
        var element = Leaf(PhysicalType.Int64, name: "element");
        var field = new ListField("xs", element);
        // [1, null], null, [], [3]
        var vector = new ListVector(field, [0, 2, 2, 2, 3], Of<long>(element, 1, null, 3), 4, Validity(true, false, true, true));
        Json(vector).Should().Equal("[1,null]", "null", "[]", "[3]");
    }

    [Fact]
    public void Lists_of_lists_and_lists_of_structs()
    {
        var str = Leaf(PhysicalType.ByteArray, LogicalType.String, name: "element");
        var inner = new ListField("element", str);
        var outer = new ListField("ll", inner);
        // [["p"], [null, "q"]], [], null, [[], null]
        var strings = Strings(str, "p", null, "q");
        var innerLists = new ListVector(inner, [0, 1, 3, 3, 3], strings, 4, Validity(true, true, true, false));
        var lists = new ListVector(outer, [0, 2, 2, 2, 4], innerLists, 4, Validity(true, true, false, true));
        Json(lists).Should().Equal("[[\"p\"],[null,\"q\"]]", "[]", "null", "[[],null]");

        var c = Leaf(PhysicalType.Double, name: "c");
        var item = new StructField("element", [c]);
        var structs = new StructVector(item, [Of<double>(c, 1.5, null)], 2, Validity(true, false));
        var listOfStructs = new ListVector(new ListField("ls", item), [0, 2], structs, 1);
        Json(listOfStructs).Should().Equal("[{\"c\":1.5},null]");
    }

    [Fact]
    public void Maps_are_arrays_of_key_value_objects()
    {
        var key = new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required);
        var value = Leaf(PhysicalType.Int32, LogicalType.Date, name: "value");
        var field = new MapField("m", key, value);
        // {"k1": 1970-01-02, "k2": null}, null, {}, {"k3": 1969-12-31}
        var vector = new MapVector(field, [0, 2, 2, 2, 3], Strings(key, "k1", "k2", "k3"), Of<int>(value, 1, null, -1), 4, Validity(true, false, true, true));
        Json(vector).Should().Equal(
            "[{\"key\":\"k1\",\"value\":\"1970-01-02\"},{\"key\":\"k2\",\"value\":null}]",
            "null",
            "[]",
            "[{\"key\":\"k3\",\"value\":\"1969-12-31\"}]");
    }

    [Fact]
    public void Struct_field_names_are_json_escaped()
    {
        var a = Leaf(PhysicalType.Int32, name: "a\"b");
        var vector = new StructVector(new StructField("st", [a]), [Of<int>(a, 1)], 1);
        Json(vector).Should().Equal("{\"a\\\"b\":1}");
    }

    [Fact]
    public void FormatScalar_reports_the_json_kind_and_bare_text()
    {
        var formatter = new ValueFormatter();
        formatter.FormatScalar(Strings(Leaf(PhysicalType.ByteArray, LogicalType.String), "a,b"), 0, out var text).Should().Be(ScalarKind.String);
        Encoding.UTF8.GetString(text).Should().Be("a,b");
        formatter.FormatScalar(Of<double>(Leaf(PhysicalType.Double), double.NaN), 0, out text).Should().Be(ScalarKind.String);
        Encoding.UTF8.GetString(text).Should().Be("NaN");
        formatter.FormatScalar(Of<int>(Int32Field, 5), 0, out text).Should().Be(ScalarKind.Number);
        formatter.FormatScalar(Bools(Leaf(PhysicalType.Boolean), true), 0, out text).Should().Be(ScalarKind.Boolean);
        formatter.FormatScalar(Of<int>(Int32Field, [null]), 0, out _).Should().Be(ScalarKind.Null);
        var list = new ListVector(new ListField("l", Int32Field), [0, 0], Of<int>(Int32Field), 1);
        formatter.Invoking(f => f.FormatScalar(list, 0, out _)).Should().Throw<ArgumentException>();
        formatter.ToText(list, 0).Should().Be("[]");
    }

    /// <summary>
    /// An independent rendering of a day count: the Gregorian calendar repeats every 400 years
    /// (146,097 days), so shift into DateOnly's range, format, and shift the year back.
    /// </summary>
    internal static string OracleDate(long days)
    {
        const long Cycle = 146_097;
        const long Base = 10_957; // 2000-01-01
        var shift = (long)Math.Floor((double)(days - Base) / Cycle);
        while (days - (shift * Cycle) < Base)
        {
            shift--;
        }

        while (days - (shift * Cycle) >= Base + Cycle)
        {
            shift++;
        }

        var date = DateOnly.FromDayNumber((int)(days - (shift * Cycle) + DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber));
        var year = date.Year + (400 * shift);
        var yearText = year < 0 ? "-" + (-year).ToString("D4", CultureInfo.InvariantCulture)
            : year > 9999 ? "+" + year.ToString(CultureInfo.InvariantCulture)
            : year.ToString("D4", CultureInfo.InvariantCulture);
        return $"{yearText}-{date.Month:D2}-{date.Day:D2}";
    }

    private static byte[] BigEndian(BigInteger value, int length)
    {
        var bytes = value.ToByteArray(isUnsigned: false, isBigEndian: true);
        var result = new byte[length];
        Array.Fill(result, value.Sign < 0 ? (byte)0xFF : (byte)0);
        bytes.CopyTo(result, length - bytes.Length);
        return result;
    }
}
