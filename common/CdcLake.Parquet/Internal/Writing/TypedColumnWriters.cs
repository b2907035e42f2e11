using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CdcLake.Parquet.Encodings;

namespace CdcLake.Parquet.Internal.Writing;

internal static class ColumnWriterFactory
{
    public static ColumnChunkWriter Create(ColumnDescriptor column, WriterSettings settings) => column.Field.PhysicalType switch
    {
        PhysicalType.Boolean => new BooleanColumnWriter(column, settings),
        PhysicalType.Int32 => new FixedColumnWriter<int>(column, settings),
        PhysicalType.Int64 => new FixedColumnWriter<long>(column, settings),
        PhysicalType.Int96 => new FixedColumnWriter<Int96>(column, settings),
        PhysicalType.Float => new FixedColumnWriter<float>(column, settings),
        PhysicalType.Double => new FixedColumnWriter<double>(column, settings),
        PhysicalType.ByteArray => new BinaryColumnWriter(column, settings, -1),
        PhysicalType.FixedLenByteArray => new BinaryColumnWriter(column, settings, column.Field.TypeLength),
        var t => throw new ParquetException($"cannot write physical type {t}"),
    };
}

/// <summary>A growable pooled array for page values.</summary>
internal struct PooledList<T> : IDisposable
    where T : unmanaged
{
    private T[] _items;
    private int _count;

    public PooledList()
    {
        _items = [];
        _count = 0;
    }

    public readonly int Count => _count;

    public readonly Span<T> Span => _items.AsSpan(0, _count);

    /// <summary>Space for <paramref name="count"/> more items, to be committed with <see cref="Commit"/>.</summary>
    public Span<T> Reserve(int count)
    {
        var needed = _count + count;
        if (needed > _items.Length)
        {
            var grown = ArrayPool<T>.Shared.Rent(Math.Max(needed, Math.Max(256, _items.Length * 2)));
            _items.AsSpan(0, _count).CopyTo(grown);
            if (_items.Length > 0)
            {
                ArrayPool<T>.Shared.Return(_items);
            }

            _items = grown;
        }

        return _items.AsSpan(_count, count);
    }

    public void Commit(int count) => _count += count;

    public void Clear() => _count = 0;

    public void Dispose()
    {
        if (_items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_items);
        }

        _items = [];
        _count = 0;
    }
}

/// <summary>BOOLEAN: PLAIN bit-packed values, never a dictionary.</summary>
internal sealed class BooleanColumnWriter : ColumnChunkWriter
{
    private readonly BooleanStats? _stats;
    private PooledList<bool> _values = new();

    public BooleanColumnWriter(ColumnDescriptor column, WriterSettings settings)
        : base(column, settings, supportsDictionary: false)
    {
        _stats = settings.Statistics ? new BooleanStats() : null;
    }

    protected override int PageValueCount => _values.Count;

    protected override long PageValueBytes => (_values.Count + 7) / 8;

    protected override long PagePlainBytes => PageValueBytes;

    protected override double BytesPerValue => 0.125;

    protected override double PlainBytesPerValue => 0.125;

    protected override void AppendDense(ColumnVector vector, int start, int count) =>
        Append(((BooleanVector)vector).Values.AsSpan(start, count));

    protected override void AppendValid(ColumnVector vector, int start, int count)
    {
        var values = ((BooleanVector)vector).Values;
        var validity = vector.Validity!;
        var target = _values.Reserve(count);
        var n = 0;
        for (var i = start; i < start + count; i++)
        {
            if ((validity[i >> 3] & (1 << (i & 7))) != 0)
            {
                target[n++] = values[i];
            }
        }

        _stats?.Update(target[..n]);
        _values.Commit(n);
    }

    protected override void AppendSlots(ColumnVector vector, ReadOnlySpan<int> slots)
    {
        var values = ((BooleanVector)vector).Values;
        var target = _values.Reserve(slots.Length);
        for (var i = 0; i < slots.Length; i++)
        {
            target[i] = values[slots[i]];
        }

        _stats?.Update(target);
        _values.Commit(slots.Length);
    }

    protected override void WritePageValues(IBufferWriter<byte> output)
    {
        PlainEncoder.EncodeBooleans(_values.Span, output);
        _values.Clear();
    }

    protected override (byte[]? Min, byte[]? Max) Bounds() => _stats?.Bounds() ?? (null, null);

    protected override void ResetValues()
    {
        _values.Clear();
        _stats?.Reset();
    }

    public override void Dispose()
    {
        _values.Dispose();
        base.Dispose();
    }

    private void Append(ReadOnlySpan<bool> values)
    {
        values.CopyTo(_values.Reserve(values.Length));
        _values.Commit(values.Length);
        _stats?.Update(values);
    }
}

/// <summary>INT32, INT64, INT96, FLOAT and DOUBLE: PLAIN or dictionary-encoded.</summary>
internal sealed class FixedColumnWriter<T> : ColumnChunkWriter
    where T : unmanaged
{
    private static readonly int Size = Unsafe.SizeOf<T>();

    private readonly FixedStats<T>? _stats;
    private readonly FixedDictionary<T>? _dictionary;
    private PooledList<T> _plain = new();
    private PooledList<int> _indices = new();
    private PooledList<T> _gather = new();

    public FixedColumnWriter(ColumnDescriptor column, WriterSettings settings)
        : base(column, settings, supportsDictionary: true)
    {
        _stats = settings.Statistics ? StatisticsBuilder.ForFixed<T>(column.Field) : null;
        _dictionary = settings.EnableDictionary ? new FixedDictionary<T>() : null;
    }

    protected override int PageValueCount => DictionaryMode ? _indices.Count : _plain.Count;

    protected override long PageValueBytes => DictionaryMode ? IndexBytes(_indices.Count) : (long)_plain.Count * Size;

    protected override long PagePlainBytes => (long)PageValueCount * Size;

    protected override double BytesPerValue => DictionaryMode ? IndexBitWidth / 8.0 : Size;

    protected override double PlainBytesPerValue => Size;

    protected override long DictionaryPlainBytes => _dictionary?.PlainBytes ?? 0;

    protected override int DictionaryCount => _dictionary?.Count ?? 0;

    protected override void AppendDense(ColumnVector vector, int start, int count)
    {
        var values = ((PrimitiveVector<T>)vector).Values.AsSpan(start, count);
        if (DictionaryMode)
        {
            AddToDictionary(values);
            return;
        }

        values.CopyTo(_plain.Reserve(count));
        _plain.Commit(count);
        _stats?.Update(values);
    }

    protected override void AppendValid(ColumnVector vector, int start, int count)
    {
        var values = ((PrimitiveVector<T>)vector).Values;
        var validity = vector.Validity!;
        var target = DictionaryMode ? _gather.Reserve(count) : _plain.Reserve(count);
        var n = 0;
        for (var i = start; i < start + count; i++)
        {
            if ((validity[i >> 3] & (1 << (i & 7))) != 0)
            {
                target[n++] = values[i];
            }
        }

        Commit(target[..n]);
    }

    protected override void AppendSlots(ColumnVector vector, ReadOnlySpan<int> slots)
    {
        var values = ((PrimitiveVector<T>)vector).Values;
        var target = DictionaryMode ? _gather.Reserve(slots.Length) : _plain.Reserve(slots.Length);
        for (var i = 0; i < slots.Length; i++)
        {
            target[i] = values[slots[i]];
        }

        Commit(target);
    }

    protected override void WritePageValues(IBufferWriter<byte> output)
    {
        if (DictionaryMode)
        {
            WriteIndices(_indices.Span, output);
            _indices.Clear();
        }
        else
        {
            WritePlain(_plain.Span, output);
            _plain.Clear();
        }
    }

    protected override void DropDictionary()
    {
        var dictionary = _dictionary!.Values;
        var indices = _indices.Span;
        var target = _plain.Reserve(indices.Length);
        for (var i = 0; i < indices.Length; i++)
        {
            target[i] = dictionary[indices[i]];
        }

        _plain.Commit(indices.Length);
        _indices.Clear();
        _dictionary.Clear();
    }

    protected override void WriteDictionaryValues(IBufferWriter<byte> output) => WritePlain(_dictionary!.Values, output);

    protected override (byte[]? Min, byte[]? Max) Bounds() => _stats?.Bounds() ?? (null, null);

    protected override void ResetValues()
    {
        _plain.Clear();
        _indices.Clear();
        _dictionary?.Clear();
        _stats?.Reset();
    }

    public override void Dispose()
    {
        _plain.Dispose();
        _indices.Dispose();
        _gather.Dispose();
        _dictionary?.Dispose();
        base.Dispose();
    }

    private void Commit(Span<T> gathered)
    {
        if (DictionaryMode)
        {
            AddToDictionary(gathered);
            return;
        }

        _plain.Commit(gathered.Length);
        _stats?.Update(gathered);
    }

    private void AddToDictionary(ReadOnlySpan<T> values)
    {
        var dictionary = _dictionary!;
        var before = dictionary.Count;
        dictionary.AddRange(values, _indices.Reserve(values.Length));
        _indices.Commit(values.Length);

        // Every distinct value passes through the dictionary once: its new entries bound the chunk.
        _stats?.Update(dictionary.Values[before..]);
    }

    private static void WritePlain(ReadOnlySpan<T> values, IBufferWriter<byte> output)
    {
        if (typeof(T) == typeof(int))
        {
            PlainEncoder.EncodeInt32(MemoryMarshal.Cast<T, int>(values), output);
        }
        else if (typeof(T) == typeof(long))
        {
            PlainEncoder.EncodeInt64(MemoryMarshal.Cast<T, long>(values), output);
        }
        else if (typeof(T) == typeof(float))
        {
            PlainEncoder.EncodeFloat(MemoryMarshal.Cast<T, float>(values), output);
        }
        else if (typeof(T) == typeof(double))
        {
            PlainEncoder.EncodeDouble(MemoryMarshal.Cast<T, double>(values), output);
        }
        else
        {
            PlainEncoder.EncodeInt96(values, output);
        }
    }
}

/// <summary>BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY: PLAIN or dictionary-encoded.</summary>
internal sealed class BinaryColumnWriter : ColumnChunkWriter
{
    private readonly int _width;
    private readonly int _prefix;
    private readonly BinaryStats? _stats;
    private readonly ByteArrayDictionary? _dictionary;
    private readonly PooledBufferWriter _plain = new(4096);
    private int _plainCount;
    private PooledList<int> _indices = new();
    private long _pagePlainBytes;

    /// <param name="width">FIXED_LEN_BYTE_ARRAY width, or -1 for BYTE_ARRAY.</param>
    public BinaryColumnWriter(ColumnDescriptor column, WriterSettings settings, int width)
        : base(column, settings, supportsDictionary: true)
    {
        _width = width;
        _prefix = width < 0 ? 4 : 0;
        var stats = settings.Statistics ? StatisticsBuilder.ForBinary(column.Field) : null;
        _stats = stats is { IsTracking: true } ? stats : null;
        _dictionary = settings.EnableDictionary ? new ByteArrayDictionary(width) : null;
    }

    protected override int PageValueCount => DictionaryMode ? _indices.Count : _plainCount;

    protected override long PageValueBytes => DictionaryMode ? IndexBytes(_indices.Count) : _plain.WrittenCount;

    protected override long PagePlainBytes => _pagePlainBytes;

    protected override double BytesPerValue => DictionaryMode
        ? IndexBitWidth / 8.0
        : _plainCount > 0 ? (double)_plain.WrittenCount / _plainCount : _width >= 0 ? _width : 16;

    protected override double PlainBytesPerValue => PageValueCount > 0 ? (double)_pagePlainBytes / PageValueCount : _width >= 0 ? _width : 16;

    protected override int MaxSlice => 4096;

    protected override long DictionaryPlainBytes => _dictionary?.PlainBytes ?? 0;

    protected override int DictionaryCount => _dictionary?.Count ?? 0;

    protected override void AppendDense(ColumnVector vector, int start, int count)
    {
        var binary = (BinaryVector)vector;
        var offsets = binary.Offsets;
        var data = binary.Data;
        if (DictionaryMode)
        {
            var before = _dictionary!.Count;
            var indices = _indices.Reserve(count);

            // Runs of one value (a commit time, a file name, a batch's timestamp) skip the hash and probe: a repeat
            // of the previous value is a compare of bytes already in cache.
            var previous = ReadOnlySpan<byte>.Empty;
            var previousIndex = -1;
            for (var i = 0; i < count; i++)
            {
                var at = offsets[start + i];
                var value = data.AsSpan(at, offsets[start + i + 1] - at);
                if (previousIndex < 0 || !value.SequenceEqual(previous))
                {
                    previousIndex = _dictionary.GetOrAdd(value);
                    previous = value;
                }

                indices[i] = previousIndex;
            }

            _indices.Commit(count);
            _pagePlainBytes += offsets[start + count] - offsets[start] + ((long)_prefix * count);
            UpdateStatsFromDictionary(before);
            return;
        }

        // Values up to WideCopy bytes move 16 bytes at a time (keys, sequence numbers, e-mails): the excess lands
        // in slack past the values, overwritten by the next value or never advanced over.
        const int WideCopy = 64;
        var total = offsets[start + count] - offsets[start] + (_prefix * count);
        var target = _plain.GetSpan(total + WideCopy);
        ref var targetStart = ref MemoryMarshal.GetReference(target);
        ref var sourceStart = ref MemoryMarshal.GetArrayDataReference(data);
        var wideLimit = data.Length - WideCopy;
        var pos = 0;
        for (var i = start; i < start + count; i++)
        {
            var at = offsets[i];
            var length = offsets[i + 1] - at;
            if (_prefix != 0)
            {
                BinaryPrimitives.WriteInt32LittleEndian(target[pos..], length);
                pos += 4;
            }

            if (length <= WideCopy && at <= wideLimit)
            {
                ByteArrayBuilder.CopyWide(ref Unsafe.Add(ref targetStart, pos), ref Unsafe.Add(ref sourceStart, at), length);
            }
            else
            {
                data.AsSpan(at, length).CopyTo(target[pos..]);
            }

            pos += length;
            _stats?.Update(data.AsSpan(at, length));
        }

        _plain.Advance(pos);
        _plainCount += count;
        _pagePlainBytes += pos;
    }

    protected override void AppendValid(ColumnVector vector, int start, int count)
    {
        var binary = (BinaryVector)vector;
        var offsets = binary.Offsets;
        var data = binary.Data;
        var validity = vector.Validity!;
        if (DictionaryMode)
        {
            var before = _dictionary!.Count;
            var indices = _indices.Reserve(count);
            var n = 0;
            for (var i = start; i < start + count; i++)
            {
                if ((validity[i >> 3] & (1 << (i & 7))) != 0)
                {
                    var at = offsets[i];
                    var value = data.AsSpan(at, offsets[i + 1] - at);
                    indices[n++] = _dictionary.GetOrAdd(value);
                    _pagePlainBytes += _prefix + value.Length;
                }
            }

            _indices.Commit(n);
            UpdateStatsFromDictionary(before);
            return;
        }

        var total = offsets[start + count] - offsets[start] + (_prefix * count);
        var target = _plain.GetSpan(total);
        var pos = 0;
        var values = 0;
        for (var i = start; i < start + count; i++)
        {
            if ((validity[i >> 3] & (1 << (i & 7))) != 0)
            {
                var at = offsets[i];
                var value = data.AsSpan(at, offsets[i + 1] - at);
                pos = Put(target, pos, value);
                _stats?.Update(value);
                values++;
            }
        }

        _plain.Advance(pos);
        _plainCount += values;
        _pagePlainBytes += pos;
    }

    protected override void AppendSlots(ColumnVector vector, ReadOnlySpan<int> slots)
    {
        var binary = (BinaryVector)vector;
        var offsets = binary.Offsets;
        var data = binary.Data;
        if (DictionaryMode)
        {
            var before = _dictionary!.Count;
            var indices = _indices.Reserve(slots.Length);
            for (var i = 0; i < slots.Length; i++)
            {
                var slot = slots[i];
                var at = offsets[slot];
                var value = data.AsSpan(at, offsets[slot + 1] - at);
                indices[i] = _dictionary.GetOrAdd(value);
                _pagePlainBytes += _prefix + value.Length;
            }

            _indices.Commit(slots.Length);
            UpdateStatsFromDictionary(before);
            return;
        }

        foreach (var slot in slots)
        {
            var at = offsets[slot];
            var value = data.AsSpan(at, offsets[slot + 1] - at);
            var target = _plain.GetSpan(_prefix + value.Length);
            var written = Put(target, 0, value);
            _plain.Advance(written);
            _pagePlainBytes += written;
            _stats?.Update(value);
        }

        _plainCount += slots.Length;
    }

    protected override void WritePageValues(IBufferWriter<byte> output)
    {
        if (DictionaryMode)
        {
            WriteIndices(_indices.Span, output);
            _indices.Clear();
        }
        else
        {
            output.Write(_plain.WrittenSpan);
            _plain.Clear();
            _plainCount = 0;
        }

        _pagePlainBytes = 0;
    }

    protected override void DropDictionary()
    {
        var dictionary = _dictionary!;
        foreach (var index in _indices.Span)
        {
            var value = dictionary[index];
            var target = _plain.GetSpan(_prefix + value.Length);
            _plain.Advance(Put(target, 0, value));
        }

        _plainCount += _indices.Count;
        _indices.Clear();
        dictionary.Clear();
    }

    protected override void WriteDictionaryValues(IBufferWriter<byte> output)
    {
        var dictionary = _dictionary!;
        if (_prefix == 0)
        {
            output.Write(dictionary.Data);
            return;
        }

        var target = output.GetSpan((int)dictionary.PlainBytes);
        var pos = 0;
        for (var i = 0; i < dictionary.Count; i++)
        {
            pos = Put(target, pos, dictionary[i]);
        }

        output.Advance(pos);
    }

    protected override (byte[]? Min, byte[]? Max) Bounds() => _stats?.Bounds() ?? (null, null);

    protected override void ResetValues()
    {
        _plain.Clear();
        _plainCount = 0;
        _indices.Clear();
        _pagePlainBytes = 0;
        _dictionary?.Clear();
        _stats?.Reset();
    }

    public override void Dispose()
    {
        _plain.Dispose();
        _indices.Dispose();
        base.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Put(Span<byte> target, int pos, ReadOnlySpan<byte> value)
    {
        if (_prefix != 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(target[pos..], value.Length);
            pos += 4;
        }

        value.CopyTo(target[pos..]);
        return pos + value.Length;
    }

    private void UpdateStatsFromDictionary(int before)
    {
        if (_stats is null)
        {
            return;
        }

        var dictionary = _dictionary!;
        for (var i = before; i < dictionary.Count; i++)
        {
            _stats.Update(dictionary[i]);
        }
    }
}
