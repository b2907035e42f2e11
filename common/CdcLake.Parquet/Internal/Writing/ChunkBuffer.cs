using System.Buffers;

namespace CdcLake.Parquet.Internal.Writing;

/// <summary>
/// The finished pages of one column chunk, held until the row group is flushed: appended into pooled
/// segments so that growth never copies what is already there. Segments are kept for the next chunk on
/// reset (the shared pool keeps only a few arrays per size, and a chunk needs many), and returned to the
/// pool on dispose, so a column holds at most what its largest chunk needed.
/// </summary>
internal sealed class ChunkBuffer : IDisposable
{
    private const int SegmentSize = 256 << 10;

    private readonly List<(byte[] Array, int Used)> _segments = [];
    private readonly Stack<byte[]> _free = new();
    private long _length;

    public long Length => _length;

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_segments.Count == 0 || _segments[^1].Used == _segments[^1].Array.Length)
            {
                _segments.Add((NextSegment(data.Length), 0));
            }

            var (array, used) = _segments[^1];
            var take = Math.Min(array.Length - used, data.Length);
            data[..take].CopyTo(array.AsSpan(used));
            _segments[^1] = (array, used + take);
            _length += take;
            data = data[take..];
        }
    }

    public void WriteTo(Stream output)
    {
        foreach (var (array, used) in _segments)
        {
            output.Write(array, 0, used);
        }
    }

    public void Reset()
    {
        foreach (var (array, _) in _segments)
        {
            if (array.Length == SegmentSize)
            {
                _free.Push(array);
            }
            else
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }

        _segments.Clear();
        _length = 0;
    }

    public void Dispose()
    {
        Reset();
        while (_free.TryPop(out var array))
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private byte[] NextSegment(int wanted)
    {
        if (wanted <= SegmentSize)
        {
            return _free.TryPop(out var free) ? free : ArrayPool<byte>.Shared.Rent(SegmentSize);
        }

        // A page larger than a segment gets one of its own rather than being split.
        return ArrayPool<byte>.Shared.Rent(Math.Min(wanted, 16 << 20));
    }
}
