using CdcLake.Storage;

namespace CdcLake.Testing;

/// <summary>
/// The stand-ins of a lake on S3 locked in DynamoDB: one s3rver (buckets <c>dms</c> and <c>lake</c>) and one dynalite.
/// Test fixtures derive from it and say how they reach the buckets (<see cref="Open"/>).
/// </summary>
public abstract class S3Lake : IDisposable
{
    protected S3Lake()
    {
        S3 = new S3Server("dms", "lake");
        try
        {
            DynamoDb = new DynamoDbServer();
        }
        catch
        {
            S3.Dispose();
            throw;
        }
    }

    public S3Server S3 { get; }

    public DynamoDbServer DynamoDb { get; }

    /// <summary>The store rooted at <paramref name="location"/> (an <c>s3://</c> path), as the fixture's code under test reaches it.</summary>
    public abstract IObjectStore Open(string location);

    /// <summary>Copies every file under <paramref name="folder"/> to <paramref name="s3Prefix"/>, keeping relative paths.</summary>
    public async Task UploadAsync(string folder, string s3Prefix)
    {
        using var store = Open(s3Prefix);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            await store.WriteAsync(Path.GetRelativePath(folder, file).Replace('\\', '/'), await File.ReadAllBytesAsync(file)).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            DynamoDb.Dispose();
            S3.Dispose();
        }
    }
}
