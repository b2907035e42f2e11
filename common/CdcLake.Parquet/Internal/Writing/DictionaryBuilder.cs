using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Internal.Writing;

/// <summary>
/// The distinct values of one column chunk, in first-seen order, for dictionary encoding of fixed-width
/// types (INT32, INT64, INT96, FLOAT, DOUBLE). An open-addressing table (linear probing, load at most 1/2,
/// Fibonacci hashing) keyed on the raw bits, so NaN payloads and -0.0 are distinct keys, as the bytes
/// written for them are.
/// </summary>
internal sealed class FixedDictionary<T> : IDisposable
    where T : unmanaged
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    private T[] _values;
    private int _count;
    private int[] _table = [];
    private int _shift;
    private int _mask;
    private int _growAt;

    public FixedDictionary()
    {
        if (Unsafe.SizeOf<T>() is not (4 or 8 or 12))
        {
            throw new NotSupportedException($"no dictionary for {Unsafe.SizeOf<T>()}-byte values");
        }

        _values = ArrayPool<T>.Shared.Rent(256);
        Allocate(512);
    }

    public int Count => _count;

    public ReadOnlySpan<T> Values => _values.AsSpan(0, _count);

    /// <summary>Bytes of the PLAIN dictionary page.</summary>
    public long PlainBytes => (long)_count * Unsafe.SizeOf<T>();

    /// <summary>Looks every value up, adding new ones; writes their indices.</summary>
    public void AddRange(ReadOnlySpan<T> values, Span<int> indices)
    {
        if (values.IsEmpty)
        {
            return;
        }

        // Runs of one value are common in change data (flags, tenants): skip the probe for repeats.
        var previous = values[0];
        var previousIndex = GetOrAdd(previous);
        indices[0] = previousIndex;
        for (var i = 1; i < values.Length; i++)
        {
            var v = values[i];
            if (!BitEquals(v, previous))
            {
                previous = v;
                previousIndex = GetOrAdd(v);
            }

            indices[i] = previousIndex;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(T value)
    {
        var table = _table;
        var slot = (int)(Hash(value) >> _shift);
        while (true)
        {
            var entry = table[slot];
            if (entry == 0)
            {
                return Add(value, slot);
            }

            if (BitEquals(_values[entry - 1], value))
            {
                return entry - 1;
            }

            slot = (slot + 1) & _mask;
        }
    }

    public void Clear()
    {
        _count = 0;
        Array.Clear(_table);
    }

    public void Dispose()
    {
        if (_values.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_values);
            _values = [];
        }
    }

    private int Add(T value, int slot)
    {
        var index = _count;
        if (index == _values.Length)
        {
            var grown = ArrayPool<T>.Shared.Rent(index * 2);
            _values.AsSpan(0, index).CopyTo(grown);
            ArrayPool<T>.Shared.Return(_values);
            _values = grown;
        }

        _values[index] = value;
        _table[slot] = index + 1;
        _count = index + 1;
        if (_count >= _growAt)
        {
            Rehash(_table.Length * 2);
        }

        return index;
    }

    private void Rehash(int capacity)
    {
        Allocate(capacity);
        var table = _table;
        for (var i = 0; i < _count; i++)
        {
            var slot = (int)(Hash(_values[i]) >> _shift);
            while (table[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }

            table[slot] = i + 1;
        }
    }

    private void Allocate(int capacity)
    {
        _table = new int[capacity];
        _mask = capacity - 1;
        _shift = 64 - BitOperations.Log2((uint)capacity);
        _growAt = capacity / 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(T value)
    {
        if (Unsafe.SizeOf<T>() == 4)
        {
            return Unsafe.As<T, uint>(ref value) * Golden;
        }

        if (Unsafe.SizeOf<T>() == 8)
        {
            return Unsafe.As<T, ulong>(ref value) * Golden;
        }

        ref var bytes = ref Unsafe.As<T, byte>(ref value);
        var low = Unsafe.ReadUnaligned<ulong>(ref bytes);
        var high = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref bytes, 8));
        return (low * Golden) ^ BitOperations.RotateLeft(high * 0xC2B2AE3D27D4EB4FUL, 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool BitEquals(T a, T b)
    {
        if (Unsafe.SizeOf<T>() == 4)
        {
            return Unsafe.As<T, uint>(ref a) == Unsafe.As<T, uint>(ref b);
        }

        if (Unsafe.SizeOf<T>() == 8)
        {
            return Unsafe.As<T, ulong>(ref a) == Unsafe.As<T, ulong>(ref b);
        }

        ref var x = ref Unsafe.As<T, byte>(ref a);
        ref var y = ref Unsafe.As<T, byte>(ref b);
        return Unsafe.ReadUnaligned<ulong>(ref x) == Unsafe.ReadUnaligned<ulong>(ref y)
            && Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref x, 8)) == Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref y, 8));
    }
}

/// <summary>
/// The distinct byte strings of one column chunk, in first-seen order: one data buffer and offsets (value i
/// is <c>Data[Offsets[i]..Offsets[i + 1]]</c>), found through an open-addressing table on a hash of the raw
/// bytes. Each entry keeps its hash, so that mismatches are rejected without touching the bytes and growth needs no rehashing of the data.
/// </summary>
internal sealed class ByteArrayDictionary
{
    private byte[] _data = new byte[4096];
    private int _dataLength;
    private int[] _offsets = new int[257];
    private ulong[] _hashes = new ulong[256];
    private int _count;
    private int[] _table = [];
    private int _shift;
    private int _mask;
    private int _growAt;

    /// <param name="fixedWidth">The FIXED_LEN_BYTE_ARRAY width, or -1 for BYTE_ARRAY.</param>
    public ByteArrayDictionary(int fixedWidth)
    {
        FixedWidth = fixedWidth;
        Allocate(512);
    }

    public int FixedWidth { get; }

    public int Count => _count;

    public int DataLength => _dataLength;

    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _dataLength);

    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, _count + 1);

    /// <summary>Bytes of the PLAIN dictionary page (a 4-byte length before each BYTE_ARRAY value).</summary>
    public long PlainBytes => FixedWidth >= 0 ? _dataLength : _dataLength + (4L * _count);

    public ReadOnlySpan<byte> this[int index] => _data.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(ReadOnlySpan<byte> value)
    {
        var hash = HashBytes(value);
        var table = _table;
        var slot = (int)(hash >> _shift);
        while (true)
        {
            var entry = table[slot];
            if (entry == 0)
            {
                return Add(value, hash, slot);
            }

            var index = entry - 1;
            if (_hashes[index] == hash)
            {
                var start = _offsets[index];
                if (value.SequenceEqual(_data.AsSpan(start, _offsets[index + 1] - start)))
                {
                    return index;
                }
            }

            slot = (slot + 1) & _mask;
        }
    }

    public void Clear()
    {
        _count = 0;
        _dataLength = 0;
        Array.Clear(_table);
    }

    /// <summary>
    /// A 64-bit hash of arbitrary bytes: 8-byte words folded with multiply/rotate, the length mixed in,
    /// then a murmur-style finalizer so that every input bit reaches the top bits the table indexes with.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashBytes(ReadOnlySpan<byte> value)
    {
        const ulong M1 = 0x9E3779B97F4A7C15UL;
        const ulong M2 = 0xC2B2AE3D27D4EB4FUL;
        var length = value.Length;
        ref var p = ref MemoryMarshal.GetReference(value);
        var h = (ulong)length * M1;
        var i = 0;
        for (; i + 8 <= length; i += 8)
        {
            var word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i));
            h = BitOperations.RotateLeft(h ^ (word * M2), 31) * M1;
        }

        var rest = length - i;
        if (rest > 0)
        {
            ulong tail;
            if (rest >= 4)
            {
                tail = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i))
                    | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, length - 4)) << 32);
            }
            else
            {
                tail = Unsafe.Add(ref p, i)
                    | ((ulong)Unsafe.Add(ref p, i + (rest >> 1)) << 8)
                    | ((ulong)Unsafe.Add(ref p, length - 1) << 16);
            }

            h = BitOperations.RotateLeft(h ^ (tail * M2), 31) * M1;
        }

        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }

    private int Add(ReadOnlySpan<byte> value, ulong hash, int slot)
    {
        var index = _count;
        if (index >= _hashes.Length)
        {
            Array.Resize(ref _hashes, _hashes.Length * 2);
            Array.Resize(ref _offsets, _hashes.Length + 1);
        }

        if (value.Length > _data.Length - _dataLength)
        {
            var grown = (long)Math.Max(_data.Length * 2L, (long)_dataLength + value.Length);
            if (grown > Array.MaxLength)
            {
                throw new ParquetException($"dictionary would exceed {Array.MaxLength} bytes");
            }

            Array.Resize(ref _data, (int)grown);
        }

        value.CopyTo(_data.AsSpan(_dataLength));
        _offsets[index] = _dataLength;
        _dataLength += value.Length;
        _offsets[index + 1] = _dataLength;
        _hashes[index] = hash;
        _table[slot] = index + 1;
        _count = index + 1;
        if (_count >= _growAt)
        {
            Rehash(_table.Length * 2);
        }

        return index;
    }

    private void Rehash(int capacity)
    {
        Allocate(capacity);
        var table = _table;
        for (var i = 0; i < _count; i++)
        {
            var slot = (int)(_hashes[i] >> _shift);
            while (table[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }

            table[slot] = i + 1;
        }
    }

    private void Allocate(int capacity)
    {
        _table = new int[capacity];
        _mask = capacity - 1;
        _shift = 64 - BitOperations.Log2((uint)capacity);
        _growAt = capacity / 2;
    }
}
