using System.Diagnostics;
using System.Globalization;
using CdcLake.Cdc;
using CdcLake.Hudi;

// Usage: CdcLake.Merge.CrashDriver --pipeline FILE [--table NAME] [--kill-at N] [--kill-step STEP [--kill-occurrence K]]
//        [--kill-after-ms MS] [--parallelism P]
// Runs the merge job on the pipeline's tables (or one), as `cdclake run` does, with the real table lock. Kills itself
// (SIGKILL, like kill -9: no finally blocks, no flushing) at the N-th event — a Hudi commit-protocol step
// (MergeOptions.WriteObserver) or a table entering a progress stage (MergeOptions.Progress) — or MS milliseconds
// after the job started; or at the K-th (default 1st) time it reaches the named step (a WriteStep name, or "stage:NAME"). Prints "killed at event N: WHAT" when it kills itself, else one line per table
// ("table NAME STATUS files F commits C") and "done events E ms M".
// Exit 0: every table succeeded; 1: a table failed or the job threw; 2: bad arguments.
var options = ParseArguments(args);
if (options is null)
{
    Console.Error.WriteLine("usage: --pipeline FILE [--table NAME] [--kill-at N] [--kill-step STEP [--kill-occurrence K]] [--kill-after-ms MS] [--parallelism P]");
    return 2;
}

var (pipeline, table, killAt, killStep, killOccurrence, killAfterMs, parallelism) = options.Value;
var tables = PipelineConfig.LoadAndResolve(pipeline).Where(t => table is null || t.Name == table).ToList();
var killer = new Killer(killAt, killStep, killOccurrence);
var watch = Stopwatch.StartNew();
if (killAfterMs > 0)
{
    // A thread of its own, not a thread-pool timer: the job keeps the pool busy, and the kill must come on time.
    new Thread(() =>
    {
        Thread.Sleep(killAfterMs);
        Killer.Die($"time {killAfterMs} ms");
    })
    { IsBackground = true }.Start();
}

try
{
    var summary = await MergeJob.RunAsync(tables, MergeOptions.Default with
    {
        WriteObserver = killer,
        Progress = killer,
        Parallelism = parallelism ?? MergeOptions.Default.Parallelism,
    });
    foreach (var t in summary.Tables)
    {
        Console.WriteLine($"table {t.Table} {t.Status} files {t.Files} commits {t.Commits.Count}{(t.Error is null ? "" : " error " + t.Error.ReplaceLineEndings(" "))}");
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done events {killer.Events} ms {watch.ElapsedMilliseconds}"));
    return summary.Succeeded ? 0 : 1;
}
catch (Exception e)
{
    Console.Error.WriteLine($"merge crash driver: the job threw: {e}");
    return 1;
}

static (string Pipeline, string? Table, int KillAt, string? KillStep, int KillOccurrence, int KillAfterMs, int? Parallelism)? ParseArguments(string[] args)
{
    string? pipeline = null, table = null, killStep = null;
    int killAt = 0, killAfterMs = 0, killOccurrence = 1;
    int? parallelism = null;
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        var value = args[i + 1];
        switch (args[i])
        {
            case "--pipeline": pipeline = value; break;
            case "--table": table = value; break;
            case "--kill-at": killAt = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--kill-step": killStep = value; break;
            case "--kill-occurrence": killOccurrence = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--kill-after-ms": killAfterMs = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--parallelism": parallelism = int.Parse(value, CultureInfo.InvariantCulture); break;
            default: return null;
        }
    }

    return pipeline is null || args.Length % 2 != 0 ? null : (pipeline, table, killAt, killStep, killOccurrence, killAfterMs, parallelism);
}

/// <summary>Counts the job's events (protocol steps, progress stages entered) and kills the process at the N-th.</summary>
internal sealed class Killer(int killAt, string? killStep, int killOccurrence) : IWriteObserver, IProgress<MergeProgress>
{
    private readonly Lock _lock = new();
    private (string Table, string Stage)? _stage;
    private int _events;
    private int _stepSeen;

    public int Events
    {
        get
        {
            lock (_lock)
            {
                return _events;
            }
        }
    }

    public void OnStep(WriteStep step, string detail) => Count(step.ToString(), $"step {step} ({detail})");

    public void Report(MergeProgress value)
    {
        lock (_lock)
        {
            // A stage entered is an event; the job's reports within a stage (file counts) are not.
            if (_stage == (value.Table, value.Stage))
            {
                return;
            }

            _stage = (value.Table, value.Stage);
        }

        Count("stage:" + value.Stage, $"stage {value.Table} {value.Stage}");
    }

    private void Count(string name, string what)
    {
        lock (_lock)
        {
            ++_events;
            if (_events == killAt || (name == killStep && ++_stepSeen == killOccurrence))
            {
                Die($"event {_events}: {what}");
            }
        }
    }

    public static void Die(string where)
    {
        Console.Out.WriteLine($"killed at {where}");
        Console.Out.Flush();
        // SIGKILL to ourselves: the process stops here, as a machine or container dying would stop it.
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
