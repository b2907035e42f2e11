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

    internal void Add(ChangeStats other)
    {
        Rows += other.Rows;
        Inserts += other.Inserts;
        Updates += other.Updates;
        Deletes += other.Deletes;
        Upserts += other.Upserts;
        BeforeImageDeletes += other.BeforeImageDeletes;
        BadRows += other.BadRows;
        Superseded += other.Superseded;
    }
}

/// <summary>
/// In-batch dedupe: per record key, the last change in the total order (<see cref="CdcOrder"/>) wins, whatever
/// order the changes are added in. A delete followed by an insert leaves the insert (the key comes back); an
/// insert followed by a delete leaves the delete. A primary-key update whose before-image key differs also
/// deletes the old key, at the update's place in the order. Holds the winning changes (and so their batches).
/// Keys are compared as their UTF-8 bytes where the batches hold them: no string per change.
/// </summary>
public sealed class ChangeDeduplicator
{
    /// <summary>Keys are spread over this many independently locked maps, so that batches read side by side are added side by side.</summary>
    private const int ShardCount = 8;

    private Shard[] _shards = NewShards();

    public ChangeStats Stats { get; } = new();

    /// <summary>Keys with a change.</summary>
    public int Count => _shards.Sum(s => s.Latest.Count);

    /// <summary>The winning change per key, in no particular order.</summary>
    public IReadOnlyCollection<Change> Latest => new AllShards(_shards);

    /// <summary>Makes room for <paramref name="keys"/> keys (the rows about to be added, say), so that the maps are not grown step by step.</summary>
    public void EnsureCapacity(int keys)
    {
        foreach (var shard in _shards)
        {
            lock (shard)
            {
                shard.Slots.EnsureCapacity(keys / ShardCount);
                shard.Latest.Capacity = Math.Max(shard.Latest.Capacity, keys / ShardCount);
            }
        }
    }

    /// <summary>
    /// Adds every readable change of <paramref name="batch"/> (and counts its bad rows). Batches may be added from
    /// several threads at once.
    /// </summary>
    public void Add(ChangeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var keys = batch.KeyColumn;
        var ops = batch.Ops;
        var orders = batch.Orders;
        var beforeImageKeys = batch.BeforeImageKeys;
        var counts = new ChangeStats { Rows = batch.Count, BadRows = batch.BadRows.Count };

        // Hashed and bucketed by shard first, outside any lock; then each shard's rows under its lock, the shards in
        // an order that differs from batch to batch so that two threads rarely wait for one another.
        var hashed = new KeyBytes[batch.Count];
        var shardOf = new byte[batch.Count];
        var starts = new int[ShardCount + 1];
        for (var i = 0; i < batch.Count; i++)
        {
            if (keys.IsNull(i))
            {
                continue;
            }

            switch (ops[i])
            {
                case ChangeOp.Insert: counts.Inserts++; break;
                case ChangeOp.Update: counts.Updates++; break;
                case ChangeOp.Delete: counts.Deletes++; break;
                default: counts.Upserts++; break;
            }

            hashed[i] = new KeyBytes(keys.Data, keys.Offsets[i], keys.Offsets[i + 1] - keys.Offsets[i]);
            shardOf[i] = (byte)((uint)hashed[i].Hash % ShardCount);
            starts[shardOf[i] + 1]++;
        }

        for (var s = 0; s < ShardCount; s++)
        {
            starts[s + 1] += starts[s];
        }

        var rowsByShard = new int[starts[ShardCount]];
        var next = starts[..^1];
        for (var i = 0; i < batch.Count; i++)
        {
            if (!keys.IsNull(i))
            {
                rowsByShard[next[shardOf[i]]++] = i;
            }
        }

        var first = (int)((uint)batch.FirstRow.GetHashCode() % ShardCount);
        for (var k = 0; k < ShardCount; k++)
        {
            var s = (first + k) % ShardCount;
            var shard = _shards[s];
            lock (shard)
            {
                foreach (var i in rowsByShard.AsSpan(starts[s], starts[s + 1] - starts[s]))
                {
                    shard.Add(new Change(ops[i], orders[i], batch, i), hashed[i], counts);
                }
            }
        }

        for (var i = 0; beforeImageKeys is not null && i < batch.Count; i++)
        {
            if (!keys.IsNull(i) && beforeImageKeys[i] is { } old)
            {
                counts.BeforeImageDeletes++;
                Add(new Change(ops[i], orders[i], batch, i).BeforeImageDelete(old), counts);
            }
        }

        lock (Stats)
        {
            Stats.Add(counts);
        }
    }

    /// <summary>Keeps <paramref name="change"/> when it is later than the key's current one. Adding a change twice changes nothing.</summary>
    public void Add(Change change)
    {
        var counts = new ChangeStats();
        Add(change, counts);
        lock (Stats)
        {
            Stats.Add(counts);
        }
    }

    private void Add(Change change, ChangeStats counts)
    {
        var key = KeyBytes.Of(change.KeyBytes.ToArray());
        var shard = _shards[(uint)key.Hash % ShardCount];
        lock (shard)
        {
            shard.Add(change, key, counts);
        }
    }

    /// <summary>Forgets every change (and so lets their batches go); the stats stay.</summary>
    public void Clear() => _shards = NewShards();

    /// <summary>The winning change of <paramref name="key"/>, if any.</summary>
    public bool TryGet(string key, out Change change)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = KeyBytes.Of(System.Text.Encoding.UTF8.GetBytes(key));
        var shard = _shards[(uint)bytes.Hash % ShardCount];
        lock (shard)
        {
            var found = shard.Slots.TryGetValue(bytes, out var slot);
            change = found ? shard.Latest[slot] : default;
            return found;
        }
    }

    /// <summary>
    /// The winning changes in the total order; a primary-key update and the delete of its old key share a place,
    /// and come by key.
    /// </summary>
    public IEnumerable<Change> InOrder() => Latest.OrderBy(c => c.Order).ThenBy(c => c.Key, StringComparer.Ordinal);

    private static Shard[] NewShards() => [.. Enumerable.Range(0, ShardCount).Select(_ => new Shard())];

    /// <summary>The shards' winners, one after the other, without a copy.</summary>
    private sealed class AllShards(Shard[] shards) : IReadOnlyCollection<Change>
    {
        public int Count => shards.Sum(s => s.Latest.Count);

        public IEnumerator<Change> GetEnumerator() => shards.SelectMany(s => s.Latest).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The keys of one shard: each key's slot in <see cref="Latest"/>, which holds its winning change.</summary>
    private sealed class Shard
    {
        public Dictionary<KeyBytes, int> Slots { get; } = new(KeyBytes.Comparer);

        public List<Change> Latest { get; } = [];

        public void Add(Change change, KeyBytes key, ChangeStats counts)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Slots, key, out var seen);
            if (!seen)
            {
                slot = Latest.Count;
                Latest.Add(change);
                return;
            }

            var c = change.Order.CompareTo(Latest[slot].Order);
            if (c > 0)
            {
                Latest[slot] = change;
                counts.Superseded++;
            }
            else if (c < 0)
            {
                counts.Superseded++;
            }
        }
    }

    /// <summary>A key's UTF-8 bytes where they lie (a batch's key column), with their hash.</summary>
    private readonly struct KeyBytes
    {
        private readonly byte[] _data;
        private readonly int _offset;
        private readonly int _length;

        public KeyBytes(byte[] data, int offset, int length)
        {
            (_data, _offset, _length) = (data, offset, length);
            var hash = new HashCode();
            hash.AddBytes(Span);
            Hash = hash.ToHashCode();
        }

        public int Hash { get; }

        public static IEqualityComparer<KeyBytes> Comparer { get; } = new KeyComparer();

        private ReadOnlySpan<byte> Span => _data.AsSpan(_offset, _length);

        public static KeyBytes Of(byte[] key) => new(key, 0, key.Length);

        private sealed class KeyComparer : IEqualityComparer<KeyBytes>
        {
            public bool Equals(KeyBytes x, KeyBytes y) => x.Hash == y.Hash && x.Span.SequenceEqual(y.Span);

            public int GetHashCode(KeyBytes key) => key.Hash;
        }
    }
}
