using System.Buffers.Binary;

namespace CdcLake.Hudi.Internal;

/// <summary>
/// One standard Bloom filter's bits (Hudi's InternalBloomFilter), kept in the byte layout it is serialized
/// in: bit i at byte i/8, mask 1 &lt;&lt; (i % 8).
/// </summary>
internal sealed class BitRow
{
    public const int HeaderLength = 13;

    private const int Version = -1;
    private const byte MurmurHashType = 1;

    private readonly byte[] _bits;

    /// <summary>Lemire's multiplier for the remainder by <see cref="BitCount"/>: a key sets 30 bits, and 30 divisions cost more than its hashes.</summary>
    private readonly ulong _modMultiplier;

    public BitRow(int bitCount, int hashCount)
        : this(bitCount, hashCount, new byte[ByteLength(bitCount)])
    {
    }

    private BitRow(int bitCount, int hashCount, byte[] bits)
    {
        if (bitCount <= 0 || hashCount <= 0)
        {
            throw new HudiException($"a bloom filter needs positive bit and hash counts, got {bitCount} and {hashCount}");
        }

        BitCount = bitCount;
        HashCount = hashCount;
        _bits = bits;
        _modMultiplier = (ulong.MaxValue / (uint)bitCount) + 1;
    }

    public int BitCount { get; }

    public int HashCount { get; }

    public int SerializedLength => HeaderLength + _bits.Length;

    /// <summary>
    /// The bit positions of a key: hash i is MurmurHash of the key seeded with hash i−1 (0 for the first),
    /// position = |hash % bits| with Java's truncating remainder.
    /// </summary>
    public int[] Positions(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("bloom filter keys must not be empty", nameof(key));
        }

        var positions = new int[HashCount];
        HashChain(key, positions);
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = Position(positions[i]);
        }

        return positions;
    }

    /// <summary>
    /// The first <c>chain.Length</c> hashes of a key, before the modulo by the bit count: they do not depend on the
    /// filter, so a key probed against many filters is hashed once (<see cref="AllSetForChain"/>).
    /// </summary>
    public static void HashChain(ReadOnlySpan<byte> key, Span<int> chain)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("bloom filter keys must not be empty", nameof(key));
        }

        var seed = 0;
        for (var i = 0; i < chain.Length; i++)
        {
            seed = HadoopMurmurHash.Hash(key, seed);
            chain[i] = seed;
        }
    }

    /// <summary>Whether the key whose <see cref="HashChain"/> (at least <see cref="HashCount"/> long) is given has all its bits set.</summary>
    public bool AllSetForChain(ReadOnlySpan<int> chain)
    {
        for (var i = 0; i < HashCount; i++)
        {
            var p = Position(chain[i]);
            if ((_bits[p >> 3] & (1 << (p & 7))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sets the bits of the key whose <see cref="HashChain"/> (at least <see cref="HashCount"/> long) is given.</summary>
    public void SetForChain(ReadOnlySpan<int> chain)
    {
        var bits = _bits;
        foreach (var hash in chain[..HashCount])
        {
            var p = Position(hash);
            bits[p >> 3] |= (byte)(1 << (p & 7));
        }
    }

    /// <summary>
    /// Java's <c>Math.abs(hash % bitCount)</c>: the truncating remainder has the sign of the hash and the magnitude of
    /// |hash| mod bitCount (int.MinValue included, whose magnitude 2^31 is taken unsigned), so it is that unsigned remainder.
    /// </summary>
    private int Position(int hash)
    {
        var magnitude = (uint)(hash < 0 ? -hash : hash);
        return (int)Math.BigMul(_modMultiplier * magnitude, (ulong)(uint)BitCount, out _);
    }

    public void Set(int[] positions)
    {
        foreach (var p in positions)
        {
            _bits[p >> 3] |= (byte)(1 << (p & 7));
        }
    }

    public bool AllSet(int[] positions)
    {
        foreach (var p in positions)
        {
            if ((_bits[p >> 3] & (1 << (p & 7))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public static void WriteHeader(Span<byte> destination, int hashCount, int bitCount)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, Version);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], hashCount);
        destination[8] = MurmurHashType;
        BinaryPrimitives.WriteInt32BigEndian(destination[9..], bitCount);
    }

    public static (int HashCount, int BitCount) ReadHeader(ref BloomReader reader)
    {
        var version = reader.ReadInt32();
        if (version != Version)
        {
            throw new HudiException($"bloom filter format version {version} is not supported (Hudi writes {Version})");
        }

        var hashCount = reader.ReadInt32();
        var hashType = reader.ReadByte();
        if (hashType != MurmurHashType)
        {
            throw new HudiException($"bloom filter hash type {hashType} is not supported (Hudi uses {MurmurHashType}, Murmur)");
        }

        return (hashCount, reader.ReadInt32());
    }

    public static BitRow Read(ref BloomReader reader)
    {
        var (hashCount, bitCount) = ReadHeader(ref reader);
        if (bitCount <= 0 || hashCount <= 0)
        {
            throw new HudiException($"a bloom filter row claims {bitCount} bits and {hashCount} hashes");
        }

        var bits = reader.ReadBytes(ByteLength(bitCount));

        // Java ignores bits past the vector size when reading; clear them so re-serializing matches what Java writes.
        var spare = bits.Length * 8 - bitCount;
        if (spare > 0)
        {
            bits[^1] &= (byte)(0xFF >> spare);
        }

        return new BitRow(bitCount, hashCount, bits);
    }

    public void Write(Span<byte> destination)
    {
        WriteHeader(destination, HashCount, BitCount);
        _bits.CopyTo(destination[HeaderLength..]);
    }

    private static int ByteLength(int bitCount) => (int)(((long)bitCount + 7) / 8);
}

/// <summary>A big-endian reader over serialized bloom filter bytes.</summary>
internal ref struct BloomReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _at;

    public readonly bool AtEnd => _at == _bytes.Length;

    public readonly int Remaining => _bytes.Length - _at;

    public int ReadInt32()
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        return value;
    }

    public byte ReadByte() => Take(1)[0];

    public byte[] ReadBytes(int count) => Take(count).ToArray();

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _bytes.Length - _at)
        {
            throw new HudiException($"the bloom filter ends early: {count} bytes wanted at offset {_at} of {_bytes.Length}");
        }

        var slice = _bytes.Slice(_at, count);
        _at += count;
        return slice;
    }
}
