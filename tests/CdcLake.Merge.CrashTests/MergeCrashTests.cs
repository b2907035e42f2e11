using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CdcLake.Cdc;
using CdcLake.Hudi;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CdcLake.Merge.CrashTests;

/// <summary>
/// Crash safety of the merge job (issue 4, acceptance 3). A sample DMS bucket arrives in stages — the full load, CDC
/// batches, a full reload (every LOAD file rewritten), more CDC — and after each stage an uninterrupted run of
/// <c>CdcLake.Merge.CrashDriver</c> builds the reference tables, checked against DuckDB's expected state over the same
/// files. Then, per stage and table, trials start from the reference table as it was before the stage, run the driver
/// (a real process) and let it SIGKILL itself at its N-th event (a Hudi protocol step or a progress stage) or after a
/// random number of milliseconds — sometimes twice, so that kills land in the recovery of a killed run too — and
/// rerun the job. The table must then hold exactly the reference's rows (no duplicate, no lost or doubled change),
/// the same checkpoint and at least its commits, pass the validator, and a further run must find nothing new.
/// </summary>
public sealed partial class MergeCrashTests(ITestOutputHelper output)
{
    private const int Seed = 20261122;

    /// <summary>6 stages × 3 tables × 6 = 108 trials (at least 100 in CI).</summary>
    private const int TrialsPerTableAndStage = 6;

    private static readonly string[] s_tables = ["customers", "orders", "order_lines"];

    /// <summary>The steps named kills go through: a run's commit protocol and its clean, and the job's own stages.</summary>
    private static readonly (string Step, int Occurrence)[] s_steps =
    [
        ("LockAcquired", 1), ("Requested", 1), ("Inflight", 1), ("PartitionMetadataWritten", 1), ("MarkerWritten", 1),
        ("BaseFileWritten", 1), ("MarkerWritten", 2), ("BaseFileWritten", 2), ("Completed", 1), ("MarkersRemoved", 1),
        ("CleanRequested", 1), ("CleanInflight", 1), ("CleanFileDeleted", 1), ("CleanCompleted", 1),
        ("stage:read", 1), ("stage:write", 1), ("stage:done", 1), ("Requested", 2),
    ];

    /// <summary>The steps of a rollback of a killed run's debris, where the second run of a trial dies.</summary>
    private static readonly (string Step, int Occurrence)[] s_rollbackSteps =
    [
        ("RollbackRequested", 1), ("RollbackInflight", 1), ("RollbackFileDeleted", 1), ("RollbackTargetRemoved", 1), ("RollbackCompleted", 1),
    ];

    [Fact]
    public async Task A_merge_killed_anywhere_then_rerun_ends_in_the_table_of_an_uninterrupted_run()
    {
        using var temp = new TempDirectory("merge-crash");
        var (stages, reference, trial) = Prepare(temp);
        var random = new Random(Seed);
        var stats = new Stats();
        var watch = Stopwatch.StartNew();
        var previous = s_tables.ToDictionary(t => t, _ => TableState.Empty);
        for (var s = 0; s < stages.Count; s++)
        {
            var stage = stages[s];
            stage.Apply();
            foreach (var table in s_tables)
            {
                var tableDir = LakePath(reference, table);
                var preStage = temp.PathOf($"snapshots/{s}/{table}");
                CopyDirectory(tableDir, preStage);
                var run = RunDriver(reference, table, []);
                run.ExitCode.Should().Be(0, $"the uninterrupted run of {table} in stage {stage.Name} succeeds: {run}");
                var done = DoneLine().Match(run.Stdout);
                done.Success.Should().BeTrue(run.ToString());
                var (events, milliseconds) = (int.Parse(done.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(done.Groups[2].Value, CultureInfo.InvariantCulture));
                var expected = await TableState.ReadAsync(tableDir);
                expected.Keys.Should().OnlyHaveUniqueItems();
                stats.Events[(stage.Name, table)] = (events, milliseconds);

                for (var k = 0; k < TrialsPerTableAndStage; k++)
                {
                    await TrialAsync(trial, table, preStage, previous[table], expected, events, milliseconds, k, random, stats, $"stage {stage.Name}, {table}, trial {k}");
                }

                previous[table] = expected;
            }
        }

        output.WriteLine($"{stats.Trials} trials in {watch.Elapsed.TotalSeconds:F1} s: {stats.Kills} kills ({stats.DoubleKills} runs killed twice), {stats.Completed} runs finished before their kill, {stats.LeftPending} left a pending instant, {stats.EmptyLocks} runs met an empty lock file (a writer killed right after creating it), recoveries made {stats.ExtraCommits} commits more than the uninterrupted runs");
        output.WriteLine("uninterrupted runs (events, ms): " + string.Join("; ", stats.Events.Select(e => $"{e.Key.Stage}/{e.Key.Table} {e.Value.Events}, {e.Value.Ms}")));
        output.WriteLine($"{stats.UnfinishedCleans.Count} reruns left an interrupted clean unfinished: " + string.Join("; ", stats.UnfinishedCleans.Take(3)));
        output.WriteLine("died at: " + string.Join(", ", stats.KilledAt.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} ×{k.Value}")));
        stats.UnfinishedCleans.Should().BeEmpty(
            "a rerun must leave a valid table, also when it finds no new file: a clean killed after deleting files stays pending otherwise (its files missing)");
        stats.Trials.Should().BeGreaterThanOrEqualTo(100);
        stats.Kills.Should().BeGreaterThan(stats.Trials / 2);
        stats.KilledAt.Keys.Should().Contain(["LockAcquired", "Requested", "Inflight", "MarkerWritten", "BaseFileWritten", "Completed", "MarkersRemoved", "RollbackRequested", "time"]);
        stats.KilledAt.Keys.Should().Contain(k => k.StartsWith("Clean", StringComparison.Ordinal), "kills land in cleans too");
    }

    /// <summary>
    /// The reference the crash test compares with, checked independently: the same staged input merged run by run
    /// (in this process) ends, after every stage, in the rows DuckDB's SQL computes over the files then in force.
    /// </summary>
    [Fact]
    public async Task The_staged_runs_end_in_the_state_duckdb_expects_after_every_stage()
    {
        using var temp = new TempDirectory("merge-staged");
        var (stages, reference, _) = Prepare(temp);
        var mismatches = new List<string>();
        for (var s = 0; s < stages.Count; s++)
        {
            stages[s].Apply();
            foreach (var table in s_tables)
            {
                var summary = await RunInProcessAsync(reference, table);
                summary.Succeeded.Should().BeTrue(summary.ToJson());
                var problem = await CompareWithDuckDbAsync(reference, table, stages[s].EffectiveFiles(table), temp.PathOf($"oracle/{s}/{table}"));
                if (problem is not null)
                {
                    mismatches.Add($"after stage {stages[s].Name}, {table}: {problem}");
                }
            }
        }

        mismatches.Should().BeEmpty();
    }

    /// <summary>The staged input in <paramref name="temp"/>/dms, and two pipelines over it: the reference's and the trials'.</summary>
    private static (List<Stage> Stages, string Reference, string Trial) Prepare(TempDirectory temp)
    {
        var sample = DmsSample.Write(temp.PathOf("sample"), new DmsSampleOptions { Rows = 40, Batches = 4, Seed = 7 });
        var live = temp.PathOf("dms");
        var config = PipelineConfig.Load(sample.PipelineFile);
        return (Stages(sample, live), WritePipeline(temp.PathOf("reference"), config, live), WritePipeline(temp.PathOf("trial"), config, live));
    }

    private async Task TrialAsync(
        string pipeline, string table, string preStage, TableState before, TableState expected, int events, int milliseconds, int k, Random random, Stats stats, string name)
    {
        var tableDir = LakePath(pipeline, table);
        if (Directory.Exists(tableDir))
        {
            Directory.Delete(tableDir, recursive: true);
        }

        CopyDirectory(preStage, tableDir);

        // A third of the trials die at a named protocol step (going through s_steps), a third at an event number spread
        // over the run (stratified, so that every part of it is hit), a third at a random time of the uninterrupted
        // run's length (the driver's clock starts with the job, after start-up).
        var third = (TrialsPerTableAndStage + 2) / 3;
        string[] kill = (k % 3) switch
        {
            0 => StepKill(s_steps[stats.StepCursor++ % s_steps.Length]),
            1 => ["--kill-at", (1 + (int)(((k / 3) + random.NextDouble()) * events / third)).ToString(CultureInfo.InvariantCulture)],
            _ => ["--kill-after-ms", random.Next(1, Math.Max(2, milliseconds)).ToString(CultureInfo.InvariantCulture)],
        };
        var first = RunDriver(pipeline, table, kill);
        stats.Trials++;
        var pending = await AfterKillAsync(first, tableDir, before, expected, stats, $"{name} ({string.Join(' ', kill)})");

        // After an event kill a second run is killed too: at a rollback step when the first left debris (so kills land
        // in the recovery of a killed run), else at any of its events.
        if (k % 3 == 1 && first.Killed)
        {
            string[] secondKill = pending
                ? StepKill(s_rollbackSteps[stats.RollbackCursor++ % s_rollbackSteps.Length])
                : ["--kill-at", random.Next(1, events + 1).ToString(CultureInfo.InvariantCulture)];
            var second = RunDriver(pipeline, table, secondKill);
            stats.DoubleKills += second.Killed ? 1 : 0;
            await AfterKillAsync(second, tableDir, before, expected, stats, $"{name}, second run ({string.Join(" ", secondKill)})");
        }

        // The rerun, in this process: it takes over the dead process's lock and rolls its debris back.
        var rerun = await RunInProcessAsync(pipeline, table);
        if (!rerun.Succeeded && BlockedByEmptyLock(rerun.ToJson(), tableDir))
        {
            // Killed between creating the lock file and writing its owner into it: nobody can tell that the writer is
            // gone, so the lock holds until its lease ends (60 s). Counted and reported; the rerun waits out a short lease.
            stats.EmptyLocks++;
            rerun = await RunInProcessAsync(pipeline, table, new LocalFileLockProvider(new LocalFileLockOptions
            {
                LeaseDuration = TimeSpan.FromSeconds(2),
                AcquireWait = TimeSpan.FromSeconds(10),
                RetryPeriod = TimeSpan.FromMilliseconds(250),
            }));
        }

        rerun.Succeeded.Should().BeTrue($"{name}: the rerun succeeds: {rerun.ToJson()}");
        var state = await TableState.ReadAsync(tableDir);
        state.Keys.Should().OnlyHaveUniqueItems(name);
        state.Rows.Should().Equal(expected.Rows, $"{name}: the table holds what an uninterrupted run wrote");
        // A run killed between a load's two commits (rows streamed, then held-back keys with the checkpoint) is
        // finished by a rerun that merges the load again by key (TableMerge.StreamLoadAsync): more commits, the same rows.
        state.CompletedWrites.Should().BeGreaterThanOrEqualTo(expected.CompletedWrites, $"{name}: no commit is lost");
        stats.ExtraCommits += state.CompletedWrites - expected.CompletedWrites;
        state.Checkpoint.Should().Be(expected.Checkpoint, $"{name}: the checkpoint records the same files");
        using (var store = ObjectStores.For(tableDir))
        {
            var problems = (await HudiTableValidator.ValidateAsync(store)).Problems;
            var cleanPending = (await HudiTable.OpenAsync(store)).Timeline.Pending.Any(i => i.Action == HoodieActions.Clean);
            if (cleanPending && problems.Count > 0 && problems.All(p => p.Kind is HudiProblemKind.MissingFile or HudiProblemKind.PendingFile))
            {
                // Counted, and failed at the end with the count: the rows are right, the rest of the run still tells.
                stats.UnfinishedCleans.Add($"{name}: {problems.Count} problems, e.g. {problems[0]}");
            }
            else
            {
                problems.Should().BeEmpty(name);
            }
        }

        var again = await RunInProcessAsync(pipeline, table);
        again.Tables.Should().ContainSingle().Which.Status.Should().Be(MergeStatus.UpToDate, $"{name}: every file was merged exactly once");
    }

    /// <summary>
    /// After a killed (or finished) run: the table reads as before the stage or as after it — nothing in between,
    /// no duplicate key — and the validator finds nothing but a pending instant's debris.
    /// </summary>
    private static async Task<bool> AfterKillAsync(DriverRun run, string tableDir, TableState before, TableState expected, Stats stats, string name)
    {
        if (run.Killed)
        {
            stats.Kills++;
            var at = KilledAtEvent().Match(run.Stdout);
            var key = !at.Success ? "time" : at.Groups[1].Success ? at.Groups[1].Value : "stage " + at.Groups[2].Value;
            stats.KilledAt[key] = stats.KilledAt.GetValueOrDefault(key) + 1;
        }
        else if (run.ExitCode != 0 && BlockedByEmptyLock(run.Stdout, tableDir))
        {
            stats.EmptyLocks++;
        }
        else
        {
            run.ExitCode.Should().Be(0, $"{name}: a run that was not killed succeeds: {run}");
            stats.Completed++;
        }

        var state = await TableState.ReadAsync(tableDir);
        state.Keys.Should().OnlyHaveUniqueItems(name);
        if (!state.Rows.SequenceEqual(before.Rows))
        {
            state.Rows.Should().Equal(expected.Rows, $"{name}: a killed run leaves the table as before the stage or as after it: {run}");
        }

        if (!state.Exists)
        {
            return false;
        }

        using var store = ObjectStores.For(tableDir);
        var table = await HudiTable.OpenAsync(store);
        var cleanPending = table.Timeline.Pending.Any(i => i.Action == HoodieActions.Clean);
        var pending = table.Timeline.Pending.Any();
        stats.LeftPending += pending ? 1 : 0;
        var report = await HudiTableValidator.ValidateAsync(store);
        report.Problems.Where(p => !(p.Kind == HudiProblemKind.PendingFile || (cleanPending && p.Kind == HudiProblemKind.MissingFile)))
            .Should().BeEmpty($"{name}: {run}");
        return pending;
    }

    private static string[] StepKill((string Step, int Occurrence) at) =>
        ["--kill-step", at.Step, "--kill-occurrence", at.Occurrence.ToString(CultureInfo.InvariantCulture)];

    private static async Task<RunSummary> RunInProcessAsync(string pipeline, string table, ITableLockProvider? locks = null) =>
        await MergeJob.RunAsync([.. PipelineConfig.LoadAndResolve(pipeline).Where(t => t.Name == table)], MergeOptions.Default with { LockProvider = locks });

    /// <summary>The run failed on the lock, and the lock file is empty: its writer died before it could say who it was.</summary>
    private static bool BlockedByEmptyLock(string report, string tableDir)
    {
        var lockFile = new FileInfo(Path.Combine(tableDir, ".hoodie", "lock"));
        return report.Contains("is locked by another writer", StringComparison.Ordinal) && lockFile.Exists && lockFile.Length == 0;
    }

    /// <summary>The table's data columns against DuckDB's expected state over the files in force; null when equal, else the difference.</summary>
    private static async Task<string?> CompareWithDuckDbAsync(string pipeline, string table, IReadOnlyList<(string Source, string Relative)> files, string oracleFolder)
    {
        // DuckDB reads a copy holding exactly the files an uninterrupted history has in force: after the reload, the
        // new LOAD files and the CDC that followed (the reload replaced what the earlier CDC had done).
        foreach (var (source, relative) in files)
        {
            var copy = Path.Combine(oracleFolder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(source, copy, overwrite: true);
        }

        var spec = PipelineConfig.LoadAndResolve(pipeline).Single(t => t.Name == table);
        using var store = ObjectStores.For(spec.Target);
        var hudi = await HudiTable.OpenAsync(store);
        var schema = await hudi.GetSchemaAsync();
        var columns = schema.Fields.Select(f => f.Name)
            .Where(c => !HoodieMetaFields.IsMetaField(c) && c != TableSpec.OrderColumn && c != spec.DatePartition?.Column)
            .ToList();
        var ours = new List<string>();
        await foreach (var batch in hudi.ReadAsync(new HudiQuery { Columns = columns }))
        {
            for (var row = 0; row < batch.RowCount; row++)
            {
                ours.Add("[" + string.Join(",", columns.Select(c => DuckCanonical.Render(batch[c], row))) + "]");
            }
        }

        var expected = ExpectedState.Query(DuckDb.Shared, new ExpectedStateSpec
        {
            Folder = oracleFolder,
            RecordKey = spec.RecordKey,
            Ordering = spec.Ordering ?? ["AR_H_CHANGE_SEQ"],
            BeforeImageKey = spec.BeforeImageKeyColumns,
            Columns = columns,
        });
        var theirs = Canonical.Render(expected).ToHashSet(StringComparer.Ordinal);
        var extra = ours.Where(r => !theirs.Contains(r)).ToList();
        var missing = theirs.Except(ours, StringComparer.Ordinal).ToList();
        return extra.Count == 0 && missing.Count == 0 && ours.Count == theirs.Count
            ? null
            : $"{ours.Count} rows, DuckDB {theirs.Count}; not expected: {string.Join(" ", extra.Take(5))}; missing: {string.Join(" ", missing.Take(5))}";
    }

    /// <summary>
    /// The stages the DMS files arrive in: the full load; CDC batches one and two; a full reload (every LOAD file
    /// rewritten: new modification time, same rows); CDC batches three and four. A batch is two CDC files per table.
    /// </summary>
    private static List<Stage> Stages(DmsSampleResult sample, string live)
    {
        var tables = sample.Tables.ToDictionary(t => t.Name);
        List<string> Files(string table, bool load) =>
        [
            .. Directory.EnumerateFiles(tables[table].Folder, "*.parquet", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(tables[table].Folder, f))
                .Where(f => Path.GetFileName(f).StartsWith("LOAD", StringComparison.Ordinal) == load)
                .OrderBy(Path.GetFileName, StringComparer.Ordinal),
        ];

        var inForce = s_tables.ToDictionary(t => t, _ => new List<string>());
        var arrivals = 0;
        void Arrive(string table, string relative)
        {
            var target = Path.Combine(live, table, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(tables[table].Folder, relative), target, overwrite: true);
            // A new version for the store (path + size + modification time): one second later than anything before.
            File.SetLastWriteTimeUtc(target, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(++arrivals));
            inForce[table].Add(relative);
        }

        Stage Load(string name) => new(name, () =>
        {
            foreach (var table in s_tables)
            {
                inForce[table].Clear();
                foreach (var file in Files(table, load: true))
                {
                    Arrive(table, file);
                }
            }
        }, table => [.. inForce[table].Select(f => (Path.Combine(live, table, f), f))]);

        Stage Cdc(int batch) => new($"cdc{batch}", () =>
        {
            foreach (var table in s_tables)
            {
                foreach (var file in Files(table, load: false).Skip((batch - 1) * 2).Take(2))
                {
                    Arrive(table, file);
                }
            }
        }, table => [.. inForce[table].Select(f => (Path.Combine(live, table, f), f))]);

        return [Load("load"), Cdc(1), Cdc(2), Load("reload"), Cdc(3), Cdc(4)];
    }

    /// <summary>
    /// A pipeline like the sample's, reading the live DMS folder, writing under <paramref name="folder"/>/lake, with
    /// small files (several file groups per table) and cleaning after two commits (so that kills land in cleans).
    /// </summary>
    private static string WritePipeline(string folder, PipelineConfig sampleConfig, string live)
    {
        var config = PipelineConfig.Parse(sampleConfig.ToJson());
        config.Defaults ??= new TableSettings();
        config.Defaults.Write = new WriteSettings { MaxFileSizeBytes = 48 * 1024, SmallFileLimitBytes = 24 * 1024, CleanRetainCommits = 2 };
        foreach (var table in config.Tables!)
        {
            table.Source = Path.Combine(live, table.Table!);
            table.Target = Path.Combine(folder, "lake", table.Table!);
        }

        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "pipeline.json");
        File.WriteAllText(file, config.ToJson());
        return file;
    }

    private static string LakePath(string pipeline, string table) => Path.Combine(Path.GetDirectoryName(pipeline)!, "lake", table);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        if (!Directory.Exists(from))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
    }

    private static DriverRun RunDriver(string pipeline, string table, string[] kill)
    {
        var driver = Path.Combine(AppContext.BaseDirectory, "CdcLake.Merge.CrashDriver.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { driver, "--pipeline", pipeline, "--table", table }.Concat(kill))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the merge crash driver hung on {table} ({string.Join(' ', kill)})");
        }

        return new DriverRun(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    [GeneratedRegex(@"done events ([0-9]+) ms ([0-9]+)")]
    private static partial Regex DoneLine();

    [GeneratedRegex(@"killed at event [0-9]+: (?:step (\w+)|stage \w+ (\w+))")]
    private static partial Regex KilledAtEvent();

    private sealed record Stage(string Name, Action Apply, Func<string, IReadOnlyList<(string Source, string Relative)>> EffectiveFiles);

    private sealed record DriverRun(int ExitCode, string Stdout, string Stderr)
    {
        public bool Killed => Stdout.Contains("killed at", StringComparison.Ordinal);

        public override string ToString() => $"exit {ExitCode}; stdout: {Stdout.Trim()}; stderr: {Stderr.Trim()}";
    }

    private sealed class Stats
    {
        public int Trials { get; set; }

        public int Kills { get; set; }

        public int DoubleKills { get; set; }

        public int Completed { get; set; }

        public int LeftPending { get; set; }

        public Dictionary<string, int> KilledAt { get; } = new(StringComparer.Ordinal);

        public List<string> UnfinishedCleans { get; } = [];

        public int EmptyLocks { get; set; }

        public int ExtraCommits { get; set; }

        public int StepCursor { get; set; }

        public int RollbackCursor { get; set; }

        public Dictionary<(string Stage, string Table), (int Events, int Ms)> Events { get; } = [];
    }
}
