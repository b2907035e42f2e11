using System.Runtime.InteropServices;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// A Bloom filter over record keys, sized for a known number of keys: a first load streams its rows into the table
/// without holding them, and only a row whose key may have been seen before (a key DMS transferred twice, or a
/// false positive, about 0.1%) is held back to be merged by key afterwards. Memory: about 1.8 bytes per key.
/// </summary>
internal sealed class KeyFilter
{
    private const int HashCount = 10;
    private readonly ulong[] _bits;
    private readonly ulong _bitCount;

    public KeyFilter(long expectedKeys)
    {
        // 14.4 bits per key with 10 hashes: a false positive rate of about 0.1%.
        var bits = Math.Clamp(expectedKeys * 15, 1L << 16, 1L << 36);
        _bits = new ulong[(bits + 63) / 64];
        _bitCount = (ulong)_bits.Length * 64;
    }

    /// <summary>Adds <paramref name="key"/>; true when it may have been added before.</summary>
    public bool AddAndCheck(string key)
    {
        var bytes = MemoryMarshal.AsBytes(key.AsSpan());
        var h1 = Hash(bytes, 0x9E3779B97F4A7C15);
        var h2 = Hash(bytes, 0xC2B2AE3D27D4EB4F) | 1;
        var seen = true;
        for (var i = 0; i < HashCount; i++)
        {
            var bit = (h1 + ((ulong)i * h2)) % _bitCount;
            ref var word = ref _bits[bit >> 6];
            var mask = 1UL << (int)(bit & 63);
            if ((word & mask) == 0)
            {
                seen = false;
                word |= mask;
            }
        }

        return seen;
    }

    private static ulong Hash(ReadOnlySpan<byte> bytes, ulong seed)
    {
        var h = seed ^ ((ulong)bytes.Length * 0x9E3779B97F4A7C15);
        foreach (var b in bytes)
        {
            h = (h ^ b) * 0x100000001B3;
        }

        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCD;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53;
        return h ^ (h >> 33);
    }
}
