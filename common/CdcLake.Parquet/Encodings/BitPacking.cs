using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// LSB-first bit packing shared by the RLE/bit-packed hybrid and DELTA_BINARY_PACKED: value <c>k</c> occupies bits
/// <c>k*w .. k*w+w-1</c> of the little-endian bit stream. Eight values of width <c>w</c> fill exactly <c>w</c> bytes.
/// </summary>
internal static class BitPacking
{
    /// <summary>Bytes needed for <paramref name="count"/> values of <paramref name="bitWidth"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ByteCount(long count, int bitWidth) => ((count * bitWidth) + 7) >> 3;

    /// <summary>
    /// Unpacks <c>destination.Length</c> values of <paramref name="bitWidth"/> (0..32) bits from the start of
    /// <paramref name="source"/>. Bytes past the packed values are only read as lookahead, never interpreted, so
    /// callers pass everything they have to keep the fast path engaged to the end.
    /// </summary>
    public static void Unpack32(ReadOnlySpan<byte> source, Span<uint> destination, int bitWidth)
    {
        if ((uint)bitWidth > 32)
        {
            EncodingErrors.Throw($"bit width {bitWidth} is outside 0..32");
        }

        int count = destination.Length;
        if (bitWidth == 0 || count == 0)
        {
            destination.Clear();
            return;
        }

        long needed = ByteCount(count, bitWidth);
        if (needed > source.Length)
        {
            EncodingErrors.Throw($"bit-packed data of {source.Length} bytes is too short for {count} values of {bitWidth} bits ({needed} bytes)");
        }

        // A group of 8 values is read with 8-byte loads that may start up to w-1 bytes in, so the fast loop only
        // runs while w+7 bytes are readable from the group start; the rest goes through a zero-padded copy.
        int groups = count >> 3;
        int fastGroups = source.Length >= 7 ? Math.Min(groups, (source.Length - 7) / bitWidth) : 0;
        if (fastGroups > 0)
        {
            UnpackGroupsDispatch(
                ref MemoryMarshal.GetReference(source),
                ref MemoryMarshal.GetReference(destination),
                fastGroups,
                bitWidth);
        }

        int done = fastGroups * 8;
        if (done == count)
        {
            return;
        }

        int tailStart = fastGroups * bitWidth;
        int tailBytes = (int)(needed - tailStart);
        Span<byte> padded = stackalloc byte[TailBufferSize];
        padded.Clear();
        source.Slice(tailStart, tailBytes).CopyTo(padded);
        UnpackGeneric(padded, destination.Slice(done), bitWidth);
    }

    /// <summary>As <see cref="Unpack32"/>, for widths 0..64 (DELTA_BINARY_PACKED on INT64).</summary>
    public static void Unpack64(ReadOnlySpan<byte> source, Span<ulong> destination, int bitWidth)
    {
        if ((uint)bitWidth > 64)
        {
            EncodingErrors.Throw($"bit width {bitWidth} is outside 0..64");
        }

        int count = destination.Length;
        if (bitWidth == 0 || count == 0)
        {
            destination.Clear();
            return;
        }

        long needed = ByteCount(count, bitWidth);
        if (needed > source.Length)
        {
            EncodingErrors.Throw($"bit-packed data of {source.Length} bytes is too short for {count} values of {bitWidth} bits ({needed} bytes)");
        }

        if (bitWidth <= 32)
        {
            // Narrow deltas are the norm; reuse the specialised 32-bit unpackers a chunk at a time. Chunks are a
            // multiple of 8 values, so each starts on a byte boundary.
            Span<uint> chunk = stackalloc uint[Chunk];
            for (int done = 0; done < count; done += Chunk)
            {
                int n = Math.Min(Chunk, count - done);
                int byteStart = (int)(((long)done * bitWidth) >> 3);
                Unpack32(source.Slice(byteStart), chunk.Slice(0, n), bitWidth);
                Span<ulong> target = destination.Slice(done, n);
                for (int i = 0; i < target.Length; i++)
                {
                    target[i] = chunk[i];
                }
            }

            return;
        }

        ulong mask = bitWidth == 64 ? ulong.MaxValue : (1UL << bitWidth) - 1;
        ref byte src = ref MemoryMarshal.GetReference(source);
        long bit = 0;
        int k = 0;

        // A value straddles at most 9 bytes; the loop reads 8 plus one more only while all 9 are in range.
        for (; k < count; k++, bit += bitWidth)
        {
            long at = bit >> 3;
            if (at + 9 > source.Length)
            {
                break;
            }

            destination[k] = Read64(ref Unsafe.Add(ref src, (nint)at), (int)(bit & 7), bitWidth) & mask;
        }

        if (k == count)
        {
            return;
        }

        int tailStart = (int)(bit >> 3);
        Span<byte> padded = stackalloc byte[TailBufferSize];
        padded.Clear();
        source.Slice(tailStart, (int)(needed - tailStart)).CopyTo(padded);
        ref byte pad = ref MemoryMarshal.GetReference(padded);
        long local = bit & 7;
        for (; k < count; k++, local += bitWidth)
        {
            destination[k] = Read64(ref Unsafe.Add(ref pad, (nint)(local >> 3)), (int)(local & 7), bitWidth) & mask;
        }
    }

    /// <summary>
    /// Packs <paramref name="values"/> (each already known to fit) into exactly <c>ByteCount(values.Length, w)</c>
    /// bytes at the start of <paramref name="destination"/>; the unused high bits of the last byte are zero.
    /// </summary>
    public static void Pack32(ReadOnlySpan<uint> values, Span<byte> destination, int bitWidth)
    {
        if ((uint)bitWidth > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(bitWidth), bitWidth, "bit width must be within 0..32");
        }

        int total = (int)ByteCount(values.Length, bitWidth);
        Span<byte> dst = destination.Slice(0, total);
        if (bitWidth == 0)
        {
            return;
        }

        ulong acc = 0;
        int bits = 0;
        int pos = 0;
        foreach (uint value in values)
        {
            acc |= (ulong)value << bits;
            bits += bitWidth;
            if (bits >= 32)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(pos), (uint)acc);
                pos += 4;
                acc >>= 32;
                bits -= 32;
            }
        }

        for (; bits > 0; bits -= 8)
        {
            dst[pos++] = (byte)acc;
            acc >>= 8;
        }
    }

    /// <summary>As <see cref="Pack32"/>, for widths 0..64.</summary>
    public static void Pack64(ReadOnlySpan<ulong> values, Span<byte> destination, int bitWidth)
    {
        if ((uint)bitWidth > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(bitWidth), bitWidth, "bit width must be within 0..64");
        }

        int total = (int)ByteCount(values.Length, bitWidth);
        Span<byte> dst = destination.Slice(0, total);
        if (bitWidth == 0)
        {
            return;
        }

        ulong acc = 0;
        int bits = 0;
        int pos = 0;
        foreach (ulong value in values)
        {
            acc |= value << bits;
            int sum = bits + bitWidth;
            if (sum < 64)
            {
                bits = sum;
                continue;
            }

            BinaryPrimitives.WriteUInt64LittleEndian(dst.Slice(pos), acc);
            pos += 8;

            // C# masks shift counts to 6 bits, so a shift by 64 would be a no-op rather than yield zero.
            acc = bits == 0 ? 0 : value >> (64 - bits);
            bits = sum - 64;
        }

        for (; bits > 0; bits -= 8)
        {
            dst[pos++] = (byte)acc;
            acc >>= 8;
        }
    }

    private const int Chunk = 512;

    // Tail input is under w+7 bytes (plus a partial group); the extra room covers the 8-byte loads past it.
    private const int TailBufferSize = 32 + 8 + 8 + 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read64(ref byte at, int shift, int bitWidth)
    {
        ulong word = Unsafe.ReadUnaligned<ulong>(ref at);
        if (!BitConverter.IsLittleEndian)
        {
            word = BinaryPrimitives.ReverseEndianness(word);
        }

        word >>= shift;
        if (shift + bitWidth > 64)
        {
            word |= (ulong)Unsafe.Add(ref at, 8) << (64 - shift);
        }

        return word;
    }

    private static void UnpackGeneric(ReadOnlySpan<byte> padded, Span<uint> destination, int bitWidth)
    {
        uint mask = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        int bit = 0;
        for (int k = 0; k < destination.Length; k++, bit += bitWidth)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(padded.Slice(bit >> 3, 8));
            destination[k] = (uint)(word >> (bit & 7)) & mask;
        }
    }

    private static void UnpackGroupsDispatch(ref byte src, ref uint dst, int groups, int bitWidth)
    {
        switch (bitWidth)
        {
            case 1: UnpackGroups<W1>(ref src, ref dst, groups); break;
            case 2: UnpackGroups<W2>(ref src, ref dst, groups); break;
            case 3: UnpackGroups<W3>(ref src, ref dst, groups); break;
            case 4: UnpackGroups<W4>(ref src, ref dst, groups); break;
            case 5: UnpackGroups<W5>(ref src, ref dst, groups); break;
            case 6: UnpackGroups<W6>(ref src, ref dst, groups); break;
            case 7: UnpackGroups<W7>(ref src, ref dst, groups); break;
            case 8: UnpackGroups<W8>(ref src, ref dst, groups); break;
            case 9: UnpackGroups<W9>(ref src, ref dst, groups); break;
            case 10: UnpackGroups<W10>(ref src, ref dst, groups); break;
            case 11: UnpackGroups<W11>(ref src, ref dst, groups); break;
            case 12: UnpackGroups<W12>(ref src, ref dst, groups); break;
            case 13: UnpackGroups<W13>(ref src, ref dst, groups); break;
            case 14: UnpackGroups<W14>(ref src, ref dst, groups); break;
            case 15: UnpackGroups<W15>(ref src, ref dst, groups); break;
            case 16: UnpackGroups<W16>(ref src, ref dst, groups); break;
            case 17: UnpackGroups<W17>(ref src, ref dst, groups); break;
            case 18: UnpackGroups<W18>(ref src, ref dst, groups); break;
            case 19: UnpackGroups<W19>(ref src, ref dst, groups); break;
            case 20: UnpackGroups<W20>(ref src, ref dst, groups); break;
            case 21: UnpackGroups<W21>(ref src, ref dst, groups); break;
            case 22: UnpackGroups<W22>(ref src, ref dst, groups); break;
            case 23: UnpackGroups<W23>(ref src, ref dst, groups); break;
            case 24: UnpackGroups<W24>(ref src, ref dst, groups); break;
            case 25: UnpackGroups<W25>(ref src, ref dst, groups); break;
            case 26: UnpackGroups<W26>(ref src, ref dst, groups); break;
            case 27: UnpackGroups<W27>(ref src, ref dst, groups); break;
            case 28: UnpackGroups<W28>(ref src, ref dst, groups); break;
            case 29: UnpackGroups<W29>(ref src, ref dst, groups); break;
            case 30: UnpackGroups<W30>(ref src, ref dst, groups); break;
            case 31: UnpackGroups<W31>(ref src, ref dst, groups); break;
            case 32: UnpackGroups<W32>(ref src, ref dst, groups); break;
            default: throw new UnreachableException();
        }
    }

    // Each width gets its own instantiation: with W.Value a JIT-time constant, every offset, shift and mask in the
    // unrolled group below folds to an immediate.
    // Runs once per page over many values: compiled fully optimized on first use (see HotPath.cs).
    [MethodImpl(HotPath.Options)]
    private static void UnpackGroups<W>(ref byte src, ref uint dst, int groups)
        where W : struct, IWidth
    {
        for (int g = 0; g < groups; g++)
        {
            Unsafe.Add(ref dst, 0) = Extract<W>(ref src, 0);
            Unsafe.Add(ref dst, 1) = Extract<W>(ref src, 1);
            Unsafe.Add(ref dst, 2) = Extract<W>(ref src, 2);
            Unsafe.Add(ref dst, 3) = Extract<W>(ref src, 3);
            Unsafe.Add(ref dst, 4) = Extract<W>(ref src, 4);
            Unsafe.Add(ref dst, 5) = Extract<W>(ref src, 5);
            Unsafe.Add(ref dst, 6) = Extract<W>(ref src, 6);
            Unsafe.Add(ref dst, 7) = Extract<W>(ref src, 7);
            src = ref Unsafe.Add(ref src, W.Value);
            dst = ref Unsafe.Add(ref dst, 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Extract<W>(ref byte group, int k)
        where W : struct, IWidth
    {
        int bit = k * W.Value;
        ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref group, bit >> 3));
        if (!BitConverter.IsLittleEndian)
        {
            word = BinaryPrimitives.ReverseEndianness(word);
        }

        uint mask = W.Value == 32 ? uint.MaxValue : (1u << W.Value) - 1;
        return (uint)(word >> (bit & 7)) & mask;
    }

    private interface IWidth
    {
        static abstract int Value { get; }
    }

    private readonly struct W1 : IWidth { public static int Value => 1; }

    private readonly struct W2 : IWidth { public static int Value => 2; }

    private readonly struct W3 : IWidth { public static int Value => 3; }

    private readonly struct W4 : IWidth { public static int Value => 4; }

    private readonly struct W5 : IWidth { public static int Value => 5; }

    private readonly struct W6 : IWidth { public static int Value => 6; }

    private readonly struct W7 : IWidth { public static int Value => 7; }

    private readonly struct W8 : IWidth { public static int Value => 8; }

    private readonly struct W9 : IWidth { public static int Value => 9; }

    private readonly struct W10 : IWidth { public static int Value => 10; }

    private readonly struct W11 : IWidth { public static int Value => 11; }

    private readonly struct W12 : IWidth { public static int Value => 12; }

    private readonly struct W13 : IWidth { public static int Value => 13; }

    private readonly struct W14 : IWidth { public static int Value => 14; }

    private readonly struct W15 : IWidth { public static int Value => 15; }

    private readonly struct W16 : IWidth { public static int Value => 16; }

    private readonly struct W17 : IWidth { public static int Value => 17; }

    private readonly struct W18 : IWidth { public static int Value => 18; }

    private readonly struct W19 : IWidth { public static int Value => 19; }

    private readonly struct W20 : IWidth { public static int Value => 20; }

    private readonly struct W21 : IWidth { public static int Value => 21; }

    private readonly struct W22 : IWidth { public static int Value => 22; }

    private readonly struct W23 : IWidth { public static int Value => 23; }

    private readonly struct W24 : IWidth { public static int Value => 24; }

    private readonly struct W25 : IWidth { public static int Value => 25; }

    private readonly struct W26 : IWidth { public static int Value => 26; }

    private readonly struct W27 : IWidth { public static int Value => 27; }

    private readonly struct W28 : IWidth { public static int Value => 28; }

    private readonly struct W29 : IWidth { public static int Value => 29; }

    private readonly struct W30 : IWidth { public static int Value => 30; }

    private readonly struct W31 : IWidth { public static int Value => 31; }

    private readonly struct W32 : IWidth { public static int Value => 32; }
}
