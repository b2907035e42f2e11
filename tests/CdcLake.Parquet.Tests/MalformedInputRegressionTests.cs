using CdcLake.Parquet.Compression;
using CdcLake.Parquet.Encodings;
using CdcLake.Parquet.Internal;
using CdcLake.Parquet.Internal.Reading;
using CdcLake.Parquet.Meta;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// Corruptions the mutation test (<see cref="MutationTests"/>) found to escape as something other than a
/// <see cref="ParquetException"/> or to cost an allocation out of proportion to the input, pinned down
/// one by one.
/// </summary>
public sealed class MalformedInputRegressionTests
{
    [Fact]
    public void Schema_whose_nested_group_consumes_the_elements_a_parent_counted_on_is_refused()
    {
        // root claims 2 children; 3 elements follow, so the up-front check passes, but the first child is a
        // group that takes the other two, leaving nothing for root's second child.
        var elements = new List<SchemaElement>
        {
            new() { Name = "root", NumChildren = 2 },
            new() { Name = "g", NumChildren = 2, RepetitionType = FieldRepetitionType.Optional },
            new() { Name = "a", Type = Meta.PhysicalType.Int32, RepetitionType = FieldRepetitionType.Optional },
            new() { Name = "b", Type = Meta.PhysicalType.Int32, RepetitionType = FieldRepetitionType.Optional },
        };

        FluentActions.Invoking(() => FileSchemaReader.Read(elements))
            .Should().Throw<ParquetException>().WithMessage("schema: 'root' claims 2 children but the schema ends after 1");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decimal_wider_than_the_limit_is_refused(bool fixedLength)
    {
        // DECIMAL(2^30, 2^30) would render each value as a string of a billion digits.
        var elements = new List<SchemaElement>
        {
            new() { Name = "root", NumChildren = 1 },
            new()
            {
                Name = "d", Type = fixedLength ? Meta.PhysicalType.FixedLenByteArray : Meta.PhysicalType.ByteArray,
                TypeLength = fixedLength ? 1 << 20 : null, RepetitionType = FieldRepetitionType.Optional,
                ConvertedType = ConvertedType.Decimal, Precision = 1 << 30, Scale = 1 << 30,
            },
        };

        FluentActions.Invoking(() => FileSchemaReader.Read(elements))
            .Should().Throw<ParquetException>().WithMessage("*DECIMAL(1073741824,1073741824) cannot annotate*");

        elements[1].Precision = elements[1].Scale = LogicalTypeMapping.MaxDecimalPrecision;
        FileSchemaReader.Read(elements).Columns[0].Field.LogicalType!.Precision.Should().Be(LogicalTypeMapping.MaxDecimalPrecision);
    }

    [Fact]
    public void Struct_members_with_disagreeing_value_counts_are_refused()
    {
        // Two flat members of an optional struct, decoded from chunks of different lengths (a corrupt
        // num_values or page count): the struct takes its length from its first leaf.
        var schema = new ParquetSchema([new StructField("st", [new PrimitiveField("a", PhysicalType.Int32), new PrimitiveField("b", PhysicalType.Int32)])]);
        var a = new LeafChunk(schema.Columns[0], 3, [2, 2, 2], null, new FixedLeafValues<int>([1, 2, 3], 3));
        var b = new LeafChunk(schema.Columns[1], 2, [2, 2], null, new FixedLeafValues<int>([1, 2], 2));

        FluentActions.Invoking(() => RecordAssembler.Assemble(schema.Root.Children, [a, b], 3))
            .Should().Throw<ParquetException>().WithMessage("struct 'st' member 'b' holds 2 values where the struct has 3");
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    [InlineData(3_000_000)]
    [InlineData(-720_000)]
    public void Date_outside_years_1_to_9999_is_refused(int days)
    {
        FluentActions.Invoking(() => LogicalValues.DateFromDays(days))
            .Should().Throw<ParquetException>().WithMessage("*outside the range .NET dates can hold*");
        var field = new PrimitiveField("d", PhysicalType.Int32, LogicalType.Date);
        FluentActions.Invoking(() => LogicalValues.ConvertPrimitive(field, days)).Should().Throw<ParquetException>();
    }

    [Fact]
    public void Date_bounds_still_convert()
    {
        LogicalValues.DateFromDays(LogicalValues.DaysFromDate(DateOnly.MinValue)).Should().Be(DateOnly.MinValue);
        LogicalValues.DateFromDays(LogicalValues.DaysFromDate(DateOnly.MaxValue)).Should().Be(DateOnly.MaxValue);
    }

    [Theory]
    [InlineData(-1L, TimeUnit.Millis)]
    [InlineData(86_400_000L, TimeUnit.Millis)]
    [InlineData(86_400_000_000L, TimeUnit.Micros)]
    [InlineData(long.MaxValue, TimeUnit.Nanos)]
    public void Time_of_day_outside_a_day_is_refused(long value, TimeUnit unit)
    {
        var physical = unit == TimeUnit.Millis ? PhysicalType.Int32 : PhysicalType.Int64;
        var field = new PrimitiveField("t", physical, LogicalType.Time(unit, true));
        var act = physical == PhysicalType.Int32
            ? () => LogicalValues.ConvertPrimitive(field, (int)value)
            : (Func<object>)(() => LogicalValues.ConvertPrimitive(field, value));
        act.Should().Throw<ParquetException>().WithMessage("*is not a time of day*");
    }

    [Fact]
    public void Int96_with_a_corrupt_julian_day_is_refused_rather_than_wrapped()
    {
        var field = new PrimitiveField("ts", PhysicalType.Int96);
        FluentActions.Invoking(() => LogicalValues.ConvertPrimitive(field, new Int96(0, int.MaxValue)))
            .Should().Throw<ParquetException>().WithMessage("*outside years 1-9999*");
        LogicalValues.ConvertPrimitive(field, Int96.FromUnixMicros(0)).Should().Be(DateTime.UnixEpoch);
    }

    [Fact]
    public void Rle_value_count_is_read_from_run_headers_alone()
    {
        // RLE run of 4000 (header 0xC0 0x3E, one value byte), then a bit-packed run of 2 groups (16 values).
        byte[] data = [0xC0, 0x3E, 0x01, 0x05, 0xFF, 0xFF];
        RleBitPackedHybrid.CountValues(data, 1, long.MaxValue).Should().Be(4016);
        RleBitPackedHybrid.CountValues(data, 1, 100).Should().Be(100);
        RleBitPackedHybrid.CountValues(data.AsSpan(0, 2), 1, long.MaxValue).Should().Be(4000, "a truncated run still counts what it declares");
        RleBitPackedHybrid.CountValues([], 0, 7).Should().Be(7, "width 0 needs no runs");
    }

    [Fact]
    public void Page_count_the_levels_do_not_hold_is_refused_before_buffers_are_sized()
    {
        // A corrupt row group claiming two billion rows lets a page claim as many; its 24 levels must not
        // cost an 8 GB level buffer before the decoder finds them missing.
        byte[] levels = [2, 0, 0, 0, 0x30, 0x01]; // 2-byte length prefix, then an RLE run of 24 ones
        var header = new DataPageHeader { NumValues = 2_000_000_000, DefinitionLevelEncoding = Meta.Encoding.Rle, RepetitionLevelEncoding = Meta.Encoding.Rle };
        FluentActions.Invoking(() => DeclaredCounts.CheckLevelsV1(levels, header, 2_000_000_000, -1, 1))
            .Should().Throw<ParquetException>().WithMessage("RLE definition levels: the runs hold 24 values, the page declares 2000000000");
        DeclaredCounts.CheckLevelsV1(levels, header, 24, -1, 1);

        FluentActions.Invoking(() => DeclaredCounts.CheckValues(new byte[96], Meta.Encoding.Plain, 2_000_000_000, PhysicalType.Int32, 0))
            .Should().Throw<ParquetException>().WithMessage("PLAIN: 2000000000 Int32 values need 8000000000 bytes, the page holds 96");
        DeclaredCounts.CheckValues(new byte[96], Meta.Encoding.Plain, 24, PhysicalType.Int32, 0);
        FluentActions.Invoking(() => DeclaredCounts.CheckValues([1, 0x30, 0x01], Meta.Encoding.RleDictionary, 25, PhysicalType.Int64, 0))
            .Should().Throw<ParquetException>().WithMessage("RLE dictionary indices: the runs hold 24 values, the page declares 25");
    }

    [Theory]
    [InlineData(CodecId.Snappy, 15, 330)]
    [InlineData(CodecId.Gzip, 20, 20_640)]
    [InlineData(CodecId.Lz4Raw, 15, 3_889)]
    [InlineData(CodecId.Zstd, 15, 491_520)]
    public void Declared_page_size_is_bounded_by_what_the_codec_can_expand_to(CodecId codec, int compressed, long bound)
    {
        PageCompression.MaxDecompressedLength(codec, compressed).Should().Be(bound);
        PageCompression.MaxDecompressedLength(CodecId.Brotli, compressed).Should().Be(long.MaxValue);
    }
}
