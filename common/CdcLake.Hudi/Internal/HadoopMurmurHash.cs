namespace CdcLake.Hudi.Internal;

/// <summary>
/// Hadoop's MurmurHash (MurmurHash2, 32-bit), which Hudi's bloom filters hash keys with: 4-byte groups
/// read little-endian, the 1-3 tail bytes sign-extended as Java bytes are. Java int arithmetic wraps, as
/// unchecked C# does.
/// </summary>
internal static class HadoopMurmurHash
{
    private const int M = 0x5bd1e995;
    private const int R = 24;

    public static int Hash(ReadOnlySpan<byte> data, int seed)
    {
        unchecked
        {
            var length = data.Length;
            var h = seed ^ length;
            var groups = length >> 2;
            for (var i = 0; i < groups; i++)
            {
                var at = i << 2;
                var k = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24);
                k *= M;
                k ^= (int)((uint)k >> R);
                k *= M;
                h *= M;
                h ^= k;
            }

            var tail = groups << 2;
            var left = length - tail;
            if (left != 0)
            {
                if (left >= 3)
                {
                    h ^= (sbyte)data[tail + 2] << 16;
                }

                if (left >= 2)
                {
                    h ^= (sbyte)data[tail + 1] << 8;
                }

                h ^= (sbyte)data[tail];
                h *= M;
            }

            h ^= (int)((uint)h >> 13);
            h *= M;
            h ^= (int)((uint)h >> 15);
            return h;
        }
    }
}
