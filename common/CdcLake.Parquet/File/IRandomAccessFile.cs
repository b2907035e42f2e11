using Microsoft.Win32.SafeHandles;

namespace CdcLake.Parquet;

/// <summary>
/// What the reader needs from storage: the length and positioned reads. Parquet is read from the end
/// (footer first), so any store with ranged reads (a local file, an S3 object) can back it.
/// </summary>
public interface IRandomAccessFile : IDisposable
{
    /// <summary>A name for messages, usually the path or URI.</summary>
    string Name { get; }

    long Length { get; }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; fails if the file ends first.</summary>
    void ReadExactly(long offset, Span<byte> buffer);
}

/// <summary>A local file read with positioned reads, so one handle serves concurrent column readers.</summary>
public sealed class LocalRandomAccessFile : IRandomAccessFile
{
    private readonly SafeFileHandle _handle;

    public LocalRandomAccessFile(string path)
    {
        Name = path;
        try
        {
            _handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
            Length = RandomAccess.GetLength(_handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ParquetException($"cannot open: {e.Message}", e).WithContext(path);
        }
    }

    public string Name { get; }

    public long Length { get; }

    public void ReadExactly(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset > Length - buffer.Length)
        {
            throw new ParquetException($"read of {buffer.Length} bytes at offset {offset} is past the end of the {Length}-byte file").WithContext(Name);
        }

        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(_handle, buffer, offset);
            if (read == 0)
            {
                throw new ParquetException($"file ended at offset {offset} while reading").WithContext(Name);
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>A file already in memory (tests, small objects fetched whole).</summary>
public sealed class MemoryRandomAccessFile(ReadOnlyMemory<byte> content, string name = "<memory>") : IRandomAccessFile
{
    public string Name => name;

    public long Length => content.Length;

    public void ReadExactly(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset > Length - buffer.Length)
        {
            throw new ParquetException($"read of {buffer.Length} bytes at offset {offset} is past the end of the {Length}-byte file").WithContext(Name);
        }

        content.Span.Slice((int)offset, buffer.Length).CopyTo(buffer);
    }

    public void Dispose()
    {
    }
}
