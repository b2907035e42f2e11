using CdcLake.Parquet;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>Source types become the ones Spark's Hudi writer stores: TIMESTAMP(MICROS) keeping the UTC flag, fixed-width decimals.</summary>
public sealed class HudiSchemaNormalizerTests
{
    [Fact]
    public void Timestamps_become_micros_keeping_their_UTC_flag_and_INT96_becomes_a_UTC_instant()
    {
        var millisLocal = new PrimitiveField("local", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, adjustedToUtc: false));
        var nanosUtc = new PrimitiveField("nanos", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Nanos, adjustedToUtc: true));
        var int96 = new PrimitiveField("legacy", PhysicalType.Int96);
        var schema = new ParquetSchema([millisLocal, nanosUtc, int96]);
        var batch = new RecordBatch(schema,
        [
            new PrimitiveVector<long>(millisLocal, [1_700_000_000_123, -1], 2),
            new PrimitiveVector<long>(nanosUtc, [1_700_000_000_123_456_789, -1], 2),
            new PrimitiveVector<Int96>(int96, [Int96.FromUnixMicros(1_700_000_000_123_456), Int96.FromUnixMicros(0)], 2),
        ], 2);

        var normalized = HudiSchemaNormalizer.Normalize(batch);

        normalized.Schema.Fields.Select(f => ((PrimitiveField)f).LogicalType).Should().Equal(
            LogicalType.Timestamp(TimeUnit.Micros, false), LogicalType.Timestamp(TimeUnit.Micros, true), LogicalType.Timestamp(TimeUnit.Micros, true));
        ((PrimitiveVector<long>)normalized.Columns[0]).Values.Should().Equal(1_700_000_000_123_000, -1000);
        ((PrimitiveVector<long>)normalized.Columns[1]).Values.Should().Equal([1_700_000_000_123_456, -1], "nanoseconds floor to the microsecond");
        ((PrimitiveVector<long>)normalized.Columns[2]).Values.Should().Equal(1_700_000_000_123_456, 0);
        AvroSchema.ToJson("t", normalized.Schema).Should().Contain("local-timestamp-micros").And.Contain("\"timestamp-micros\"");
    }

    [Fact]
    public void Decimals_become_fixed_len_byte_arrays_of_Sparks_width()
    {
        var int32 = new PrimitiveField("small", PhysicalType.Int32, LogicalType.Decimal(9, 2));
        var bytes = new PrimitiveField("big", PhysicalType.ByteArray, LogicalType.Decimal(20, 4));
        var schema = new ParquetSchema([int32, bytes]);
        var minus = System.Numerics.BigInteger.Parse("-12345678901234567890", System.Globalization.CultureInfo.InvariantCulture).ToByteArray(isUnsigned: false, isBigEndian: true);
        var batch = new RecordBatch(schema,
        [
            new PrimitiveVector<int>(int32, [-12345, 7], 2),
            new BinaryVector(bytes, [0, minus.Length, minus.Length + 1], [.. minus, 5], 2),
        ], 2);

        var normalized = HudiSchemaNormalizer.Normalize(batch);

        var small = (PrimitiveField)normalized.Schema.Fields[0];
        small.PhysicalType.Should().Be(PhysicalType.FixedLenByteArray);
        small.TypeLength.Should().Be(4);
        ((PrimitiveField)normalized.Schema.Fields[1]).TypeLength.Should().Be(9);
        normalized.Columns[0].GetValue(0).Should().Be(new ParquetDecimal(-12345, 2));
        normalized.Columns[0].GetValue(1).Should().Be(new ParquetDecimal(7, 2));
        normalized.Columns[1].GetValue(0)!.ToString().Should().Be("-1234567890123456.7890");
        normalized.Columns[1].GetValue(1)!.ToString().Should().Be("0.0005");
    }

    [Fact]
    public void Meta_columns_in_the_input_are_dropped()
    {
        var meta = new PrimitiveField(HoodieMetaFields.CommitTime, PhysicalType.ByteArray, LogicalType.String);
        var id = new PrimitiveField("id", PhysicalType.Int64);
        var batch = new RecordBatch(new ParquetSchema([meta, id]), [Recs.Strings(meta, ["x"]), new PrimitiveVector<long>(id, [1], 1)], 1);
        HudiSchemaNormalizer.Normalize(batch).Schema.Fields.Select(f => f.Name).Should().Equal("id");
    }
}
