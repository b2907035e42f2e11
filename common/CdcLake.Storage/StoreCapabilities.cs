namespace CdcLake.Storage;

/// <summary>
/// What a store guarantees, so that the table layer can decide whether it may rely on the store alone
/// (e.g. to commit a Hudi instant with create-if-absent) or needs an external lock.
/// </summary>
public sealed record StoreCapabilities
{
    /// <summary>
    /// <see cref="IObjectStore.CreateAsync"/> (and writes with <c>overwrite: false</c>) fail with
    /// <see cref="ObjectExistsException"/> when the object exists, and of concurrent creators exactly
    /// one wins. When false, the check is best effort (check, then write) and does not exclude
    /// concurrent writers.
    /// </summary>
    public required bool AtomicCreateIfAbsent { get; init; }

    /// <summary><see cref="IObjectStore.RenameAsync"/> is supported and atomic.</summary>
    public required bool AtomicRename { get; init; }

    /// <summary>
    /// Once a write returns, every later read, stat and listing (from any client) sees the new
    /// content; once a delete returns, none sees the object.
    /// </summary>
    public required bool ReadAfterWrite { get; init; }

    /// <summary>
    /// An object becomes visible whole or not at all: readers never see a partly written object,
    /// and a write that fails or is abandoned leaves nothing behind at the target path.
    /// </summary>
    public required bool AtomicWrites { get; init; }

    /// <summary>One line for logs: the guarantees and their limits.</summary>
    public required string Summary { get; init; }
}
