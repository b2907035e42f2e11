using System.Text;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

/// <summary>Selecting rows of a batch (the incremental read's filter), nulls and nesting included.</summary>
public sealed class RowSelectionTests
{
    [Fact]
    public void Taking_rows_keeps_their_values_and_nulls_at_every_level()
    {
        var batch = Batch();
        int[] rows = [0, 2, 3];

        var taken = RowSelection.Take(batch, rows, ["s", "l", "m", "id", "flag"]);

        taken.RowCount.Should().Be(3);
        taken.Schema.Fields.Select(f => f.Name).Should().Equal("s", "l", "m", "id", "flag");
        for (var i = 0; i < rows.Length; i++)
        {
            foreach (var name in new[] { "s", "l", "m", "id", "flag" })
            {
                taken[name].GetValue(i).Should().BeEquivalentTo(batch[name].GetValue(rows[i]), $"{name} of row {rows[i]}");
            }
        }

        taken["id"].IsNull(1).Should().BeTrue();
        taken["l"].GetValue(2).Should().BeNull();
        RowSelection.Take(batch, [], ["s", "l", "m"]).RowCount.Should().Be(0);
    }

    [Fact]
    public void Gathering_rows_from_several_batches_equals_taking_each_row_from_its_batch()
    {
        // The second batch has no nulls at all (no validity bitmaps): the gathered columns still carry the first's.
        var first = Batch();
        var second = WithoutNulls(Batch());
        RecordBatch[] sources = [first, second, first];
        int[] batches = [1, 0, 2, 1, 0, 0, 1];
        int[] rows = [3, 2, 1, 0, 0, 3, 3];
        string[] names = ["flag", "m", "l", "s", "id"];

        var gathered = RowSelection.Gather(sources, batches, rows, names);

        gathered.RowCount.Should().Be(rows.Length);
        gathered.Schema.Fields.Select(f => f.Name).Should().Equal(names);
        for (var i = 0; i < rows.Length; i++)
        {
            foreach (var name in names)
            {
                gathered[name].GetValue(i).Should().BeEquivalentTo(sources[batches[i]][name].GetValue(rows[i]), $"{name} of row {rows[i]} of batch {batches[i]}");
            }
        }

        RowSelection.Gather(sources, [], [], names).RowCount.Should().Be(0);
        RowSelection.Gather([second], [0, 0], [1, 1], ["id"])["id"].Validity.Should().BeNull("no source has a null");
        var mismatched = () => RowSelection.Gather(sources, [0], [0, 1], names);
        mismatched.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Projecting_without_a_change_returns_the_batch_itself()
    {
        var batch = Batch();
        RowSelection.Project(batch, ["id", "s", "l", "m", "flag"]).Should().BeSameAs(batch);
        RowSelection.Project(batch, ["m", "id"]).Schema.Fields.Select(f => f.Name).Should().Equal("m", "id");
    }

    // Four rows: id 1, 2, null, 4; s a string (null in row 1); l a list of ints (row 3 null, row 1 empty);
    // m a map string → int; flag a boolean.
    private static RecordBatch Batch()
    {
        var idField = new PrimitiveField("id", PhysicalType.Int32);
        var sField = new PrimitiveField("s", PhysicalType.ByteArray, LogicalType.String);
        var itemField = new PrimitiveField("element", PhysicalType.Int32);
        var lField = new ListField("l", itemField);
        var keyField = new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required);
        var valueField = new PrimitiveField("value", PhysicalType.Int32);
        var mField = new MapField("m", keyField, valueField);
        var flagField = new PrimitiveField("flag", PhysicalType.Boolean, repetition: Repetition.Required);

        var id = new PrimitiveVector<int>(idField, [1, 2, 0, 4], 4, Valid(4, 2));
        var text = Encoding.UTF8.GetBytes("aaccc");
        var s = new BinaryVector(sField, [0, 2, 2, 2, 5], text, 4, Valid(4, 1));
        var items = new PrimitiveVector<int>(itemField, [10, 0, 30, 40, 50], 5, Valid(5, 1));
        var l = new ListVector(lField, [0, 2, 2, 5, 5], items, 4, Valid(4, 3));
        var keys = new BinaryVector(keyField, [0, 1, 2, 3], Encoding.UTF8.GetBytes("xyz"), 3);
        var values = new PrimitiveVector<int>(valueField, [7, 8, 9], 3);
        var m = new MapVector(mField, [0, 1, 1, 3, 3], keys, values, 4);
        var flag = new BooleanVector(flagField, [true, false, true, false], 4);
        return new RecordBatch(new ParquetSchema([idField, sField, lField, mField, flagField]), [id, s, l, m, flag], 4);
    }

    // The same shape with every null replaced by a value and no validity bitmaps.
    private static RecordBatch WithoutNulls(RecordBatch batch)
    {
        var id = (PrimitiveVector<int>)batch["id"];
        var s = (BinaryVector)batch["s"];
        var l = (ListVector)batch["l"];
        var items = (PrimitiveVector<int>)l.Elements;
        var m = (MapVector)batch["m"];
        var flag = (BooleanVector)batch["flag"];
        return new RecordBatch(batch.Schema, [
            new PrimitiveVector<int>(id.Field, [5, 6, 7, 8], 4),
            new BinaryVector(s.Field, [0, 1, 3, 3, 6], Encoding.UTF8.GetBytes("pqqrrr"), 4),
            new ListVector(l.Field, [0, 1, 1, 2, 4], new PrimitiveVector<int>(items.Field, [1, 2, 3, 4], 4), 4),
            new MapVector(m.Field, [0, 0, 2, 3, 3], new BinaryVector(m.Keys.Field, [0, 1, 2, 3], Encoding.UTF8.GetBytes("uvw"), 3), new PrimitiveVector<int>(m.Items.Field, [1, 2, 3], 3), 4),
            new BooleanVector(flag.Field, [false, true, true, false], 4),
        ], 4);
    }

    private static byte[] Valid(int length, int nullAt)
    {
        var bitmap = new byte[Bitmap.BytesFor(length)];
        for (var i = 0; i < length; i++)
        {
            if (i != nullAt)
            {
                Bitmap.Set(bitmap, i);
            }
        }

        return bitmap;
    }
}
