using System.Buffers.Binary;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// A Bloom filter over record keys (UTF-8), sized for a known number of keys: a first load streams its rows into the
/// table without holding them, and only a row whose key may have been seen before (a key DMS transferred twice, or a
/// false positive, about 0.1–0.2%) is held back to be merged by key afterwards. Blocked: all of a key's bits lie in one
/// 64-byte block, so a key costs one cache miss however large the filter (a plain one over 10 M keys spreads its ten
/// probes over 20 MB). Memory: 2 bytes per key. Integer keys (most primary keys) are first kept exactly instead, in
/// bitmaps of 4,096 consecutive values: no false positive, so no row is held back for nothing, and a load in key order
/// touches one bitmap at a time; when the keys are too sparse for that to stay small, later keys go to the filter.
/// </summary>
internal sealed class KeyFilter
{
    private const int HashCount = 10;
    private const int WordsPerBlock = 8;
    private const int ChunkBits = 12;
    private readonly ulong[] _words;
    private readonly ulong _blocks;
    private readonly Dictionary<long, ulong[]> _chunks = [];
    private readonly int _maxChunks;
    private long _lastChunk = long.MinValue;
    private ulong[]? _last;

    public KeyFilter(long expectedKeys)
    {
        // 16 bits per key, 10 bits set per key within a 512-bit block: about 0.15% false positives.
        var blocks = Math.Clamp((expectedKeys * 16 / 512) + 1, 16, 1L << 30);
        _words = new ulong[blocks * WordsPerBlock];
        _blocks = (ulong)blocks;

        // Exact bitmaps while they take no more than the filter's 2 bytes a key would.
        _maxChunks = (int)Math.Clamp(expectedKeys * 2 / ((1 << ChunkBits) / 8), 16, int.MaxValue);
    }

    /// <summary>Adds the integer key <paramref name="value"/> (whose text is <paramref name="key"/>); true when it may have been added before.</summary>
    public bool AddAndCheck(long value, ReadOnlySpan<byte> key)
    {
        var chunk = value >> ChunkBits;
        if (chunk != _lastChunk)
        {
            if (!_chunks.TryGetValue(chunk, out _last))
            {
                if (_chunks.Count >= _maxChunks)
                {
                    // Too sparse to keep exactly: this key and later ones new to the bitmaps go to the filter.
                    _lastChunk = long.MinValue;
                    _last = null;
                    return AddAndCheck(key);
                }

                _last = new ulong[(1 << ChunkBits) / 64];
                _chunks[chunk] = _last;
            }

            _lastChunk = chunk;
        }

        var bit = (int)(value & ((1 << ChunkBits) - 1));
        ref var word = ref _last![bit >> 6];
        var mask = 1UL << (bit & 63);
        var seen = (word & mask) != 0;
        word |= mask;
        return seen;
    }

    /// <summary>Adds <paramref name="key"/>; true when it may have been added before.</summary>
    public bool AddAndCheck(ReadOnlySpan<byte> key)
    {
        var h = Hash(key);
        var block = (int)Math.BigMul(h, _blocks, out _) * WordsPerBlock;
        var bits = Mix(h ^ 0x9E3779B97F4A7C15);
        var more = Mix(bits);
        var seen = true;
        for (var i = 0; i < HashCount; i++)
        {
            // Nine bits of position per probe: six from the first word, four from the second.
            var position = i < 6 ? (int)(bits >> (i * 9)) & 511 : (int)(more >> ((i - 6) * 9)) & 511;
            ref var word = ref _words[block + (position >> 6)];
            var mask = 1UL << (position & 63);
            if ((word & mask) == 0)
            {
                seen = false;
                word |= mask;
            }
        }

        return seen;
    }

    private static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 0xC2B2AE3D27D4EB4FUL ^ ((ulong)bytes.Length * 0x9E3779B97F4A7C15);
        while (bytes.Length >= 8)
        {
            h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (i * 8);
        }

        return Mix(h ^ tail ^ 0xFF51AFD7ED558CCDUL);
    }

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCD;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53;
        return h ^ (h >> 33);
    }
}
