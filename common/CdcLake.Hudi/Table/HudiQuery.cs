namespace CdcLake.Hudi;

/// <summary>
/// What to read from a table: a snapshot (latest), a snapshot as of an instant (time travel), or the rows
/// committed after an instant (incremental); which top-level columns; which partitions.
/// </summary>
public sealed record HudiQuery
{
    /// <summary>Every row of the latest committed file slices.</summary>
    public static HudiQuery Snapshot { get; } = new();

    /// <summary>
    /// Time travel: the table as it was when <see cref="AsOfInstant"/> completed (slices of completed
    /// writes at or before it). In an incremental query, the upper bound (inclusive). Null: the latest.
    /// </summary>
    public string? AsOfInstant { get; init; }

    /// <summary>
    /// Incremental: only rows whose <c>_hoodie_commit_time</c> is after this instant (exclusive) and at most
    /// <see cref="AsOfInstant"/>, read from the slices that commits after it wrote. Null: not incremental.
    /// </summary>
    public string? SinceInstant { get; init; }

    /// <summary>
    /// Top-level columns to read, in this order (the meta columns may be named like any other); null: all
    /// columns of the base files. <see cref="HoodieMetaFields.All"/> are in every base file.
    /// </summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Partitions to read (pruning happens before any file is opened); null: all.</summary>
    public Func<HudiPartition, bool>? PartitionFilter { get; init; }

    public bool IsIncremental => SinceInstant is not null;

    public bool IsTimeTravel => AsOfInstant is not null && SinceInstant is null;

    /// <summary>The table as of <paramref name="instantTime"/> (inclusive).</summary>
    public static HudiQuery AsOf(string instantTime) => new() { AsOfInstant = instantTime };

    /// <summary>Rows committed after <paramref name="sinceInstant"/> (exclusive), up to <paramref name="untilInstant"/> (inclusive; null: the latest).</summary>
    public static HudiQuery Incremental(string sinceInstant, string? untilInstant = null) =>
        new() { SinceInstant = sinceInstant, AsOfInstant = untilInstant };
}
