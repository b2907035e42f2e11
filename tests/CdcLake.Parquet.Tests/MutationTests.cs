using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// Acceptance: at least 5,000 corrupted variants of valid Parquet files (bit flips, truncation, rewritten
/// length and count fields...) each end in a read or a <see cref="ParquetException"/>, never another
/// exception, a hang or a runaway allocation. The work is done by tests/CdcLake.Parquet.Mutation, run
/// here as a child process (built first through a ProjectReference without its assembly) so that a
/// per-variant hang guard can end it and DOTNET_GCHeapHardLimit can cap its heap: an allocation driven
/// by a corrupt count then fails as an OutOfMemoryException, which the harness reports as a failure.
/// With --strict, a refusal that the reader's safety net made out of a .NET invariant failure (an index
/// out of range, a null reference...) also fails: the codec is expected to check what it relies on.
/// </summary>
public sealed class MutationTests(ITestOutputHelper output)
{
    private const long Seed = 20261122;
    private const int Variants = 6000;
    private const int RequiredVariants = 5000;
    private const string HeapHardLimit = "0x60000000"; // 1.5 GiB
    private static readonly TimeSpan s_overallTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public void Corrupted_files_are_read_or_refused_with_ParquetException()
    {
        var harness = HarnessPath();
        File.Exists(harness).Should().BeTrue(
            $"the mutation harness is built with the tests (ProjectReference); expected it at {harness}");

        // Kept after the run (artifacts/ is ignored by git): the summary, the per-variant log, the DuckDB
        // sources and the bytes of every failing variant, to replay with --only ID or open directly.
        var outputDir = Path.Combine(RepoPaths.Root, "artifacts", "mutation");
        if (Directory.Exists(outputDir))
        {
            Directory.Delete(outputDir, recursive: true);
        }

        Directory.CreateDirectory(outputDir);
        var summaryPath = Path.Combine(outputDir, "summary.json");
        var logPath = Path.Combine(outputDir, "variants.log");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = outputDir,
        };
        foreach (var arg in new[]
                 {
                     harness, "--seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--variants", Variants.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--timeout-seconds", "10", "--strict",
                     "--json", summaryPath, "--log", logPath,
                     "--save-dir", Path.Combine(outputDir, "failures"),
                     "--duckdb", Path.Combine(outputDir, "duckdb-sources"),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_GCHeapHardLimit"] = HeapHardLimit;
        start.Environment[RepoPaths.SharedFixturesVariable] = RepoPaths.SharedFixtures;

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExit(s_overallTimeout);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        else
        {
            process.WaitForExit(); // drains the redirected streams
        }

        output.WriteLine($"harness: {harness}, output in {outputDir} (exit {(exited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none: killed")}, {clock.Elapsed.TotalSeconds:F1}s)");
        lock (stdout)
        {
            output.WriteLine(stdout.ToString());
        }

        lock (stderr)
        {
            if (stderr.Length > 0)
            {
                output.WriteLine("stderr:\n" + stderr);
            }
        }

        exited.Should().BeTrue($"the whole run must finish within {s_overallTimeout}; the variant being read was: {LastLogLine(logPath)}");
        File.Exists(summaryPath).Should().BeTrue(
            $"the harness writes its summary unless the process died (exit {process.ExitCode}); the variant being read was: {LastLogLine(logPath)}");
        using var summary = JsonDocument.Parse(File.ReadAllText(summaryPath));
        var root = summary.RootElement;
        int Count(string name) => root.GetProperty(name).GetInt32();

        root.GetProperty("seed").GetInt64().Should().Be(Seed);
        Count("hang").Should().Be(0, "no variant may run past the 10 s guard");
        Count("crash").Should().Be(0, "every failure must be a ParquetException (see the CRASH lines above)");
        Count("oom").Should().Be(0, "no variant may allocate past the heap cap");
        Count("wrapped").Should().Be(0, "the codec must refuse corrupt input through its own checks, not the reader's safety net");
        Count("variants").Should().BeGreaterThanOrEqualTo(RequiredVariants);
        (Count("ok") + Count("refused")).Should().Be(Count("variants"));
        root.GetProperty("heapLimitBytes").GetInt64().Should().BeLessThanOrEqualTo(0x60000000L, "DOTNET_GCHeapHardLimit must reach the harness");
        process.ExitCode.Should().Be(0);
    }

    /// <summary>tests/CdcLake.Parquet.Mutation/bin/&lt;this assembly's configuration&gt;/&lt;tfm&gt;/CdcLake.Parquet.Mutation.dll.</summary>
    private static string HarnessPath()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        return Path.Combine(RepoPaths.Root, "tests", "CdcLake.Parquet.Mutation", "bin", configuration, framework, "CdcLake.Parquet.Mutation.dll");
    }

    /// <summary>The dotnet host running these tests (the CLI sets DOTNET_HOST_PATH), else dotnet from PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private static string LastLogLine(string logPath)
    {
        try
        {
            return File.Exists(logPath) ? File.ReadLines(logPath).LastOrDefault() ?? "(none)" : "(no log)";
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }
}
