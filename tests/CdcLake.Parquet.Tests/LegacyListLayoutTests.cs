using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// ParquetWriteOptions.LegacyListLayout: lists as parquet-avro writes them (Spark's Hudi files): the repeated field
/// named <c>array</c> is the element. Checked against the footer's schema, our reader and DuckDB.
/// </summary>
public sealed class LegacyListLayoutTests
{
    private static readonly StructField Item = new("item", [new PrimitiveField("f1", PhysicalType.ByteArray, LogicalType.String), new PrimitiveField("f2", PhysicalType.Int32)]);

    private static readonly ParquetSchema Schema = new(
    [
        new PrimitiveField("id", PhysicalType.Int32, repetition: Repetition.Required),
        new ListField("ints", new PrimitiveField("element", PhysicalType.Int32)),
        new ListField("structs", Item),
        new StructField("outer", [new ListField("inner", new PrimitiveField("element", PhysicalType.ByteArray, LogicalType.String))]),
    ]);

    private static readonly object?[][] Rows =
    [
        [1, new object?[] { 1, 2, 3 }, new object?[] { new StructValue(["a", 1]), new StructValue([null, null]) }, new StructValue([new object?[] { "x" }])],
        [2, new object?[0], null, new StructValue([null])],
        [3, null, new object?[] { new StructValue(["b", 2]) }, null],
    ];

    [Fact]
    public void Two_level_lists_are_written_as_parquet_avro_writes_them_and_read_back()
    {
        using var temp = new TempDirectory("legacy-lists");
        var path = temp.PathOf("legacy.parquet");
        using (var writer = ParquetWriter.Create(path, Schema, new ParquetWriteOptions { LegacyListLayout = true }))
        {
            writer.Write(Batch());
            writer.Close();
        }

        var footer = PageWalker.Footer(path);
        footer.Schema.Select(e => $"{e.Name}:{e.RepetitionType}").Should().Equal(
            "schema:", "id:Required", "ints:Optional", "array:Repeated", "structs:Optional", "array:Repeated", "f1:Optional", "f2:Optional",
            "outer:Optional", "inner:Optional", "array:Repeated");

        using var reader = ParquetReader.Open(path);
        reader.Schema.Columns.Select(c => $"{c.DottedPath} d{c.MaxDefinitionLevel} r{c.MaxRepetitionLevel}").Should().Equal(
            "id d0 r0", "ints.array d2 r1", "structs.array.f1 d3 r1", "structs.array.f2 d3 r1", "outer.inner.array d3 r1");
        var values = reader.ReadBatches().SelectMany(b => b.Rows().Select(r => Enumerable.Range(0, 4).Select(c => Render(r[c])).ToArray())).ToList();
        values.Should().BeEquivalentTo(new[]
        {
            new[] { "1", "[1,2,3]", "[{f1:a,f2:1},{f1:,f2:}]", "{inner:[x]}" },
            new[] { "2", "[]", "", "{inner:}" },
            new[] { "3", "", "[{f1:b,f2:2}]", "" },
        }, o => o.WithStrictOrdering());

        var duck = DuckDb.Shared.Query($"select id, to_json(ints) as ints, to_json(structs) as structs, to_json(\"outer\") as o from read_parquet({DuckDb.Literal(path)}) order by id");
        duck.Rows.Select(r => string.Join('|', r.Select(v => v.ToString()))).Should().Equal(
            "1|[1,2,3]|[{\"f1\":\"a\",\"f2\":1},{\"f1\":null,\"f2\":null}]|{\"inner\":[\"x\"]}",
            "2|[]||{\"inner\":null}",
            "3||[{\"f1\":\"b\",\"f2\":2}]|");
    }

    [Fact]
    public void A_null_element_cannot_be_written_in_two_levels()
    {
        using var temp = new TempDirectory("legacy-lists");
        using var writer = ParquetWriter.Create(temp.PathOf("x.parquet"), Schema, new ParquetWriteOptions { LegacyListLayout = true });
        var rows = new object?[][] { [1, new object?[] { 1, null }, null, null] };
        var columns = Schema.Fields.Select((f, c) => WriterTestSupport.Vector(f, [.. rows.Select(r => r[c])])).ToArray();
        var write = () => writer.Write(new RecordBatch(Schema, columns, 1));
        write.Should().Throw<ParquetException>().WithMessage("*array*required*");
    }

    private static RecordBatch Batch()
    {
        var columns = Schema.Fields.Select((f, c) => WriterTestSupport.Vector(f, [.. Rows.Select(r => r[c])])).ToArray();
        return new RecordBatch(Schema, columns, Rows.Length);
    }

    private static string Render(object? value) => value switch
    {
        null => "",
        object?[] items => "[" + string.Join(',', items.Select(Render)) + "]",
        IReadOnlyDictionary<string, object?> fields => "{" + string.Join(',', fields.Select(f => $"{f.Key}:{Render(f.Value)}")) + "}",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
    };
}
