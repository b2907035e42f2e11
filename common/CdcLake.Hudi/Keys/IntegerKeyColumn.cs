using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>
/// A batch's integer record-key column (the <see cref="RecordKeyColumn.BareKeyField"/> of a signed integer type, see
/// <see cref="RecordKeyColumn.IsSignedInteger"/>), read as longs without boxing.
/// </summary>
public readonly struct IntegerKeyColumn
{
    private readonly ColumnVector _vector;

    private IntegerKeyColumn(ColumnVector vector) => _vector = vector;

    /// <summary>Null when <paramref name="field"/> is not a top-level column of a signed integer type in <paramref name="batch"/>.</summary>
    public static IntegerKeyColumn? Of(RecordBatch batch, string? field)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return field is not null && batch.Schema.IndexOf(field) is var at and >= 0
            && RecordKeyColumn.IsSignedInteger(batch.Schema.Fields[at])
            && batch.Columns[at] is PrimitiveVector<long> or PrimitiveVector<int> or PrimitiveVector<short> or PrimitiveVector<sbyte>
            ? new IntegerKeyColumn(batch.Columns[at])
            : null;
    }

    /// <summary>The row's value; false when it is null.</summary>
    public bool TryGet(int row, out long value)
    {
        value = 0;
        if (_vector.IsNull(row))
        {
            return false;
        }

        value = _vector switch
        {
            PrimitiveVector<long> l => l.Values[row],
            PrimitiveVector<int> i => i.Values[row],
            PrimitiveVector<short> s => s.Values[row],
            PrimitiveVector<sbyte> b => b.Values[row],
            _ => throw new InvalidOperationException("not an integer column"),
        };
        return true;
    }
}
