using System.Buffers;
using System.Buffers.Binary;

namespace CdcLake.Parquet.Compression;

/// <summary>
/// LZ4 blocks through the operating system's liblz4, for LZ4_RAW (a bare block) and for the deprecated
/// LZ4 codec (Hadoop's block framing, or a bare block from early parquet-cpp).
/// </summary>
internal static unsafe class Lz4Codec
{
    /// <summary>
    /// Block size for the Hadoop framing we write. Hadoop's own decompressor works in 256 KiB buffers and
    /// fails on larger blocks; 128 KiB leaves room for the worst-case expansion of incompressible data.
    /// </summary>
    internal const int HadoopBlockSize = 128 * 1024;

    private const int HadoopPrefixLength = 8;

    private static readonly NativeCodecLibrary Library = NativeCodecLibrary.Load(
        ["liblz4.so.1", "liblz4.so", "liblz4.1.dylib"],
        "lz4",
        "LZ4 and LZ4_RAW need the native library liblz4.so.1 (Debian: apt-get install liblz4-1; Amazon Linux: lz4)");

    private static readonly delegate* unmanaged<byte*, byte*, int, int, int> Lz4DecompressSafe =
        (delegate* unmanaged<byte*, byte*, int, int, int>)Library.Require("LZ4_decompress_safe");

    private static readonly delegate* unmanaged<byte*, byte*, int, int, int> Lz4CompressDefault =
        (delegate* unmanaged<byte*, byte*, int, int, int>)Library.Require("LZ4_compress_default");

    private static readonly delegate* unmanaged<int, int> Lz4CompressBound =
        (delegate* unmanaged<int, int>)Library.Require("LZ4_compressBound");

    // Only used on the failure path, to tell "too long" from "corrupt"; absent from very old releases.
    private static readonly delegate* unmanaged<byte*, byte*, int, int, int, int> Lz4DecompressSafePartial =
        (delegate* unmanaged<byte*, byte*, int, int, int, int>)Library.Optional("LZ4_decompress_safe_partial");

    public static string? UnavailableReason => Library.UnavailableReason;

    public static void DecompressRaw(ReadOnlySpan<byte> input, Span<byte> output, string codecName)
    {
        Library.EnsureAvailable();
        if (!TryDecompressBlock(input, output, out var failure))
        {
            throw new ParquetException($"{codecName} {failure}");
        }
    }

    /// <summary>
    /// The deprecated LZ4 codec. Parquet-mr wrote Hadoop's framing (blocks, each prefixed by big-endian
    /// decompressed and compressed sizes), early parquet-cpp wrote one bare block, and nothing in the file
    /// says which. As Arrow does, the framing is tried first and only accepted when every block prefix is
    /// consistent and every block decodes to its stated size; otherwise the page is read as a bare block.
    /// </summary>
    public static void DecompressHadoopOrRaw(ReadOnlySpan<byte> input, Span<byte> output)
    {
        Library.EnsureAvailable();
        if (TryDecompressHadoop(input, output))
        {
            return;
        }

        if (!TryDecompressBlock(input, output, out var failure))
        {
            throw new ParquetException(
                $"LZ4 data is neither Hadoop-framed LZ4 blocks totalling the {output.Length} bytes the page declares nor a raw LZ4 block: the raw {failure}");
        }
    }

    public static int MaxCompressedLengthRaw(int length, string codecName)
    {
        Library.EnsureAvailable();
        var bound = Lz4CompressBound(length);
        if (bound <= 0)
        {
            throw new ParquetException($"a page of {length} bytes is too large to compress with {codecName}");
        }

        return bound;
    }

    public static int MaxCompressedLengthHadoop(int length)
    {
        var fullBlocks = length / HadoopBlockSize;
        var remainder = length % HadoopBlockSize;
        long total = (long)fullBlocks * (HadoopPrefixLength + MaxCompressedLengthRaw(HadoopBlockSize, "LZ4"));

        // An empty page still gets one (empty) block so that readers never see a zero-length LZ4 page.
        if (remainder > 0 || length == 0)
        {
            total += HadoopPrefixLength + MaxCompressedLengthRaw(remainder, "LZ4");
        }

        if (total > int.MaxValue)
        {
            throw new ParquetException($"a page of {length} bytes is too large to compress with LZ4");
        }

        return (int)total;
    }

    public static int CompressRaw(ReadOnlySpan<byte> input, Span<byte> output, string codecName)
    {
        Library.EnsureAvailable();
        byte scratch = 0;
        fixed (byte* inputPin = input)
        fixed (byte* outputPin = output)
        {
            var source = inputPin == null ? &scratch : inputPin;
            var written = Lz4CompressDefault(source, outputPin, input.Length, output.Length);
            if (written <= 0)
            {
                throw new ParquetException($"{codecName} compression of {input.Length} bytes failed");
            }

            return written;
        }
    }

    public static int CompressHadoop(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        do
        {
            var block = input[..Math.Min(input.Length, HadoopBlockSize)];
            input = input[block.Length..];
            var compressed = CompressRaw(block, output[(written + HadoopPrefixLength)..], "LZ4");
            BinaryPrimitives.WriteInt32BigEndian(output[written..], block.Length);
            BinaryPrimitives.WriteInt32BigEndian(output[(written + 4)..], compressed);
            written += HadoopPrefixLength + compressed;
        }
        while (!input.IsEmpty);

        return written;
    }

    private static bool TryDecompressHadoop(ReadOnlySpan<byte> input, Span<byte> output)
    {
        // Check the whole framing before decoding anything, so bare blocks are rejected cheaply.
        long declaredTotal = 0;
        var position = 0;
        while (input.Length - position >= HadoopPrefixLength)
        {
            var decompressedSize = BinaryPrimitives.ReadUInt32BigEndian(input[position..]);
            var compressedSize = BinaryPrimitives.ReadUInt32BigEndian(input[(position + 4)..]);
            position += HadoopPrefixLength;
            if (compressedSize > (uint)(input.Length - position))
            {
                return false;
            }

            declaredTotal += decompressedSize;
            if (declaredTotal > output.Length)
            {
                return false;
            }

            position += (int)compressedSize;
        }

        if (position != input.Length || declaredTotal != output.Length)
        {
            return false;
        }

        position = 0;
        var written = 0;
        while (position < input.Length)
        {
            var decompressedSize = (int)BinaryPrimitives.ReadUInt32BigEndian(input[position..]);
            var compressedSize = (int)BinaryPrimitives.ReadUInt32BigEndian(input[(position + 4)..]);
            position += HadoopPrefixLength;
            if (!TryDecompressBlock(
                    input.Slice(position, compressedSize), output.Slice(written, decompressedSize), out _))
            {
                return false;
            }

            position += compressedSize;
            written += decompressedSize;
        }

        return true;
    }

    /// <summary>Decodes one bare block that must fill <paramref name="output"/> exactly.</summary>
    /// <param name="failure">On failure, a predicate phrase such as "is corrupt".</param>
    private static bool TryDecompressBlock(ReadOnlySpan<byte> input, Span<byte> output, out string failure)
    {
        if (input.IsEmpty)
        {
            // liblz4 treats an empty block as an error; even empty data compresses to one token byte.
            failure = "block is empty";
            return false;
        }

        byte scratch = 0;
        int result;
        fixed (byte* inputPin = input)
        fixed (byte* outputPin = output)
        {
            var destination = outputPin == null ? &scratch : outputPin;
            result = Lz4DecompressSafe(inputPin, destination, input.Length, output.Length);
            if (result < 0)
            {
                failure = DescribeFailure(inputPin, input.Length, output.Length);
                return false;
            }
        }

        if (result != output.Length)
        {
            failure = $"block decompresses to {result} bytes but the page declares {output.Length}";
            return false;
        }

        failure = string.Empty;
        return true;
    }

    /// <summary>
    /// LZ4_decompress_safe reports overflow and corruption alike. Decoding one byte further than declared
    /// tells them apart; this only runs for bad data and never allocates more than the declared size.
    /// </summary>
    private static string DescribeFailure(byte* input, int inputLength, int declared)
    {
        const string corrupt = "block is corrupt or truncated";
        if (Lz4DecompressSafePartial == null || declared == int.MaxValue)
        {
            return $"block is corrupt or decompresses to more than the {declared} bytes the page declares";
        }

        var target = declared + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(target);
        try
        {
            fixed (byte* probe = buffer)
            {
                var result = Lz4DecompressSafePartial(input, probe, inputLength, target, target);
                return result == target
                    ? $"block decompresses to more than the {declared} bytes the page declares"
                    : corrupt;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
