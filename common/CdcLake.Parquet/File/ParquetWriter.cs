using System.Runtime.ExceptionServices;
using CdcLake.Parquet.Compression;
using CdcLake.Parquet.Internal;
using CdcLake.Parquet.Internal.Writing;
using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet;

/// <summary>
/// Writes a Parquet file from <see cref="RecordBatch"/>es of one schema. Batches of any size are accepted; row
/// groups are cut at <see cref="ParquetWriteOptions.RowGroupRows"/> rows or once their encoded size reaches
/// <see cref="ParquetWriteOptions.RowGroupBytes"/> (a batch may span row groups), or when
/// <see cref="FlushRowGroup"/> is called. The pages of the open row group are held in memory, compressed, and
/// written out when it is flushed, so memory is bounded by one row group whatever the file size, and the
/// output stream is only ever appended to (it need not be seekable).
/// </summary>
/// <remarks>
/// Batch buffers are copied into the writer's own page buffers during <see cref="Write"/>, so the caller may
/// reuse them once it returns. A batch that does not fit the schema (wrong vector type, null in a required
/// column, bad offsets or FIXED_LEN_BYTE_ARRAY widths) is refused whole with a <see cref="ParquetException"/>
/// naming the column, and the writer stays usable. Any other failure (an I/O error) leaves the file
/// incomplete: later calls fail, and <see cref="Dispose"/> only releases the output. Not thread-safe; the
/// columns of a batch are encoded in parallel internally (<see cref="ParquetWriteOptions.MaxDegreeOfParallelism"/>).
/// </remarks>
public sealed class ParquetWriter : IDisposable
{
    /// <summary>Slots per append step, summed over the columns, from which columns are encoded in parallel.</summary>
    private const long ParallelThreshold = 16_384;

    /// <summary>Rows of the first append step of a row group, before its bytes per row are known.</summary>
    private const int FirstStepRows = 8192;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly string? _name;
    private readonly ParquetSchema _schema;
    private readonly ParquetWriteOptions _options;
    private readonly ColumnChunkWriter[] _columns;
    private readonly IReadOnlyDictionary<string, string>?[] _columnMetadata;
    private readonly List<RowGroup> _rowGroups = [];
    private readonly List<KeyValue> _lateKeyValueMetadata = [];
    private long _position;
    private int _rowsInGroup;
    private long _rowsFlushed;
    private State _state;
    private SelectionBuffers? _selection;
    private bool _released;
    private ParquetFileInfo? _info;

    /// <param name="output">Written sequentially from its current position; need not be seekable.</param>
    /// <param name="name">The file's name for messages.</param>
    /// <param name="leaveOpen">Whether <paramref name="output"/> stays open after <see cref="Close"/>.</param>
    /// <exception cref="ParquetException">The schema or options cannot be written (e.g. the codec's native library is missing); nothing has been written.</exception>
    public ParquetWriter(Stream output, ParquetSchema schema, ParquetWriteOptions? options = null, string? name = null, bool leaveOpen = false)
        : this(output, schema?.ToWriteLayout(options?.LegacyListLayout == true)!, options ?? ParquetWriteOptions.Default, name, leaveOpen, settings: null)
    {
    }

    private ParquetWriter(Stream output, ParquetSchema schema, ParquetWriteOptions options, string? name, bool leaveOpen, WriterSettings? settings)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        if (!output.CanWrite)
        {
            throw new ArgumentException("the output stream is not writable", nameof(output));
        }

        settings ??= Resolve(schema, options, name);
        _output = output;
        _leaveOpen = leaveOpen;
        _name = name;
        _schema = schema;
        _options = options;
        _columns = new ColumnChunkWriter[schema.Columns.Count];
        _columnMetadata = new IReadOnlyDictionary<string, string>?[schema.Columns.Count];
        for (var c = 0; c < _columns.Length; c++)
        {
            _columns[c] = ColumnWriterFactory.Create(schema.Columns[c], settings);
            _columnMetadata[c] = options.ColumnKeyValueMetadata.GetValueOrDefault(schema.Columns[c].DottedPath);
        }

        _output.Write(ParquetFooter.Magic);
        _position = ParquetFooter.Magic.Length;
    }

    private enum State
    {
        Open,
        Closed,
        Failed,
    }

    /// <summary>Rows accepted so far, including those of the row group not yet flushed.</summary>
    public long RowsWritten => _rowsFlushed + _rowsInGroup;

    /// <summary>Bytes written to the output so far: flushed row groups, and after <see cref="Close"/> the footer.</summary>
    public long BytesWritten => _position;

    /// <summary>
    /// What the file would about measure if closed now, footer aside: <see cref="BytesWritten"/> plus the encoded size
    /// of the open row group (its finished pages, the page being built, the dictionary), as parquet-mr's getDataSize,
    /// so that a caller can cut files at a target size without knowing the bytes per row beforehand.
    /// </summary>
    public long DataSize => _position + (_state == State.Open ? BufferedBytes() : 0);

    /// <summary>Creates (or truncates) the file at <paramref name="path"/>, after checking schema and options.</summary>
    /// <exception cref="ParquetException">The schema or options cannot be written, or the file cannot be created; no file is created in the first case.</exception>
    public static ParquetWriter Create(string path, ParquetSchema schema, ParquetWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        // A schema read from a file may use a legacy list layout; files are always written in the standard one.
        options ??= ParquetWriteOptions.Default;
        schema = schema.ToWriteLayout(options.LegacyListLayout);
        var settings = Resolve(schema, options, path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ParquetException($"cannot create the file: {e.Message}", e).WithContext(path);
        }

        try
        {
            return new ParquetWriter(stream, schema, options, path, leaveOpen: false, settings);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends the rows of <paramref name="batch"/>, whose columns follow the writer's schema field by field.</summary>
    public void Write(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        EnsureOpen();
        var sources = Prepare(batch);
        try
        {
            var row = 0;
            while (row < batch.RowCount)
            {
                var step = NextStep(batch.RowCount - row);
                Append(sources, row, step);
                row += step;
                _rowsInGroup += step;
                if (_rowsInGroup >= _options.RowGroupRows || BufferedBytes() >= _options.RowGroupBytes)
                {
                    Flush();
                }
            }
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    /// <summary>
    /// Appends rows <paramref name="rows"/> of <paramref name="batch"/> (indices into it, in the order given), as
    /// <see cref="Write(RecordBatch)"/> of <see cref="RowSelection.Take(RecordBatch, int[], IReadOnlyList{string})"/>
    /// would, but gathered into buffers this writer keeps from call to call: writing most rows of many large
    /// batches (a file rewritten without some rows) allocates nothing per batch.
    /// </summary>
    public void Write(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(batch);
        EnsureOpen();
        foreach (var row in rows)
        {
            if ((uint)row >= (uint)batch.RowCount)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"the batch has {batch.RowCount} rows");
            }
        }

        _selection ??= new SelectionBuffers();
        Write(_selection.Take(batch, rows));
    }

    /// <summary>
    /// Appends row group <paramref name="rowGroup"/> of <paramref name="source"/> as a row group of this file with its
    /// column chunks copied as stored (pages, compression, statistics: nothing decoded or encoded), except the
    /// top-level columns <paramref name="replacements"/> holds, which are encoded from its vectors (one slot per row).
    /// The rows written before are flushed as a row group of their own first. Nothing is written, and false returned,
    /// when a copied column is not stored exactly as this writer's schema declares it (path, physical type, length,
    /// levels, logical type) or a replaced one is not a top-level primitive column of the writer's.
    /// </summary>
    public bool TryCopyRowGroup(ParquetReader source, int rowGroup, RecordBatch? replacements = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(rowGroup);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rowGroup, source.RowGroupCount);
        EnsureOpen();
        var stored = source.StoredRowGroup(rowGroup);
        var rows = stored.NumRows;
        if (replacements is not null && replacements.RowCount != rows)
        {
            throw new ArgumentException($"{replacements.RowCount} replacement rows for a row group of {rows}", nameof(replacements));
        }

        // Each column of this file: the source chunk it is copied from, or the replacement it is encoded from.
        var plan = new (ColumnChunk? Chunk, ColumnVector? Vector)[_columns.Length];
        for (var c = 0; c < _columns.Length; c++)
        {
            var column = _schema.Columns[c];
            if (replacements is not null && column.Path.Count == 1 && replacements.Schema.IndexOf(column.Path[0]) is var r and >= 0)
            {
                var vector = replacements.Columns[r];
                if (vector.Field is not PrimitiveField field || field.PhysicalType != column.Field.PhysicalType)
                {
                    return false;
                }

                plan[c] = (null, vector);
                continue;
            }

            var from = source.Schema.Columns.FirstOrDefault(s => s.DottedPath == column.DottedPath);
            if (from is null || from.Field.PhysicalType != column.Field.PhysicalType || from.Field.TypeLength != column.Field.TypeLength
                || from.MaxDefinitionLevel != column.MaxDefinitionLevel || from.MaxRepetitionLevel != column.MaxRepetitionLevel
                || from.Field.LogicalType != column.Field.LogicalType || stored.Columns[from.Index] is not { MetaData: { } meta, FilePath: null, IsEncrypted: false } chunk
                || meta.TotalCompressedSize < 0)
            {
                return false;
            }

            plan[c] = (chunk, null);
        }

        try
        {
            Flush();
            WriteRowGroup(rows, c =>
            {
                if (plan[c].Vector is not { } vector)
                {
                    return CopyChunk(source, plan[c].Chunk!, _columnMetadata[c]);
                }

                _columns[c].AppendFlat(vector, 0, (int)rows);
                _columns[c].FinishChunk();
                return _columns[c].WriteChunk(_output, ref _position, _columnMetadata[c]);
            });
            return true;
        }
        catch (ParquetException e)
        {
            _state = State.Failed;
            throw e.WithContext(_name);
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    /// <summary>Copies a stored column chunk's bytes to the end of this file; its metadata moved to where they now are.</summary>
    private ColumnChunk CopyChunk(ParquetReader source, ColumnChunk chunk, IReadOnlyDictionary<string, string>? keyValueMetadata)
    {
        var meta = chunk.MetaData!;
        var start = meta.FirstPageOffset;
        var length = meta.TotalCompressedSize;
        var shift = _position - start;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(length, 1 << 20));
        try
        {
            for (long done = 0; done < length;)
            {
                var piece = (int)Math.Min(buffer.Length, length - done);
                source.ReadStored(start + done, buffer.AsSpan(0, piece));
                _output.Write(buffer, 0, piece);
                done += piece;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        _position += length;
        var moved = new ColumnMetaData
        {
            Type = meta.Type,
            Encodings = meta.Encodings,
            PathInSchema = meta.PathInSchema,
            Codec = meta.Codec,
            NumValues = meta.NumValues,
            TotalUncompressedSize = meta.TotalUncompressedSize,
            TotalCompressedSize = meta.TotalCompressedSize,
            DataPageOffset = meta.DataPageOffset + shift,
            DictionaryPageOffset = meta.FirstPageOffset < meta.DataPageOffset ? meta.DictionaryPageOffset + shift : null,
            Statistics = meta.Statistics,
            EncodingStats = meta.EncodingStats,
            SizeStatistics = meta.SizeStatistics,
            KeyValueMetadata = keyValueMetadata is { Count: > 0 } kv ? [.. kv.Select(p => new KeyValue(p.Key, p.Value))] : null,

            // The source's page indexes and bloom filter lie outside the chunk: not copied, not referred to.
        };
        return new ColumnChunk { FileOffset = moved.DictionaryPageOffset ?? moved.DataPageOffset, MetaData = moved };
    }

    /// <summary>
    /// Adds a footer key/value pair known only once the rows are written (a bloom filter of the keys, say); it
    /// follows <see cref="ParquetWriteOptions.KeyValueMetadata"/> in the footer. Call before <see cref="Close"/>.
    /// </summary>
    public void AddKeyValueMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnsureOpen();
        _lateKeyValueMetadata.Add(new KeyValue(key, value));
    }

    /// <summary>Ends the current row group now (nothing happens when it is empty).</summary>
    public void FlushRowGroup()
    {
        EnsureOpen();
        try
        {
            Flush();
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    /// <summary>Flushes the last row group and writes the footer. Later calls return the same summary.</summary>
    public ParquetFileInfo Close()
    {
        if (_state == State.Closed)
        {
            return _info!;
        }

        if (_state == State.Failed)
        {
            throw new ParquetException("an earlier error left the file incomplete; it cannot be closed").WithContext(_name);
        }

        try
        {
            Flush();
            var meta = new FileMetaData
            {
                Version = _options.DataPageVersion == 2 ? 2 : 1,
                Schema = SchemaWriter.Build(_schema, _options.SchemaRootName, _schema.UsesLegacyLists, _options.MapKeyValueAnnotation),
                NumRows = _rowsFlushed,
                RowGroups = _rowGroups,
                KeyValueMetadata = _options.KeyValueMetadata.Count + _lateKeyValueMetadata.Count == 0
                    ? null
                    : [.. _options.KeyValueMetadata.Select(p => new KeyValue(p.Key, p.Value)), .. _lateKeyValueMetadata],
                CreatedBy = _options.CreatedBy,
                ColumnOrders = [.. _schema.Columns.Select(_ => ColumnOrder.TypeOrder)],
            };
            var tail = ParquetFooter.SerializeWithTail(meta);
            _output.Write(tail);
            _position += tail.Length;
            _output.Flush();
            _info = WrittenFileInfo.Build(meta, _schema);
            _state = State.Closed;
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
        finally
        {
            Release();
        }

        return _info;
    }

    /// <summary>Closes the file (writing the footer) unless that was done or an error made it impossible.</summary>
    public void Dispose()
    {
        if (_state == State.Open)
        {
            try
            {
                Close();
            }
            finally
            {
                Release();
            }
        }
        else
        {
            Release();
        }
    }

    private static WriterSettings Resolve(ParquetSchema schema, ParquetWriteOptions options, string? name)
    {
        try
        {
            SchemaWriter.Validate(schema);
            if (options.DataPageVersion is not (1 or 2))
            {
                throw new ParquetException($"DataPageVersion must be 1 or 2, not {options.DataPageVersion}");
            }

            if (options.PageBytes <= 0 || options.RowGroupRows <= 0 || options.RowGroupBytes <= 0 || options.DictionaryPageBytes < 0)
            {
                throw new ParquetException(
                    $"PageBytes ({options.PageBytes}), RowGroupRows ({options.RowGroupRows}) and RowGroupBytes ({options.RowGroupBytes}) must be positive, DictionaryPageBytes ({options.DictionaryPageBytes}) not negative");
            }

            if (options.MaxDegreeOfParallelism < 1)
            {
                throw new ParquetException($"MaxDegreeOfParallelism must be at least 1, not {options.MaxDegreeOfParallelism}");
            }

            foreach (var path in options.ColumnKeyValueMetadata.Keys)
            {
                if (!schema.Columns.Any(c => c.DottedPath == path))
                {
                    throw new ParquetException($"ColumnKeyValueMetadata names '{path}', which is not a column; columns are {string.Join(", ", schema.Columns.Select(c => c.DottedPath))}");
                }
            }

            var codec = ToCodecId(options.Codec);
            CheckCodec(codec, options);
            return new WriterSettings
            {
                Codec = codec,
                CompressionLevel = options.CompressionLevel,
                PageVersion = options.DataPageVersion,
                PageBytes = options.PageBytes,
                EnableDictionary = options.EnableDictionary,
                DictionaryPageBytes = options.DictionaryPageBytes,
                Statistics = options.WriteStatistics,
                Checksums = options.WriteChecksums,
            };
        }
        catch (ParquetException e)
        {
            throw e.WithContext(name);
        }
    }

    private static CodecId ToCodecId(ParquetCodec codec) => codec switch
    {
        ParquetCodec.None => CodecId.Uncompressed,
        ParquetCodec.Snappy => CodecId.Snappy,
        ParquetCodec.Gzip => CodecId.Gzip,
        ParquetCodec.Zstd => CodecId.Zstd,
        ParquetCodec.Brotli => CodecId.Brotli,
        ParquetCodec.Lz4Raw => CodecId.Lz4Raw,
        _ => throw new ParquetException($"unknown codec {(int)codec}"),
    };

    /// <summary>Refuses a codec that cannot be written here, or a level it does not have, before any byte is written.</summary>
    private static void CheckCodec(CodecId codec, ParquetWriteOptions options)
    {
        var reason = options.CodecAvailability is { } probe
            ? probe(codec)
            : PageCompression.IsAvailable(codec, out var unavailable) ? null : unavailable;
        if (reason is not null)
        {
            throw new ParquetException($"cannot write {PageCompression.Name(codec)} pages: {reason}");
        }

        try
        {
            Span<byte> scratch = stackalloc byte[256];
            PageCompression.Compress(codec, "PAR1"u8, scratch, options.CompressionLevel);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ParquetException($"compression level {options.CompressionLevel} is not valid for {PageCompression.Name(codec)}", e);
        }
    }

    private void EnsureOpen()
    {
        if (_state == State.Closed)
        {
            throw new ObjectDisposedException(nameof(ParquetWriter), "the writer is closed");
        }

        if (_state == State.Failed)
        {
            throw new ParquetException("an earlier error left the file incomplete; nothing more can be written").WithContext(_name);
        }
    }

    /// <summary>Validates the whole batch and shreds its nested fields, before anything is appended.</summary>
    private LeafSource[] Prepare(RecordBatch batch)
    {
        if (batch.Columns.Count != _schema.Fields.Count)
        {
            throw new ParquetException($"the batch has {batch.Columns.Count} columns but the schema {_schema.Fields.Count} fields").WithContext(_name);
        }

        var sources = new LeafSource[_columns.Length];
        for (var i = 0; i < _schema.Fields.Count; i++)
        {
            var field = _schema.Fields[i];
            var vector = batch.Columns[i];
            if (vector.Length != batch.RowCount)
            {
                throw new ParquetException($"vector has {vector.Length} slots for {batch.RowCount} rows").WithContext(_name, field.Name);
            }

            try
            {
                BatchValidator.Validate(field, vector, field.Name);
            }
            catch (ParquetException e)
            {
                throw e.WithContext(_name);
            }

            var node = _schema.Root.Children[i];
            if (node.Kind == NodeKind.Leaf)
            {
                sources[node.FirstLeaf] = new LeafSource(vector, null, null);
                continue;
            }

            ShreddedLeaf[] leaves;
            try
            {
                leaves = RecordShredder.ShredField(_schema, i, vector);
            }
            catch (ParquetException e)
            {
                throw e.WithContext(_name, field.Name);
            }
            catch (Exception e) when (e is InvalidCastException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
            {
                throw new ParquetException($"the vectors do not fit the field: {e.Message}", e).WithContext(_name, field.Name);
            }

            foreach (var leaf in leaves)
            {
                sources[leaf.Column.Index] = new LeafSource(null, leaf, RowStarts(leaf, batch.RowCount));
            }
        }

        return sources;
    }

    /// <summary>For a repeated leaf, the level position where each row starts (and the end); null when positions are rows.</summary>
    private int[]? RowStarts(ShreddedLeaf leaf, int rows)
    {
        var rep = leaf.RepetitionLevels;
        if (rep is null)
        {
            if (leaf.LevelCount != rows)
            {
                throw new ParquetException($"shredding gave {leaf.LevelCount} levels for {rows} rows").WithContext(_name, leaf.Column.DottedPath);
            }

            return null;
        }

        var starts = new int[rows + 1];
        var row = 0;
        for (var p = 0; p < leaf.LevelCount; p++)
        {
            if (rep[p] == 0)
            {
                if (row == rows)
                {
                    throw new ParquetException($"shredding gave more rows than the batch's {rows}").WithContext(_name, leaf.Column.DottedPath);
                }

                starts[row++] = p;
            }
        }

        if (row != rows)
        {
            throw new ParquetException($"shredding gave {row} rows for {rows}").WithContext(_name, leaf.Column.DottedPath);
        }

        starts[rows] = leaf.LevelCount;
        return starts;
    }

    /// <summary>
    /// Rows to append before the row group limits are checked again: up to the row limit, and up to what the
    /// group's bytes per row so far say still fits under the byte limit (at least a sixteenth of the rows
    /// already in the group, so that the last steps do not shrink to single rows).
    /// </summary>
    private int NextStep(int remaining)
    {
        long step = Math.Min(remaining, _options.RowGroupRows - _rowsInGroup);
        var buffered = BufferedBytes();
        if (_rowsInGroup == 0 || buffered == 0)
        {
            step = Math.Min(step, FirstStepRows);
        }
        else
        {
            var perRow = (double)buffered / _rowsInGroup;
            var fit = (long)Math.Min((_options.RowGroupBytes - buffered) / perRow, int.MaxValue);
            step = Math.Min(step, Math.Max(fit, _rowsInGroup / 16));
        }

        return (int)Math.Max(1, step);
    }

    private long BufferedBytes()
    {
        long total = 0;
        foreach (var column in _columns)
        {
            total += column.BufferedBytes;
        }

        return total;
    }

    private void Append(LeafSource[] sources, int row, int step)
    {
        void AppendColumn(int c)
        {
            var column = _columns[c];
            var source = sources[c];
            try
            {
                if (source.Flat is { } vector)
                {
                    column.AppendFlat(vector, row, step);
                }
                else
                {
                    var from = source.RowStarts?[row] ?? row;
                    var to = source.RowStarts?[row + step] ?? row + step;
                    column.AppendNested(source.Leaf!, from, to, ref source.ValueCursor);
                }
            }
            catch (ParquetException e)
            {
                throw e.WithContext(_name, column.Column.DottedPath);
            }
        }

        ForEachColumn(AppendColumn, (long)step * _columns.Length);
    }

    private void Flush()
    {
        if (_rowsInGroup == 0)
        {
            return;
        }

        ForEachColumn(
            c =>
            {
                try
                {
                    _columns[c].FinishChunk();
                }
                catch (ParquetException e)
                {
                    throw e.WithContext(_name, _columns[c].Column.DottedPath);
                }
            },
            ParallelThreshold);

        WriteRowGroup(_rowsInGroup, c => _columns[c].WriteChunk(_output, ref _position, _columnMetadata[c]));
        _rowsInGroup = 0;
    }

    /// <summary>Writes a row group of <paramref name="rows"/> rows, its column chunks written by <paramref name="writeChunk"/> in column order, and records it for the footer.</summary>
    private void WriteRowGroup(long rows, Func<int, ColumnChunk> writeChunk)
    {
        var group = new RowGroup
        {
            NumRows = rows,
            FileOffset = _position,
            Ordinal = _rowGroups.Count <= short.MaxValue ? (short)_rowGroups.Count : null,
        };
        long uncompressed = 0, compressed = 0;
        for (var c = 0; c < _columns.Length; c++)
        {
            var chunk = writeChunk(c);
            uncompressed += chunk.MetaData!.TotalUncompressedSize;
            compressed += chunk.MetaData.TotalCompressedSize;
            group.Columns.Add(chunk);
        }

        group.TotalByteSize = uncompressed;
        group.TotalCompressedSize = compressed;
        _rowGroups.Add(group);
        _rowsFlushed += rows;
    }

    private void ForEachColumn(Action<int> action, long work)
    {
        if (_columns.Length > 1 && _options.MaxDegreeOfParallelism > 1 && work >= ParallelThreshold)
        {
            try
            {
                Parallel.For(0, _columns.Length, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism }, action);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }
        else
        {
            for (var c = 0; c < _columns.Length; c++)
            {
                action(c);
            }
        }
    }

    private void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        foreach (var column in _columns)
        {
            column.Dispose();
        }

        if (!_leaveOpen)
        {
            _output.Dispose();
        }
    }

    /// <summary>Where one leaf column's values come from in the batch being written.</summary>
    private sealed class LeafSource(ColumnVector? flat, ShreddedLeaf? leaf, int[]? rowStarts)
    {
        public ColumnVector? Flat { get; } = flat;

        public ShreddedLeaf? Leaf { get; } = leaf;

        public int[]? RowStarts { get; } = rowStarts;

        public int ValueCursor;
    }
}
