namespace CdcLake.Storage;

/// <summary>
/// Positioned reads of one object, the shape a Parquet reader needs (length, then the footer, then column
/// chunks). Reads may run concurrently from several threads. The synchronous
/// <see cref="ReadExactly"/> suits readers that are synchronous by design; on S3 it blocks a thread for
/// the duration of the request, so prefer <see cref="ReadExactlyAsync"/> where the caller can await.
/// </summary>
public interface IRandomAccessReader : IDisposable, IAsyncDisposable
{
    /// <summary>The full address of the object, for messages.</summary>
    string Location { get; }

    /// <summary>The object's length when it was opened.</summary>
    long Length { get; }

    /// <summary>
    /// Fills <paramref name="buffer"/> from <paramref name="offset"/>. Throws
    /// <see cref="EndOfStreamException"/> when the range goes past <see cref="Length"/>, and a
    /// <see cref="StorageException"/> when the object changed or vanished since it was opened (S3).
    /// </summary>
    void ReadExactly(long offset, Span<byte> buffer);

    /// <inheritdoc cref="ReadExactly"/>
    ValueTask ReadExactlyAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);
}
