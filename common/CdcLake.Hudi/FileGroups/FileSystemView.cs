using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>What the timeline says about the instant that wrote a base file.</summary>
public enum BaseFileState
{
    /// <summary>Its instant is a completed commit, delta commit or replace commit on the active timeline.</summary>
    Committed,

    /// <summary>Its instant is older than every instant of the active timeline: committed and since archived.</summary>
    Archived,

    /// <summary>Its instant is requested or inflight: a write in progress, or a failed one not rolled back yet.</summary>
    Pending,

    /// <summary>Its instant is nowhere on the timeline: left behind by a write that was rolled back or never recorded.</summary>
    Orphan,
}

/// <summary>
/// The table's partitions and base files as found on storage, grouped into file groups and slices (Hudi's
/// file system view, built from a listing: this library never uses the metadata table). Which slices a
/// query sees is decided with the timeline: <see cref="StateOf"/> and <see cref="GetLatestFileSlices"/>.
/// </summary>
/// <remarks>
/// Partitions are the folders holding <c>.hoodie_partition_metadata</c>, as Java finds them; the root is one
/// when the table is non-partitioned. Base files are the files of those folders whose names match the base
/// file pattern. Everything else (.DS_Store, _SUCCESS, checksums, files in folders without partition
/// metadata) is ignored by readers and kept here only for <see cref="HudiTableValidator"/>.
/// </remarks>
public sealed class FileSystemView
{
    private readonly Dictionary<FileGroupId, FileGroup> _groups;

    private FileSystemView(
        IReadOnlyList<HudiPartition> partitions,
        IReadOnlyList<FileGroup> groups,
        IReadOnlyList<StoreEntry> partitionMetadataFiles,
        IReadOnlyList<StoreEntry> strayBaseFiles,
        IReadOnlyList<StoreEntry> invalidBaseFileNames,
        IReadOnlyList<StoreEntry> ignoredFiles)
    {
        Partitions = partitions;
        FileGroups = groups;
        _groups = groups.ToDictionary(g => g.Id);
        PartitionMetadataFiles = partitionMetadataFiles;
        StrayBaseFiles = strayBaseFiles;
        InvalidBaseFileNames = invalidBaseFileNames;
        IgnoredFiles = ignoredFiles;
        BaseFiles = [.. groups.SelectMany(g => g.Slices).Select(s => s.BaseFile).OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <summary>Partitions in path order.</summary>
    public IReadOnlyList<HudiPartition> Partitions { get; }

    /// <summary>File groups in (partition, file id) order.</summary>
    public IReadOnlyList<FileGroup> FileGroups { get; }

    /// <summary>Every base file of every partition, in path order.</summary>
    public IReadOnlyList<BaseFile> BaseFiles { get; }

    /// <summary>The <c>.hoodie_partition_metadata</c> files (paths relative to the table root).</summary>
    public IReadOnlyList<StoreEntry> PartitionMetadataFiles { get; }

    /// <summary>Files named like base files in folders without partition metadata: invisible to Hudi's readers.</summary>
    public IReadOnlyList<StoreEntry> StrayBaseFiles { get; }

    /// <summary><c>.parquet</c> files in partitions whose names are not base file names: Hudi ignores them.</summary>
    public IReadOnlyList<StoreEntry> InvalidBaseFileNames { get; }

    /// <summary>Other files outside <c>.hoodie/</c> (.DS_Store, _SUCCESS, .crc files, ...), ignored.</summary>
    public IReadOnlyList<StoreEntry> IgnoredFiles { get; }

    /// <summary>
    /// Lists the table under <paramref name="basePath"/> (relative to the store's root; "" for the root
    /// itself), everything but <c>.hoodie/</c>. Entry paths in the view are relative to the table root.
    /// </summary>
    public static async Task<FileSystemView> LoadAsync(IObjectStore store, string basePath, TableConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(basePath);
        ArgumentNullException.ThrowIfNull(config);
        var prefix = basePath.Length == 0 ? "" : basePath + "/";
        var entries = new List<StoreEntry>();

        // One recursive listing of the whole table, .hoodie/ included and skipped in FromEntries. Listing the
        // top-level folders and then each but .hoodie/ would save listing the metadata folder, but it relies on
        // the server's delimiter listing, which S3-compatible servers get wrong for nested folders (s3rver
        // leaves out folders whose objects lie two levels down), and a missed partition is a silent misread.
        await foreach (var entry in store.ListAsync(basePath, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry with { Path = entry.Path[prefix.Length..] });
        }

        return FromEntries(entries, config);
    }

    /// <summary>The view of a listing whose paths are relative to the table root (entries under <c>.hoodie/</c> are skipped).</summary>
    public static FileSystemView FromEntries(IEnumerable<StoreEntry> entries, TableConfig config)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(config);
        var files = entries
            .Where(e => e.Path != HudiTable.MetaFolderName && !e.Path.StartsWith(HudiTable.MetaFolderName + "/", StringComparison.Ordinal))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ToList();
        var metadataFiles = files.Where(e => IsPartitionMetadata(e.Name)).ToList();
        var partitionFolders = metadataFiles.Select(e => FolderOf(e.Path)).ToHashSet(StringComparer.Ordinal);

        var baseFiles = new List<BaseFile>();
        var stray = new List<StoreEntry>();
        var invalid = new List<StoreEntry>();
        var ignored = new List<StoreEntry>();
        foreach (var entry in files)
        {
            if (IsPartitionMetadata(entry.Name))
            {
                continue;
            }

            var inPartition = partitionFolders.Contains(FolderOf(entry.Path));
            if (BaseFile.TryCreate(entry.Path, entry.Size, out var baseFile))
            {
                if (inPartition)
                {
                    baseFiles.Add(baseFile);
                }
                else
                {
                    stray.Add(entry);
                }
            }
            else if (inPartition && entry.Name.EndsWith(BaseFileName.Extension, StringComparison.Ordinal) && !entry.Name.StartsWith('.'))
            {
                invalid.Add(entry);
            }
            else
            {
                ignored.Add(entry);
            }
        }

        var partitions = partitionFolders.Order(StringComparer.Ordinal).Select(p => HudiPartition.Parse(p, config)).ToList();
        var groups = baseFiles
            .GroupBy(f => f.FileGroupId)
            .Select(g => new FileGroup(g.Key, g.Select(f => new FileSlice(f))))
            .OrderBy(g => g.PartitionPath, StringComparer.Ordinal)
            .ThenBy(g => g.FileId, StringComparer.Ordinal)
            .ToList();
        return new FileSystemView(partitions, groups, metadataFiles, stray, invalid, ignored);
    }

    public FileGroup? FindFileGroup(FileGroupId id) => _groups.GetValueOrDefault(id);

    /// <summary>
    /// Java's rule for whether a base file is part of the table: its instant is a completed write
    /// (commit, delta commit, replace commit), or older than every instant on the active timeline (archived).
    /// Comparing with the first instant of any action and state, not only completed commits, keeps the files
    /// of a failed write that precedes the first completed one from passing for archived ones.
    /// </summary>
    public static BaseFileState StateOf(string instantTime, HoodieTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(instantTime);
        ArgumentNullException.ThrowIfNull(timeline);
        if (timeline.FindCompleted(instantTime) is { } completed)
        {
            return HoodieActions.IsWriteAction(completed.Action) ? BaseFileState.Committed : BaseFileState.Orphan;
        }

        if (timeline.Instants.Any(i => i.Time == instantTime && i.IsPending))
        {
            return BaseFileState.Pending;
        }

        return timeline.Instants.Count > 0 && string.CompareOrdinal(instantTime, timeline.Instants[0].Time) < 0
            ? BaseFileState.Archived
            : BaseFileState.Orphan;
    }

    /// <summary>
    /// The latest visible slice of every file group: its instant committed (or archived) and at most
    /// <paramref name="asOfInstant"/> (null: no bound), its group not in <paramref name="replacedFileGroups"/>
    /// and its partition accepted by <paramref name="partitionFilter"/>. In (partition, file id) order.
    /// </summary>
    public IReadOnlyList<FileSlice> GetLatestFileSlices(
        HoodieTimeline timeline,
        string? asOfInstant = null,
        IReadOnlySet<FileGroupId>? replacedFileGroups = null,
        Func<HudiPartition, bool>? partitionFilter = null)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var partitions = Partitions.ToDictionary(p => p.Path, StringComparer.Ordinal);
        var result = new List<FileSlice>();
        foreach (var group in FileGroups)
        {
            if (replacedFileGroups?.Contains(group.Id) == true
                || (partitionFilter is not null && !partitionFilter(partitions[group.PartitionPath])))
            {
                continue;
            }

            var slice = group.LatestSlice(s =>
                (asOfInstant is null || string.CompareOrdinal(s.BaseInstantTime, asOfInstant) <= 0)
                && StateOf(s.BaseInstantTime, timeline) is BaseFileState.Committed or BaseFileState.Archived);
            if (slice is not null)
            {
                result.Add(slice);
            }
        }

        return result;
    }

    internal static bool IsPartitionMetadata(string fileName) =>
        fileName == HoodiePartitionMetadata.FileName
        || (fileName.StartsWith(HoodiePartitionMetadata.FileName + ".", StringComparison.Ordinal) && !fileName.EndsWith(".crc", StringComparison.Ordinal));

    internal static string FolderOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }
}
