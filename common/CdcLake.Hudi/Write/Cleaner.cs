using System.Diagnostics;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>
/// Deletes file slices no query within the retained commits can need (Hudi's KEEP_LATEST_COMMITS cleaner).
/// </summary>
/// <remarks>
/// Clean protocol (Hudi's CleanActionExecutor):
/// <list type="number">
/// <item>Plan: the earliest commit to retain is the N-th newest completed commit/replacecommit. In each file group,
///   keep every slice from that commit on and the newest slice before it (a query as of that commit reads it);
///   older slices go. A file group replaced before that commit goes whole.</item>
/// <item><c>&lt;c&gt;.clean.requested</c>: Avro HoodieCleanerPlan; <c>&lt;c&gt;.clean.inflight</c>: the same plan.</item>
/// <item>Delete the files (missing ones are fine: a resumed clean).</item>
/// <item><c>&lt;c&gt;.clean</c>: Avro HoodieCleanMetadata (file names deleted per partition).</item>
/// </list>
/// Nothing to delete: no clean instant, as Hudi.
/// </remarks>
internal sealed class Cleaner(IObjectStore store, HudiWriteOptions options, InstantTimeGenerator instants)
{
    public async Task<CleanResult> CleanAsync(HudiTable table, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var commits = table.Timeline.CompletedWrites.ToList();
        var retain = Math.Max(1, options.CleanerCommitsRetained);
        if (commits.Count <= retain)
        {
            return new CleanResult(null, null, 0, [], watch.Elapsed);
        }

        var earliest = commits[commits.Count - retain];
        var view = await table.GetFileSystemViewAsync(cancellationToken).ConfigureAwait(false);
        var replaced = await table.GetReplacedFileGroupsAsync(cancellationToken).ConfigureAwait(false);
        var files = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var group in view.FileGroups)
        {
            var committed = group.Slices
                .Where(s => FileSystemView.StateOf(s.BaseInstantTime, table.Timeline) is BaseFileState.Committed or BaseFileState.Archived)
                .ToList();
            IEnumerable<FileSlice> doomed;
            if (replaced.TryGetValue(group.Id, out var replacedAt) && string.CompareOrdinal(replacedAt, earliest.Time) < 0)
            {
                doomed = committed;
            }
            else
            {
                var keepFrom = committed.FindLastIndex(s => string.CompareOrdinal(s.BaseInstantTime, earliest.Time) < 0);
                doomed = keepFrom <= 0 ? [] : committed.Take(keepFrom);
            }

            foreach (var slice in doomed)
            {
                (files.TryGetValue(group.PartitionPath, out var list) ? list : files[group.PartitionPath] = []).Add(slice.BaseFile.Path);
            }
        }

        if (files.Count == 0)
        {
            return new CleanResult(null, earliest.Time, 0, [], watch.Elapsed);
        }

        instants.Observe(table.Timeline.LatestInstantTime!);
        var cleanTime = instants.Next();
        var lastCompleted = commits[^1].Time;
        var plan = TimelineAvroMetadata.CleanerPlan(
            earliest,
            lastCompleted,
            files.ToDictionary(p => p.Key, p => p.Value.Select(f => store.PathOf(table.PathOf(f)).ToString()).ToList(), StringComparer.Ordinal));
        await store.CreateAsync(table.PathOf($"{table.TimelineFolder}/{cleanTime}.clean.requested"), plan, cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.CleanRequested, cleanTime);
        return await ExecuteAsync(table, cleanTime, plan, files, earliest.Time, lastCompleted, watch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a clean that a crash interrupted, from its plan.</summary>
    public async Task<CleanResult> ResumeAsync(HudiTable table, HoodieInstant clean, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var plan = await store.ReadAllBytesAsync(table.PathOf($"{table.TimelineFolder}/{clean.Time}.clean.requested"), cancellationToken).ConfigureAwait(false);
        var (earliest, lastCompleted, full) = TimelineAvroMetadata.ReadCleanerPlan(plan);
        var root = store.PathOf(table.BasePath).ToString().TrimEnd('/') + "/";
        var files = full.ToDictionary(
            p => p.Key,
            p => p.Value.Where(f => f.StartsWith(root, StringComparison.Ordinal)).Select(f => f[root.Length..]).ToList(),
            StringComparer.Ordinal);
        return await ExecuteAsync(table, clean.Time, plan, files, earliest ?? "", lastCompleted, watch, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CleanResult> ExecuteAsync(
        HudiTable table,
        string cleanTime,
        byte[] plan,
        Dictionary<string, List<string>> files,
        string earliest,
        string lastCompleted,
        Stopwatch watch,
        CancellationToken cancellationToken)
    {
        var inflight = table.PathOf($"{table.TimelineFolder}/{cleanTime}.clean.inflight");
        if (!await store.ExistsAsync(inflight, cancellationToken).ConfigureAwait(false))
        {
            await store.WriteAsync(inflight, plan, overwrite: true, cancellationToken).ConfigureAwait(false);
            options.Observer?.OnStep(WriteStep.CleanInflight, cleanTime);
        }

        var outcome = new Dictionary<string, (List<string> Deleted, List<string> Failed)>(StringComparer.Ordinal);
        var deletedPaths = new List<string>();
        foreach (var (partition, paths) in files)
        {
            var names = new List<string>();
            foreach (var path in paths)
            {
                await store.DeleteAsync(table.PathOf(path), cancellationToken).ConfigureAwait(false);
                names.Add(path[(path.LastIndexOf('/') + 1)..]);
                deletedPaths.Add(path);
                options.Observer?.OnStep(WriteStep.CleanFileDeleted, path);
            }

            outcome[partition] = (names, []);
        }

        var metadata = TimelineAvroMetadata.CleanMetadata(cleanTime, watch.ElapsedMilliseconds, earliest, lastCompleted, outcome);
        await store.WriteAsync(table.PathOf($"{table.TimelineFolder}/{cleanTime}.clean"), metadata, overwrite: false, cancellationToken).ConfigureAwait(false);
        options.Observer?.OnStep(WriteStep.CleanCompleted, cleanTime);
        return new CleanResult(cleanTime, earliest, deletedPaths.Count, deletedPaths, watch.Elapsed);
    }
}
