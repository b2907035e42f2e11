namespace CdcLake.Storage;

/// <summary>
/// What the table and the job need from storage, over a folder of a local file system or an S3 bucket
/// and prefix (<see cref="Root"/>). Get one from <see cref="ObjectStores.For(string, S3StoreOptions?)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Paths are relative to <see cref="Root"/> and <c>/</c>-separated on every platform
/// (<c>.hoodie/20240101.commit</c>, <c>dt=2024-01-01/part-0.parquet</c>); a leading <c>/</c>, empty
/// segments, <c>.</c>, <c>..</c> and <c>\</c> are refused with <see cref="ArgumentException"/>. Folder
/// arguments (<paramref name="prefix"/>) name a folder, not a string prefix: <c>dt=2024</c> lists
/// <c>dt=2024/…</c>, never <c>dt=2024-01/…</c>. A folder exists exactly when some object is under it;
/// listing a folder that does not exist yields nothing.
/// </para>
/// <para>
/// Failures are <see cref="StorageException"/>s naming the operation and the full location; a missing
/// object is an <see cref="ObjectNotFoundException"/>, an existing one in the way of a create an
/// <see cref="ObjectExistsException"/>. Cancellation surfaces as <see cref="OperationCanceledException"/>.
/// What each store guarantees is in <see cref="Capabilities"/> and on <see cref="LocalObjectStore"/> and
/// <see cref="S3ObjectStore"/>. All members are safe to call concurrently.
/// </para>
/// </remarks>
public interface IObjectStore : IDisposable
{
    /// <summary>The folder (local) or bucket and prefix (S3) that paths are relative to.</summary>
    StorePath Root { get; }

    /// <summary>What this store guarantees about creates, renames and visibility.</summary>
    StoreCapabilities Capabilities { get; }

    /// <summary>Whether <see cref="RenameAsync"/> is supported (local: yes; S3: no).</summary>
    bool CanRename { get; }

    /// <summary>The full address of <paramref name="path"/>, as used in messages.</summary>
    StorePath PathOf(string path);

    /// <summary>
    /// The objects under folder <paramref name="prefix"/> (empty: the root): all of them when
    /// <paramref name="recursive"/>, else only those directly in it. Folders themselves are not entries
    /// (see <see cref="ListFoldersAsync"/>). Amazon S3 and the local store return entries in UTF-8 byte
    /// order of their paths.
    /// </summary>
    IAsyncEnumerable<StoreEntry> ListAsync(string prefix, bool recursive, CancellationToken cancellationToken = default);

    /// <summary>The folders directly in folder <paramref name="prefix"/>, as paths relative to the root (e.g. partitions).</summary>
    IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Size, time and tag of one object; <see langword="null"/> when it does not exist.</summary>
    Task<StoreEntry?> GetEntryAsync(string path, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens an object for positioned reads (S3: ranged GETs; local: positioned file reads).
    /// Throws <see cref="ObjectNotFoundException"/> when it does not exist.
    /// </summary>
    Task<IRandomAccessReader> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>The whole object (at most <see cref="Array.MaxLength"/> bytes).</summary>
    Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the object whole. With <paramref name="overwrite"/> false this is
    /// <see cref="CreateAsync"/>: it throws <see cref="ObjectExistsException"/> when the object exists.
    /// </summary>
    Task WriteAsync(string path, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="content"/> (read to its end) as the object, streaming it
    /// (see <see cref="OpenWriteAsync"/>); nothing appears at <paramref name="path"/> unless all of it was written.
    /// </summary>
    Task WriteAsync(string path, Stream content, bool overwrite = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the object only if it does not exist yet, else throws <see cref="ObjectExistsException"/>.
    /// Whether concurrent creators are excluded is <see cref="StoreCapabilities.AtomicCreateIfAbsent"/>.
    /// </summary>
    Task CreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>
    /// A stream that uploads an object of any size with bounded memory (S3: multipart upload; local:
    /// a temporary file beside the target). The object appears only when
    /// <see cref="ObjectWriteStream.CompleteAsync"/> returns; disposing the stream without completing it
    /// (an exception in the writing code, say) abandons the upload and leaves nothing behind.
    /// With <paramref name="overwrite"/> false, completing throws <see cref="ObjectExistsException"/>
    /// when the object exists by then.
    /// </summary>
    Task<ObjectWriteStream> OpenWriteAsync(string path, bool overwrite = true, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object; deleting one that does not exist is not an error.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes every object under folder <paramref name="prefix"/> (not the root itself: an empty prefix
    /// is refused) and returns how many there were. Not atomic: a failure can leave some deleted.
    /// </summary>
    Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves an object (atomically where <see cref="StoreCapabilities.AtomicRename"/>). Throws
    /// <see cref="ObjectNotFoundException"/> when <paramref name="source"/> is missing,
    /// <see cref="ObjectExistsException"/> when <paramref name="destination"/> exists and
    /// <paramref name="overwrite"/> is false, and <see cref="NotSupportedException"/> where
    /// <see cref="CanRename"/> is false.
    /// </summary>
    Task RenameAsync(string source, string destination, bool overwrite = false, CancellationToken cancellationToken = default);
}
