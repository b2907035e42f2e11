using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using CdcLake.Parquet;

namespace CdcLake.Cli.Output;

/// <summary>The JSON kind of a rendered scalar: whether its text goes out bare or as a JSON string.</summary>
public enum ScalarKind
{
    Null,
    Boolean,
    Number,
    String,
}

/// <summary>
/// Renders values straight from column vectors, switching on the vector type and the leaf's
/// <see cref="LogicalType"/>, with no boxing. One rendering serves every output format: a scalar is
/// UTF-8 text plus its <see cref="ScalarKind"/> (JSON writes strings quoted and everything else bare;
/// CSV writes the bare text), and nested values are JSON.
/// <list type="bullet">
/// <item>integers: JSON numbers, exact; unsigned ones (INT(n, unsigned)) as unsigned.</item>
/// <item>FLOAT and DOUBLE: the shortest text that round-trips at their own width (1.1f is <c>1.1</c>);
///   NaN and the infinities are the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.
///   FLOAT16 (FIXED_LEN_BYTE_ARRAY(2)) likewise, at half precision.</item>
/// <item>DECIMAL: a string with exactly <c>scale</c> fractional digits: <c>"-0.0100"</c>.</item>
/// <item>DATE <c>"YYYY-MM-DD"</c>; TIME <c>"HH:mm:ss.ffffff"</c>; TIMESTAMP <c>"YYYY-MM-DDTHH:mm:ss.ffffff"</c>
///   with a trailing <c>Z</c> when adjusted to UTC (and for INT96), none when local; nanoseconds are
///   truncated toward minus infinity. Years outside 0000-9999 as in <see cref="CivilTime"/>.</item>
/// <item>STRING, ENUM, JSON: strings (invalid UTF-8 replaced by U+FFFD); UUID: canonical lowercase text of
///   the big-endian bytes; any other BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY (BSON, INTERVAL, plain binary):
///   standard base64 with padding.</item>
/// <item>structs: objects in field order; lists: arrays; maps: arrays of <c>{"key":…,"value":…}</c>; null: null.</item>
/// </list>
/// Not thread-safe: an instance owns a scratch buffer that the span returned by
/// <see cref="FormatScalar"/> may point into.
/// </summary>
public sealed class ValueFormatter
{
    private static readonly JsonEncodedText KeyName = JsonEncodedText.Encode("key", JsonOptions.Encoder);
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value", JsonOptions.Encoder);

    private readonly Dictionary<Field, JsonEncodedText> _names = new(ReferenceEqualityComparer.Instance);
    private byte[] _scratch = new byte[256];

    /// <summary>
    /// How every JSON the CLI writes is encoded: compact, and escaping only what JSON requires plus the
    /// few characters <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> always escapes
    /// (characters outside the Basic Multilingual Plane become surrogate-pair escapes). The default
    /// encoder would also escape every non-ASCII character and HTML-sensitive ones (&lt;, &gt;, &amp;, ')
    /// — protection for JSON embedded in HTML, which this output never is; it would only make
    /// "é" unreadable as "\u00E9". The output remains valid JSON (RFC 8259).
    /// </summary>
    public static JsonWriterOptions JsonOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    public static bool IsNested(ColumnVector vector) => vector is StructVector or ListVector or MapVector;

    /// <summary>Writes the value at <paramref name="index"/> (scalar or nested) as one JSON value.</summary>
    public void WriteJson(Utf8JsonWriter writer, ColumnVector vector, int index)
    {
        if (vector.IsNull(index))
        {
            writer.WriteNullValue();
            return;
        }

        switch (vector)
        {
            case StructVector s:
                writer.WriteStartObject();
                foreach (var child in s.Children)
                {
                    writer.WritePropertyName(NameOf(child.Field));
                    WriteJson(writer, child, index);
                }

                writer.WriteEndObject();
                return;
            case ListVector l:
                writer.WriteStartArray();
                for (int i = l.Offsets[index], end = l.Offsets[index + 1]; i < end; i++)
                {
                    WriteJson(writer, l.Elements, i);
                }

                writer.WriteEndArray();
                return;
            case MapVector m:
                writer.WriteStartArray();
                for (int i = m.Offsets[index], end = m.Offsets[index + 1]; i < end; i++)
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName(KeyName);
                    WriteJson(writer, m.Keys, i);
                    writer.WritePropertyName(ValueName);
                    WriteJson(writer, m.Items, i);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                return;
            default:
                switch (FormatScalar(vector, index, out var text))
                {
                    case ScalarKind.String:
                        writer.WriteStringValue(text);
                        break;
                    case ScalarKind.Null:
                        writer.WriteNullValue();
                        break;
                    default:
                        writer.WriteRawValue(text, skipInputValidation: true);
                        break;
                }

                return;
        }
    }

    /// <summary>
    /// Renders the scalar at <paramref name="index"/> as UTF-8 text: for strings the characters themselves
    /// (not JSON-escaped), for the rest their JSON text. <paramref name="utf8"/> is valid until the next call.
    /// </summary>
    /// <exception cref="ArgumentException">The vector is a struct, list or map.</exception>
    public ScalarKind FormatScalar(ColumnVector vector, int index, out ReadOnlySpan<byte> utf8)
    {
        if (vector.IsNull(index))
        {
            utf8 = default;
            return ScalarKind.Null;
        }

        var logical = (vector.Field as PrimitiveField)?.LogicalType;
        switch (vector)
        {
            case BooleanVector b:
                utf8 = b.Values[index] ? "true"u8 : "false"u8;
                return ScalarKind.Boolean;
            case PrimitiveVector<int> v:
                return FormatInt32(v.Values[index], logical, out utf8);
            case PrimitiveVector<long> v:
                return FormatInt64(v.Values[index], logical, out utf8);
            case PrimitiveVector<float> v:
                return FormatFloat(v.Values[index], out utf8);
            case PrimitiveVector<double> v:
                return FormatDouble(v.Values[index], out utf8);
            case PrimitiveVector<Int96> v:
                return FormatInt96(v.Values[index], out utf8);
            case BinaryVector v:
                return FormatBinary(v.GetSpan(index), logical, out utf8);
            default:
                throw new ArgumentException($"column '{vector.Field.Name}' ({vector.GetType().Name}) holds no scalars", nameof(vector));
        }
    }

    /// <summary>The value as compact JSON text; for tests and one-off rendering (allocates).</summary>
    public string ToJson(ColumnVector vector, int index)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            WriteJson(writer, vector, index);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The value as CSV-style text: scalars bare, nested values as JSON, null as null; allocates.</summary>
    public string? ToText(ColumnVector vector, int index)
    {
        if (IsNested(vector))
        {
            return vector.IsNull(index) ? null : ToJson(vector, index);
        }

        return FormatScalar(vector, index, out var text) == ScalarKind.Null ? null : Encoding.UTF8.GetString(text);
    }

    private JsonEncodedText NameOf(Field field)
    {
        if (!_names.TryGetValue(field, out var name))
        {
            name = JsonEncodedText.Encode(field.Name, JsonOptions.Encoder);
            _names[field] = name;
        }

        return name;
    }

    private ScalarKind FormatInt32(int value, LogicalType? logical, out ReadOnlySpan<byte> utf8)
    {
        switch (logical?.Kind)
        {
            case LogicalKind.Integer when logical.IsSigned:
                return Number(logical.BitWidth switch
                {
                    8 => (sbyte)value,
                    16 => (short)value,
                    _ => value,
                }, out utf8);
            case LogicalKind.Integer:
                return Number(logical.BitWidth switch
                {
                    8 => (byte)value,
                    16 => (ushort)value,
                    _ => (long)(uint)value,
                }, out utf8);
            case LogicalKind.Decimal:
                return FormatDecimal(value, logical.Scale, out utf8);
            case LogicalKind.Date:
                return Date(value, out utf8);
            case LogicalKind.Time:
                return Time(value, logical.Unit, out utf8);
            case LogicalKind.Timestamp:
                return Timestamp(value, logical, out utf8);
            default:
                return Number(value, out utf8);
        }
    }

    private ScalarKind FormatInt64(long value, LogicalType? logical, out ReadOnlySpan<byte> utf8)
    {
        switch (logical?.Kind)
        {
            case LogicalKind.Integer when !logical.IsSigned:
                var span = Scratch(24);
                ((ulong)value).TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
                utf8 = span[..n];
                return ScalarKind.Number;
            case LogicalKind.Decimal:
                return FormatDecimal(value, logical.Scale, out utf8);
            case LogicalKind.Date:
                return Date(value, out utf8);
            case LogicalKind.Time:
                return Time(value, logical.Unit, out utf8);
            case LogicalKind.Timestamp:
                return Timestamp(value, logical, out utf8);
            default:
                return Number(value, out utf8);
        }
    }

    private ScalarKind FormatFloat(float value, out ReadOnlySpan<byte> utf8)
    {
        if (!float.IsFinite(value))
        {
            return NonFinite(float.IsNaN(value), value > 0, out utf8);
        }

        var span = Scratch(32);
        value.TryFormat(span, out var n, "R", CultureInfo.InvariantCulture);
        utf8 = span[..n];
        return ScalarKind.Number;
    }

    private ScalarKind FormatDouble(double value, out ReadOnlySpan<byte> utf8)
    {
        if (!double.IsFinite(value))
        {
            return NonFinite(double.IsNaN(value), value > 0, out utf8);
        }

        var span = Scratch(32);
        value.TryFormat(span, out var n, "R", CultureInfo.InvariantCulture);
        utf8 = span[..n];
        return ScalarKind.Number;
    }

    private ScalarKind FormatHalf(Half value, out ReadOnlySpan<byte> utf8)
    {
        if (!Half.IsFinite(value))
        {
            return NonFinite(Half.IsNaN(value), value > Half.Zero, out utf8);
        }

        var span = Scratch(32);
        value.TryFormat(span, out var n, "R", CultureInfo.InvariantCulture);
        utf8 = span[..n];
        return ScalarKind.Number;
    }

    private static ScalarKind NonFinite(bool isNaN, bool positive, out ReadOnlySpan<byte> utf8)
    {
        utf8 = isNaN ? "NaN"u8 : positive ? "Infinity"u8 : "-Infinity"u8;
        return ScalarKind.String;
    }

    private ScalarKind FormatInt96(Int96 value, out ReadOnlySpan<byte> utf8)
    {
        var span = Scratch(CivilTime.MaxTimestampLength);
        long days;
        long microsOfDay;
        if (value.NanosOfDay is >= 0 and < CivilTime.MicrosPerDay * 1_000)
        {
            // The usual case: Int96.ToUnixMicros() split back into day and time of day, without its
            // multiplication (which could overflow for Julian days far from the epoch).
            days = (long)value.JulianDay - 2_440_588;
            microsOfDay = value.NanosOfDay / 1_000;
        }
        else
        {
            // Nanoseconds outside the day (not written by real writers): carry them into the days.
            days = ((long)value.JulianDay - 2_440_588) + CivilTime.FloorDivRem(value.NanosOfDay, CivilTime.MicrosPerDay * 1_000, out var nanos);
            microsOfDay = nanos / 1_000;
        }

        utf8 = span[..CivilTime.FormatTimestamp(days, microsOfDay, adjustedToUtc: true, span)];
        return ScalarKind.String;
    }

    private ScalarKind FormatBinary(ReadOnlySpan<byte> bytes, LogicalType? logical, out ReadOnlySpan<byte> utf8)
    {
        switch (logical?.Kind)
        {
            case LogicalKind.String or LogicalKind.Enum or LogicalKind.Json:
                utf8 = Utf8.IsValid(bytes) ? bytes : Sanitize(bytes);
                return ScalarKind.String;
            case LogicalKind.Uuid when bytes.Length == 16:
                return Uuid(bytes, out utf8);
            case LogicalKind.Decimal:
                return DecimalBytes(bytes, logical.Scale, out utf8);
            case LogicalKind.Float16 when bytes.Length == 2:
                return FormatHalf(BinaryPrimitives.ReadHalfLittleEndian(bytes), out utf8);
            default:
                var span = Scratch(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
                Base64.EncodeToUtf8(bytes, span, out _, out var n);
                utf8 = span[..n];
                return ScalarKind.String;
        }
    }

    private ReadOnlySpan<byte> Sanitize(ReadOnlySpan<byte> bytes)
    {
        // Each invalid byte becomes U+FFFD (3 bytes), as Encoding.UTF8 decodes it.
        var text = Encoding.UTF8.GetString(bytes);
        var span = Scratch(Encoding.UTF8.GetMaxByteCount(text.Length));
        return span[..Encoding.UTF8.GetBytes(text, span)];
    }

    private ScalarKind Uuid(ReadOnlySpan<byte> bytes, out ReadOnlySpan<byte> utf8)
    {
        // RFC 4122 text is the 16 bytes in order (Parquet stores them big-endian), grouped 4-2-2-2-6.
        var span = Scratch(36);
        var n = 0;
        for (var i = 0; i < 16; i++)
        {
            if (i is 4 or 6 or 8 or 10)
            {
                span[n++] = (byte)'-';
            }

            span[n++] = (byte)"0123456789abcdef"[bytes[i] >> 4];
            span[n++] = (byte)"0123456789abcdef"[bytes[i] & 0xF];
        }

        utf8 = span[..36];
        return ScalarKind.String;
    }

    private ScalarKind Number(long value, out ReadOnlySpan<byte> utf8)
    {
        var span = Scratch(24);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        utf8 = span[..n];
        return ScalarKind.Number;
    }

    private ScalarKind Date(long days, out ReadOnlySpan<byte> utf8)
    {
        var span = Scratch(CivilTime.MaxTimestampLength);
        utf8 = span[..CivilTime.FormatDate(days, span)];
        return ScalarKind.String;
    }

    private ScalarKind Time(long value, TimeUnit unit, out ReadOnlySpan<byte> utf8)
    {
        var micros = unit switch
        {
            TimeUnit.Millis => value * 1_000, // TIME(MILLIS) is an INT32: no overflow
            TimeUnit.Micros => value,
            _ => CivilTime.FloorDivRem(value, 1_000, out _),
        };
        var span = Scratch(CivilTime.MaxTimestampLength);
        utf8 = span[..CivilTime.FormatTimeOfDay(micros, span)];
        return ScalarKind.String;
    }

    private ScalarKind Timestamp(long value, LogicalType logical, out ReadOnlySpan<byte> utf8)
    {
        var span = Scratch(CivilTime.MaxTimestampLength);
        utf8 = span[..CivilTime.FormatTimestamp(value, logical.Unit, logical.IsAdjustedToUtc, span)];
        return ScalarKind.String;
    }

    private ScalarKind FormatDecimal(Int128 unscaled, int scale, out ReadOnlySpan<byte> utf8)
    {
        // The text ParquetDecimal.ToString() gives, without a BigInteger per value.
        var span = Scratch(48 + scale);
        var n = 0;
        UInt128 magnitude;
        if (unscaled < 0)
        {
            span[n++] = (byte)'-';
            magnitude = (UInt128)(-(unscaled + 1)) + 1;
        }
        else
        {
            magnitude = (UInt128)unscaled;
        }

        var digits = span[n..];
        magnitude.TryFormat(digits, out var count, default, CultureInfo.InvariantCulture);
        if (scale > 0)
        {
            if (count <= scale)
            {
                // Left-pad with zeros to scale + 1 digits: 5 at scale 3 is 0.005.
                var pad = scale + 1 - count;
                digits[..count].CopyTo(digits[pad..]);
                digits[..pad].Fill((byte)'0');
                count = scale + 1;
            }

            digits.Slice(count - scale, scale).CopyTo(digits[(count - scale + 1)..]);
            digits[count - scale] = (byte)'.';
            count++;
        }

        utf8 = span[..(n + count)];
        return ScalarKind.String;
    }

    private ScalarKind DecimalBytes(ReadOnlySpan<byte> bytes, int scale, out ReadOnlySpan<byte> utf8)
    {
        if (bytes.Length <= 16)
        {
            // Big-endian two's complement, sign-extended.
            Int128 unscaled = bytes.IsEmpty || (sbyte)bytes[0] >= 0 ? Int128.Zero : Int128.NegativeOne;
            foreach (var b in bytes)
            {
                unscaled = (unscaled << 8) | b;
            }

            return FormatDecimal(unscaled, scale, out utf8);
        }

        var text = ParquetDecimal.FromBigEndian(bytes, scale).ToString();
        var span = Scratch(text.Length);
        utf8 = span[..Encoding.UTF8.GetBytes(text, span)];
        return ScalarKind.String;
    }

    private Span<byte> Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }

        return _scratch;
    }
}
