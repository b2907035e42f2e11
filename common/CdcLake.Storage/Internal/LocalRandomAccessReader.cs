using Microsoft.Win32.SafeHandles;

namespace CdcLake.Storage.Internal;

/// <summary>Positioned reads on one handle, so concurrent column readers share it without seeking.</summary>
internal sealed class LocalRandomAccessReader : IRandomAccessReader
{
    private readonly SafeFileHandle _handle;

    private LocalRandomAccessReader(SafeFileHandle handle, string location, long length)
    {
        _handle = handle;
        Location = location;
        Length = length;
    }

    public string Location { get; }

    public long Length { get; }

    public static LocalRandomAccessReader Open(string path)
    {
        SafeFileHandle? handle = null;
        try
        {
            // FileShare.Delete: a writer may replace or delete the file meanwhile; this handle keeps the old content.
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.RandomAccess | FileOptions.Asynchronous);
            return new LocalRandomAccessReader(handle, path, RandomAccess.GetLength(handle));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            handle?.Dispose();
            throw new ObjectNotFoundException(StorageOperation.Read, path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            throw new StorageException(StorageOperation.Read, path, e.Message, e);
        }
    }

    public void ReadExactly(long offset, Span<byte> buffer)
    {
        CheckRange(offset, buffer.Length);
        try
        {
            while (!buffer.IsEmpty)
            {
                var read = RandomAccess.Read(_handle, buffer, offset);
                if (read == 0)
                {
                    throw Truncated(offset);
                }

                buffer = buffer[read..];
                offset += read;
            }
        }
        catch (IOException e) when (e is not StorageException)
        {
            throw new StorageException(StorageOperation.Read, Location, e.Message, e);
        }
    }

    public async ValueTask ReadExactlyAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckRange(offset, buffer.Length);
        try
        {
            while (!buffer.IsEmpty)
            {
                var read = await RandomAccess.ReadAsync(_handle, buffer, offset, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw Truncated(offset);
                }

                buffer = buffer[read..];
                offset += read;
            }
        }
        catch (IOException e) when (e is not StorageException)
        {
            throw new StorageException(StorageOperation.Read, Location, e.Message, e);
        }
    }

    public void Dispose() => _handle.Dispose();

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
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

    // The file was truncated in place after it was opened (stores never do that; something else did).
    private StorageException Truncated(long offset) =>
        new(StorageOperation.Read, Location, $"the file ended at offset {offset}, before its length when opened ({Length}); it was truncated meanwhile");
}
