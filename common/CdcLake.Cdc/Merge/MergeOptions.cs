using CdcLake.Hudi;
using CdcLake.Storage;

namespace CdcLake.Cdc;

/// <summary>How the merge job runs (everything that is not the table's definition).</summary>
public sealed record MergeOptions
{
    public static MergeOptions Default { get; } = new();

    /// <summary>
    /// Memory the job may hold for one table's changes (decoded rows, keys, the index). The job cuts a large
    /// selection of DMS files into several commits so that one commit's changes fit; a single file larger than the
    /// budget is still read whole. Default 1 GiB.
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = 1L << 30;

    /// <summary>Threads for reading and writing (default: the machine's cores).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Plan only: discover, select and read the new files, report what would be merged, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// One lock provider for every table, overriding their <see cref="TableSpec.Lock"/>; null: each table's own
    /// (the local lock file, or the DynamoDB lock its pipeline names). A <see cref="DynamoDbLockProvider"/> here is
    /// keyed by the table's partition key (its lock settings', else its name), any other provider by the table's location.
    /// </summary>
    public ITableLockProvider? LockProvider { get; init; }

    /// <summary>
    /// How sources and targets on S3 are reached (endpoint override, region, credentials, upload settings); null: the
    /// AWS SDK's defaults and standard chain.
    /// </summary>
    public S3StoreOptions? S3 { get; init; }

    /// <summary>
    /// Last say over a table's DynamoDB lock options, after its <see cref="LockSpec"/>: hosts fill in what the pipeline
    /// leaves to the environment (region, endpoint, credentials). Null: the AWS SDK's standard chain supplies them.
    /// </summary>
    public Func<DynamoDbLockOptions, DynamoDbLockOptions>? ConfigureDynamoDbLock { get; init; }

    /// <summary>Told of every Hudi commit-protocol step (crash tests kill the process there; hosts may log).</summary>
    public IWriteObserver? WriteObserver { get; init; }

    /// <summary>Progress of a long run (files read, rows, commits).</summary>
    public IProgress<MergeProgress>? Progress { get; init; }

    /// <summary>The clock tombstone retention is measured with (tests move it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>Where a table's merge is.</summary>
/// <param name="Table">The table's name.</param>
/// <param name="Stage">What it is doing: "discover", "read", "write", "commit", "done".</param>
/// <param name="FilesDone">DMS files read so far in this run.</param>
/// <param name="FilesTotal">DMS files selected in this run.</param>
/// <param name="RowsRead">Change rows read so far.</param>
public sealed record MergeProgress(string Table, string Stage, int FilesDone, int FilesTotal, long RowsRead);
