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

    public static ValueAccumulator For(PrimitiveField field) => field.PhysicalType switch
    {
        PhysicalType.Boolean => new FixedAccumulator<bool>(),
        PhysicalType.Int32 => new FixedAccumulator<int>(),
        PhysicalType.Int64 => new FixedAccumulator<long>(),
        PhysicalType.Int96 => new FixedAccumulator<Int96>(),
        PhysicalType.Float => new FixedAccumulator<float>(),
        PhysicalType.Double => new FixedAccumulator<double>(),
        _ => new BinaryAccumulator(),
    };
}

internal sealed class FixedAccumulator<T> : ValueAccumulator
    where T : unmanaged
{
    private T[] _values = [];
    private int _count;

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

    public override LeafValues ToLeafValues() => _values is bool[] booleans
        ? new BooleanLeafValues(booleans, _count)
        : new FixedLeafValues<T>(_values, _count);
}

internal sealed class BinaryAccumulator : ValueAccumulator
{
    public ByteArrayBuilder Builder { get; } = new(1024, 16 * 1024);

    public override int Count => Builder.Count;

    public override LeafValues ToLeafValues() => new BinaryLeafValues(Builder.OffsetsBuffer, Builder.DataBuffer, Builder.Count);
}

/// <summary>A growable int buffer for definition or repetition levels.</summary>
internal sealed class LevelBuffer
{
    private int[] _levels = [];

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
            System.Array.Resize(ref _levels, (int)Math.Min(System.Array.MaxLength, Math.Max(needed, Math.Max(1024, (long)_levels.Length * 2))));
        }

        var span = _levels.AsSpan(Count, count);
        Count += count;
        return span;
    }
}
