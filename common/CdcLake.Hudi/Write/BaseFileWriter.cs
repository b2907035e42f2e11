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

    private readonly ObjectWriteStream _stream;
    private readonly ParquetWriter _writer;
    private readonly ParquetSchema _schema;
    private readonly HoodieBloomFilter _bloom = HoodieBloomFilter.Create();
    private readonly string _instant;
    private readonly int _taskId;
    private string? _minKey;
    private string? _maxKey;
    private long _rows;

    private BaseFileWriter(ObjectWriteStream stream, ParquetWriter writer, ParquetSchema schema, string instant, int taskId, string partitionPath, BaseFileName name, string path)
    {
        _stream = stream;
        _writer = writer;
        _schema = schema;
        _instant = instant;
        _taskId = taskId;
        PartitionPath = partitionPath;
        Name = name;
        Path = path;
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
    public void WriteNew(RecordBatch data, IReadOnlyList<string> keys)
    {
        if (data.RowCount == 0)
        {
            return;
        }

        var n = data.RowCount;
        var seqNos = new string[n];
        for (var i = 0; i < n; i++)
        {
            seqNos[i] = $"{_instant}_{_taskId}_{_rows + i}";
        }

        var columns = new List<ColumnVector>
        {
            Strings(s_metaFields[0], Repeat(_instant, n)),
            Strings(s_metaFields[1], seqNos),
            Strings(s_metaFields[2], keys),
            Strings(s_metaFields[3], Repeat(PartitionPath, n)),
            Strings(s_metaFields[4], Repeat(FileName, n)),
        };
        columns.AddRange(data.Columns);
        Write(new RecordBatch(_schema, columns, n), keys);
    }

    /// <summary>
    /// Copies rows of an existing base file (meta columns included): they keep their commit time, sequence number,
    /// key and partition, and get this file's name.
    /// </summary>
    public void CopyRows(RecordBatch oldFileBatch, int[] rows)
    {
        if (rows.Length == 0)
        {
            return;
        }

        var taken = rows.Length == oldFileBatch.RowCount && rows[^1] == rows.Length - 1
            ? oldFileBatch
            : RowSelection.Take(oldFileBatch, rows, [.. oldFileBatch.Schema.Fields.Select(f => f.Name)]);
        var columns = taken.Columns.ToList();
        columns[4] = Strings(s_metaFields[4], Repeat(FileName, rows.Length));
        var keyColumn = (BinaryVector)columns[2];
        var keys = new string[rows.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = keyColumn.GetString(i);
        }

        Write(new RecordBatch(_schema, columns, rows.Length), keys);
    }

    /// <summary>Writes the footer (bloom filter, key range) and publishes the file; returns its size.</summary>
    public async Task<long> CompleteAsync(CancellationToken cancellationToken)
    {
        _writer.AddKeyValueMetadata(HoodieFooterKeys.BloomFilterTypeCode, "DYNAMIC_V0");
        _writer.AddKeyValueMetadata(HoodieFooterKeys.BloomFilter, _bloom.Serialize());
        if (_minKey is not null)
        {
            _writer.AddKeyValueMetadata(HoodieFooterKeys.MinRecordKey, _minKey);
            _writer.AddKeyValueMetadata(HoodieFooterKeys.MaxRecordKey, _maxKey!);
        }

        _writer.Close();
        await _stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return _writer.BytesWritten;
    }

    public async ValueTask DisposeAsync()
    {
        _writer.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private void Write(RecordBatch batch, IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            _bloom.Add(key);
            if (_minKey is null || string.CompareOrdinal(key, _minKey) < 0)
            {
                _minKey = key;
            }

            if (_maxKey is null || string.CompareOrdinal(key, _maxKey) > 0)
            {
                _maxKey = key;
            }
        }

        _writer.Write(batch);
        _rows += batch.RowCount;
    }

    private static string[] Repeat(string value, int count)
    {
        var values = new string[count];
        Array.Fill(values, value);
        return values;
    }

    internal static BinaryVector Strings(Field field, IReadOnlyList<string> values)
    {
        var offsets = new int[values.Count + 1];
        var size = 0;
        for (var i = 0; i < values.Count; i++)
        {
            size += Encoding.UTF8.GetByteCount(values[i]);
            offsets[i + 1] = size;
        }

        var data = new byte[size];
        for (var i = 0; i < values.Count; i++)
        {
            Encoding.UTF8.GetBytes(values[i], data.AsSpan(offsets[i]));
        }

        return new BinaryVector(field, offsets, data, values.Count);
    }
}
