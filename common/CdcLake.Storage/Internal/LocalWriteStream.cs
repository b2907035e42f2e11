namespace CdcLake.Storage.Internal;

/// <summary>
/// Writes to a temporary file beside the target and renames it into place on completion, so readers
/// never see a partial file and a failed write leaves the target untouched.
/// </summary>
internal sealed class LocalWriteStream : ObjectWriteStream
{
    private readonly FileStream _file;
    private readonly string _tempPath;
    private readonly string _targetPath;
    private readonly bool _overwrite;
    private readonly Action<string?> _pruneEmptyFolders;

    private LocalWriteStream(FileStream file, string tempPath, string targetPath, bool overwrite, Action<string?> pruneEmptyFolders)
        : base(targetPath)
    {
        _file = file;
        _tempPath = tempPath;
        _targetPath = targetPath;
        _overwrite = overwrite;
        _pruneEmptyFolders = pruneEmptyFolders;
    }

    /// <param name="pruneEmptyFolders">Removes a folder and its parents while empty, up to (not including) the store's root.</param>
    public static LocalWriteStream Open(string targetPath, bool overwrite, Action<string?> pruneEmptyFolders)
    {
        if (Directory.Exists(targetPath))
        {
            throw new StorageException(StorageOperation.Write, targetPath, "a folder is in the way");
        }

        var temp = Path.Join(Path.GetDirectoryName(targetPath), $"{LocalObjectStore.TempPrefix}{Guid.NewGuid():N}");
        try
        {
            var file = LocalFiles.CreateParentAndRun(temp, () => new FileStream(
                temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024, FileOptions.Asynchronous));
            return new LocalWriteStream(file, temp, targetPath, overwrite, pruneEmptyFolders);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageOperation.Write, targetPath, e.Message, e);
        }
    }

    private protected override void WriteCore(ReadOnlySpan<byte> buffer)
    {
        try
        {
            _file.Write(buffer);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageOperation.Write, _targetPath, e.Message, e);
        }
    }

    private protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await _file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageOperation.Write, _targetPath, e.Message, e);
        }
    }

    private protected override async Task CompleteCoreAsync(CancellationToken cancellationToken)
    {
        var operation = _overwrite ? StorageOperation.Write : StorageOperation.Create;
        try
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            // On disk before the rename: after a crash the target is the old file or the whole new one, never a hole.
            _file.Flush(flushToDisk: true);
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new StorageException(operation, _targetPath, e.Message, e);
        }

        // The temporary file sits in the target's folder, so that folder cannot be pruned meanwhile.
        LocalFiles.Move(_tempPath, _targetPath, _overwrite, operation);
    }

    private protected override async Task AbortCoreAsync()
    {
        try
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // the data is being thrown away anyway
        }

        try
        {
            File.Delete(_tempPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        // Folders created for this write go too: on S3 an abandoned upload shows no folder either.
        _pruneEmptyFolders(Path.GetDirectoryName(_tempPath));
    }
}
