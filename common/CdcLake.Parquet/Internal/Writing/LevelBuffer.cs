using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using CdcLake.Parquet.Encodings;

namespace CdcLake.Parquet.Internal.Writing;

/// <summary>
/// The repetition or definition levels of the page being built. While every level is the same (a column
/// without nulls, a flat column's repetition) only the count is kept and the page gets a single RLE run;
/// the levels are materialized into a pooled array when the first different one arrives.
/// </summary>
internal sealed class LevelBuffer : IDisposable
{
    private int[] _buffer = [];
    private int _count;
    private bool _uniform = true;
    private int _uniformValue;

    public int Count => _count;

    /// <summary>
    /// Encoded size estimate: one run while uniform; otherwise 1.5 bits per bit of width, as short runs of a
    /// value (say one null in ten) cost RLE headers on top of the bit-packed groups.
    /// </summary>
    public long EstimateBytes(int bitWidth) => _count == 0 || bitWidth == 0 ? 0 : _uniform ? 8 : ((3L * _count * bitWidth) + 15) / 16;

    public void AppendRun(int value, int count)
    {
        if (count <= 0)
        {
            return;
        }

        if (_uniform)
        {
            if (_count == 0)
            {
                _uniformValue = value;
                _count = count;
                return;
            }

            if (value == _uniformValue)
            {
                _count += count;
                return;
            }

            Materialize(count);
        }

        Ensure(count);
        _buffer.AsSpan(_count, count).Fill(value);
        _count += count;
    }

    public void Append(ReadOnlySpan<int> levels)
    {
        if (levels.IsEmpty)
        {
            return;
        }

        if (_uniform)
        {
            var value = _count == 0 ? levels[0] : _uniformValue;
            if (levels.IndexOfAnyExcept(value) < 0)
            {
                _uniformValue = value;
                _count += levels.Length;
                return;
            }

            Materialize(levels.Length);
        }

        Ensure(levels.Length);
        levels.CopyTo(_buffer.AsSpan(_count));
        _count += levels.Length;
    }

    /// <summary>Appends definition level 1 for set bits and 0 for clear ones; returns the number of clear bits.</summary>
    public int AppendValidity(ReadOnlySpan<byte> validity, int start, int count)
    {
        var valid = CountSet(validity, start, count);
        if (valid == count)
        {
            AppendRun(1, count);
            return 0;
        }

        if (valid == 0)
        {
            AppendRun(0, count);
            return count;
        }

        if (_uniform)
        {
            Materialize(count);
        }

        Ensure(count);
        var target = _buffer.AsSpan(_count, count);
        for (var i = 0; i < count; i++)
        {
            var slot = start + i;
            target[i] = (validity[slot >> 3] >> (slot & 7)) & 1;
        }

        _count += count;
        return count - valid;
    }

    /// <summary>RLE/bit-packed hybrid without a length prefix (data page v2).</summary>
    public void Encode(int bitWidth, IBufferWriter<byte> output)
    {
        if (_count == 0)
        {
            return;
        }

        if (_uniform)
        {
            WriteRun(_uniformValue, _count, bitWidth, output);
        }
        else
        {
            RleBitPackedHybrid.Encode(_buffer.AsSpan(0, _count), bitWidth, output);
        }
    }

    /// <summary>RLE/bit-packed hybrid after a 4-byte little-endian length (data page v1).</summary>
    public void EncodeLengthPrefixed(int bitWidth, IBufferWriter<byte> output)
    {
        if (_uniform)
        {
            var span = output.GetSpan(4 + VarInt.MaxBytes64 + 4);
            var length = _count == 0 ? 0 : WriteRun(_uniformValue, _count, bitWidth, span[4..]);
            BinaryPrimitives.WriteInt32LittleEndian(span, length);
            output.Advance(4 + length);
        }
        else
        {
            RleBitPackedHybrid.EncodeLengthPrefixed(_buffer.AsSpan(0, _count), bitWidth, output);
        }
    }

    public void Clear()
    {
        _count = 0;
        _uniform = true;
        _uniformValue = 0;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>Set bits among <c>bitmap[start..start+count]</c> (bit i of byte i/8, least significant first).</summary>
    public static int CountSet(ReadOnlySpan<byte> bitmap, int start, int count)
    {
        var total = 0;
        var i = start;
        var end = start + count;
        while (i < end && (i & 63) != 0)
        {
            total += (bitmap[i >> 3] >> (i & 7)) & 1;
            i++;
        }

        while (i + 64 <= end)
        {
            total += BitOperations.PopCount(BinaryPrimitives.ReadUInt64LittleEndian(bitmap.Slice(i >> 3, 8)));
            i += 64;
        }

        while (i < end)
        {
            total += (bitmap[i >> 3] >> (i & 7)) & 1;
            i++;
        }

        return total;
    }

    private static void WriteRun(int value, int count, int bitWidth, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(VarInt.MaxBytes64 + 4);
        output.Advance(WriteRun(value, count, bitWidth, span));
    }

    private static int WriteRun(int value, int count, int bitWidth, Span<byte> span)
    {
        var n = VarInt.WriteUleb64(span, (ulong)(uint)count << 1);
        var valueBytes = (bitWidth + 7) >> 3;
        for (var b = 0; b < valueBytes; b++)
        {
            span[n++] = (byte)(value >> (8 * b));
        }

        return n;
    }

    private void Materialize(int additional)
    {
        Ensure(additional);
        _buffer.AsSpan(0, _count).Fill(_uniformValue);
        _uniform = false;
    }

    private void Ensure(int additional)
    {
        var needed = _count + additional;
        if (needed <= _buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<int>.Shared.Rent(Math.Max(needed, Math.Max(1024, _buffer.Length * 2)));
        if (!_uniform)
        {
            _buffer.AsSpan(0, _count).CopyTo(grown);
        }

        if (_buffer.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}
