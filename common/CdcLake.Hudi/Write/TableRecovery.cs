using System.Diagnostics;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>
/// Brings a table back to its last completed state before a write, as Hudi's eager failed-writes cleaning does:
/// finishes interrupted rollbacks and cleans from their plans, rolls back every pending commit and replacecommit,
/// removes leftover marker folders, and drops a metadata table this writer does not maintain.
/// </summary>
/// <remarks>
/// Rollback protocol (Hudi's BaseRollbackActionExecutor, markers first, then listing):
/// <list type="number">
/// <item><c>&lt;r&gt;.rollback.requested</c>: Avro HoodieRollbackPlan naming the instant and every file to delete
///   (its markers' data files plus any base file carrying its instant time).</item>
/// <item><c>&lt;r&gt;.rollback.inflight</c>: empty.</item>
/// <item>Delete the files (a missing one is fine: the write may have died before it).</item>
/// <item>Delete the marker folder, then the target's <c>.inflight</c> and <c>.requested</c> files.</item>
/// <item><c>&lt;r&gt;.rollback</c>: Avro HoodieRollbackMetadata.</item>
/// </list>
/// A crash anywhere leaves a pending rollback whose plan the next writer executes again (every step is idempotent).
/// </remarks>
internal sealed class TableRecovery(IObjectStore store, HudiWriteOptions options, InstantTimeGenerator instants)
{
    private const string MetadataFolder = ".hoodie/metadata";

    public async Task<(HudiTable Table, List<RollbackResult> Rollbacks)> RecoverAsync(HudiTable table, CancellationToken cancellationToken)
    {
        table.Config.EnsureWritable();
        table = await DropMetadataTableAsync(table, cancellationToken).ConfigureAwait(false);
        var rollbacks = new List<RollbackResult>();
        foreach (var pending in table.Timeline.Pending.Where(i => i.Action == HoodieActions.Rollback).ToList())
        {
            rollbacks.Add(await ResumeRollbackAsync(table, pending, cancellationToken).ConfigureAwait(false));
            table = await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var pending in table.Timeline.Pending.Where(i => i.Action == HoodieActions.Clean).ToList())
        {
            await new Cleaner(store, options, instants).ResumeAsync(table, pending, cancellationToken).ConfigureAwait(false);
            table = await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var pending in table.Timeline.Pending.OrderByDescending(i => i.Time, StringComparer.Ordinal).ToList())
        {
            if (pending.Action is HoodieActions.Commit or HoodieActions.ReplaceCommit)
            {
                await EnsureNoLiveHeartbeatAsync(table, pending, cancellationToken).ConfigureAwait(false);
                rollbacks.Add(await RollbackAsync(table, pending, cancellationToken).ConfigureAwait(false));
                table = await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (pending.Action is not (HoodieActions.Rollback or HoodieActions.Clean))
            {
                throw new HudiException($"{table.Location}: pending {pending} cannot be rolled back by this writer (only commits and replace commits)");
            }
        }

        await RemoveStaleMarkersAsync(table, cancellationToken).ConfigureAwait(false);
        return (table, rollbacks);
    }

    /// <summary>
    /// A Spark writer with lazy failed-writes cleaning (optimistic concurrency) keeps <c>.hoodie/.heartbeat/&lt;instant&gt;</c>
    /// fresh while it writes, and takes the lock only to commit: its pending instant is work in progress, not debris.
    /// Rolling it back would destroy that write, so a write meeting a live heartbeat stops instead.
    /// </summary>
    private async Task EnsureNoLiveHeartbeatAsync(HudiTable table, HoodieInstant pending, CancellationToken cancellationToken)
    {
        var heartbeat = await store.GetEntryAsync(table.PathOf($"{HudiTable.MetaFolderName}/.heartbeat/{pending.Time}"), cancellationToken).ConfigureAwait(false);
        if (heartbeat is not null && DateTimeOffset.UtcNow - heartbeat.LastModified < options.HeartbeatExpiry)
        {
            throw new HudiException(
                $"{table.Location}: pending {pending} has a heartbeat from {heartbeat.LastModified:O}: another writer is at work on it; " +
                $"it is rolled back only once its heartbeat is older than {options.HeartbeatExpiry}");
        }
    }

    private async Task<HudiTable> DropMetadataTableAsync(HudiTable table, CancellationToken cancellationToken)
    {
        var folder = table.PathOf(MetadataFolder);
        var hasFolder = await store.ListAsync(folder, recursive: true, cancellationToken).AnyAsync(cancellationToken).ConfigureAwait(false);
        var partitionsKey = HoodieTableConfig.MetadataPartitions.Key;
        var inflightKey = partitionsKey + ".inflight";
        if (!hasFolder && table.Config[partitionsKey] is null && table.Config[inflightKey] is null)
        {
            return table;
        }

        // Hudi with the metadata table disabled deletes it, then clears the property: a reader that trusted a stale
        // metadata table would miss the files written from now on.
        if (hasFolder)
        {
            await store.DeletePrefixAsync(folder, cancellationToken).ConfigureAwait(false);
        }

        var config = table.Config.With(partitionsKey, null).With(inflightKey, null);
        await SavePropertiesAsync(store, table.BasePath, config, cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.MetadataTableRemoved, folder);
        return await HudiTable.OpenAsync(store, table.BasePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rewrites hoodie.properties as Java does (HoodieTableConfig.modify): the backup first (readers fall back to it
    /// while the file is being replaced), then the file, then the backup is removed. The checksum is valid, so Java
    /// stores the properties as they are, under the comment "Updated at &lt;instant&gt;".
    /// </summary>
    internal static async Task SavePropertiesAsync(IObjectStore store, string basePath, TableConfig config, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var properties = config.Properties;
        properties.Set(HoodieTableConfig.Checksum.Key, TableConfig.ComputeChecksum(config.DatabaseName, config.TableName).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bytes = JavaHashtableOrder.Reorder(properties, checksumLast: false).ToBytes("Updated at " + TableConfig.JavaInstantText(now), now);
        var path = Join(basePath, $"{HudiTable.MetaFolderName}/{HoodieTableConfig.FileName}");
        var backup = Join(basePath, $"{HudiTable.MetaFolderName}/{HudiTable.PropertiesBackupFileName}");
        await store.WriteAsync(backup, bytes, overwrite: true, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(path, bytes, overwrite: true, cancellationToken).ConfigureAwait(false);
        await store.DeleteAsync(backup, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RollbackResult> RollbackAsync(HudiTable table, HoodieInstant target, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        instants.Observe(table.Timeline.LatestInstantTime ?? target.Time);
        var rollbackTime = instants.Next();
        var files = await FilesOfAsync(table, target.Time, cancellationToken).ConfigureAwait(false);
        var plan = files.ToDictionary(p => p.Key, p => p.Value.Select(f => store.PathOf(table.PathOf(f)).ToString()).ToList(), StringComparer.Ordinal);
        var timeline = table.TimelineFolder;
        await store.CreateAsync(table.PathOf($"{timeline}/{rollbackTime}.rollback.requested"), TimelineAvroMetadata.RollbackPlan(target, plan), cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.RollbackRequested, rollbackTime);
        return await ExecuteRollbackAsync(table, rollbackTime, target.Time, target.Action, files, watch, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RollbackResult> ResumeRollbackAsync(HudiTable table, HoodieInstant rollback, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var planPath = table.PathOf($"{table.TimelineFolder}/{rollback.Time}.rollback.requested");
        var (time, action, plan) = TimelineAvroMetadata.ReadRollbackPlan(await store.ReadAllBytesAsync(planPath, cancellationToken).ConfigureAwait(false));
        // The plan holds full paths (as Hudi's does); turn them back into paths from the table root.
        var root = store.PathOf(table.BasePath).ToString().TrimEnd('/') + "/";
        var files = plan.ToDictionary(
            p => p.Key,
            p => p.Value.Select(f => f.StartsWith(root, StringComparison.Ordinal)
                ? f[root.Length..]
                : throw new HudiException($"{planPath}: file {f} lies outside the table {root}")).ToList(),
            StringComparer.Ordinal);
        return await ExecuteRollbackAsync(table, rollback.Time, time, action, files, watch, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RollbackResult> ExecuteRollbackAsync(
        HudiTable table,
        string rollbackTime,
        string targetTime,
        string targetAction,
        Dictionary<string, List<string>> files,
        Stopwatch watch,
        CancellationToken cancellationToken)
    {
        var timeline = table.TimelineFolder;
        var inflight = table.PathOf($"{timeline}/{rollbackTime}.rollback.inflight");
        if (!await store.ExistsAsync(inflight, cancellationToken).ConfigureAwait(false))
        {
            await store.WriteAsync(inflight, ReadOnlyMemory<byte>.Empty, overwrite: true, cancellationToken).ConfigureAwait(false);
            options.Observer?.OnStep(WriteStep.RollbackInflight, rollbackTime);
        }

        var outcome = new Dictionary<string, (List<string> Deleted, List<string> Failed)>(StringComparer.Ordinal);
        foreach (var (partition, paths) in files)
        {
            var deleted = new List<string>();
            foreach (var path in paths)
            {
                await store.DeleteAsync(table.PathOf(path), cancellationToken).ConfigureAwait(false);
                deleted.Add(store.PathOf(table.PathOf(path)).ToString());
                options.Observer?.OnStep(WriteStep.RollbackFileDeleted, path);
            }

            outcome[partition] = (deleted, []);
        }

        // The target's pending instant files go last but one: while they exist, its files count as a failed write.
        var target = new HoodieInstant(targetTime, targetAction, InstantState.Completed);
        if (!table.Timeline.IsCompleted(targetTime))
        {
            await store.DeletePrefixAsync(table.PathOf($"{HudiTable.MetaFolderName}/.temp/{targetTime}"), cancellationToken).ConfigureAwait(false);
            var inflightName = (target with { State = InstantState.Inflight }).FileName(TimelineLayout.V6);
            var requestedName = (target with { State = InstantState.Requested }).FileName(TimelineLayout.V6);
            await store.DeleteAsync(table.PathOf($"{timeline}/{inflightName}"), cancellationToken).ConfigureAwait(false);
            await store.DeleteAsync(table.PathOf($"{timeline}/{requestedName}"), cancellationToken).ConfigureAwait(false);
            options.Observer?.OnStep(WriteStep.RollbackTargetRemoved, targetTime);
        }

        var metadata = TimelineAvroMetadata.RollbackMetadata(rollbackTime, watch.ElapsedMilliseconds, target, outcome);
        await store.WriteAsync(table.PathOf($"{timeline}/{rollbackTime}.rollback"), metadata, overwrite: false, cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.RollbackCompleted, rollbackTime);
        return new RollbackResult(rollbackTime, targetTime, targetAction, outcome.Values.Sum(v => v.Deleted.Count), watch.Elapsed);
    }

    /// <summary>
    /// Undoes a write that failed in this process before its commit file (bad input, a full disk): its files, markers,
    /// partition metadata and instant files go, leaving the table as it was before it, without a rollback instant.
    /// Only for a write whose writer still holds the lock; a writer that died is rolled back by the next one.
    /// </summary>
    public async Task AbortAsync(HudiTable table, CommitWriter write, CancellationToken cancellationToken)
    {
        foreach (var path in (await FilesOfAsync(table, write.Instant, cancellationToken).ConfigureAwait(false)).Values.SelectMany(p => p))
        {
            await store.DeleteAsync(table.PathOf(path), cancellationToken).ConfigureAwait(false);
        }

        foreach (var path in write.PartitionMetadataCreated)
        {
            await store.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            RemoveEmptyLocalFolder(FileSystemView.FolderOf(path));
        }

        await store.DeletePrefixAsync(table.PathOf($"{HudiTable.MetaFolderName}/.temp/{write.Instant}"), cancellationToken).ConfigureAwait(false);
        HudiWriteClient.EnsureLocalFolder(store, table.PathOf($"{HudiTable.MetaFolderName}/.temp"));
        var target = new HoodieInstant(write.Instant, write.Action, InstantState.Inflight);
        await store.DeleteAsync(table.PathOf($"{table.TimelineFolder}/{target.FileName(TimelineLayout.V6)}"), cancellationToken).ConfigureAwait(false);
        await store.DeleteAsync(table.PathOf($"{table.TimelineFolder}/{(target with { State = InstantState.Requested }).FileName(TimelineLayout.V6)}"), cancellationToken).ConfigureAwait(false);
    }

    private void RemoveEmptyLocalFolder(string relative)
    {
        if (!store.Root.IsLocal || relative.Length == 0)
        {
            return;
        }

        var folder = Path.Combine(store.Root.LocalPath, relative.Replace('/', Path.DirectorySeparatorChar));
        while (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any() && Path.GetFullPath(folder) != Path.GetFullPath(store.Root.LocalPath))
        {
            Directory.Delete(folder);
            folder = Path.GetDirectoryName(folder)!;
        }
    }

    /// <summary>The data files a pending instant may have written (paths from the table root, by partition): its markers' and any base file of its instant.</summary>
    private async Task<Dictionary<string, List<string>>> FilesOfAsync(HudiTable table, string instant, CancellationToken cancellationToken)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var markerFolder = table.PathOf($"{HudiTable.MetaFolderName}/.temp/{instant}");
        var prefix = markerFolder + "/";
        await foreach (var entry in store.ListAsync(markerFolder, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            var relative = entry.Path[prefix.Length..];
            var cut = relative.LastIndexOf(".marker.", StringComparison.Ordinal);
            if (cut > 0)
            {
                found.Add(relative[..cut]);
            }
        }

        // Listing as well: a store that lists late, or a marker lost with a crash, must not leave a file behind that
        // readers ignoring the timeline (hudi-rs) would pick up as the newest slice.
        var view = await FileSystemView.LoadAsync(store, table.BasePath, table.Config, cancellationToken).ConfigureAwait(false);
        foreach (var file in view.BaseFiles.Where(f => f.InstantTime == instant))
        {
            found.Add(file.Path);
        }

        foreach (var stray in view.StrayBaseFiles.Where(e => BaseFileName.TryParse(e.Name, out var n) && n.InstantTime == instant))
        {
            found.Add(stray.Path);
        }

        var byPartition = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var path in found)
        {
            var partition = FileSystemView.FolderOf(path);
            (byPartition.TryGetValue(partition, out var list) ? list : byPartition[partition] = []).Add(path);
        }

        return byPartition;
    }

    /// <summary>Marker folders of instants that completed (the writer died before removing them) or that no longer exist.</summary>
    private async Task RemoveStaleMarkersAsync(HudiTable table, CancellationToken cancellationToken)
    {
        var temp = table.PathOf($"{HudiTable.MetaFolderName}/.temp");
        var stale = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var entry in store.ListAsync(temp, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            var relative = entry.Path[(temp.Length + 1)..];
            var slash = relative.IndexOf('/');
            if (slash > 0 && !table.Timeline.Pending.Any(i => i.Time == relative[..slash]))
            {
                stale.Add(relative[..slash]);
            }
        }

        foreach (var instant in stale)
        {
            await store.DeletePrefixAsync($"{temp}/{instant}", cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Join(string basePath, string relative) => basePath.Length == 0 ? relative : basePath + "/" + relative;
}
