namespace CdcLake.Parquet;

/// <summary>
/// One column of a batch, laid out as Arrow does: a validity bitmap (null when every slot is valid) over
/// dense value buffers, whose slots at null positions hold defaults. Buffers may be longer than
/// <see cref="Length"/>; only the first <see cref="Length"/> slots count.
/// </summary>
public abstract class ColumnVector
{
    private int _nullCount = -1;

    protected ColumnVector(Field field, int length, byte[]? validity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (validity is not null && validity.Length < Bitmap.BytesFor(length))
        {
            throw new ArgumentException($"validity bitmap of {validity.Length} bytes is too short for {length} slots", nameof(validity));
        }

        Field = field;
        Length = length;
        Validity = validity;
    }

    public Field Field { get; }

    public int Length { get; }

    public byte[]? Validity { get; }

    public int NullCount => _nullCount >= 0
        ? _nullCount
        : _nullCount = Validity is null ? 0 : Length - Bitmap.CountSet(Validity, Length);

    public bool IsNull(int index) => Validity is not null && !Bitmap.Get(Validity, index);

    /// <summary>The value as a .NET object of its logical type (see <see cref="LogicalValues"/>), or null.</summary>
    public object? GetValue(int index)
    {
        if ((uint)index >= (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"column '{Field.Name}' has {Length} slots");
        }

        return IsNull(index) ? null : GetValueCore(index);
    }

    protected abstract object GetValueCore(int index);
}

public sealed class BooleanVector(Field field, bool[] values, int length, byte[]? validity = null)
    : ColumnVector(field, length, validity)
{
    public bool[] Values { get; } = values;

    protected override object GetValueCore(int index) => Values[index];
}

/// <summary>Fixed-width values: int, long, float, double, <see cref="Int96"/>.</summary>
public sealed class PrimitiveVector<T>(Field field, T[] values, int length, byte[]? validity = null)
    : ColumnVector(field, length, validity)
    where T : unmanaged
{
    public T[] Values { get; } = values;

    protected override object GetValueCore(int index) => LogicalValues.ConvertPrimitive(Field, Values[index]);
}

/// <summary>Variable- or fixed-length byte strings: value i is <c>Data[Offsets[i]..Offsets[i + 1]]</c>.</summary>
public sealed class BinaryVector : ColumnVector
{
    public BinaryVector(Field field, int[] offsets, byte[] data, int length, byte[]? validity = null)
        : base(field, length, validity)
    {
        if (offsets.Length < length + 1)
        {
            throw new ArgumentException($"{offsets.Length} offsets cannot delimit {length} values", nameof(offsets));
        }

        Offsets = offsets;
        Data = data;
    }

    public int[] Offsets { get; }

    public byte[] Data { get; }

    public ReadOnlySpan<byte> GetSpan(int index) => Data.AsSpan(Offsets[index], Offsets[index + 1] - Offsets[index]);

    public string GetString(int index) => System.Text.Encoding.UTF8.GetString(GetSpan(index));

    protected override object GetValueCore(int index) => LogicalValues.ConvertBinary(Field, GetSpan(index));
}

public sealed class StructVector(Field field, IReadOnlyList<ColumnVector> children, int length, byte[]? validity = null)
    : ColumnVector(field, length, validity)
{
    public IReadOnlyList<ColumnVector> Children { get; } = children;

    protected override object GetValueCore(int index)
    {
        var result = new Dictionary<string, object?>(Children.Count, StringComparer.Ordinal);
        foreach (var child in Children)
        {
            result[child.Field.Name] = child.GetValue(index);
        }

        return result;
    }
}

/// <summary>Slot i holds elements <c>Offsets[i]..Offsets[i + 1]</c> of <see cref="Elements"/>.</summary>
public sealed class ListVector(Field field, int[] offsets, ColumnVector elements, int length, byte[]? validity = null)
    : ColumnVector(field, length, validity)
{
    public int[] Offsets { get; } = offsets;

    public ColumnVector Elements { get; } = elements;

    protected override object GetValueCore(int index)
    {
        var items = new object?[Offsets[index + 1] - Offsets[index]];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = Elements.GetValue(Offsets[index] + i);
        }

        return items;
    }
}

/// <summary>Slot i holds entries <c>Offsets[i]..Offsets[i + 1]</c> of <see cref="Keys"/> and <see cref="Items"/>.</summary>
public sealed class MapVector(Field field, int[] offsets, ColumnVector keys, ColumnVector items, int length, byte[]? validity = null)
    : ColumnVector(field, length, validity)
{
    public int[] Offsets { get; } = offsets;

    public ColumnVector Keys { get; } = keys;

    public ColumnVector Items { get; } = items;

    protected override object GetValueCore(int index)
    {
        var entries = new KeyValuePair<object?, object?>[Offsets[index + 1] - Offsets[index]];
        for (var i = 0; i < entries.Length; i++)
        {
            var at = Offsets[index] + i;
            entries[i] = new(Keys.GetValue(at), Items.GetValue(at));
        }

        return entries;
    }
}
