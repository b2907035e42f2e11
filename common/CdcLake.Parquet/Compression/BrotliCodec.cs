using System.Buffers;
using System.IO.Compression;

namespace CdcLake.Parquet.Compression;

/// <summary>BROTLI pages, through the runtime's BrotliDecoder and BrotliEncoder.</summary>
internal static class BrotliCodec
{
    /// <summary>The runtime's default quality: a much faster write than brotli's own default of 11.</summary>
    public const int DefaultLevel = 4;

    public const int MinLevel = 0;

    public const int MaxLevel = 11;

    /// <summary>The runtime's default window (log2 of 4 MiB).</summary>
    private const int Window = 22;

    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        using var decoder = new BrotliDecoder();
        var consumed = 0;
        var written = 0;
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            var status = decoder.Decompress(input[consumed..], output[written..], out var read, out var wrote);
            consumed += read;
            written += wrote;
            if (status == OperationStatus.DestinationTooSmall)
            {
                if (written < output.Length)
                {
                    if (read == 0 && wrote == 0)
                    {
                        throw new ParquetException("BROTLI decoder stopped making progress: the data is corrupt");
                    }

                    continue;
                }

                // The output is full; the stream must now end without producing anything more.
                status = decoder.Decompress(input[consumed..], probe, out read, out wrote);
                consumed += read;
                if (wrote > 0 || status == OperationStatus.DestinationTooSmall)
                {
                    throw new ParquetException(
                        $"BROTLI data decompresses to more than the {output.Length} bytes the page declares");
                }
            }

            switch (status)
            {
                case OperationStatus.Done:
                    break;
                case OperationStatus.NeedMoreData:
                    throw new ParquetException(
                        $"BROTLI data is truncated: it ends after {written} of the {output.Length} bytes the page declares");
                case OperationStatus.InvalidData:
                    throw new ParquetException("BROTLI data is corrupt");
                default:
                    continue;
            }

            break;
        }

        if (written < output.Length)
        {
            throw new ParquetException(
                $"BROTLI data decompresses to only {written} bytes but the page declares {output.Length}");
        }

        if (consumed < input.Length)
        {
            throw new ParquetException(
                $"BROTLI data has {input.Length - consumed} bytes after the end of the brotli stream");
        }
    }

    public static int MaxCompressedLength(int length)
    {
        var bound = BrotliEncoder.GetMaxCompressedLength(length);
        if (bound <= 0)
        {
            throw new ParquetException($"a page of {length} bytes is too large to compress with BROTLI");
        }

        return bound;
    }

    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output, int level)
    {
        if (!BrotliEncoder.TryCompress(input, output, out var written, level, Window))
        {
            throw new ParquetException(
                $"BROTLI compression of {input.Length} bytes did not fit its {output.Length}-byte buffer");
        }

        return written;
    }
}
