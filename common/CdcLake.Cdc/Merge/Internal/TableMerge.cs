using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using CdcLake.Hudi;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// One table's run of the merge job (MERGE.md). The plan, under the table lock throughout:
/// <list type="number">
/// <item>List the DMS folder; read the latest checkpoint, tombstone set and ordering from the table's last job commit.</item>
/// <item>Select the files the checkpoint has not seen (late files and full reloads included).</item>
/// <item>LOAD files: a full reload replaces the table (insert-overwrite of the whole table, tombstones cleared);
///   a first load bulk-inserts; more of a running load upserts. One commit, checkpoint inside.</item>
/// <item>CDC files, in chunks that fit the memory budget: read, keep per key the last change, drop changes older than
///   the key's tombstone, then one upsert commit holding updates, inserts and deletes (a delete is a row flagged
///   <c>_hoodie_is_deleted</c>; the stored row wins when its <c>_cdc_order</c> is later), with the new tombstone set and
///   the advanced checkpoint in its extraMetadata.</item>
/// </list>
/// Every commit is atomic (Hudi's commit file), and the checkpoint inside it says which files it holds: a crash
/// anywhere leaves the table at its last commit, and the rerun selects exactly the files not yet committed.
/// </summary>
internal sealed class TableMerge(TableSpec spec, MergeOptions options)
{
    /// <summary>The marker column of a delete in the write client's input (Hudi's convention; never stored).</summary>
    public const string DeleteMarker = "_hoodie_is_deleted";

    /// <summary>Decoded changes take about this many times their compressed file size in memory (rows, keys, orders).</summary>
    private const long MemoryPerFileByte = 8;

    /// <summary>Hudi's payload that keeps the record with the greater ordering value, stored or incoming.</summary>
    public const string PayloadClass = "org.apache.hudi.common.model.DefaultHoodieRecordPayload";

    private readonly List<string> _commits = [];
    private readonly List<string> _warnings = [];
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);
    private int _files;
    private int _filesTotal;
    private long _rowsRead;
    private long _inserts;
    private long _updates;
    private long _deletes;
    private long _stale;
    private long _quarantined;
    private long _tombstones;
    private int _filesWritten;
    private int _filesRewritten;
    private long _bytes;
    private bool _reload;
    private bool _sawUpdates;

    public async Task<TableSummary> RunAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        if (!spec.Enabled)
        {
            return Summary(MergeStatus.Disabled, watch, null);
        }

        try
        {
            var status = await MergeAsync(cancellationToken).ConfigureAwait(false);
            return Summary(status, watch, null);
        }
        catch (Exception e) when (e is CdcDataException or HudiException or ParquetException or StorageException or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            return Summary(MergeStatus.Failed, watch, e.Message);
        }
    }

    private async Task<MergeStatus> MergeAsync(CancellationToken cancellationToken)
    {
        using var source = ObjectStores.For(spec.Source, options.S3);
        using var target = ObjectStores.For(spec.Target, options.S3);
        Report("discover");
        var listing = await DmsDiscovery.ListAsync(source, cancellationToken: cancellationToken).ConfigureAwait(false);
        _warnings.AddRange(listing.Warnings);
        _warnings.AddRange(listing.Unrecognized.Select(f => $"{f.Path}: not a DMS data file name, not merged ({f.Reason})"));
        var state = await TableState.LoadAsync(target, cancellationToken).ConfigureAwait(false);
        var selection = state.Checkpoint.SelectNew(listing);
        if (selection.IsEmpty)
        {
            if (state.Table?.Timeline.Pending.Any() == true && !options.DryRun)
            {
                // Nothing new, but a run died after its last commit (during the clean, say): finish what it left.
                await using var recovering = await AcquireAsync(target, cancellationToken).ConfigureAwait(false);
                await new HudiWriteClient(target, "", WriteOptions(recovering.Lock, recovering.Key)).RollbackFailedWritesAsync(cancellationToken).ConfigureAwait(false);
            }

            return MergeStatus.UpToDate;
        }

        if (options.DryRun)
        {
            var planned = await ChangeReader.OpenAsync(source, spec, selection.All, ReaderOptions(state), cancellationToken).ConfigureAwait(false);
            _files = planned.Files.Count;
            _rowsRead = planned.Rows;
            _reload = selection.FullReload;
            _warnings.AddRange(planned.Schema.Warnings);
            return MergeStatus.Planned;
        }

        await using var held = await AcquireAsync(target, cancellationToken).ConfigureAwait(false);

        // Another run may have committed between the first look and the lock: decide on what is there now.
        state = await TableState.LoadAsync(target, cancellationToken).ConfigureAwait(false);
        selection = state.Checkpoint.SelectNew(listing);
        _filesTotal = selection.LoadFiles.Count + selection.CdcFiles.Count;
        var client = new HudiWriteClient(target, "", WriteOptions(held.Lock, held.Key));

        // Every selected file's footer first: a type conflict anywhere stops the table before anything is written.
        _ = await ChangeReader.OpenAsync(source, spec, selection.All, ReaderOptions(state), cancellationToken).ConfigureAwait(false);

        if (selection.FullReload || (selection.LoadFiles.Count > 0 && !state.HasBaseFiles))
        {
            state = await StreamLoadAsync(source, target, client, state, selection, cancellationToken).ConfigureAwait(false);
            selection = state.Checkpoint.SelectNew(listing);
        }

        // More files of a load still running, then CDC: merged by key, in chunks that fit the memory budget.
        while (selection.LoadFiles.Count + selection.CdcFiles.Count > 0)
        {
            var chunk = TakeChunk(selection.LoadFiles.Count > 0 ? selection.LoadFiles : selection.CdcFiles);
            state = await MergeChangesAsync(source, target, client, state, selection, chunk, cancellationToken).ConfigureAwait(false);
            selection = state.Checkpoint.SelectNew(listing);
        }

        if (_sawUpdates && spec.BeforeImageKeyColumns is null)
        {
            _warnings.Add("no before-image key columns are configured (beforeImageKey): an update that changed a record key leaves its old row behind (a ghost row)");
        }

        Report("done");
        return MergeStatus.Merged;
    }

    /// <summary>
    /// A first load or a full reload: the LOAD rows stream into the table (bulk insert or insert-overwrite) in one
    /// commit that keeps the old checkpoint; rows whose key may repeat an earlier one are held back and merged by key
    /// in a second commit, which carries the new checkpoint. A crash between the two leaves LOAD files unmerged
    /// with base files present: the rerun merges them by key, which gives the same table.
    /// </summary>
    private async Task<TableState> StreamLoadAsync(IObjectStore source, IObjectStore target, HudiWriteClient client, TableState state, FileSelection selection, CancellationToken cancellationToken)
    {
        Report("read");
        var reader = await ChangeReader.OpenAsync(source, spec, selection.LoadFiles, ReaderOptions(state), cancellationToken).ConfigureAwait(false);
        NoteSchema(reader.Schema);
        await EnsureTableAsync(target, state, reader.Schema, cancellationToken).ConfigureAwait(false);
        var before = new Dictionary<string, string>(StringComparer.Ordinal);
        if (state.Table is not null && state.Checkpoint != CdcCheckpoint.Empty)
        {
            before[CdcCheckpoint.ExtraMetadataKey] = state.Checkpoint.ToJson();
        }

        if (state.Ordering is { } ordering)
        {
            before[TableState.OrderingKey] = ordering;
        }

        var badRows = new List<BadRow>();
        var heldBack = new List<RecordBatch>();
        var rows = Stream(reader, badRows, target, new KeyFilter(reader.Rows), heldBack, cancellationToken);
        Report("write");
        if (selection.FullReload)
        {
            _reload = true;
            _warnings.Add($"full reload: {selection.ReloadReason}; the table's rows were replaced by the reloaded ones");
            Account(await client.InsertOverwriteAsync(rows, wholeTable: true, before, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            Account(await client.BulkInsertAsync(rows, before, cancellationToken).ConfigureAwait(false));
        }

        var handled = selection.LoadFiles.Concat(selection.CdcBeforeReload).ToList();
        MarkHandled(handled);
        var after = new Dictionary<string, string>(before, StringComparer.Ordinal)
        {
            [CdcCheckpoint.ExtraMetadataKey] = state.Checkpoint.Advance(selection, handled, CheckpointOptions()).ToJson(),
        };
        // Most held-back rows are new keys (the filter's false positives): they go to a file group of their own, not
        // into the just-written, still "small" groups, which would have to be rewritten whole for them.
        var heldBackClient = new HudiWriteClient(target, "", client.Options with { SmallFileLimitBytes = 0 });
        Account(await heldBackClient.UpsertAsync(heldBack, after, cancellationToken).ConfigureAwait(false));
        return await TableState.LoadAsync(target, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TableState> MergeChangesAsync(
        IObjectStore source, IObjectStore target, HudiWriteClient client, TableState state, FileSelection selection, IReadOnlyList<DmsFile> chunk, CancellationToken cancellationToken)
    {
        Report("read");
        var reader = await ChangeReader.OpenAsync(source, spec, chunk, ReaderOptions(state), cancellationToken).ConfigureAwait(false);
        NoteSchema(reader.Schema);
        if (state.Checkpoint.Watermark is { } watermark)
        {
            _warnings.AddRange(chunk.Where(f => f.CdcTime < watermark).Select(f =>
                $"{f.Path}: arrived late (earlier than CDC files already merged); merged, and its changes older than the stored rows were ignored"));
        }

        var hasCdc = chunk.Any(f => f.Kind == DmsFileKind.Cdc);
        var ordering = hasCdc ? string.Join(",", reader.Schema.Ordering) : state.Ordering;
        if (hasCdc && state.Ordering is { } recorded && recorded != ordering)
        {
            throw new CdcDataException(chunk[0].Path, null, null,
                $"the table's _cdc_order values were built from the ordering columns [{recorded}], these changes from [{ordering}]: the ordering of a table cannot change (reload the table into a new target to change it)");
        }

        var changes = new ChangeDeduplicator();
        changes.EnsureCapacity((int)Math.Min(reader.Rows, Array.MaxLength));
        var badRows = new List<BadRow>();
        // The winner per key does not depend on the order changes arrive in, so files are read side by side.
        await Parallel.ForEachAsync(
            chunk,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken },
            async (file, ct) =>
            {
                await foreach (var batch in reader.ReadFileAsync(file, ct).ConfigureAwait(false))
                {
                    changes.Add(batch);
                    lock (badRows)
                    {
                        badRows.AddRange(batch.BadRows);
                        _rowsRead += batch.Count;
                        Report("read");
                    }
                }
            }).ConfigureAwait(false);

        _sawUpdates |= changes.Stats.Updates > 0;
        await EnsureTableAsync(target, state, reader.Schema, cancellationToken).ConfigureAwait(false);
        var now = options.Clock.GetUtcNow();
        var tombstones = await TombstoneSet.LoadAsync(target, state.TombstonesPath, cancellationToken).ConfigureAwait(false);
        tombstones.Expire(now - spec.TombstoneRetention);
        var winners = new List<Change>(changes.Count);
        var anyTombstones = tombstones.Count > 0;

        // One change per key: the tombstones of different keys do not interact, so no sort of the changes is needed.
        foreach (var change in changes.Latest)
        {
            // The key's text only where a tombstone may name it or a delete makes one: most changes need none.
            var key = anyTombstones || change.IsDelete ? change.Key : null;
            if (anyTombstones && tombstones.Blocks(key!, change.Order))
            {
                _stale++;
                continue;
            }

            if (change.IsDelete)
            {
                tombstones.Deleted(key!, change.Order.ToString(), now);
            }
            else if (anyTombstones)
            {
                tombstones.Upserted(key!);
            }

            winners.Add(change);
        }

        _tombstones += tombstones.Added;
        changes.Clear();

        MarkHandled(chunk);
        var checkpoint = state.Checkpoint.Advance(selection, chunk, CheckpointOptions());
        var extra = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CdcCheckpoint.ExtraMetadataKey] = checkpoint.ToJson(),
        };
        if (ordering is not null)
        {
            extra[TableState.OrderingKey] = ordering;
        }

        var tombstonePath = tombstones.Changed ? await tombstones.SaveAsync(target, now, cancellationToken).ConfigureAwait(false) : tombstones.Path;
        if (tombstonePath is not null)
        {
            extra[TombstoneSet.ExtraMetadataKey] = tombstonePath;
        }

        await QuarantineAsync(target, badRows, cancellationToken).ConfigureAwait(false);
        Report("write");
        var result = await client.UpsertAsync(WriteBatches(winners), extra, cancellationToken).ConfigureAwait(false);
        Account(result);
        return await TableState.LoadAsync(target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rows per batch of the write client's input: few batches, so that the writer gathers from few.</summary>
    private const int WriteBatchRows = 1 << 16;

    /// <summary>
    /// The winning changes as the write client's input: the change rows, with their key and a delete flag, gathered
    /// from the batches they were read in into a few large ones. Empties <paramref name="winners"/> as it goes: once
    /// gathered, the changes' batches are garbage, and the table's file groups are rewritten without them in memory.
    /// </summary>
    private static IEnumerable<RecordBatch> WriteBatches(List<Change> winners)
    {
        if (winners.Count == 0)
        {
            yield break;
        }

        // Rows in file order and row order, so that the commit's rows do not depend on how the files were read.
        var sources = new List<ChangeBatch>();
        var sourceOf = new Dictionary<ChangeBatch, int>(ReferenceEqualityComparer.Instance);
        foreach (var change in winners)
        {
            if (!sourceOf.ContainsKey(change.Batch))
            {
                sourceOf[change.Batch] = -1;
                sources.Add(change.Batch);
            }
        }

        sources.Sort((a, b) => a.File.OrderKey.CompareTo(b.File.OrderKey) is var byFile and not 0 ? byFile
            : string.CompareOrdinal(a.File.Path, b.File.Path) is var byPath and not 0 ? byPath
            : a.FirstRow.CompareTo(b.FirstRow));
        for (var i = 0; i < sources.Count; i++)
        {
            sourceOf[sources[i]] = i;
        }

        var (order, sourceOfWinner) = InBatchOrder(winners, sourceOf, sources.Count);
        var payloads = sources.Select(b => b.Payload).ToList();
        var names = payloads[0].Schema.Fields.Select(f => f.Name).ToArray();
        var keyField = new PrimitiveField(HoodieMetaFields.RecordKey, PhysicalType.ByteArray, LogicalType.String, Repetition.Required);
        var deleteField = new PrimitiveField(DeleteMarker, PhysicalType.Boolean, repetition: Repetition.Required);
        for (var start = 0; start < order.Length; start += WriteBatchRows)
        {
            var n = Math.Min(WriteBatchRows, order.Length - start);
            var batchOf = new int[n];
            var rowOf = new int[n];
            var deletes = new bool[n];
            var keyOffsets = new int[n + 1];
            for (var i = 0; i < n; i++)
            {
                var change = winners[order[start + i]];
                (batchOf[i], rowOf[i], deletes[i]) = (sourceOfWinner[order[start + i]], change.Index, change.IsDelete);
                keyOffsets[i + 1] = keyOffsets[i] + change.KeyBytes.Length;
            }

            // The key as read, in UTF-8 (the old key of a primary-key update's delete is not in the row's columns).
            var keyData = new byte[keyOffsets[n]];
            for (var i = 0; i < n; i++)
            {
                winners[order[start + i]].KeyBytes.CopyTo(keyData.AsSpan(keyOffsets[i]));
            }

            var rows = RowSelection.Gather(payloads, batchOf, rowOf, names);
            yield return new RecordBatch(
                new ParquetSchema([.. rows.Schema.Fields, keyField, deleteField]),
                [.. rows.Columns, new BinaryVector(keyField, keyOffsets, keyData, n), new BooleanVector(deleteField, deletes, n)],
                n);
        }

        winners.Clear();
    }

    /// <summary>
    /// The positions in <paramref name="winners"/> ordered by source batch (<paramref name="sourceOf"/>), then row, then
    /// position (a primary-key update and the delete of its old key share a row): bucketed by batch, each bucket sorted;
    /// and each winner's source batch.
    /// </summary>
    private static (int[] Order, int[] Sources) InBatchOrder(List<Change> winners, Dictionary<ChangeBatch, int> sourceOf, int sourceCount)
    {
        var starts = new int[sourceCount + 1];
        var sources = new int[winners.Count];
        for (var i = 0; i < winners.Count; i++)
        {
            sources[i] = sourceOf[winners[i].Batch];
            starts[sources[i] + 1]++;
        }

        for (var b = 0; b < sourceCount; b++)
        {
            starts[b + 1] += starts[b];
        }

        // Row (< 2^31) and position (< 2^31) in one long: a bucket sorts as plain numbers.
        var keys = new long[winners.Count];
        var next = starts[..^1];
        for (var i = 0; i < winners.Count; i++)
        {
            keys[next[sources[i]]++] = ((long)winners[i].Index << 32) | (uint)i;
        }

        var order = new int[winners.Count];
        for (var b = 0; b < sourceCount; b++)
        {
            var bucket = keys.AsSpan(starts[b], starts[b + 1] - starts[b]);
            bucket.Sort();
            for (var k = 0; k < bucket.Length; k++)
            {
                order[starts[b] + k] = (int)(uint)bucket[k];
            }
        }

        return (order, sources);
    }

    /// <summary>
    /// The rows of a LOAD read, streamed into the writer; bad rows are quarantined once the input ends (before the
    /// commit). Files are decoded, and their rows sorted into those written now and those held back, on another
    /// thread four row groups ahead, so that the writer's thread only writes: reading and writing use both cores.
    /// </summary>
    private IEnumerable<RecordBatch> Stream(ChangeReader reader, List<BadRow> badRows, IObjectStore target, KeyFilter seen, List<RecordBatch> heldBack, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<(ChangeBatch Batch, RecordBatch Written, RecordBatch? Held)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keyField = RecordKeyColumn.BareKeyField(spec.CreateKeyGenerator());
        Exception? failure = null;
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var batch in reader.ReadAsync(stop.Token).ConfigureAwait(false))
                    {
                        await channel.Writer.WriteAsync(HoldBackRepeats(batch, seen, keyField), stop.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
                finally
                {
                    channel.Writer.Complete();
                }
            },
            CancellationToken.None);
        try
        {
            while (channel.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                while (channel.Reader.TryRead(out var item))
                {
                    _rowsRead += item.Batch.Count;
                    badRows.AddRange(item.Batch.BadRows);
                    if (item.Held is { } held)
                    {
                        heldBack.Add(held);
                    }

                    Report("write");
                    yield return item.Written;
                }
            }
        }
        finally
        {
            // The writer stopped early (it failed): stop decoding too.
            stop.Cancel();
            producer.GetAwaiter().GetResult();
        }

        if (failure is not null && failure is not OperationCanceledException)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        cancellationToken.ThrowIfCancellationRequested();
        QuarantineAsync(target, badRows, cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>A LOAD batch's good rows split into those written now and those whose key may repeat one seen before.</summary>
    private static (ChangeBatch Batch, RecordBatch Written, RecordBatch? Held) HoldBackRepeats(ChangeBatch batch, KeyFilter seen, string? keyField)
    {
        var keep = new List<int>(batch.Count);
        var hold = new List<int>();
        var keys = batch.KeyColumn;
        var integers = IntegerKeyColumn.Of(batch.Payload, keyField);
        for (var i = 0; i < batch.Count; i++)
        {
            if (keys.IsNull(i))
            {
                continue;
            }

            var repeat = integers is { } column && column.TryGet(i, out var value)
                ? seen.AddAndCheck(value, keys.GetSpan(i))
                : seen.AddAndCheck(keys.GetSpan(i));
            (repeat ? hold : keep).Add(i);
        }

        var names = batch.Payload.Schema.Fields.Select(f => f.Name).ToArray();
        var held = hold.Count > 0 ? batch.Payload.Take([.. hold], names) : null;
        return (batch, keep.Count == batch.Count ? batch.Payload : batch.Payload.Take([.. keep], names), held);
    }

    private async Task QuarantineAsync(IObjectStore target, List<BadRow> badRows, CancellationToken cancellationToken)
    {
        if (badRows.Count == 0)
        {
            return;
        }

        await QuarantineWriter.WriteAsync(target, badRows, options.Clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _quarantined += badRows.Count;
    }

    /// <summary>Creates the table on its first commit, with the changes' schema and <c>_cdc_order</c> as the precombine field.</summary>
    private async Task EnsureTableAsync(IObjectStore target, TableState state, ChangeSchema schema, CancellationToken cancellationToken)
    {
        if (state.Table is not null)
        {
            return;
        }

        var table = new NewTableOptions
        {
            TableName = spec.Name,
            DatabaseName = spec.Database,
            RecordKeyFields = spec.RecordKey,
            PrecombineField = CdcOrder.ColumnName,
            PartitionFields = spec.PartitionBy,
            KeyGeneratorClass = spec.KeyGeneratorClass,
            HiveStylePartitioning = spec.HiveStylePartitioning,

            // So that a Spark writer of the same table also keeps a stored row whose _cdc_order is later.
            ExtraProperties = [new(HoodieTableConfig.PayloadClass.Key, PayloadClass)],
        };
        await HudiWriteClient.CreateTableAsync(target, "", table, schema.Schema, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The CDC files of the next commit: a prefix of the selection whose decoded changes fit the budget (at least one file).</summary>
    private List<DmsFile> TakeChunk(IReadOnlyList<DmsFile> files)
    {
        var chunk = new List<DmsFile>();
        long estimate = 0;
        foreach (var file in files)
        {
            if (!_handled.Add(file.Identity.ToString()))
            {
                throw new InvalidOperationException($"{file.Path} was selected again after this run committed it: the checkpoint did not advance");
            }

            var size = file.Size * MemoryPerFileByte;
            if (chunk.Count > 0 && estimate + size > options.MemoryBudgetBytes)
            {
                _handled.Remove(file.Identity.ToString());
                break;
            }

            chunk.Add(file);
            estimate += size;
        }

        return chunk;
    }

    private void NoteSchema(ChangeSchema schema)
    {
        _warnings.AddRange(schema.Warnings);
        if (schema.AddedColumns.Count > 0)
        {
            _warnings.Add($"new column{(schema.AddedColumns.Count > 1 ? "s" : "")} {string.Join(", ", schema.AddedColumns)}: null in rows written before");
        }

        if (schema.WidenedColumns.Count > 0)
        {
            _warnings.Add($"widened column{(schema.WidenedColumns.Count > 1 ? "s" : "")} {string.Join(", ", schema.WidenedColumns)}: every base file is rewritten with the new type");
        }
    }

    private void MarkHandled(IEnumerable<DmsFile> files)
    {
        foreach (var file in files)
        {
            _files++;
            _handled.Add(file.Identity.ToString());
        }
    }

    private void Account(WriteResult result)
    {
        if (result.InstantTime is { } instant)
        {
            _commits.Add(instant);
        }

        _inserts += result.Inserts;
        _updates += result.Updates;
        _deletes += result.Deletes;
        _stale += result.StaleIgnored;
        _filesWritten += result.FilesWritten;
        _filesRewritten += result.FileGroupsRewritten;
        _bytes += result.BytesWritten;
    }

    private ChangeReaderOptions ReaderOptions(TableState state) => new()
    {
        TableSchema = state.Schema,
        CollectBadRows = spec.Quarantine,
        FooterParallelism = Math.Max(1, options.Parallelism * 4),
    };

    private CheckpointOptions CheckpointOptions() => new() { LateFileWindow = spec.LateFileWindow };

    private HudiWriteOptions WriteOptions(ITableLock held, string lockKey) => new()
    {
        LockProvider = new HeldTableLockProvider(held),
        LockKey = lockKey,
        TargetFileSizeBytes = spec.Write.MaxFileSizeBytes,
        SmallFileLimitBytes = spec.Write.SmallFileLimitBytes,
        Codec = CodecOf(spec.Write.Codec),
        CleanerCommitsRetained = spec.Write.CleanRetainCommits,
        AutoClean = true,
        WriteParallelism = Math.Max(1, options.Parallelism),

        // A base file is cut at ~120 MB; as one row group its writer would hold all of it in memory, per file group
        // being written (two at once here). Row groups of 250 k rows bound that to a quarter.
        RowGroupRows = 250_000,

        // Key-only deletes carry no partition value, and a key's partition value may change: on a partitioned table
        // a key is found in whichever partition holds it.
        IndexType = spec.PartitionBy.Count > 0 ? HudiIndexType.GlobalBloom : HudiIndexType.Bloom,
        Ordering = new PrecombineFieldOrdering(CdcOrder.ColumnName),
        DeleteMarkerField = DeleteMarker,
        Observer = options.WriteObserver,
    };

    private static ParquetCodec CodecOf(string codec) => codec switch
    {
        "gzip" => ParquetCodec.Gzip,
        "zstd" => ParquetCodec.Zstd,
        "none" => ParquetCodec.None,
        _ => ParquetCodec.Snappy,
    };

    private Task<HeldLock> AcquireAsync(IObjectStore target, CancellationToken cancellationToken) =>
        TableLocks.AcquireAsync(spec, options, target, cancellationToken);

    private void Report(string stage) =>
        options.Progress?.Report(new MergeProgress(spec.Name, stage, _files, _filesTotal, _rowsRead));

    private TableSummary Summary(MergeStatus status, Stopwatch watch, string? error) => new()
    {
        Table = spec.Name,
        Database = spec.Database,
        Target = spec.Target,
        Status = status,
        Error = error,
        Files = _files,
        RowsRead = _rowsRead,
        Inserts = _inserts,
        Updates = _updates,
        Deletes = _deletes,
        StaleIgnored = _stale,
        Quarantined = _quarantined,
        Tombstones = _tombstones,
        FilesWritten = _filesWritten,
        FilesRewritten = _filesRewritten,
        BytesWritten = _bytes,
        Commits = [.. _commits],
        FullReload = _reload,
        Warnings = [.. _warnings.Distinct()],
        Seconds = Math.Round(watch.Elapsed.TotalSeconds, 3),
    };
}
