using System.Text.Json;

namespace CdcLake.Hudi;

/// <summary>
/// What one write did to one file group (Hudi's HoodieWriteStat), as a commit file lists it. Property
/// order is the order Spark writes the JSON fields in; fields this class does not model are kept in
/// <see cref="ExtensionData"/> and written back after the known ones.
/// </summary>
public sealed class HoodieWriteStat
{
    /// <summary>The <see cref="PrevCommit"/> of a new file group: the text "null", not JSON null.</summary>
    public const string NullCommit = "null";

    public string? FileId { get; set; }

    /// <summary>The base file, relative to the table root ('/'-separated).</summary>
    public string? Path { get; set; }

    public OrderedDictionary<string, long>? CdcStats { get; set; }

    /// <summary>The instant of the base file this one replaces, or <see cref="NullCommit"/> for a new file group.</summary>
    public string? PrevCommit { get; set; } = NullCommit;

    /// <summary>Every row in the new file, rows copied through a copy-on-write merge included.</summary>
    public long NumWrites { get; set; }

    public long NumDeletes { get; set; }

    public long NumUpdateWrites { get; set; }

    public long NumInserts { get; set; }

    public long TotalWriteBytes { get; set; }

    public long TotalWriteErrors { get; set; }

    public string? TempPath { get; set; }

    /// <summary>The partition path ("" for a non-partitioned table).</summary>
    public string? PartitionPath { get; set; }

    public long TotalLogRecords { get; set; }

    public long TotalLogFilesCompacted { get; set; }

    public long TotalLogSizeCompacted { get; set; }

    public long TotalUpdatedRecordsCompacted { get; set; }

    public long TotalLogBlocks { get; set; }

    public long TotalCorruptLogBlock { get; set; }

    public long TotalRollbackBlocks { get; set; }

    public long FileSizeInBytes { get; set; }

    public long? MinEventTime { get; set; }

    public long? MaxEventTime { get; set; }

    public HoodieRuntimeStats? RuntimeStats { get; set; }

    /// <summary>Fields of newer Hudi versions (or other writers) that this class does not model, in file order.</summary>
    public OrderedDictionary<string, JsonElement> ExtensionData { get; } = new(StringComparer.Ordinal);
}

/// <summary>Milliseconds a write spent scanning, merging and creating (HoodieWriteStat.RuntimeStats).</summary>
public sealed class HoodieRuntimeStats
{
    public long TotalScanTime { get; set; }

    public long TotalUpsertTime { get; set; }

    public long TotalCreateTime { get; set; }

    public OrderedDictionary<string, JsonElement> ExtensionData { get; } = new(StringComparer.Ordinal);
}

/// <summary>The <c>operationType</c> values of commit files (Hudi's WriteOperationType names).</summary>
public static class WriteOperationType
{
    public const string Insert = "INSERT";
    public const string InsertPrepped = "INSERT_PREPPED";
    public const string Upsert = "UPSERT";
    public const string UpsertPrepped = "UPSERT_PREPPED";
    public const string BulkInsert = "BULK_INSERT";
    public const string BulkInsertPrepped = "BULK_INSERT_PREPPED";
    public const string Delete = "DELETE";
    public const string DeletePrepped = "DELETE_PREPPED";
    public const string InsertOverwrite = "INSERT_OVERWRITE";
    public const string InsertOverwriteTable = "INSERT_OVERWRITE_TABLE";
    public const string DeletePartition = "DELETE_PARTITION";
    public const string Cluster = "CLUSTER";
    public const string Compact = "COMPACT";
    public const string Unknown = "UNKNOWN";
}
