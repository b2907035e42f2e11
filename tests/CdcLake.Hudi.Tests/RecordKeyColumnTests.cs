using System.Text;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>The whole-column record keys must be byte for byte the row-by-row key generator's.</summary>
public class RecordKeyColumnTests
{
    private static readonly KeyGenerator Simple = new SimpleKeyGenerator("id", "p", hiveStylePartitioning: false, urlEncodePartitioning: false);

    [Fact]
    public void Long_int_and_string_keys_equal_the_row_by_row_keys_and_missing_ones_are_null()
    {
        long?[] longs = [0, -1, 1, long.MinValue, long.MaxValue, 1234567890123, null, -987];
        int?[] ints = [0, -1, int.MinValue, int.MaxValue, 42, null, 7, -100000];
        string?[] strings = ["a", "", "émoji 😀", null, "x,y:z", " padded ", "0", "日本"];
        var batch = new RecordBatch(
            new ParquetSchema(
            [
                new PrimitiveField("l", PhysicalType.Int64),
                new PrimitiveField("i", PhysicalType.Int32),
                new PrimitiveField("s", PhysicalType.ByteArray, LogicalType.String),
            ]),
            [Longs(longs), Ints(ints), Strings("s", strings)],
            8);

        foreach (var field in new[] { "l", "i", "s" })
        {
            foreach (var generator in new KeyGenerator[]
            {
                new SimpleKeyGenerator(field, "p", false, false),
                new NonpartitionedKeyGenerator([field]),
                new ComplexKeyGenerator([field], ["p"], false, false, new KeyGeneratorOptions { ComplexKeySingleFieldPrefixed = false }),
            })
            {
                var column = RecordKeyColumn.TryBuild(generator, batch);
                column.Should().NotBeNull($"{generator.ClassName} on {field}");
                for (var row = 0; row < batch.RowCount; row++)
                {
                    string? expected;
                    try
                    {
                        expected = generator.GetRecordKey(KeyGenerator.FieldReader(batch.GetRow(row)));
                    }
                    catch (HoodieKeyException)
                    {
                        expected = null;
                    }

                    (column!.IsNull(row) ? null : Encoding.UTF8.GetString(column.GetSpan(row))).Should().Be(expected, $"{field} row {row}");
                }
            }
        }
    }

    [Fact]
    public void Other_key_shapes_and_types_are_left_to_the_row_by_row_path()
    {
        var batch = new RecordBatch(
            new ParquetSchema(
            [
                new PrimitiveField("id", PhysicalType.Int64),
                new PrimitiveField("ts", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true)),
                new PrimitiveField("d", PhysicalType.Double),
                new PrimitiveField("b", PhysicalType.ByteArray),
            ]),
            [Longs([1, 2]), Longs([1, 2], "ts"), new PrimitiveVector<double>(new PrimitiveField("d", PhysicalType.Double), [1.0, 2.0], 2), Strings("b", ["a", "b"], annotate: false)],
            2);

        RecordKeyColumn.TryBuild(new ComplexKeyGenerator(["id"], ["p"], false, false), batch).Should().BeNull("the prefixed single-field key is id:1");
        RecordKeyColumn.TryBuild(new ComplexKeyGenerator(["id", "d"], ["p"], false, false), batch).Should().BeNull("composite keys");
        RecordKeyColumn.TryBuild(new SimpleKeyGenerator("ts", "p", false, false), batch).Should().BeNull("timestamps are formatted by their logical type");
        RecordKeyColumn.TryBuild(new SimpleKeyGenerator("d", "p", false, false), batch).Should().BeNull("doubles as Java prints them");
        RecordKeyColumn.TryBuild(new SimpleKeyGenerator("b", "p", false, false), batch).Should().BeNull("binary is not key text");
        RecordKeyColumn.TryBuild(new SimpleKeyGenerator("missing", "p", false, false), batch).Should().BeNull();
        RecordKeyColumn.TryBuild(Simple, batch).Should().NotBeNull();
    }

    [Fact]
    public void Strings_that_are_not_valid_UTF8_are_left_to_the_row_by_row_path()
    {
        var field = new PrimitiveField("id", PhysicalType.ByteArray, LogicalType.String);
        var vector = new BinaryVector(field, [0, 1, 3], [(byte)'a', 0xC3, 0x28], 2);
        RecordKeyColumn.TryBuild(Simple, new RecordBatch(new ParquetSchema([field]), [vector], 2)).Should().BeNull();
    }

    [Fact]
    public void Integer_key_columns_are_recognized_only_for_signed_integers()
    {
        var id = new PrimitiveField("id", PhysicalType.Int64);
        var ts = new PrimitiveField("ts", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true));
        var batch = new RecordBatch(new ParquetSchema([id, ts]), [new PrimitiveVector<long>(id, [1], 1), new PrimitiveVector<long>(ts, [1], 1)], 1);
        IntegerKeyColumn.Of(batch, "id").Should().NotBeNull();
        IntegerKeyColumn.Of(batch, "ts").Should().BeNull();
        IntegerKeyColumn.Of(batch, null).Should().BeNull();
        IntegerKeyColumn.Of(batch, "other").Should().BeNull();
    }

    private static PrimitiveVector<long> Longs(long?[] values, string name = "l")
    {
        var validity = new byte[Bitmap.BytesFor(values.Length)];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not null)
            {
                Bitmap.Set(validity, i);
            }
        }

        var field = name == "ts"
            ? new PrimitiveField(name, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true))
            : new PrimitiveField(name, PhysicalType.Int64);
        return new PrimitiveVector<long>(field, [.. values.Select(v => v ?? 0)], values.Length, values.Any(v => v is null) ? validity : null);
    }

    private static PrimitiveVector<int> Ints(int?[] values)
    {
        var validity = new byte[Bitmap.BytesFor(values.Length)];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not null)
            {
                Bitmap.Set(validity, i);
            }
        }

        return new PrimitiveVector<int>(new PrimitiveField("i", PhysicalType.Int32), [.. values.Select(v => v ?? 0)], values.Length, validity);
    }

    private static BinaryVector Strings(string name, string?[] values, bool annotate = true)
    {
        var field = annotate ? new PrimitiveField(name, PhysicalType.ByteArray, LogicalType.String) : new PrimitiveField(name, PhysicalType.ByteArray);
        var offsets = new int[values.Length + 1];
        var data = new List<byte>();
        var validity = new byte[Bitmap.BytesFor(values.Length)];
        for (var i = 0; i < values.Length; i++)
        {
            offsets[i] = data.Count;
            if (values[i] is { } v)
            {
                Bitmap.Set(validity, i);
                data.AddRange(Encoding.UTF8.GetBytes(v));
            }
        }

        offsets[^1] = data.Count;
        return new BinaryVector(field, offsets, [.. data], values.Length, validity);
    }
}
