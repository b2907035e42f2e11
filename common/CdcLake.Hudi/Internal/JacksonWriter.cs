using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CdcLake.Hudi.Internal;

/// <summary>
/// Writes JSON exactly as Jackson does, because Java writes the files we must reproduce: compact (Avro's
/// Schema.toString) or with Jackson's DefaultPrettyPrinter (Hudi's commit files): <c>"key" : value</c>,
/// two-space indents, arrays inline as <c>[ {</c> … <c>}, {</c> … <c>} ]</c>, empty containers as
/// <c>{ }</c> / <c>[ ]</c>, no final newline. Strings escape only <c>"</c>, <c>\</c> and control
/// characters; everything else, non-ASCII included, is written as is (UTF-8 on disk).
/// </summary>
internal sealed class JacksonWriter(bool pretty)
{
    private readonly StringBuilder _sb = new();
    private readonly Stack<Frame> _frames = new();
    private bool _afterName;

    private enum FrameKind
    {
        Object,
        Array,
    }

    public void StartObject()
    {
        BeforeValue();
        _sb.Append('{');
        _frames.Push(new Frame(FrameKind.Object));
    }

    public void EndObject()
    {
        var frame = _frames.Pop();
        if (pretty)
        {
            if (frame.Count > 0)
            {
                NewLineIndent(ObjectDepth());
            }
            else
            {
                _sb.Append(' ');
            }
        }

        _sb.Append('}');
    }

    public void StartArray()
    {
        BeforeValue();
        _sb.Append('[');
        _frames.Push(new Frame(FrameKind.Array));
    }

    public void EndArray()
    {
        _frames.Pop();
        if (pretty)
        {
            _sb.Append(' ');
        }

        _sb.Append(']');
    }

    public void Name(string name)
    {
        var frame = _frames.Peek();
        if (frame.Count > 0)
        {
            _sb.Append(',');
        }

        if (pretty)
        {
            NewLineIndent(ObjectDepth());
        }

        frame.Count++;
        AppendString(name);
        _sb.Append(pretty ? " : " : ":");
        _afterName = true;
    }

    public void String(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }

        BeforeValue();
        AppendString(value);
    }

    public void Number(long value)
    {
        BeforeValue();
        _sb.Append(value.ToString(CultureInfo.InvariantCulture));
    }

    public void Number(long? value)
    {
        if (value is { } v)
        {
            Number(v);
        }
        else
        {
            Null();
        }
    }

    /// <summary>A number already in JSON form (kept from a parsed document).</summary>
    public void RawNumber(string text)
    {
        BeforeValue();
        _sb.Append(text);
    }

    public void Bool(bool value)
    {
        BeforeValue();
        _sb.Append(value ? "true" : "false");
    }

    public void Null()
    {
        BeforeValue();
        _sb.Append("null");
    }

    /// <summary>Re-writes a parsed value in this writer's layout (used for fields we do not model).</summary>
    public void Element(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                StartObject();
                foreach (var property in element.EnumerateObject())
                {
                    Name(property.Name);
                    Element(property.Value);
                }

                EndObject();
                break;
            case JsonValueKind.Array:
                StartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Element(item);
                }

                EndArray();
                break;
            case JsonValueKind.String:
                String(element.GetString());
                break;
            case JsonValueKind.Number:
                RawNumber(element.GetRawText());
                break;
            case JsonValueKind.True:
                Bool(true);
                break;
            case JsonValueKind.False:
                Bool(false);
                break;
            default:
                Null();
                break;
        }
    }

    public override string ToString() => _sb.ToString();

    private void BeforeValue()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }

        if (_frames.TryPeek(out var frame) && frame.Kind == FrameKind.Array)
        {
            _sb.Append(frame.Count > 0 ? (pretty ? ", " : ",") : (pretty ? " " : ""));
            frame.Count++;
        }
    }

    // Jackson indents by object nesting only: its arrays are laid out inline.
    private int ObjectDepth() => _frames.Count(f => f.Kind == FrameKind.Object);

    private void NewLineIndent(int level) => _sb.Append('\n').Append(' ', level * 2);

    private void AppendString(string value)
    {
        _sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    _sb.Append("\\\"");
                    break;
                case '\\':
                    _sb.Append("\\\\");
                    break;
                case '\b':
                    _sb.Append("\\b");
                    break;
                case '\f':
                    _sb.Append("\\f");
                    break;
                case '\n':
                    _sb.Append("\\n");
                    break;
                case '\r':
                    _sb.Append("\\r");
                    break;
                case '\t':
                    _sb.Append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        _sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        _sb.Append(c);
                    }

                    break;
            }
        }

        _sb.Append('"');
    }

    private sealed class Frame(FrameKind kind)
    {
        public FrameKind Kind { get; } = kind;

        public int Count { get; set; }
    }
}
