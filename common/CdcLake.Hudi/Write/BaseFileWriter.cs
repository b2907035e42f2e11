using System.Globalization;
using System.Text;
using CdcLake.Hudi.Internal;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>
/// Writes one base file as Hudi's Spark writer does (HoodieCreateHandle / HoodieMergeHandle with parquet-avro):
/// the five meta columns first, then the table's columns; schema root <c>hoodie.&lt;table&gt;.&lt;table&gt;_record</c>;
/// footer <c>parquet.avro.schema</c>, <c>writer.model.name=avro</c>, the DYNAMIC_V0 bloom filter of the record keys
/// and the min/max record key (Java string order). Streams to the store: memory is one row group.
/// </summary>
internal sealed class BaseFileWriter : IAsyncDisposable
{
    private static readonly PrimitiveField[] s_metaFields =
        [.. HoodieMetaFields.All.Select(n => new PrimitiveField(n, PhysicalType.ByteArray, LogicalType.String))];

    /// <summary>Rows of a batch from which its keys are added on another thread while it is encoded.</summary>
    private const int ParallelKeysRows = 2048;

    /// <summary>Batches whose keys may wait to be added (their key columns are held meanwhile).</summary>
    private const int MaxKeyBatchesQueued = 8;

    private readonly ObjectWriteStream _stream;
    private readonly ParquetWriter _writer;
    private readonly ParquetSchema _schema;
    private HoodieBloomFilter _bloom = HoodieBloomFilter.Create();
    private readonly RepeatedValue _commitTime;
    private readonly RepeatedValue _partitionPath;
    private readonly RepeatedValue _fileName;
    private readonly byte[] _seqNoPrefix;

    // The meta columns' buffers, reused batch after batch: the Parquet writer copies what it is given.
    private int[] _seqNoOffsets = [];
    private byte[] _seqNoData = [];
    private int[] _keyOffsets = [];
    private byte[] _keyData = [];
    private Task _keysAdded = Task.CompletedTask;
    private int _keyBatchesQueued;
    private byte[]? _minKey;
    private byte[]? _maxKey;
    private long _rows;

    private BaseFileWriter(ObjectWriteStream stream, ParquetWriter writer, ParquetSchema schema, string instant, int taskId, string partitionPath, BaseFileName name, string path)
    {
        _stream = stream;
        _writer = writer;
        _schema = schema;
        PartitionPath = partitionPath;
        Name = name;
        Path = path;
        _commitTime = new RepeatedValue(s_metaFields[0], instant);
        _partitionPath = new RepeatedValue(s_metaFields[3], partitionPath);
        _fileName = new RepeatedValue(s_metaFields[4], FileName);
        _seqNoPrefix = Encoding.UTF8.GetBytes($"{instant}_{taskId}_");
    }

    public BaseFileName Name { get; }

    public string FileName => Name.ToString();

    /// <summary>Relative to the table root.</summary>
    public string Path { get; }

    public string PartitionPath { get; }

    public long Rows => _rows;

    /// <summary>The file's size so far, footer aside: bytes written plus what the Parquet writer buffers (encoded).</summary>
    public long DataSize => _writer.DataSize;

    /// <summary>The writer's schema: meta fields, then <paramref name="dataFields"/>.</summary>
    public static ParquetSchema SchemaOf(IReadOnlyList<Field> dataFields) => new([.. s_metaFields, .. dataFields]);

    public static async Task<BaseFileWriter> OpenAsync(
        IObjectStore store,
        string storePath,
        string pathFromTableRoot,
        string tableName,
        IReadOnlyList<Field> dataFields,
        string partitionPath,
        BaseFileName name,
        int taskId,
        HudiWriteOptions options,
        CancellationToken cancellationToken)
    {
        var schema = SchemaOf(dataFields);
        var writeOptions = new ParquetWriteOptions
        {
            Codec = options.Codec,
            RowGroupRows = options.RowGroupRows,
            LegacyListLayout = options.LegacyListLayout,
            // parquet-avro's annotation on maps, so that our files' schemas match Spark's element for element.
            MapKeyValueAnnotation = true,
            SchemaRootName = $"{AvroSchema.RecordNamespace(tableName)}.{AvroSchema.RecordName(tableName)}",
            KeyValueMetadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [HoodieFooterKeys.AvroSchema] = AvroSchema.ToJson(tableName, dataFields, AvroSchemaOptions.WithMetaFields),
                [HoodieFooterKeys.WriterModelName] = "avro",
            },
            // Spark's parquet-mr writes one thread per task; keep the writer from taking every core of a small machine.
            MaxDegreeOfParallelism = 1,
        };
        var stream = await store.OpenWriteAsync(storePath, overwrite: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = new ParquetWriter(stream, schema, writeOptions, store.PathOf(storePath).ToString(), leaveOpen: true);
            return new BaseFileWriter(stream, writer, schema, name.InstantTime, taskId, partitionPath, name, pathFromTableRoot);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes rows new in this instant: <paramref name="data"/> holds the table's columns, <paramref name="keys"/> the record key of each row.</summary>
    /// <param name="keysInBloom">
    /// The keys are in the filter already: new versions of rows of the file this one rewrites, whose filter it was
    /// seeded with (<see cref="TrySeedBloom"/>); only the key range is updated.
    /// </param>
    public void WriteNew(RecordBatch data, IReadOnlyList<string> keys, bool keysInBloom = false)
    {
        if (data.RowCount > 0)
        {
            WriteNew(data, KeyColumn(keys), keysInBloom);
        }
    }

    /// <summary>Like <see cref="WriteNew(RecordBatch, IReadOnlyList{string}, bool)"/>, the keys given as UTF-8 (no nulls).</summary>
    public void WriteNew(RecordBatch data, BinaryVector keys, bool keysInBloom = false)
    {
        if (data.RowCount == 0)
        {
            return;
        }

        var n = data.RowCount;
        if (keys.Length != n || keys.NullCount > 0)
        {
            throw new ArgumentException($"{keys.Length} record keys ({keys.NullCount} null) for {n} rows: every row needs its key", nameof(keys));
        }

        var keyColumn = ReferenceEquals(keys.Field, s_metaFields[2]) ? keys : new BinaryVector(s_metaFields[2], keys.Offsets, keys.Data, n);
        var columns = new List<ColumnVector>(HoodieMetaFields.All.Count + data.Columns.Count)
        {
            _commitTime.Vector(n),
            SeqNoColumn(n),
            keyColumn,
            _partitionPath.Vector(n),
            _fileName.Vector(n),
        };
        columns.AddRange(data.Columns);
        Write(new RecordBatch(_schema, columns, n), keyColumn, addToBloom: !keysInBloom);
    }

    /// <summary>
    /// Starts this file's bloom filter from <paramref name="previous"/>, the filter of the base file it rewrites, when
    /// that is one this writer would make (DYNAMIC_V0 of the same size): the rows copied from that file then need not be
    /// hashed again (<see cref="CopyRowsRenamed"/>). The filter then also admits the keys of rows
    /// the rewrite drops, which a bloom filter may (it only rules keys out). False, and nothing changes, otherwise.
    /// </summary>
    public bool TrySeedBloom(HoodieBloomFilter? previous)
    {
        if (_rows > 0 || previous is not DynamicBloomFilter old || _bloom is not DynamicBloomFilter own
            || old.BitCount != own.BitCount || old.HashCount != own.HashCount || old.EntriesPerRow != own.EntriesPerRow)
        {
            return false;
        }

        _bloom = old;
        return true;
    }

    /// <summary>
    /// Copies rows of an existing base file, read without their <c>_hoodie_file_name</c> column (the four other meta
    /// columns, then the data columns): they keep their commit time, sequence number, key and partition, and get this
    /// file's name, so the old name is neither decoded nor copied. With <paramref name="keysInBloom"/> the keys are taken to be in the filter already
    /// (<see cref="TrySeedBloom"/>): only the key range is updated.
    /// </summary>
    public void CopyRowsRenamed(RecordBatch withoutFileName, ReadOnlySpan<int> rows, bool keysInBloom)
    {
        if (rows.Length == 0)
        {
            return;
        }

        var batch = Renamed(withoutFileName);
        var all = rows.Length == batch.RowCount && rows[^1] == rows.Length - 1;
        Write(batch, rows, all, (BinaryVector)batch.Columns[2], addToBloom: !keysInBloom);
    }

    /// <summary><see cref="CopyRowsRenamed(RecordBatch, ReadOnlySpan{int}, bool)"/> of every row of the batch.</summary>
    public void CopyRowsRenamed(RecordBatch withoutFileName, bool keysInBloom)
    {
        if (withoutFileName.RowCount > 0)
        {
            var batch = Renamed(withoutFileName);
            Write(batch, (BinaryVector)batch.Columns[2], addToBloom: !keysInBloom);
        }
    }

    /// <summary>The batch in this file's columns: this file's name inserted as <c>_hoodie_file_name</c>.</summary>
    private RecordBatch Renamed(RecordBatch withoutFileName)
    {
        var columns = withoutFileName.Columns.ToList();
        columns.Insert(4, _fileName.Vector(withoutFileName.RowCount));
        return new RecordBatch(_schema, columns, withoutFileName.RowCount);
    }

    /// <summary>
    /// Copies row group <paramref name="rowGroup"/> of <paramref name="source"/>, a base file of the file group this one
    /// rewrites, without decoding it: its rows keep every meta column but <c>_hoodie_file_name</c>, which is written
    /// anew, and their column chunks are copied as stored (<see cref="ParquetWriter.TryCopyRowGroup"/>). Only the keys
    /// are read, for the key range (and the filter unless <paramref name="keysInBloom"/>). False, and nothing
    /// written, when the source's columns are not stored as this file's schema declares them.
    /// </summary>
    public bool TryCopyRowGroup(ParquetReader source, int rowGroup, bool keysInBloom)
    {
        var rows = (int)source.Info.RowGroups[rowGroup].RowCount;
        var names = new RecordBatch(new ParquetSchema([s_metaFields[4]]), [_fileName.Vector(rows)], rows);
        WaitForKeys();
        if (!_writer.TryCopyRowGroup(source, rowGroup, names))
        {
            return false;
        }

        var keys = (BinaryVector)source.ReadRowGroup(rowGroup, [HoodieMetaFields.RecordKey])[HoodieMetaFields.RecordKey];
        if (keys.NullCount > 0)
        {
            throw new HudiException($"{source.Name}: row group {rowGroup} has rows without a {HoodieMetaFields.RecordKey}");
        }

        AddKeys(keys, default, allRows: true, addToBloom: !keysInBloom);
        _rows += rows;
        return true;
    }

    private void TrackKeyRange(ReadOnlySpan<byte> key)
    {
        if (_minKey is null || JavaOrder(key, _minKey) < 0)
        {
            _minKey = key.ToArray();
        }

        if (_maxKey is null || JavaOrder(key, _maxKey) > 0)
        {
            _maxKey = key.ToArray();
        }
    }

    /// <summary>Writes the footer (bloom filter, key range) and publishes the file; returns its size.</summary>
    public async Task<long> CompleteAsync(CancellationToken cancellationToken)
    {
        await _keysAdded.ConfigureAwait(false);
        _writer.AddKeyValueMetadata(HoodieFooterKeys.BloomFilterTypeCode, "DYNAMIC_V0");
        _writer.AddKeyValueMetadata(HoodieFooterKeys.BloomFilter, _bloom.Serialize());
        if (_minKey is not null)
        {
            _writer.AddKeyValueMetadata(HoodieFooterKeys.MinRecordKey, Encoding.UTF8.GetString(_minKey));
            _writer.AddKeyValueMetadata(HoodieFooterKeys.MaxRecordKey, Encoding.UTF8.GetString(_maxKey!));
        }

        _writer.Close();
        await _stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return _writer.BytesWritten;
    }

    public async ValueTask DisposeAsync()
    {
        // A failed or abandoned write: the filter's task must not outlive the writer, whatever it ended with.
        await _keysAdded.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
        _writer.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private void Write(RecordBatch batch, BinaryVector keys, bool addToBloom = true) => Write(batch, default, allRows: true, keys, addToBloom);

    /// <param name="rows">The rows of <paramref name="batch"/> to write, unless <paramref name="allRows"/>; <paramref name="keys"/> is the batch's key column.</param>
    private void Write(RecordBatch batch, ReadOnlySpan<int> rows, bool allRows, BinaryVector keys, bool addToBloom)
    {
        // The keys' bloom filter (30 hashes a key) and key range are built on another core while the rows are
        // encoded here: together they are most of writing a base file. Batches' keys are added in order, a few
        // batches behind at most, from a copy (the caller may reuse its buffers once this returns); the footer
        // waits for all of them.
        var count = allRows ? batch.RowCount : rows.Length;

        // Keys already in the filter (rows copied from the file this one rewrites) only widen the key range: two
        // comparisons a key, done here rather than copied for another core.
        if (count < ParallelKeysRows || !addToBloom)
        {
            WaitForKeys();
            AddKeys(keys, rows, allRows, addToBloom);
        }
        else
        {
            if (Volatile.Read(ref _keyBatchesQueued) >= MaxKeyBatchesQueued)
            {
                WaitForKeys();
            }

            var owned = allRows ? Copy(keys) : (BinaryVector)RowSelection.Take(keys, rows.ToArray());
            Interlocked.Increment(ref _keyBatchesQueued);
            _keysAdded = _keysAdded.ContinueWith(
                previous =>
                {
                    previous.GetAwaiter().GetResult();
                    AddKeys(owned, default, allRows: true, addToBloom);
                    Interlocked.Decrement(ref _keyBatchesQueued);
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }

        if (allRows)
        {
            _writer.Write(batch);
        }
        else
        {
            _writer.Write(batch, rows);
        }

        _rows += count;
    }

    private void WaitForKeys() => _keysAdded.GetAwaiter().GetResult();

    private static BinaryVector Copy(BinaryVector keys)
    {
        var n = keys.Length;
        var start = keys.Offsets[0];
        var offsets = new int[n + 1];
        for (var i = 0; i <= n; i++)
        {
            offsets[i] = keys.Offsets[i] - start;
        }

        return new BinaryVector(keys.Field, offsets, keys.Data.AsSpan(start, keys.Offsets[n] - start).ToArray(), n);
    }

    private void AddKeys(BinaryVector keys, ReadOnlySpan<int> rows, bool allRows, bool addToBloom)
    {
        // Keys are taken as the column's UTF-8 bytes: no string per row for the filter or the key range.
        if (addToBloom)
        {
            if (!allRows)
            {
                keys = (BinaryVector)RowSelection.Take(keys, rows.ToArray());
                allRows = true;
            }

            _bloom.AddAll(keys.Data, keys.Offsets, keys.Length);
        }

        if (allRows)
        {
            for (var i = 0; i < keys.Length; i++)
            {
                TrackKeyRange(keys.GetSpan(i));
            }
        }
        else
        {
            foreach (var row in rows)
            {
                TrackKeyRange(keys.GetSpan(row));
            }
        }
    }

    /// <summary>
    /// Java's string order (UTF-16 code units) of two UTF-8 keys. UTF-8 bytes sort by code point, which is the same
    /// order except between a character above U+FFFF (lead byte F0–F4, a surrogate pair in UTF-16) and one in
    /// U+E000–U+FFFF (lead byte EE–EF): only there are the strings compared.
    /// </summary>
    internal static int JavaOrder(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var at = a.CommonPrefixLength(b);
        if (at == a.Length || at == b.Length)
        {
            return a.Length.CompareTo(b.Length);
        }

        if (a[at] >= 0xEE && b[at] >= 0xEE)
        {
            return string.CompareOrdinal(Encoding.UTF8.GetString(a), Encoding.UTF8.GetString(b));
        }

        return a[at].CompareTo(b[at]);
    }

    /// <summary>_hoodie_commit_seqno: "instant_task_row", the row counted from 0 in this file, written as bytes.</summary>
    private BinaryVector SeqNoColumn(int n)
    {
        EnsureCapacity(ref _seqNoOffsets, n + 1);
        EnsureCapacity(ref _seqNoData, n * (_seqNoPrefix.Length + 20));
        var at = 0;
        for (var i = 0; i < n; i++)
        {
            _seqNoOffsets[i] = at;
            _seqNoPrefix.CopyTo(_seqNoData.AsSpan(at));
            at += _seqNoPrefix.Length;
            (_rows + i).TryFormat(_seqNoData.AsSpan(at), out var written, default, CultureInfo.InvariantCulture);
            at += written;
        }

        _seqNoOffsets[n] = at;
        return new BinaryVector(s_metaFields[1], _seqNoOffsets, _seqNoData, n);
    }

    /// <summary>The keys as UTF-8 in this writer's buffers, valid until the next call (a queued batch's keys are copied).</summary>
    private BinaryVector KeyColumn(IReadOnlyList<string> keys)
    {
        var n = keys.Count;
        EnsureCapacity(ref _keyOffsets, n + 1);
        var size = 0;
        for (var i = 0; i < n; i++)
        {
            _keyOffsets[i] = size;
            size += Encoding.UTF8.GetByteCount(keys[i]);
        }

        _keyOffsets[n] = size;
        EnsureCapacity(ref _keyData, size);
        for (var i = 0; i < n; i++)
        {
            Encoding.UTF8.GetBytes(keys[i], _keyData.AsSpan(_keyOffsets[i]));
        }

        return new BinaryVector(s_metaFields[2], _keyOffsets, _keyData, n);
    }

    private static void EnsureCapacity<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }
}

/// <summary>A meta column whose value is the same in every row of a file (commit time, partition path, file name), built once and grown as batches need.</summary>
internal sealed class RepeatedValue(Field field, string value)
{
    private readonly byte[] _value = Encoding.UTF8.GetBytes(value);
    private int[] _offsets = [0];
    private byte[] _data = [];
    private int _rows;

    /// <summary>A vector of <paramref name="rows"/> copies; valid until the next call (the Parquet writer copies it).</summary>
    public BinaryVector Vector(int rows)
    {
        if (rows > _rows)
        {
            var capacity = Math.Max(rows, _rows * 2);
            _offsets = new int[capacity + 1];
            _data = new byte[capacity * _value.Length];
            for (var i = 0; i < capacity; i++)
            {
                _offsets[i + 1] = (i + 1) * _value.Length;
                _value.CopyTo(_data.AsSpan(i * _value.Length));
            }

            _rows = capacity;
        }

        return new BinaryVector(field, _offsets, _data, rows);
    }
}
