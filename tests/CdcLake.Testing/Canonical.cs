using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CdcLake.Testing;

/// <summary>
/// Stable string renderings of JSON values for comparisons and readable assertion messages.
/// <see cref="Render(JsonElement)"/> is compact JSON: no whitespace, object members in their
/// original order (a STRUCT's declared order), strings quoted with minimal escaping, and numbers
/// exactly as written (the oracle writes them canonically: exact integers, shortest round-trip
/// floats — see tests/tools/duckdb-oracle.mjs).
/// </summary>
public static class Canonical
{
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>Compact canonical JSON of <paramref name="value"/>: <c>"123.4500"</c>, <c>42</c>, <c>null</c>, <c>{"a":1,"b":[1,2]}</c>.</summary>
    public static string Render(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Like <see cref="Render(JsonElement)"/>, but a top-level string is returned bare: <c>123.4500</c>, not <c>"123.4500"</c>.</summary>
    public static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : Render(value);

    /// <summary>A row as one canonical JSON array: <c>[1,"x",null]</c>.</summary>
    public static string Render(IEnumerable<JsonElement> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return "[" + string.Join(",", row.Select(Render)) + "]";
    }

    /// <summary>Every row of <paramref name="result"/>, each as <see cref="Render(IEnumerable{JsonElement})"/>.</summary>
    public static IReadOnlyList<string> Render(DuckResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Rows.Select(r => Render(r))];
    }

    private static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(value.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(value.GetRawText(), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                writer.WriteNullValue();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.ValueKind, "Unknown JSON value kind.");
        }
    }
}
