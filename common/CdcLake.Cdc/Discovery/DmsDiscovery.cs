using CdcLake.Storage;

namespace CdcLake.Cdc;

/// <summary>A file of a DMS table folder that is not merged, and why.</summary>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>
/// A DMS table folder's files: LOAD files in load order (segment, then hex counter), CDC files in time order
/// (the time in the name, then the path hash, then the path: never the folder names), and what was skipped.
/// </summary>
public sealed class DmsListing
{
    public DmsListing(IReadOnlyList<DmsFile> loadFiles, IReadOnlyList<DmsFile> cdcFiles, IReadOnlyList<SkippedFile> skipped, IReadOnlyList<SkippedFile> unrecognized, IReadOnlyList<string> warnings)
    {
        LoadFiles = loadFiles;
        CdcFiles = cdcFiles;
        Skipped = skipped;
        Unrecognized = unrecognized;
        Warnings = warnings;
    }

    public IReadOnlyList<DmsFile> LoadFiles { get; }

    public IReadOnlyList<DmsFile> CdcFiles { get; }

    /// <summary>Files that are not data: CDC_TXN CSV files, <c>_SUCCESS</c>, checksums, hidden and temporary files.</summary>
    public IReadOnlyList<SkippedFile> Skipped { get; }

    /// <summary>Parquet files whose names DMS does not write: not merged, and worth a warning.</summary>
    public IReadOnlyList<SkippedFile> Unrecognized { get; }

    /// <summary>Odd but harmless findings, e.g. a CDC file in a folder that is not a date folder for its time.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>LOAD files, then CDC files: the order their changes are read in.</summary>
    public IEnumerable<DmsFile> All => LoadFiles.Concat(CdcFiles);
}

/// <summary>Lists a DMS table folder (<c>…/&lt;schema&gt;/&lt;table&gt;/</c>) and classifies what is in it.</summary>
public static class DmsDiscovery
{
    /// <summary>Lists every object under <paramref name="folder"/> (default: the store's root is the table folder) and classifies it.</summary>
    public static async Task<DmsListing> ListAsync(IObjectStore store, string folder = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var entries = new List<StoreEntry>();
        await foreach (var entry in store.ListAsync(folder, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return Classify(entries, folder);
    }

    /// <summary>Classifies listed objects; <paramref name="folder"/> is the table folder the entries' paths are under.</summary>
    public static DmsListing Classify(IEnumerable<StoreEntry> entries, string folder = "")
    {
        ArgumentNullException.ThrowIfNull(entries);
        var prefix = folder.Length == 0 ? "" : folder.TrimEnd('/') + "/";
        var loads = new List<DmsFile>();
        var cdcs = new List<DmsFile>();
        var skipped = new List<SkippedFile>();
        var unrecognized = new List<SkippedFile>();
        var warnings = new List<string>();
        foreach (var entry in entries)
        {
            if (!entry.Path.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var relative = entry.Path[prefix.Length..];
            var slash = relative.LastIndexOf('/');
            var directory = slash < 0 ? "" : relative[..slash];
            var name = relative[(slash + 1)..];
            if (SkipReason(relative, name) is { } reason)
            {
                skipped.Add(new SkippedFile(entry.Path, reason));
                continue;
            }

            if (DmsFileNames.TryParseLoad(name, out var counter, out var segmentNumber))
            {
                var label = directory.Length == 0
                    ? (segmentNumber is { } n ? $"SEGMENT{n}" : "")
                    : segmentNumber is { } m ? $"{directory}/SEGMENT{m}" : directory;
                var key = directory.Length == 0
                    ? segmentNumber is { } s ? FileOrderKey.Load(1, s, counter) : FileOrderKey.Load(0, 0, counter)
                    : FileOrderKey.Load(2, FileOrderKey.SegmentHashOf(label), counter);
                loads.Add(Make(entry, relative, DmsFileKind.Load, key, label));
            }
            else if (DmsFileNames.TryParseCdc(name, out var time))
            {
                cdcs.Add(Make(entry, relative, DmsFileKind.Cdc, FileOrderKey.Cdc(time, relative), ""));
                if (directory.Length > 0 && !DatePartitionFolder.Covers(directory, time))
                {
                    warnings.Add($"{entry.Path}: the CDC file is in folder '{directory}', which is not a DMS date folder for its time {time:yyyy-MM-dd HH:mm:ss.fff}");
                }
            }
            else
            {
                unrecognized.Add(new SkippedFile(entry.Path, "a Parquet file whose name is neither a DMS full-load name (LOAD<8 hex digits>) nor a CDC name (yyyyMMdd-HHmmssfff)"));
            }
        }

        loads.Sort(static (a, b) => a.OrderKey.CompareTo(b.OrderKey) is var c and not 0 ? c : string.CompareOrdinal(a.RelativePath, b.RelativePath));
        cdcs.Sort(static (a, b) => a.OrderKey.CompareTo(b.OrderKey) is var c and not 0 ? c : string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return new DmsListing(loads, cdcs, skipped, unrecognized, warnings);
    }

    private static DmsFile Make(StoreEntry entry, string relative, DmsFileKind kind, FileOrderKey key, string segment) => new()
    {
        Path = entry.Path,
        RelativePath = relative,
        Size = entry.Size,
        LastModified = entry.LastModified,
        ETag = entry.ETag,
        Kind = kind,
        OrderKey = key,
        Segment = segment,
    };

    /// <summary>Why a file is not data, or null when it may be.</summary>
    private static string? SkipReason(string relative, string name)
    {
        foreach (var segment in relative.Split('/'))
        {
            if (segment.StartsWith('.') || segment.StartsWith('_'))
            {
                return segment == "_SUCCESS" ? "a job marker (_SUCCESS)" : "hidden or temporary (a path segment starts with '.' or '_')";
            }
        }

        if (name.EndsWith("_$folder$", StringComparison.Ordinal))
        {
            return "a folder marker";
        }

        if (name.StartsWith("CDC_TXN-", StringComparison.Ordinal))
        {
            return "a DMS transaction file (CDC_TXN, PreserveTransactions): out of scope";
        }

        if (name.EndsWith(".parquet", StringComparison.Ordinal))
        {
            return null;
        }

        var dot = name.LastIndexOf('.');
        var extension = dot < 0 ? "" : name[dot..].ToLowerInvariant();
        return extension switch
        {
            ".crc" => "a checksum file",
            ".csv" or ".csv.gz" or ".gz" => "a CSV file (this pipeline reads DMS Parquet output)",
            ".tmp" or ".temp" or ".inprogress" or ".part" or ".partial" or ".copying" => "a temporary file",
            "" => "not a Parquet file (no extension)",
            _ => $"not a Parquet file ({extension})",
        };
    }
}
