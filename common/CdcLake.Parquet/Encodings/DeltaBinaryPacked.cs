using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// DELTA_BINARY_PACKED (encoding 5) for INT32 and INT64. All arithmetic wraps in two's complement, as the
/// specification requires, so deltas that overflow restore the original values exactly.
/// </summary>
internal static class DeltaBinaryPacked
{
    /// <summary>The writer's block layout: 128 values in 4 miniblocks of 32.</summary>
    public const int BlockSize = 128;
    public const int MiniblocksPerBlock = 4;

    private const string Name = "DELTA_BINARY_PACKED";
    private const int ValuesPerMiniblock = BlockSize / MiniblocksPerBlock;

    /// <summary>The total value count a stream's header declares (without decoding anything else).</summary>
    public static int ReadValueCount(ReadOnlySpan<byte> data)
    {
        int pos = 0;
        return ReadHeader(data, ref pos).TotalCount;
    }

    /// <summary>
    /// Decodes the first <c>values.Length</c> values; the header must declare at least that many. Returns the bytes
    /// consumed by the whole stream (all the values the header declares), which is where the byte data of
    /// DELTA_LENGTH_BYTE_ARRAY and the suffix lengths of DELTA_BYTE_ARRAY start.
    /// </summary>
    public static int DecodeInt32(ReadOnlySpan<byte> data, Span<int> values) => Decode<Int32Ops, int>(data, values);

    /// <inheritdoc cref="DecodeInt32"/>
    public static int DecodeInt64(ReadOnlySpan<byte> data, Span<long> values) => Decode<Int64Ops, long>(data, values);

    public static void EncodeInt32(ReadOnlySpan<int> values, IBufferWriter<byte> output)
    {
        WriteHeader(values.Length, values.IsEmpty ? 0 : VarInt.ZigZagEncode32(values[0]), output);
        Span<int> deltas = stackalloc int[BlockSize];
        Span<ulong> packed = stackalloc ulong[BlockSize];
        for (int start = 1; start < values.Length; start += BlockSize)
        {
            int n = Math.Min(BlockSize, values.Length - start);
            int min = int.MaxValue;
            for (int i = 0; i < n; i++)
            {
                int delta = unchecked(values[start + i] - values[start + i - 1]);
                deltas[i] = delta;
                min = Math.Min(min, delta);
            }

            for (int i = 0; i < n; i++)
            {
                // delta >= min as signed ints, so the wrapped difference is the exact non-negative distance.
                packed[i] = unchecked((uint)(deltas[i] - min));
            }

            WriteBlock(VarInt.ZigZagEncode32(min), packed.Slice(0, n), output);
        }
    }

    public static void EncodeInt64(ReadOnlySpan<long> values, IBufferWriter<byte> output)
    {
        WriteHeader(values.Length, values.IsEmpty ? 0 : VarInt.ZigZagEncode(values[0]), output);
        Span<long> deltas = stackalloc long[BlockSize];
        Span<ulong> packed = stackalloc ulong[BlockSize];
        for (int start = 1; start < values.Length; start += BlockSize)
        {
            int n = Math.Min(BlockSize, values.Length - start);
            long min = long.MaxValue;
            for (int i = 0; i < n; i++)
            {
                long delta = unchecked(values[start + i] - values[start + i - 1]);
                deltas[i] = delta;
                min = Math.Min(min, delta);
            }

            for (int i = 0; i < n; i++)
            {
                packed[i] = unchecked((ulong)(deltas[i] - min));
            }

            WriteBlock(VarInt.ZigZagEncode(min), packed.Slice(0, n), output);
        }
    }

    private static int Decode<TOps, T>(ReadOnlySpan<byte> data, Span<T> values)
        where TOps : struct, IDeltaOps<T>
        where T : unmanaged
    {
        int pos = 0;
        Header header = ReadHeader(data, ref pos);
        if (values.Length > header.TotalCount)
        {
            EncodingErrors.Throw($"{Name}: header declares {header.TotalCount} values but {values.Length} are expected");
        }

        if (header.TotalCount == 0)
        {
            return pos;
        }

        int written = 0;
        if (!values.IsEmpty)
        {
            values[0] = TOps.FromBits(unchecked((ulong)header.FirstValue));
            written = 1;
        }

        ulong last = unchecked((ulong)header.FirstValue);
        long remaining = header.TotalCount - 1L;
        int perMiniblock = header.ValuesPerMiniblock;
        while (remaining > 0)
        {
            int blockAt = pos;
            ulong minDelta = unchecked((ulong)VarInt.ZigZagDecode(VarInt.ReadUleb64(data, ref pos, Name)));
            if (data.Length - pos < header.MiniblockCount)
            {
                EncodingErrors.TooShort(Name, $"miniblock bit widths of the block at byte {blockAt}", header.MiniblockCount, data.Length - pos);
            }

            ReadOnlySpan<byte> widths = data.Slice(pos, header.MiniblockCount);
            pos += header.MiniblockCount;

            // Widths of miniblocks past the last value are present but meaningless, so only used ones are checked.
            for (int m = 0; m < widths.Length && remaining > 0; m++)
            {
                int bitWidth = widths[m];
                if (bitWidth > TOps.MaxBitWidth)
                {
                    EncodingErrors.Throw($"{Name}: miniblock bit width {bitWidth} > {TOps.MaxBitWidth} (miniblock {m} of the block at byte {blockAt}, {TOps.TypeName})");
                }

                long miniblockBytes = (long)perMiniblock * bitWidth / 8;
                if (miniblockBytes > data.Length - pos)
                {
                    EncodingErrors.TooShort(Name, $"miniblock {m} of the block at byte {blockAt} ({perMiniblock} values of {bitWidth} bits)", miniblockBytes, data.Length - pos);
                }

                int inMiniblock = (int)Math.Min(perMiniblock, remaining);
                int wanted = Math.Min(inMiniblock, values.Length - written);
                if (wanted > 0)
                {
                    TOps.UnpackAccumulate(data.Slice(pos), values.Slice(written, wanted), bitWidth, minDelta, ref last);
                    written += wanted;
                }

                pos += (int)miniblockBytes;
                remaining -= inMiniblock;
            }
        }

        return pos;
    }

    private static Header ReadHeader(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong blockSize = VarInt.ReadUleb64(data, ref pos, Name);
        if (blockSize == 0 || blockSize % 128 != 0 || blockSize > int.MaxValue)
        {
            EncodingErrors.Throw($"{Name}: block size {blockSize} is not a positive multiple of 128 within 32 bits");
        }

        ulong miniblocks = VarInt.ReadUleb64(data, ref pos, Name);
        if (miniblocks == 0 || blockSize % miniblocks != 0 || (blockSize / miniblocks) % 32 != 0)
        {
            EncodingErrors.Throw($"{Name}: {miniblocks} miniblocks do not split a block of {blockSize} into multiples of 32 values");
        }

        ulong total = VarInt.ReadUleb64(data, ref pos, Name);
        if (total > int.MaxValue)
        {
            EncodingErrors.Throw($"{Name}: total value count {total} exceeds {int.MaxValue}");
        }

        long first = VarInt.ZigZagDecode(VarInt.ReadUleb64(data, ref pos, Name));
        return new Header((int)miniblocks, (int)(blockSize / miniblocks), (int)total, first);
    }

    private static void WriteHeader(int count, ulong zigzagFirst, IBufferWriter<byte> output)
    {
        VarInt.WriteUleb64(output, BlockSize);
        VarInt.WriteUleb64(output, MiniblocksPerBlock);
        VarInt.WriteUleb64(output, (ulong)count);
        VarInt.WriteUleb64(output, zigzagFirst);
    }

    private static void WriteBlock(ulong zigzagMin, ReadOnlySpan<ulong> packed, IBufferWriter<byte> output)
    {
        VarInt.WriteUleb64(output, zigzagMin);
        int used = (packed.Length + ValuesPerMiniblock - 1) / ValuesPerMiniblock;
        Span<byte> widths = stackalloc byte[MiniblocksPerBlock];
        widths.Clear();
        int bodyBytes = 0;
        for (int m = 0; m < used; m++)
        {
            ReadOnlySpan<ulong> mini = packed.Slice(m * ValuesPerMiniblock, Math.Min(ValuesPerMiniblock, packed.Length - (m * ValuesPerMiniblock)));
            ulong max = 0;
            foreach (ulong v in mini)
            {
                max |= v;
            }

            int width = 64 - BitOperations.LeadingZeroCount(max);
            widths[m] = (byte)width;
            bodyBytes += ValuesPerMiniblock * width / 8;
        }

        Span<byte> span = output.GetSpan(MiniblocksPerBlock + bodyBytes);
        widths.CopyTo(span);
        int at = MiniblocksPerBlock;
        Span<ulong> padded = stackalloc ulong[ValuesPerMiniblock];
        for (int m = 0; m < used; m++)
        {
            int width = widths[m];
            int bytes = ValuesPerMiniblock * width / 8;
            ReadOnlySpan<ulong> mini = packed.Slice(m * ValuesPerMiniblock, Math.Min(ValuesPerMiniblock, packed.Length - (m * ValuesPerMiniblock)));

            // The last miniblock is padded to full length; zeros keep its padding bits zero as the spec asks.
            padded.Clear();
            mini.CopyTo(padded);
            BitPacking.Pack64(padded, span.Slice(at, bytes), width);
            at += bytes;
        }

        output.Advance(at);
    }

    private readonly record struct Header(int MiniblockCount, int ValuesPerMiniblock, int TotalCount, long FirstValue);

    private interface IDeltaOps<T>
    {
        static abstract int MaxBitWidth { get; }

        static abstract string TypeName { get; }

        static abstract T FromBits(ulong bits);

        /// <summary>Unpacks <c>destination.Length</c> packed deltas and turns them into values in place.</summary>
        static abstract void UnpackAccumulate(ReadOnlySpan<byte> source, Span<T> destination, int bitWidth, ulong minDelta, ref ulong last);
    }

    private readonly struct Int32Ops : IDeltaOps<int>
    {
        /// <summary>
        /// Writers that compute INT32 deltas in 64-bit arithmetic (DuckDB among them) emit miniblocks of 33
        /// or more bits when values span most of the int32 range. The format says readers should accept
        /// them (PARQUET-2435): only the low 32 bits of each delta matter to a 32-bit wrapping sum.
        /// </summary>
        public static int MaxBitWidth => 64;

        public static string TypeName => "INT32";

        public static int FromBits(ulong bits) => unchecked((int)bits);

        public static void UnpackAccumulate(ReadOnlySpan<byte> source, Span<int> destination, int bitWidth, ulong minDelta, ref ulong last)
        {
            // 32-bit wrapping sums depend only on the low 32 bits of each operand.
            Span<uint> raw = MemoryMarshal.Cast<int, uint>(destination);
            if (bitWidth > 32)
            {
                UnpackWideLowBits(source, raw, bitWidth);
            }
            else
            {
                BitPacking.Unpack32(source, raw, bitWidth);
            }

            uint min = unchecked((uint)minDelta);
            uint acc = unchecked((uint)last);
            for (int i = 0; i < raw.Length; i++)
            {
                acc = unchecked(acc + min + raw[i]);
                raw[i] = acc;
            }

            last = acc;
        }

        private static void UnpackWideLowBits(ReadOnlySpan<byte> source, Span<uint> destination, int bitWidth)
        {
            var wide = ArrayPool<ulong>.Shared.Rent(destination.Length);
            try
            {
                Span<ulong> values = wide.AsSpan(0, destination.Length);
                BitPacking.Unpack64(source, values, bitWidth);
                for (int i = 0; i < values.Length; i++)
                {
                    destination[i] = unchecked((uint)values[i]);
                }
            }
            finally
            {
                ArrayPool<ulong>.Shared.Return(wide);
            }
        }
    }

    private readonly struct Int64Ops : IDeltaOps<long>
    {
        public static int MaxBitWidth => 64;

        public static string TypeName => "INT64";

        public static long FromBits(ulong bits) => unchecked((long)bits);

        public static void UnpackAccumulate(ReadOnlySpan<byte> source, Span<long> destination, int bitWidth, ulong minDelta, ref ulong last)
        {
            Span<ulong> raw = MemoryMarshal.Cast<long, ulong>(destination);
            BitPacking.Unpack64(source, raw, bitWidth);
            ulong acc = last;
            for (int i = 0; i < raw.Length; i++)
            {
                acc = unchecked(acc + minDelta + raw[i]);
                raw[i] = acc;
            }

            last = acc;
        }
    }
}
