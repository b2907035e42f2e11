using System.Buffers;

namespace CdcLake.Parquet.Internal.Reading;

/// <summary>
/// Scratch buffers of column chunk decoding: the chunk's stored bytes, decompressed pages, dictionary
/// indices. A reader keeps its own pool, shared by every thread that decodes for it. The process-wide
/// <see cref="ArrayPool{T}.Shared"/> keeps one array per size in each thread that returned one, and the
/// thread pool lends a row group's decoding to whichever threads are free, so over a large file it would
/// end up holding a set of multi-megabyte buffers per thread that ever helped: memory that grows with the
/// file's length. Here a few arrays serve all threads, best fit first.
/// </summary>
internal sealed class ReadBufferPool
{
    /// <summary>Delegates to <see cref="ArrayPool{T}.Shared"/>, for decoding outside a reader.</summary>
    public static readonly ReadBufferPool Shared = new(0);

    private readonly Pool<byte>? _bytes;
    private readonly Pool<int>? _ints;

    /// <param name="keep">How many arrays of each element type to keep for reuse; 0 delegates to the shared pool.</param>
    public ReadBufferPool(int keep)
    {
        if (keep > 0)
        {
            _bytes = new Pool<byte>(keep);
            _ints = new Pool<int>(keep);
        }
    }

    public byte[] RentBytes(int length) => _bytes?.Rent(length) ?? ArrayPool<byte>.Shared.Rent(length);

    public void Return(byte[] array)
    {
        if (_bytes is null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
        else
        {
            _bytes.Return(array);
        }
    }

    public int[] RentInts(int length) => _ints?.Rent(length) ?? ArrayPool<int>.Shared.Rent(length);

    public void Return(int[] array)
    {
        if (_ints is null)
        {
            ArrayPool<int>.Shared.Return(array);
        }
        else
        {
            _ints.Return(array);
        }
    }

    private sealed class Pool<T>(int keep)
    {
        private readonly List<T[]> _free = [];

        public T[] Rent(int length)
        {
            lock (_free)
            {
                var best = -1;
                for (var i = 0; i < _free.Count; i++)
                {
                    if (_free[i].Length >= length && (best < 0 || _free[i].Length < _free[best].Length))
                    {
                        best = i;
                    }
                }

                if (best >= 0)
                {
                    var array = _free[best];
                    _free.RemoveAt(best);
                    return array;
                }
            }

            // Rounded up a little, so that a page slightly larger than the last one still fits next time.
            var size = (int)Math.Min(Array.MaxLength, Math.Max(1L, length + ((long)length >> 3)));
            return GC.AllocateUninitializedArray<T>(size);
        }

        public void Return(T[] array)
        {
            lock (_free)
            {
                if (_free.Count < keep)
                {
                    _free.Add(array);
                    return;
                }

                // Full: keep the larger arrays, which serve every request the smaller ones could.
                var smallest = 0;
                for (var i = 1; i < _free.Count; i++)
                {
                    if (_free[i].Length < _free[smallest].Length)
                    {
                        smallest = i;
                    }
                }

                if (_free[smallest].Length < array.Length)
                {
                    _free[smallest] = array;
                }
            }
        }
    }
}
