namespace CdcLake.Parquet.Internal;

/// <summary>
/// One leaf column of one row group as decoded from its pages: the levels (absent when their maximum is
/// 0) and the values of the defined slots only, packed densely in level order.
/// </summary>
internal sealed class LeafChunk
{
    public LeafChunk(
        ColumnDescriptor column, int levelCount, int[]? definitionLevels, int[]? repetitionLevels, LeafValues values,
        bool definedAsBitmap = false, byte[]? definedBits = null)
    {
        Column = column;
        LevelCount = levelCount;
        DefinitionLevels = definitionLevels;
        RepetitionLevels = repetitionLevels;
        Values = values;
        DefinedAsBitmap = definedAsBitmap;
        _definedBits = definedBits;
    }

    private byte[]? _definedBits;
    private bool _definedBitsTaken;

    public ColumnDescriptor Column { get; }

    public int LevelCount { get; }

    public int[]? DefinitionLevels { get; }

    public int[]? RepetitionLevels { get; }

    public LeafValues Values { get; }

    /// <summary>The buffers the chunk's dictionary was decoded into, if it had one, for recycling.</summary>
    public Reading.DictionaryBuffers? Dictionary { get; init; }

    /// <summary>
    /// True when the definition levels (maximum 1, no repetition) were kept as a bitmap instead of
    /// <see cref="DefinitionLevels"/>: bit i set where level i is 1.
    /// </summary>
    public bool DefinedAsBitmap { get; }

    /// <summary>
    /// The bitmap of <see cref="DefinedAsBitmap"/> levels, null when every level is 1. The first caller gets the
    /// decoded array itself, later ones (a struct and its member share levels) a copy, so no two vectors share it.
    /// </summary>
    public byte[]? TakeDefinedBits()
    {
        if (_definedBits is null || !_definedBitsTaken)
        {
            _definedBitsTaken = true;
            return _definedBits;
        }

        return (byte[])_definedBits.Clone();
    }
}

/// <summary>Packed values of the defined slots; expands into a vector with nulls where validity says so.</summary>
internal abstract class LeafValues
{
    public abstract int Count { get; }

    /// <summary>
    /// Spreads the packed values over <paramref name="length"/> slots, skipping the slots cleared in
    /// <paramref name="validity"/> (null: every slot holds the next value). May reuse this object's buffers.
    /// </summary>
    public abstract ColumnVector Expand(Field field, int length, byte[]? validity);
}

internal sealed class FixedLeafValues<T>(T[] values, int count) : LeafValues
    where T : unmanaged
{
    public T[] Values { get; } = values;

    public override int Count => count;

    public override ColumnVector Expand(Field field, int length, byte[]? validity)
    {
        if (validity is null)
        {
            return new PrimitiveVector<T>(field, Values, length);
        }

        var dense = Values.Length >= length ? Values : GrowTo(Values, length);
        // Walking backwards lets the packed values move to their slots in place.
        var next = count - 1;
        for (var slot = length - 1; slot >= 0; slot--)
        {
            dense[slot] = Bitmap.Get(validity, slot) ? dense[next--] : default;
        }

        return new PrimitiveVector<T>(field, dense, length, validity);
    }

    private static T[] GrowTo(T[] values, int length)
    {
        var grown = new T[length];
        values.AsSpan(0, Math.Min(values.Length, length)).CopyTo(grown);
        return grown;
    }
}

internal sealed class BooleanLeafValues(bool[] values, int count) : LeafValues
{
    public override int Count => count;

    public override ColumnVector Expand(Field field, int length, byte[]? validity)
    {
        if (validity is null)
        {
            return new BooleanVector(field, values, length);
        }

        var dense = values.Length >= length ? values : new bool[length];
        if (!ReferenceEquals(dense, values))
        {
            values.AsSpan(0, count).CopyTo(dense);
        }

        var next = count - 1;
        for (var slot = length - 1; slot >= 0; slot--)
        {
            dense[slot] = Bitmap.Get(validity, slot) && dense[next--];
        }

        return new BooleanVector(field, dense, length, validity);
    }
}

/// <summary>Packed byte strings: value i is <c>Data[Offsets[i]..Offsets[i + 1]]</c>.</summary>
internal sealed class BinaryLeafValues(int[] offsets, byte[] data, int count) : LeafValues
{
    public override int Count => count;

    public override ColumnVector Expand(Field field, int length, byte[]? validity)
    {
        if (validity is null)
        {
            return new BinaryVector(field, offsets, data, length);
        }

        // Null slots are empty ranges, so only the offsets need spreading; the bytes stay where they are.
        // Slot s starts at the offset of the values before it, an index never above s, so walking backwards
        // lets the offsets spread in place.
        var dense = offsets.Length >= length + 1 ? offsets : new int[length + 1];
        var next = count;
        dense[length] = offsets[next];
        for (var slot = length - 1; slot >= 0; slot--)
        {
            if (Bitmap.Get(validity, slot))
            {
                next--;
            }

            dense[slot] = offsets[next];
        }

        return new BinaryVector(field, dense, data, length, validity);
    }
}
