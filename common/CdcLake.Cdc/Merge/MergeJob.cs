namespace CdcLake.Cdc;

/// <summary>
/// The CDC merge job: per table, picks up every DMS file not yet merged, orders the changes and commits them into
/// the Hudi table exactly once, the checkpoint in the same commit.
/// </summary>
public static class MergeJob
{
    /// <summary>Merges every enabled table; a table that fails is reported and the others go on.</summary>
    public static async Task<RunSummary> RunAsync(IReadOnlyList<TableSpec> tables, MergeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var summaries = new List<TableSummary>(tables.Count);
        foreach (var table in tables)
        {
            summaries.Add(await MergeTableAsync(table, options, cancellationToken).ConfigureAwait(false));
        }

        return new RunSummary(summaries);
    }

    /// <summary>Merges one table. Failures (bad input, schema conflicts, a held lock) come back as a <see cref="MergeStatus.Failed"/> summary.</summary>
    public static Task<TableSummary> MergeTableAsync(TableSpec table, MergeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new Internal.TableMerge(table, options ?? MergeOptions.Default).RunAsync(cancellationToken);
    }
}
