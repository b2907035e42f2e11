using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CdcLake.Parquet.Encodings;

namespace CdcLake.Parquet.Compression;

/// <summary>
/// SNAPPY pages: the bare block format (a varint length preamble, then literal and copy elements), not
/// the framed stream. Written from the published format description. Neither direction allocates:
/// decompression writes straight into the caller's buffer, whose length (the page's declared size) must
/// match the preamble before a byte is written; compression keeps its hash table on the stack.
/// </summary>
/// <remarks>
/// The decoder checks every element against both buffers and never reads or writes outside them; the
/// 8- and 16-byte wide copies are only taken when both sides have that much room left, otherwise the
/// exact-length path runs. Any inconsistency in the data is a <see cref="ParquetException"/>.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class SnappyCodec
{
    /// <summary>The varint preamble of a 32-bit length takes at most 5 bytes.</summary>
    private const int MaxPreambleLength = 5;

    /// <summary>The compressor matches within blocks of this size, so every offset fits a 2-byte copy.</summary>
    private const int BlockSize = 1 << 16;

    private const int MaxTableBits = 14;
    private const int MinTableBits = 8;

    /// <summary>Matching stops this far before a block's end, so the wide reads below never pass it.</summary>
    private const int InputMargin = 16;

    // Element tags: the low two bits of the tag byte.
    private const int TagLiteral = 0;
    private const int TagCopy1 = 1;
    private const int TagCopy2 = 2;

    public static int MaxCompressedLength(int length)
    {
        // Snappy's documented worst case: 32 + n + n / 6.
        var bound = 32L + length + (length / 6);
        if (bound > int.MaxValue)
        {
            throw new ParquetException($"a page of {length} bytes is too large to compress with SNAPPY");
        }

        return (int)bound;
    }

    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var length = ReadPreamble(input, out var preamble);
        if (length != (ulong)output.Length)
        {
            throw new ParquetException(
                $"SNAPPY data declares {length} uncompressed bytes but the page declares {output.Length}");
        }

        fixed (byte* inputStart = input)
        fixed (byte* outputStart = output)
        {
            var written = DecodeElements(inputStart + preamble, inputStart + input.Length, outputStart, outputStart + output.Length);
            if (written != output.Length)
            {
                throw new ParquetException(
                    $"SNAPPY data decompresses to {written} bytes but declares {output.Length}");
            }
        }
    }

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/>, which must hold <see cref="MaxCompressedLength"/> bytes.</summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var required = MaxCompressedLength(input.Length);
        if (output.Length < required)
        {
            throw new ArgumentException(
                $"SNAPPY needs an output buffer of {required} bytes for {input.Length} input bytes; got {output.Length}",
                nameof(output));
        }

        var position = WritePreamble(output, (uint)input.Length);
        if (input.IsEmpty)
        {
            return position;
        }

        Span<ushort> table = stackalloc ushort[1 << MaxTableBits];
        fixed (byte* inputStart = input)
        fixed (byte* outputStart = output)
        {
            var op = outputStart + position;
            for (var start = 0; start < input.Length; start += BlockSize)
            {
                var blockLength = Math.Min(BlockSize, input.Length - start);
                op = CompressBlock(inputStart + start, blockLength, op, table);
            }

            return (int)(op - outputStart);
        }
    }

    // ---- Decoding ----------------------------------------------------------------------------------

    /// <summary>
    /// An element (tag, up to 4 offset or length bytes, a literal of up to 16 bytes read 16 wide) never
    /// reads past this many input bytes, so the fast loop needs no input checks.
    /// </summary>
    private const int FastInputSlack = 1 + 4 + 16;

    /// <summary>Copies and short literals write at most 64 bytes, however long they are.</summary>
    private const int FastOutputSlack = 64;

    /// <summary>Decodes elements until the input ends; returns the bytes written.</summary>
    // Runs once per page over many values: compiled fully optimized on first use (see HotPath.cs).
    [MethodImpl(HotPath.Options)]
    private static long DecodeElements(byte* ip, byte* inputEnd, byte* outputStart, byte* outputEnd)
    {
        var op = outputStart;

        // Elements starting before these limits cannot read or write past the buffers.
        var fastInputEnd = inputEnd - ip >= FastInputSlack ? inputEnd - FastInputSlack : ip;
        var fastOutputEnd = outputEnd - op >= FastOutputSlack ? outputEnd - FastOutputSlack : op;
        while (ip < inputEnd)
        {
            // The common elements while both buffers have slack: short literals and copies from at least
            // 8 bytes back, moved in 16- or 8-byte steps rounded up (the excess is scratch that later
            // elements overwrite). Everything else, and the last bytes of each buffer, goes through the
            // exactly checked path below, one element at a time.
            if (ip < fastInputEnd && op < fastOutputEnd)
            {
                uint tag = *ip;
                if ((tag & 3) == TagLiteral)
                {
                    var length = (tag >> 2) + 1;
                    if (length <= 16)
                    {
                        Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<Vector128<byte>>(ip + 1));
                        ip += 1 + length;
                        op += length;
                        continue;
                    }
                }
                else
                {
                    uint length, offset;
                    int elementLength;
                    if ((tag & 3) == TagCopy1)
                    {
                        length = ((tag >> 2) & 7) + 4;
                        offset = ((tag >> 5) << 8) | ip[1];
                        elementLength = 2;
                    }
                    else if ((tag & 3) == TagCopy2)
                    {
                        length = (tag >> 2) + 1;
                        offset = LoadLittleEndian16(ip + 1);
                        elementLength = 3;
                    }
                    else
                    {
                        length = (tag >> 2) + 1;
                        offset = LoadLittleEndian32(ip + 1);
                        elementLength = 5;
                    }

                    if (offset >= 8 && offset <= (ulong)(op - outputStart))
                    {
                        // With the source at least one step behind, each read completes before the write
                        // that could overlap it.
                        var source = op - offset;
                        if (offset >= 16)
                        {
                            Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<Vector128<byte>>(source));
                            for (uint i = 16; i < length; i += 16)
                            {
                                Unsafe.WriteUnaligned(op + i, Unsafe.ReadUnaligned<Vector128<byte>>(source + i));
                            }
                        }
                        else
                        {
                            Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<ulong>(source));
                            for (uint i = 8; i < length; i += 8)
                            {
                                Unsafe.WriteUnaligned(op + i, Unsafe.ReadUnaligned<ulong>(source + i));
                            }
                        }

                        ip += elementLength;
                        op += length;
                        continue;
                    }
                }
            }

            DecodeOneChecked(ref ip, inputEnd, outputStart, ref op, outputEnd);
        }

        return op - outputStart;
    }

    /// <summary>Decodes the element at <paramref name="ip"/>, checking everything against both buffers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DecodeOneChecked(ref byte* ip, byte* inputEnd, byte* outputStart, ref byte* op, byte* outputEnd)
    {
        uint tag = *ip++;
        uint length;
        uint offset;
        switch (tag & 3)
        {
            case TagLiteral:
            {
                ulong literal = (tag >> 2) + 1;
                if (literal > 60)
                {
                    // 61..64 mean the length minus one follows in 1..4 little-endian bytes.
                    var extra = (int)(literal - 60);
                    if (inputEnd - ip < extra)
                    {
                        throw Corrupt("a literal's length runs past the end of the data");
                    }

                    literal = 0;
                    for (var i = 0; i < extra; i++)
                    {
                        literal |= (ulong)ip[i] << (8 * i);
                    }

                    literal++;
                    ip += extra;
                }

                if (literal > (ulong)(inputEnd - ip) || literal > (ulong)(outputEnd - op))
                {
                    throw Corrupt($"a literal of {literal} bytes passes the end of the data or of the {outputEnd - outputStart}-byte output");
                }

                Unsafe.CopyBlockUnaligned(op, ip, (uint)literal);
                op += literal;
                ip += literal;
                return;
            }

            case TagCopy1:
                if (ip == inputEnd)
                {
                    throw Corrupt("a copy's offset runs past the end of the data");
                }

                length = ((tag >> 2) & 7) + 4;
                offset = ((tag >> 5) << 8) | *ip++;
                break;

            case TagCopy2:
                if (inputEnd - ip < 2)
                {
                    throw Corrupt("a copy's offset runs past the end of the data");
                }

                length = (tag >> 2) + 1;
                offset = LoadLittleEndian16(ip);
                ip += 2;
                break;

            default:
                if (inputEnd - ip < 4)
                {
                    throw Corrupt("a copy's offset runs past the end of the data");
                }

                length = (tag >> 2) + 1;
                offset = LoadLittleEndian32(ip);
                ip += 4;
                break;
        }

        if (offset == 0 || offset > (ulong)(op - outputStart))
        {
            throw Corrupt($"a copy reaches {offset} bytes back where {op - outputStart} bytes have been decoded");
        }

        if (length > (ulong)(outputEnd - op))
        {
            throw Corrupt($"a copy of {length} bytes passes the end of the {outputEnd - outputStart}-byte output");
        }

        var end = op + length;
        var source = op - offset;

        // A short offset repeats a pattern. Copying one period at a time doubles the distance that may be
        // used (the output stays periodic with the original period, and the source stays put), until
        // 8-byte steps no longer overlap their own source.
        while (offset < 8 && op < end)
        {
            var step = Math.Min(offset, (uint)(end - op));
            for (uint i = 0; i < step; i++)
            {
                op[i] = source[i];
            }

            op += step;
            offset *= 2;
        }

        while (end - op >= 8)
        {
            Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<ulong>(op - offset));
            op += 8;
        }

        while (op < end)
        {
            *op = *(op - offset);
            op++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint LoadLittleEndian16(byte* p)
    {
        var value = Unsafe.ReadUnaligned<ushort>(p);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint LoadLittleEndian32(byte* p)
    {
        var value = Unsafe.ReadUnaligned<uint>(p);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    private static ulong ReadPreamble(ReadOnlySpan<byte> input, out int length)
    {
        ulong value = 0;
        for (var i = 0; i < MaxPreambleLength; i++)
        {
            if (i == input.Length)
            {
                throw new ParquetException("SNAPPY data ends inside its length preamble");
            }

            var b = input[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                if (value > uint.MaxValue)
                {
                    throw new ParquetException($"SNAPPY length preamble {value} exceeds 32 bits");
                }

                length = i + 1;
                return value;
            }
        }

        throw new ParquetException("SNAPPY length preamble is longer than 5 bytes");
    }

    private static ParquetException Corrupt(string what) => new($"SNAPPY data is corrupt: {what}");

    // ---- Encoding ----------------------------------------------------------------------------------

    private static int WritePreamble(Span<byte> output, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            output[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[i++] = (byte)value;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(uint fourBytes, int shift) => (fourBytes * 0x9E3779B1u) >> shift;

    /// <summary>
    /// Greedy LZ77 over one block: a hash of the next four bytes finds the last position with the same
    /// hash, and a verified match is extended as far as it goes. Positions are kept relative to the block,
    /// so a 16-bit table suffices. After a run of misses the scan steps faster, so incompressible data
    /// costs little. Returns the new output position.
    /// </summary>
    private static byte* CompressBlock(byte* block, int length, byte* op, Span<ushort> table)
    {
        var literalStart = block;
        var blockEnd = block + length;
        if (length >= InputMargin + 1)
        {
            var bits = MinTableBits;
            while (bits < MaxTableBits && (1 << bits) < length)
            {
                bits++;
            }

            var shift = 32 - bits;
            var slots = table[..(1 << bits)];
            slots.Clear();
            fixed (ushort* hashTable = slots)
            {
                var limit = blockEnd - InputMargin;
                var ip = block + 1;
                while (ip < limit)
                {
                    // Find a match, stepping further after each miss.
                    byte* candidate;
                    var misses = 32;
                    while (true)
                    {
                        var current = Unsafe.ReadUnaligned<uint>(ip);
                        var h = Hash(current, shift);
                        candidate = block + hashTable[h];
                        hashTable[h] = (ushort)(ip - block);
                        Debug.Assert(candidate < ip, "the table only holds positions already passed");
                        if (Unsafe.ReadUnaligned<uint>(candidate) == current)
                        {
                            break;
                        }

                        ip += misses++ >> 5;
                        if (ip >= limit)
                        {
                            goto Tail;
                        }
                    }

                    // Move the match start back over equal bytes not yet emitted.
                    while (ip > literalStart && candidate > block && ip[-1] == candidate[-1])
                    {
                        ip--;
                        candidate--;
                    }

                    op = EmitLiteral(op, literalStart, (int)(ip - literalStart));

                    var matchEnd = ExtendMatch(ip + 4, candidate + 4, blockEnd);
                    op = EmitCopy(op, (int)(ip - candidate), (int)(matchEnd - ip));
                    ip = matchEnd;
                    literalStart = ip;
                    if (ip < limit)
                    {
                        // Remember the position just before, so the next scan can pick up runs that continue.
                        hashTable[Hash(Unsafe.ReadUnaligned<uint>(ip - 1), shift)] = (ushort)(ip - 1 - block);
                    }
                }
            }
        }

    Tail:
        return literalStart < blockEnd ? EmitLiteral(op, literalStart, (int)(blockEnd - literalStart)) : op;
    }

    /// <summary>The end of the match of <paramref name="ip"/> with <paramref name="candidate"/> (which is behind it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* ExtendMatch(byte* ip, byte* candidate, byte* end)
    {
        while (end - ip >= 8)
        {
            var difference = Unsafe.ReadUnaligned<ulong>(ip) ^ Unsafe.ReadUnaligned<ulong>(candidate);
            if (difference != 0)
            {
                return ip + (BitOperations.TrailingZeroCount(difference) >> 3);
            }

            ip += 8;
            candidate += 8;
        }

        while (ip < end && *ip == *candidate)
        {
            ip++;
            candidate++;
        }

        return ip;
    }

    private static byte* EmitLiteral(byte* op, byte* source, int length)
    {
        if (length == 0)
        {
            return op;
        }

        var n = (uint)(length - 1);
        if (n < 60)
        {
            *op++ = (byte)(TagLiteral | (n << 2));
        }
        else
        {
            var bytes = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4;
            *op++ = (byte)(TagLiteral | ((59 + bytes) << 2));
            for (var i = 0; i < bytes; i++)
            {
                *op++ = (byte)(n >> (8 * i));
            }
        }

        Unsafe.CopyBlockUnaligned(op, source, (uint)length);
        return op + length;
    }

    private static byte* EmitCopy(byte* op, int offset, int length)
    {
        // Copy elements hold at most 64 bytes. Split long matches so that the last piece is at least 4
        // bytes long, which keeps the 2-byte form available for it.
        while (length >= 68)
        {
            op = EmitCopy2(op, offset, 64);
            length -= 64;
        }

        if (length > 64)
        {
            op = EmitCopy2(op, offset, 60);
            length -= 60;
        }

        if (length <= 11 && offset < 2048)
        {
            *op++ = (byte)(TagCopy1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            *op++ = (byte)offset;
            return op;
        }

        return EmitCopy2(op, offset, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* EmitCopy2(byte* op, int offset, int length)
    {
        op[0] = (byte)(TagCopy2 | ((length - 1) << 2));
        op[1] = (byte)offset;
        op[2] = (byte)(offset >> 8);
        return op + 3;
    }
}
