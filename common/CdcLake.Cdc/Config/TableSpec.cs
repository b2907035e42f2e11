using CdcLake.Hudi;

namespace CdcLake.Cdc;

/// <summary>How a derived date column is truncated and written.</summary>
public enum DateGranularity
{
    Year,
    Month,
    Day,
    Hour,
}

/// <summary>A derived partition column: <see cref="Column"/> holds the date of <see cref="Source"/> as text of <see cref="Granularity"/>.</summary>
public sealed record DatePartitionSpec(string Column, string Source, DateGranularity Granularity)
{
    /// <summary>The text written for a granularity: <c>yyyy</c>, <c>yyyy-MM</c>, <c>yyyy-MM-dd</c>, <c>yyyy-MM-dd-HH</c>.</summary>
    public string Format => Granularity switch
    {
        DateGranularity.Year => "yyyy",
        DateGranularity.Month => "yyyy-MM",
        DateGranularity.Day => "yyyy-MM-dd",
        _ => "yyyy-MM-dd-HH",
    };
}

/// <summary>The resolved write options of a table (see <see cref="WriteSettings"/>).</summary>
public sealed record WriteSpec(long MaxFileSizeBytes, long SmallFileLimitBytes, string Codec, int CleanRetainCommits)
{
    public static WriteSpec Default { get; } = new(
        HoodieWriteConfig.ParquetMaxFileSize.Default,
        HoodieWriteConfig.ParquetSmallFileLimit.Default,
        "snappy",
        HoodieWriteConfig.CleanerCommitsRetained.Default);

    /// <summary>The codecs a pipeline may name.</summary>
    public static IReadOnlyList<string> Codecs { get; } = ["snappy", "gzip", "zstd", "none"];
}

/// <summary>
/// One table of a pipeline with the defaults merged in and every field checked: what the job runs.
/// Column names here are table names (after <see cref="RenameColumns"/>), except <see cref="DropColumns"/>,
/// the rename map's keys and <see cref="BeforeImageKeyColumns"/>, which name source columns.
/// </summary>
public sealed record TableSpec
{
    /// <summary>The derived column holding the total order of changes: the table's hoodie.table.precombine.field.</summary>
    public const string OrderColumn = CdcOrder.ColumnName;

    /// <summary>The Hudi table name.</summary>
    public required string Name { get; init; }

    public string Database { get; init; } = "default";

    /// <summary>The DMS table folder (local path or s3://).</summary>
    public required string Source { get; init; }

    /// <summary>The Hudi table's root (local path or s3://).</summary>
    public required string Target { get; init; }

    public required IReadOnlyList<string> RecordKey { get; init; }

    /// <summary>Ordering columns in priority order; null: AR_H_CHANGE_SEQ when the files have it.</summary>
    public IReadOnlyList<string>? Ordering { get; init; }

    public IReadOnlyList<string> PartitionBy { get; init; } = [];

    public DatePartitionSpec? DatePartition { get; init; }

    public bool HiveStylePartitioning { get; init; }

    public bool Enabled { get; init; } = true;

    public WriteSpec Write { get; init; } = WriteSpec.Default;

    /// <summary>
    /// The table lock. Null (a spec built in code): the local lock file, which a table on S3 cannot use — the job
    /// then fails the table unless <see cref="MergeOptions.LockProvider"/> is set. A resolved pipeline always sets it.
    /// </summary>
    public LockSpec? Lock { get; init; }

    /// <summary>Source columns holding the before-image of each record key column (same order); null: none configured.</summary>
    public IReadOnlyList<string>? BeforeImageKeyColumns { get; init; }

    /// <summary>Source columns left out of the table.</summary>
    public IReadOnlySet<string> DropColumns { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Source column → table column.</summary>
    public IReadOnlyDictionary<string, string> RenameColumns { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public bool Quarantine { get; init; }

    public TimeSpan TombstoneRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How far before the newest merged CDC file's time a late file is still merged (the checkpoint's window).</summary>
    public TimeSpan LateFileWindow { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>The key generator class Hudi would infer: Nonpartitioned, Simple (one key, one partition field) or Complex.</summary>
    public string KeyGeneratorClass => KeyGeneratorClasses.Infer(RecordKey.Count, PartitionBy.Count);

    /// <summary>The key generator the table's writer and readers use, so change keys match stored keys.</summary>
    public KeyGenerator CreateKeyGenerator() =>
        KeyGeneratorFactory.Create(KeyGeneratorClass, RecordKey, PartitionBy, HiveStylePartitioning, urlEncodePartitioning: false);

    /// <summary>The table name of source column <paramref name="sourceColumn"/>, or null when it is dropped.</summary>
    public string? TableColumnOf(string sourceColumn) =>
        DropColumns.Contains(sourceColumn) ? null : RenameColumns.GetValueOrDefault(sourceColumn, sourceColumn);

    /// <summary>The source column that becomes table column <paramref name="tableColumn"/> (the inverse of the renames).</summary>
    public string SourceColumnOf(string tableColumn)
    {
        foreach (var (source, target) in RenameColumns)
        {
            if (target == tableColumn)
            {
                return source;
            }
        }

        return tableColumn;
    }
}
