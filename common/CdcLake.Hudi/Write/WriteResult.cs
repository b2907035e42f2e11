namespace CdcLake.Hudi;

/// <summary>What one write operation did: its instant, its commit metadata and the counts a job reports.</summary>
public sealed record WriteResult
{
    /// <summary>The committed instant (null when there was nothing to write and no instant was made).</summary>
    public required string? InstantTime { get; init; }

    /// <summary>commit or replacecommit.</summary>
    public required string Action { get; init; }

    public required string OperationType { get; init; }

    /// <summary>The completed instant's content (empty when nothing was written).</summary>
    public required HoodieCommitMetadata Metadata { get; init; }

    public long Inserts { get; init; }

    public long Updates { get; init; }

    public long Deletes { get; init; }

    /// <summary>Input rows dropped because another input row with the same key won the precombine.</summary>
    public long CombinedAway { get; init; }

    /// <summary>Incoming rows (updates and marked deletes) not applied because the stored version ranks newer.</summary>
    public long StaleIgnored { get; init; }

    /// <summary>
    /// Input keys to delete that the table does not hold (a delete given to <see cref="HudiWriteClient.DeleteAsync"/>, or
    /// a row marked by <see cref="HudiWriteOptions.DeleteMarkerField"/>); such rows write nothing.
    /// </summary>
    public long DeletesNotFound { get; init; }

    /// <summary>Base files written (new file groups and rewritten ones).</summary>
    public int FilesWritten { get; init; }

    public int FileGroupsCreated { get; init; }

    public int FileGroupsRewritten { get; init; }

    /// <summary>File groups replaced (insert-overwrite).</summary>
    public int FileGroupsReplaced { get; init; }

    /// <summary>True when the commit changed the table's columns (schema evolution: new columns, wider types, made nullable).</summary>
    public bool SchemaEvolved { get; init; }

    /// <summary>
    /// File groups rewritten only to give their rows the commit's new columns (no input row touched them); they are
    /// counted in <see cref="FileGroupsRewritten"/> too.
    /// </summary>
    public int FileGroupsRewrittenForSchema { get; init; }

    /// <summary>Base files whose footer the index read (min/max key and bloom filter).</summary>
    public int IndexFootersRead { get; init; }

    /// <summary>Base files whose keys the index read because the bloom filter said a key might be there.</summary>
    public int IndexFilesProbed { get; init; }

    /// <summary>Row groups whose key column the index read.</summary>
    public int IndexRowGroupsRead { get; init; }

    /// <summary>Row groups of the footers read whose keys the index did not read: no input key can be there (key range, bloom filter, key field statistics).</summary>
    public int IndexRowGroupsPruned { get; init; }

    /// <summary>Row groups of rewritten file groups that no change fell in: copied as stored, not decoded and encoded again.</summary>
    public int RowGroupsCopied { get; init; }

    public long BytesWritten { get; init; }

    /// <summary>Pending instants rolled back before this write.</summary>
    public IReadOnlyList<RollbackResult> Rollbacks { get; init; } = [];

    /// <summary>The automatic clean after the commit, if one ran.</summary>
    public CleanResult? Clean { get; init; }

    public TimeSpan Elapsed { get; init; }
}

/// <summary>A rollback of a failed write.</summary>
public sealed record RollbackResult(string RollbackInstant, string RolledBackInstant, string RolledBackAction, int FilesDeleted, TimeSpan Elapsed);

/// <summary>A clean: superseded file slices deleted.</summary>
public sealed record CleanResult(string? CleanInstant, string? EarliestCommitToRetain, int FilesDeleted, IReadOnlyList<string> DeletedPaths, TimeSpan Elapsed);
