using CdcLake.Hudi.Internal;

namespace CdcLake.Hudi;

/// <summary>
/// The Avro contents of version-6 rollback and clean instants, as Hudi 0.14/0.15 writes them
/// (TimelineMetadataUtils.serialize*: an Avro container file of one record):
/// <list type="bullet">
/// <item><c>&lt;t&gt;.rollback.requested</c>: HoodieRollbackPlan; <c>.rollback.inflight</c>: empty; <c>.rollback</c>: HoodieRollbackMetadata.</item>
/// <item><c>&lt;t&gt;.clean.requested</c> and <c>.clean.inflight</c>: HoodieCleanerPlan; <c>.clean</c>: HoodieCleanMetadata.</item>
/// <item><c>&lt;t&gt;.replacecommit.requested</c>: HoodieRequestedReplaceMetadata (the inflight and completed files are JSON).</item>
/// </list>
/// The schemas are those of hudi-common's .avsc files (namespace org.apache.hudi.avro.model), written with every
/// field of the newest version: Java resolves them against its own by field name.
/// </summary>
public static class TimelineAvroMetadata
{
    /// <summary>HoodieInstantInfo: an instant a rollback undoes.</summary>
    internal const string InstantInfoSchema =
        """{"type":"record","name":"HoodieInstantInfo","namespace":"org.apache.hudi.avro.model","fields":[{"name":"commitTime","type":"string"},{"name":"action","type":"string"}]}""";

    internal const string RollbackPlanSchema =
        """{"type":"record","name":"HoodieRollbackPlan","namespace":"org.apache.hudi.avro.model","fields":[""" +
        """{"name":"instantToRollback","type":["null",""" + InstantInfoSchema + """],"default":null},""" +
        """{"name":"RollbackRequests","type":["null",{"type":"array","items":{"type":"record","name":"HoodieRollbackRequest","fields":[""" +
        """{"name":"partitionPath","type":"string"},{"name":"fileId","type":["null","string"],"default":null},""" +
        """{"name":"latestBaseInstant","type":["null","string"],"default":null},""" +
        """{"name":"filesToBeDeleted","type":{"type":"array","items":"string"},"default":[]},""" +
        """{"name":"logBlocksToBeDeleted","type":["null",{"type":"map","values":"long"}],"default":null}]}}],"default":null},""" +
        """{"name":"version","type":["int","null"],"default":1}]}""";

    internal const string RollbackMetadataSchema =
        """{"type":"record","name":"HoodieRollbackMetadata","namespace":"org.apache.hudi.avro.model","fields":[""" +
        """{"name":"startRollbackTime","type":"string"},{"name":"timeTakenInMillis","type":"long"},{"name":"totalFilesDeleted","type":"int"},""" +
        """{"name":"commitsRollback","type":{"type":"array","items":"string"}},""" +
        """{"name":"partitionMetadata","type":{"type":"map","values":{"type":"record","name":"HoodieRollbackPartitionMetadata","fields":[""" +
        """{"name":"partitionPath","type":"string"},{"name":"successDeleteFiles","type":{"type":"array","items":"string"}},""" +
        """{"name":"failedDeleteFiles","type":{"type":"array","items":"string"}},""" +
        """{"name":"rollbackLogFiles","type":["null",{"type":"map","values":"long"}],"default":null},""" +
        """{"name":"writtenLogFiles","type":["null",{"type":"map","values":"long"}],"default":null}]}}},""" +
        """{"name":"version","type":["int","null"],"default":1},""" +
        """{"name":"instantsRollback","type":{"type":"array","items":""" + InstantInfoSchema + """},"default":[]}]}""";

    internal const string CleanerPlanSchema =
        """{"type":"record","name":"HoodieCleanerPlan","namespace":"org.apache.hudi.avro.model","fields":[""" +
        """{"name":"earliestInstantToRetain","type":["null",{"type":"record","name":"HoodieActionInstant","fields":[""" +
        """{"name":"timestamp","type":"string"},{"name":"action","type":"string"},{"name":"state","type":"string"}]}],"default":null},""" +
        """{"name":"lastCompletedCommitTimestamp","type":"string","default":""},""" +
        """{"name":"policy","type":"string"},""" +
        """{"name":"filesToBeDeletedPerPartition","type":["null",{"type":"map","values":{"type":"array","items":"string"}}],"default":null},""" +
        """{"name":"version","type":["int","null"],"default":1},""" +
        """{"name":"filePathsToBeDeletedPerPartition","type":["null",{"type":"map","values":{"type":"array","items":{"type":"record","name":"HoodieCleanFileInfo","fields":[""" +
        """{"name":"filePath","type":["null","string"],"default":null},{"name":"isBootstrapBaseFile","type":["null","boolean"],"default":null}]}}}],"default":null},""" +
        """{"name":"partitionsToBeDeleted","type":["null",{"type":"array","items":"string"}],"default":null}]}""";

    internal const string CleanMetadataSchema =
        """{"type":"record","name":"HoodieCleanMetadata","namespace":"org.apache.hudi.avro.model","fields":[""" +
        """{"name":"policy","type":"string","default":""},{"name":"startCleanTime","type":"string"},{"name":"timeTakenInMillis","type":"long"},""" +
        """{"name":"totalFilesDeleted","type":"int"},{"name":"earliestCommitToRetain","type":"string"},""" +
        """{"name":"lastCompletedCommitTimestamp","type":"string","default":""},""" +
        """{"name":"partitionMetadata","type":{"type":"map","values":{"type":"record","name":"HoodieCleanPartitionMetadata","fields":[""" +
        """{"name":"partitionPath","type":"string"},{"name":"policy","type":"string"},""" +
        """{"name":"deletePathPatterns","type":{"type":"array","items":"string"}},{"name":"successDeleteFiles","type":{"type":"array","items":"string"}},""" +
        """{"name":"failedDeleteFiles","type":{"type":"array","items":"string"}},{"name":"isPartitionDeleted","type":["null","boolean"],"default":null}]}}},""" +
        """{"name":"version","type":["int","null"],"default":1},""" +
        """{"name":"bootstrapPartitionMetadata","type":["null",{"type":"map","values":"HoodieCleanPartitionMetadata"}],"default":null}]}""";

    internal const string RequestedReplaceSchema =
        """{"type":"record","name":"HoodieRequestedReplaceMetadata","namespace":"org.apache.hudi.avro.model","fields":[""" +
        // Hudi's .avsc says "default": "" here, and null for the unions led by a record below, which strict parsers
        // refuse (a union's default must be of its first branch); a writer schema's defaults play no part in reading,
        // so this one says null here and gives none there.
        """{"name":"operationType","type":["null","string"],"default":null},""" +
        """{"name":"clusteringPlan","type":[{"type":"record","name":"HoodieClusteringPlan","fields":[""" +
        """{"name":"inputGroups","type":["null",{"type":"array","items":{"type":"record","name":"HoodieClusteringGroup","fields":[""" +
        """{"name":"slices","type":["null",{"type":"array","items":{"type":"record","name":"HoodieSliceInfo","fields":[""" +
        """{"name":"dataFilePath","type":["null","string"],"default":null},{"name":"deltaFilePaths","type":["null",{"type":"array","items":"string"}],"default":null},""" +
        """{"name":"fileId","type":["null","string"]},{"name":"partitionPath","type":["null","string"],"default":null},""" +
        """{"name":"bootstrapFilePath","type":["null","string"],"default":null},{"name":"version","type":["int","null"],"default":1}]}}],"default":null},""" +
        """{"name":"metrics","type":["null",{"type":"map","values":"double"}],"default":null},""" +
        """{"name":"numOutputFileGroups","type":["int","null"],"default":1},{"name":"version","type":["int","null"],"default":1}]}}],"default":null},""" +
        """{"name":"strategy","type":[{"type":"record","name":"HoodieClusteringStrategy","fields":[""" +
        """{"name":"strategyClassName","type":["null","string"],"default":null},{"name":"strategyParams","type":["null",{"type":"map","values":"string"}],"default":null},""" +
        """{"name":"version","type":["int","null"],"default":1}]},"null"]},""" +
        """{"name":"extraMetadata","type":["null",{"type":"map","values":"string"}],"default":null},""" +
        """{"name":"version","type":["int","null"],"default":1}]},"null"]},""" +
        """{"name":"extraMetadata","type":["null",{"type":"map","values":"string"}],"default":null},""" +
        """{"name":"version","type":["int","null"],"default":1}]}""";

    /// <summary>The cleaner plan version Hudi 0.14+ writes (CleanPlanner.LATEST_CLEAN_PLAN_VERSION).</summary>
    internal const int CleanPlanVersion = 2;

    /// <summary>The clean metadata version Hudi 0.14+ writes (CleanMetadataV2MigrationHandler.VERSION).</summary>
    internal const int CleanMetadataVersion = 2;

    /// <summary>The Avro file of a rollback plan: undo <paramref name="instant"/> by deleting <paramref name="filesByPartition"/> (full paths).</summary>
    public static byte[] RollbackPlan(HoodieInstant instant, IReadOnlyDictionary<string, List<string>> filesByPartition)
    {
        ArgumentNullException.ThrowIfNull(instant);
        var requests = filesByPartition
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (object?)Record(
                ("partitionPath", p.Key),
                ("fileId", ""),
                ("latestBaseInstant", ""),
                ("filesToBeDeleted", p.Value.ToList<object?>()),
                ("logBlocksToBeDeleted", new Dictionary<string, object?>())))
            .ToList();
        return AvroContainer.Write(RollbackPlanSchema, Record(
            ("instantToRollback", InstantInfo(instant)),
            ("RollbackRequests", requests),
            ("version", 1)));
    }

    /// <summary>The instant a rollback plan undoes and the files it deletes (full paths by partition).</summary>
    /// <exception cref="HudiException">Not a rollback plan.</exception>
    public static (string Time, string Action, Dictionary<string, List<string>> Files) ReadRollbackPlan(ReadOnlySpan<byte> content)
    {
        var record = AvroContainer.Read(content).SingleOrDefault() as Dictionary<string, object?>
            ?? throw new HudiException("the rollback plan holds no record");
        var target = record.GetValueOrDefault("instantToRollback") as Dictionary<string, object?>
            ?? throw new HudiException("the rollback plan names no instant to roll back");
        var files = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var request in (record.GetValueOrDefault("RollbackRequests") as List<object?>) ?? [])
        {
            if (request is Dictionary<string, object?> r && r.GetValueOrDefault("partitionPath") is string partition)
            {
                var list = files.TryGetValue(partition, out var l) ? l : files[partition] = [];
                list.AddRange(((r.GetValueOrDefault("filesToBeDeleted") as List<object?>) ?? []).OfType<string>());
            }
        }

        return ((string)target["commitTime"]!, (string)target["action"]!, files);
    }

    /// <summary>The Avro file of a completed rollback.</summary>
    public static byte[] RollbackMetadata(
        string rollbackTime,
        long timeTakenMillis,
        HoodieInstant rolledBack,
        IReadOnlyDictionary<string, (List<string> Deleted, List<string> Failed)> byPartition)
    {
        ArgumentNullException.ThrowIfNull(rolledBack);
        var partitions = byPartition
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(
                p => p.Key,
                p => (object?)Record(
                    ("partitionPath", p.Key),
                    ("successDeleteFiles", p.Value.Deleted.ToList<object?>()),
                    ("failedDeleteFiles", p.Value.Failed.ToList<object?>()),
                    ("rollbackLogFiles", new Dictionary<string, object?>()),
                    ("writtenLogFiles", new Dictionary<string, object?>())),
                StringComparer.Ordinal);
        return AvroContainer.Write(RollbackMetadataSchema, Record(
            ("startRollbackTime", rollbackTime),
            ("timeTakenInMillis", timeTakenMillis),
            ("totalFilesDeleted", byPartition.Values.Sum(v => v.Deleted.Count)),
            ("commitsRollback", new List<object?> { rolledBack.Time }),
            ("partitionMetadata", partitions),
            ("version", 1),
            ("instantsRollback", new List<object?> { InstantInfo(rolledBack) })));
    }

    /// <summary>The Avro file of a cleaner plan (KEEP_LATEST_COMMITS): delete <paramref name="filesByPartition"/> (full paths).</summary>
    public static byte[] CleanerPlan(HoodieInstant? earliestInstantToRetain, string lastCompletedCommit, IReadOnlyDictionary<string, List<string>> filesByPartition)
    {
        var perPartition = filesByPartition
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(
                p => p.Key,
                p => (object?)p.Value.Select(f => (object?)Record(("filePath", f), ("isBootstrapBaseFile", false))).ToList(),
                StringComparer.Ordinal);
        return AvroContainer.Write(CleanerPlanSchema, Record(
            ("earliestInstantToRetain", earliestInstantToRetain is null
                ? null
                : Record(("timestamp", earliestInstantToRetain.Time), ("action", earliestInstantToRetain.Action), ("state", "COMPLETED"))),
            ("lastCompletedCommitTimestamp", lastCompletedCommit),
            ("policy", CleanPolicy),
            ("filesToBeDeletedPerPartition", new Dictionary<string, object?>()),
            ("version", CleanPlanVersion),
            ("filePathsToBeDeletedPerPartition", perPartition),
            ("partitionsToBeDeleted", new List<object?>())));
    }

    /// <summary>The files a cleaner plan deletes (full paths by partition) and its earliest retained instant.</summary>
    public static (string? EarliestInstantToRetain, string LastCompletedCommit, Dictionary<string, List<string>> Files) ReadCleanerPlan(ReadOnlySpan<byte> content)
    {
        var record = AvroContainer.Read(content).SingleOrDefault() as Dictionary<string, object?>
            ?? throw new HudiException("the cleaner plan holds no record");
        var earliest = (record.GetValueOrDefault("earliestInstantToRetain") as Dictionary<string, object?>)?.GetValueOrDefault("timestamp") as string;
        var files = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (record.GetValueOrDefault("filePathsToBeDeletedPerPartition") is Dictionary<string, object?> map)
        {
            foreach (var (partition, list) in map)
            {
                files[partition] = [.. ((list as List<object?>) ?? []).OfType<Dictionary<string, object?>>().Select(f => f.GetValueOrDefault("filePath")).OfType<string>()];
            }
        }

        return (earliest, record.GetValueOrDefault("lastCompletedCommitTimestamp") as string ?? "", files);
    }

    /// <summary>The Avro file of a completed clean; <paramref name="deletedByPartition"/> holds file names.</summary>
    public static byte[] CleanMetadata(
        string cleanTime,
        long timeTakenMillis,
        string earliestCommitToRetain,
        string lastCompletedCommit,
        IReadOnlyDictionary<string, (List<string> Deleted, List<string> Failed)> deletedByPartition)
    {
        var partitions = deletedByPartition
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(
                p => p.Key,
                p => (object?)Record(
                    ("partitionPath", p.Key),
                    ("policy", CleanPolicy),
                    ("deletePathPatterns", p.Value.Deleted.Concat(p.Value.Failed).ToList<object?>()),
                    ("successDeleteFiles", p.Value.Deleted.ToList<object?>()),
                    ("failedDeleteFiles", p.Value.Failed.ToList<object?>()),
                    ("isPartitionDeleted", false)),
                StringComparer.Ordinal);
        return AvroContainer.Write(CleanMetadataSchema, Record(
            ("policy", CleanPolicy),
            ("startCleanTime", cleanTime),
            ("timeTakenInMillis", timeTakenMillis),
            ("totalFilesDeleted", deletedByPartition.Values.Sum(v => v.Deleted.Count)),
            ("earliestCommitToRetain", earliestCommitToRetain),
            ("lastCompletedCommitTimestamp", lastCompletedCommit),
            ("partitionMetadata", partitions),
            ("version", CleanMetadataVersion),
            ("bootstrapPartitionMetadata", new Dictionary<string, object?>())));
    }

    /// <summary>
    /// The <c>.replacecommit.requested</c> of an insert-overwrite: HoodieRequestedReplaceMetadata with every field null,
    /// as Hudi's HoodieActiveTimeline.createRequestedReplaceCommit serializes <c>new HoodieRequestedReplaceMetadata()</c>
    /// (only clustering puts a plan there).
    /// </summary>
    public static byte[] RequestedReplaceMetadata() => AvroContainer.Write(RequestedReplaceSchema, Record(
        ("operationType", null),
        ("clusteringPlan", null),
        ("extraMetadata", null),
        ("version", null)));

    /// <summary>Decodes any of these Avro instant files into plain dictionaries and lists (for tests and tools).</summary>
    public static object? Decode(ReadOnlySpan<byte> content) => AvroContainer.Read(content).SingleOrDefault();

    /// <summary>The only cleaner policy this library runs.</summary>
    public const string CleanPolicy = "KEEP_LATEST_COMMITS";

    private static Dictionary<string, object?> InstantInfo(HoodieInstant instant) =>
        Record(("commitTime", instant.Time), ("action", HoodieActions.CompletedAction(instant.Action)));

    private static Dictionary<string, object?> Record(params (string Name, object? Value)[] fields)
    {
        var record = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            record[name] = value;
        }

        return record;
    }
}
