using System.Buffers.Binary;
using CdcLake.Parquet.Encodings;
using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet.Internal.Reading;

/// <summary>
/// Checks a page's declared value count against its bytes before the reader sizes level and value buffers
/// for it. Otherwise the count is bounded only by the row group's row count, which a corrupt footer can put
/// at two billion: a 500-byte file then costs gigabytes before decoding finds the data missing. Only what
/// can be told cheaply is checked (run headers, fixed widths); the decoders still check everything exactly
/// and give the precise message, so anything unclear here is left to them.
/// </summary>
internal static class DeclaredCounts
{
    /// <summary>Data page v1: the (decompressed) page starts with the repetition, then the definition levels.</summary>
    /// <param name="repetitionBits">Bit width of the repetition levels, or -1 when the column has none.</param>
    /// <param name="definitionBits">Bit width of the definition levels, or -1 when the column has none.</param>
    public static void CheckLevelsV1(ReadOnlySpan<byte> page, DataPageHeader header, int count, int repetitionBits, int definitionBits)
    {
        var position = 0;
        if (repetitionBits >= 0)
        {
            position = LevelsV1(page, header.RepetitionLevelEncoding, repetitionBits, count, "repetition");
        }

        if (definitionBits >= 0 && position <= page.Length)
        {
            LevelsV1(page[position..], header.DefinitionLevelEncoding, definitionBits, count, "definition");
        }
    }

    /// <summary>Data page v2: levels are stored apart and uncompressed, without length prefixes.</summary>
    public static void CheckLevelsV2(ReadOnlySpan<byte> repetition, ReadOnlySpan<byte> definition, int count, int repetitionBits, int definitionBits)
    {
        if (repetitionBits >= 0)
        {
            Runs(repetition, repetitionBits, count, "repetition levels");
        }

        if (definitionBits >= 0)
        {
            Runs(definition, definitionBits, count, "definition levels");
        }
    }

    /// <summary>The values of a page: <paramref name="count"/> non-null values in <paramref name="encoding"/>.</summary>
    public static void CheckValues(ReadOnlySpan<byte> data, Encoding encoding, int count, PhysicalType physical, int typeLength)
    {
        long bits = physical switch
        {
            PhysicalType.Boolean => 1,
            PhysicalType.Int32 or PhysicalType.Float => 32,
            PhysicalType.Int64 or PhysicalType.Double => 64,
            PhysicalType.Int96 => 96,
            PhysicalType.FixedLenByteArray => typeLength * 8L,
            _ => 32, // BYTE_ARRAY: at least its 4-byte length
        };
        switch (encoding)
        {
            case Encoding.Plain:
            case Encoding.ByteStreamSplit when physical is not (PhysicalType.ByteArray or PhysicalType.Boolean or PhysicalType.Int96):
                var needed = ((count * bits) + 7) >> 3;
                if (needed > data.Length)
                {
                    throw new ParquetException($"{Name(encoding)}: {count} {physical} values need {needed} bytes, the page holds {data.Length}");
                }

                break;
            case Encoding.PlainDictionary or Encoding.RleDictionary when data.Length > 0:
                Runs(data[1..], data[0], count, "dictionary indices");
                break;
            case Encoding.Rle when physical == PhysicalType.Boolean && data.Length >= 4:
                var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
                if (length <= (uint)(data.Length - 4))
                {
                    Runs(data.Slice(4, (int)length), 1, count, "RLE booleans");
                }

                break;
        }
    }

    private static int LevelsV1(ReadOnlySpan<byte> data, Encoding encoding, int bitWidth, int count, string what)
    {
        switch (encoding)
        {
            case Encoding.Rle when data.Length >= 4:
                var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
                if (length > (uint)(data.Length - 4))
                {
                    return int.MaxValue; // the decoder reports the bad prefix
                }

                Runs(data.Slice(4, (int)length), bitWidth, count, what + " levels");
                return 4 + (int)length;
            case Encoding.BitPacked:
                var needed = BitPacking.ByteCount(count, bitWidth);
                if (needed > data.Length)
                {
                    throw new ParquetException($"BIT_PACKED {what} levels: {count} values of {bitWidth} bits need {needed} bytes, the page holds {data.Length}");
                }

                return (int)needed;
            default:
                return int.MaxValue;
        }
    }

    private static void Runs(ReadOnlySpan<byte> data, int bitWidth, int count, string what)
    {
        var declared = RleBitPackedHybrid.CountValues(data, bitWidth, count);
        if (declared < count)
        {
            throw new ParquetException($"RLE {what}: the runs hold {declared} values, the page declares {count}");
        }
    }

    private static string Name(Encoding encoding) => encoding == Encoding.Plain ? "PLAIN" : "BYTE_STREAM_SPLIT";
}
