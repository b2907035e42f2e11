using System.Collections;
using System.Globalization;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using static CdcLake.Parquet.Tests.WriterTestSupport;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// ReadBatches(reuseBuffers: true) fills each batch's buffers again for the next row group. Every batch,
/// read before the enumeration moves on, must hold what a fresh read gives, whatever the row group sizes
/// (smaller, then larger than the buffers on offer) and null patterns; and the buffers must really be reused.
/// </summary>
public sealed class ReaderBufferReuseTests
{
    private static readonly ParquetSchema Schema = new(
    [
        new PrimitiveField("id", PhysicalType.Int64, repetition: Repetition.Required),
        new PrimitiveField("n", PhysicalType.Int32),
        new PrimitiveField("s", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("d", PhysicalType.Double),
        new PrimitiveField("b", PhysicalType.Boolean),
        new ListField("tags", new PrimitiveField("element", PhysicalType.ByteArray, LogicalType.String)),
        new StructField("st", [new PrimitiveField("x", PhysicalType.Int32), new PrimitiveField("y", PhysicalType.ByteArray, LogicalType.String, Repetition.Required)]),
    ]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reused_batches_hold_what_fresh_batches_hold(bool dictionary)
    {
        using var temp = new TempDirectory("reader-reuse");
        var file = temp.PathOf("reuse.parquet");
        Write(file, dictionary);

        using var reader = ParquetReader.Open(file);
        var fresh = reader.ReadBatches().Select(Render).ToList();
        fresh.Count.Should().Be(6);
        var reused = reader.ReadBatches(reuseBuffers: true).Select(Render).ToList();
        reused.Should().Equal(fresh);

        // Projections recycle too, by name.
        var projected = reader.ReadBatches(["s", "n"], reuseBuffers: true).Select(Render).ToList();
        projected.Should().Equal(reader.ReadBatches(["s", "n"]).Select(Render).ToList());
    }

    [Fact]
    public void The_buffers_of_one_batch_are_filled_again_for_the_next()
    {
        using var temp = new TempDirectory("reader-reuse-same");
        var file = temp.PathOf("reuse.parquet");
        Write(file, dictionary: true);

        using var reader = ParquetReader.Open(file);
        var arrays = new List<(long[] Id, int[] N, int[] Offsets, byte[] Data)>();
        foreach (var batch in reader.ReadBatches(reuseBuffers: true).Take(2))
        {
            arrays.Add((((PrimitiveVector<long>)batch["id"]).Values, ((PrimitiveVector<int>)batch["n"]).Values, ((BinaryVector)batch["s"]).Offsets, ((BinaryVector)batch["s"]).Data));
        }

        arrays[1].Id.Should().BeSameAs(arrays[0].Id);
        arrays[1].N.Should().BeSameAs(arrays[0].N);
        arrays[1].Offsets.Should().BeSameAs(arrays[0].Offsets);

        var separate = reader.ReadBatches().Take(2).ToList();
        ((PrimitiveVector<long>)separate[1]["id"]).Values.Should().NotBeSameAs(((PrimitiveVector<long>)separate[0]["id"]).Values);

        // Dictionaries travel with a batch only in a reuse cycle, and are given up when it is reused.
        separate.Should().OnlyContain(b => b.ReaderScratch == null);
        RecordBatch? previous = null;
        foreach (var batch in reader.ReadBatches(reuseBuffers: true).Take(3))
        {
            batch.ReaderScratch.Should().NotBeNull();
            previous?.ReaderScratch.Should().BeNull();
            previous = batch;
        }
    }

    private static void Write(string file, bool dictionary)
    {
        var rng = new Random(17);
        long id = 0;
        using var writer = ParquetWriter.Create(file, Schema, new ParquetWriteOptions { RowGroupRows = 1000, EnableDictionary = dictionary, PageBytes = 2000 });

        // Row groups of 1000, 1000, 400, 1000, 1000 and 600 rows: buffers on offer are sometimes too small.
        foreach (var (count, flush) in new[] { (2400, true), (2600, false) })
        {
            var rows = Enumerable.Range(0, count).Select(_ => id++).ToList();
            var nullRate = rng.Next(2) == 0 ? 3 : 50;
            object? Maybe(long row, object value) => row % nullRate == 1 ? null : value;
            var vectors = new ColumnVector[]
            {
                Vector(Schema.Fields[0], [.. rows.Select(r => (object?)r)]),
                Vector(Schema.Fields[1], [.. rows.Select(r => Maybe(r, (int)(r * 7)))]),
                Vector(Schema.Fields[2], [.. rows.Select(r => Maybe(r + 1, System.Text.Encoding.UTF8.GetBytes($"s{r % 37}{new string('x', (int)(r % 23))}")))]),
                Vector(Schema.Fields[3], [.. rows.Select(r => (object?)(r / 3.0))]),
                Vector(Schema.Fields[4], [.. rows.Select(r => Maybe(r + 2, r % 3 == 0))]),
                Vector(Schema.Fields[5], [.. rows.Select(r => r % 5 == 0 ? null : (object?)Enumerable.Range(0, (int)(r % 4)).Select(t => (object?)System.Text.Encoding.UTF8.GetBytes($"t{t}")).ToArray())]),
                Vector(Schema.Fields[6], [.. rows.Select(r => r % 7 == 0 ? null : (object?)new StructValue([Maybe(r, (int)r), System.Text.Encoding.UTF8.GetBytes($"y{r}")]))]),
            };
            writer.Write(new RecordBatch(Schema, vectors, count));
            if (flush)
            {
                writer.FlushRowGroup();
            }
        }
    }

    private static string Render(RecordBatch batch)
    {
        var text = new System.Text.StringBuilder();
        for (var row = 0; row < batch.RowCount; row++)
        {
            foreach (var column in batch.Columns)
            {
                text.Append(RenderValue(column.GetValue(row))).Append('|');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string RenderValue(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        byte[] bytes => Convert.ToHexString(bytes),
        IDictionary<string, object?> fields => "{" + string.Join(",", fields.Select(f => $"{f.Key}:{RenderValue(f.Value)}")) + "}",
        IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(RenderValue)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
