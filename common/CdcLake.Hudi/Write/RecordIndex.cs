using System.Buffers;
using System.Text;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>Where an input row's key is stored: the file slice and the row's ordinal in its base file (null slice: nowhere).</summary>
internal readonly record struct StoredAt(FileSlice? Slice, long Position);

/// <summary>
/// The bloom index: which file group holds each input key, and at which row of its base file. Per latest file slice
/// in a partition the input touches (every partition with a global index), the footer's min/max key and bloom filter
/// decide whether the file may hold any input key; with an integer record key (<see cref="RecordKeyColumn.BareKeyField"/> of a signed integer type) the key
/// field's row group statistics decide which row groups may. Only those row groups have their key column read, as
/// UTF-8 bytes, against the input's keys: no string per stored row. Files are read
/// <see cref="HudiWriteOptions.WriteParallelism"/> at a time.
/// </summary>
internal sealed class RecordIndex(HudiTable table, InputRecords input, bool global, string? integerKeyField, int parallelism)
{
    public int FootersRead { get; private set; }

    public int FilesProbed { get; private set; }

    public int RowGroupsRead { get; private set; }

    public int RowGroupsPruned { get; private set; }

    /// <summary>The integer a record key is the canonical decimal text of (no sign for 0, no leading zeros), if any.</summary>
    public static bool TryParseCanonical(ReadOnlySpan<char> key, out long value)
    {
        value = 0;
        var digits = key.Length > 0 && key[0] == '-' ? key[1..] : key;
        if (digits.Length is 0 or > 19 || (digits[0] == '0' && (digits.Length > 1 || key.Length > 1)))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Per input row, where its key is stored. A key stored in several files (cannot happen under the lock) is placed in the first slice.</summary>
    public async Task<StoredAt[]> LookupAsync(IReadOnlyList<FileSlice> slices, CancellationToken cancellationToken)
    {
        var found = new StoredAt[input.Rows.Count];
        if (input.Rows.Count == 0)
        {
            return found;
        }

        // Keys are unique within a scope (the input is combined by identity).
        var scopes = new Dictionary<string, Scope>(StringComparer.Ordinal);
        if (input.KeyOnlyIdentities && input.IntegerIdentities is { } shared)
        {
            // One scope holds every key (keys are global, or the table has no partitions), the integers already found.
            scopes[""] = new Scope(input, null) { ByInteger = shared };
        }
        else
        {
            for (var r = 0; r < input.Rows.Count; r++)
            {
                var row = input.Rows[r];
                var name = global ? "" : row.Partition;
                if (!scopes.TryGetValue(name, out var scope))
                {
                    scopes[name] = scope = new Scope(input, global ? null : name) { ByInteger = integerKeyField is not null ? [] : null };
                }

                if (scope.ByInteger is { } byInteger && TryParseCanonical(row.Key, out var value))
                {
                    byInteger[value] = r;
                }
            }
        }

        foreach (var scope in scopes.Values)
        {
            if (scope.ByInteger is { } byInteger)
            {
                scope.Present = IntegerSet.Of(byInteger.Keys);
            }
        }

        // Footers first: which row groups each file may hold input keys in; then the filters, each key hashed once.
        var files = new List<IndexedFile>();
        var filesByScope = new Dictionary<string, List<IndexedFile>>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            var scopeName = global ? "" : slice.PartitionPath;
            if (!scopes.TryGetValue(scopeName, out var scope))
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            using var reader = await table.OpenBaseFileAsync(slice.BaseFile, cancellationToken: cancellationToken).ConfigureAwait(false);
            FootersRead++;
            var info = reader.Info;
            var (rowGroups, byStatistics) = RowGroupsToRead(reader, scope);
            if (!rowGroups.Any(r => r))
            {
                RowGroupsPruned += rowGroups.Length;
                continue;
            }

            var starts = new long[info.RowGroups.Count];
            for (var g = 1; g < starts.Length; g++)
            {
                starts[g] = starts[g - 1] + info.RowGroups[g - 1].RowCount;
            }

            if (byStatistics)
            {
                // Every row group was bounded by the key field's statistics, which is as good a test as the file's key
                // range: the filter (saturated in large files) is not worth sorting the keys as strings for.
                files.Add(new IndexedFile(slice, null, 0, 0, rowGroups, starts) { IsCandidate = true, ByInteger = scope.ByInteger, Present = scope.Present });
                continue;
            }

            var footer = info.KeyValueMetadata;
            var min = footer.GetValueOrDefault(HoodieFooterKeys.MinRecordKey);
            var max = footer.GetValueOrDefault(HoodieFooterKeys.MaxRecordKey);

            // The keys (sorted) within the file's key range: the others are not in it, whatever its filter says.
            var keys = scope.Sorted;
            var first = min is null ? 0 : LowerBound(keys, min);
            var end = max is null ? keys.Count : UpperBound(keys, max);

            var file = new IndexedFile(slice, HoodieBloomFilter.FromFooter(footer), first, Math.Max(first, end), rowGroups, starts) { ByInteger = scope.ByInteger, Present = scope.Present };
            files.Add(file);
            (filesByScope.TryGetValue(scopeName, out var list) ? list : filesByScope[scopeName] = []).Add(file);
        }

        foreach (var (scopeName, inScope) in filesByScope)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MarkCandidates(scopes[scopeName].Sorted, inScope);
        }

        var candidates = files.Where(f => f.IsCandidate).ToList();
        foreach (var file in files.Where(f => !f.IsCandidate))
        {
            RowGroupsPruned += file.RowGroups.Length;
        }

        FilesProbed = candidates.Count;
        RowGroupsRead = candidates.Sum(f => f.RowGroups.Count(r => r));
        RowGroupsPruned += candidates.Sum(f => f.RowGroups.Count(r => !r));
        var hits = new List<(int Row, long Position)>[candidates.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, candidates.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (i, ct) => hits[i] = await ReadKeysAsync(candidates[i], ct).ConfigureAwait(false)).ConfigureAwait(false);

        // In slice order, so that which file a (duplicated) key is placed in does not depend on timing.
        for (var i = 0; i < candidates.Count; i++)
        {
            foreach (var (row, position) in hits[i])
            {
                if (found[row].Slice is null)
                {
                    found[row] = new StoredAt(candidates[i].Slice, position);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Per row group, whether it may hold one of <paramref name="integers"/> (the input keys that are integers' text):
    /// with an integer key field, a stored key is the text of the field's value, so a row group whose statistics
    /// bound the field by [min, max] holds only keys of integers in that range. Without statistics, every row group.
    /// </summary>
    /// <returns>Per row group whether to read it, and whether every row group was decided by statistics.</returns>
    private (bool[] Read, bool ByStatistics) RowGroupsToRead(ParquetReader reader, Scope scope)
    {
        var integers = scope.ByInteger;
        var info = reader.Info;
        var read = new bool[info.RowGroups.Count];
        Array.Fill(read, true);
        if (integers is null || integerKeyField is null)
        {
            return (read, false);
        }

        var column = reader.Schema.IndexOf(integerKeyField);
        if (column < 0 || !RecordKeyColumn.IsSignedInteger(reader.Schema.Fields[column]))
        {
            return (read, false);
        }

        var leaf = reader.Schema.Columns.Select((c, i) => (c, i)).First(x => x.c.Path.Count == 1 && x.c.Path[0] == integerKeyField).i;
        var all = true;
        foreach (var rowGroup in info.RowGroups)
        {
            if (rowGroup.Columns[leaf].Statistics is { Min: { } lo, Max: { } hi } && AsLong(lo) is { } min && AsLong(hi) is { } max)
            {
                read[rowGroup.Index] = scope.AnyIn(min, max);
            }
            else
            {
                all = false;
            }
        }

        return (read, all);
    }

    /// <summary><see cref="TryParseCanonical(ReadOnlySpan{char}, out long)"/> of UTF-8 text.</summary>
    internal static bool TryParseCanonical(ReadOnlySpan<byte> key, out long value)
    {
        value = 0;
        var negative = key.Length > 0 && key[0] == (byte)'-';
        var digits = negative ? key[1..] : key;
        if (digits.Length is 0 or > 19 || (digits[0] == (byte)'0' && (digits.Length > 1 || negative)))
        {
            return false;
        }

        ulong magnitude = 0;
        foreach (var c in digits)
        {
            var d = (uint)(c - '0');
            if (d > 9)
            {
                return false;
            }

            magnitude = (magnitude * 10) + d;
        }

        // 19 digits may exceed a long; wrapping past 2^64 cannot happen (10^19 < 2^64).
        if (negative ? magnitude > 1UL << 63 : magnitude > long.MaxValue)
        {
            return false;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    private static long? AsLong(object value) => value switch
    {
        long l => l,
        int i => i,
        short s => s,
        sbyte b => b,
        _ => null,
    };

    /// <summary>Marks the files whose range and filter admit at least one of <paramref name="keys"/>, each key hashed once for all the filters.</summary>
    private static void MarkCandidates(List<string> keys, List<IndexedFile> files)
    {
        var undecided = new List<IndexedFile>(files);
        var chain = new int[Math.Max(1, files.Max(f => f.Bloom?.HashCount ?? 0))];
        var utf8 = new byte[256];
        for (var k = 0; k < keys.Count && undecided.Count > 0; k++)
        {
            var key = keys[k];
            var hashed = false;
            for (var f = undecided.Count - 1; f >= 0; f--)
            {
                var file = undecided[f];
                if (k < file.FirstKey || k >= file.EndKey)
                {
                    continue;
                }

                if (file.Bloom is { } bloom)
                {
                    if (!hashed)
                    {
                        if (key.Length == 0)
                        {
                            // Hudi's hash refuses empty keys; no file can hold one either (the key generator refuses them).
                            break;
                        }

                        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
                        if (length > utf8.Length)
                        {
                            utf8 = new byte[length];
                        }

                        HoodieBloomFilter.HashChain(utf8.AsSpan(0, Encoding.UTF8.GetBytes(key, utf8)), chain);
                        hashed = true;
                    }

                    if (!bloom.MightContainChain(chain))
                    {
                        continue;
                    }
                }

                file.IsCandidate = true;
                undecided.RemoveAt(f);
            }
        }
    }

    /// <summary>
    /// Reads the key column of a file's row groups that may hold input keys; each stored key is decoded into one
    /// reused buffer, after the partition (the input's identity of a key, see <see cref="InputRecords.Identities"/>).
    /// </summary>
    private async Task<List<(int Row, long Position)>> ReadKeysAsync(IndexedFile file, CancellationToken cancellationToken)
    {
        var hits = new List<(int, long)>();
        var lookup = input.Identities.GetAlternateLookup<ReadOnlySpan<char>>();
        var prefix = input.KeyOnlyIdentities ? "" : file.Slice.PartitionPath + "\0";
        var chars = ArrayPool<char>.Shared.Rent(prefix.Length + 256);
        prefix.CopyTo(chars);
        try
        {
            using var reader = await table.OpenBaseFileAsync(file.Slice.BaseFile, new ParquetReadOptions { MaxDegreeOfParallelism = 1 }, cancellationToken).ConfigureAwait(false);
            if (file.ByInteger is { } integers && integerKeyField is not null && reader.Schema.IndexOf(integerKeyField) is var at and >= 0
                && RecordKeyColumn.IsSignedInteger(reader.Schema.Fields[at]))
            {
                // A stored key is its integer field's text (RecordKeyColumn.BareKeyField): the field's values, a few
                // bytes each to decode, stand for the keys, and no text is parsed.
                return ReadIntegerKeys(reader, file, integers, integerKeyField, cancellationToken);
            }

            RecordBatch? previous = null;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                if (!file.RowGroups[g])
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var batch = reader.ReadRowGroup(g, [HoodieMetaFields.RecordKey], previous);
                previous = batch;
                var column = (BinaryVector)batch.Columns[0];
                for (var i = 0; i < batch.RowCount; i++)
                {
                    if (column.IsNull(i))
                    {
                        continue;
                    }

                    var key = column.GetSpan(i);
                    if (file.ByInteger is { } byInteger && TryParseCanonical(key, out var integer))
                    {
                        // An integer's text is only ever the key of the input row with that integer (if any). Most
                        // stored keys are not input keys: a bit per integer rules them out before the dictionary.
                        if (file.Present?.Contains(integer) != false && byInteger.TryGetValue(integer, out var match))
                        {
                            hits.Add((match, file.Starts[g] + i));
                        }

                        continue;
                    }

                    if (prefix.Length + Encoding.UTF8.GetMaxCharCount(key.Length) > chars.Length)
                    {
                        var larger = ArrayPool<char>.Shared.Rent(prefix.Length + Encoding.UTF8.GetMaxCharCount(key.Length));
                        prefix.CopyTo(larger);
                        ArrayPool<char>.Shared.Return(chars);
                        chars = larger;
                    }

                    var length = Encoding.UTF8.GetChars(key, chars.AsSpan(prefix.Length));
                    if (lookup.TryGetValue(chars.AsSpan(0, prefix.Length + length), out var row))
                    {
                        hits.Add((row, file.Starts[g] + i));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }

        return hits;
    }

    private static List<(int Row, long Position)> ReadIntegerKeys(ParquetReader reader, IndexedFile file, Dictionary<long, int> integers, string field, CancellationToken cancellationToken)
    {
        var hits = new List<(int, long)>();
        RecordBatch? previous = null;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            if (!file.RowGroups[g])
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var batch = reader.ReadRowGroup(g, [field], previous);
            previous = batch;
            var column = IntegerKeyColumn.Of(batch, field)!.Value;
            for (var i = 0; i < batch.RowCount; i++)
            {
                // Most stored keys are not input keys: a bit per integer rules them out before the dictionary.
                if (column.TryGet(i, out var value) && file.Present?.Contains(value) != false && integers.TryGetValue(value, out var match))
                {
                    hits.Add((match, file.Starts[g] + i));
                }
            }
        }

        return hits;
    }

    private static int LowerBound(long[] sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int UpperBound(List<string> sorted, string value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (string.CompareOrdinal(sorted[mid], value) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int LowerBound(List<string> sorted, string value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (string.CompareOrdinal(sorted[mid], value) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The input keys of one partition (<paramref name="partition"/>; null: all of them, with a global index or none of partitions), and those that are integers' text.</summary>
    private sealed class Scope(InputRecords input, string? partition)
    {
        private List<string>? _sorted;
        private long[]? _integers;

        /// <summary>The input row of each key that is an integer's text, by the integer (null: the key is not an integer field).</summary>
        public Dictionary<long, int>? ByInteger { get; init; }

        /// <summary>The integer keys, sorted when first needed (when they are too sparse for <see cref="Present"/>).</summary>
        public long[] Integers => _integers ??= SortedArray(ByInteger!.Keys);

        public IntegerSet? Present { get; set; }

        /// <summary>Whether an integer key lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
        public bool AnyIn(long min, long max)
        {
            if (Present is { } present)
            {
                return present.AnyIn(min, max);
            }

            var at = LowerBound(Integers, min);
            return at < Integers.Length && Integers[at] <= max;
        }

        private static long[] SortedArray(IEnumerable<long> values)
        {
            long[] sorted = [.. values];
            Array.Sort(sorted);
            return sorted;
        }

        /// <summary>The keys in Java's string order, sorted when first needed (only a file without usable key statistics needs them).</summary>
        public List<string> Sorted => _sorted ??= Keys();

        private List<string> Keys()
        {
            var keys = new List<string>();
            foreach (var row in input.Rows)
            {
                if (partition is null || row.Partition == partition)
                {
                    keys.Add(row.Key);
                }
            }

            keys.Sort(StringComparer.Ordinal);
            return keys;
        }
    }

    /// <summary>A file the index looks keys up in: its filter (null: none in the footer), the sorted keys' index range within its min/max, the row groups to read and where each starts.</summary>
    private sealed record IndexedFile(FileSlice Slice, HoodieBloomFilter? Bloom, int FirstKey, int EndKey, bool[] RowGroups, long[] Starts)
    {
        public bool IsCandidate { get; set; }

        public Dictionary<long, int>? ByInteger { get; init; }

        public IntegerSet? Present { get; init; }
    }
}

/// <summary>A set of integers as one bit per integer between the least and the greatest: for dense key ranges.</summary>
internal sealed class IntegerSet
{
    /// <summary>The largest range a set is made for (bits): 16 MiB of bits.</summary>
    private const long MaxRange = 1L << 27;

    private readonly long _min;
    private readonly ulong[] _bits;

    private IntegerSet(long min, ulong[] bits) => (_min, _bits) = (min, bits);

    /// <summary>The set of <paramref name="values"/>, or null when it is empty or spans more than <see cref="MaxRange"/>.</summary>
    public static IntegerSet? Of(IReadOnlyCollection<long> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        long min = long.MaxValue, max = long.MinValue;
        foreach (var value in values)
        {
            (min, max) = (Math.Min(min, value), Math.Max(max, value));
        }

        if ((UInt128)(Int128)max - (UInt128)(Int128)min >= MaxRange)
        {
            return null;
        }

        var bits = new ulong[((ulong)(max - min) >> 6) + 1];
        foreach (var value in values)
        {
            var offset = (ulong)(value - min);
            bits[offset >> 6] |= 1UL << (int)(offset & 63);
        }

        return new IntegerSet(min, bits);
    }

    /// <summary>Whether a member lies in [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public bool AnyIn(long from, long to)
    {
        var max = (long)Int128.Min((Int128)_min + ((Int128)_bits.Length * 64) - 1, long.MaxValue);
        if (to < _min || from > max || from > to)
        {
            return false;
        }

        var first = (ulong)(Math.Max(from, _min) - _min);
        var last = (ulong)(Math.Min(to, max) - _min);
        for (var word = first >> 6; word <= last >> 6; word++)
        {
            var bits = _bits[word];
            if (word == first >> 6)
            {
                bits &= ulong.MaxValue << (int)(first & 63);
            }

            if (word == last >> 6)
            {
                bits &= ulong.MaxValue >> (63 - (int)(last & 63));
            }

            if (bits != 0)
            {
                return true;
            }
        }

        return false;
    }

    public bool Contains(long value)
    {
        var offset = (ulong)(value - _min);
        return value >= _min && (offset >> 6) < (ulong)_bits.Length && (_bits[offset >> 6] & (1UL << (int)(offset & 63))) != 0;
    }
}
