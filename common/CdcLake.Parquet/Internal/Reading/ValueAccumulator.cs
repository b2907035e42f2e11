using CdcLake.Parquet.Encodings;

namespace CdcLake.Parquet.Internal.Reading;

/// <summary>
/// Collects the packed values of one column chunk page by page. Buffers grow with the values actually
/// decoded, never with a count read from the file, so a corrupt header cannot force a huge allocation.
/// </summary>
internal abstract class ValueAccumulator
{
    public abstract int Count { get; }

    public abstract LeafValues ToLeafValues();

    /// <summary>
    /// Where buffers are being recycled and one fell short, the next row group is likely a little larger
    /// again: leave room so that the replacement is not itself replaced every time.
    /// </summary>
    protected internal static int WithHeadroom(int capacity, bool recycling) =>
        recycling ? (int)Math.Min(Array.MaxLength, capacity + ((long)capacity >> 3)) : capacity;

    /// <param name="capacity">Values to allocate for up front (0: grow from empty).</param>
    /// <param name="dataCapacity">For byte arrays, data bytes to allocate for up front.</param>
    /// <param name="recycled">Buffers of an earlier vector of this column to fill again, when they fit.</param>
    public static ValueAccumulator For(PrimitiveField field, int capacity = 0, int dataCapacity = 0, RecycledBuffers? recycled = null) => field.PhysicalType switch
    {
        PhysicalType.Boolean => new FixedAccumulator<bool>(capacity, recycled?.Values as bool[]),
        PhysicalType.Int32 => new FixedAccumulator<int>(capacity, recycled?.Values as int[]),
        PhysicalType.Int64 => new FixedAccumulator<long>(capacity, recycled?.Values as long[]),
        PhysicalType.Int96 => new FixedAccumulator<Int96>(capacity, recycled?.Values as Int96[]),
        PhysicalType.Float => new FixedAccumulator<float>(capacity, recycled?.Values as float[]),
        PhysicalType.Double => new FixedAccumulator<double>(capacity, recycled?.Values as double[]),
        _ => new BinaryAccumulator(capacity, dataCapacity, recycled),
    };
}

internal sealed class FixedAccumulator<T> : ValueAccumulator
    where T : unmanaged
{
    private T[] _values;
    private int _count;

    public FixedAccumulator(int capacity = 0, T[]? recycled = null)
    {
        // Every slot below the final count is written by a decoder; ToLeafValues clears any beyond it.
        _values = recycled is not null && recycled.Length >= capacity ? recycled
            : capacity > 0 ? GC.AllocateUninitializedArray<T>(WithHeadroom(capacity, recycled is not null))
            : [];
    }


    public override int Count => _count;

    /// <summary>Space for <paramref name="count"/> more values, to be committed with <see cref="Commit"/>.</summary>
    public Span<T> Append(int count)
    {
        var needed = (long)_count + count;
        if (needed > Array.MaxLength)
        {
            throw new ParquetException($"column chunk holds more than {Array.MaxLength} values");
        }

        if (needed > _values.Length)
        {
            Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(1024, (long)_values.Length * 2))));
        }

        return _values.AsSpan(_count, count);
    }

    public void Commit(int count) => _count += count;

    public override LeafValues ToLeafValues()
    {
        _values.AsSpan(_count).Clear();
        return _values is bool[] booleans
            ? new BooleanLeafValues(booleans, _count)
            : new FixedLeafValues<T>(_values, _count);
    }
}

internal sealed class BinaryAccumulator(int capacity = 0, int dataCapacity = 0, RecycledBuffers? recycled = null) : ValueAccumulator
{
    public ByteArrayBuilder Builder { get; } = new(
        recycled?.Offsets is { } offsets && offsets.Length > capacity
            ? offsets
            : new int[WithHeadroom(Math.Max(capacity, 1024), recycled is not null) + 1],
        recycled?.Data is { } data && data.Length >= dataCapacity
            ? data
            : GC.AllocateUninitializedArray<byte>(dataCapacity > 0 ? WithHeadroom(dataCapacity, recycled is not null) : 16 * 1024));

    public override int Count => Builder.Count;

    public override LeafValues ToLeafValues() => new BinaryLeafValues(Builder.OffsetsBuffer, Builder.DataBuffer, Builder.Count);
}

/// <summary>
/// A growable int buffer for definition or repetition levels, taken from the reader's scratch pool: levels
/// only live until the row group's vectors are assembled, when the reader gives the array back.
/// </summary>
internal sealed class LevelBuffer(ReadBufferPool pool, int capacity = 0)
{
    private int[] _levels = capacity > 0 ? pool.RentInts(capacity) : [];

    public int Count { get; private set; }

    public int[] Array => _levels;

    public Span<int> Append(int count)
    {
        var needed = (long)Count + count;
        if (needed > System.Array.MaxLength)
        {
            throw new ParquetException($"column chunk holds more than {System.Array.MaxLength} levels");
        }

        if (needed > _levels.Length)
        {
            var grown = pool.RentInts((int)Math.Min(System.Array.MaxLength, Math.Max(needed, Math.Max(1024, (long)_levels.Length * 2))));
            _levels.AsSpan(0, Count).CopyTo(grown);
            if (_levels.Length > 0)
            {
                pool.Return(_levels);
            }

            _levels = grown;
        }

        var span = _levels.AsSpan(Count, count);
        Count += count;
        return span;
    }
}
