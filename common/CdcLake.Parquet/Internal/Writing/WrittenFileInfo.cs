using System.Buffers.Binary;
using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet.Internal.Writing;

/// <summary>The public summary of a footer the writer has just written.</summary>
internal static class WrittenFileInfo
{
    public static ParquetFileInfo Build(FileMetaData meta, ParquetSchema schema)
    {
        var rowGroups = new RowGroupInfo[meta.RowGroups.Count];
        for (var g = 0; g < rowGroups.Length; g++)
        {
            var group = meta.RowGroups[g];
            var columns = new ColumnChunkInfo[group.Columns.Count];
            for (var c = 0; c < columns.Length; c++)
            {
                columns[c] = Column(group.Columns[c].MetaData!, schema.Columns[c]);
            }

            rowGroups[g] = new RowGroupInfo(g, group.NumRows, group.TotalByteSize, group.TotalCompressedSize, columns);
        }

        return new ParquetFileInfo(meta.Version, meta.CreatedBy, meta.NumRows, ToDictionary(meta.KeyValueMetadata), rowGroups);
    }

    private static ColumnChunkInfo Column(ColumnMetaData m, ColumnDescriptor column) => new(
        column,
        CodecName(m.Codec),
        [.. m.Encodings.Select(EncodingName)],
        m.NumValues,
        m.TotalCompressedSize,
        m.TotalUncompressedSize,
        m.DataPageOffset,
        m.DictionaryPageOffset,
        m.Statistics is { } s
            ? new ColumnStatistics(s.NullCount, s.DistinctCount, Decode(s.MinValue, column.Field), Decode(s.MaxValue, column.Field), s.MinValue, s.MaxValue, IsExact: true)
            : null,
        ToDictionary(m.KeyValueMetadata),
        HasBloomFilter: false);

    private static string CodecName(CompressionCodec codec) => codec switch
    {
        CompressionCodec.Uncompressed => "UNCOMPRESSED",
        CompressionCodec.Lz4Raw => "LZ4_RAW",
        _ => codec.ToString().ToUpperInvariant(),
    };

    private static string EncodingName(Encoding encoding) => encoding switch
    {
        Encoding.Plain => "PLAIN",
        Encoding.Rle => "RLE",
        Encoding.RleDictionary => "RLE_DICTIONARY",
        _ => encoding.ToString().ToUpperInvariant(),
    };

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
                PhysicalType.Boolean => bytes[0] != 0,
                PhysicalType.Int32 => LogicalValues.ConvertPrimitive(field, BinaryPrimitives.ReadInt32LittleEndian(bytes)),
                PhysicalType.Int64 => LogicalValues.ConvertPrimitive(field, BinaryPrimitives.ReadInt64LittleEndian(bytes)),
                PhysicalType.Float => BinaryPrimitives.ReadSingleLittleEndian(bytes),
                PhysicalType.Double => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
                PhysicalType.ByteArray or PhysicalType.FixedLenByteArray => LogicalValues.ConvertBinary(field, bytes),
                _ => null,
            };
        }
        catch (Exception e) when (e is ParquetException or OverflowException or ArgumentException)
        {
            // A bound .NET cannot represent (a timestamp past year 9999) is still in the footer as bytes.
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
