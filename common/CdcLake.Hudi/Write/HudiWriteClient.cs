using System.Diagnostics;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>
/// Writes a version-6 copy-on-write table the way Spark's Hudi writer does, so that Spark, Athena and hudi-rs read
/// it as their own: bulk insert, upsert, delete, insert-overwrite (replacecommit), clean, and the rollback of
/// failed writes. Every operation holds the table lock throughout and returns its metrics.
/// </summary>
/// <remarks>
/// Commit protocol (one instant <c>t</c>, under the lock):
/// <list type="number">
/// <item>Recover: finish interrupted rollbacks and cleans, roll back every pending commit (see <see cref="TableRecovery"/>),
///   drop a metadata table this writer does not maintain.</item>
/// <item>Plan: reconcile the input's columns with the last commit's (schema evolution: see <see cref="SchemaEvolution"/>;
///   a refused change fails here), combine the input by key (precombine), look keys up in the latest file slices (footer
///   min/max key and bloom filter first; only candidate files' keys are read), route inserts to small file groups, then
///   new ones; when the columns changed, every other current file group is rewritten too. (A bulk insert or
///   insert-overwrite streams instead: its first batch fixes the columns, file groups are cut as rows arrive.)</item>
/// <item><c>t.commit.requested</c> (empty; a replacecommit's: Avro HoodieRequestedReplaceMetadata, all null).</item>
/// <item><c>t.inflight</c>: the workload profile JSON (inserts per partition, updates per file group; empty for a bulk
///   insert, as Hudi's). Data files come only after it: Hudi rolls back a merely requested instant by deleting its
///   instant file alone, so files written under a requested instant could outlive a Spark-side rollback.</item>
/// <item>Per new partition, <c>.hoodie_partition_metadata</c> (create-if-absent).</item>
/// <item>Per file group: marker <c>.hoodie/.temp/t/&lt;partition&gt;/&lt;file&gt;.marker.CREATE|MERGE</c>, then the base file
///   (published whole). A rewritten group streams its old base file through, one row group at a time.</item>
/// <item><c>t.commit</c> (or <c>t.replacecommit</c>) with the write stats: the single atomic step that makes the write visible.</item>
/// <item>Delete the marker folder; then, with <see cref="HudiWriteOptions.AutoClean"/>, clean.</item>
/// </list>
/// A crash before step 7 leaves a pending instant that readers ignore and the next writer rolls back; after it, the
/// write is complete and leftover markers are removed by the next writer. (Readers that ignore the timeline, like
/// hudi-rs at table version 6, see a write's base files from step 6 on, as with Spark's writer.)
/// </remarks>
public sealed class HudiWriteClient
{
    private readonly IObjectStore _store;
    private readonly string _basePath;
    private readonly HudiWriteOptions _options;
    private readonly InstantTimeGenerator _instants;

    /// <param name="store">The store (not owned).</param>
    /// <param name="basePath">The table root relative to the store's root ("" for the root).</param>
    public HudiWriteClient(IObjectStore store, string basePath, HudiWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(basePath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.LockProvider);
        _store = store;
        _basePath = basePath.Trim('/');
        _options = options;
        _instants = options.InstantTimes ?? new InstantTimeGenerator();
    }

    public HudiWriteOptions Options => _options;

    /// <summary>
    /// Creates a table: the <c>.hoodie/</c> folders Spark creates (local stores; S3 has no folders), then
    /// hoodie.properties, created only if absent (a table that exists is refused).
    /// </summary>
    /// <param name="schema">The table's columns, recorded as hoodie.table.create.schema (as Spark does); null: none.</param>
    /// <exception cref="HudiException">The table exists.</exception>
    public static async Task<HudiTable> CreateTableAsync(
        IObjectStore store,
        string basePath,
        NewTableOptions table,
        ParquetSchema? schema = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(table);
        basePath = basePath.Trim('/');
        if (schema is not null && table.CreateSchema is null)
        {
            table = table with
            {
                CreateSchema = AvroSchema.ToJson(table.TableName, HudiSchemaNormalizer.Normalize(schema.Fields), new AvroSchemaOptions { NullableStyle = AvroNullableStyle.SparkNullLast }),
            };
        }

        // Spark-written v6 tables (the fixtures) carry no hoodie.table.base.file.format: PARQUET is the default, and a
        // key Spark would not write is one more thing a later Spark writer could find in conflict.
        var config = TableConfig.FromProperties(JavaHashtableOrder.Reorder(TableConfig.Create(table).With(HoodieTableConfig.BaseFileFormat.Key, null).Properties));
        foreach (var folder in new[] { ".temp", ".aux/.bootstrap/.partitions", ".aux/.bootstrap/.fileids", ".schema", "archived" })
        {
            // Spark (HoodieTableMetaClient.initTableAndGetMetaClient) makes these folders; readers do not need them.
            EnsureLocalFolder(store, Join(basePath, $"{HudiTable.MetaFolderName}/{folder}"));
        }

        var path = Join(basePath, $"{HudiTable.MetaFolderName}/{HoodieTableConfig.FileName}");
        try
        {
            await store.CreateAsync(path, config.ToBytes(), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectExistsException e)
        {
            throw new HudiException($"{store.PathOf(basePath)}: a table exists there already", e);
        }

        return await HudiTable.OpenAsync(store, basePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// BULK_INSERT: writes the rows as new file groups without looking up existing keys (for a first load), cut into
    /// files of about <see cref="HudiWriteOptions.TargetFileSizeBytes"/>. By default the rows stream through (memory:
    /// one open file group per partition) and keys are not combined, as in Hudi; with
    /// <see cref="HudiWriteOptions.BulkInsertCombine"/> they are combined, sorted by partition and key, and held in memory.
    /// </summary>
    public Task<WriteResult> BulkInsertAsync(IEnumerable<RecordBatch> rows, IReadOnlyDictionary<string, string>? extraMetadata = null, CancellationToken cancellationToken = default) =>
        RunAsync(WriteOperationType.BulkInsert, rows, extraMetadata, cancellationToken);

    /// <summary>
    /// UPSERT: inserts new keys and replaces existing ones (unless the stored version ranks newer). With
    /// <see cref="HudiWriteOptions.DeleteMarkerField"/>, rows marked deleted delete their keys in the same commit.
    /// The input's columns may evolve the table's (new nullable columns, wider types): every file group is then
    /// rewritten in the new schema in this commit; nullable columns the input lacks are written null.
    /// </summary>
    /// <exception cref="HudiException">
    /// An input the table cannot evolve to (naming the column and both types), thrown before any instant is requested.
    /// </exception>
    public Task<WriteResult> UpsertAsync(IEnumerable<RecordBatch> rows, IReadOnlyDictionary<string, string>? extraMetadata = null, CancellationToken cancellationToken = default) =>
        RunAsync(WriteOperationType.Upsert, rows, extraMetadata, cancellationToken);

    /// <summary>
    /// DELETE: removes the records whose keys the rows carry (only the key fields and, unless the index is global,
    /// the partition fields are read; with the global index a key is deleted in whichever partition holds it).
    /// </summary>
    public Task<WriteResult> DeleteAsync(IEnumerable<RecordBatch> keys, IReadOnlyDictionary<string, string>? extraMetadata = null, CancellationToken cancellationToken = default) =>
        RunAsync(WriteOperationType.Delete, keys, extraMetadata, cancellationToken);

    /// <summary>
    /// INSERT_OVERWRITE (the partitions the rows fall in) or INSERT_OVERWRITE_TABLE (every partition): a replacecommit
    /// whose new file groups replace all current ones there. The rows stream through like a bulk insert's (memory: the
    /// open file groups, not the input, so a full reload of any size fits) and keys are NOT combined: the input must
    /// not repeat a key, as a DMS full load does not. <see cref="HudiWriteOptions.InsertOverwriteCombine"/> combines and
    /// sorts by key in memory instead. Rows marked by <see cref="HudiWriteOptions.DeleteMarkerField"/> are left out.
    /// </summary>
    public Task<WriteResult> InsertOverwriteAsync(IEnumerable<RecordBatch> rows, bool wholeTable, IReadOnlyDictionary<string, string>? extraMetadata = null, CancellationToken cancellationToken = default) =>
        RunAsync(wholeTable ? WriteOperationType.InsertOverwriteTable : WriteOperationType.InsertOverwrite, rows, extraMetadata, cancellationToken);

    /// <summary>Cleans superseded file slices, keeping <see cref="HudiWriteOptions.CleanerCommitsRetained"/> commits readable.</summary>
    public async Task<CleanResult> CleanAsync(CancellationToken cancellationToken = default)
    {
        await using var tableLock = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        var (table, _) = await OpenAndRecoverAsync(cancellationToken).ConfigureAwait(false);
        return await new Cleaner(_store, _options, _instants).CleanAsync(table, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rolls back every failed (pending) write and finishes interrupted rollbacks and cleans; every write does this first.</summary>
    public async Task<IReadOnlyList<RollbackResult>> RollbackFailedWritesAsync(CancellationToken cancellationToken = default)
    {
        await using var tableLock = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        var (_, rollbacks) = await OpenAndRecoverAsync(cancellationToken).ConfigureAwait(false);
        return rollbacks;
    }

    private async Task<ITableLock> AcquireAsync(CancellationToken cancellationToken)
    {
        var key = _options.LockKey ?? _store.PathOf(_basePath).ToString();
        var tableLock = await _options.LockProvider.AcquireAsync(key, _options.LockOwner, cancellationToken).ConfigureAwait(false);
        _options.Observer?.OnStep(WriteStep.LockAcquired, key);
        return tableLock;
    }

    private async Task<(HudiTable Table, List<RollbackResult> Rollbacks)> OpenAndRecoverAsync(CancellationToken cancellationToken)
    {
        var table = await HudiTable.OpenAsync(_store, _basePath, cancellationToken).ConfigureAwait(false);
        var result = await new TableRecovery(_store, _options, _instants).RecoverAsync(table, cancellationToken).ConfigureAwait(false);
        if (result.Table.Timeline.LatestInstantTime is { } latest)
        {
            _instants.Observe(latest);
        }

        return result;
    }

    private async Task<WriteResult> RunAsync(string operation, IEnumerable<RecordBatch> rows, IReadOnlyDictionary<string, string>? extraMetadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var watch = Stopwatch.StartNew();
        await using var tableLock = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        var (table, rollbacks) = await OpenAndRecoverAsync(cancellationToken).ConfigureAwait(false);
        var keyGenerator = KeyGeneratorFactory.Create(table.Config, _options.KeyGeneratorOptions);
        var ordering = _options.Ordering ?? (table.Config.PrecombineField is { } field ? new PrecombineFieldOrdering(field) : null);
        var isDelete = operation == WriteOperationType.Delete;
        var isOverwrite = operation is WriteOperationType.InsertOverwrite or WriteOperationType.InsertOverwriteTable;
        var prepare = isDelete ? null : new InputBatches(await TableFieldsAsync(table, cancellationToken).ConfigureAwait(false), _options.DeleteMarkerField, table.Location.ToString());
        if (prepare is not null && ((operation == WriteOperationType.BulkInsert && !_options.BulkInsertCombine) || (isOverwrite && !_options.InsertOverwriteCombine)))
        {
            var streaming = new CommitWriter(_store, table, _options, _instants.Next(), operation, InputRecords.Empty, ordering, global: false);
            var written = await AbortOnFailureAsync(table, tableLock, streaming, () => streaming.RunStreamingAsync(tableLock, rows, keyGenerator, prepare, extraMetadata, cancellationToken)).ConfigureAwait(false);
            return written with { Rollbacks = rollbacks, Elapsed = watch.Elapsed };
        }

        var global = _options.IndexType == HudiIndexType.GlobalBloom;
        var input = InputRecords.Load(rows, keyGenerator, isDelete ? null : ordering, globalKeys: global, prepare, recordKeyOnly: global && isDelete);
        if (input.Rows.Count == 0 && (extraMetadata is null || extraMetadata.Count == 0) && !operation.StartsWith("INSERT_OVERWRITE", StringComparison.Ordinal))
        {
            return new WriteResult
            {
                InstantTime = null,
                Action = HoodieActions.Commit,
                OperationType = operation,
                Metadata = new HoodieCommitMetadata { OperationType = operation },
                Rollbacks = rollbacks,
                Elapsed = watch.Elapsed,
            };
        }

        var commit = new CommitWriter(_store, table, _options, _instants.Next(), operation, input, ordering, global);
        var result = await AbortOnFailureAsync(table, tableLock, commit, () => commit.RunAsync(tableLock, extraMetadata, cancellationToken)).ConfigureAwait(false);
        CleanResult? clean = null;
        if (_options.AutoClean)
        {
            var refreshed = await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
            clean = await new Cleaner(_store, _options, _instants).CleanAsync(refreshed, cancellationToken).ConfigureAwait(false);
        }

        return result with { Rollbacks = rollbacks, Clean = clean, Elapsed = watch.Elapsed };
    }

    /// <summary>
    /// Runs a write; when it fails before its commit file (an input batch that throws, a write error), removes what
    /// it wrote, so that the table is exactly as before and the caller's next attempt starts clean. Not once the lock is
    /// lost: another writer may be at work, and the pending write is left for a rollback under the lock.
    /// </summary>
    private async Task<WriteResult> AbortOnFailureAsync(HudiTable table, ITableLock tableLock, CommitWriter write, Func<Task<WriteResult>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception) when (!write.Published && _options.AbortOnFailure && !tableLock.IsLost)
        {
            try
            {
                await new TableRecovery(_store, _options, _instants).AbortAsync(table, write, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception abort) when (abort is IOException or StorageException or HudiException)
            {
                // What could not be removed stays a pending instant: the next writer rolls it back.
            }

            throw;
        }
    }

    /// <summary>The table's columns as of its last write (normalized), which a write's input is reconciled with; null: none yet.</summary>
    private static async Task<IReadOnlyList<Field>?> TableFieldsAsync(HudiTable table, CancellationToken cancellationToken)
    {
        if (table.Timeline.LastCompletedWrite is not { } last)
        {
            return null;
        }

        var metadata = await table.ReadCommitMetadataAsync(last, cancellationToken).ConfigureAwait(false);
        return metadata.Schema is { } schema ? HudiSchemaNormalizer.Normalize(AvroSchema.Parse(schema).Fields) : null;
    }

    /// <summary>Creates an empty folder on a local store (S3 has no folders: nothing to do there).</summary>
    internal static void EnsureLocalFolder(IObjectStore store, string relative)
    {
        if (store.Root.IsLocal)
        {
            Directory.CreateDirectory(Path.Combine(store.Root.LocalPath, relative.Replace('/', Path.DirectorySeparatorChar)));
        }
    }

    internal static string Join(string basePath, string relative) => basePath.Length == 0 ? relative : basePath + "/" + relative;
}
