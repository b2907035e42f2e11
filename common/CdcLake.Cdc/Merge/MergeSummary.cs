using System.Text.Json;
using System.Text.Json.Serialization;

namespace CdcLake.Cdc;

/// <summary>How a table's merge ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MergeStatus>))]
public enum MergeStatus
{
    /// <summary>New files were merged (one or more commits).</summary>
    Merged,

    /// <summary>No new DMS file: nothing was written.</summary>
    UpToDate,

    /// <summary>A dry run: what would be merged was reported, nothing was written.</summary>
    Planned,

    /// <summary>The table is disabled in the pipeline.</summary>
    Disabled,

    /// <summary>The table stopped with <see cref="TableSummary.Error"/>; its table and checkpoint are as they were before the failed commit.</summary>
    Failed,
}

/// <summary>What one table's merge did (printed, and written as JSON with <c>--summary</c>).</summary>
public sealed record TableSummary
{
    public required string Table { get; init; }

    public required string Database { get; init; }

    public required string Target { get; init; }

    public MergeStatus Status { get; init; }

    /// <summary>Why the table failed (names the file, row and column for bad input); null unless <see cref="MergeStatus.Failed"/>.</summary>
    public string? Error { get; init; }

    /// <summary>DMS files merged (LOAD and CDC).</summary>
    public int Files { get; init; }

    /// <summary>Rows read from those files (every change, before dedupe).</summary>
    public long RowsRead { get; init; }

    /// <summary>Keys added to the table.</summary>
    public long Inserts { get; init; }

    /// <summary>Stored rows replaced by a newer version.</summary>
    public long Updates { get; init; }

    /// <summary>Stored rows deleted.</summary>
    public long Deletes { get; init; }

    /// <summary>Changes older than the stored row or tombstone of their key, so not applied.</summary>
    public long StaleIgnored { get; init; }

    /// <summary>Bad rows written to the quarantine instead of failing the table.</summary>
    public long Quarantined { get; init; }

    /// <summary>Tombstones written by this run (deletes remembered against late, older changes).</summary>
    public long Tombstones { get; init; }

    /// <summary>Base files written (new file groups and rewritten ones).</summary>
    public int FilesWritten { get; init; }

    /// <summary>Of <see cref="FilesWritten"/>, those that rewrote an existing file group.</summary>
    public int FilesRewritten { get; init; }

    public long BytesWritten { get; init; }

    /// <summary>The Hudi instants this run completed, in order.</summary>
    public IReadOnlyList<string> Commits { get; init; } = [];

    /// <summary>True when the run replaced the table's contents with a DMS full reload.</summary>
    public bool FullReload { get; init; }

    /// <summary>Things the user should know (ghost rows of primary-key updates without before images, late files, added columns).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public double Seconds { get; init; }
}

/// <summary>The whole run: one summary per table.</summary>
public sealed record RunSummary(IReadOnlyList<TableSummary> Tables)
{
    /// <summary>True when no table failed.</summary>
    public bool Succeeded => Tables.All(t => t.Status != MergeStatus.Failed);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
