using CdcLake.Parquet.Internal;
using CdcLake.Parquet.Internal.Reading;
using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet;

/// <summary>
/// Reads a Parquet file one row group at a time, so memory stays bounded by the largest row group
/// (and by the projected columns of it). Column chunks of a row group are decoded in parallel.
/// Every problem with the bytes surfaces as a <see cref="ParquetException"/> naming the file and column.
/// </summary>
public sealed class ParquetReader : IDisposable
{
    private readonly IRandomAccessFile _file;
    private readonly ParquetReadOptions _options;
    private readonly FileMetaData _meta;
    private readonly ReadBufferPool _buffers;
    private ParquetFileInfo? _info;

    public ParquetReader(IRandomAccessFile file, ParquetReadOptions? options = null)
    {
        _file = file;
        _options = options ?? ParquetReadOptions.Default;

        // Each decoding thread holds a chunk buffer and a page buffer at a time, and dictionary indices.
        _buffers = new ReadBufferPool(2 * Math.Max(1, _options.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : _options.MaxDegreeOfParallelism) + 2);
        try
        {
            _meta = ReadFooter(file);
            if (_meta.IsEncrypted)
            {
                throw new ParquetException("encrypted files are not supported");
            }

            Schema = FileSchemaReader.Read(_meta.Schema);
            RowCount = CheckRowGroups();
        }
        catch (Exception e) when (IsDataError(e))
        {
            file.Dispose();
            throw Contextualize(e, null);
        }
    }

    public string Name => _file.Name;

    public ParquetSchema Schema { get; }

    /// <summary>Rows in the file: the sum over row groups (some writers leave the footer's total at 0).</summary>
    public long RowCount { get; }

    public int RowGroupCount => _meta.RowGroups.Count;

    public ParquetFileInfo Info => _info ??= FileInfoBuilder.Build(_meta, Schema, RowCount);

    public static ParquetReader Open(string path, ParquetReadOptions? options = null) =>
        new(new LocalRandomAccessFile(path), options);

    /// <summary>Reads one row group; <paramref name="columns"/> names top-level fields (null: all).</summary>
    /// <param name="reuse">
    /// A batch this reader returned earlier that the caller no longer uses, or null. The buffers of its
    /// top-level primitive columns are filled again for the same columns of this row group where they are
    /// large enough, so <paramref name="reuse"/> must not be read after this call: its values change.
    /// </param>
    public RecordBatch ReadRowGroup(int index, IReadOnlyList<string>? columns = null, RecordBatch? reuse = null) =>
        ReadRowGroup(index, columns, reuse, keepScratch: reuse is not null);

    /// <param name="keepScratch">
    /// Whether the batch keeps the dictionaries it was decoded with, for a later <paramref name="reuse"/> of it:
    /// only for a caller that recycles batches, since a batch held on to would otherwise hold them too.
    /// </param>
    private RecordBatch ReadRowGroup(int index, IReadOnlyList<string>? columns, RecordBatch? reuse, bool keepScratch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroupCount);
        var (nodes, batchSchema) = Project(columns);
        var rowGroup = _meta.RowGroups[index];
        var rows = (int)rowGroup.NumRows;
        var leaves = new LeafChunk?[Schema.Columns.Count];
        var recycled = Recyclable(nodes, reuse);
        var wanted = nodes.SelectMany(n => Enumerable.Range(n.FirstLeaf, n.LeafCount)).ToArray();
        try
        {
            Parallel.ForEach(
                wanted,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism },
                leaf => leaves[leaf] = ReadLeaf(rowGroup, leaf, rows, recycled?[leaf]));
            var vectors = RecordAssembler.Assemble(nodes, leaves, rows);
            foreach (var leaf in leaves)
            {
                // Levels never reach a vector; their arrays serve the next row group's decoding.
                ReturnLevels(leaf?.DefinitionLevels);
                ReturnLevels(leaf?.RepetitionLevels);
            }

            var dictionaries = keepScratch ? leaves.Select(l => l?.Dictionary).ToArray() : null;
            return new RecordBatch(batchSchema, vectors, rows)
            {
                ReaderScratch = dictionaries?.Any(d => d is not null) == true ? new ReaderScratch(this, dictionaries) : null,
            };
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && IsDataError(e.InnerExceptions[0]))
        {
            throw Contextualize(e.InnerExceptions[0], null);
        }
        catch (Exception e) when (IsDataError(e))
        {
            throw Contextualize(e, null);
        }
    }

    /// <summary>Streams row groups, skipping those <paramref name="keepRowGroup"/> rejects (e.g. by statistics).</summary>
    /// <param name="reuseBuffers">
    /// Whether each batch's buffers are filled again for the next one (see <see cref="ReadRowGroup"/>), so
    /// that reading a large file allocates about one row group's arrays instead of one set per row group. A
    /// batch is then valid only until the enumeration moves on: use or copy its values before that.
    /// </param>
    public IEnumerable<RecordBatch> ReadBatches(IReadOnlyList<string>? columns = null, Func<RowGroupInfo, bool>? keepRowGroup = null, bool reuseBuffers = false)
    {
        RecordBatch? previous = null;
        for (var i = 0; i < RowGroupCount; i++)
        {
            if (keepRowGroup is null || keepRowGroup(Info.RowGroups[i]))
            {
                var batch = ReadRowGroup(i, columns, previous, keepScratch: reuseBuffers);
                if (reuseBuffers)
                {
                    previous = batch;
                }

                yield return batch;
            }
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Row group <paramref name="index"/> as the footer stores it (for a writer copying its chunks).</summary>
    internal RowGroup StoredRowGroup(int index) => _meta.RowGroups[index];

    /// <summary>Bytes of the file as stored (a copied column chunk).</summary>
    internal void ReadStored(long offset, Span<byte> buffer) => _file.ReadExactly(offset, buffer);

    private void ReturnLevels(int[]? levels)
    {
        if (levels is { Length: > 0 })
        {
            _buffers.Return(levels);
        }
    }

    private LeafChunk ReadLeaf(RowGroup rowGroup, int leaf, int rows, RecycledBuffers? recycled)
    {
        var column = Schema.Columns[leaf];
        try
        {
            return ColumnChunkReader.Read(_file, rowGroup.Columns[leaf], column, rows, _options, recycled, _buffers);
        }
        catch (Exception e) when (IsDataError(e))
        {
            throw Contextualize(e, column.DottedPath);
        }
    }

    /// <summary>
    /// Buffers of <paramref name="reuse"/> by leaf index: the vectors of projected top-level primitive fields
    /// it holds under the same name and field, and the dictionaries this reader decoded it with; null when
    /// there are none.
    /// </summary>
    private RecycledBuffers?[]? Recyclable(SchemaNode[] nodes, RecordBatch? reuse)
    {
        if (reuse is null)
        {
            return null;
        }

        var result = new RecycledBuffers?[Schema.Columns.Count];
        var any = false;
        foreach (var node in nodes)
        {
            if (node.Kind != NodeKind.Leaf)
            {
                continue;
            }

            var at = reuse.Schema.IndexOf(node.Field!.Name);

            // The same field object: a vector this reader made for this column, not one of another file.
            if (at >= 0 && ReferenceEquals(reuse.Columns[at].Field, node.Field) && RecycledBuffers.From(reuse.Columns[at]) is { } buffers)
            {
                result[node.FirstLeaf] = buffers;
                any = true;
            }
        }

        if (reuse.ReaderScratch is { } scratch && ReferenceEquals(scratch.Owner, this))
        {
            // Dictionaries never reach the caller, so every leaf's can be reused, nested or not. The batch
            // gives them up: a second hand-over of the same batch must not share them.
            reuse.ReaderScratch = null;
            for (var leaf = 0; leaf < result.Length; leaf++)
            {
                if (scratch.Dictionaries[leaf] is { } dictionary)
                {
                    result[leaf] = (result[leaf] ?? new RecycledBuffers(null, null, null, null)) with { Dictionary = dictionary };
                    any = true;
                }
            }
        }

        return any ? result : null;
    }

    private (SchemaNode[] Nodes, ParquetSchema Schema) Project(IReadOnlyList<string>? columns)
    {
        if (columns is null)
        {
            return (Schema.Root.Children, Schema);
        }

        var nodes = new SchemaNode[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var index = Schema.IndexOf(columns[i]);
            if (index < 0)
            {
                throw new ParquetException($"no column named '{columns[i]}'; the file has {string.Join(", ", Schema.Fields.Select(f => f.Name))}").WithContext(Name);
            }

            nodes[i] = Schema.Root.Children[index];
        }

        return (nodes, new ParquetSchema(nodes.Select(n => n.Field!).ToArray(), new SchemaNode(NodeKind.Root, null, 0, 0, nodes.ToArray()), reindex: false));
    }

    private static FileMetaData ReadFooter(IRandomAccessFile file)
    {
        var length = file.Length;
        if (length < ParquetFooter.MinFileLength)
        {
            throw new ParquetException($"file is too short to be Parquet ({length} bytes)");
        }

        Span<byte> head = stackalloc byte[4];
        file.ReadExactly(0, head);
        if (!head.SequenceEqual(ParquetFooter.Magic))
        {
            throw new ParquetException("file does not start with the Parquet magic 'PAR1'");
        }

        Span<byte> tail = stackalloc byte[ParquetFooter.TailLength];
        file.ReadExactly(length - tail.Length, tail);
        var footerLength = ParquetFooter.ReadFooterLength(tail, length);
        var footer = new byte[footerLength];
        file.ReadExactly(length - tail.Length - footerLength, footer);
        return ParquetFooter.Parse(footer);
    }

    private long CheckRowGroups()
    {
        long total = 0;
        for (var i = 0; i < _meta.RowGroups.Count; i++)
        {
            var rg = _meta.RowGroups[i];
            if (rg.Columns.Count != Schema.Columns.Count)
            {
                throw new ParquetException($"row group {i} has {rg.Columns.Count} column chunks, the schema has {Schema.Columns.Count} columns");
            }

            if (rg.NumRows < 0 || rg.NumRows > Array.MaxLength)
            {
                throw new ParquetException($"row group {i} claims {rg.NumRows} rows");
            }

            total += rg.NumRows;
        }

        return total;
    }

    /// <summary>
    /// Errors that describe the input. Anything else is a bug in the codec and is left to surface as such:
    /// the mutation test (tests/CdcLake.Parquet.Mutation) reads thousands of corrupted files in strict mode
    /// to keep every malformed input on the ParquetException path.
    /// </summary>
    private static bool IsDataError(Exception e) => e is ParquetException or IOException or InvalidDataException;

    private ParquetException Contextualize(Exception e, string? column) => e switch
    {
        ParquetException p => p.WithContext(Name, column),
        _ => new ParquetException($"malformed data ({e.GetType().Name}: {e.Message})", e).WithContext(Name, column),
    };
}
