using System.Runtime.CompilerServices;
using CdcLake.Cdc.Internal;
using CdcLake.Hudi;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Cdc;

/// <summary>How a <see cref="ChangeReader"/> reads.</summary>
public sealed record ChangeReaderOptions
{
    public static ChangeReaderOptions Default { get; } = new();

    /// <summary>The table's current columns, when it exists: the change schema starts from them (see <see cref="ChangeSchema.Build"/>).</summary>
    public ParquetSchema? TableSchema { get; init; }

    /// <summary>
    /// Quarantine: rows with a null key, an unknown Op or an unusable ordering value go to
    /// <see cref="ChangeBatch.BadRows"/> and the rest is read. Otherwise the first one throws a <see cref="CdcDataException"/>.
    /// Unreadable files and type conflicts always throw.
    /// </summary>
    public bool CollectBadRows { get; init; }

    /// <summary>File footers read at once while the schema is built (S3 round trips overlap).</summary>
    public int FooterParallelism { get; init; } = 8;

    public ParquetReadOptions? Parquet { get; init; }
}

/// <summary>
/// Reads DMS files into changes: each file's rows in the table's columns (<see cref="ChangeSchema"/>), with their
/// record key, Op, total order (<see cref="CdcOrder"/>), before-image key and partition path. Opening reads every
/// file's footer first, so the schema is the union over all of them and a conflict stops the read before any row.
/// Streams one row group at a time.
/// </summary>
public sealed class ChangeReader
{
    private readonly IObjectStore _store;
    private readonly TableSpec _spec;
    private readonly ChangeReaderOptions _options;
    private readonly KeyGenerator _keys;
    private readonly Dictionary<DmsFile, ParquetSchema> _fileSchemas;

    private ChangeReader(IObjectStore store, TableSpec spec, ChangeReaderOptions options, IReadOnlyList<DmsFile> files, Dictionary<DmsFile, ParquetSchema> fileSchemas, ChangeSchema schema, long rows)
    {
        Rows = rows;
        _store = store;
        _spec = spec;
        _options = options;
        _keys = spec.CreateKeyGenerator();
        Files = files;
        _fileSchemas = fileSchemas;
        Schema = schema;
    }

    public ChangeSchema Schema { get; }

    /// <summary>The rows of all the files, as their footers state.</summary>
    public long Rows { get; }

    /// <summary>The files, in the order they are read (as given: LOAD files in load order, then CDC files in time order).</summary>
    public IReadOnlyList<DmsFile> Files { get; }

    /// <summary>Reads the footers of <paramref name="files"/> (in <paramref name="store"/>, rooted where their paths are relative to) and builds the schema.</summary>
    /// <exception cref="CdcDataException">A file is unreadable, or the files do not fit together (see <see cref="ChangeSchema.Build"/>).</exception>
    public static async Task<ChangeReader> OpenAsync(IObjectStore store, TableSpec spec, IEnumerable<DmsFile> files, ChangeReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(files);
        options ??= ChangeReaderOptions.Default;
        var list = files.ToList();
        var schemas = new ParquetSchema[list.Count];
        var rows = new long[list.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, list.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.FooterParallelism), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                using var reader = await OpenFileAsync(store, list[i], options, ct).ConfigureAwait(false);
                schemas[i] = reader.Schema;
                rows[i] = reader.RowCount;
            }).ConfigureAwait(false);

        var schema = ChangeSchema.Build(spec, [.. list.Zip(schemas)], options.TableSchema);
        var bySchema = new Dictionary<DmsFile, ParquetSchema>();
        for (var i = 0; i < list.Count; i++)
        {
            bySchema[list[i]] = schemas[i];
        }

        return new ChangeReader(store, spec, options, list, bySchema, schema, rows.Sum());
    }

    /// <summary>Every file's changes, file by file, row group by row group.</summary>
    public async IAsyncEnumerable<ChangeBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var file in Files)
        {
            await foreach (var batch in ReadFileAsync(file, cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }
        }
    }

    /// <summary>One file's changes, row group by row group.</summary>
    /// <exception cref="CdcDataException">The file is unreadable, or (without <see cref="ChangeReaderOptions.CollectBadRows"/>) a row is bad.</exception>
    public async IAsyncEnumerable<ChangeBatch> ReadFileAsync(DmsFile file, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!_fileSchemas.ContainsKey(file))
        {
            throw new ArgumentException($"{file.Path} is not one of the files this reader was opened with", nameof(file));
        }

        using var reader = await OpenFileAsync(_store, file, _options, cancellationToken).ConfigureAwait(false);
        if (!DmsTypes.Same(new StructField("r", reader.Schema.Fields), new StructField("r", _fileSchemas[file].Fields)))
        {
            throw new CdcDataException(file.Path, null, null, "the file changed while it was being read (its schema differs from when it was listed)");
        }

        var layout = Schema.LayoutOf(_fileSchemas[file]);
        var batches = new ChangeBatchBuilder(_spec, Schema, _keys, file, layout, _options.CollectBadRows);
        long row = 0;
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RecordBatch raw;
            try
            {
                raw = reader.ReadRowGroup(group);
            }
            catch (ParquetException e)
            {
                throw Unreadable(file, e);
            }

            if (row + raw.RowCount - 1 > CdcOrder.MaxRow)
            {
                throw new CdcDataException(file.Path, row, null, $"the file has more than {CdcOrder.MaxRow} rows");
            }

            yield return batches.Build(raw, row);
            row += raw.RowCount;
        }
    }

    private static async Task<ParquetReader> OpenFileAsync(IObjectStore store, DmsFile file, ChangeReaderOptions options, CancellationToken cancellationToken)
    {
        StoreRandomAccessFile? input = null;
        try
        {
            input = await StoreRandomAccessFile.OpenAsync(store, file.Path, cancellationToken).ConfigureAwait(false);
            return new ParquetReader(input, options.Parquet);
        }
        catch (ParquetException e)
        {
            throw Unreadable(file, e);
        }
        catch (IOException e)
        {
            input?.Dispose();
            throw new CdcDataException(file.Path, null, null, $"unreadable: {e.Message}", e);
        }
    }

    private static CdcDataException Unreadable(DmsFile file, ParquetException e) =>
        new(file.Path, null, e.Column, $"unreadable Parquet: {e.Reason}", e);
}
