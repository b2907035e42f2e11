using System.Text;
using System.Text.Json;
using CdcLake.Cli.Output;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;
using static CdcLake.Cli.Tests.Vectors;

namespace CdcLake.Cli.Tests;

/// <summary>JSON Lines and CSV framing: keys, quoting, nulls, nesting, buffering.</summary>
public sealed class RowWriterTests
{
    private static readonly PrimitiveField Id = new("id", PhysicalType.Int64, null, Repetition.Required);
    private static readonly PrimitiveField Name = Leaf(PhysicalType.ByteArray, LogicalType.String, name: "name");
    private static readonly PrimitiveField Price = Leaf(PhysicalType.Int32, LogicalType.Decimal(9, 2), name: "price");
    private static readonly PrimitiveField Score = Leaf(PhysicalType.Double, name: "score");

    private static ColumnVector[] Sample()
    {
        var element = Leaf(PhysicalType.Int32, name: "element");
        var tags = new ListVector(new ListField("tags", element), [0, 2, 2, 2], Of<int>(element, 1, 2), 3, Validity(true, false, true));
        return
        [
            Of<long>(Id, 1, 2, 3),
            Strings(Name, "plain", "with, comma and \"quotes\"", ""),
            Of<int>(Price, 12345, null, -5),
            Of<double>(Score, double.NaN, 0.5, null),
            tags,
        ];
    }

    [Fact]
    public void Jsonl_writes_one_object_per_row_keyed_in_column_order()
    {
        var output = new StringWriter();
        using (var writer = new JsonlWriter(output))
        {
            writer.WriteRows(Sample(), 0, 3);
        }

        output.ToString().Should().Be(
            "{\"id\":1,\"name\":\"plain\",\"price\":\"123.45\",\"score\":\"NaN\",\"tags\":[1,2]}\n" +
            "{\"id\":2,\"name\":\"with, comma and \\\"quotes\\\"\",\"price\":null,\"score\":0.5,\"tags\":null}\n" +
            "{\"id\":3,\"name\":\"\",\"price\":\"-0.05\",\"score\":null,\"tags\":[]}\n");
    }

    [Fact]
    public void Jsonl_honours_start_and_count()
    {
        var output = new StringWriter();
        using (var writer = new JsonlWriter(output))
        {
            writer.WriteRows(Sample(), 1, 1);
            writer.WriteRows(Sample(), 0, 0);
        }

        output.ToString().Should().StartWith("{\"id\":2,").And.Subject.Split('\n').Should().HaveCount(2);
    }

    [Fact]
    public void Csv_quotes_per_RFC_4180_and_keeps_null_apart_from_empty()
    {
        var output = new StringWriter();
        using (var writer = new CsvWriter(output, ["id", "name", "price", "score", "tags"]))
        {
            writer.WriteRows(Sample(), 0, 3);
        }

        output.ToString().Should().Be(
            "id,name,price,score,tags\n" +
            "1,plain,123.45,NaN,\"[1,2]\"\n" +
            "2,\"with, comma and \"\"quotes\"\"\",,0.5,\n" +
            "3,\"\",-0.05,,[]\n");
    }

    [Theory]
    [InlineData("a", "a")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("\"", "\"\"\"\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData("crlf\r\n", "\"crlf\r\n\"")]
    [InlineData(" spaced ", " spaced ")]
    [InlineData("semi;colon", "semi;colon")]
    public void Csv_field_quoting(string value, string expected)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        CsvWriter.WriteField(buffer, Encoding.UTF8.GetBytes(value));
        Encoding.UTF8.GetString(buffer.WrittenSpan).Should().Be(expected);
    }

    [Fact]
    public void Csv_header_names_are_quoted_when_needed_and_nested_values_are_json()
    {
        var key = new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required);
        var value = Leaf(PhysicalType.ByteArray, LogicalType.String, name: "value");
        var map = new MapVector(new MapField("m", key, value), [0, 1], Strings(key, "k"), Strings(value, "v,\"w\""), 1);
        var ts = Of<long>(Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, true), name: "ts"), 0L);
        var output = new StringWriter();
        using (var writer = new CsvWriter(output, ["a,b", "ts"]))
        {
            writer.WriteRows([map, ts], 0, 1);
        }

        output.ToString().Should().Be(
            "\"a,b\",ts\n" +
            "\"[{\"\"key\"\":\"\"k\"\",\"\"value\"\":\"\"v,\\\"\"w\\\"\"\"\"}]\",1970-01-01T00:00:00.000000Z\n");
    }

    [Fact]
    public void Csv_with_no_rows_is_just_the_header()
    {
        var output = new StringWriter();
        using (RowWriters.Create(RowFormat.Csv, output, ["a", "b"]))
        {
        }

        output.ToString().Should().Be("a,b\n");
    }

    [Fact]
    public void Large_output_is_flushed_in_row_aligned_chunks_and_bytes_match_the_text_path()
    {
        var text = Leaf(PhysicalType.ByteArray, LogicalType.String, name: "t");
        var values = Enumerable.Range(0, 5000).Select(i => $"row {i}: héllo wörld 日本 {new string('x', i % 50)}").ToArray();
        var columns = new ColumnVector[] { Strings(text, values) };

        var viaText = new StringWriter();
        using (var writer = new JsonlWriter(viaText))
        {
            writer.WriteRows(columns, 0, values.Length);
        }

        var bytes = new MemoryStream();
        var streamWriter = new StreamWriter(bytes, new UTF8Encoding(false));
        streamWriter.Write("before\n"); // text written earlier must come first
        using (var writer = new JsonlWriter(streamWriter))
        {
            writer.WriteRows(columns, 0, values.Length);
        }

        Encoding.UTF8.GetString(bytes.ToArray()).Should().Be("before\n" + viaText);
        var lines = viaText.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(values.Length);
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("t").GetString()).Should().Equal(values);
    }

    [Fact]
    public void Broken_pipe_is_recognised()
    {
        var writer = new JsonlWriter(new FailingWriter(new IOException("Broken pipe")));
        var act = () =>
        {
            writer.WriteRows([Of<long>(Id, 1)], 0, 1);
            writer.Flush();
        };
        act.Should().Throw<OutputWriteException>().Which.IsBrokenPipe.Should().BeTrue();
        new OutputWriteException(new IOException("No space left on device")).IsBrokenPipe.Should().BeFalse();
    }

    internal sealed class FailingWriter(IOException failure) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => throw failure;

        public override void Write(char[] buffer, int index, int count) => throw failure;

        public override void Write(string? value) => throw failure;

        public override void Flush()
        {
        }
    }
}
