using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>How record keys are found in existing file groups (Hudi's hoodie.index.type).</summary>
public enum HudiIndexType
{
    /// <summary>BLOOM: a key is looked up only in its own partition (the partition value of a key never changes).</summary>
    Bloom,

    /// <summary>
    /// GLOBAL_BLOOM with hoodie.bloom.index.update.partition.path=true: a key is looked up in every partition,
    /// and a record whose partition value changed is deleted from its old file group and inserted into the new partition
    /// — unless the stored version ranks newer, which then stays where it is.
    /// </summary>
    GlobalBloom,
}

/// <summary>
/// Decides which of two versions of a record wins (Hudi's precombine / ordering field). Used to combine input rows
/// that share a key, and to keep a stored row that is newer than the incoming one.
/// </summary>
public interface IRecordOrdering
{
    /// <summary>The columns <see cref="Compare"/> reads (they must be in the table's schema).</summary>
    IReadOnlyList<string> Fields { get; }

    /// <summary>&lt; 0 when <paramref name="a"/> is older than <paramref name="b"/>, 0 when they rank the same, &gt; 0 when newer.</summary>
    int Compare(RowView a, RowView b);

    /// <summary>
    /// <see cref="Compare(RowView, RowView)"/> of row <paramref name="i"/> of <paramref name="a"/> and row
    /// <paramref name="j"/> of <paramref name="b"/>: an ordering may read the columns without row views or boxed values.
    /// </summary>
    int Compare(RecordBatch a, int i, RecordBatch b, int j) => Compare(a.GetRow(i), b.GetRow(j));
}

/// <summary>
/// Orders records by one column, the table's precombine field (DefaultHoodieRecordPayload): the greater value wins,
/// nulls are older than any value. Values compare by their natural order (numbers, strings ordinal, timestamps, decimals).
/// </summary>
public sealed class PrecombineFieldOrdering(string field) : IRecordOrdering
{
    public IReadOnlyList<string> Fields { get; } = [field];

    public int Compare(RowView a, RowView b) => CompareValues(a[field], b[field]);

    public int Compare(RecordBatch a, int i, RecordBatch b, int j) => CompareAt(a[field], i, b[field], j);

    internal static int CompareValues(object? x, object? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        return (x, y) switch
        {
            (string s, string t) => string.CompareOrdinal(s, t),
            (ParquetDecimal d, ParquetDecimal e) => (d.Unscaled * System.Numerics.BigInteger.Pow(10, Math.Max(0, e.Scale - d.Scale)))
                .CompareTo(e.Unscaled * System.Numerics.BigInteger.Pow(10, Math.Max(0, d.Scale - e.Scale))),
            (byte[] p, byte[] q) => p.AsSpan().SequenceCompareTo(q),
            _ when IsNumber(x) && IsNumber(y) => Convert.ToDecimal(x, System.Globalization.CultureInfo.InvariantCulture)
                .CompareTo(Convert.ToDecimal(y, System.Globalization.CultureInfo.InvariantCulture)),
            (IComparable c, _) when x.GetType() == y.GetType() => c.CompareTo(y),
            _ => throw new HudiException($"cannot order values of {x.GetType().Name} and {y.GetType().Name}"),
        };
    }

    /// <summary>
    /// <see cref="CompareValues"/> of slot <paramref name="i"/> of <paramref name="x"/> and slot <paramref name="j"/> of
    /// <paramref name="y"/>, read from the columns without a boxed value or string for the commonest types.
    /// </summary>
    internal static int CompareAt(ColumnVector x, int i, ColumnVector y, int j)
    {
        bool xNull = x.IsNull(i), yNull = y.IsNull(j);
        if (xNull || yNull)
        {
            return xNull ? (yNull ? 0 : -1) : 1;
        }

        return (x, y) switch
        {
            // Strings compare as Java (UTF-16 code units) does; JavaOrder gives that order from their UTF-8 bytes.
            (BinaryVector a, BinaryVector b) when IsString(a.Field) && IsString(b.Field) => BaseFileWriter.JavaOrder(a.GetSpan(i), b.GetSpan(j)),
            (PrimitiveVector<long> a, PrimitiveVector<long> b) when IsPlain(a.Field) && IsPlain(b.Field) => a.Values[i].CompareTo(b.Values[j]),
            (PrimitiveVector<int> a, PrimitiveVector<int> b) when IsPlain(a.Field) && IsPlain(b.Field) => a.Values[i].CompareTo(b.Values[j]),
            _ => CompareValues(x.GetValue(i), y.GetValue(j)),
        };
    }

    private static bool IsString(Field field) => field is PrimitiveField { LogicalType.Kind: LogicalKind.String or LogicalKind.Enum or LogicalKind.Json };

    private static bool IsPlain(Field field) => field is PrimitiveField { LogicalType: null };

    private static bool IsNumber(object value) => value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;
}

/// <summary>A step of the write protocol, reported to <see cref="HudiWriteOptions.Observer"/> right after it took effect.</summary>
public enum WriteStep
{
    LockAcquired,
    MetadataTableRemoved,
    RollbackRequested,
    RollbackInflight,
    RollbackFileDeleted,
    RollbackTargetRemoved,
    RollbackCompleted,
    Requested,
    Inflight,
    PartitionMetadataWritten,
    MarkerWritten,
    BaseFileWritten,
    Completed,
    MarkersRemoved,
    CleanRequested,
    CleanInflight,
    CleanFileDeleted,
    CleanCompleted,
}

/// <summary>Told of every protocol step (tests kill the process here to prove crash safety; jobs may log).</summary>
public interface IWriteObserver
{
    void OnStep(WriteStep step, string detail);
}

/// <summary>Everything a writer needs beyond hoodie.properties; defaults are Hudi's.</summary>
public sealed record HudiWriteOptions
{
    /// <summary>
    /// Taken for the whole of every write (recovery, commit, clean). Required: use a real provider
    /// (LocalFileLockProvider, DynamoDbLockProvider); only tests that say so pass a no-op one.
    /// </summary>
    public required ITableLockProvider LockProvider { get; init; }

    /// <summary>The key the lock is taken on; null: the table's full location.</summary>
    public string? LockKey { get; init; }

    /// <summary>The owner recorded in the lock.</summary>
    public string LockOwner { get; init; } = TableLockOwner.Create();

    /// <summary>hoodie.parquet.max.file.size: a base file is not grown past about this size (default 120 MB).</summary>
    public long TargetFileSizeBytes { get; init; } = 120L * 1024 * 1024;

    /// <summary>hoodie.parquet.small.file.limit: file groups below this size take new inserts first (default 100 MB; 0 turns it off).</summary>
    public long SmallFileLimitBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>hoodie.copyonwrite.record.size.estimate: bytes per record until commits big enough to measure exist (default 1024).</summary>
    public int RecordSizeEstimate { get; init; } = 1024;

    public HudiIndexType IndexType { get; init; } = HudiIndexType.Bloom;

    /// <summary>Which version of a record wins; null: the table's precombine field (if any), else the latest input row always wins.</summary>
    public IRecordOrdering? Ordering { get; init; }

    /// <summary>
    /// hoodie.combine.before.insert for bulk insert (default false, as Hudi): when true, rows sharing a key are combined
    /// and the input is sorted by partition and key (tight key ranges per file) in memory; when false it streams.
    /// </summary>
    public bool BulkInsertCombine { get; init; }

    /// <summary>
    /// Insert-overwrite (<see cref="HudiWriteClient.InsertOverwriteAsync"/>) in memory, as before streaming: when true,
    /// rows sharing a key are combined (the ordering's newest wins) and each partition's rows are sorted by key before
    /// being cut into files, all held in memory. Default false: the rows stream through like a bulk insert (memory: the
    /// open file groups), keys are not combined — the input must not repeat a key (a DMS full load does not).
    /// </summary>
    public bool InsertOverwriteCombine { get; init; }

    /// <summary>
    /// The BOOLEAN column that marks a row of an upsert as a delete of its key (Hudi's convention is
    /// <c>_hoodie_is_deleted</c>), so that one commit holds the updates and the deletes; null (the default): no marker.
    /// Rows with true delete their key, rows with false or null are upserted; the column is never written (not to base
    /// files, not to the commit's schema). A delete row needs only the key columns, the partition columns (unless the
    /// index is <see cref="HudiIndexType.GlobalBloom"/>) and the ordering's fields; its other columns may be null. Deletes
    /// take part in combining (the newest version of a key wins, delete or not) and obey the ordering like updates: a
    /// stored row that ranks newer stays (<see cref="WriteResult.StaleIgnored"/>); a key the table lacks is counted in
    /// <see cref="WriteResult.DeletesNotFound"/> and writes nothing. In a bulk insert or insert-overwrite, marked rows are
    /// left out (counted in <see cref="WriteResult.DeletesNotFound"/>).
    /// </summary>
    public string? DeleteMarkerField { get; init; }

    /// <summary>hoodie.parquet.compression.codec: gzip, as Hudi up to 1.0.x.</summary>
    public ParquetCodec Codec { get; init; } = ParquetCodec.Gzip;

    /// <summary>
    /// Write lists in the legacy two-level layout, as Spark's Hudi writer (parquet-avro) does. Default true. Like
    /// parquet-avro, that layout cannot hold a null list element: such a row fails the write. Set false to write the
    /// standard three-level layout instead (every reader reads both).
    /// </summary>
    public bool LegacyListLayout { get; init; } = true;

    /// <summary>Rows per Parquet row group of a base file.</summary>
    public int RowGroupRows { get; init; } = 1_000_000;

    /// <summary>
    /// A write that fails in this process before its commit file removes what it wrote (default true), so the table is
    /// exactly as before; false leaves it pending for the next writer to roll back, as a crash would (tests of recovery).
    /// </summary>
    public bool AbortOnFailure { get; init; } = true;

    /// <summary>
    /// File groups an upsert, delete or combining write rewrites or creates at once (default 1). More uses more cores
    /// and holds one row group per group in flight; protocol steps of different groups then interleave.
    /// </summary>
    public int WriteParallelism { get; init; } = 1;

    /// <summary>hoodie.cleaner.commits.retained (default 10).</summary>
    public int CleanerCommitsRetained { get; init; } = 10;

    /// <summary>Run a clean after every commit, as Spark does by default (hoodie.clean.automatic). Default false: call CleanAsync.</summary>
    public bool AutoClean { get; init; }

    public KeyGeneratorOptions KeyGeneratorOptions { get; init; } = KeyGeneratorOptions.Default;

    /// <summary>
    /// A pending instant whose <c>.hoodie/.heartbeat/&lt;instant&gt;</c> file is younger than this belongs to a live writer
    /// (Hudi's lazy failed-writes cleaning: hoodie.client.heartbeat.interval_in_ms 60 s × tolerable misses 2) and is not
    /// rolled back: the write stops instead. Default 2 minutes.
    /// </summary>
    public TimeSpan HeartbeatExpiry { get; init; } = TimeSpan.FromMinutes(2);

    public IWriteObserver? Observer { get; init; }

    /// <summary>Source of instant times; null: a new generator on the system clock (UTC).</summary>
    public InstantTimeGenerator? InstantTimes { get; init; }
}
