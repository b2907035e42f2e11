using System.Numerics;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// Appends bits (least significant first, as Arrow validity bitmaps and Parquet's bit-packed runs store
/// them) and counts the set ones. No array exists while every bit appended is set, the common case of a
/// column declared optional that holds no nulls; the first clear bit allocates it. The buffer grows with
/// the bits actually appended, never with a count read from a file.
/// </summary>
internal sealed class BitmapBuilder
{
    private byte[]? _bits;
    private int _count;
    private int _setCount;

    private byte[]? _recycled;

    /// <param name="expectedBits">See <see cref="ExpectedBits"/>.</param>
    /// <param name="recycled">A buffer to use (cleared first) instead of allocating one, if large enough.</param>
    public BitmapBuilder(int expectedBits = 0, byte[]? recycled = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedBits);
        ExpectedBits = expectedBits;
        _recycled = recycled;
    }

    /// <summary>Capacity to allocate when the first clear bit arrives, if the bits appended so far fit in it.</summary>
    public int ExpectedBits { get; }

    public int Count => _count;

    public int SetCount => _setCount;

    /// <summary>The bits (invariant: those at and past <see cref="Count"/> are 0), or null when all are set.</summary>
    public byte[]? Bits => _bits;

    public void AppendRun(bool value, int count)
    {
        if (count <= 0)
        {
            return;
        }

        if (value)
        {
            if (_bits is not null)
            {
                Materialize(count);
                SetRange(_bits, _count, count);
            }

            _setCount += count;
        }
        else
        {
            // Clear bits need no writing: the buffer past the count is already zero.
            Materialize(count);
        }

        _count += count;
    }

    /// <summary>Appends the first <paramref name="count"/> bits of <paramref name="packed"/> (LSB first).</summary>
    public void AppendPacked(ReadOnlySpan<byte> packed, int count)
    {
        if (count <= 0)
        {
            return;
        }

        var wholeBytes = count >> 3;
        var set = 0;
        foreach (var b in packed[..wholeBytes])
        {
            set += BitOperations.PopCount(b);
        }

        var tail = count & 7;
        var last = tail == 0 ? (byte)0 : (byte)(packed[wholeBytes] & ((1 << tail) - 1));
        set += BitOperations.PopCount(last);

        if (set == count && _bits is null)
        {
            _setCount += count;
            _count += count;
            return;
        }

        Materialize(count);
        var bits = _bits!;
        var shift = _count & 7;
        var at = _count >> 3;
        if (shift == 0)
        {
            packed[..wholeBytes].CopyTo(bits.AsSpan(at));
            if (tail != 0)
            {
                bits[at + wholeBytes] = last;
            }
        }
        else
        {
            for (var i = 0; i < wholeBytes; i++)
            {
                var b = packed[i];
                bits[at + i] |= (byte)(b << shift);
                bits[at + i + 1] = (byte)(b >> (8 - shift));
            }

            if (tail != 0)
            {
                bits[at + wholeBytes] |= (byte)(last << shift);
                if (shift + tail > 8)
                {
                    bits[at + wholeBytes + 1] = (byte)(last >> (8 - shift));
                }
            }
        }

        _setCount += set;
        _count += count;
    }

    /// <summary>Appends one bit per level: set where the level equals <paramref name="max"/>, an error above it.</summary>
    public void AppendLevels(ReadOnlySpan<int> levels, int max)
    {
        foreach (var level in levels)
        {
            if ((uint)level > (uint)max)
            {
                throw new ParquetException($"definition level {level} exceeds the maximum {max}");
            }
        }

        var start = 0;
        while (start < levels.Length)
        {
            var value = levels[start] == max;
            var end = start + 1;
            while (end < levels.Length && (levels[end] == max) == value)
            {
                end++;
            }

            AppendRun(value, end - start);
            start = end;
        }
    }

    /// <summary>Makes sure the buffer exists and holds <see cref="Count"/> + <paramref name="more"/> bits.</summary>
    private void Materialize(int more)
    {
        var needed = (long)_count + more;
        if (needed > Array.MaxLength)
        {
            throw new ParquetException($"column chunk holds more than {Array.MaxLength} levels");
        }

        var neededBytes = (int)((needed + 7) >> 3);
        if (_bits is null)
        {
            var capacity = needed <= ExpectedBits ? ExpectedBits : Math.Max(needed, Math.Min(Array.MaxLength, 2 * needed));
            var bytes = (int)((capacity + 7) >> 3);
            if (_recycled is not null && _recycled.Length >= bytes)
            {
                _bits = _recycled;
                Array.Clear(_bits);
            }
            else
            {
                _bits = new byte[bytes];
            }

            _recycled = null;
            SetRange(_bits, 0, _count);
        }
        else if (neededBytes > _bits.Length)
        {
            Array.Resize(ref _bits, (int)Math.Min(Array.MaxLength, Math.Max(neededBytes, 2L * _bits.Length)));
        }
    }

    private static void SetRange(byte[] bits, int start, int count)
    {
        var end = start + count;
        while (start < end && (start & 7) != 0)
        {
            bits[start >> 3] |= (byte)(1 << (start & 7));
            start++;
        }

        var wholeBytes = (end - start) >> 3;
        bits.AsSpan(start >> 3, wholeBytes).Fill(0xFF);
        start += wholeBytes << 3;
        while (start < end)
        {
            bits[start >> 3] |= (byte)(1 << (start & 7));
            start++;
        }
    }
}
