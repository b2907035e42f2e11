using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// Byte-array values laid out Arrow-style: one data buffer and <c>Count + 1</c> offsets, value <c>i</c> being
/// <c>Data[Offsets[i]..Offsets[i + 1]]</c>. Decoders append to it; a column chunk's pages can share one builder.
/// <see cref="DataBuffer"/> and <see cref="OffsetsBuffer"/> hand the arrays over without copying (they may be
/// longer than used: <see cref="DataLength"/> bytes and <c>Count + 1</c> offsets count).
/// </summary>
internal sealed class ByteArrayBuilder
{
    // Offsets are int, so neither buffer may pass what one array can address.
    private const int MaxValues = int.MaxValue - 64;

    private byte[] _data;
    private int[] _offsets;
    private int _count;
    private int _length;

    public ByteArrayBuilder(int valueCapacity = 16, int dataCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(dataCapacity);
        _offsets = new int[Math.Min(valueCapacity, Array.MaxLength - 1) + 1];
        _data = dataCapacity == 0 ? [] : new byte[dataCapacity];
    }

    /// <summary>
    /// Starts empty on the given buffers (their contents are overwritten), growing past them as needed.
    /// Recycled buffers were sized for similar data, so the first growth of each adds an eighth to what is
    /// needed instead of doubling.
    /// </summary>
    internal ByteArrayBuilder(int[] offsets, byte[] data)
    {
        ArgumentOutOfRangeException.ThrowIfZero(offsets.Length);
        _offsets = offsets;
        _offsets[0] = 0;
        _data = data;
        _modestValueGrowth = true;
        _modestDataGrowth = true;
    }

    private bool _modestValueGrowth;
    private bool _modestDataGrowth;

    public int Count => _count;

    public int DataLength => _length;

    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _length);

    /// <summary>Always <c>Count + 1</c> entries, the first 0.</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, _count + 1);

    public byte[] DataBuffer => _data;

    public int[] OffsetsBuffer => _offsets;

    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"the builder holds {_count} values");
            }

            int start = _offsets[index];
            return _data.AsSpan(start, _offsets[index + 1] - start);
        }
    }

    public ByteArraySpan AsSpan() => new(Data, Offsets);

    public void Clear()
    {
        _count = 0;
        _length = 0;
    }

    /// <summary>Makes room for that many more values and bytes, so that appends within it never reallocate.</summary>
    public void Reserve(long additionalValues, long additionalBytes)
    {
        EnsureValues((long)_count + additionalValues);
        EnsureData((long)_length + additionalBytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(ReadOnlySpan<byte> value)
    {
        value.CopyTo(AppendUninitialized(value.Length));
    }

    /// <summary>Adds one value of <paramref name="length"/> bytes and returns its (unfilled) bytes to write.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> AppendUninitialized(int length)
    {
        int start = _length;
        int count = _count;
        if ((uint)(count + 1) >= (uint)_offsets.Length || (uint)length > (uint)(_data.Length - start))
        {
            Grow(length);
        }

        int end = start + length;
        _offsets[count + 1] = end;
        _length = end;
        _count = count + 1;
        return _data.AsSpan(start, length);
    }

    /// <summary>
    /// Appends <c>source[indices[i]]</c> for every index. The caller has checked every index against
    /// <c>source.Count</c> and the source offsets (see <see cref="ByteArraySpan.Validate"/>), and passes the
    /// total length of the values. Short values move 16 bytes at a time where both sides have that much room
    /// (the excess lands in the reserved slack and is overwritten by the next value).
    /// </summary>
    // Runs once per page over many values: compiled fully optimized on first use (see HotPath.cs).
    [MethodImpl(HotPath.Options)]
    internal void AppendGathered(ByteArraySpan source, ReadOnlySpan<int> indices, long totalBytes)
    {
        const int Wide = WideBytes;
        Reserve(indices.Length, totalBytes + Wide);
        ReadOnlySpan<int> offsets = source.Offsets;

        // A small dictionary (one commit time, one file name) gets room past its end, so that its values move
        // wide too; gathering repeats them for every row.
        scoped ReadOnlySpan<byte> data = source.Data;
        Span<byte> padded = data.Length <= SmallDictionaryBytes ? stackalloc byte[SmallDictionaryBytes + Wide] : default;
        if (!padded.IsEmpty)
        {
            data.CopyTo(padded);
            data = padded[..(data.Length + Wide)];
        }

        int wideLimit = data.Length - Wide;
        int narrowLimit = data.Length - 16;
        ref byte sourceStart = ref MemoryMarshal.GetReference(data);
        ref byte target = ref MemoryMarshal.GetArrayDataReference(_data);
        Span<int> targetOffsets = _offsets.AsSpan(_count + 1, indices.Length);
        int position = _length;
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            int start = offsets[index];
            int length = offsets[index + 1] - start;
            if (length <= 16 && start <= narrowLimit)
            {
                Unsafe.WriteUnaligned(
                    ref Unsafe.Add(ref target, position),
                    Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref sourceStart, start)));
            }
            else if (length <= Wide && start <= wideLimit)
            {
                CopyWide(ref Unsafe.Add(ref target, position), ref Unsafe.Add(ref sourceStart, start), length);
            }
            else
            {
                data.Slice(start, length).CopyTo(_data.AsSpan(position, length));
            }

            position += length;
            targetOffsets[i] = position;
        }

        _count += indices.Length;
        _length = position;
    }

    /// <summary>
    /// Appends <paramref name="count"/> values stored as PLAIN BYTE_ARRAY (a 4-byte little-endian length, then
    /// the bytes) from the start of <paramref name="data"/>, checking each length against what is left as it goes
    /// (one pass: the lengths form a chain that a separate checking pass would walk twice). Returns the bytes
    /// consumed. On bad data nothing is appended. Short values move 16 bytes at a time as in <see cref="AppendGathered"/>.
    /// </summary>
    // Runs once per page over many values: compiled fully optimized on first use (see HotPath.cs).
    [MethodImpl(HotPath.Options)]
    internal int AppendLengthPrefixed(ReadOnlySpan<byte> data, int count, string encoding)
    {
        const int Wide = WideBytes;

        // The values' bytes are at most what follows their lengths; the offsets written past the count and the
        // bytes past the length are only committed at the end.
        long valueBytes = data.Length - (4L * count);
        Reserve(count, valueBytes + Wide);
        long valuesEnd = _length + valueBytes;
        int wideLimit = data.Length - Wide;
        int narrowLimit = data.Length - 16;
        ref byte sourceStart = ref MemoryMarshal.GetReference(data);
        ref byte target = ref MemoryMarshal.GetArrayDataReference(_data);
        Span<int> targetOffsets = _offsets.AsSpan(_count + 1, count);
        int position = _length;
        int at = 0;
        for (int i = 0; i < count; i++)
        {
            if (data.Length - at < 4)
            {
                EncodingErrors.TooShort(encoding, $"BYTE_ARRAY length of value {i} at byte {at}", 4, data.Length - at);
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(at));
            at += 4;
            if (length > (uint)(data.Length - at) || length > valuesEnd - position)
            {
                // Past the data, or so far into it that the lengths of the values after it cannot all follow.
                EncodingErrors.Throw(length > (uint)(data.Length - at)
                    ? $"{encoding}: BYTE_ARRAY value {i} at byte {at - 4} declares {length} bytes but only {data.Length - at} remain"
                    : $"{encoding}: BYTE_ARRAY value {i} at byte {at - 4} declares {length} bytes, which leaves too few for the lengths of the {count - i - 1} values after it");
            }

            if (length <= 16 && at <= narrowLimit)
            {
                Unsafe.WriteUnaligned(
                    ref Unsafe.Add(ref target, position),
                    Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref sourceStart, at)));
            }
            else if (length <= Wide && at <= wideLimit)
            {
                CopyWide(ref Unsafe.Add(ref target, position), ref Unsafe.Add(ref sourceStart, at), (int)length);
            }
            else
            {
                data.Slice(at, (int)length).CopyTo(_data.AsSpan(position, (int)length));
            }

            at += (int)length;
            position += (int)length;
            targetOffsets[i] = position;
        }

        _count += count;
        _length = position;
        return at;
    }

    /// <summary>
    /// Values up to this long are moved in 16-byte steps rounded up rather than by an exact copy (keys, sequence
    /// numbers, timestamps, file names: most strings of change data); the excess lands in space reserved past the end.
    /// </summary>
    private const int WideBytes = 128;

    /// <summary>Dictionaries up to this size are gathered from a padded copy on the stack.</summary>
    private const int SmallDictionaryBytes = 2048;

    /// <summary>
    /// Copies <paramref name="length"/> bytes in 16-byte steps, rounded up to a multiple of 16 (at least 16): both
    /// sides must have that much room.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyWide(ref byte target, ref byte source, int length)
    {
        var done = 0;
        do
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, done), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref source, done)));
            done += 16;
        }
        while (done < length);
    }

    /// <summary>Copies into exactly-sized arrays (offsets <c>Count + 1</c> long).</summary>
    public (byte[] Data, int[] Offsets) ToArrays() => (Data.ToArray(), Offsets.ToArray());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        EnsureValues((long)_count + 1);
        EnsureData((long)_length + length);
    }

    private void EnsureValues(long values)
    {
        if (values < 0 || values > MaxValues || values + 1 > Array.MaxLength)
        {
            EncodingErrors.Throw($"byte-array column would hold {values} values, over the limit of one buffer");
        }

        long slots = values + 1;
        if (slots <= _offsets.Length)
        {
            return;
        }

        long grown = Math.Min(_modestValueGrowth ? slots + (slots >> 3) : Math.Max(slots, (long)_offsets.Length * 2), Array.MaxLength);
        _modestValueGrowth = false;
        Array.Resize(ref _offsets, (int)grown);
    }

    private void EnsureData(long bytes)
    {
        if (bytes < 0 || bytes > Array.MaxLength)
        {
            EncodingErrors.Throw($"byte-array data would reach {bytes} bytes, over the {Array.MaxLength}-byte limit of one buffer");
        }

        if (bytes <= _data.Length)
        {
            return;
        }

        long grown = Math.Min(_modestDataGrowth ? bytes + (bytes >> 3) : Math.Max(bytes, Math.Max((long)_data.Length * 2, 256)), Array.MaxLength);
        _modestDataGrowth = false;
        byte[] next = GC.AllocateUninitializedArray<byte>((int)grown);
        _data.AsSpan(0, _length).CopyTo(next);
        _data = next;
    }
}

/// <summary>
/// A read-only view of byte-array values in the <see cref="ByteArrayBuilder"/> layout: value <c>i</c> is
/// <c>Data[Offsets[i]..Offsets[i + 1]]</c>. <c>Offsets[0]</c> need not be 0, so a slice of a larger column is valid.
/// </summary>
internal readonly ref struct ByteArraySpan
{
    public ByteArraySpan(ReadOnlySpan<byte> data, ReadOnlySpan<int> offsets)
    {
        Data = data;
        Offsets = offsets;
    }

    public ReadOnlySpan<byte> Data { get; }

    public ReadOnlySpan<int> Offsets { get; }

    public int Count => Offsets.IsEmpty ? 0 : Offsets.Length - 1;

    public ReadOnlySpan<byte> this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int start = Offsets[index];
            return Data.Slice(start, Offsets[index + 1] - start);
        }
    }

    /// <summary>Offsets must rise monotonically within the data; encoders check this once, up front.</summary>
    public void Validate(string encoding)
    {
        ReadOnlySpan<int> offsets = Offsets;
        if (offsets.IsEmpty)
        {
            return;
        }

        int previous = offsets[0];
        if (previous < 0 || previous > Data.Length)
        {
            EncodingErrors.Throw($"{encoding}: first offset {previous} lies outside the {Data.Length}-byte data buffer");
        }

        for (int i = 1; i < offsets.Length; i++)
        {
            int next = offsets[i];
            if (next < previous || next > Data.Length)
            {
                EncodingErrors.Throw($"{encoding}: offset {i} ({next}) is below offset {i - 1} ({previous}) or beyond the {Data.Length}-byte data buffer");
            }

            previous = next;
        }
    }
}
