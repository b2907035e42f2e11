namespace CdcLake.Hudi;

/// <summary>A file group's identity: its partition path ("" when non-partitioned) and file id.</summary>
public readonly record struct FileGroupId(string PartitionPath, string FileId)
{
    public override string ToString() => PartitionPath.Length == 0 ? FileId : $"{PartitionPath}/{FileId}";
}

/// <summary>
/// One version of a file group: in a copy-on-write table exactly one base file, written by the instant
/// <see cref="BaseInstantTime"/>. (A merge-on-read slice would add log files; this library reads copy-on-write only.)
/// </summary>
public sealed record FileSlice(BaseFile BaseFile)
{
    public FileGroupId FileGroupId => BaseFile.FileGroupId;

    public string PartitionPath => BaseFile.PartitionPath;

    public string FileId => BaseFile.FileId;

    public string BaseInstantTime => BaseFile.InstantTime;

    public override string ToString() => BaseFile.Path;
}

/// <summary>All base files that share a file id in one partition, oldest slice first.</summary>
public sealed class FileGroup
{
    internal FileGroup(FileGroupId id, IEnumerable<FileSlice> slices)
    {
        Id = id;
        Slices = [.. slices.OrderBy(s => s.BaseInstantTime, StringComparer.Ordinal).ThenBy(s => s.BaseFile.Name.WriteToken, StringComparer.Ordinal)];
    }

    public FileGroupId Id { get; }

    public string PartitionPath => Id.PartitionPath;

    public string FileId => Id.FileId;

    /// <summary>Every slice on storage, in instant order, whatever the state of its instant.</summary>
    public IReadOnlyList<FileSlice> Slices { get; }

    /// <summary>
    /// The newest slice that <paramref name="isVisible"/> accepts (Java's "latest committed file slice"), or null.
    /// Two files of one instant (a retried task that both wrote) resolve to the greater write token, as Java does.
    /// </summary>
    public FileSlice? LatestSlice(Func<FileSlice, bool> isVisible)
    {
        ArgumentNullException.ThrowIfNull(isVisible);
        for (var i = Slices.Count - 1; i >= 0; i--)
        {
            if (isVisible(Slices[i]))
            {
                return Slices[i];
            }
        }

        return null;
    }

    public override string ToString() => Id.ToString();
}
