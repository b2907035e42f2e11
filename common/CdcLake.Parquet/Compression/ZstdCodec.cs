using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Compression;

/// <summary>
/// ZSTD through the operating system's libzstd. Calls go through function pointers resolved at run time
/// because [DllImport] binds one fixed file name, and Debian ships only the versioned libzstd.so.1 without
/// the -dev package.
/// </summary>
internal static unsafe class ZstdCodec
{
    /// <summary>zstd's own default level.</summary>
    public const int DefaultLevel = 3;

    /// <summary>The fastest negative level zstd accepts (-ZSTD_TARGETLENGTH_MAX).</summary>
    public const int MinLevel = -(1 << 17);

    public const int MaxLevel = 22;

    private const ulong ContentSizeUnknown = ulong.MaxValue;
    private const ulong ContentSizeError = ulong.MaxValue - 1;

    private static readonly NativeCodecLibrary Library = NativeCodecLibrary.Load(
        ["libzstd.so.1", "libzstd.so", "libzstd.1.dylib"],
        "zstd",
        "ZSTD needs the native library libzstd.so.1 (Debian: apt-get install libzstd1; Amazon Linux: zstd)");

    private static readonly delegate* unmanaged<byte*, nuint, byte*, nuint, nuint> ZstdDecompress =
        (delegate* unmanaged<byte*, nuint, byte*, nuint, nuint>)Library.Require("ZSTD_decompress");

    private static readonly delegate* unmanaged<byte*, nuint, byte*, nuint, int, nuint> ZstdCompress =
        (delegate* unmanaged<byte*, nuint, byte*, nuint, int, nuint>)Library.Require("ZSTD_compress");

    private static readonly delegate* unmanaged<nuint, nuint> ZstdCompressBound =
        (delegate* unmanaged<nuint, nuint>)Library.Require("ZSTD_compressBound");

    private static readonly delegate* unmanaged<nuint, uint> ZstdIsError =
        (delegate* unmanaged<nuint, uint>)Library.Require("ZSTD_isError");

    private static readonly delegate* unmanaged<nuint, byte*> ZstdGetErrorName =
        (delegate* unmanaged<nuint, byte*>)Library.Require("ZSTD_getErrorName");

    private static readonly delegate* unmanaged<byte*, nuint, ulong> ZstdGetFrameContentSize =
        (delegate* unmanaged<byte*, nuint, ulong>)Library.Require("ZSTD_getFrameContentSize");

    public static string? UnavailableReason => Library.UnavailableReason;

    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        Library.EnsureAvailable();
        byte scratch = 0;
        fixed (byte* inputPin = input)
        fixed (byte* outputPin = output)
        {
            // Only the first frame's header is checked here: it catches data that is not zstd at all and
            // gives a precise size message; ZSTD_decompress itself walks every concatenated frame.
            var firstFrameSize = ZstdGetFrameContentSize(inputPin, (nuint)input.Length);
            if (firstFrameSize == ContentSizeError)
            {
                throw new ParquetException("ZSTD data does not start with a valid zstd frame header");
            }

            if (firstFrameSize != ContentSizeUnknown && firstFrameSize > (ulong)output.Length)
            {
                throw new ParquetException(
                    $"ZSTD frame declares {firstFrameSize} uncompressed bytes but the page declares {output.Length}");
            }

            // An empty span pins to null; libzstd wants a real address even for zero capacity.
            var destination = outputPin == null ? &scratch : outputPin;
            var result = ZstdDecompress(destination, (nuint)output.Length, inputPin, (nuint)input.Length);
            if (ZstdIsError(result) != 0)
            {
                throw new ParquetException(
                    $"ZSTD data does not decompress to the {output.Length} bytes the page declares: {ErrorName(result)}");
            }

            if (result != (nuint)output.Length)
            {
                throw new ParquetException(
                    $"ZSTD data decompresses to {result} bytes but the page declares {output.Length}");
            }
        }
    }

    public static int MaxCompressedLength(int length)
    {
        Library.EnsureAvailable();
        var bound = ZstdCompressBound((nuint)length);
        if (ZstdIsError(bound) != 0 || bound > int.MaxValue)
        {
            throw new ParquetException($"a page of {length} bytes is too large to compress with ZSTD");
        }

        return (int)bound;
    }

    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output, int level)
    {
        Library.EnsureAvailable();
        byte scratch = 0;
        fixed (byte* inputPin = input)
        fixed (byte* outputPin = output)
        {
            var source = inputPin == null ? &scratch : inputPin;
            var result = ZstdCompress(outputPin, (nuint)output.Length, source, (nuint)input.Length, level);
            if (ZstdIsError(result) != 0)
            {
                throw new ParquetException($"ZSTD compression failed: {ErrorName(result)}");
            }

            return (int)result;
        }
    }

    private static string ErrorName(nuint code) =>
        Marshal.PtrToStringUTF8((IntPtr)ZstdGetErrorName(code)) ?? $"zstd error {code}";
}
