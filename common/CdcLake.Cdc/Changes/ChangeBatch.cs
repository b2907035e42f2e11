using CdcLake.Parquet;

namespace CdcLake.Cdc;

/// <summary>
/// The changes of one row group of a DMS file: the rows in the table's columns (<see cref="Payload"/>, in the
/// <see cref="ChangeSchema"/>, <c>_cdc_order</c> filled in) and, per row, the record key, Op, order, before-image
/// key and partition path. Rows that could not be read as changes (quarantined) are in <see cref="BadRows"/> and
/// have a null key; <see cref="Changes"/> leaves them out.
/// </summary>
public sealed class ChangeBatch
{
    private string?[]? _keys;

    internal ChangeBatch(DmsFile file, long firstRow, RecordBatch payload, BinaryVector keyColumn, ChangeOp[] ops, IReadOnlyList<CdcOrder> orders, string?[]? beforeImageKeys, string?[] partitionPaths, IReadOnlyList<BadRow> badRows)
    {
        File = file;
        FirstRow = firstRow;
        Payload = payload;
        KeyColumn = keyColumn;
        Ops = ops;
        Orders = orders;
        BeforeImageKeys = beforeImageKeys;
        PartitionPaths = partitionPaths;
        BadRows = badRows;
    }

    public DmsFile File { get; }

    /// <summary>The position in the file of the batch's first row.</summary>
    public long FirstRow { get; }

    public RecordBatch Payload { get; }

    public int Count => Payload.RowCount;

    /// <summary>Hudi record keys (as the table's key generator makes them) as UTF-8; null for a bad row.</summary>
    public BinaryVector KeyColumn { get; }

    /// <summary>The record keys as strings (made on first use from <see cref="KeyColumn"/>); null for a bad row.</summary>
    public IReadOnlyList<string?> Keys => _keys ??= KeyStrings();

    public IReadOnlyList<ChangeOp> Ops { get; }

    public IReadOnlyList<CdcOrder> Orders { get; }

    /// <summary>Per row, the key before a primary-key update when it differs from <see cref="Keys"/>; null when none (or not configured).</summary>
    public IReadOnlyList<string?>? BeforeImageKeys { get; }

    /// <summary>Per row, the partition path of the row's values (for deletes it is not the stored row's: see <see cref="Change.PartitionPath"/>).</summary>
    public IReadOnlyList<string?> PartitionPaths { get; }

    public IReadOnlyList<BadRow> BadRows { get; }

    private string?[] KeyStrings()
    {
        var keys = new string?[Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = KeyColumn.IsNull(i) ? null : KeyColumn.GetString(i);
        }

        return keys;
    }

    /// <summary>The readable changes, in row order.</summary>
    public IEnumerable<Change> Changes()
    {
        for (var i = 0; i < Count; i++)
        {
            if (!KeyColumn.IsNull(i))
            {
                yield return new Change(Ops[i], Orders[i], this, i);
            }
        }
    }
}

/// <summary>One change: a key, what happens to it, where it is in the total order, and its row.</summary>
public readonly record struct Change
{
    // Set only for a key the row's key column does not hold (the old key of a primary-key update); otherwise the key
    // is read from the batch's key column when asked for, so that changes need no string each.
    private readonly string? _key;

    /// <summary>A change whose key is the row's (in <see cref="ChangeBatch.KeyColumn"/>).</summary>
    public Change(ChangeOp op, CdcOrder order, ChangeBatch batch, int index)
    {
        Op = op;
        Order = order;
        Batch = batch;
        Index = index;
    }

    /// <param name="fromBeforeImage">A delete of the old key made from a primary-key update's before image.</param>
    public Change(string key, ChangeOp op, CdcOrder order, ChangeBatch batch, int index, bool fromBeforeImage = false)
        : this(op, order, batch, index)
    {
        _key = key;
        FromBeforeImage = fromBeforeImage;
    }

    public string Key => _key ?? Batch.KeyColumn.GetString(Index);

    public ChangeOp Op { get; }

    public CdcOrder Order { get; }

    public ChangeBatch Batch { get; }

    public int Index { get; }

    /// <summary>A delete of the old key made from a primary-key update's before image.</summary>
    public bool FromBeforeImage { get; }

    /// <summary>The key as UTF-8: the row's bytes in its batch, or the given key encoded.</summary>
    internal ReadOnlySpan<byte> KeyBytes => _key is null ? Batch.KeyColumn.GetSpan(Index) : System.Text.Encoding.UTF8.GetBytes(_key);

    /// <summary>The row in the table's columns (for a delete, often only the key columns are set).</summary>
    public RowView Row => Batch.Payload.GetRow(Index);

    /// <summary>The row's position in its file.</summary>
    public long RowInFile => Batch.FirstRow + Index;

    /// <summary>The key before a primary-key update, when it differs (the old key, to be deleted).</summary>
    public string? BeforeImageKey => FromBeforeImage ? null : Batch.BeforeImageKeys?[Index];

    /// <summary>
    /// Where an upsert's row goes. Null for deletes: a key-only delete carries no partition value, and even a full
    /// before image may name another partition than the stored row's, so the job looks the key up.
    /// </summary>
    public string? PartitionPath => Op == ChangeOp.Delete ? null : Batch.PartitionPaths[Index];

    public bool IsDelete => Op == ChangeOp.Delete;

    public string File => Batch.File.Path;

    /// <summary>The delete of <paramref name="oldKey"/> that a primary-key update makes, at the update's place in the order.</summary>
    public Change BeforeImageDelete(string oldKey) => new(oldKey, ChangeOp.Delete, Order, Batch, Index, fromBeforeImage: true);

    public override string ToString() => $"{Op} {Key} @ {Order}";
}
