using System.Buffers;
using System.Text;
using System.Text.Json;
using CdcLake.Parquet;

namespace CdcLake.Cli.Output;

/// <summary>
/// CSV: a header row of the column names, then one row per record, lines ending in <c>\n</c>. Quoting
/// follows RFC 4180: a field holding a comma, a double quote, CR or LF is enclosed in double quotes,
/// with its double quotes doubled. Null is an empty field; an empty string is <c>""</c>, so the two
/// stay distinct. Scalars are their JSON text without JSON quoting or escaping (<c>123.4500</c>,
/// <c>2024-01-02</c>, <c>NaN</c>, the string's own characters); structs, lists and maps are their
/// compact JSON text.
/// </summary>
public sealed class CsvWriter : IRowWriter
{
    private const int FlushThreshold = 1 << 16;
    private static readonly SearchValues<byte> NeedsQuoting = SearchValues.Create(",\"\r\n"u8);

    private readonly Utf8TextSink _sink;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
    private readonly ArrayBufferWriter<byte> _nested = new(256);
    private readonly Utf8JsonWriter _json;
    private readonly ValueFormatter _formatter;

    public CsvWriter(TextWriter output, IReadOnlyList<string> columnNames, ValueFormatter? formatter = null)
    {
        _sink = new Utf8TextSink(output);
        _formatter = formatter ?? new ValueFormatter();
        _json = new Utf8JsonWriter(_nested, ValueFormatter.JsonOptions);
        for (var c = 0; c < columnNames.Count; c++)
        {
            if (c > 0)
            {
                _buffer.Write(","u8);
            }

            WriteField(Encoding.UTF8.GetBytes(columnNames[c]));
        }

        _buffer.Write("\n"u8);
    }

    public void WriteRows(IReadOnlyList<ColumnVector> columns, int start, int count)
    {
        for (var row = start; row < start + count; row++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                if (c > 0)
                {
                    _buffer.Write(","u8);
                }

                WriteValue(columns[c], row);
            }

            _buffer.Write("\n"u8);
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

    /// <summary>Appends <paramref name="field"/> to <paramref name="output"/>, quoted if RFC 4180 requires it.</summary>
    public static void WriteField(IBufferWriter<byte> output, ReadOnlySpan<byte> field)
    {
        if (field.IndexOfAny(NeedsQuoting) < 0)
        {
            output.Write(field);
            return;
        }

        output.Write("\""u8);
        int quote;
        while ((quote = field.IndexOf((byte)'"')) >= 0)
        {
            output.Write(field[..(quote + 1)]);
            output.Write("\""u8);
            field = field[(quote + 1)..];
        }

        output.Write(field);
        output.Write("\""u8);
    }

    private void WriteValue(ColumnVector vector, int row)
    {
        if (ValueFormatter.IsNested(vector))
        {
            if (vector.IsNull(row))
            {
                return;
            }

            _nested.ResetWrittenCount();
            _json.Reset();
            _formatter.WriteJson(_json, vector, row);
            _json.Flush();
            WriteField(_nested.WrittenSpan);
            return;
        }

        switch (_formatter.FormatScalar(vector, row, out var text))
        {
            case ScalarKind.Null:
                return;
            case ScalarKind.String when text.IsEmpty:
                _buffer.Write("\"\""u8);
                return;
            default:
                WriteField(text);
                return;
        }
    }

    private void WriteField(ReadOnlySpan<byte> field) => WriteField(_buffer, field);

    private void FlushBuffer()
    {
        _sink.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }
}
