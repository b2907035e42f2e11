using System.Text;
using CdcLake.Parquet.Internal;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

/// <summary>Shredding nested vectors into levels and assembling them back must reproduce every row.</summary>
public class RecordAssemblyTests
{
    private static readonly PrimitiveField OptInt = new("element", PhysicalType.Int32);
    private static readonly PrimitiveField OptString = new("s", PhysicalType.ByteArray, LogicalType.String);

    [Fact]
    public void Levels_of_a_list_of_optional_ints_follow_the_spec_example()
    {
        // [[1, null], null, [], [2]]  with an optional list of optional ints: max def 3, max rep 1.
        var schema = new ParquetSchema([new ListField("xs", OptInt)]);
        var elements = new PrimitiveVector<int>(OptInt, [1, 0, 2], 3, Validity(true, false, true));
        var list = new ListVector(schema.Fields[0], [0, 2, 2, 2, 3], elements, 4, Validity(true, false, true, true));

        var leaf = RecordShredder.Shred(schema, [list]).Single();

        leaf.DefinitionLevels.Should().Equal(3, 2, 0, 1, 3);
        leaf.RepetitionLevels.Should().Equal(0, 1, 0, 0, 0);
        leaf.ValueSlots.Should().Equal(0, 2);
        RoundTrip(schema, [list]);
    }

    [Fact]
    public void Nested_lists_structs_and_maps_round_trip()
    {
        var inner = new StructField("item", [new PrimitiveField("c", PhysicalType.Int64, repetition: Repetition.Required), OptString]);
        var structField = new StructField("st", [new PrimitiveField("a", PhysicalType.Int32), new ListField("b", inner)]);
        var listOfLists = new ListField("ll", new ListField("element", OptString));
        var mapField = new MapField("m", new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required), OptInt);
        var schema = new ParquetSchema([structField, listOfLists, mapField]);

        // st: {a:1, b:[{c:10,s:"x"},{c:11,s:null}]}, null, {a:null, b:null}, {a:4, b:[]}
        var c = new PrimitiveVector<long>(inner.Children[0], [10, 11, 12], 3);
        var s = Strings(OptString, "x", null, "z");
        var innerStruct = new StructVector(inner, [c, s], 3);
        var b = new ListVector(structField.Children[1], [0, 2, 2, 2, 2], innerStruct, 4, Validity(true, false, false, true));
        var a = new PrimitiveVector<int>(structField.Children[0], [1, 0, 0, 4], 4, Validity(true, false, false, true));
        var st = new StructVector(structField, [a, b], 4, Validity(true, false, true, true));

        // ll: [["p"], [null, "q"]], [], null, [[], null]
        var strings = Strings(OptString, "p", null, "q");
        var innerLists = new ListVector(listOfLists.Element, [0, 1, 3, 3, 3], strings, 4, Validity(true, true, true, false));
        var ll = new ListVector(listOfLists, [0, 2, 2, 2, 4], innerLists, 4, Validity(true, true, false, true));

        // m: {"k1":1,"k2":null}, null, {}, {"k3":3}
        var keys = Strings((PrimitiveField)mapField.Key, "k1", "k2", "k3");
        var values = new PrimitiveVector<int>(OptInt, [1, 0, 3], 3, Validity(true, false, true));
        var m = new MapVector(mapField, [0, 2, 2, 2, 3], keys, values, 4, Validity(true, false, true, true));

        RoundTrip(schema, [st, ll, m]);
    }

    [Fact]
    public void A_null_in_a_required_column_is_refused()
    {
        var field = new PrimitiveField("id", PhysicalType.Int64, repetition: Repetition.Required);
        var schema = new ParquetSchema([field]);
        var vector = new PrimitiveVector<long>(field, [1, 2], 2, Validity(true, false));

        var act = () => RecordShredder.Shred(schema, [vector]);

        act.Should().Throw<ParquetException>().WithMessage("*null*");
    }

    [Fact]
    public void Levels_that_define_more_values_than_the_pages_hold_are_refused()
    {
        var schema = new ParquetSchema([new PrimitiveField("x", PhysicalType.Int32)]);
        var chunk = new LeafChunk(schema.Columns[0], 3, [1, 1, 1], null, new FixedLeafValues<int>([1, 2], 2));

        var act = () => RecordAssembler.Assemble(schema.Root.Children, [chunk], 3);

        act.Should().Throw<ParquetException>().WithMessage("*3 values*2*");
    }

    private static void RoundTrip(ParquetSchema schema, ColumnVector[] columns)
    {
        var shredded = RecordShredder.Shred(schema, columns);
        var chunks = shredded.Select(ToChunk).ToArray();
        var rows = columns[0].Length;

        var assembled = RecordAssembler.Assemble(schema.Root.Children, chunks, rows);

        for (var col = 0; col < columns.Length; col++)
        {
            for (var row = 0; row < rows; row++)
            {
                Render(assembled[col].GetValue(row)).Should().Be(Render(columns[col].GetValue(row)), $"column {col} row {row}");
            }
        }
    }

    private static LeafChunk ToChunk(ShreddedLeaf leaf)
    {
        var slots = leaf.ValueSlots ?? Enumerable.Range(0, leaf.Leaf.Length).Where(i => !leaf.Leaf.IsNull(i)).ToArray();
        LeafValues values = leaf.Leaf switch
        {
            PrimitiveVector<int> v => new FixedLeafValues<int>(slots.Select(i => v.Values[i]).ToArray(), slots.Length),
            PrimitiveVector<long> v => new FixedLeafValues<long>(slots.Select(i => v.Values[i]).ToArray(), slots.Length),
            BinaryVector v => Packed(v, slots),
            _ => throw new NotSupportedException(leaf.Leaf.GetType().Name),
        };
        return new LeafChunk(leaf.Column, leaf.LevelCount, leaf.DefinitionLevels, leaf.RepetitionLevels, values);
    }

    private static BinaryLeafValues Packed(BinaryVector v, int[] slots)
    {
        var data = new List<byte>();
        var offsets = new List<int> { 0 };
        foreach (var i in slots)
        {
            data.AddRange(v.GetSpan(i).ToArray());
            offsets.Add(data.Count);
        }

        return new BinaryLeafValues([.. offsets], [.. data], slots.Length);
    }

    private static BinaryVector Strings(PrimitiveField field, params string?[] values)
    {
        var data = new List<byte>();
        var offsets = new List<int> { 0 };
        foreach (var v in values)
        {
            data.AddRange(Encoding.UTF8.GetBytes(v ?? ""));
            offsets.Add(data.Count);
        }

        return new BinaryVector(field, [.. offsets], [.. data], values.Length, Validity(values.Select(v => v is not null).ToArray()));
    }

    private static byte[] Validity(params bool[] bits)
    {
        var bitmap = new byte[Bitmap.BytesFor(bits.Length)];
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                Bitmap.Set(bitmap, i);
            }
        }

        return bitmap;
    }

    private static string Render(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        IDictionary<string, object?> d => "{" + string.Join(",", d.Select(kv => $"{kv.Key}:{Render(kv.Value)}")) + "}",
        KeyValuePair<object?, object?>[] kvs => "map{" + string.Join(",", kvs.Select(kv => $"{Render(kv.Key)}:{Render(kv.Value)}")) + "}",
        object?[] items => "[" + string.Join(",", items.Select(Render)) + "]",
        _ => value.ToString()!,
    };
}
