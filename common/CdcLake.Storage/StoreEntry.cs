namespace CdcLake.Storage;

/// <summary>
/// One object (file) found by <see cref="IObjectStore.ListAsync"/> or <see cref="IObjectStore.GetEntryAsync"/>.
/// </summary>
/// <param name="Path">Relative to the store's root, <c>/</c>-separated, e.g. <c>dt=2024-01-01/part-0.parquet</c>.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="LastModified">UTC. S3 keeps whole seconds; the local file system finer.</param>
/// <param name="ETag">S3's entity tag (quoted, as S3 returns it); <see langword="null"/> on the local file system.</param>
public sealed record StoreEntry(string Path, long Size, DateTimeOffset LastModified, string? ETag = null)
{
    /// <summary>The last segment of <see cref="Path"/>.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];
}
