using System.Globalization;
using System.Text.Json;

namespace CdcLake.Benchmarks;

/// <summary>How a benchmark runs each side: DuckDB in a node process, CdcLake in a child of this program.</summary>
internal static class Sides
{
    /// <summary>One timed DuckDB statement in a fresh node process (tests/tools/duckdb-bench.mjs).</summary>
    public static Measurement DuckDb(int threads, string setup, string sql) =>
        Measurement.RunChild("node", [Path.Combine(ToolsDirectory, "duckdb-bench.mjs"), threads.ToString(CultureInfo.InvariantCulture), setup, sql], ToolsDirectory);

    /// <summary>This program run again with <paramref name="arguments"/> (one of its child commands).</summary>
    public static Measurement Ours(params string[] arguments) =>
        Measurement.RunChild("dotnet", [typeof(Sides).Assembly.Location, .. arguments]);

    /// <summary>The fastest of <paramref name="repeat"/> runs, with the highest peak memory of them.</summary>
    public static Measurement Best(int repeat, Func<Measurement> run) => Fastest([.. Enumerable.Range(0, repeat).Select(_ => run())]);

    /// <summary>
    /// Runs the two sides of one step <paramref name="repeat"/> times, alternating, each from the same starting state,
    /// and keeps each side's fastest run (with its highest peak). <paramref name="ours"/> gets the repetition's index:
    /// from the second on it must restore what the first started from. DuckDB's output folder is emptied before each run.
    /// </summary>
    public static (Measurement Ours, Measurement Duck) Alternate(int repeat, string duckOutput, Func<Measurement> duck, Func<int, Measurement> ours)
    {
        var duckRuns = new List<Measurement>();
        var ourRuns = new List<Measurement>();
        for (var i = 0; i < Math.Max(1, repeat); i++)
        {
            DeleteDirectory(duckOutput);
            duckRuns.Add(duck());
            ourRuns.Add(ours(i));
        }

        return (Fastest(ourRuns), Fastest(duckRuns));
    }

    public static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Replaces <paramref name="target"/> with a copy of <paramref name="source"/> (a table's state before a step).</summary>
    public static void CopyDirectory(string source, string target)
    {
        DeleteDirectory(target);
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        }
    }

    private static Measurement Fastest(List<Measurement> runs) => runs.MinBy(m => m.Seconds)! with { PeakBytes = runs.Max(m => m.PeakBytes) };

    /// <summary>The process's CPU time so far (user + system, all threads).</summary>
    public static double CpuSeconds() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>
    /// The line a child command prints last: its time, its CPU time since <paramref name="cpuAtStart"/>, its process's
    /// peak memory and its result rows.
    /// </summary>
    public static void Report(double seconds, double cpuAtStart, object rows) =>
        Console.WriteLine(JsonSerializer.Serialize(new { seconds, cpuSeconds = CpuSeconds() - cpuAtStart, peakBytes = Measurement.PeakResidentBytes(), rows }));

    /// <summary>The machine's 1-minute load average: the runs share 2 cores with other work, which skews ratios.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    public static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    /// <summary>A SQL string literal.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A DuckDB list of file names, for read_parquet.</summary>
    public static string FileList(IEnumerable<string> files) => "[" + string.Join(", ", files.Select(Quote)) + "]";

    public static string ToolsDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CdcLake.sln")))
            {
                dir = dir.Parent;
            }

            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("CdcLake.sln not found above the benchmark"), "tests", "tools");
        }
    }
}
