using Amazon.S3.Model;

namespace CdcLake.Storage.Internal;

/// <summary>
/// Streams an object to S3 with bounded memory. Data fills one part buffer at a time; a full buffer is
/// uploaded in the background as a multipart part while the next fills, with at most
/// <see cref="S3StoreOptions.MaxConcurrentPartUploads"/> parts in flight. An object that never fills
/// one part is sent as a single PUT on completion (one request, and create-if-absent via If-None-Match).
/// Abandoning the stream aborts the multipart upload, so nothing appears at the key.
/// </summary>
internal sealed class S3WriteStream : ObjectWriteStream
{
    private const int MaxParts = 10_000; // S3's limit

    private readonly S3ObjectStore _store;
    private readonly string _key;
    private readonly bool _overwrite;
    private readonly int _partSize;
    private readonly int _maxInFlight;
    private readonly CancellationTokenSource _abandon = new();
    private readonly Queue<(Task<UploadPartResponse> Upload, byte[] Buffer)> _inFlight = new();
    private readonly List<UploadPartResponse> _uploaded = [];
    private readonly Stack<byte[]> _freeBuffers = new();
    private byte[]? _current;
    private int _filled;
    private int _nextPartNumber = 1;
    private string? _uploadId;

    public S3WriteStream(S3ObjectStore store, string key, string location, bool overwrite)
        : base(location)
    {
        _store = store;
        _key = key;
        _overwrite = overwrite;
        _partSize = store.Options.PartSize;
        _maxInFlight = store.Options.MaxConcurrentPartUploads;
    }

    private StorageOperation Operation => _overwrite ? StorageOperation.Write : StorageOperation.Create;

    private protected override void WriteCore(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer);
            buffer = buffer[taken..];
            if (_filled == _partSize)
            {
                Sync.Run(() => SendCurrentPartAsync(CancellationToken.None));
            }
        }
    }

    private protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer.Span);
            buffer = buffer[taken..];
            if (_filled == _partSize)
            {
                await SendCurrentPartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private protected override async Task CompleteCoreAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            await _store.PutObjectAsync(_key, _current.AsMemory(0, _filled), createOnly: !_overwrite, cancellationToken).ConfigureAwait(false);
            ReleaseBuffers();
            return;
        }

        if (_filled > 0)
        {
            await SendCurrentPartAsync(cancellationToken).ConfigureAwait(false);
        }

        while (_inFlight.Count > 0)
        {
            await CollectOldestAsync().ConfigureAwait(false);
        }

        ReleaseBuffers();
        await _store.ThrowIfExistsWithoutConditionalWritesAsync(_key, createOnly: !_overwrite, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var request = new CompleteMultipartUploadRequest
            {
                BucketName = _store.Bucket,
                Key = _key,
                UploadId = _uploadId,
                IfNoneMatch = _overwrite ? null : "*",
            };
            // ETags only, as the SDK's TransferUtility does: the upload was created without a checksum algorithm.
            request.AddPartETags(_uploaded.OrderBy(p => p.PartNumber));
            try
            {
                await _store.Client.CompleteMultipartUploadAsync(request, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!_overwrite && S3Errors.IsConditionalConflict(e) && attempt <= 3)
            {
                await Task.Delay(100 * attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (S3Errors.IsStoreError(e))
            {
                throw S3Errors.Map(e, Operation, Location);
            }
        }
    }

    private protected override async Task AbortCoreAsync()
    {
        await _abandon.CancelAsync().ConfigureAwait(false);
        // Parts still uploading must finish (or fail) first: S3 may keep a part that lands after the abort.
        while (_inFlight.Count > 0)
        {
            var (upload, _) = _inFlight.Dequeue();
            try
            {
                await upload.ConfigureAwait(false);
            }
            catch (Exception e) when (S3Errors.IsStoreError(e) || e is OperationCanceledException)
            {
            }
        }

        if (_uploadId is not null)
        {
            try
            {
                await _store.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                {
                    BucketName = _store.Bucket,
                    Key = _key,
                    UploadId = _uploadId,
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (S3Errors.IsStoreError(e))
            {
                // Best effort: the parts are invisible either way, and the abort runs on failure paths
                // where the original error matters more. A bucket lifecycle rule removes what is left.
            }
        }

        ReleaseBuffers();
    }

    private int Fill(ReadOnlySpan<byte> data)
    {
        _current ??= _freeBuffers.Count > 0 ? _freeBuffers.Pop() : new byte[_partSize];
        var taken = Math.Min(data.Length, _partSize - _filled);
        data[..taken].CopyTo(_current.AsSpan(_filled));
        _filled += taken;
        return taken;
    }

    private async Task SendCurrentPartAsync(CancellationToken cancellationToken)
    {
        if (_nextPartNumber > MaxParts)
        {
            throw new StorageException(Operation, Location,
                $"the object needs more than {MaxParts} parts of {_partSize} bytes; raise S3StoreOptions.PartSize");
        }

        _uploadId ??= await StartUploadAsync(cancellationToken).ConfigureAwait(false);
        while (_inFlight.Count >= _maxInFlight)
        {
            await CollectOldestAsync().ConfigureAwait(false);
        }

        var buffer = _current!;
        var length = _filled;
        var partNumber = _nextPartNumber++;
        _current = null;
        _filled = 0;
        // Off the writer's thread: signing hashes the whole part, which can overlap with filling the next.
        _inFlight.Enqueue((Task.Run(() => UploadPartAsync(buffer, length, partNumber)), buffer));
    }

    private async Task<string> StartUploadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _store.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = _store.Bucket,
                Key = _key,
            }, cancellationToken).ConfigureAwait(false);
            return response.UploadId;
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, Operation, Location);
        }
    }

    private Task<UploadPartResponse> UploadPartAsync(byte[] buffer, int length, int partNumber) =>
        _store.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _store.Bucket,
            Key = _key,
            UploadId = _uploadId,
            PartNumber = partNumber,
            InputStream = new MemoryStream(buffer, 0, length, writable: false),
            PartSize = length,
            UseChunkEncoding = _store.Options.UseChunkEncoding,
        }, _abandon.Token);

    // Waits for the oldest part; its buffer is free again once the upload has finished either way.
    private async Task CollectOldestAsync()
    {
        var (upload, buffer) = _inFlight.Dequeue();
        try
        {
            _uploaded.Add(await upload.ConfigureAwait(false));
        }
        catch (Exception e) when (S3Errors.IsStoreError(e))
        {
            throw S3Errors.Map(e, Operation, Location);
        }
        finally
        {
            _freeBuffers.Push(buffer);
        }
    }

    private void ReleaseBuffers()
    {
        _current = null;
        _freeBuffers.Clear();
    }
}
