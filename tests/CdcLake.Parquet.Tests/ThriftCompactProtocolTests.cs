using CdcLake.Parquet.Meta;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

using LogicalType = CdcLake.Parquet.Meta.LogicalType;
using PhysicalType = CdcLake.Parquet.Meta.PhysicalType;
using TimeUnit = CdcLake.Parquet.Meta.TimeUnit;

/// <summary>The Thrift compact protocol on its own: encodings, skipping, and refusal of bad bytes.</summary>
public sealed class ThriftCompactProtocolTests
{
    [Fact]
    public void Field_headers_use_the_delta_form_up_to_15_and_the_long_form_beyond()
    {
        var w = new ThriftCompactWriter();
        w.BeginStruct();
        w.WriteI32Field(1, 1);      // delta 1: 0x15, zigzag(1) = 2
        w.WriteI32Field(16, -1);    // delta 15: 0xF5, zigzag(-1) = 1
        w.WriteI32Field(300, 0);    // delta 284: long form 0x05, zigzag(300) = 600 = 0xD8 0x04
        w.WriteI32Field(2, 3);      // backwards: long form 0x05, zigzag(2) = 4
        w.EndStruct();

        w.ToArray().Should().Equal(0x15, 0x02, 0xF5, 0x01, 0x05, 0xD8, 0x04, 0x00, 0x05, 0x04, 0x06, 0x00);

        var r = new ThriftCompactReader(w.WrittenSpan);
        var scope = r.BeginStruct("Test");
        var seen = new List<(short, int)>();
        while (r.ReadFieldHeader(out var f))
            seen.Add((f.Id, r.ReadI32(f)));
        r.EndStruct(scope);

        seen.Should().Equal(((short)1, 1), ((short)16, -1), ((short)300, 0), ((short)2, 3));
        r.Position.Should().Be(w.WrittenCount);
    }

    [Fact]
    public void Primitive_values_round_trip_at_their_extremes()
    {
        long[] longs = [0, 1, -1, long.MaxValue, long.MinValue, int.MaxValue, (long)int.MinValue - 1];
        int[] ints = [0, 1, -1, int.MaxValue, int.MinValue, 63, -64, 64];
        short[] shorts = [short.MinValue, short.MaxValue, 0];
        double[] doubles = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.Epsilon, Math.PI];
        string[] strings = ["", "a", "ünïcödé ✓ 𝄞", new string('x', 300)];

        var w = new ThriftCompactWriter(16);
        w.BeginStruct();
        w.WriteListField(1, ThriftType.I64, longs, static (w, v) => w.WriteI64(v));
        w.WriteListField(2, ThriftType.I32, ints, static (w, v) => w.WriteI32(v));
        w.WriteListField(3, ThriftType.I16, shorts, static (w, v) => w.WriteI16(v));
        w.WriteListField(4, ThriftType.Double, doubles, static (w, v) => w.WriteDouble(v));
        w.WriteListField(5, ThriftType.Binary, strings, static (w, v) => w.WriteString(v));
        w.WriteListField(6, ThriftType.BoolTrue, new[] { true, false, true }, static (w, v) => w.WriteBool(v));
        w.WriteBoolField(7, true);
        w.WriteBoolField(8, false);
        w.WriteI8Field(9, (sbyte)-128);
        w.WriteBinaryField(10, [0, 255, 7]);
        w.WriteDoubleField(11, -2.5);
        w.EndStruct();

        var r = new ThriftCompactReader(w.WrittenSpan);
        var scope = r.BeginStruct("Test");
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: r.ReadList(f, ThriftType.I64, static (ref ThriftCompactReader x) => x.ReadI64()).Should().Equal(longs); break;
                case 2: r.ReadList(f, ThriftType.I32, static (ref ThriftCompactReader x) => x.ReadI32()).Should().Equal(ints); break;
                case 3: r.ReadList(f, ThriftType.I16, static (ref ThriftCompactReader x) => x.ReadI16()).Should().Equal(shorts); break;
                case 4:
                    r.ReadList(f, ThriftType.Double, static (ref ThriftCompactReader x) => x.ReadDouble())
                        .Select(BitConverter.DoubleToInt64Bits).Should().Equal(doubles.Select(BitConverter.DoubleToInt64Bits));
                    break;
                case 5: r.ReadList(f, ThriftType.Binary, static (ref ThriftCompactReader x) => x.ReadString()).Should().Equal(strings); break;
                case 6: r.ReadList(f, ThriftType.BoolFalse, static (ref ThriftCompactReader x) => x.ReadBool()).Should().Equal(true, false, true); break;
                case 7: r.ReadBool(f).Should().BeTrue(); break;
                case 8: r.ReadBool(f).Should().BeFalse(); break;
                case 9: r.ReadI8(f).Should().Be(-128); break;
                case 10: r.ReadBinary(f).Should().Equal(0, 255, 7); break;
                case 11: r.ReadDouble(f).Should().Be(-2.5); break;
                default: throw new InvalidOperationException($"unexpected field {f.Id}");
            }
        }

        r.EndStruct(scope);
        r.Remaining.Should().Be(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(1000)]
    public void List_sizes_use_the_short_header_below_15(int count)
    {
        var w = new ThriftCompactWriter();
        w.WriteListHeader(ThriftType.I32, count);
        for (int i = 0; i < count; i++)
            w.WriteI32(i);

        w.WrittenSpan[0].Should().Be(count < 15 ? (byte)((count << 4) | 5) : (byte)0xF5);
        var r = new ThriftCompactReader(w.WrittenSpan);
        r.ReadListHeader(out var type).Should().Be(count);
        if (count > 0)
            type.Should().Be(ThriftType.I32);
        for (int i = 0; i < count; i++)
            r.ReadI32().Should().Be(i);
        r.Remaining.Should().Be(0);
    }

    [Fact]
    public void Unknown_fields_of_every_type_are_skipped()
    {
        var w = new ThriftCompactWriter();
        w.BeginStruct();
        w.WriteBoolField(2, true);
        w.WriteI8Field(3, 5);
        w.WriteI16Field(4, -300);
        w.WriteI64Field(5, long.MinValue);
        w.WriteDoubleField(6, 1.5);
        w.WriteStringField(7, "skip me");
        w.WriteListField(8, ThriftType.BoolTrue, new[] { true, false }, static (w, v) => w.WriteBool(v));
        w.WriteFieldHeader(9, ThriftType.Set);
        w.WriteListHeader(ThriftType.Binary, 2);
        w.WriteString("a");
        w.WriteString("b");
        w.WriteFieldHeader(10, ThriftType.Map);
        w.WriteMapHeader(ThriftType.Binary, ThriftType.Struct, 2);
        for (int i = 0; i < 2; i++)
        {
            w.WriteString("k");
            w.BeginStruct();
            w.WriteListField(1, ThriftType.List, new[] { 1, 2 }, static (w, n) =>
            {
                w.WriteListHeader(ThriftType.I64, n);
                for (int j = 0; j < n; j++)
                    w.WriteI64(j);
            });
            w.EndStruct();
        }

        w.WriteFieldHeader(11, ThriftType.Map);
        w.WriteMapHeader(ThriftType.I32, ThriftType.I32, 0);
        w.WriteFieldHeader(12, ThriftType.Uuid);
        w.WriteBinaryField(-1, null); // nothing written for null
        w.EndStruct();
        var bytes = w.ToArray();
        // The UUID's 16 bytes sit between its header and the struct's STOP.
        bytes = [.. bytes[..^1], .. Enumerable.Repeat((byte)0xAB, 16), 0x00];
        byte[] withKnownField = [.. bytes[..^1], 0x05, 0xC6, 0x01, 0x54, 0x00]; // long-form field 99 = 42

        var r = new ThriftCompactReader(withKnownField);
        var scope = r.BeginStruct("Test");
        int? known = null;
        while (r.ReadFieldHeader(out var f))
        {
            if (f.Id == 99)
                known = r.ReadI32(f);
            else
                r.Skip(f);
        }

        r.EndStruct(scope);
        known.Should().Be(42);
        r.Remaining.Should().Be(0);
    }

    [Fact]
    public void Raw_values_are_captured_and_written_back_unchanged()
    {
        var w = new ThriftCompactWriter();
        w.BeginStruct();
        w.BeginStructField(3);
        w.WriteStringField(1, "inner");
        w.WriteListField(2, ThriftType.I32, new[] { 1, 2, 3 }, static (w, v) => w.WriteI32(v));
        w.EndStruct();
        w.WriteBoolField(4, false);
        w.EndStruct();

        var r = new ThriftCompactReader(w.WrittenSpan);
        var scope = r.BeginStruct("Test");
        var raws = new List<(short, ThriftRawValue)>();
        while (r.ReadFieldHeader(out var f))
            raws.Add((f.Id, r.ReadRaw(f)));
        r.EndStruct(scope);

        var copy = new ThriftCompactWriter();
        copy.BeginStruct();
        foreach (var (id, raw) in raws)
            copy.WriteRawField(id, raw);
        copy.EndStruct();
        copy.ToArray().Should().Equal(w.ToArray());
    }

    [Fact]
    public void Every_logical_type_round_trips()
    {
        var types = new[]
        {
            LogicalType.Of(LogicalTypeKind.String), LogicalType.Of(LogicalTypeKind.Map), LogicalType.Of(LogicalTypeKind.List),
            LogicalType.Of(LogicalTypeKind.Enum), LogicalType.Decimal(2, 9), LogicalType.Of(LogicalTypeKind.Date),
            LogicalType.Time(false, TimeUnit.Millis), LogicalType.Time(true, TimeUnit.Nanos),
            LogicalType.Timestamp(true, TimeUnit.Micros), LogicalType.Timestamp(false, TimeUnit.Nanos),
            LogicalType.Integer(8, true), LogicalType.Integer(64, false), LogicalType.Of(LogicalTypeKind.Unknown),
            LogicalType.Of(LogicalTypeKind.Json), LogicalType.Of(LogicalTypeKind.Bson), LogicalType.Of(LogicalTypeKind.Uuid),
            LogicalType.Of(LogicalTypeKind.Float16), new LogicalType { Kind = LogicalTypeKind.Variant, SpecificationVersion = 1 },
            new LogicalType { Kind = LogicalTypeKind.Geometry, Crs = "OGC:CRS84" },
            new LogicalType { Kind = LogicalTypeKind.Geography, Crs = "x", Algorithm = EdgeInterpolationAlgorithm.Karney },
            LogicalType.Of(LogicalTypeKind.Vector),
            new LogicalType { Kind = LogicalTypeKind.Unrecognized, UnrecognizedId = 777, UnrecognizedValue = new ThriftRawValue(ThriftType.I32, [0x54]) },
        };

        foreach (var type in types)
        {
            var w = new ThriftCompactWriter();
            type.Write(w);
            var r = new ThriftCompactReader(w.WrittenSpan);
            LogicalType.Read(ref r).Should().BeEquivalentTo(type, type.ToString());
            r.Remaining.Should().Be(0);
        }
    }

    [Fact]
    public void A_known_logical_type_id_with_a_mistyped_value_is_kept_as_unrecognized()
    {
        // LogicalType { 5: i32 7 } - DECIMAL must be a struct.
        var r = new ThriftCompactReader(new byte[] { 0x55, 0x0E, 0x00 });
        var t = LogicalType.Read(ref r);

        t.Kind.Should().Be(LogicalTypeKind.Unrecognized);
        t.UnrecognizedId.Should().Be(5);
    }

    [Fact]
    public void A_union_with_two_members_is_refused()
    {
        // LogicalType { 1: StringType {}, 2: MapType {} }
        var act = () =>
        {
            var r = new ThriftCompactReader(new byte[] { 0x1C, 0x00, 0x1C, 0x00, 0x00 });
            return LogicalType.Read(ref r);
        };

        act.Should().Throw<ParquetException>().WithMessage("LogicalType: union has more than one member (fields 1 and 2)");
    }

    [Fact]
    public void Page_header_round_trips_and_reports_its_length()
    {
        var header = new PageHeader
        {
            Type = PageType.DataPageV2,
            UncompressedPageSize = 1000,
            CompressedPageSize = 600,
            Crc = unchecked((int)0xDEADBEEF),
            DataPageHeaderV2 = new DataPageHeaderV2
            {
                NumValues = 100, NumNulls = 3, NumRows = 90, Encoding = Encoding.RleDictionary,
                DefinitionLevelsByteLength = 12, RepetitionLevelsByteLength = 4, IsCompressed = false,
                Statistics = new Statistics { NullCount = 3, MinValue = [1], MaxValue = [9], IsMaxValueExact = true },
            },
        };
        var bytes = header.ToArray();
        byte[] withPage = [.. bytes, .. new byte[600]];

        var read = PageHeader.Read(withPage, out int headerLength);

        headerLength.Should().Be(bytes.Length);
        read.Should().BeEquivalentTo(header);
        read.DataPageHeaderV2!.ValuesAreCompressed.Should().BeFalse();
    }

    [Fact]
    public void Page_header_errors_name_the_struct_and_field()
    {
        // {1: type = DATA_PAGE, 2: uncompressed = 10, 3: compressed = 10, 5: a list where a struct belongs}
        var mistyped = new byte[] { 0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x29, 0x00, 0x00 };
        var act = () => PageHeader.Read(mistyped, out _);
        act.Should().Throw<ParquetException>()
            .WithMessage("PageHeader: page type DataPage has no data_page_header (field 5 has wire type 9 (List))");

        // {1: type given as a string}
        var wrongRequired = new byte[] { 0x18, 0x01, 0x41, 0x00 };
        act = () => PageHeader.Read(wrongRequired, out _);
        act.Should().Throw<ParquetException>().WithMessage("PageHeader: field 1 has wire type 8 (Binary), expected 5 (I32)");

        var missing = new byte[] { 0x15, 0x00, 0x15, 0x14, 0x00 };
        act = () => PageHeader.Read(missing, out _);
        act.Should().Throw<ParquetException>().WithMessage("PageHeader: required field 'compressed_page_size' is missing");

        var negative = new PageHeader { Type = PageType.IndexPage, CompressedPageSize = -5, IndexPageHeader = new() }.ToArray();
        act = () => PageHeader.Read(negative, out _);
        act.Should().Throw<ParquetException>().WithMessage("PageHeader: compressed_page_size -5 is negative");

        // A DataPageHeader whose required num_values is an i16, as in ARROW-RS-GH-6229.
        var nested = new byte[] { 0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x2C, 0x14, 0x02, 0x00, 0x00 };
        act = () => PageHeader.Read(nested, out _);
        act.Should().Throw<ParquetException>().WithMessage("DataPageHeader: field 1 has wire type 4 (I16), expected 5 (I32)");
    }

    [Theory]
    [InlineData(new byte[] { 0x15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, "*longer than 10 bytes*")]
    [InlineData(new byte[] { 0x15, 0x80, 0x80, 0x80, 0x80, 0x10 }, "*does not fit in 32 bits*")]
    [InlineData(new byte[] { 0x14, 0x80, 0x80, 0x04 }, "thrift: i16 value 32768 out of range*")]
    [InlineData(new byte[] { 0x1F, 0x00 }, "*field 1 has wire type 15, which does not exist")]
    [InlineData(new byte[] { 0x10 }, "*field 1 has wire type 0, which does not exist")]
    [InlineData(new byte[] { 0x19, 0x1E }, "thrift: list element wire type 14 does not exist*")]
    [InlineData(new byte[] { 0x19, 0x21, 0x01, 0x07 }, "thrift: bool element has value 7*")]
    [InlineData(new byte[] { 0x1B, 0x01, 0xF5 }, "thrift: map key element wire type 15 does not exist*")]
    [InlineData(new byte[] { 0x15 }, "thrift: input ends at byte 1 while reading i32 (Test field 1)")]
    [InlineData(new byte[] { 0x17, 1, 2, 3 }, "thrift: input ends at byte 4 while reading double (Test field 1)")]
    [InlineData(new byte[] { 0x05, 0xFE, 0xFF, 0x03, 0x00, 0x15, 0x00 }, "Test: field id 32768 out of range")]
    public void Malformed_bytes_raise_ParquetException_with_the_reason(byte[] bytes, string message)
    {
        var act = () =>
        {
            var r = new ThriftCompactReader(bytes);
            var scope = r.BeginStruct("Test");
            while (r.ReadFieldHeader(out var f))
            {
                _ = f.Type switch
                {
                    ThriftType.I16 => r.ReadI16(f),
                    ThriftType.I32 => r.ReadI32(f),
                    _ => Skip(ref r, f),
                };
            }

            r.EndStruct(scope);
        };

        act.Should().Throw<ParquetException>().WithMessage(message);
    }

    private static int Skip(ref ThriftCompactReader r, ThriftField f)
    {
        r.Skip(f);
        return 0;
    }

    [Fact]
    public void Writer_can_be_cleared_and_reused()
    {
        var w = new ThriftCompactWriter();
        new PageHeader { Type = PageType.DictionaryPage, DictionaryPageHeader = new() { NumValues = 3 } }.Write(w);
        var first = w.ToArray();
        w.Clear();
        new PageHeader { Type = PageType.DictionaryPage, DictionaryPageHeader = new() { NumValues = 3 } }.Write(w);
        w.ToArray().Should().Equal(first);
    }
}
