using CdcLake.Hudi;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Cdc.Internal;

/// <summary>What the job knows of a table before a commit: the table (null before the first), the checkpoint and the
/// references the latest commit carries.</summary>
internal sealed record TableState(
    HudiTable? Table,
    CdcCheckpoint Checkpoint,
    string? TombstonesPath,
    string? Ordering,
    ParquetSchema? Schema,
    bool HasBaseFiles)
{
    /// <summary>extraMetadata key of the ordering columns the table's <c>_cdc_order</c> values were built from.</summary>
    public const string OrderingKey = "cdclake.ordering";

    public static async Task<TableState> LoadAsync(IObjectStore target, CancellationToken cancellationToken)
    {
        if (!await target.ExistsAsync($"{HudiTable.MetaFolderName}/{HoodieTableConfig.FileName}", cancellationToken).ConfigureAwait(false))
        {
            return new TableState(null, CdcCheckpoint.Empty, null, null, null, false);
        }

        var table = await HudiTable.OpenAsync(target, "", cancellationToken).ConfigureAwait(false);

        // The job's own latest commit holds the checkpoint; a commit by another writer (say, a manual Spark fix-up)
        // carries none and must not reset it.
        IReadOnlyDictionary<string, string>? extra = null;
        foreach (var instant in table.Timeline.CompletedWrites.Reverse())
        {
            var metadata = await table.ReadCommitMetadataAsync(instant, cancellationToken).ConfigureAwait(false);
            if (metadata.ExtraMetadata.ContainsKey(CdcCheckpoint.ExtraMetadataKey))
            {
                extra = metadata.ExtraMetadata;
                break;
            }
        }

        var slices = await table.GetFileSlicesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        ParquetSchema? schema = null;
        if (slices.Count > 0 || table.Config.CreateSchema is not null)
        {
            schema = await table.GetSchemaAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return new TableState(
            table,
            CdcCheckpoint.FromExtraMetadata(extra),
            extra?.GetValueOrDefault(TombstoneSet.ExtraMetadataKey),
            extra?.GetValueOrDefault(OrderingKey),
            schema,
            slices.Count > 0);
    }
}
