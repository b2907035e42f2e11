using System.Globalization;

namespace CdcLake.Hudi;

/// <summary>
/// A partition folder's <c>.hoodie_partition_metadata</c> (Java properties): the instant that created the
/// partition and how many folder levels it lies below the table root. Hudi writers and Hive's path filter
/// recognise partitions by this file.
/// </summary>
public sealed record HoodiePartitionMetadata(string CommitTime, int PartitionDepth)
{
    public const string FileName = ".hoodie_partition_metadata";

    private const string CommitTimeKey = "commitTime";
    private const string PartitionDepthKey = "partitionDepth";

    /// <summary>The metadata for partition path <paramref name="partitionPath"/> ("" for a non-partitioned table).</summary>
    public static HoodiePartitionMetadata ForPartition(string partitionPath, string commitTime)
    {
        ArgumentNullException.ThrowIfNull(partitionPath);
        var depth = partitionPath.Length == 0 ? 0 : partitionPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
        return new HoodiePartitionMetadata(commitTime, depth);
    }

    /// <exception cref="HudiConfigException">A key is missing or the depth is not a number.</exception>
    public static HoodiePartitionMetadata Parse(ReadOnlySpan<byte> bytes)
    {
        var properties = JavaProperties.Load(bytes);
        var commitTime = properties[CommitTimeKey] ?? throw new HudiConfigException($"{FileName} lacks {CommitTimeKey}");
        var depthText = properties[PartitionDepthKey] ?? throw new HudiConfigException($"{FileName} lacks {PartitionDepthKey}");
        if (!int.TryParse(depthText, NumberStyles.None, CultureInfo.InvariantCulture, out var depth))
        {
            throw new HudiConfigException($"{FileName}: {PartitionDepthKey}={depthText} is not a number");
        }

        return new HoodiePartitionMetadata(commitTime, depth);
    }

    public JavaProperties ToProperties()
    {
        var properties = new JavaProperties();
        properties.Set(CommitTimeKey, CommitTime);
        properties.Set(PartitionDepthKey, PartitionDepth.ToString(CultureInfo.InvariantCulture));
        return properties;
    }

    /// <summary>The file as Hudi writes it: comment <c>partition metadata</c>, the date line, then the two keys.</summary>
    public byte[] ToBytes(DateTimeOffset? savedAt = null) => ToProperties().ToBytes("partition metadata", savedAt);
}
