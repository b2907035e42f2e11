using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using CdcLake.Parquet;

namespace CdcLake.Merge.Tests;

/// <summary>
/// Writes a DMS input file from a scenario's text: column types by name (the spellings below) and rows of JSON
/// values. The types are those DMS writes: strings for Op, DMS_TIMESTAMP and AR_H_CHANGE_SEQ, decimals as
/// FIXED_LEN_BYTE_ARRAY, timestamps as TIMESTAMP(MILLIS) (DMS's default) or MICROS, smallint as INT(16).
/// </summary>
public static class ScenarioParquet
{
    /// <summary>
    /// A field from a type spelling: <c>string</c>, <c>int16</c>, <c>int32</c>, <c>int64</c>, <c>float</c>,
    /// <c>double</c>, <c>bool</c>, <c>binary</c>, <c>date</c>, <c>timestamp_ms</c>, <c>timestamp_us</c>,
    /// <c>decimal(p,s)</c> (FIXED_LEN_BYTE_ARRAY of the least width); a trailing <c>!</c> makes it required.
    /// </summary>
    public static PrimitiveField Field(string name, string type)
    {
        var repetition = type.EndsWith('!') ? Repetition.Required : Repetition.Optional;
        type = type.TrimEnd('!');
        if (type.StartsWith("decimal(", StringComparison.Ordinal))
        {
            var parts = type["decimal(".Length..^1].Split(',');
            var precision = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var scale = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return new PrimitiveField(name, PhysicalType.FixedLenByteArray, LogicalType.Decimal(precision, scale), repetition, DecimalWidth(precision));
        }

        return type switch
        {
            "string" => new PrimitiveField(name, PhysicalType.ByteArray, LogicalType.String, repetition),
            "binary" => new PrimitiveField(name, PhysicalType.ByteArray, null, repetition),
            "int16" => new PrimitiveField(name, PhysicalType.Int32, LogicalType.Integer(16, true), repetition),
            "int32" => new PrimitiveField(name, PhysicalType.Int32, null, repetition),
            "int64" => new PrimitiveField(name, PhysicalType.Int64, null, repetition),
            "float" => new PrimitiveField(name, PhysicalType.Float, null, repetition),
            "double" => new PrimitiveField(name, PhysicalType.Double, null, repetition),
            "bool" => new PrimitiveField(name, PhysicalType.Boolean, null, repetition),
            "date" => new PrimitiveField(name, PhysicalType.Int32, LogicalType.Date, repetition),
            "timestamp_ms" => new PrimitiveField(name, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, adjustedToUtc: true), repetition),
            "timestamp_us" => new PrimitiveField(name, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true), repetition),
            _ => throw new ArgumentException($"column '{name}': unknown type '{type}'", nameof(type)),
        };
    }

    /// <summary>Writes <paramref name="rows"/> (one JSON array per row, in <paramref name="fields"/> order) to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<PrimitiveField> fields, IReadOnlyList<JsonElement[]> rows, string codec = "none")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var schema = new ParquetSchema([.. fields]);
        var vectors = new ColumnVector[fields.Count];
        for (var c = 0; c < fields.Count; c++)
        {
            vectors[c] = Vector(fields[c], [.. rows.Select(r => r[c])]);
        }

        var options = new ParquetWriteOptions { Codec = codec == "gzip" ? ParquetCodec.Gzip : ParquetCodec.None };
        using var writer = ParquetWriter.Create(path, schema, options);
        writer.Write(new RecordBatch(schema, vectors, rows.Count));
        writer.Close();
    }

    /// <summary>The least FIXED_LEN_BYTE_ARRAY width holding every unscaled value of <paramref name="precision"/> digits (as DMS and Spark size it).</summary>
    public static int DecimalWidth(int precision)
    {
        var max = BigInteger.Pow(10, precision) - 1;
        var width = 1;
        while (BigInteger.Pow(2, (8 * width) - 1) <= max)
        {
            width++;
        }

        return width;
    }

    private static ColumnVector Vector(PrimitiveField field, JsonElement[] values)
    {
        var length = values.Length;
        var validity = new byte[Bitmap.BytesFor(length)];
        for (var i = 0; i < length; i++)
        {
            if (values[i].ValueKind != JsonValueKind.Null)
            {
                Bitmap.Set(validity, i);
            }
            else if (field.Repetition == Repetition.Required)
            {
                throw new ArgumentException($"column '{field.Name}' is required but row {i} is null");
            }
        }

        bool IsNull(JsonElement v) => v.ValueKind == JsonValueKind.Null;
        switch (field.PhysicalType)
        {
            case PhysicalType.Boolean:
                return new BooleanVector(field, [.. values.Select(v => v.ValueKind == JsonValueKind.True)], length, validity);
            case PhysicalType.Int32 when field.LogicalType?.Kind == LogicalKind.Date:
                return new PrimitiveVector<int>(field, [.. values.Select(v => IsNull(v) ? 0 : DateOnly.ParseExact(v.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber)], length, validity);
            case PhysicalType.Int32:
                return new PrimitiveVector<int>(field, [.. values.Select(v => IsNull(v) ? 0 : v.GetInt32())], length, validity);
            case PhysicalType.Int64 when field.LogicalType?.Kind == LogicalKind.Timestamp:
            {
                var perTick = field.LogicalType.Unit == TimeUnit.Millis ? 10_000 : 10;
                return new PrimitiveVector<long>(field, [.. values.Select(v => IsNull(v) ? 0 : (Timestamp(v.GetString()!).Ticks - DateTime.UnixEpoch.Ticks) / perTick)], length, validity);
            }

            case PhysicalType.Int64:
                return new PrimitiveVector<long>(field, [.. values.Select(v => IsNull(v) ? 0 : v.GetInt64())], length, validity);
            case PhysicalType.Float:
                return new PrimitiveVector<float>(field, [.. values.Select(v => IsNull(v) ? 0f : v.GetSingle())], length, validity);
            case PhysicalType.Double:
                return new PrimitiveVector<double>(field, [.. values.Select(v => IsNull(v) ? 0d : v.GetDouble())], length, validity);
            case PhysicalType.FixedLenByteArray:
            {
                var width = field.TypeLength;
                var data = new byte[length * width];
                var offsets = new int[length + 1];
                for (var i = 0; i < length; i++)
                {
                    offsets[i + 1] = (i + 1) * width;
                    if (!IsNull(values[i]))
                    {
                        var unscaled = Unscaled(values[i], field.LogicalType!.Scale);
                        ParquetDecimal.WriteBigEndian(unscaled, data.AsSpan(i * width, width));
                    }
                }

                return new BinaryVector(field, offsets, data, length, validity);
            }

            default:
            {
                var offsets = new int[length + 1];
                var all = new List<byte>();
                for (var i = 0; i < length; i++)
                {
                    if (!IsNull(values[i]))
                    {
                        all.AddRange(Encoding.UTF8.GetBytes(values[i].ValueKind == JsonValueKind.String ? values[i].GetString()! : values[i].GetRawText()));
                    }

                    offsets[i + 1] = all.Count;
                }

                return new BinaryVector(field, offsets, [.. all], length, validity);
            }
        }
    }

    /// <summary>Text <c>yyyy-MM-dd HH:mm:ss[.f…]</c> (or with <c>T</c>), read as UTC.</summary>
    private static DateTime Timestamp(string text) =>
        DateTime.ParseExact(text.Replace('T', ' ').TrimEnd('Z'), ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    private static BigInteger Unscaled(JsonElement value, int scale)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        var negative = text.StartsWith('-');
        text = text.TrimStart('-');
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        if (fraction.Length > scale)
        {
            throw new ArgumentException($"decimal '{text}' has more than {scale} fraction digits");
        }

        var unscaled = BigInteger.Parse(whole + fraction.PadRight(scale, '0'), CultureInfo.InvariantCulture);
        return negative ? -unscaled : unscaled;
    }
}
