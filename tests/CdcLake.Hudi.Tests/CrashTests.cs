using System.Diagnostics;
using System.Globalization;
using CdcLake.Hudi.CrashDriver;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// Kills a real writer process (SIGKILL from inside, at a named protocol step or before its N-th storage write)
/// over and over on one table, with a fixed seed, and checks after every death that the table reads as of its last
/// completed commit (no duplicate keys, no visible orphan or half-written file), and that the next write rolls the
/// debris back and succeeds.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output, S3WriteFixture s3) : IClassFixture<S3WriteFixture>
{
    private const int Seed = 20240418;

    /// <summary>At least 100 in CI; each is one process (~0.3 s) plus an in-process check.</summary>
    private const int Trials = 120;

    /// <summary>On s3rver every request is an HTTP round trip: fewer trials, the same rules.</summary>
    private const int S3Trials = 20;

    private static readonly (WriteStep Step, int Occurrence)[] s_writeSteps =
    [
        (WriteStep.LockAcquired, 1),
        (WriteStep.Requested, 1),
        (WriteStep.Inflight, 1),
        (WriteStep.MarkerWritten, 1),
        (WriteStep.BaseFileWritten, 1),
        (WriteStep.MarkerWritten, 2),
        (WriteStep.BaseFileWritten, 2),
        (WriteStep.BaseFileWritten, 3),
        (WriteStep.Completed, 1),
        (WriteStep.MarkersRemoved, 1),
    ];

    private static readonly (WriteStep Step, int Occurrence)[] s_rollbackSteps =
    [
        (WriteStep.RollbackRequested, 1),
        (WriteStep.RollbackInflight, 1),
        (WriteStep.RollbackFileDeleted, 1),
        (WriteStep.RollbackTargetRemoved, 1),
        (WriteStep.RollbackCompleted, 1),
        (WriteStep.RollbackFileDeleted, 2),
    ];

    private static readonly (WriteStep Step, int Occurrence)[] s_cleanSteps =
    [
        (WriteStep.CleanRequested, 1),
        (WriteStep.CleanInflight, 1),
        (WriteStep.CleanFileDeleted, 1),
        (WriteStep.CleanCompleted, 1),
    ];

    [Fact]
    public async Task A_writer_killed_anywhere_leaves_a_readable_table_that_the_next_write_recovers()
    {
        using var temp = new TempDirectory("hudi-crash");
        var tableDir = temp.PathOf("crash");
        Directory.CreateDirectory(tableDir);
        using var store = ObjectStores.For(tableDir);
        var (model, round) = await RunTrialsAsync(store, [tableDir], Trials);

        // A final write, then an independent reader: DuckDB on the latest committed base files.
        var last = CrashWorkload.Operation(Seed, round);
        await CrashWorkload.RunAsync(store, last, CrashWorkload.WriteOptions(NoLockForTests.Instance, null));
        Apply(model, last);
        (await HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty();
        var files = LatestBaseFilesByHand(tableDir);
        var duck = Expected.DuckDbRows(tableDir, files, ["id", "name", "ts", "part"]);
        duck.Should().Equal(model.Values
            .Select(r => Expected.Normalize($"{{\"id\":{r.Id},\"name\":\"{r.Name}\",\"ts\":{r.Ts},\"part\":\"{r.Part}\"}}"))
            .Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The same on s3rver: a killed multipart upload or PUT leaves nothing visible, and without conditional PUT the
    /// commit's create-if-absent is check-then-put (one writer at a time, as the lock guarantees in production).
    /// </summary>
    [Fact]
    public async Task A_writer_killed_anywhere_on_S3_leaves_a_readable_table_that_the_next_write_recovers()
    {
        var prefix = $"crash-{Guid.NewGuid():N}";
        using var store = ObjectStores.For($"s3://{S3WriteFixture.Bucket}/{prefix}", s3.Options);
        await RunTrialsAsync(store, [$"s3://{S3WriteFixture.Bucket}/{prefix}", "--s3-endpoint", s3.Options.ServiceUrl!], S3Trials);
        (await HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty();
    }

    private async Task<(Dictionary<long, CrashRecord> Model, int Round)> RunTrialsAsync(IObjectStore store, string[] tableArguments, int trials)
    {
        var model = new Dictionary<long, CrashRecord>();
        var random = new Random(Seed);
        var round = 0;
        int kills = 0, recoveries = 0, rolledBack = 0, withDebris = 0;
        var stepsHit = new HashSet<string>();
        var cursor = new Dictionary<(WriteStep, int)[], int> { [s_writeSteps] = 0, [s_rollbackSteps] = 0, [s_cleanSteps] = 0 };
        var watch = Stopwatch.StartNew();
        for (var trial = 0; trial < trials; trial++)
        {
            var op = CrashWorkload.Operation(Seed, round++);
            // Every other trial dies at a named step the run will reach (rolling back its predecessor's debris when there
            // is some, cleaning when it cleans, else writing), going through each list (a step is tried until the run reaches it); the others die before a
            // random storage write.
            var debris = await HasPendingWriteAsync(store);
            var steps = op.Kind == CrashOpKind.Clean ? (debris && trial % 4 == 0 ? s_rollbackSteps : s_cleanSteps) : debris ? s_rollbackSteps : s_writeSteps;
            var (step, occurrence) = steps[cursor[steps] % steps.Length];
            string[] kill = trial % 2 == 0
                ? ["--kill-step", step.ToString(), "--kill-occurrence", occurrence.ToString(CultureInfo.InvariantCulture)]
                : ["--kill-after-writes", random.Next(1, 14).ToString(CultureInfo.InvariantCulture)];
            var before = await CompletedWritesAsync(store);
            var (exitCode, stdout, stderr) = RunDriver(tableArguments, op.Round, kill);
            var killed = stdout.Contains("killed", StringComparison.Ordinal);
            if (killed)
            {
                kills++;
                if (trial % 2 == 0 && stdout.Contains($"step {step} #", StringComparison.Ordinal))
                {
                    // Move on to the list's next step only once this one was hit: every step gets its death.
                    cursor[steps]++;
                }

                stepsHit.Add(stdout.Trim().Split(' ')[1] is "step" ? stdout.Trim().Split(' ')[2] : "storage-write");
            }
            else
            {
                exitCode.Should().Be(0, $"trial {trial} (round {op.Round}, {op.Kind}, {string.Join(' ', kill)}) was not killed, so it must succeed: {stderr}");
            }

            var after = await CompletedWritesAsync(store);
            after.Should().BeInRange(before, before + 1);
            if (after > before)
            {
                Apply(model, op);
            }

            var pending = await CheckReadableAsync(store, model, $"trial {trial} after {op.Kind} killed at {string.Join(' ', kill)}: {stdout.Trim()}");
            if (pending)
            {
                withDebris++;
            }

            // Two times in three the next write happens here, in process, and must roll the debris back; otherwise
            // the debris stays for the next driver, whose recovery may itself be killed (the rollback steps).
            if (trial % 3 != 1)
            {
                var next = CrashWorkload.Operation(Seed, round++);
                // The real lock on local disk: the dead driver's lock file must be taken over.
                var options = CrashWorkload.WriteOptions(store.Root.IsLocal ? new LocalFileLockProvider() : NoLockForTests.Instance, observer: null);
                var rollbacks = await new HudiWriteClient(store, "", options).RollbackFailedWritesAsync();
                rolledBack += rollbacks.Count;
                if (pending)
                {
                    rollbacks.Should().NotBeEmpty($"trial {trial}: a pending write must be rolled back");
                }

                await CrashWorkload.RunAsync(store, next, options);
                Apply(model, next);
                recoveries++;
                var report = await HudiTableValidator.ValidateAsync(store);
                report.Problems.Should().BeEmpty($"trial {trial}: after recovery and a write the table is clean");
                (await ReadAsync(store)).Should().Equal(Sorted(model.Values), $"trial {trial}: the table holds what the completed writes wrote");
            }
        }

        output.WriteLine($"{trials} trials, {kills} kills, {withDebris} left pending debris, {recoveries} in-process recoveries rolling back {rolledBack} instants, {watch.Elapsed.TotalSeconds:F1} s");
        output.WriteLine("died at: " + string.Join(", ", stepsHit.Order(StringComparer.Ordinal)));
        kills.Should().BeGreaterThan(trials / 2);
        if (trials >= 100)
        {
            stepsHit.Should().Contain([.. s_writeSteps.Concat(s_rollbackSteps).Concat(s_cleanSteps).Select(s => s.Step.ToString()).Distinct(), "storage-write"]);
        }

        return (model, round);
    }

    /// <summary>
    /// <see cref="Expected.BaseFiles"/> (newest completed slice per file group, from file names) less the file groups
    /// that completed replacecommits list in partitionToReplaceFileIds, read here with System.Text.Json.
    /// </summary>
    private static List<string> LatestBaseFilesByHand(string tableDir)
    {
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(tableDir, ".hoodie"), "*.replacecommit"))
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var partition in json.RootElement.GetProperty("partitionToReplaceFileIds").EnumerateObject())
            {
                foreach (var id in partition.Value.EnumerateArray())
                {
                    replaced.Add($"{partition.Name}/{id.GetString()}");
                }
            }
        }

        return [.. Expected.BaseFiles(tableDir).Where(f => !replaced.Contains($"{Path.GetDirectoryName(f)!.Replace('\\', '/')}/{Path.GetFileName(f).Split('_')[0]}"))];
    }

    /// <summary>The model's change for a completed operation, computed here without the library.</summary>
    private static void Apply(Dictionary<long, CrashRecord> model, CrashOp op)
    {
        switch (op.Kind)
        {
            case CrashOpKind.BulkInsert or CrashOpKind.Upsert:
                var combined = new Dictionary<long, CrashRecord>();
                foreach (var record in op.Records)
                {
                    if (!combined.TryGetValue(record.Id, out var seen) || record.Ts >= seen.Ts)
                    {
                        combined[record.Id] = record;
                    }
                }

                foreach (var record in combined.Values)
                {
                    if (op.Kind == CrashOpKind.BulkInsert || !model.TryGetValue(record.Id, out var stored) || record.Ts >= stored.Ts)
                    {
                        model[record.Id] = record;
                    }
                }

                // The upsert's marked deletes carry the round as ts: at least as new as anything stored.
                foreach (var id in op.Kind == CrashOpKind.Upsert ? op.DeleteIds : [])
                {
                    model.Remove(id);
                }

                break;
            case CrashOpKind.Delete:
                foreach (var id in op.DeleteIds)
                {
                    model.Remove(id);
                }

                break;
            case CrashOpKind.InsertOverwrite:
                foreach (var id in model.Keys.Where(id => CrashRecord.PartOf(id) == op.Partition).ToList())
                {
                    model.Remove(id);
                }

                foreach (var record in op.Records)
                {
                    model[record.Id] = record;
                }

                break;
        }
    }

    /// <summary>
    /// The table reads as the model says, keys unique, and the validator finds nothing but a pending write's debris
    /// (and, while a clean is pending, the files it already deleted). Returns whether a write or rollback is pending.
    /// </summary>
    private static async Task<bool> CheckReadableAsync(IObjectStore store, Dictionary<long, CrashRecord> model, string because)
    {
        if (!await store.ExistsAsync(".hoodie/hoodie.properties"))
        {
            model.Should().BeEmpty(because);
            return false;
        }

        var rows = await ReadAsync(store);
        rows.Select(r => r.Id).Should().OnlyHaveUniqueItems(because);
        rows.Should().Equal(Sorted(model.Values), because);
        var table = await HudiTable.OpenAsync(store);
        var cleanPending = table.Timeline.Pending.Any(i => i.Action == HoodieActions.Clean);
        var report = await HudiTableValidator.ValidateAsync(store);
        report.Problems.Where(p => !(p.Kind == HudiProblemKind.PendingFile || (cleanPending && p.Kind == HudiProblemKind.MissingFile)))
            .Should().BeEmpty(because);
        return table.Timeline.Pending.Any(i => i.Action != HoodieActions.Clean);
    }

    private static async Task<bool> HasPendingWriteAsync(IObjectStore store) =>
        await store.ExistsAsync(".hoodie/hoodie.properties")
        && (await HudiTable.OpenAsync(store)).Timeline.Pending.Any(i => i.Action != HoodieActions.Clean);

    private static async Task<int> CompletedWritesAsync(IObjectStore store)
    {
        if (!await store.ExistsAsync(".hoodie/hoodie.properties"))
        {
            return 0;
        }

        return (await HudiTable.OpenAsync(store)).Timeline.CompletedWrites.Count();
    }

    private static async Task<List<CrashRecord>> ReadAsync(IObjectStore store)
    {
        var table = await HudiTable.OpenAsync(store);
        var rows = new List<CrashRecord>();
        await foreach (var batch in table.ReadAsync(new HudiQuery { Columns = ["id", "name", "ts", "part"] }))
        {
            rows.AddRange(batch.Rows().Select(r => new CrashRecord((long)r[0]!, (string)r[1]!, (long)r[2]!, (string)r[3]!)));
        }

        return Sorted(rows);
    }

    private static List<CrashRecord> Sorted(IEnumerable<CrashRecord> records) => [.. records.OrderBy(r => r.Id)];

    private static (int ExitCode, string Stdout, string Stderr) RunDriver(string[] table, int round, string[] kill)
    {
        var driver = Path.Combine(AppContext.BaseDirectory, "CdcLake.Hudi.CrashDriver.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { driver, "--table" }.Concat(table).Concat(["--seed", Seed.ToString(CultureInfo.InvariantCulture), "--round", round.ToString(CultureInfo.InvariantCulture)]).Concat(kill))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the crash driver hung on round {round}");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
