using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CdcLake.Parquet;

namespace CdcLake.Cli.Output;

/// <summary>
/// A file's footer (<see cref="ParquetFileInfo"/>) as human-readable text or as one JSON document.
/// Statistics bounds are rendered as <see cref="ValueFormatter"/> renders column values.
/// </summary>
public static class MetadataText
{
    private const int MaxTextValueLength = 160;

    /// <summary>Indented text; long key/value metadata values are cut (the JSON form has them whole).</summary>
    public static string Render(string file, ParquetFileInfo info)
    {
        var formatter = new ValueFormatter();
        var sb = new StringBuilder();
        sb.Append("file: ").Append(file).Append('\n');
        sb.Append("version: ").Append(info.Version).Append('\n');
        sb.Append("created_by: ").Append(info.CreatedBy is null ? "-" : Printable(info.CreatedBy)).Append('\n');
        sb.Append("rows: ").Append(info.RowCount).Append('\n');
        sb.Append("row_groups: ").Append(info.RowGroups.Count).Append('\n');
        AppendKeyValues(sb, "key_value_metadata", info.KeyValueMetadata, 0);
        foreach (var group in info.RowGroups)
        {
            sb.Append('\n');
            sb.Append("row_group ").Append(group.Index)
              .Append(": rows=").Append(group.RowCount)
              .Append(" total_byte_size=").Append(group.TotalByteSize)
              .Append(" total_compressed_size=").Append(group.TotalCompressedSize?.ToString(CultureInfo.InvariantCulture) ?? "-")
              .Append('\n');
            foreach (var chunk in group.Columns)
            {
                var field = chunk.Column.Field;
                sb.Append("  column ").Append(chunk.Column.DottedPath).Append('\n');
                sb.Append("    type: ").Append(SchemaText.PhysicalName(field)).Append(' ').Append(SchemaText.LogicalName(field.LogicalType)).Append('\n');
                sb.Append("    codec: ").Append(chunk.Codec).Append('\n');
                sb.Append("    encodings: ").Append(string.Join(", ", chunk.Encodings)).Append('\n');
                sb.Append("    values: ").Append(chunk.ValueCount).Append('\n');
                sb.Append("    size: compressed=").Append(chunk.CompressedSize).Append(" uncompressed=").Append(chunk.UncompressedSize).Append('\n');
                sb.Append("    pages: data_page_offset=").Append(chunk.DataPageOffset)
                  .Append(" dictionary_page_offset=").Append(chunk.DictionaryPageOffset?.ToString(CultureInfo.InvariantCulture) ?? "-").Append('\n');
                sb.Append("    statistics: ");
                if (chunk.Statistics is { } stats)
                {
                    sb.Append("null_count=").Append(stats.NullCount?.ToString(CultureInfo.InvariantCulture) ?? "-")
                      .Append(" distinct_count=").Append(stats.DistinctCount?.ToString(CultureInfo.InvariantCulture) ?? "-")
                      .Append(" min=").Append(BoundText(formatter, field, stats.Min, stats.MinBytes))
                      .Append(" max=").Append(BoundText(formatter, field, stats.Max, stats.MaxBytes));
                    if (!stats.IsExact)
                    {
                        sb.Append(" (bounds, may be truncated)");
                    }
                }
                else
                {
                    sb.Append("none");
                }

                sb.Append('\n');
                sb.Append("    bloom_filter: ").Append(chunk.HasBloomFilter ? "yes" : "no").Append('\n');
                AppendKeyValues(sb, "key_value_metadata", chunk.KeyValueMetadata, 4);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The footer as one JSON object: <c>file, version, created_by, rows, key_value_metadata,
    /// row_groups[{index, rows, total_byte_size, total_compressed_size, columns[{path, physical_type,
    /// logical_type, codec, encodings, values, compressed_size, uncompressed_size, data_page_offset,
    /// dictionary_page_offset, statistics{null_count, distinct_count, min, max, min_raw, max_raw, exact},
    /// key_value_metadata, bloom_filter}]}]</c>. <c>min</c>/<c>max</c> are rendered like column values (null when the
    /// file has no bound the column's sort order can trust); <c>min_raw</c>/<c>max_raw</c> the stored bytes in base64.
    /// </summary>
    public static void WriteJson(Utf8JsonWriter json, string file, ParquetFileInfo info)
    {
        var formatter = new ValueFormatter();
        json.WriteStartObject();
        json.WriteString("file", file);
        json.WriteNumber("version", info.Version);
        json.WriteString("created_by", info.CreatedBy);
        json.WriteNumber("rows", info.RowCount);
        WriteKeyValues(json, "key_value_metadata", info.KeyValueMetadata);
        json.WriteStartArray("row_groups");
        foreach (var group in info.RowGroups)
        {
            json.WriteStartObject();
            json.WriteNumber("index", group.Index);
            json.WriteNumber("rows", group.RowCount);
            json.WriteNumber("total_byte_size", group.TotalByteSize);
            WriteNullableNumber(json, "total_compressed_size", group.TotalCompressedSize);
            json.WriteStartArray("columns");
            foreach (var chunk in group.Columns)
            {
                var field = chunk.Column.Field;
                json.WriteStartObject();
                json.WriteString("path", chunk.Column.DottedPath);
                json.WriteString("physical_type", SchemaText.PhysicalName(field));
                json.WriteString("logical_type", field.LogicalType?.ToString());
                json.WriteNumber("max_definition_level", chunk.Column.MaxDefinitionLevel);
                json.WriteNumber("max_repetition_level", chunk.Column.MaxRepetitionLevel);
                json.WriteString("codec", chunk.Codec);
                json.WriteStartArray("encodings");
                foreach (var encoding in chunk.Encodings)
                {
                    json.WriteStringValue(encoding);
                }

                json.WriteEndArray();
                json.WriteNumber("values", chunk.ValueCount);
                json.WriteNumber("compressed_size", chunk.CompressedSize);
                json.WriteNumber("uncompressed_size", chunk.UncompressedSize);
                json.WriteNumber("data_page_offset", chunk.DataPageOffset);
                WriteNullableNumber(json, "dictionary_page_offset", chunk.DictionaryPageOffset);
                if (chunk.Statistics is { } stats)
                {
                    json.WriteStartObject("statistics");
                    WriteNullableNumber(json, "null_count", stats.NullCount);
                    WriteNullableNumber(json, "distinct_count", stats.DistinctCount);
                    json.WritePropertyName("min");
                    WriteBound(json, formatter, field, stats.Min, stats.MinBytes);
                    json.WritePropertyName("max");
                    WriteBound(json, formatter, field, stats.Max, stats.MaxBytes);
                    WriteBase64(json, "min_raw", stats.MinBytes);
                    WriteBase64(json, "max_raw", stats.MaxBytes);
                    json.WriteBoolean("exact", stats.IsExact);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("statistics");
                }

                WriteKeyValues(json, "key_value_metadata", chunk.KeyValueMetadata);
                json.WriteBoolean("bloom_filter", chunk.HasBloomFilter);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// A one-slot vector holding a statistics bound, decoded from its PLAIN bytes as the column's
    /// physical type; null when the bytes do not fit the type.
    /// </summary>
    public static ColumnVector? BoundVector(PrimitiveField field, ReadOnlySpan<byte> plain)
    {
        var length = plain.Length;
        return field.PhysicalType switch
        {
            PhysicalType.Boolean when length == 1 => new BooleanVector(field, [(plain[0] & 1) != 0], 1),
            PhysicalType.Int32 when length == 4 => new PrimitiveVector<int>(field, [BinaryPrimitives.ReadInt32LittleEndian(plain)], 1),
            PhysicalType.Int64 when length == 8 => new PrimitiveVector<long>(field, [BinaryPrimitives.ReadInt64LittleEndian(plain)], 1),
            PhysicalType.Int96 when length == 12 => new PrimitiveVector<Int96>(
                field, [new Int96(BinaryPrimitives.ReadInt64LittleEndian(plain), BinaryPrimitives.ReadInt32LittleEndian(plain[8..]))], 1),
            PhysicalType.Float when length == 4 => new PrimitiveVector<float>(field, [BinaryPrimitives.ReadSingleLittleEndian(plain)], 1),
            PhysicalType.Double when length == 8 => new PrimitiveVector<double>(field, [BinaryPrimitives.ReadDoubleLittleEndian(plain)], 1),
            PhysicalType.ByteArray or PhysicalType.FixedLenByteArray => new BinaryVector(field, [0, plain.Length], plain.ToArray(), 1),
            _ => null,
        };
    }

    private static void WriteBound(Utf8JsonWriter json, ValueFormatter formatter, PrimitiveField field, object? logical, byte[]? plain)
    {
        // The reader keeps only bounds whose order is sound for the column, so the stored bytes are
        // rendered whenever present (this also covers values it cannot turn into .NET values, such as
        // timestamps beyond year 9999).
        if (plain is not null && BoundVector(field, plain) is { } vector)
        {
            formatter.WriteJson(json, vector, 0);
        }
        else if (logical is not null)
        {
            json.WriteStringValue(Convert.ToString(logical, CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNullValue();
        }
    }

    private static string BoundText(ValueFormatter formatter, PrimitiveField field, object? logical, byte[]? plain)
    {
        if (plain is null && logical is null)
        {
            return "-";
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, ValueFormatter.JsonOptions))
        {
            WriteBound(json, formatter, field, logical, plain);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteBase64(Utf8JsonWriter json, string name, byte[]? bytes)
    {
        if (bytes is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteBase64String(name, bytes);
        }
    }

    private static void WriteNullableNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteKeyValues(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string?> pairs)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in pairs)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    private static void AppendKeyValues(StringBuilder sb, string title, IReadOnlyDictionary<string, string?> pairs, int indent)
    {
        if (pairs.Count == 0)
        {
            if (indent == 0)
            {
                sb.Append(title).Append(": none\n");
            }

            return;
        }

        sb.Append(' ', indent).Append(title).Append(":\n");
        foreach (var (key, value) in pairs)
        {
            sb.Append(' ', indent + 2).Append(Printable(key)).Append(" = ");
            if (value is null)
            {
                sb.Append("(null)");
            }
            else
            {
                var printable = Printable(value);
                sb.Append(printable.Length <= MaxTextValueLength
                    ? printable
                    : $"{printable[..MaxTextValueLength]}… ({value.Length} chars; --json shows all)");
            }

            sb.Append('\n');
        }
    }

    /// <summary>Control characters (newlines in embedded JSON, say) as C escapes, so each entry stays on one line.</summary>
    private static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ when char.IsControl(c) => sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }
}
