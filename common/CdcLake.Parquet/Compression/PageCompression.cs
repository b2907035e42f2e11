using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace CdcLake.Parquet.Compression;

/// <summary>
/// The one entry point through which the page reader and writer compress and decompress page bodies.
/// Every problem with the data surfaces as a <see cref="ParquetException"/>; misuse by the caller
/// (an output buffer below <see cref="MaxCompressedLength"/>, a level out of range) is an argument error.
/// </summary>
internal static class PageCompression
{
    /// <summary>
    /// Decompresses one page body into <paramref name="output"/>, whose length is the page's declared
    /// uncompressed size (already capped by the caller). The data must decompress to exactly that many
    /// bytes; more or fewer is a <see cref="ParquetException"/>. No codec allocates from a size found in
    /// the data.
    /// </summary>
    public static void Decompress(CodecId codec, ReadOnlySpan<byte> input, Span<byte> output)
    {
        EnsureKnown(codec);

        // Writers skip the codec for an empty page body (see page_v2_empty_compressed.parquet), and no
        // codec's empty input can mean anything else.
        if (input.IsEmpty && codec != CodecId.Uncompressed)
        {
            if (output.IsEmpty)
            {
                return;
            }

            throw new ParquetException(
                $"{Name(codec)} page has no compressed bytes but declares {output.Length} uncompressed bytes");
        }

        switch (codec)
        {
            case CodecId.Uncompressed:
                if (input.Length != output.Length)
                {
                    throw new ParquetException(
                        $"UNCOMPRESSED page has {input.Length} bytes but declares {output.Length} uncompressed bytes");
                }

                input.CopyTo(output);
                break;
            case CodecId.Snappy:
                SnappyCodec.Decompress(input, output);
                break;
            case CodecId.Gzip:
                GzipCodec.Decompress(input, output);
                break;
            case CodecId.Brotli:
                BrotliCodec.Decompress(input, output);
                break;
            case CodecId.Lz4:
                Lz4Codec.DecompressHadoopOrRaw(input, output);
                break;
            case CodecId.Zstd:
                ZstdCodec.Decompress(input, output);
                break;
            case CodecId.Lz4Raw:
                Lz4Codec.DecompressRaw(input, output, "LZ4_RAW");
                break;
        }
    }

    /// <summary>
    /// The most bytes <paramref name="compressedLength"/> bytes of the codec's data can decompress to, by the
    /// format's own limits, so that a page's declared size can be checked before a buffer of that size is
    /// allocated: a corrupt 20-byte page must not cost hundreds of megabytes. <see cref="long.MaxValue"/> for
    /// BROTLI, whose copy commands reach ratios too large to bound usefully.
    /// </summary>
    public static long MaxDecompressedLength(CodecId codec, int compressedLength)
    {
        EnsureKnown(codec);
        ArgumentOutOfRangeException.ThrowIfNegative(compressedLength);
        long n = compressedLength;
        return codec switch
        {
            CodecId.Uncompressed => n,

            // A 3-byte copy (tag and 2-byte offset) yields at most 64 bytes.
            CodecId.Snappy => n * 22,

            // Deflate's maximum ratio is 1032:1 (a 258-byte match in 2 bits); gzip framing only adds bytes.
            CodecId.Gzip => n * 1032,

            // Each extra match-length byte of an LZ4 sequence adds at most 255 bytes; Hadoop framing adds bytes.
            CodecId.Lz4 or CodecId.Lz4Raw => (n * 255) + 64,

            // A zstd block holds at most 128 KiB and takes at least 4 bytes (3-byte header and an RLE byte).
            CodecId.Zstd => n * (128 * 1024 / 4),
            _ => long.MaxValue,
        };
    }

    /// <summary>The output buffer size that <see cref="Compress(CodecId, ReadOnlySpan{byte}, Span{byte}, int?)"/> needs.</summary>
    public static int MaxCompressedLength(CodecId codec, int uncompressedLength)
    {
        EnsureKnown(codec);
        ArgumentOutOfRangeException.ThrowIfNegative(uncompressedLength);
        return codec switch
        {
            CodecId.Uncompressed => uncompressedLength,
            CodecId.Snappy => SnappyCodec.MaxCompressedLength(uncompressedLength),
            CodecId.Gzip => GzipCodec.MaxCompressedLength(uncompressedLength),
            CodecId.Brotli => BrotliCodec.MaxCompressedLength(uncompressedLength),
            CodecId.Lz4 => Lz4Codec.MaxCompressedLengthHadoop(uncompressedLength),
            CodecId.Zstd => ZstdCodec.MaxCompressedLength(uncompressedLength),
            CodecId.Lz4Raw => Lz4Codec.MaxCompressedLengthRaw(uncompressedLength, "LZ4_RAW"),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>
    /// Compresses one page body and returns the number of bytes written. <paramref name="output"/> must
    /// hold at least <see cref="MaxCompressedLength"/> bytes. LZ4 (codec 5) is written in Hadoop's framing,
    /// which every reader of that codec accepts; prefer LZ4_RAW for new files.
    /// </summary>
    /// <param name="level">
    /// Null for the codec's default. GZIP 0–9 (default 6), BROTLI 0–11 (default 4), ZSTD −131072–22
    /// (default 3). Any other codec accepts only null.
    /// </param>
    public static int Compress(CodecId codec, ReadOnlySpan<byte> input, Span<byte> output, int? level = null)
    {
        var required = MaxCompressedLength(codec, input.Length);
        if (output.Length < required)
        {
            throw new ArgumentException(
                $"{Name(codec)} needs an output buffer of {required} bytes for {input.Length} input bytes; got {output.Length}",
                nameof(output));
        }

        var effectiveLevel = ResolveLevel(codec, level);
        switch (codec)
        {
            case CodecId.Uncompressed:
                input.CopyTo(output);
                return input.Length;
            case CodecId.Snappy:
                return SnappyCodec.Compress(input, output);
            case CodecId.Gzip:
                return GzipCodec.Compress(input, output, effectiveLevel);
            case CodecId.Brotli:
                return BrotliCodec.Compress(input, output, effectiveLevel);
            case CodecId.Lz4:
                return Lz4Codec.CompressHadoop(input, output);
            case CodecId.Zstd:
                return ZstdCodec.Compress(input, output, effectiveLevel);
            case CodecId.Lz4Raw:
                return Lz4Codec.CompressRaw(input, output, "LZ4_RAW");
            default:
                throw new UnreachableException();
        }
    }

    /// <summary>Compresses one page body onto the end of <paramref name="output"/>; returns the bytes written.</summary>
    public static int Compress(CodecId codec, ReadOnlySpan<byte> input, IBufferWriter<byte> output, int? level = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var required = MaxCompressedLength(codec, input.Length);
        var written = Compress(codec, input, output.GetSpan(required)[..required], level);
        output.Advance(written);
        return written;
    }

    /// <summary>
    /// Whether pages of this codec can be read and written here; false with a reason for LZO, unknown ids,
    /// and codecs whose native library is missing. Lets a writer refuse a setting before writing data.
    /// </summary>
    public static bool IsAvailable(CodecId codec, [NotNullWhen(false)] out string? reason)
    {
        reason = codec switch
        {
            CodecId.Lzo => LzoUnsupported,
            CodecId.Zstd => ZstdCodec.UnavailableReason,
            CodecId.Lz4 or CodecId.Lz4Raw => Lz4Codec.UnavailableReason,
            _ when !Enum.IsDefined(codec) => UnknownCodec(codec),
            _ => null,
        };
        return reason is null;
    }

    /// <summary>The codec's name as the Parquet format spells it, for messages.</summary>
    public static string Name(CodecId codec) => codec switch
    {
        CodecId.Uncompressed => "UNCOMPRESSED",
        CodecId.Snappy => "SNAPPY",
        CodecId.Gzip => "GZIP",
        CodecId.Lzo => "LZO",
        CodecId.Brotli => "BROTLI",
        CodecId.Lz4 => "LZ4",
        CodecId.Zstd => "ZSTD",
        CodecId.Lz4Raw => "LZ4_RAW",
        _ => $"codec {(int)codec}",
    };

    private const string LzoUnsupported = "LZO is not supported";

    private static string UnknownCodec(CodecId codec) => $"unknown compression codec {(int)codec}";

    private static void EnsureKnown(CodecId codec)
    {
        if (codec == CodecId.Lzo)
        {
            throw new ParquetException(LzoUnsupported);
        }

        if (!Enum.IsDefined(codec))
        {
            throw new ParquetException(UnknownCodec(codec));
        }
    }

    private static int ResolveLevel(CodecId codec, int? level)
    {
        var (min, max, fallback) = codec switch
        {
            CodecId.Gzip => (GzipCodec.MinLevel, GzipCodec.MaxLevel, GzipCodec.DefaultLevel),
            CodecId.Brotli => (BrotliCodec.MinLevel, BrotliCodec.MaxLevel, BrotliCodec.DefaultLevel),
            CodecId.Zstd => (ZstdCodec.MinLevel, ZstdCodec.MaxLevel, ZstdCodec.DefaultLevel),
            _ => (0, 0, 0),
        };

        if (level is not { } value)
        {
            return fallback;
        }

        if (min == max)
        {
            throw new ArgumentOutOfRangeException(nameof(level), value, $"{Name(codec)} has no compression levels");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(value, min, nameof(level));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, max, nameof(level));
        return value;
    }
}
