using System.Buffers.Binary;
using System.Text;
using CdcLake.Hudi.Internal;

namespace CdcLake.Hudi;

/// <summary>
/// Hudi's record-key bloom filter, bit-identical to Java's: the footer value
/// <c>org.apache.hudi.bloomfilter</c> of every base file (Base64 of big-endian Hadoop Writable bytes).
/// Keys are hashed as their UTF-8 bytes.
/// </summary>
public abstract class HoodieBloomFilter
{
    private protected HoodieBloomFilter()
    {
    }

    public abstract BloomFilterTypeCode TypeCode { get; }

    /// <summary>Number of bits in the filter (in each row of a dynamic one).</summary>
    public abstract int BitCount { get; }

    public abstract int HashCount { get; }

    /// <summary>
    /// A filter as Hudi's writers make it: sized for <paramref name="numEntries"/> keys at false positive rate
    /// <paramref name="falsePositiveRate"/>; a dynamic one adds rows of that size up to <paramref name="maxEntries"/> keys.
    /// Defaults are Hudi's (60000, 1e-9, 100000).
    /// </summary>
    public static HoodieBloomFilter Create(
        BloomFilterTypeCode type = BloomFilterTypeCode.DynamicV0,
        int numEntries = 60000,
        double falsePositiveRate = 0.000000001,
        int maxEntries = 100000)
    {
        var bits = BloomFilterSizing.BitCount(numEntries, falsePositiveRate);
        var hashes = BloomFilterSizing.HashCount(bits, numEntries);
        return type switch
        {
            BloomFilterTypeCode.Simple => new SimpleBloomFilter(bits, hashes),
            BloomFilterTypeCode.DynamicV0 => new DynamicBloomFilter(bits, hashes, numEntries, maxEntries),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
    }

    /// <summary>Reads a serialized filter (Base64, as in a footer).</summary>
    /// <exception cref="HudiException">Not valid Base64 or not a Hudi bloom filter of that type.</exception>
    public static HoodieBloomFilter Deserialize(string serialized, BloomFilterTypeCode type)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(serialized);
        }
        catch (FormatException e)
        {
            throw new HudiException("the bloom filter is not valid Base64", e);
        }

        var reader = new BloomReader(bytes);
        HoodieBloomFilter filter = type switch
        {
            BloomFilterTypeCode.Simple => new SimpleBloomFilter(BitRow.Read(ref reader)),
            BloomFilterTypeCode.DynamicV0 => DynamicBloomFilter.Read(ref reader),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
        if (!reader.AtEnd)
        {
            throw new HudiException($"the {type} bloom filter has {reader.Remaining} bytes after its end");
        }

        return filter;
    }

    /// <summary>
    /// The filter of a base file from its footer key/value metadata, or null when it has none. A missing
    /// <c>hoodie_bloom_filter_type_code</c> means SIMPLE: Hudi writes the code for dynamic filters only.
    /// </summary>
    public static HoodieBloomFilter? FromFooter(IReadOnlyDictionary<string, string?> keyValueMetadata)
    {
        ArgumentNullException.ThrowIfNull(keyValueMetadata);
        if (!keyValueMetadata.TryGetValue(HoodieFooterKeys.BloomFilter, out var serialized) || serialized is null)
        {
            return null;
        }

        var type = keyValueMetadata.TryGetValue(HoodieFooterKeys.BloomFilterTypeCode, out var code) && code is not null
            ? HoodieWriteConfig.BloomFilterType.Parse(code)
            : BloomFilterTypeCode.Simple;
        return Deserialize(serialized, type);
    }

    public void Add(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Add(Encoding.UTF8.GetBytes(key));
    }

    /// <exception cref="ArgumentException">An empty key (Hudi's hash refuses those).</exception>
    public abstract void Add(ReadOnlySpan<byte> utf8Key);

    /// <summary>False when the key was certainly not added; true when it probably was.</summary>
    public bool MightContain(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return MightContain(Encoding.UTF8.GetBytes(key));
    }

    public abstract bool MightContain(ReadOnlySpan<byte> utf8Key);

    /// <summary>
    /// <see cref="MightContain(ReadOnlySpan{byte})"/> for a key given by its hash chain (<see cref="HashChain"/>, at
    /// least <see cref="HashCount"/> long): the index probes each key against many files' filters hashing it once.
    /// </summary>
    internal abstract bool MightContainChain(ReadOnlySpan<int> chain);

    /// <summary>Sets the bits of the key whose hash chain (<see cref="HashChain"/>) is given, as <see cref="Add(ReadOnlySpan{byte})"/> would.</summary>
    internal abstract void AddChain(ReadOnlySpan<int> chain);

    /// <summary>
    /// Adds the keys <c>data[offsets[i]..offsets[i + 1]]</c>, i below <paramref name="count"/>, in order: the filter
    /// and its serialized form are those of adding them one by one, eight keys of one length hashed side by side.
    /// </summary>
    /// <exception cref="ArgumentException">An empty key (Hudi's hash refuses those).</exception>
    internal void AddAll(ReadOnlySpan<byte> data, ReadOnlySpan<int> offsets, int count)
    {
        var hashes = HashCount;
        Span<int> chains = hashes <= 64 ? stackalloc int[hashes * HashChains.Lanes] : new int[hashes * HashChains.Lanes];
        Span<int> chain = hashes <= 64 ? stackalloc int[hashes] : new int[hashes];
        var i = 0;
        if (HashChains.IsAccelerated)
        {
            for (; i + HashChains.Lanes <= count; i += HashChains.Lanes)
            {
                if (!HashChains.TryEight(data, offsets.Slice(i, HashChains.Lanes + 1), hashes, chains))
                {
                    for (var j = i; j < i + HashChains.Lanes; j++)
                    {
                        Add(data[offsets[j]..offsets[j + 1]]);
                    }

                    continue;
                }

                for (var lane = 0; lane < HashChains.Lanes; lane++)
                {
                    for (var h = 0; h < hashes; h++)
                    {
                        chain[h] = chains[(h * HashChains.Lanes) + lane];
                    }

                    AddChain(chain);
                }
            }
        }

        for (; i < count; i++)
        {
            Add(data[offsets[i]..offsets[i + 1]]);
        }
    }

    /// <summary>Fills <paramref name="chain"/> with the key's Hadoop hash chain, shared by every filter (only the bit count differs).</summary>
    internal static void HashChain(ReadOnlySpan<byte> utf8Key, Span<int> chain) => BitRow.HashChain(utf8Key, chain);

    /// <summary>The Writable bytes Java writes.</summary>
    public abstract byte[] ToBytes();

    /// <summary>The footer value: Base64 (standard alphabet, padded) of <see cref="ToBytes"/>.</summary>
    public string Serialize() => Convert.ToBase64String(ToBytes());
}

/// <summary>One standard Bloom filter (Hudi's SimpleBloomFilter; type code SIMPLE).</summary>
public sealed class SimpleBloomFilter : HoodieBloomFilter
{
    private readonly BitRow _row;

    public SimpleBloomFilter(int bitCount, int hashCount)
        : this(new BitRow(bitCount, hashCount))
    {
    }

    internal SimpleBloomFilter(BitRow row) => _row = row;

    public override BloomFilterTypeCode TypeCode => BloomFilterTypeCode.Simple;

    public override int BitCount => _row.BitCount;

    public override int HashCount => _row.HashCount;

    public override void Add(ReadOnlySpan<byte> utf8Key)
    {
        // Hashed into a stack buffer: a writer adds every key of a file, and an array per key is garbage per row.
        Span<int> chain = HashCount <= 64 ? stackalloc int[HashCount] : new int[HashCount];
        BitRow.HashChain(utf8Key, chain);
        _row.SetForChain(chain);
    }

    internal override void AddChain(ReadOnlySpan<int> chain) => _row.SetForChain(chain);

    public override bool MightContain(ReadOnlySpan<byte> utf8Key) => _row.AllSet(_row.Positions(utf8Key));

    internal override bool MightContainChain(ReadOnlySpan<int> chain) => _row.AllSetForChain(chain);

    public override byte[] ToBytes()
    {
        var bytes = new byte[_row.SerializedLength];
        _row.Write(bytes);
        return bytes;
    }
}

/// <summary>
/// Hudi's HoodieDynamicBoundedBloomFilter (type code DYNAMIC_V0), the default: rows of standard filters.
/// When a row holds its <see cref="EntriesPerRow"/> keys and rows × entries &lt; the maximum, a new row
/// starts; at the maximum, keys go to the rows round-robin from row 0.
/// </summary>
public sealed class DynamicBloomFilter : HoodieBloomFilter
{
    private readonly int _bitCount;
    private readonly int _hashCount;
    private readonly List<BitRow> _rows;
    private readonly int _maxEntries;
    private int _currentRowCount;
    private bool _reachedMax;
    private int _roundRobin;

    public DynamicBloomFilter(int bitCount, int hashCount, int entriesPerRow, int maxEntries)
        : this(bitCount, hashCount, entriesPerRow, maxEntries, 0, [new BitRow(bitCount, hashCount)])
    {
    }

    private DynamicBloomFilter(int bitCount, int hashCount, int entriesPerRow, int maxEntries, int currentRowCount, List<BitRow> rows)
    {
        _bitCount = bitCount;
        _hashCount = hashCount;
        EntriesPerRow = entriesPerRow;
        _maxEntries = maxEntries;
        _currentRowCount = currentRowCount;
        _rows = rows;
    }

    public override BloomFilterTypeCode TypeCode => BloomFilterTypeCode.DynamicV0;

    public override int BitCount => _bitCount;

    public override int HashCount => _hashCount;

    public int EntriesPerRow { get; }

    public int RowCount => _rows.Count;

    /// <summary>Keys added to the current (last) row; serialized.</summary>
    public int KeysInCurrentRow => _currentRowCount;

    public override void Add(ReadOnlySpan<byte> utf8Key)
    {
        Span<int> chain = _hashCount <= 64 ? stackalloc int[_hashCount] : new int[_hashCount];
        BitRow.HashChain(utf8Key, chain);
        AddChain(chain);
    }

    internal override void AddChain(ReadOnlySpan<int> chain)
    {
        var row = ActiveRow();
        if (row is null)
        {
            row = new BitRow(_bitCount, _hashCount);
            _rows.Add(row);
            _currentRowCount = 0;
        }

        row.SetForChain(chain);
        _currentRowCount++;
    }

    public override bool MightContain(ReadOnlySpan<byte> utf8Key)
    {
        var positions = _rows[0].Positions(utf8Key);
        foreach (var row in _rows)
        {
            if (row.AllSet(positions))
            {
                return true;
            }
        }

        return false;
    }

    internal override bool MightContainChain(ReadOnlySpan<int> chain)
    {
        foreach (var row in _rows)
        {
            if (row.AllSetForChain(chain))
            {
                return true;
            }
        }

        return false;
    }

    public override byte[] ToBytes()
    {
        var length = BitRow.HeaderLength + 12 + _rows.Sum(r => r.SerializedLength);
        var bytes = new byte[length];
        BitRow.WriteHeader(bytes, _hashCount, _bitCount);
        var at = BitRow.HeaderLength;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at), EntriesPerRow);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at + 4), _currentRowCount);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at + 8), _rows.Count);
        at += 12;
        foreach (var row in _rows)
        {
            row.Write(bytes.AsSpan(at));
            at += row.SerializedLength;
        }

        return bytes;
    }

    internal static DynamicBloomFilter Read(ref BloomReader reader)
    {
        var (hashCount, bitCount) = BitRow.ReadHeader(ref reader);
        var entriesPerRow = reader.ReadInt32();
        var current = reader.ReadInt32();
        var rowCount = reader.ReadInt32();
        if (rowCount < 1 || entriesPerRow < 1)
        {
            throw new HudiException($"the dynamic bloom filter claims {rowCount} rows of {entriesPerRow} entries");
        }

        var rows = new List<BitRow>(rowCount);
        for (var i = 0; i < rowCount; i++)
        {
            var row = BitRow.Read(ref reader);
            if (row.BitCount != bitCount || row.HashCount != hashCount)
            {
                throw new HudiException($"row {i} of the dynamic bloom filter has {row.BitCount} bits and {row.HashCount} hashes, its header {bitCount} and {hashCount}");
            }

            rows.Add(row);
        }

        // The maximum is not serialized; Java's reader leaves it 0, so a full row then takes keys round-robin.
        return new DynamicBloomFilter(bitCount, hashCount, entriesPerRow, 0, current, rows);
    }

    private BitRow? ActiveRow()
    {
        if (_reachedMax)
        {
            return _rows[_roundRobin++ % _rows.Count];
        }

        if (_currentRowCount >= EntriesPerRow)
        {
            if ((long)_rows.Count * EntriesPerRow < _maxEntries)
            {
                return null;
            }

            _reachedMax = true;
            return _rows[0];
        }

        return _rows[^1];
    }
}

/// <summary>Bloom filter sizing as Hudi computes it (BloomFilterUtils).</summary>
public static class BloomFilterSizing
{
    private static readonly double s_log2Squared = Math.Log(2) * Math.Log(2);

    /// <summary>ceil(n · (−ln p / (ln 2)²)): 2,587,966 for Hudi's defaults (60000, 1e-9).</summary>
    public static int BitCount(int numEntries, double falsePositiveRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEntries);
        if (!(falsePositiveRate > 0 && falsePositiveRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(falsePositiveRate), falsePositiveRate, "must be between 0 and 1");
        }

        return checked((int)Math.Ceiling(numEntries * (-Math.Log(falsePositiveRate) / s_log2Squared)));
    }

    /// <summary>ceil(ln 2 · bits / n): 30 for Hudi's defaults.</summary>
    public static int HashCount(int bitCount, int numEntries) => (int)Math.Ceiling(Math.Log(2) * bitCount / numEntries);
}

/// <summary>The key/value metadata Hudi puts in base file footers.</summary>
public static class HoodieFooterKeys
{
    public const string BloomFilter = "org.apache.hudi.bloomfilter";
    public const string BloomFilterTypeCode = "hoodie_bloom_filter_type_code";

    /// <summary>Smallest and largest record key in the file, in Java string (UTF-16 code unit) order.</summary>
    public const string MinRecordKey = "hoodie_min_record_key";

    public const string MaxRecordKey = "hoodie_max_record_key";
    public const string AvroSchema = "parquet.avro.schema";
    public const string WriterModelName = "writer.model.name";
}
