namespace CdcLake.Cdc;

/// <summary>Counts of what a read held.</summary>
public sealed class ChangeStats
{
    /// <summary>Rows read, bad ones included.</summary>
    public long Rows { get; internal set; }

    public long Inserts { get; internal set; }

    public long Updates { get; internal set; }

    public long Deletes { get; internal set; }

    /// <summary>Rows with an empty or null Op (upserts, as Hudi reads them).</summary>
    public long Upserts { get; internal set; }

    /// <summary>Deletes of old keys made from primary-key updates' before images.</summary>
    public long BeforeImageDeletes { get; internal set; }

    /// <summary>Rows left out (quarantined).</summary>
    public long BadRows { get; internal set; }

    /// <summary>Changes a later change of the same key replaced within the batch.</summary>
    public long Superseded { get; internal set; }
}

/// <summary>
/// In-batch dedupe: per record key, the last change in the total order (<see cref="CdcOrder"/>) wins, whatever
/// order the changes are added in. A delete followed by an insert leaves the insert (the key comes back); an
/// insert followed by a delete leaves the delete. A primary-key update whose before-image key differs also
/// deletes the old key, at the update's place in the order. Holds the winning changes (and so their batches).
/// </summary>
public sealed class ChangeDeduplicator
{
    private Dictionary<string, Change> _latest = new(StringComparer.Ordinal);

    public ChangeStats Stats { get; } = new();

    /// <summary>Keys with a change.</summary>
    public int Count => _latest.Count;

    /// <summary>The winning change per key, in no particular order.</summary>
    public IReadOnlyCollection<Change> Latest => _latest.Values;

    /// <summary>Adds every readable change of <paramref name="batch"/> (and counts its bad rows).</summary>
    public void Add(ChangeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Stats.Rows += batch.Count;
        Stats.BadRows += batch.BadRows.Count;
        foreach (var change in batch.Changes())
        {
            switch (change.Op)
            {
                case ChangeOp.Insert: Stats.Inserts++; break;
                case ChangeOp.Update: Stats.Updates++; break;
                case ChangeOp.Delete: Stats.Deletes++; break;
                default: Stats.Upserts++; break;
            }

            Add(change);
            if (change.BeforeImageKey is { } old)
            {
                Stats.BeforeImageDeletes++;
                Add(change with { Key = old, Op = ChangeOp.Delete, FromBeforeImage = true });
            }
        }
    }

    /// <summary>Keeps <paramref name="change"/> when it is later than the key's current one. Adding a change twice changes nothing.</summary>
    public void Add(Change change)
    {
        if (!_latest.TryGetValue(change.Key, out var current))
        {
            _latest[change.Key] = change;
            return;
        }

        var c = change.Order.CompareTo(current.Order);
        if (c > 0)
        {
            _latest[change.Key] = change;
            Stats.Superseded++;
        }
        else if (c < 0)
        {
            Stats.Superseded++;
        }
    }

    /// <summary>Forgets every change (and so lets their batches go); the stats stay.</summary>
    public void Clear() => _latest = new(StringComparer.Ordinal);

    /// <summary>The winning change of <paramref name="key"/>, if any.</summary>
    public bool TryGet(string key, out Change change) => _latest.TryGetValue(key, out change);

    /// <summary>
    /// The winning changes in the total order; a primary-key update and the delete of its old key share a place,
    /// and come by key.
    /// </summary>
    public IEnumerable<Change> InOrder() => _latest.Values.OrderBy(c => c.Order).ThenBy(c => c.Key, StringComparer.Ordinal);
}
