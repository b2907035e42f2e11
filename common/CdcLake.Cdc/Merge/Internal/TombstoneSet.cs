using CdcLake.Hudi;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// The deletes a table remembers so that a late, older change cannot bring a deleted key back (MERGE.md,
/// "Tombstones"). One Parquet file holds the whole set; the latest commit's <c>extraMetadata["cdclake.tombstones"]</c>
/// names it, so the set changes atomically with the data it protects.
/// </summary>
internal sealed class TombstoneSet
{
    public const string ExtraMetadataKey = "cdclake.tombstones";
    public const string Folder = ".hoodie/.aux/cdclake/tombstones";
    public const string KeyColumn = "_hoodie_record_key";
    public const string DeletedAtColumn = "deleted_at";

    private static readonly ParquetSchema FileSchema = new([
        new PrimitiveField(KeyColumn, PhysicalType.ByteArray, LogicalType.String, Repetition.Required),
        new PrimitiveField(CdcOrder.ColumnName, PhysicalType.ByteArray, LogicalType.String, Repetition.Required),
        new PrimitiveField(DeletedAtColumn, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true), Repetition.Required),
    ]);

    private readonly Dictionary<string, (string Order, long DeletedAtMicros)> _byKey;

    private TombstoneSet(Dictionary<string, (string Order, long DeletedAtMicros)> byKey, string? path)
    {
        _byKey = byKey;
        Path = path;
    }

    /// <summary>The file the set was loaded from (relative to the table root); null when there was none.</summary>
    public string? Path { get; }

    public bool Changed { get; private set; }

    public int Count => _byKey.Count;

    /// <summary>Tombstones added by this run.</summary>
    public long Added { get; private set; }

    public static TombstoneSet Empty() => new(new(StringComparer.Ordinal), null);

    /// <exception cref="CdcDataException">The file is missing or unreadable (its path is named).</exception>
    public static async Task<TombstoneSet> LoadAsync(IObjectStore table, string? path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(path))
        {
            return Empty();
        }

        byte[] bytes;
        try
        {
            bytes = await table.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or ObjectNotFoundException or IOException)
        {
            throw new CdcDataException(table.PathOf(path).ToString(), null, null, $"the tombstone file the latest commit names cannot be read: {e.Message}", e);
        }

        var byKey = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        try
        {
            using var reader = new ParquetReader(new MemoryRandomAccessFile(bytes, table.PathOf(path).ToString()));
            foreach (var batch in reader.ReadBatches([KeyColumn, CdcOrder.ColumnName, DeletedAtColumn]))
            {
                var keys = (BinaryVector)batch[KeyColumn];
                var orders = (BinaryVector)batch[CdcOrder.ColumnName];
                var times = (PrimitiveVector<long>)batch[DeletedAtColumn];
                for (var i = 0; i < batch.RowCount; i++)
                {
                    byKey[keys.GetString(i)] = (orders.GetString(i), times.Values[i]);
                }
            }
        }
        catch (Exception e) when (e is ParquetException or InvalidCastException or InvalidDataException)
        {
            throw new CdcDataException(table.PathOf(path).ToString(), null, null, $"the tombstone file is not valid: {e.Message}", e);
        }

        return new TombstoneSet(byKey, path);
    }

    /// <summary>True when <paramref name="key"/> was deleted by a change later than <paramref name="order"/>.</summary>
    public bool Blocks(string key, CdcOrder order) =>
        _byKey.TryGetValue(key, out var tombstone) && string.CompareOrdinal(tombstone.Order, order.ToString()) > 0;

    public void Deleted(string key, string order, DateTimeOffset now)
    {
        _byKey[key] = (order, ToMicros(now));
        Added++;
        Changed = true;
    }

    /// <summary>A newer upsert of the key: its stored row now carries a later order than the tombstone.</summary>
    public void Upserted(string key) => Changed |= _byKey.Remove(key);

    /// <summary>Forgets tombstones written before <paramref name="cutoff"/>.</summary>
    public int Expire(DateTimeOffset cutoff)
    {
        var limit = ToMicros(cutoff);
        var expired = _byKey.Where(p => p.Value.DeletedAtMicros < limit).Select(p => p.Key).ToList();
        foreach (var key in expired)
        {
            _byKey.Remove(key);
        }

        Changed |= expired.Count > 0;
        return expired.Count;
    }

    /// <summary>A full reload replaces the table: the deletes it remembered no longer apply.</summary>
    public void Clear()
    {
        Changed |= _byKey.Count > 0 || Path is not null;
        _byKey.Clear();
    }

    /// <summary>Writes the set as a new file (never over the current one) and returns its path; null when empty.</summary>
    public async Task<string?> SaveAsync(IObjectStore table, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_byKey.Count == 0)
        {
            return null;
        }

        var entries = _byKey.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var keys = VectorConversion.Strings(FileSchema.Fields[0], [.. entries.Select(p => p.Key)]);
        var orders = VectorConversion.Strings(FileSchema.Fields[1], [.. entries.Select(p => p.Value.Order)]);
        var times = new PrimitiveVector<long>(FileSchema.Fields[2], [.. entries.Select(p => p.Value.DeletedAtMicros)], entries.Count);
        return await AuxFiles.WriteAsync(table, Folder, new RecordBatch(FileSchema, [keys, orders, times], entries.Count), now, cancellationToken).ConfigureAwait(false);
    }

    private static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
}
