using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// The RLE / bit-packed hybrid (encoding RLE = 3): repetition and definition levels, dictionary indices and
/// RLE-encoded booleans. Decoders fill exactly the span they are given and refuse data that disagrees with it.
/// </summary>
internal static class RleBitPackedHybrid
{
    public const int MaxBitWidth = 32;

    private const string Name = "RLE";

    /// <summary>Bits needed to store values 0..<paramref name="maxValue"/> (0 for a max of 0, as for a one-entry dictionary).</summary>
    public static int BitWidthFor(int maxValue) => maxValue <= 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)maxValue);

    /// <summary>
    /// Decodes <c>values.Length</c> values from unprefixed hybrid data (data page v2 levels, or dictionary indices
    /// after their width byte). Returns the bytes consumed: the end of the last run read, which for a final
    /// bit-packed run cut short by the writer is the end of the data.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> values)
    {
        if ((uint)bitWidth > MaxBitWidth)
        {
            EncodingErrors.Throw($"{Name}: bit width {bitWidth} is outside 0..{MaxBitWidth}");
        }

        Span<uint> dst = MemoryMarshal.Cast<int, uint>(values);
        int total = dst.Length;
        int valueBytes = (bitWidth + 7) >> 3;
        uint maxValue = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        int filled = 0;
        int pos = 0;
        while (filled < total)
        {
            if (pos >= data.Length)
            {
                if (bitWidth == 0)
                {
                    // Width 0 carries no information; some writers stop emitting runs once that is so.
                    dst.Slice(filled).Clear();
                    return pos;
                }

                EncodingErrors.Throw($"{Name}: data ends after {filled} of the {total} values expected ({data.Length} bytes)");
            }

            int headerAt = pos;
            uint header = VarInt.ReadUleb32(data, ref pos, Name);
            int remaining = total - filled;
            if ((header & 1) == 0)
            {
                uint run = header >> 1;
                if (run == 0)
                {
                    EncodingErrors.Throw($"{Name}: RLE run of 0 values at byte {headerAt}");
                }

                if (run > (uint)remaining)
                {
                    EncodingErrors.Throw($"{Name}: RLE run of {run} values at byte {headerAt} overruns the {remaining} values remaining of the {total} expected");
                }

                if (data.Length - pos < valueBytes)
                {
                    EncodingErrors.TooShort(Name, $"RLE run value at byte {pos}", valueBytes, data.Length - pos);
                }

                uint value = ReadValue(data.Slice(pos, valueBytes));
                if (value > maxValue)
                {
                    EncodingErrors.Throw($"{Name}: RLE run value {value} at byte {pos} does not fit in bit width {bitWidth}");
                }

                pos += valueBytes;
                dst.Slice(filled, (int)run).Fill(value);
                filled += (int)run;
            }
            else
            {
                uint groups = header >> 1;
                if (groups == 0)
                {
                    EncodingErrors.Throw($"{Name}: bit-packed run of 0 groups at byte {headerAt}");
                }

                long runValues = groups * 8L;

                // A run declaring more values than remain can only be the last one, and writers do pad it
                // beyond its last group: DuckDB always declares whole blocks of 256 values. Like parquet-mr
                // and Arrow, take the values needed and ignore the padding.
                int take = (int)Math.Min(runValues, remaining);
                int available = data.Length - pos;
                long neededBytes = BitPacking.ByteCount(take, bitWidth);
                if (neededBytes > available)
                {
                    EncodingErrors.TooShort(Name, $"bit-packed run at byte {headerAt} ({take} values of {bitWidth} bits)", neededBytes, available);
                }

                BitPacking.Unpack32(data.Slice(pos), dst.Slice(filled, take), bitWidth);
                filled += take;

                // Writers that cut the final run short of its declared groups are tolerated (as parquet-mr does):
                // the values we need were present, and nothing follows an unprefixed run but the end of the data.
                pos += (int)Math.Min(groups * (long)bitWidth, available);
            }
        }

        return pos;
    }

    /// <summary>
    /// <see cref="Decode"/> for bit width 1 straight into a bitmap: the definition levels of a column whose
    /// maximum is 1 (an optional field outside any list). Same checks and messages as <see cref="Decode"/>.
    /// </summary>
    public static int DecodeBits(ReadOnlySpan<byte> data, int count, BitmapBuilder output)
    {
        int filled = 0;
        int pos = 0;
        while (filled < count)
        {
            if (pos >= data.Length)
            {
                EncodingErrors.Throw($"{Name}: data ends after {filled} of the {count} values expected ({data.Length} bytes)");
            }

            int headerAt = pos;
            uint header = VarInt.ReadUleb32(data, ref pos, Name);
            int remaining = count - filled;
            if ((header & 1) == 0)
            {
                uint run = header >> 1;
                if (run == 0)
                {
                    EncodingErrors.Throw($"{Name}: RLE run of 0 values at byte {headerAt}");
                }

                if (run > (uint)remaining)
                {
                    EncodingErrors.Throw($"{Name}: RLE run of {run} values at byte {headerAt} overruns the {remaining} values remaining of the {count} expected");
                }

                if (data.Length - pos < 1)
                {
                    EncodingErrors.TooShort(Name, $"RLE run value at byte {pos}", 1, data.Length - pos);
                }

                uint value = data[pos];
                if (value > 1)
                {
                    EncodingErrors.Throw($"{Name}: RLE run value {value} at byte {pos} does not fit in bit width 1");
                }

                pos++;
                output.AppendRun(value == 1, (int)run);
                filled += (int)run;
            }
            else
            {
                uint groups = header >> 1;
                if (groups == 0)
                {
                    EncodingErrors.Throw($"{Name}: bit-packed run of 0 groups at byte {headerAt}");
                }

                // As in Decode: a final run may declare more values than remain, and may be cut short.
                int take = (int)Math.Min(groups * 8L, remaining);
                int available = data.Length - pos;
                long neededBytes = BitPacking.ByteCount(take, 1);
                if (neededBytes > available)
                {
                    EncodingErrors.TooShort(Name, $"bit-packed run at byte {headerAt} ({take} values of 1 bits)", neededBytes, available);
                }

                output.AppendPacked(data.Slice(pos, (int)neededBytes), take);
                filled += take;
                pos += (int)Math.Min(groups, available);
            }
        }

        return pos;
    }

    /// <summary>
    /// How many values unprefixed hybrid data declares, counting no further than <paramref name="limit"/>, found
    /// from the run headers alone. Lets a reader check a count stated elsewhere (a page's num_values) before
    /// sizing buffers for it: a few bytes of runs may rightly stand for millions of values, but a count the runs
    /// do not reach is corrupt. Malformed or truncated runs end the count; <see cref="Decode"/> reports them.
    /// </summary>
    public static long CountValues(ReadOnlySpan<byte> data, int bitWidth, long limit)
    {
        if (bitWidth == 0 || (uint)bitWidth > MaxBitWidth)
        {
            // Width 0 needs no runs at all (see Decode); an invalid width is Decode's to report.
            return limit;
        }

        int valueBytes = (bitWidth + 7) >> 3;
        long count = 0;
        int pos = 0;
        while (count < limit && pos < data.Length)
        {
            ulong header = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (pos >= data.Length || shift > 28)
                {
                    return count;
                }

                byte b = data[pos++];
                header |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }

            if ((header & 1) == 0)
            {
                count += (long)(header >> 1);
                pos += valueBytes;
            }
            else
            {
                count += (long)(header >> 1) * 8;
                pos = (int)Math.Min(data.Length, pos + ((long)(header >> 1) * bitWidth));
            }
        }

        return Math.Min(count, limit);
    }

    /// <summary>
    /// Decodes the length-prefixed form (data page v1 levels, RLE booleans): a 4-byte little-endian length, then
    /// that many bytes of hybrid data. Returns the bytes consumed, 4 + length.
    /// </summary>
    public static int DecodeLengthPrefixed(ReadOnlySpan<byte> data, int bitWidth, Span<int> values)
    {
        int length = ReadLengthPrefix(data);
        Decode(data.Slice(4, length), bitWidth, values);
        return 4 + length;
    }

    /// <summary>The length-prefixed form of <see cref="DecodeBits"/> (data page v1 levels); returns 4 + length.</summary>
    public static int DecodeBitsLengthPrefixed(ReadOnlySpan<byte> data, int count, BitmapBuilder output)
    {
        int length = ReadLengthPrefix(data);
        DecodeBits(data.Slice(4, length), count, output);
        return 4 + length;
    }

    /// <summary>
    /// Decodes RLE_DICTIONARY / PLAIN_DICTIONARY indices: one byte of bit width, then unprefixed hybrid data.
    /// The indices are not checked against a dictionary here; <see cref="DictionaryGather"/> does that.
    /// Returns the bytes consumed.
    /// </summary>
    public static int DecodeDictionaryIndices(ReadOnlySpan<byte> data, Span<int> indices)
    {
        if (data.IsEmpty)
        {
            if (indices.IsEmpty)
            {
                return 0;
            }

            EncodingErrors.Throw($"{Name}: dictionary indices are missing their bit-width byte ({indices.Length} values expected)");
        }

        int bitWidth = data[0];
        if (bitWidth > MaxBitWidth)
        {
            EncodingErrors.Throw($"{Name}: dictionary index bit width {bitWidth} > {MaxBitWidth}");
        }

        return 1 + Decode(data.Slice(1), bitWidth, indices);
    }

    /// <summary>Decodes length-prefixed RLE booleans (encoding RLE on a BOOLEAN column, bit width 1).</summary>
    public static int DecodeBooleans(ReadOnlySpan<byte> data, Span<bool> values)
    {
        int length = ReadLengthPrefix(data);
        int[] scratch = ArrayPool<int>.Shared.Rent(Math.Max(values.Length, 1));
        try
        {
            Span<int> bits = scratch.AsSpan(0, values.Length);
            Decode(data.Slice(4, length), 1, bits);
            for (int i = 0; i < bits.Length; i++)
            {
                values[i] = bits[i] != 0;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(scratch);
        }

        return 4 + length;
    }

    /// <summary>
    /// Encodes <paramref name="values"/> (each within 0..2^bitWidth-1) without a length prefix: repeats of 8 or
    /// more become RLE runs, everything else bit-packed groups of 8 (the last group zero-padded).
    /// </summary>
    public static void Encode(ReadOnlySpan<int> values, int bitWidth, IBufferWriter<byte> output)
    {
        if ((uint)bitWidth > MaxBitWidth)
        {
            EncodingErrors.Throw($"{Name}: bit width {bitWidth} is outside 0..{MaxBitWidth}");
        }

        uint maxValue = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        int n = values.Length;
        int literalStart = 0;
        int literalLength = 0;
        int i = 0;
        while (i < n)
        {
            int value = values[i];
            if ((uint)value > maxValue)
            {
                EncodingErrors.Throw($"{Name}: value {value} at index {i} does not fit in bit width {bitWidth}");
            }

            int j = i + 1;
            while (j < n && values[j] == value)
            {
                j++;
            }

            int run = j - i;
            if (run < 8)
            {
                literalLength += run;
                i = j;
                continue;
            }

            // A bit-packed run must hold whole groups of 8, so a pending partial group borrows from this repeat.
            int partial = literalLength & 7;
            if (partial != 0)
            {
                int pad = 8 - partial;
                literalLength += pad;
                i += pad;
                run -= pad;
                if (run < 8)
                {
                    literalLength += run;
                    i = j;
                    continue;
                }
            }

            if (literalLength > 0)
            {
                WriteBitPacked(values.Slice(literalStart, literalLength), bitWidth, output);
            }

            WriteRle((uint)value, run, bitWidth, output);
            i = j;
            literalStart = j;
            literalLength = 0;
        }

        if (literalLength > 0)
        {
            WriteBitPacked(values.Slice(literalStart, literalLength), bitWidth, output);
        }
    }

    /// <summary>Encodes with the 4-byte little-endian length prefix of data page v1 levels and RLE booleans.</summary>
    public static void EncodeLengthPrefixed(ReadOnlySpan<int> values, int bitWidth, IBufferWriter<byte> output)
    {
        using var body = new PooledBufferWriter(Math.Max(64, (int)Math.Min(BitPacking.ByteCount(values.Length, bitWidth) + 16, 1 << 20)));
        Encode(values, bitWidth, body);
        Span<byte> span = output.GetSpan(4 + body.WrittenCount);
        BinaryPrimitives.WriteInt32LittleEndian(span, body.WrittenCount);
        body.WrittenSpan.CopyTo(span.Slice(4));
        output.Advance(4 + body.WrittenCount);
    }

    /// <summary>Encodes dictionary indices: the bit-width byte, then unprefixed hybrid data.</summary>
    public static void EncodeDictionaryIndices(ReadOnlySpan<int> indices, int bitWidth, IBufferWriter<byte> output)
    {
        if ((uint)bitWidth > MaxBitWidth)
        {
            EncodingErrors.Throw($"{Name}: bit width {bitWidth} is outside 0..{MaxBitWidth}");
        }

        output.GetSpan(1)[0] = (byte)bitWidth;
        output.Advance(1);
        Encode(indices, bitWidth, output);
    }

    /// <summary>Encodes booleans as length-prefixed RLE with bit width 1.</summary>
    public static void EncodeBooleans(ReadOnlySpan<bool> values, IBufferWriter<byte> output)
    {
        int[] scratch = ArrayPool<int>.Shared.Rent(Math.Max(values.Length, 1));
        try
        {
            Span<int> bits = scratch.AsSpan(0, values.Length);
            for (int i = 0; i < values.Length; i++)
            {
                bits[i] = values[i] ? 1 : 0;
            }

            EncodeLengthPrefixed(bits, 1, output);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(scratch);
        }
    }

    private static int ReadLengthPrefix(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            EncodingErrors.TooShort(Name, "length prefix", 4, data.Length);
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length > (uint)(data.Length - 4))
        {
            EncodingErrors.Throw($"{Name}: length prefix declares {length} bytes but only {data.Length - 4} follow");
        }

        return (int)length;
    }

    private static uint ReadValue(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        0 => 0,
        1 => bytes[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        3 => bytes[0] | ((uint)bytes[1] << 8) | ((uint)bytes[2] << 16),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
    };

    private static void WriteRle(uint value, int run, int bitWidth, IBufferWriter<byte> output)
    {
        int valueBytes = (bitWidth + 7) >> 3;
        Span<byte> span = output.GetSpan(VarInt.MaxBytes32 + valueBytes);
        int n = VarInt.WriteUleb64(span, (ulong)(uint)run << 1);
        for (int b = 0; b < valueBytes; b++)
        {
            span[n++] = (byte)(value >> (8 * b));
        }

        output.Advance(n);
    }

    private static void WriteBitPacked(ReadOnlySpan<int> literal, int bitWidth, IBufferWriter<byte> output)
    {
        int groups = (literal.Length + 7) >> 3;
        int bodyBytes = groups * bitWidth;
        Span<byte> span = output.GetSpan(VarInt.MaxBytes32 + bodyBytes);
        int n = VarInt.WriteUleb64(span, ((ulong)(uint)groups << 1) | 1);
        Span<byte> body = span.Slice(n, bodyBytes);
        body.Clear();
        BitPacking.Pack32(MemoryMarshal.Cast<int, uint>(literal), body, bitWidth);
        output.Advance(n + bodyBytes);
    }
}
