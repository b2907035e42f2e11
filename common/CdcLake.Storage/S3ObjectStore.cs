using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon.S3;
using Amazon.S3.Model;
using CdcLake.Storage.Internal;

namespace CdcLake.Storage;

/// <summary>
/// A bucket and key prefix of Amazon S3 (or an S3-compatible server) as an <see cref="IObjectStore"/>.
/// </summary>
/// <remarks>
/// Guarantees on Amazon S3:
/// <list type="bullet">
/// <item>Strong read-after-write consistency: once a PUT, a completed multipart upload or a DELETE
/// returns, every GET, HEAD and LIST from any client sees it.</item>
/// <item>Objects appear whole: a PUT or multipart upload that fails or is abandoned publishes nothing
/// (abandoned multipart parts are aborted; keep a lifecycle rule <c>AbortIncompleteMultipartUpload</c>
/// for uploads whose process died before it could abort).</item>
/// <item>Create-if-absent is atomic: PUT and CompleteMultipartUpload carry <c>If-None-Match: *</c>, which
/// Amazon S3 answers with 412 when the key exists (an <see cref="ObjectExistsException"/>), so of concurrent
/// creators exactly one wins. S3-compatible servers may ignore the header; see
/// <see cref="S3StoreOptions.ConditionalWritesSupported"/>.</item>
/// <item>No rename: copy-then-delete would not be atomic, so <see cref="RenameAsync"/> throws
/// <see cref="NotSupportedException"/>. Write to the final key instead.</item>
/// </list>
/// Listings come in UTF-8 byte order of the keys on Amazon S3; S3-compatible servers may differ.
/// Keys ending in <c>/</c> (folder markers made by consoles) are not listed as objects.
/// </remarks>
public sealed class S3ObjectStore : IObjectStore
{
    private const int DeleteBatchSize = 1000; // DeleteObjects' limit
    private const int ConflictRetries = 3;

    private readonly bool _ownsClient;
    private readonly string _keyPrefix; // "" or "prefix/"

    /// <param name="client">The SDK client; disposed with the store only if <paramref name="ownsClient"/>.</param>
    /// <param name="root">An S3 location: <c>s3://bucket</c> or <c>s3://bucket/prefix</c>.</param>
    public S3ObjectStore(IAmazonS3 client, StorePath root, S3StoreOptions? options = null, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(root);
        if (!root.IsS3)
        {
            throw new ArgumentException($"{root} is not an S3 location.", nameof(root));
        }

        Options = options ?? new S3StoreOptions();
        Options.Validate();
        Client = client;
        Root = root;
        Bucket = root.Bucket;
        _keyPrefix = root.Key.Length == 0 ? "" : root.Key + "/";
        _ownsClient = ownsClient;
        Capabilities = new StoreCapabilities
        {
            AtomicCreateIfAbsent = Options.ConditionalWritesSupported,
            AtomicRename = false,
            ReadAfterWrite = true,
            AtomicWrites = true,
            Summary = Options.ConditionalWritesSupported
                ? "S3: strong read-after-write; atomic create-if-absent (If-None-Match); objects appear whole; no rename"
                : "S3-compatible server without conditional writes: create-if-absent is check-then-write and does " +
                  "not exclude concurrent writers; objects appear whole; no rename",
        };
    }

    public StorePath Root { get; }

    public StoreCapabilities Capabilities { get; }

    public bool CanRename => false;

    internal IAmazonS3 Client { get; }

    internal string Bucket { get; }

    internal S3StoreOptions Options { get; }

    public StorePath PathOf(string path) => Root.Join(path);

    public async IAsyncEnumerable<StoreEntry> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        prefix = RelativePath.ValidateFolder(prefix, nameof(prefix), allowEmpty: true);
        var request = ListRequest(prefix, delimited: !recursive);
        while (true)
        {
            var page = await ListPageAsync(request, prefix, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                if (!item.Key.EndsWith('/'))
                {
                    yield return new StoreEntry(item.Key[_keyPrefix.Length..], item.Size ?? 0, ToUtc(item.LastModified), item.ETag);
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        prefix = RelativePath.ValidateFolder(prefix, nameof(prefix), allowEmpty: true);
        var request = ListRequest(prefix, delimited: true);
        while (true)
        {
            var page = await ListPageAsync(request, prefix, cancellationToken).ConfigureAwait(false);
            foreach (var common in page.CommonPrefixes ?? [])
            {
                yield return common[_keyPrefix.Length..^1];
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task<StoreEntry?> GetEntryAsync(string path, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        return await HeadAsync(path, StorageOperation.GetEntry, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        await GetEntryAsync(path, cancellationToken).ConfigureAwait(false) is not null;

    public async Task<IRandomAccessReader> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        var entry = await HeadAsync(path, StorageOperation.Read, cancellationToken).ConfigureAwait(false)
            ?? throw new ObjectNotFoundException(StorageOperation.Read, LocationOf(path));
        return new S3RandomAccessReader(Client, Bucket, KeyOf(path), LocationOf(path), entry.Size, entry.ETag);
    }

    public async Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        var location = LocationOf(path);
        try
        {
            using var response = await Client.GetObjectAsync(Bucket, KeyOf(path), cancellationToken).ConfigureAwait(false);
            if (response.ContentLength > Array.MaxLength)
            {
                throw new StorageException(StorageOperation.Read, location, $"the object has {response.ContentLength} bytes, more than one array holds; use OpenReadAsync");
            }

            var bytes = new byte[response.ContentLength];
            await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            return bytes;
        }
        catch (EndOfStreamException e)
        {
            throw new StorageException(StorageOperation.Read, location, "the body ended before its Content-Length", e);
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, StorageOperation.Read, location);
        }
    }

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        if (content.Length <= Options.PartSize)
        {
            await PutObjectAsync(KeyOf(path), content, createOnly: !overwrite, cancellationToken).ConfigureAwait(false);
            return;
        }

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
        return Task.FromResult<ObjectWriteStream>(new S3WriteStream(this, KeyOf(path), LocationOf(path), overwrite));
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        path = RelativePath.Validate(path, nameof(path), allowEmpty: false);
        try
        {
            await Client.DeleteObjectAsync(Bucket, KeyOf(path), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, StorageOperation.Delete, LocationOf(path));
        }
    }

    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        prefix = RelativePath.ValidateFolder(prefix, nameof(prefix), allowEmpty: false);
        var location = LocationOf(prefix) + "/";
        var request = ListRequest(prefix, delimited: false);
        var count = 0;
        while (true)
        {
            var page = await ListPageAsync(request, prefix, cancellationToken).ConfigureAwait(false);
            var keys = (page.S3Objects ?? []).Select(o => o.Key).ToList();
            for (var start = 0; start < keys.Count; start += DeleteBatchSize)
            {
                var batch = keys.GetRange(start, Math.Min(DeleteBatchSize, keys.Count - start));
                await DeleteBatchAsync(batch, location, cancellationToken).ConfigureAwait(false);
            }

            count += keys.Count(k => !k.EndsWith('/'));
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                return count;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public Task RenameAsync(string source, string destination, bool overwrite = false, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException(
            $"{Root}: S3 has no rename, and copy-then-delete is not atomic, so this store does not offer it " +
            "(check CanRename). Write the object under its final key instead; CreateAsync gives create-if-absent.");

    public void Dispose()
    {
        if (_ownsClient)
        {
            Client.Dispose();
        }
    }

    public override string ToString() => $"S3ObjectStore({Root})";

    internal string KeyOf(string path) => _keyPrefix + path;

    internal string LocationOf(string path) => $"s3://{Bucket}/{KeyOf(path)}";

    /// <summary>One PUT; <paramref name="createOnly"/> makes it create-if-absent.</summary>
    internal async Task PutObjectAsync(string key, ReadOnlyMemory<byte> content, bool createOnly, CancellationToken cancellationToken)
    {
        var operation = createOnly ? StorageOperation.Create : StorageOperation.Write;
        var location = $"s3://{Bucket}/{key}";
        await ThrowIfExistsWithoutConditionalWritesAsync(key, createOnly, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var request = new PutObjectRequest
            {
                BucketName = Bucket,
                Key = key,
                InputStream = AsStream(content),
                UseChunkEncoding = Options.UseChunkEncoding,
                IfNoneMatch = createOnly ? "*" : null,
            };
            try
            {
                await Client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (createOnly && S3Errors.IsConditionalConflict(e) && attempt <= ConflictRetries)
            {
                await Task.Delay(100 * attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (S3Errors.IsStoreError(e))
            {
                throw S3Errors.Map(e, operation, location);
            }
        }
    }

    /// <summary>
    /// For servers that ignore If-None-Match: refuse a create when the key is already there. This stops a
    /// second create, not a concurrent one (the object can appear between this HEAD and the PUT).
    /// </summary>
    internal async Task ThrowIfExistsWithoutConditionalWritesAsync(string key, bool createOnly, CancellationToken cancellationToken)
    {
        if (!createOnly || Options.ConditionalWritesSupported)
        {
            return;
        }

        var location = $"s3://{Bucket}/{key}";
        try
        {
            await Client.GetObjectMetadataAsync(Bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.IsNotFound(e))
        {
            return;
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, StorageOperation.Create, location);
        }

        throw new ObjectExistsException(StorageOperation.Create, location);
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    // The SDK reports times in UTC or local time depending on version and field; normalize to UTC.
    private static DateTimeOffset ToUtc(DateTime? time) => time switch
    {
        null => DateTimeOffset.MinValue,
        { Kind: DateTimeKind.Unspecified } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        { } t => new DateTimeOffset(t.ToUniversalTime()),
    };

    private ListObjectsV2Request ListRequest(string prefix, bool delimited)
    {
        var keyPrefix = prefix.Length == 0 ? _keyPrefix : _keyPrefix + prefix + "/";
        return new ListObjectsV2Request
        {
            BucketName = Bucket,
            Prefix = keyPrefix.Length == 0 ? null : keyPrefix,
            Delimiter = delimited ? "/" : null,
        };
    }

    private async Task<ListObjectsV2Response> ListPageAsync(ListObjectsV2Request request, string prefix, CancellationToken cancellationToken)
    {
        try
        {
            return await Client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            // A missing bucket is a configuration error, not an empty folder.
            throw new StorageException(StorageOperation.List, prefix.Length == 0 ? Root.ToString() : LocationOf(prefix) + "/",
                e is AmazonS3Exception s3 ? $"S3 answered {(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}" : e.Message, e);
        }
    }

    private async Task<StoreEntry?> HeadAsync(string path, StorageOperation operation, CancellationToken cancellationToken)
    {
        try
        {
            var head = await Client.GetObjectMetadataAsync(Bucket, KeyOf(path), cancellationToken).ConfigureAwait(false);
            return new StoreEntry(path, head.ContentLength, ToUtc(head.LastModified), head.ETag);
        }
        catch (Exception e) when (S3Errors.IsNotFound(e))
        {
            return null;
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, operation, LocationOf(path));
        }
    }

    private async Task DeleteBatchAsync(List<string> keys, string location, CancellationToken cancellationToken)
    {
        DeleteObjectsResponse response;
        try
        {
            response = await Client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = Bucket,
                Objects = keys.Select(k => new KeyVersion { Key = k }).ToList(),
                Quiet = true,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, StorageOperation.Delete, location);
        }

        if (response.DeleteErrors is { Count: > 0 } errors)
        {
            var first = errors[0];
            throw new StorageException(StorageOperation.Delete, location,
                $"{errors.Count} of {keys.Count} objects were not deleted; first: s3://{Bucket}/{first.Key}: {first.Code} {first.Message}");
        }
    }
}
