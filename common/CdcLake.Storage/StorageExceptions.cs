namespace CdcLake.Storage;

/// <summary>The store operation that failed, named in every <see cref="StorageException"/>.</summary>
public enum StorageOperation
{
    List,
    GetEntry,
    Read,
    Write,
    Create,
    Delete,
    Rename,
}

/// <summary>
/// A store operation failed. <see cref="Location"/> is the full address (<c>s3://bucket/key</c> or a local
/// path) and <see cref="Operation"/> what was being done, so one line is enough to report it. The
/// store's own exception (an <c>AmazonS3Exception</c>, an <see cref="IOException"/>) is the inner exception.
/// </summary>
public class StorageException : IOException
{
    public StorageException(StorageOperation operation, string location, string reason, Exception? inner = null)
        : base($"{Verb(operation)} {location}: {reason}", inner)
    {
        Operation = operation;
        Location = location;
        Reason = reason;
    }

    public StorageOperation Operation { get; }

    /// <summary>The full address of the object or folder: <c>s3://bucket/key</c> or a local path.</summary>
    public string Location { get; }

    /// <summary>What went wrong, without the operation and location.</summary>
    public string Reason { get; }

    private static string Verb(StorageOperation operation) => operation switch
    {
        StorageOperation.List => "cannot list",
        StorageOperation.GetEntry => "cannot stat",
        StorageOperation.Read => "cannot read",
        StorageOperation.Write => "cannot write",
        StorageOperation.Create => "cannot create",
        StorageOperation.Delete => "cannot delete",
        StorageOperation.Rename => "cannot rename",
        _ => operation.ToString(),
    };
}

/// <summary>The object (or a rename's source) does not exist.</summary>
public sealed class ObjectNotFoundException(StorageOperation operation, string location, Exception? inner = null)
    : StorageException(operation, location, "no such object", inner);

/// <summary>A create-if-absent (or a rename/write without overwrite) found the target already there.</summary>
public sealed class ObjectExistsException(StorageOperation operation, string location, Exception? inner = null)
    : StorageException(operation, location, "the object already exists", inner);
