namespace CdcLake.Cdc;

/// <summary>
/// What <see cref="CdcCheckpoint.SelectNew"/> found in a listing: the files not merged yet, in the order to merge
/// them, and whether DMS reloaded the table.
/// </summary>
public sealed class FileSelection
{
    internal FileSelection(
        IReadOnlyList<DmsFile> loadFiles,
        IReadOnlyList<DmsFile> cdcFiles,
        bool fullReload,
        string? reloadReason,
        IReadOnlyList<DmsFile> staleLoadFiles,
        IReadOnlyList<DmsFile> cdcBeforeReload,
        IReadOnlyList<FileIdentity> listedLoadFiles)
    {
        LoadFiles = loadFiles;
        CdcFiles = cdcFiles;
        FullReload = fullReload;
        ReloadReason = reloadReason;
        StaleLoadFiles = staleLoadFiles;
        CdcBeforeReload = cdcBeforeReload;
        ListedLoadFiles = listedLoadFiles;
    }

    /// <summary>
    /// LOAD files to merge, in load order. With <see cref="FullReload"/> they are the new full load, which replaces
    /// the table's contents (an insert-overwrite); otherwise more files of the current full load.
    /// </summary>
    public IReadOnlyList<DmsFile> LoadFiles { get; }

    /// <summary>CDC files to merge after the LOAD files, in time order (late files inside the window included).</summary>
    public IReadOnlyList<DmsFile> CdcFiles { get; }

    /// <summary>LOAD files were rewritten, or appeared after CDC was merged: DMS reloaded the table.</summary>
    public bool FullReload { get; }

    /// <summary>Why <see cref="FullReload"/> is set, naming a file.</summary>
    public string? ReloadReason { get; }

    /// <summary>LOAD files left over from an earlier full load (a reload did not rewrite them): never merged.</summary>
    public IReadOnlyList<DmsFile> StaleLoadFiles { get; }

    /// <summary>
    /// With <see cref="FullReload"/>: CDC files not merged yet but written before the reload's first LOAD file
    /// (by file time against the LOAD files' modification times). The reloaded rows already reflect them, and
    /// applying them after the reload would put old values back, so the job records them as handled without
    /// merging them. A heuristic: see CHECKPOINT.md.
    /// </summary>
    public IReadOnlyList<DmsFile> CdcBeforeReload { get; }

    /// <summary>Every LOAD file of the listing: the checkpoint prunes leftovers that are gone.</summary>
    internal IReadOnlyList<FileIdentity> ListedLoadFiles { get; }

    /// <summary>LOAD files, then CDC files.</summary>
    public IEnumerable<DmsFile> All => LoadFiles.Concat(CdcFiles);

    public bool IsEmpty => LoadFiles.Count == 0 && CdcFiles.Count == 0 && CdcBeforeReload.Count == 0;
}

/// <summary>How much the checkpoint remembers.</summary>
public sealed record CheckpointOptions
{
    public static CheckpointOptions Default { get; } = new();

    /// <summary>
    /// CDC files whose time is within this window before the newest merged CDC file are remembered one by one, so
    /// a file that lands late (its name earlier than files already merged) is still merged. Older ones are
    /// assumed merged. Default 60 minutes (a table's <see cref="TableSpec.LateFileWindow"/>).
    /// </summary>
    public TimeSpan LateFileWindow { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// At most this many CDC files are remembered (about 40 bytes each); beyond it the window shrinks for that
    /// commit. Default 1000, so the checkpoint stays under about 50 KB however busy the table is.
    /// </summary>
    public int MaxRecentFiles { get; init; } = 1000;
}
