using System.Buffers;
using System.Text.Json;
using CdcLake.Parquet;

namespace CdcLake.Cli.Output;

/// <summary>
/// JSON Lines: one compact object per row, keyed by the top-level column names in the order given,
/// values as <see cref="ValueFormatter"/> renders them, each line ending in <c>\n</c>.
/// </summary>
public sealed class JsonlWriter : IRowWriter
{
    private const int FlushThreshold = 1 << 16;

    private readonly Utf8TextSink _sink;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
    private readonly Utf8JsonWriter _json;
    private readonly ValueFormatter _formatter;
    private readonly Dictionary<Field, JsonEncodedText> _names = new(ReferenceEqualityComparer.Instance);

    public JsonlWriter(TextWriter output, ValueFormatter? formatter = null)
    {
        _sink = new Utf8TextSink(output);
        _formatter = formatter ?? new ValueFormatter();
        _json = new Utf8JsonWriter(_buffer, ValueFormatter.JsonOptions);
    }

    public void WriteRows(IReadOnlyList<ColumnVector> columns, int start, int count)
    {
        var names = new JsonEncodedText[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            names[c] = NameOf(columns[c].Field);
        }

        for (var row = start; row < start + count; row++)
        {
            _json.WriteStartObject();
            for (var c = 0; c < columns.Count; c++)
            {
                _json.WritePropertyName(names[c]);
                _formatter.WriteJson(_json, columns[c], row);
            }

            _json.WriteEndObject();
            _json.Flush();
            _buffer.Write("\n"u8);
            _json.Reset();
            if (_buffer.WrittenCount >= FlushThreshold)
            {
                FlushBuffer();
            }
        }
    }

    public void Flush()
    {
        FlushBuffer();
        _sink.Flush();
    }

    public void Dispose()
    {
        try
        {
            Flush();
        }
        finally
        {
            _json.Dispose();
        }
    }

    private void FlushBuffer()
    {
        _sink.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    private JsonEncodedText NameOf(Field field)
    {
        if (!_names.TryGetValue(field, out var name))
        {
            name = JsonEncodedText.Encode(field.Name, ValueFormatter.JsonOptions.Encoder);
            _names[field] = name;
        }

        return name;
    }
}
