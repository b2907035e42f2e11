using System.Buffers.Binary;
using System.IO.Compression;

namespace CdcLake.Parquet.Compression;

/// <summary>
/// GZIP pages. Several writers emit a page as more than one gzip member back to back; GZipStream decodes
/// such a sequence, but it silently accepts a missing final trailer and ignores bytes after the last
/// member, so the framing around it is checked here.
/// </summary>
internal static unsafe class GzipCodec
{
    /// <summary>zlib's own default level.</summary>
    public const int DefaultLevel = 6;

    public const int MinLevel = 0;

    public const int MaxLevel = 9;

    // 10-byte header, an empty deflate block needs at least 2 bytes, 8-byte trailer.
    private const int MinimumMemberLength = 20;
    private const int HeaderLength = 10;
    private const int TrailerLength = 8;

    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length < MinimumMemberLength)
        {
            throw new ParquetException(
                $"GZIP data of {input.Length} bytes is shorter than the smallest gzip member");
        }

        if (input[0] != 0x1F || input[1] != 0x8B)
        {
            throw new ParquetException(
                $"GZIP data does not start with the gzip magic bytes 1F 8B (found {input[0]:X2} {input[1]:X2})");
        }

        if (input[2] != 8)
        {
            throw new ParquetException(
                $"GZIP member uses compression method {input[2]}; only deflate (8) is defined");
        }

        var written = 0;
        var more = false;
        try
        {
            fixed (byte* inputPin = input)
            {
                using var source = new UnmanagedMemoryStream(inputPin, input.Length);
                using var gzip = new GZipStream(source, CompressionMode.Decompress);
                while (written < output.Length)
                {
                    var read = gzip.Read(output[written..]);
                    if (read == 0)
                    {
                        break;
                    }

                    written += read;
                }

                if (written == output.Length)
                {
                    Span<byte> probe = stackalloc byte[1];
                    more = gzip.Read(probe) != 0;
                }
            }
        }
        catch (InvalidDataException e)
        {
            // The runtime's message for a bad checksum or block is misleading ("unsupported compression
            // method"), so it is kept only as the inner exception.
            throw new ParquetException("GZIP data is corrupt: invalid deflate data or a checksum mismatch", e);
        }

        if (more)
        {
            throw new ParquetException(
                $"GZIP data decompresses to more than the {output.Length} bytes the page declares");
        }

        if (written < output.Length)
        {
            throw new ParquetException(
                $"GZIP data decompresses to only {written} bytes but the page declares {output.Length}");
        }

        CheckFinalTrailer(input, output);
    }

    public static int MaxCompressedLength(int length)
    {
        // zlib's conservative deflateBound (it holds for any level and strategy) plus the gzip wrapper.
        var bound = (long)length + ((length + 7L) >> 3) + ((length + 63L) >> 6) + 5 + HeaderLength + TrailerLength;
        if (bound > int.MaxValue)
        {
            throw new ParquetException($"a page of {length} bytes is too large to compress with GZIP");
        }

        return (int)bound;
    }

    /// <summary>
    /// A complete member holding no data: header, one empty final deflate block, zero CRC and length.
    /// GZipStream writes nothing at all for empty input, and a zero-byte GZIP page trips some readers.
    /// </summary>
    private static ReadOnlySpan<byte> EmptyMember =>
        [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output, int level)
    {
        if (input.IsEmpty)
        {
            EmptyMember.CopyTo(output);
            return EmptyMember.Length;
        }

        fixed (byte* outputPin = output)
        {
            using var destination = new UnmanagedMemoryStream(outputPin, 0, output.Length, FileAccess.Write);
            var options = new ZLibCompressionOptions { CompressionLevel = level };
            try
            {
                using (var gzip = new GZipStream(destination, options, leaveOpen: true))
                {
                    gzip.Write(input);
                }
            }
            catch (NotSupportedException e)
            {
                // Only reachable if the bound above were wrong: the output span cannot grow.
                throw new ParquetException(
                    $"GZIP output of {input.Length} bytes overflowed its {output.Length}-byte buffer", e);
            }

            return (int)destination.Position;
        }
    }

    /// <summary>
    /// The last 8 bytes must be the trailer of the last member: its CRC-32 and length cover the tail of
    /// the output. This catches a truncated final trailer and trailing bytes, which GZipStream ignores.
    /// </summary>
    private static void CheckFinalTrailer(ReadOnlySpan<byte> input, ReadOnlySpan<byte> output)
    {
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(input[^TrailerLength..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(input[^4..]);
        if (size > (uint)output.Length || Crc32.Compute(output[^(int)size..]) != crc)
        {
            throw new ParquetException(
                "GZIP data does not end with the trailer of its last member: it is truncated or has trailing bytes");
        }
    }
}
