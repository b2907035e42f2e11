using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace CdcLake.Storage.Internal;

/// <summary>
/// Ranged GETs of one object. Each read is its own request, so reads may run concurrently. Every read
/// asks for the ETag seen at open (If-Match), so an object replaced meanwhile fails loudly instead of
/// mixing bytes of two versions (servers that ignore If-Match, like s3rver, cannot catch that).
/// </summary>
internal sealed class S3RandomAccessReader : IRandomAccessReader
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _key;
    private readonly string? _etag;

    public S3RandomAccessReader(IAmazonS3 client, string bucket, string key, string location, long length, string? etag)
    {
        _client = client;
        _bucket = bucket;
        _key = key;
        _etag = etag;
        Location = location;
        Length = length;
    }

    public string Location { get; }

    public long Length { get; }

    public void ReadExactly(long offset, Span<byte> buffer)
    {
        CheckRange(offset, buffer.Length);
        if (buffer.IsEmpty)
        {
            return;
        }

        var count = buffer.Length;
        using var response = Sync.Run(() => GetRangeAsync(offset, count, CancellationToken.None));
        try
        {
            var stream = response.ResponseStream;
            var filled = 0;
            while (filled < count)
            {
                var read = stream.Read(buffer[filled..]);
                if (read == 0)
                {
                    throw ShortRead(offset, filled, count);
                }

                filled += read;
            }
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, StorageOperation.Read, Location);
        }
    }

    public async ValueTask ReadExactlyAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckRange(offset, buffer.Length);
        if (buffer.IsEmpty)
        {
            return;
        }

        using var response = await GetRangeAsync(offset, buffer.Length, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = response.ResponseStream;
            var filled = 0;
            while (filled < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw ShortRead(offset, filled, buffer.Length);
                }

                filled += read;
            }
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, StorageOperation.Read, Location);
        }
    }

    public void Dispose()
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<GetObjectResponse> GetRangeAsync(long offset, int count, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest
        {
            BucketName = _bucket,
            Key = _key,
            ByteRange = new ByteRange(offset, offset + count - 1),
            EtagToMatch = _etag,
        };
        try
        {
            return await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new StorageException(StorageOperation.Read, Location, "the object was replaced after it was opened (its ETag changed)", e);
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, StorageOperation.Read, Location);
        }
    }

    private void CheckRange(long offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset > Length - count)
        {
            throw new EndOfStreamException(
                $"{Location}: a read of {count} byte(s) at offset {offset} goes past the end of the {Length}-byte object.");
        }
    }

    private StorageException ShortRead(long offset, int got, int wanted) =>
        new(StorageOperation.Read, Location, $"the range at offset {offset} returned {got} of {wanted} bytes; the object changed after it was opened");
}
