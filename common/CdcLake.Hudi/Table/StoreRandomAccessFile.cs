using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>
/// A Parquet <see cref="IRandomAccessFile"/> over an object of an <see cref="IObjectStore"/>, so the Parquet
/// reader reads local files and S3 objects alike (footer first, then column chunks, as ranged reads).
/// It lives here rather than in either library so that CdcLake.Parquet and CdcLake.Storage stay independent.
/// </summary>
public sealed class StoreRandomAccessFile : IRandomAccessFile
{
    private readonly IRandomAccessReader _reader;

    /// <summary>Wraps <paramref name="reader"/>, which this file then owns (disposing the file disposes it).</summary>
    public StoreRandomAccessFile(IRandomAccessReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
    }

    /// <summary>The object's full address (<c>s3://bucket/key</c> or a local path), as errors name it.</summary>
    public string Name => _reader.Location;

    public long Length => _reader.Length;

    /// <summary>Opens <paramref name="path"/> (relative to the store's root) for positioned reads.</summary>
    /// <exception cref="ObjectNotFoundException">The object does not exist.</exception>
    public static async Task<StoreRandomAccessFile> OpenAsync(IObjectStore store, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new StoreRandomAccessFile(await store.OpenReadAsync(path, cancellationToken).ConfigureAwait(false));
    }

    // The Parquet reader is synchronous by design (it decodes column chunks on worker threads); on S3 this
    // blocks one thread per ranged GET, which is bounded by the reader's degree of parallelism.
    public void ReadExactly(long offset, Span<byte> buffer) => _reader.ReadExactly(offset, buffer);

    public void Dispose() => _reader.Dispose();
}
