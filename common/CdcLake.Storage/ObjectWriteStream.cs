namespace CdcLake.Storage;

/// <summary>
/// A write-only stream that becomes an object only when <see cref="CompleteAsync"/> returns. Disposing it
/// before that abandons the write: the target is left as it was and the partial data is discarded
/// (S3: the multipart upload is aborted; local: the temporary file is deleted). <see cref="Position"/>
/// is the number of bytes written so far, which file writers use to record offsets.
/// </summary>
public abstract class ObjectWriteStream : Stream
{
    private State _state;

    private protected ObjectWriteStream(string location)
    {
        Location = location;
    }

    private enum State
    {
        Open,
        Completed,
        Aborted,
    }

    /// <summary>The full address of the object being written.</summary>
    public string Location { get; }

    /// <summary>Whether <see cref="CompleteAsync"/> has published the object.</summary>
    public bool IsCompleted => _state == State.Completed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _state == State.Open;

    public override long Length => throw new NotSupportedException("The stream is write-only; Position is the number of bytes written.");

    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException("The stream cannot seek.");
    }

    private protected long BytesWritten { get; set; }

    /// <summary>
    /// Publishes the object with everything written so far. If it fails, the write is abandoned and the
    /// exception (a <see cref="StorageException"/>; <see cref="ObjectExistsException"/> for a create
    /// that lost) propagates; the stream cannot be used again either way.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        try
        {
            await CompleteCoreAsync(cancellationToken).ConfigureAwait(false);
            _state = State.Completed;
        }
        catch
        {
            _state = State.Aborted;
            await AbortCoreAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Synchronous <see cref="CompleteAsync"/>, for writers that are synchronous by design.</summary>
    public void Complete() => Task.Run(() => CompleteAsync()).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureOpen();
        WriteCore(buffer);
        BytesWritten += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await WriteCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
        BytesWritten += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Does nothing: data is published by <see cref="CompleteAsync"/>, not by flushing.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The stream is write-only.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("The stream cannot seek.");

    public override async ValueTask DisposeAsync()
    {
        if (_state == State.Open)
        {
            _state = State.Aborted;
            await AbortCoreAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _state == State.Open)
        {
            _state = State.Aborted;
            Task.Run(AbortCoreAsync).GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private protected abstract void WriteCore(ReadOnlySpan<byte> buffer);

    private protected abstract ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken);

    private protected abstract Task CompleteCoreAsync(CancellationToken cancellationToken);

    /// <summary>Discards the partial write; never throws (it runs on failure paths and in Dispose).</summary>
    private protected abstract Task AbortCoreAsync();

    private void EnsureOpen()
    {
        switch (_state)
        {
            case State.Completed:
                throw new InvalidOperationException($"{Location}: the object was already completed.");
            case State.Aborted:
                throw new ObjectDisposedException(GetType().Name, $"{Location}: the write was abandoned (disposed or failed).");
        }
    }
}
