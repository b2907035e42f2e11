namespace CdcLake.Parquet.Compression;

/// <summary>SNAPPY pages (the bare block format, not the framed stream), through IronSnappy.</summary>
internal static class SnappyCodec
{
    /// <summary>The varint preamble of a 32-bit length takes at most 5 bytes.</summary>
    private const int MaxPreambleLength = 5;

    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        // IronSnappy allocates its result from the preamble, so the preamble must be checked against the
        // already-capped page size before the library sees the data.
        var length = ReadPreamble(input);
        if (length != (ulong)output.Length)
        {
            throw new ParquetException(
                $"SNAPPY data declares {length} uncompressed bytes but the page declares {output.Length}");
        }

        byte[] decoded;
        try
        {
            decoded = IronSnappy.Snappy.Decode(input);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // IronSnappy signals bad input with several exception types, some of them incidental
            // (index out of range); all of them mean the block is corrupt.
            throw new ParquetException($"SNAPPY data is corrupt: {e.Message}", e);
        }

        if (decoded.Length != output.Length)
        {
            throw new ParquetException(
                $"SNAPPY data decompresses to {decoded.Length} bytes but the page declares {output.Length}");
        }

        decoded.CopyTo(output);
    }

    public static int MaxCompressedLength(int length)
    {
        // Snappy's documented worst case: 32 + n + n / 6.
        var bound = 32L + length + (length / 6);
        if (bound > int.MaxValue)
        {
            throw new ParquetException($"a page of {length} bytes is too large to compress with SNAPPY");
        }

        return (int)bound;
    }

    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var encoded = IronSnappy.Snappy.Encode(input);
        if (encoded.Length > output.Length)
        {
            throw new ParquetException(
                $"SNAPPY output of {encoded.Length} bytes exceeds its {output.Length}-byte buffer");
        }

        encoded.CopyTo(output);
        return encoded.Length;
    }

    private static ulong ReadPreamble(ReadOnlySpan<byte> input)
    {
        ulong length = 0;
        for (var i = 0; i < MaxPreambleLength; i++)
        {
            if (i == input.Length)
            {
                throw new ParquetException("SNAPPY data ends inside its length preamble");
            }

            var b = input[i];
            length |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                if (length > uint.MaxValue)
                {
                    throw new ParquetException($"SNAPPY length preamble {length} exceeds 32 bits");
                }

                return length;
            }
        }

        throw new ParquetException("SNAPPY length preamble is longer than 5 bytes");
    }
}
