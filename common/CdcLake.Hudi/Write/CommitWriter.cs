using System.Diagnostics;
using System.Text;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>
/// One instant of a write: plans which file groups change (index lookup, small-file routing), then runs steps 3–8
/// of the commit protocol described on <see cref="HudiWriteClient"/>.
/// </summary>
internal sealed class CommitWriter(
    IObjectStore store,
    HudiTable table,
    HudiWriteOptions options,
    string instant,
    string operation,
    InputRecords input,
    IRecordOrdering? ordering,
    bool global)
{
    private readonly Dictionary<FileGroupId, GroupWork> _existing = [];
    private readonly List<GroupWork> _created = [];
    private readonly Dictionary<string, List<string>> _replaced = new(StringComparer.Ordinal);
    private long _staleIgnored;
    private long _deletesNotFound;
    private int _footersRead;
    private int _filesProbed;
    private int _rowGroupsRead;
    private int _rowGroupsPruned;
    private int _rowGroupsCopied;
    private int _schemaRewrites;
    private IReadOnlyList<Field>? _streamedFields;
    private SchemaMerge? _streamedSchema;

    /// <summary>The columns the commit writes; none for a delete (its rows carry keys only: files keep theirs).</summary>
    private IReadOnlyList<Field> DataFields => operation == WriteOperationType.Delete ? [] : _streamedFields ?? input.Fields;

    /// <summary>The input's columns reconciled with the table's (null: keys only, or no schema to reconcile with).</summary>
    private SchemaMerge? Schema => _streamedSchema ?? input.Schema;

    private bool IsReplace => operation is WriteOperationType.InsertOverwrite or WriteOperationType.InsertOverwriteTable;

    public string Action => IsReplace ? HoodieActions.ReplaceCommit : HoodieActions.Commit;

    public string Instant => instant;

    /// <summary>True once the commit file exists: from then on the write stands, whatever fails after.</summary>
    public bool Published { get; private set; }

    /// <summary>The partition metadata files this write created (an aborted write removes them).</summary>
    public List<string> PartitionMetadataCreated { get; } = [];

    public async Task<WriteResult> RunAsync(ITableLock tableLock, IReadOnlyDictionary<string, string>? extraMetadata, CancellationToken cancellationToken)
    {
        if (!table.Config.PopulateMetaFields)
        {
            throw new HudiException($"{table.Location}: {HoodieTableConfig.PopulateMetaFields.Key}=false tables are not written by this library (the index needs _hoodie_record_key)");
        }

        var slices = await table.GetFileSlicesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var lastCommit = table.Timeline.LastCompletedWrite is { } last
            ? await table.ReadCommitMetadataAsync(last, cancellationToken).ConfigureAwait(false)
            : null;
        var schemaJson = ResolveSchema(lastCommit);
        await PlanAsync(slices, cancellationToken).ConfigureAwait(false);
        PlanSchemaRewrites(slices);

        // 3. requested, 4. inflight with the workload profile.
        var timeline = table.TimelineFolder;
        var requested = new HoodieInstant(instant, Action, InstantState.Requested);
        // A commit's requested file is empty; a replacecommit's holds an all-null Avro HoodieRequestedReplaceMetadata.
        var requestedContent = IsReplace ? TimelineAvroMetadata.RequestedReplaceMetadata() : ReadOnlyMemory<byte>.Empty;
        await store.CreateAsync(table.PathOf($"{timeline}/{requested.FileName(TimelineLayout.V6)}"), requestedContent, cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.Requested, instant);
        var inflight = requested with { State = InstantState.Inflight };
        await store.CreateAsync(table.PathOf($"{timeline}/{inflight.FileName(TimelineLayout.V6)}"), WorkloadProfile().ToUtf8Bytes(), cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.Inflight, instant);

        // 5. partition metadata, 6. markers and base files, one file group at a time.
        var known = (await table.GetFileSystemViewAsync(cancellationToken).ConfigureAwait(false)).Partitions.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var partition in _existing.Values.Concat(_created).Select(w => w.Partition).Distinct().Order(StringComparer.Ordinal))
        {
            if (!known.Contains(partition))
            {
                await WritePartitionMetadataAsync(partition, cancellationToken).ConfigureAwait(false);
            }
        }

        var metadata = new HoodieCommitMetadata { OperationType = operation };
        long inserts = 0, updates = 0, deletes = 0, bytes = 0;
        int rewritten = 0, created = 0;

        // File groups are independent: with WriteParallelism > 1 several are rewritten or created at once. The task
        // numbers (part of the file names' write tokens) are fixed first, so the names do not depend on timing.
        var jobs = _existing.Values.OrderBy(w => w.Partition, StringComparer.Ordinal).ThenBy(w => w.FileId, StringComparer.Ordinal)
            .Select(w => (Work: w, Merge: true))
            .Concat(_created.Select(w => (Work: w, Merge: false)))
            .ToList();
        var stats = new HoodieWriteStat?[jobs.Count];

        // The largest first, so that the last to finish is a small one rather than a whole file group on one core.
        var average = AverageRecordSize();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, jobs.Count).OrderByDescending(i => (jobs[i].Work.Slice?.BaseFile.Size ?? 0) + (jobs[i].Work.Inserts.Count * average)),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.WriteParallelism), CancellationToken = cancellationToken },
            async (task, ct) => stats[task] = jobs[task].Merge
                ? await MergeAsync(jobs[task].Work, task, ct).ConfigureAwait(false)
                : await CreateAsync(jobs[task].Work, task, ct).ConfigureAwait(false)).ConfigureAwait(false);
        for (var i = 0; i < jobs.Count; i++)
        {
            if (stats[i] is not { } stat)
            {
                continue;
            }

            metadata.AddWriteStat(stat);
            (inserts, updates, deletes, bytes) = (inserts + stat.NumInserts, updates + stat.NumUpdateWrites, deletes + stat.NumDeletes, bytes + stat.TotalWriteBytes);
            if (jobs[i].Merge)
            {
                rewritten++;
            }
            else
            {
                created++;
            }
        }

        _schemaRewrites = _existing.Values.Count(w => w.ForSchemaOnly);

        AddSchemaAndExtraMetadata(metadata, schemaJson, extraMetadata);

        if (IsReplace)
        {
            metadata.PartitionToReplaceFileIds = new OrderedDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (partition, ids) in _replaced.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                metadata.PartitionToReplaceFileIds[partition] = ids;
            }
        }

        await PublishAsync(tableLock, requested, metadata, cancellationToken).ConfigureAwait(false);

        return new WriteResult
        {
            InstantTime = instant,
            Action = Action,
            OperationType = operation,
            Metadata = metadata,
            Inserts = inserts,
            Updates = updates,
            Deletes = deletes,
            CombinedAway = input.CombinedAway,
            StaleIgnored = _staleIgnored,
            DeletesNotFound = _deletesNotFound,
            FilesWritten = rewritten + created,
            FileGroupsCreated = created,
            FileGroupsRewritten = rewritten,
            FileGroupsReplaced = _replaced.Values.Sum(v => v.Count),
            FileGroupsRewrittenForSchema = _schemaRewrites,
            SchemaEvolved = Schema?.Evolved == true,
            IndexFootersRead = _footersRead,
            IndexFilesProbed = _filesProbed,
            IndexRowGroupsRead = _rowGroupsRead,
            IndexRowGroupsPruned = _rowGroupsPruned,
            RowGroupsCopied = _rowGroupsCopied,
            BytesWritten = bytes,
        };
    }

    /// <summary>
    /// When the commit changes the table's columns, every current file group not replaced and not already rewritten
    /// is rewritten with its rows conformed to them, so that all latest base files match the commit's schema.
    /// </summary>
    private void PlanSchemaRewrites(IReadOnlyList<FileSlice> slices)
    {
        if (Schema?.Evolved != true)
        {
            return;
        }

        foreach (var slice in slices)
        {
            if (_replaced.TryGetValue(slice.PartitionPath, out var ids) && ids.Contains(slice.FileId))
            {
                continue;
            }

            if (!_existing.ContainsKey(slice.FileGroupId))
            {
                Existing(slice).ForSchemaOnly = true;
            }
        }
    }

    /// <summary>
    /// BULK_INSERT without combining (Hudi's default, hoodie.combine.before.insert=false) and INSERT_OVERWRITE(_TABLE)
    /// without <see cref="HudiWriteOptions.InsertOverwriteCombine"/>: the input streams through, each partition's rows
    /// appended to its open file group until it holds the target size, so memory is the open file groups' row groups,
    /// not the input. Keys are not combined. An insert-overwrite replaces, at the end, every current file group of the
    /// table (or of the partitions the rows fell in). Hudi's bulk insert writes an empty inflight file (no workload
    /// profile); a streamed replacecommit's names only its operation (the profile is not known before the rows).
    /// </summary>
    public async Task<WriteResult> RunStreamingAsync(
        ITableLock tableLock,
        IEnumerable<RecordBatch> rows,
        KeyGenerator keyGenerator,
        InputBatches prepare,
        IReadOnlyDictionary<string, string>? extraMetadata,
        CancellationToken cancellationToken)
    {
        if (!table.Config.PopulateMetaFields)
        {
            throw new HudiException($"{table.Location}: {HoodieTableConfig.PopulateMetaFields.Key}=false tables are not written by this library");
        }

        var lastCommit = table.Timeline.LastCompletedWrite is { } last
            ? await table.ReadCommitMetadataAsync(last, cancellationToken).ConfigureAwait(false)
            : null;
        var slices = await table.GetFileSlicesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        using var source = rows.GetEnumerator();

        // The first batch fixes the commit's columns: an input the table cannot evolve to fails before any instant.
        (RecordBatch Batch, bool[]? Deletes)? first = null;
        while (first is null && source.MoveNext())
        {
            var prepared = prepare.Prepare(source.Current);
            if (prepared.Batch.RowCount > 0)
            {
                first = prepared;
            }
        }

        if (prepare.Fields is { } fields)
        {
            prepare.CheckRequired(anyRowWritten: true);
            _streamedFields = fields;
            _streamedSchema = prepare.Schema;
        }

        var schemaJson = ResolveSchema(lastCommit);
        var timeline = table.TimelineFolder;
        var requested = new HoodieInstant(instant, Action, InstantState.Requested);
        var requestedContent = IsReplace ? TimelineAvroMetadata.RequestedReplaceMetadata() : ReadOnlyMemory<byte>.Empty;
        await store.CreateAsync(table.PathOf($"{timeline}/{requested.FileName(TimelineLayout.V6)}"), requestedContent, cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.Requested, instant);
        var inflightContent = IsReplace ? new HoodieCommitMetadata { OperationType = operation }.ToUtf8Bytes() : ReadOnlyMemory<byte>.Empty;
        await store.CreateAsync(table.PathOf($"{timeline}/{(requested with { State = InstantState.Inflight }).FileName(TimelineLayout.V6)}"), inflightContent, cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.Inflight, instant);

        var known = (await table.GetFileSystemViewAsync(cancellationToken).ConfigureAwait(false)).Partitions.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        var open = new Dictionary<string, (BaseFileWriter Writer, GroupWork Work, Stopwatch Watch)>(StringComparer.Ordinal);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var metadata = new HoodieCommitMetadata { OperationType = operation };
        var task = 0;
        long inserts = 0, updates = 0, deletes = 0, bytes = 0;
        int created = 0, rewritten = 0;
        try
        {
            var next = first;
            while (next is { } current)
            {
                var (batch, marked) = current;
                var names = DataFields.Select(f => f.Name).ToArray();

                // Keys made for the whole batch at once where their shape allows (no string per row); a row the
                // fast path leaves without a key goes the row-by-row way, which names what is wrong with it.
                var keyColumn = RecordKeyColumn.TryBuild(keyGenerator, batch) is { NullCount: 0 } built ? built : null;
                var onePartition = keyGenerator.PartitionPathFields.Count == 0;
                var byPartition = new Dictionary<string, (List<int> Rows, List<string>? Keys)>(StringComparer.Ordinal);
                if (keyColumn is not null && onePartition && marked is null)
                {
                    byPartition[""] = ([.. Enumerable.Range(0, batch.RowCount)], null);
                }
                else
                {
                    foreach (var view in batch.Rows())
                    {
                        if (marked?[view.Index] == true)
                        {
                            // A delete adds no record to a bulk insert (its keys are new) or to an overwrite (replaced).
                            _deletesNotFound++;
                            continue;
                        }

                        string partitionPath;
                        string? recordKey = null;
                        if (keyColumn is null)
                        {
                            var key = keyGenerator.GetKey(view);
                            (recordKey, partitionPath) = (key.RecordKey, key.PartitionPath);
                        }
                        else
                        {
                            partitionPath = onePartition ? "" : keyGenerator.GetPartitionPath(KeyGenerator.FieldReader(view));
                        }

                        var slot = byPartition.TryGetValue(partitionPath, out var s) ? s : byPartition[partitionPath] = ([], keyColumn is null ? [] : null);
                        slot.Rows.Add(view.Index);
                        slot.Keys?.Add(recordKey!);
                    }
                }

                foreach (var (partition, (indices, keys)) in byPartition)
                {
                    touched.Add(partition);
                    var at = 0;
                    while (at < indices.Count)
                    {
                        if (!open.TryGetValue(partition, out var group))
                        {
                            if (known.Add(partition))
                            {
                                await WritePartitionMetadataAsync(partition, cancellationToken).ConfigureAwait(false);
                            }

                            var work = new GroupWork(partition, Guid.NewGuid().ToString() + "-0", null);
                            var name = new BaseFileName(work.FileId, BaseFileName.WriteTokenOf(task, 1, task), instant);
                            var path = partition.Length == 0 ? name.ToString() : $"{partition}/{name}";
                            await WriteMarkerAsync(partition, name.ToString(), "CREATE", cancellationToken).ConfigureAwait(false);
                            var writer = await BaseFileWriter.OpenAsync(store, table.PathOf(path), path, table.Name, DataFields, partition, name, task++, options, cancellationToken).ConfigureAwait(false);
                            group = (writer, work, Stopwatch.StartNew());
                            open[partition] = group;
                        }

                        var take = RowsTowardsTarget(group.Writer, indices.Count - at);

                        // A whole batch for one file (one partition) is written as it is: no copy of its columns.
                        var whole = take == batch.RowCount && batch.Schema.Fields.Select(f => f.Name).SequenceEqual(names, StringComparer.Ordinal);
                        int[]? rowsTaken = whole ? null : [.. indices.Skip(at).Take(take)];
                        var data = whole ? batch : RowSelection.Take(batch, rowsTaken!, names);
                        if (keys is not null)
                        {
                            group.Writer.WriteNew(data, keys.GetRange(at, take));
                        }
                        else
                        {
                            group.Writer.WriteNew(data, whole ? keyColumn! : (BinaryVector)RowSelection.Take(keyColumn!, rowsTaken!));
                        }

                        at += take;
                        if (group.Writer.DataSize >= options.TargetFileSizeBytes)
                        {
                            open.Remove(partition);
                            var stat = await FinishCreatedAsync(group.Writer, group.Work, group.Watch, cancellationToken).ConfigureAwait(false);
                            metadata.AddWriteStat(stat);
                            created++;
                            (inserts, bytes) = (inserts + stat.NumInserts, bytes + stat.TotalWriteBytes);
                        }
                    }
                }

                next = null;
                while (next is null && source.MoveNext())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var prepared = prepare.Prepare(source.Current);
                    if (prepared.Batch.RowCount > 0)
                    {
                        next = prepared;
                    }
                }
            }

            foreach (var partition in open.Keys.Order(StringComparer.Ordinal).ToList())
            {
                var group = open[partition];
                open.Remove(partition);
                var stat = await FinishCreatedAsync(group.Writer, group.Work, group.Watch, cancellationToken).ConfigureAwait(false);
                metadata.AddWriteStat(stat);
                created++;
                (inserts, bytes) = (inserts + stat.NumInserts, bytes + stat.TotalWriteBytes);
            }
        }
        finally
        {
            foreach (var (writer, _, _) in open.Values)
            {
                // Abandons the upload: nothing appears at the path.
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (IsReplace)
        {
            foreach (var slice in slices.Where(s => operation == WriteOperationType.InsertOverwriteTable || touched.Contains(s.PartitionPath)))
            {
                (_replaced.TryGetValue(slice.PartitionPath, out var list) ? list : _replaced[slice.PartitionPath] = []).Add(slice.FileId);
            }

            metadata.PartitionToReplaceFileIds = new OrderedDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (partition, ids) in _replaced.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                metadata.PartitionToReplaceFileIds[partition] = ids;
            }
        }

        // New columns: the file groups this commit does not replace are rewritten to have them too.
        PlanSchemaRewrites(slices);
        foreach (var work in _existing.Values.OrderBy(w => w.Partition, StringComparer.Ordinal).ThenBy(w => w.FileId, StringComparer.Ordinal))
        {
            var stat = await MergeAsync(work, task++, cancellationToken).ConfigureAwait(false);
            if (stat is not null)
            {
                metadata.AddWriteStat(stat);
                rewritten++;
                (updates, deletes, bytes) = (updates + stat.NumUpdateWrites, deletes + stat.NumDeletes, bytes + stat.TotalWriteBytes);
            }
        }

        AddSchemaAndExtraMetadata(metadata, schemaJson, extraMetadata);

        await PublishAsync(tableLock, requested, metadata, cancellationToken).ConfigureAwait(false);
        return new WriteResult
        {
            InstantTime = instant,
            Action = Action,
            OperationType = operation,
            Metadata = metadata,
            Inserts = inserts,
            Updates = updates,
            Deletes = deletes,
            DeletesNotFound = _deletesNotFound,
            FilesWritten = created + rewritten,
            FileGroupsCreated = created,
            FileGroupsRewritten = rewritten,
            FileGroupsReplaced = _replaced.Values.Sum(v => v.Count),
            FileGroupsRewrittenForSchema = _existing.Values.Count(w => w.ForSchemaOnly),
            SchemaEvolved = Schema?.Evolved == true,
            BytesWritten = bytes,
        };
    }

    /// <summary>
    /// How many of <paramref name="available"/> rows to append to a streamed file next. Files are cut when their
    /// actual size (<see cref="BaseFileWriter.DataSize"/>) reaches the target, as Hudi's bulk insert does: a record
    /// size estimate from earlier commits does not exist for a first load and the configured one (1 KB) is far off for
    /// narrow rows. So each step aims at the target from the bytes per row measured so far, and the size is checked
    /// after it; steps of at least 1/64 of the rows written keep the overshoot near 1.5% without many tiny appends.
    /// </summary>
    private int RowsTowardsTarget(BaseFileWriter writer, int available)
    {
        const int FirstStepRows = 1024;
        if (writer.Rows == 0)
        {
            return Math.Min(available, FirstStepRows);
        }

        var size = writer.DataSize;
        var perRow = Math.Max(1.0, (double)size / writer.Rows);
        var fit = (long)Math.Ceiling((options.TargetFileSizeBytes - size) / perRow);
        return (int)Math.Clamp(Math.Max(fit, Math.Max(1, writer.Rows / 64)), 1, available);
    }

    /// <summary>The commit's schema, and the caller's extraMetadata entries (the schema key is the writer's own).</summary>
    private static void AddSchemaAndExtraMetadata(HoodieCommitMetadata metadata, string? schemaJson, IReadOnlyDictionary<string, string>? extraMetadata)
    {
        if (schemaJson is not null)
        {
            metadata.Schema = schemaJson;
        }

        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>())
        {
            if (key != HoodieCommitMetadata.SchemaKey)
            {
                metadata.ExtraMetadata[key] = value;
            }
        }
    }

    /// <summary>
    /// Steps 7 and 8: the commit file, the one atomic step that publishes the write (the lock must still be ours),
    /// then the markers, which are only needed to roll back a failed write.
    /// </summary>
    private async Task PublishAsync(ITableLock tableLock, HoodieInstant requested, HoodieCommitMetadata metadata, CancellationToken cancellationToken)
    {
        tableLock.EnsureHeld();
        var completed = requested with { State = InstantState.Completed };
        await store.CreateAsync(table.PathOf($"{table.TimelineFolder}/{completed.FileName(TimelineLayout.V6)}"), metadata.ToUtf8Bytes(), cancellationToken).ConfigureAwait(false);
        Published = true;
        options.Observer?.OnStep(WriteStep.Completed, instant);

        await store.DeletePrefixAsync(table.PathOf($"{HudiTable.MetaFolderName}/.temp/{instant}"), cancellationToken).ConfigureAwait(false);
        HudiWriteClient.EnsureLocalFolder(store, table.PathOf($"{HudiTable.MetaFolderName}/.temp"));
        options.Observer?.OnStep(WriteStep.MarkersRemoved, instant);
    }

    private async Task<HoodieWriteStat> FinishCreatedAsync(BaseFileWriter writer, GroupWork work, Stopwatch watch, CancellationToken cancellationToken)
    {
        try
        {
            var rows = writer.Rows;
            var size = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            options.Observer?.OnStep(WriteStep.BaseFileWritten, writer.Path);
            return Stat(work, writer.Path, HoodieWriteStat.NullCommit, rows, inserts: rows, updates: 0, deletes: 0, size, new HoodieRuntimeStats { TotalCreateTime = watch.ElapsedMilliseconds });
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The Avro schema (without meta fields) of the commit: the columns it writes, which the input batches were
    /// reconciled to (<see cref="SchemaEvolution"/>); the last commit's when it writes none (a delete).
    /// </summary>
    private string? ResolveSchema(HoodieCommitMetadata? lastCommit) =>
        DataFields.Count == 0 ? lastCommit?.Schema : AvroSchema.ToJson(table.Name, DataFields);

    private async Task PlanAsync(IReadOnlyList<FileSlice> slices, CancellationToken cancellationToken)
    {
        await EstimateRecordSizeAsync(cancellationToken).ConfigureAwait(false);

        // Rows marked deleted add no record to a write that does not look keys up (their keys are new, or replaced).
        var written = operation is WriteOperationType.BulkInsert || IsReplace ? input.Rows.Where(r => !r.IsDelete).ToList() : input.Rows;
        _deletesNotFound += input.Rows.Count - written.Count;
        switch (operation)
        {
            case WriteOperationType.BulkInsert:
                var ordered = written.OrderBy(r => r.Partition, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal);
                foreach (var partition in ordered.GroupBy(r => r.Partition))
                {
                    AddNewGroups(partition.Key, [.. partition], AverageRecordSize());
                }

                return;
            case WriteOperationType.InsertOverwrite or WriteOperationType.InsertOverwriteTable:
                var partitions = written.Select(r => r.Partition).ToHashSet(StringComparer.Ordinal);
                foreach (var slice in slices.Where(s => operation == WriteOperationType.InsertOverwriteTable || partitions.Contains(s.PartitionPath)))
                {
                    (_replaced.TryGetValue(slice.PartitionPath, out var list) ? list : _replaced[slice.PartitionPath] = []).Add(slice.FileId);
                }

                foreach (var partition in written.OrderBy(r => r.Key, StringComparer.Ordinal).GroupBy(r => r.Partition))
                {
                    AddNewGroups(partition.Key, [.. partition], AverageRecordSize());
                }

                return;
        }

        var keyGenerator = KeyGeneratorFactory.Create(table.Config, options.KeyGeneratorOptions);
        var index = new RecordIndex(table, input, global, RecordKeyColumn.BareKeyField(keyGenerator), options.WriteParallelism);
        var found = await index.LookupAsync(slices, cancellationToken).ConfigureAwait(false);
        (_footersRead, _filesProbed, _rowGroupsRead, _rowGroupsPruned) = (index.FootersRead, index.FilesProbed, index.RowGroupsRead, index.RowGroupsPruned);
        var inserts = new List<InputRow>();
        var moves = new List<(int Row, StoredAt At)>();
        for (var r = 0; r < input.Rows.Count; r++)
        {
            var row = input.Rows[r];
            var at = found[r];
            if (at.Slice is not { } slice)
            {
                if (operation == WriteOperationType.Delete || row.IsDelete)
                {
                    _deletesNotFound++;
                }
                else
                {
                    inserts.Add(row);
                }

                continue;
            }

            var work = Existing(slice);
            if (operation == WriteOperationType.Delete)
            {
                work.Changes.Add(new StoredChange(at.Position, r, ChangeKind.DeleteAlways));
            }
            else if (row.IsDelete)
            {
                // A delete inside an upsert: applied unless the stored version ranks newer (decided while merging).
                work.Changes.Add(new StoredChange(at.Position, r, ChangeKind.Delete));
            }
            else if (slice.PartitionPath != row.Partition)
            {
                // Global index: the record moved partitions (decided below, once the stored version is known).
                moves.Add((r, at));
            }
            else
            {
                work.Changes.Add(new StoredChange(at.Position, r, ChangeKind.Update));
            }
        }

        // A move is a delete where the record was and an insert where it now belongs, unless the stored version ranks
        // newer: then the incoming one is stale and neither happens.
        foreach (var (r, at) in await NewerThanStoredAsync(moves, cancellationToken).ConfigureAwait(false))
        {
            Existing(at.Slice!).Changes.Add(new StoredChange(at.Position, r, ChangeKind.DeleteAlways));
            inserts.Add(input.Rows[r]);
        }

        var average = AverageRecordSize();
        foreach (var partition in inserts.GroupBy(r => r.Partition))
        {
            var remaining = partition.ToList();
            if (options.SmallFileLimitBytes > 0)
            {
                foreach (var small in slices.Where(s => s.PartitionPath == partition.Key && s.BaseFile.Size < options.SmallFileLimitBytes).OrderBy(s => s.BaseFile.Size))
                {
                    var capacity = (int)Math.Min(int.MaxValue, Math.Max(0, (options.TargetFileSizeBytes - small.BaseFile.Size) / average));
                    var take = Math.Min(capacity, remaining.Count);
                    if (take > 0)
                    {
                        Existing(small).Inserts.AddRange(remaining.Take(take));
                        remaining.RemoveRange(0, take);
                    }

                    if (remaining.Count == 0)
                    {
                        break;
                    }
                }
            }

            AddNewGroups(partition.Key, remaining, average);
        }
    }

    /// <summary>The moves whose incoming version is not older than the stored one (read from the stored rows' ordering columns).</summary>
    private async Task<List<(int Row, StoredAt At)>> NewerThanStoredAsync(List<(int Row, StoredAt At)> moves, CancellationToken cancellationToken)
    {
        if (ordering is null || moves.Count == 0)
        {
            return moves;
        }

        var kept = new List<(int, StoredAt)>(moves.Count);
        foreach (var group in moves.GroupBy(m => m.At.Slice!.FileGroupId))
        {
            var inFile = group.OrderBy(m => m.At.Position).ToList();
            using var reader = await table.OpenBaseFileAsync(inFile[0].At.Slice!.BaseFile, cancellationToken: cancellationToken).ConfigureAwait(false);
            long start = 0;
            var next = 0;
            for (var g = 0; g < reader.RowGroupCount && next < inFile.Count; g++)
            {
                var rows = reader.Info.RowGroups[g].RowCount;
                if (inFile[next].At.Position < start + rows)
                {
                    var batch = reader.ReadRowGroup(g, [HoodieMetaFields.RecordKey, .. ordering.Fields]);
                    for (; next < inFile.Count && inFile[next].At.Position < start + rows; next++)
                    {
                        var (r, at) = inFile[next];
                        var i = (int)(at.Position - start);
                        CheckStoredKey(at.Slice!, (BinaryVector)batch[HoodieMetaFields.RecordKey], i, at.Position, r);
                        if (IsOlderThanStored(input.Rows[r], batch, i))
                        {
                            _staleIgnored++;
                        }
                        else
                        {
                            kept.Add((r, at));
                        }
                    }
                }

                start += rows;
            }

            if (next < inFile.Count)
            {
                throw new HudiException($"{inFile[next].At.Slice}: has no row {inFile[next].At.Position} (the file changed since the index read it)");
            }
        }

        return kept;
    }

    /// <summary>Refuses to change a stored row that does not hold the key the index found there: the file changed under the write.</summary>
    private void CheckStoredKey(FileSlice slice, BinaryVector keys, int index, long position, int inputRow)
    {
        var key = input.Rows[inputRow].Key;
        var stored = keys.IsNull(index) ? [] : keys.GetSpan(index);
        Span<char> chars = stackalloc char[256];
        var decoded = stored.Length <= 256 ? chars[..System.Text.Encoding.UTF8.GetChars(stored, chars)] : System.Text.Encoding.UTF8.GetString(stored).AsSpan();
        if (!decoded.SequenceEqual(key))
        {
            throw new HudiException($"{slice}: row {position} holds key \"{decoded}\", not \"{key}\" (the file changed since the index read it)");
        }
    }

    private GroupWork Existing(FileSlice slice)
    {
        if (!_existing.TryGetValue(slice.FileGroupId, out var work))
        {
            work = new GroupWork(slice.PartitionPath, slice.FileId, slice);
            _existing[slice.FileGroupId] = work;
        }

        return work;
    }

    /// <summary>Cuts <paramref name="rows"/> into new file groups of about the target size, evenly filled.</summary>
    private void AddNewGroups(string partition, List<InputRow> rows, long averageRecordSize)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var perFile = Math.Max(1, options.TargetFileSizeBytes / averageRecordSize);
        var files = (int)((rows.Count + perFile - 1) / perFile);
        var size = (rows.Count + files - 1) / files;
        for (var start = 0; start < rows.Count; start += size)
        {
            var work = new GroupWork(partition, Guid.NewGuid().ToString() + "-0", null);
            work.Inserts.AddRange(rows.Skip(start).Take(size));
            _created.Add(work);
        }
    }

    /// <summary>
    /// Hudi's estimate of a record's size: the bytes per record of recent commits that wrote more than the small-file
    /// limit (a smaller sample is dominated by the fixed ~440 KB bloom filter), else the configured estimate.
    /// </summary>
    private long AverageRecordSize() => _averageRecordSize ?? throw new InvalidOperationException("the record size is estimated while planning");

    private long? _averageRecordSize;

    private async Task EstimateRecordSizeAsync(CancellationToken cancellationToken) =>
        _averageRecordSize ??= await ComputeAverageRecordSizeAsync(cancellationToken).ConfigureAwait(false);

    private async Task<long> ComputeAverageRecordSizeAsync(CancellationToken cancellationToken)
    {
        foreach (var commit in table.Timeline.CompletedWrites.Reverse().Take(10))
        {
            var metadata = await table.ReadCommitMetadataAsync(commit, cancellationToken).ConfigureAwait(false);
            var totalBytes = metadata.AllWriteStats.Sum(s => s.TotalWriteBytes);
            var records = metadata.AllWriteStats.Sum(s => s.NumWrites);
            if (totalBytes > options.SmallFileLimitBytes && options.SmallFileLimitBytes > 0 && records > 0)
            {
                return Math.Max(1, totalBytes / records);
            }
        }

        return Math.Max(1, options.RecordSizeEstimate);
    }

    /// <summary>The inflight file's content: what Spark's WorkloadProfile records before any data file is written.</summary>
    private HoodieCommitMetadata WorkloadProfile()
    {
        var profile = new HoodieCommitMetadata { OperationType = operation };
        var partitions = _existing.Values.Select(w => w.Partition).Concat(_created.Select(w => w.Partition)).Distinct().Order(StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            profile.AddWriteStat(new HoodieWriteStat
            {
                FileId = "",
                PrevCommit = HoodieWriteStat.NullCommit,
                NumInserts = _created.Where(w => w.Partition == partition).Sum(w => w.Inserts.Count)
                    + _existing.Values.Where(w => w.Partition == partition).Sum(w => w.Inserts.Count),
                PartitionPath = partition,
            });
            foreach (var work in _existing.Values.Where(w => w.Partition == partition).OrderBy(w => w.FileId, StringComparer.Ordinal))
            {
                profile.AddWriteStat(new HoodieWriteStat
                {
                    FileId = work.FileId,
                    PrevCommit = work.Slice!.BaseInstantTime,
                    NumUpdateWrites = work.Changes.Count,
                    NumInserts = work.Inserts.Count,
                    PartitionPath = partition,
                });
            }
        }

        // Spark leaves the partition path out of the profile's stats (it is the map key).
        foreach (var stat in profile.AllWriteStats)
        {
            stat.PartitionPath = null;
        }

        return profile;
    }

    private async Task WritePartitionMetadataAsync(string partition, CancellationToken cancellationToken)
    {
        var path = table.PathOf(partition.Length == 0 ? HoodiePartitionMetadata.FileName : $"{partition}/{HoodiePartitionMetadata.FileName}");
        if (await store.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await store.CreateAsync(path, HoodiePartitionMetadata.ForPartition(partition, instant).ToBytes(), cancellationToken).ConfigureAwait(false);
            PartitionMetadataCreated.Add(path);
            options.Observer?.OnStep(WriteStep.PartitionMetadataWritten, partition);
        }
        catch (ObjectExistsException)
        {
            // Another write made the partition first: its metadata stands, as in Hudi.
        }
    }

    private async Task WriteMarkerAsync(string partition, string fileName, string type, CancellationToken cancellationToken)
    {
        var relative = partition.Length == 0 ? fileName : $"{partition}/{fileName}";
        await store.WriteAsync(table.PathOf($"{HudiTable.MetaFolderName}/.temp/{instant}/{relative}.marker.{type}"), ReadOnlyMemory<byte>.Empty, overwrite: true, cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.MarkerWritten, relative);
    }

    private async Task<HoodieWriteStat> CreateAsync(GroupWork work, int task, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var name = new BaseFileName(work.FileId, BaseFileName.WriteTokenOf(task, 1, task), instant);
        var path = work.Partition.Length == 0 ? name.ToString() : $"{work.Partition}/{name}";
        await WriteMarkerAsync(work.Partition, name.ToString(), "CREATE", cancellationToken).ConfigureAwait(false);
        long size;
        long rows;
        await using (var writer = await BaseFileWriter.OpenAsync(store, table.PathOf(path), path, table.Name, input.Fields, work.Partition, name, task, options, cancellationToken).ConfigureAwait(false))
        {
            foreach (var (data, keys) in input.Slices(work.Inserts))
            {
                writer.WriteNew(data, keys);
            }

            rows = writer.Rows;
            size = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        options.Observer?.OnStep(WriteStep.BaseFileWritten, path);
        return Stat(work, path, HoodieWriteStat.NullCommit, rows, inserts: rows, updates: 0, deletes: 0, size, new HoodieRuntimeStats { TotalCreateTime = watch.ElapsedMilliseconds });
    }

    /// <summary>Rewrites a file group: its rows streamed through, updated, deleted, with small-file inserts appended.</summary>
    private async Task<HoodieWriteStat?> MergeAsync(GroupWork work, int task, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var slice = work.Slice!;
        using var reader = await table.OpenBaseFileAsync(slice.BaseFile, cancellationToken: cancellationToken).ConfigureAwait(false);
        var oldFields = reader.Schema.Fields.Skip(HoodieMetaFields.All.Count).ToList();
        var fields = DataFields.Count > 0 ? DataFields : oldFields;

        // A file written before the table's columns changed (or by another writer) is converted row group by row group.
        var conform = DataFields.Count > 0 && !SchemaEvolution.SameShape(HudiSchemaNormalizer.Normalize(oldFields), DataFields);

        var name = new BaseFileName(work.FileId, BaseFileName.WriteTokenOf(task, 1, task), instant);
        var path = work.Partition.Length == 0 ? name.ToString() : $"{work.Partition}/{name}";
        await WriteMarkerAsync(work.Partition, name.ToString(), "MERGE", cancellationToken).ConfigureAwait(false);
        long updates = 0, deletes = 0, inserts = 0, rows, size;
        var changes = work.Changes.OrderBy(c => c.Position).ToList();
        await using (var writer = await BaseFileWriter.OpenAsync(store, table.PathOf(path), path, table.Name, fields, work.Partition, name, task, options, cancellationToken).ConfigureAwait(false))
        {
            // The rows copied keep their keys: the old file's filter holds them already.
            var seeded = writer.TrySeedBloom(HoodieBloomFilter.FromFooter(reader.Info.KeyValueMetadata));

            // The index found where each changed row is: rows are matched by position, not by key (each is checked).
            long start = 0;
            var next = 0;

            // Per row group, which stored rows are dropped and which kept: one pair of buffers for the whole file.
            var dropped = Array.Empty<bool>();
            var keep = Array.Empty<int>();
            var copiedRowGroups = 0;

            // Every column but _hoodie_file_name, which the new file's name replaces.
            var columns = reader.Schema.Fields.Select(f => f.Name).Where(n => n != HoodieMetaFields.FileName).ToList();
            RecordBatch? previous = null;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rowsInGroup = reader.Info.RowGroups[g].RowCount;
                var untouched = next == changes.Count || changes[next].Position >= start + rowsInGroup;

                // A row group no change falls in is copied as stored, not decoded and encoded again: rewriting a file
                // group for changes to a few of its rows costs little more than those rows' row groups.
                if (untouched && !conform && writer.TryCopyRowGroup(reader, g, seeded))
                {
                    start += rowsInGroup;
                    copiedRowGroups++;
                    continue;
                }

                var stored = reader.ReadRowGroup(g, columns, previous);
                previous = stored;
                var batch = conform ? SchemaEvolution.Conform(stored, fields, keep: HoodieMetaFields.All.Count - 1) : stored;
                var n = batch.RowCount;
                if (untouched)
                {
                    writer.CopyRowsRenamed(batch, seeded);
                    start += n;
                    continue;
                }

                var keys = (BinaryVector)batch[HoodieMetaFields.RecordKey];
                if (dropped.Length < n)
                {
                    (dropped, keep) = (new bool[n], new int[n]);
                }

                dropped.AsSpan(0, n).Clear();
                var updated = new List<InputRow>();
                for (; next < changes.Count && changes[next].Position < start + n; next++)
                {
                    var (position, r, kind) = changes[next];
                    var i = (int)(position - start);
                    CheckStoredKey(work.Slice!, keys, i, position, r);
                    var row = input.Rows[r];
                    if (kind != ChangeKind.DeleteAlways && IsOlderThanStored(row, batch, i))
                    {
                        Interlocked.Increment(ref _staleIgnored);
                        continue;
                    }

                    dropped[i] = true;
                    if (kind == ChangeKind.Update)
                    {
                        updated.Add(row);
                        updates++;
                    }
                    else
                    {
                        deletes++;
                    }
                }

                var kept = 0;
                for (var i = 0; i < n; i++)
                {
                    if (!dropped[i])
                    {
                        keep[kept++] = i;
                    }
                }

                writer.CopyRowsRenamed(batch, keep.AsSpan(0, kept), seeded);

                // An updated row's key is the stored row's, in the seeded filter already.
                foreach (var (data, newKeys) in input.Slices(updated))
                {
                    writer.WriteNew(data, newKeys, keysInBloom: seeded);
                }

                start += n;
            }

            Interlocked.Add(ref _rowGroupsCopied, copiedRowGroups);
            if (next < changes.Count)
            {
                throw new HudiException($"{slice}: has no row {changes[next].Position} (the file changed since the index read it)");
            }

            foreach (var (data, newKeys) in input.Slices(work.Inserts))
            {
                writer.WriteNew(data, newKeys);
            }

            inserts = work.Inserts.Count;
            if (updates + deletes + inserts == 0 && !conform && Schema?.Evolved != true)
            {
                // Every incoming version was older than the stored one: the file group stays as it is. Disposing the
                // writer abandons the upload; the marker goes too. (Not when the table's columns change: every
                // latest base file must then have them.)
                await store.DeleteAsync(table.PathOf($"{HudiTable.MetaFolderName}/.temp/{instant}/{path}.marker.MERGE"), cancellationToken).ConfigureAwait(false);
                return null;
            }

            rows = writer.Rows;
            size = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        options.Observer?.OnStep(WriteStep.BaseFileWritten, path);
        return Stat(work, path, slice.BaseInstantTime, rows, inserts, updates, deletes, size, new HoodieRuntimeStats { TotalUpsertTime = watch.ElapsedMilliseconds });
    }

    /// <summary>Whether the ordering ranks the input row older than stored row <paramref name="i"/> of <paramref name="stored"/>.</summary>
    private bool IsOlderThanStored(InputRow row, RecordBatch stored, int i) =>
        ordering is not null && ordering.Compare(input.Batches[row.Batch], row.Row, stored, i) < 0;

    private static HoodieWriteStat Stat(GroupWork work, string path, string prevCommit, long rows, long inserts, long updates, long deletes, long size, HoodieRuntimeStats runtime) => new()
    {
        FileId = work.FileId,
        Path = path,
        PrevCommit = prevCommit,
        NumWrites = rows,
        NumInserts = inserts,
        NumUpdateWrites = updates,
        NumDeletes = deletes,
        TotalWriteBytes = size,
        FileSizeInBytes = size,
        PartitionPath = work.Partition,
        RuntimeStats = runtime,
    };

    /// <summary>What happens to one file group in this write.</summary>
    private sealed class GroupWork(string partition, string fileId, FileSlice? slice)
    {
        public string Partition { get; } = partition;

        public string FileId { get; } = fileId;

        /// <summary>The current slice of an existing group; null for a new one.</summary>
        public FileSlice? Slice { get; } = slice;

        /// <summary>The stored rows this write updates or deletes.</summary>
        public List<StoredChange> Changes { get; } = [];

        public List<InputRow> Inserts { get; } = [];

        /// <summary>Rewritten only to conform its rows to the commit's new columns: no input row touches it.</summary>
        public bool ForSchemaOnly { get; set; }
    }
}

/// <summary>How an input row changes the stored row of its key.</summary>
internal enum ChangeKind
{
    Update,

    /// <summary>Unless the stored version ranks newer (<see cref="IRecordOrdering"/>).</summary>
    Delete,

    /// <summary>A DELETE operation's, or the old place of a record that moved partitions.</summary>
    DeleteAlways,
}

/// <summary>A change to the stored row at <paramref name="Position"/> (its ordinal in the base file) by input row <paramref name="Row"/>.</summary>
internal readonly record struct StoredChange(long Position, int Row, ChangeKind Kind);
