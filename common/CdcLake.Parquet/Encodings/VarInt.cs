using System.Buffers;
using System.Runtime.CompilerServices;

namespace CdcLake.Parquet.Encodings;

/// <summary>ULEB128 and zigzag, as used by the RLE run headers and the DELTA_BINARY_PACKED headers.</summary>
internal static class VarInt
{
    public const int MaxBytes64 = 10;
    public const int MaxBytes32 = 5;

    /// <summary>Reads an unsigned LEB128 value of at most 64 bits, advancing <paramref name="pos"/>.</summary>
    public static ulong ReadUleb64(ReadOnlySpan<byte> data, ref int pos, string encoding)
    {
        int start = pos;
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            if ((uint)pos >= (uint)data.Length)
            {
                return EncodingErrors.Throw<ulong>($"{encoding}: varint at byte {start} is truncated ({data.Length - start} bytes remain)");
            }

            byte b = data[pos++];
            if (shift == 63 && b > 1)
            {
                return EncodingErrors.Throw<ulong>($"{encoding}: varint at byte {start} does not fit in 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }

            if (shift == 63)
            {
                return EncodingErrors.Throw<ulong>($"{encoding}: varint at byte {start} is longer than {MaxBytes64} bytes");
            }
        }
    }

    /// <summary>Reads an unsigned LEB128 value of at most 32 bits, advancing <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ReadUleb32(ReadOnlySpan<byte> data, ref int pos, string encoding)
    {
        // Run headers are nearly always one byte; keep that case branch-light and inlined.
        if ((uint)pos < (uint)data.Length && data[pos] < 0x80)
        {
            return data[pos++];
        }

        return ReadUleb32Slow(data, ref pos, encoding);
    }

    private static uint ReadUleb32Slow(ReadOnlySpan<byte> data, ref int pos, string encoding)
    {
        int start = pos;
        uint result = 0;
        for (int shift = 0; ; shift += 7)
        {
            if ((uint)pos >= (uint)data.Length)
            {
                return EncodingErrors.Throw<uint>($"{encoding}: varint at byte {start} is truncated ({data.Length - start} bytes remain)");
            }

            byte b = data[pos++];
            if (shift == 28 && b > 0x0F)
            {
                return EncodingErrors.Throw<uint>($"{encoding}: varint at byte {start} does not fit in 32 bits");
            }

            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ZigZagDecode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZagEncode(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ZigZagEncode32(int value) => (uint)((value << 1) ^ (value >> 31));

    /// <summary>Writes <paramref name="value"/> as ULEB128 into <paramref name="destination"/> (at least 10 bytes); returns the length.</summary>
    public static int WriteUleb64(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static void WriteUleb64(IBufferWriter<byte> output, ulong value)
    {
        Span<byte> span = output.GetSpan(MaxBytes64);
        output.Advance(WriteUleb64(span, value));
    }
}
