namespace CdcLake.Hudi;

/// <summary>What kind of rule a <see cref="HudiProblem"/> breaks.</summary>
public enum HudiProblemKind
{
    /// <summary>hoodie.properties: missing, unreadable, a required key missing, a wrong or missing checksum.</summary>
    TableConfig,

    /// <summary>A file in the timeline folder whose name is not an instant file name.</summary>
    Timeline,

    /// <summary>A completed instant's content cannot be read, or a write stat contradicts itself.</summary>
    CommitMetadata,

    /// <summary>A base file a completed commit wrote is gone (and no clean explains it).</summary>
    MissingFile,

    /// <summary>A partition without (or with a malformed) <c>.hoodie_partition_metadata</c>.</summary>
    PartitionMetadata,

    /// <summary>A <c>.parquet</c> file in a partition whose name is not a base file name.</summary>
    BaseFileName,

    /// <summary>A base file whose schema or footer breaks the format (meta columns, Avro schema, key range).</summary>
    BaseFileContent,

    /// <summary>A base file without a bloom filter, or whose bloom filter lacks some of its record keys.</summary>
    BloomFilter,

    /// <summary>A base file whose meta column values contradict the file (file name, partition, commit time).</summary>
    MetaColumns,

    /// <summary>A base file whose instant is nowhere on the timeline.</summary>
    OrphanFile,

    /// <summary>A base file of a requested or inflight instant: debris of a write in progress or a failed one.</summary>
    PendingFile,

    /// <summary>A latest base file that cannot be read with the last commit's schema: a required column missing, or a type that does not widen to the schema's.</summary>
    BaseFileSchema,
}

/// <summary>One broken rule, about one file (<see cref="Path"/> is relative to the table root).</summary>
public sealed record HudiProblem(HudiProblemKind Kind, string Path, string Message)
{
    /// <summary>One line: <c>path: message</c>.</summary>
    public override string ToString() => $"{(Path.Length == 0 ? "." : Path)}: {Message}";
}

/// <summary>The outcome of <see cref="HudiTableValidator.ValidateAsync"/>.</summary>
public sealed record HudiValidationReport(
    IReadOnlyList<HudiProblem> Problems,
    int Instants,
    int Partitions,
    int BaseFilesChecked)
{
    public bool IsValid => Problems.Count == 0;
}
