using System.Diagnostics;
using System.Text.Json;

namespace CdcLake.Benchmarks;

/// <summary>
/// One run of one side: wall time of the measured work, the process's peak resident memory, and the CPU time
/// (user + system, all threads) of the measured work when the side reports it (else -1).
/// </summary>
internal sealed record Measurement(double Seconds, long PeakBytes, JsonElement Result, double CpuSeconds = -1)
{
    public static long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }

    /// <summary>Runs a child process that prints one JSON line {seconds, peakBytes, rows[, cpuSeconds]}.</summary>
    public static Measurement RunChild(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {stderr.Result}{stdout}");
        }

        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        var cpu = root.TryGetProperty("cpuSeconds", out var c) ? c.GetDouble() : -1;
        return new Measurement(root.GetProperty("seconds").GetDouble(), root.GetProperty("peakBytes").GetInt64(), root.GetProperty("rows").Clone(), cpu);
    }

    public static string Describe(double bytes) => bytes switch
    {
        >= 1 << 30 => $"{bytes / (1 << 30):F2} GiB",
        _ => $"{bytes / (1 << 20):F0} MiB",
    };
}
