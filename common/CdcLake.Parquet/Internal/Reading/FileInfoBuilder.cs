using System.Buffers.Binary;
using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet.Internal.Reading;

/// <summary>Translates the footer into the public <see cref="ParquetFileInfo"/>, decoding statistics to logical values.</summary>
internal static class FileInfoBuilder
{
    public static ParquetFileInfo Build(FileMetaData meta, ParquetSchema schema, long rowCount)
    {
        var typeOrdered = meta.ColumnOrders is { } orders && orders.Count == schema.Columns.Count
            ? orders.Select(o => o.IsRecognized).ToArray()
            : new bool[schema.Columns.Count];
        var rowGroups = meta.RowGroups.Select((rg, i) => new RowGroupInfo(
            i,
            rg.NumRows,
            rg.TotalByteSize,
            rg.TotalCompressedSize,
            rg.Columns.Select((c, j) => Column(c, schema.Columns[j], typeOrdered[j])).ToArray())).ToArray();
        return new ParquetFileInfo(meta.Version, meta.CreatedBy, rowCount, ToDictionary(meta.KeyValueMetadata), rowGroups);
    }

    private static ColumnChunkInfo Column(ColumnChunk chunk, ColumnDescriptor column, bool typeOrdered)
    {
        var m = chunk.MetaData ?? new ColumnMetaData();
        return new ColumnChunkInfo(
            column,
            Codec: m.Codec switch
            {
                CompressionCodec.Lz4Raw => "LZ4_RAW",
                var c when Enum.IsDefined(c) => c.ToString().ToUpperInvariant(),
                var c => $"UNKNOWN({(int)c})",
            },
            Encodings: m.Encodings.Select(EncodingName).ToArray(),
            m.NumValues,
            m.TotalCompressedSize,
            m.TotalUncompressedSize,
            m.DataPageOffset,
            m.DictionaryPageOffset,
            m.Statistics is { } s ? Statistics(s, column.Field, typeOrdered) : null,
            ToDictionary(m.KeyValueMetadata),
            m.BloomFilterOffset is not null);
    }

    private static string EncodingName(Encoding e) => e switch
    {
        Encoding.Plain => "PLAIN",
        Encoding.PlainDictionary => "PLAIN_DICTIONARY",
        Encoding.Rle => "RLE",
        Encoding.BitPacked => "BIT_PACKED",
        Encoding.DeltaBinaryPacked => "DELTA_BINARY_PACKED",
        Encoding.DeltaLengthByteArray => "DELTA_LENGTH_BYTE_ARRAY",
        Encoding.DeltaByteArray => "DELTA_BYTE_ARRAY",
        Encoding.RleDictionary => "RLE_DICTIONARY",
        Encoding.ByteStreamSplit => "BYTE_STREAM_SPLIT",
        _ => $"UNKNOWN({(int)e})",
    };

    private static ColumnStatistics Statistics(Meta.Statistics s, PrimitiveField field, bool typeOrdered)
    {
        // min_value/max_value follow the column order; the deprecated min/max were compared as signed
        // bytes, which is only right for the numeric types, so they are trusted only there.
        byte[]? min = null, max = null;
        var exact = true;
        if (typeOrdered && (s.MinValue is not null || s.MaxValue is not null))
        {
            (min, max) = (s.MinValue, s.MaxValue);
            exact = s.IsMinValueExact != false && s.IsMaxValueExact != false;
        }
        else if (LegacyOrderIsSound(field))
        {
            (min, max) = (s.Min, s.Max);
        }

        return new ColumnStatistics(
            s.NullCount,
            s.DistinctCount,
            Decode(min, field),
            Decode(max, field),
            min,
            max,
            exact);
    }

    private static bool LegacyOrderIsSound(PrimitiveField field) =>
        field.PhysicalType is PhysicalType.Boolean or PhysicalType.Int32 or PhysicalType.Int64 or PhysicalType.Float or PhysicalType.Double
        && field.LogicalType is not { Kind: LogicalKind.Integer, IsSigned: false };

    private static object? Decode(byte[]? bytes, PrimitiveField field)
    {
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return field.PhysicalType switch
            {
                PhysicalType.Boolean when bytes.Length == 1 => bytes[0] != 0,
                PhysicalType.Int32 when bytes.Length == 4 => LogicalValues.ConvertPrimitive(field, BinaryPrimitives.ReadInt32LittleEndian(bytes)),
                PhysicalType.Int64 when bytes.Length == 8 => LogicalValues.ConvertPrimitive(field, BinaryPrimitives.ReadInt64LittleEndian(bytes)),
                PhysicalType.Float when bytes.Length == 4 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
                PhysicalType.Double when bytes.Length == 8 => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
                PhysicalType.ByteArray or PhysicalType.FixedLenByteArray => LogicalValues.ConvertBinary(field, bytes),
                _ => null,
            };
        }
        catch (ParquetException)
        {
            return null;
        }
    }

    private static IReadOnlyDictionary<string, string?> ToDictionary(List<KeyValue>? pairs)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            result[pair.Key] = pair.Value;
        }

        return result;
    }
}
