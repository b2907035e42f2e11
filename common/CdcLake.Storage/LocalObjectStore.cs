using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using CdcLake.Storage.Internal;

namespace CdcLake.Storage;

/// <summary>
/// A folder of the local file system as an <see cref="IObjectStore"/>.
/// </summary>
/// <remarks>
/// Guarantees, for writers on one machine and one file system:
/// <list type="bullet">
/// <item>Every write goes to a temporary file in the target's folder (named <c>.cdclake-tmp-…</c>,
/// hidden from listings) that is then renamed over the target, so readers see the old or the new
/// object, never part of one, and a failed write leaves only the old one.</item>
/// <item>Create-if-absent is atomic: the temporary file is hard-linked to the target
/// (<see cref="File.Move(string, string, bool)"/> without overwrite, i.e. <c>link(2)</c>), which fails if
/// the target exists. On file systems without hard links .NET falls back to copying with
/// <see cref="FileMode.CreateNew"/> (<c>O_EXCL</c>): still exclusive, but a reader may then see the
/// copy while it is being written.</item>
/// <item>Rename is atomic (<c>rename(2)</c>); without overwrite it is link-then-unlink, as above.</item>
/// <item>Reads, stats and listings see every completed write and delete at once.</item>
/// </list>
/// None of this holds across machines on a network file system. Folders are created on write and
/// removed when their last object is deleted, so folders exist exactly when objects are under them,
/// as on S3.
/// </remarks>
public sealed class LocalObjectStore : IObjectStore
{
    internal const string TempPrefix = ".cdclake-tmp-";

    private static readonly StoreCapabilities s_capabilities = new()
    {
        AtomicCreateIfAbsent = true,
        AtomicRename = true,
        ReadAfterWrite = true,
        AtomicWrites = true,
        Summary = "local file system: atomic create-if-absent (link) and rename on one machine; " +
                  "writes go to a temporary file renamed into place",
    };

    private readonly string _rootDirectory;
    private readonly int _rootPrefixLength; // of "<root>/" in full paths

    /// <param name="root">The folder; it need not exist yet (it is created on the first write).</param>
    public LocalObjectStore(StorePath root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!root.IsLocal)
        {
            throw new ArgumentException($"{root} is not a local path.", nameof(root));
        }

        Root = root;
        _rootDirectory = root.LocalPath;
        _rootPrefixLength = Path.EndsInDirectorySeparator(_rootDirectory) ? _rootDirectory.Length : _rootDirectory.Length + 1;
    }

    /// <param name="rootDirectory">The folder, absolute or relative to the current directory.</param>
    public LocalObjectStore(string rootDirectory)
        : this(StorePath.Local(rootDirectory))
    {
    }

    public StorePath Root { get; }

    public StoreCapabilities Capabilities => s_capabilities;

    public bool CanRename => true;

    public StorePath PathOf(string path) => Root.Join(path);

    public async IAsyncEnumerable<StoreEntry> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        prefix = RelativePath.ValidateFolder(prefix, nameof(prefix), allowEmpty: true);
        await Task.Yield(); // enumerate off the caller's stack, as a remote store would
        var entries = CollectFiles(prefix, recursive, cancellationToken);
        foreach (var entry in entries)
        {
            yield return entry;
        }
    }

    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        prefix = RelativePath.ValidateFolder(prefix, nameof(prefix), allowEmpty: true);
        await Task.Yield();
        var folder = FullPath(prefix);
        List<string> names;
        try
        {
            // A folder holding only in-progress temporary files is not shown: on S3 an unfinished
            // upload makes no folder appear either.
            names = [.. new FileSystemEnumerable<string>(folder, (ref FileSystemEntry e) => e.FileName.ToString(), EnumerationOptions(recursive: false))
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) => e.IsDirectory && HoldsObjects(e.ToFullPath()),
            }];
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageOperation.List, folder, e.Message, e);
        }

        names.Sort(Utf8Order.Instance);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return RelativePath.Combine(prefix, name);
        }
    }

    public Task<StoreEntry?> GetEntryAsync(string path, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        cancellationToken.ThrowIfCancellationRequested();
        var full = FullPath(path);
        try
        {
            var info = new FileInfo(full);
            return Task.FromResult(info.Exists
                ? new StoreEntry(path, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero))
                : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageOperation.GetEntry, full, e.Message, e);
        }
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        await GetEntryAsync(path, cancellationToken).ConfigureAwait(false) is not null;

    public Task<IRandomAccessReader> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IRandomAccessReader>(LocalRandomAccessReader.Open(FullPath(path)));
    }

    public async Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        var full = FullPath(path);
        try
        {
            return await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(StorageOperation.Read, full, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageOperation.Read, full, e.Message, e);
        }
    }

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenWriteAsync(path, overwrite, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteAsync(string path, Stream content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        await using var stream = await OpenWriteAsync(path, overwrite, cancellationToken).ConfigureAwait(false);
        await content.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task CreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        WriteAsync(path, content, overwrite: false, cancellationToken);

    public Task<ObjectWriteStream> OpenWriteAsync(string path, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<ObjectWriteStream>(LocalWriteStream.Open(FullPath(path), overwrite, PruneEmptyFolders));
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        cancellationToken.ThrowIfCancellationRequested();
        var full = FullPath(path);
        try
        {
            if (Directory.Exists(full))
            {
                return Task.CompletedTask; // a folder is not an object: as on S3, there is nothing to delete
            }

            File.Delete(full); // no error when missing
        }
        catch (DirectoryNotFoundException)
        {
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageOperation.Delete, full, e.Message, e);
        }

        PruneEmptyFolders(Path.GetDirectoryName(full));
        return Task.CompletedTask;
    }

    /// <remarks>
    /// Temporary files of writes in progress under the folder are deleted too (they may be leftovers of a
    /// crashed process); such a write then fails when it completes.
    /// </remarks>
    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        prefix = RelativePath.ValidateFolder(prefix, nameof(prefix), allowEmpty: false);
        var folder = FullPath(prefix);
        var count = 0;
        try
        {
            var files = new FileSystemEnumerable<string>(folder, (ref FileSystemEntry e) => e.ToFullPath(), EnumerationOptions(recursive: true))
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory,
            };
            foreach (var file in files.ToList())
            {
                cancellationToken.ThrowIfCancellationRequested();
                File.Delete(file);
                if (!IsTempName(Path.GetFileName(file.AsSpan())))
                {
                    count++;
                }
            }

            // Deepest first, and only while empty: an object written meanwhile keeps its folder, as on S3.
            var folders = Directory.GetDirectories(folder, "*", EnumerationOptions(recursive: true)).OrderByDescending(f => f.Length);
            foreach (var sub in folders.Append(folder))
            {
                try
                {
                    Directory.Delete(sub, recursive: false);
                }
                catch (IOException)
                {
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // nothing there, or removed concurrently
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageOperation.Delete, folder, e.Message, e);
        }

        PruneEmptyFolders(Path.GetDirectoryName(folder));
        return Task.FromResult(count);
    }

    public Task RenameAsync(string source, string destination, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        source = RelativePath.Validate(source, nameof(source), allowEmpty: false);
        destination = RelativePath.Validate(destination, nameof(destination), allowEmpty: false);
        cancellationToken.ThrowIfCancellationRequested();
        var from = FullPath(source);
        var to = FullPath(destination);
        if (!File.Exists(from))
        {
            throw new ObjectNotFoundException(StorageOperation.Rename, from);
        }

        LocalFiles.CreateParentAndRun(to, () => LocalFiles.Move(from, to, overwrite, StorageOperation.Rename));
        PruneEmptyFolders(Path.GetDirectoryName(from));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
    }

    public override string ToString() => $"LocalObjectStore({Root})";

    internal static bool IsTempName(ReadOnlySpan<char> fileName) => fileName.StartsWith(TempPrefix, StringComparison.Ordinal);

    private List<StoreEntry> CollectFiles(string prefix, bool recursive, CancellationToken cancellationToken)
    {
        var folder = FullPath(prefix);
        var rootPrefixLength = _rootPrefixLength;
        var list = new List<StoreEntry>();
        try
        {
            var enumerable = new FileSystemEnumerable<StoreEntry>(
                folder,
                (ref FileSystemEntry e) =>
                {
                    var full = e.ToFullPath();
                    var relative = full[rootPrefixLength..];
                    if (Path.DirectorySeparatorChar != '/')
                    {
                        relative = relative.Replace(Path.DirectorySeparatorChar, '/');
                    }

                    return new StoreEntry(relative, e.Length, e.LastWriteTimeUtc);
                },
                EnumerationOptions(recursive))
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && !IsTempName(e.FileName),
            };
            foreach (var entry in enumerable)
            {
                cancellationToken.ThrowIfCancellationRequested();
                list.Add(entry);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // a folder that does not exist holds nothing, as on S3
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageOperation.List, folder, e.Message, e);
        }

        list.Sort((a, b) => Utf8Order.Instance.Compare(a.Path, b.Path));
        return list;
    }

    private static bool HoldsObjects(string folder)
    {
        var files = new FileSystemEnumerable<bool>(folder, (ref FileSystemEntry _) => true, EnumerationOptions(recursive: true))
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && !IsTempName(e.FileName),
        };
        try
        {
            return files.Any();
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    // Dot-files must be listed (.hoodie): on Unix .NET reports them as Hidden, which is skipped by default.
    private static EnumerationOptions EnumerationOptions(bool recursive) => new()
    {
        RecurseSubdirectories = recursive,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    private string FullPath(string relative) =>
        relative.Length == 0
            ? _rootDirectory
            : Path.Join(_rootDirectory, Path.DirectorySeparatorChar == '/' ? relative : relative.Replace('/', Path.DirectorySeparatorChar));

    // S3 has no empty folders; removing them keeps ListFoldersAsync the same on both stores. rmdir
    // fails on a non-empty folder, so a concurrent writer's folder survives (and writers retry when
    // their fresh folder is removed under them, see LocalFiles.CreateParentAndRun).
    private void PruneEmptyFolders(string? folder)
    {
        while (folder is not null && folder.Length > _rootDirectory.Length && folder.StartsWith(_rootDirectory, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(folder, recursive: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // not empty, or gone already
            }

            folder = Path.GetDirectoryName(folder);
        }
    }
}
