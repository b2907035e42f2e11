using System.Buffers;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// The deprecated BIT_PACKED encoding (4), found only for levels in old files: values back to back, most
/// significant bit first, no header and no length prefix, the last byte zero-padded.
/// </summary>
internal static class LegacyBitPacked
{
    private const string Name = "BIT_PACKED";

    /// <summary>Decodes <c>values.Length</c> values of <paramref name="bitWidth"/> (0..32) bits; returns the bytes consumed.</summary>
    public static int Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> values)
    {
        if ((uint)bitWidth > 32)
        {
            EncodingErrors.Throw($"{Name}: bit width {bitWidth} is outside 0..32");
        }

        long needed = BitPacking.ByteCount(values.Length, bitWidth);
        if (needed > data.Length)
        {
            EncodingErrors.TooShort(Name, $"{values.Length} values of {bitWidth} bits", needed, data.Length);
        }

        if (bitWidth == 0)
        {
            values.Clear();
            return 0;
        }

        ulong mask = (1UL << bitWidth) - 1;
        ulong acc = 0;
        int bits = 0;
        int pos = 0;
        for (int i = 0; i < values.Length; i++)
        {
            // At most bitWidth+7 bits are ever held, so a 64-bit accumulator never overflows.
            while (bits < bitWidth)
            {
                acc = (acc << 8) | data[pos++];
                bits += 8;
            }

            bits -= bitWidth;
            values[i] = (int)(uint)((acc >> bits) & mask);
        }

        return (int)needed;
    }

    /// <summary>Encodes values (each within 0..2^bitWidth-1) MSB-first, for tests and for rewriting old files.</summary>
    public static void Encode(ReadOnlySpan<int> values, int bitWidth, IBufferWriter<byte> output)
    {
        if ((uint)bitWidth > 32)
        {
            EncodingErrors.Throw($"{Name}: bit width {bitWidth} is outside 0..32");
        }

        int total = (int)BitPacking.ByteCount(values.Length, bitWidth);
        Span<byte> span = output.GetSpan(Math.Max(total, 1)).Slice(0, total);
        uint maxValue = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        ulong acc = 0;
        int bits = 0;
        int pos = 0;
        for (int i = 0; i < values.Length; i++)
        {
            uint value = (uint)values[i];
            if (value > maxValue)
            {
                EncodingErrors.Throw($"{Name}: value {values[i]} at index {i} does not fit in bit width {bitWidth}");
            }

            acc = (acc << bitWidth) | value;
            bits += bitWidth;
            while (bits >= 8)
            {
                bits -= 8;
                span[pos++] = (byte)(acc >> bits);
            }
        }

        if (bits > 0)
        {
            span[pos++] = (byte)(acc << (8 - bits));
        }

        output.Advance(total);
    }
}
