using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace CdcLake.Hudi.Internal;

/// <summary>Whether a process recorded in a lock file still runs on this host.</summary>
internal enum ProcessLiveness
{
    Alive,
    Exited,

    /// <summary>Its pid now belongs to another process (the recorded one exited and the pid was reused).</summary>
    PidReused,
}

/// <summary>
/// Who this process is, in terms that survive it: host, pid, the pid's start marker (so a reused pid is
/// not mistaken for the holder) and, on Linux, the boot id (so pids from before a reboot are known dead).
/// </summary>
internal static class ProcessIdentity
{
    private const string LinuxTicksPrefix = "linux-ticks:";
    private const string StartTimePrefix = "start-utc-ticks:";

    private static readonly Lazy<string?> s_bootId = new(ReadBootId);

    public static string HostName => Environment.MachineName;

    public static int CurrentPid => Environment.ProcessId;

    /// <summary>Linux's /proc/sys/kernel/random/boot_id; null elsewhere.</summary>
    public static string? BootId => s_bootId.Value;

    public static string? CurrentStartMarker { get; } = StartMarker(Environment.ProcessId);

    /// <summary>
    /// Linux: <c>linux-ticks:N</c>, the start time in clock ticks since boot from /proc/PID/stat (exact, so
    /// equal markers mean the same process). Elsewhere the start time the runtime reports.
    /// Null when the process does not exist or cannot be inspected.
    /// </summary>
    public static string? StartMarker(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return ReadLinuxStat(pid) is { } stat ? LinuxTicksPrefix + stat.StartTicks : null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return StartTimePrefix + process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="pid"/> on this host is still the process that recorded <paramref name="recordedStartMarker"/>.</summary>
    public static ProcessLiveness Probe(int pid, string? recordedStartMarker)
    {
        if (pid <= 0)
        {
            return ProcessLiveness.Exited;
        }

        if (OperatingSystem.IsLinux())
        {
            var stat = ReadLinuxStat(pid);
            if (stat is null || stat.Value.State is 'Z' or 'X')
            {
                return ProcessLiveness.Exited; // a zombie has exited; only its exit status is left
            }

            return recordedStartMarker is null || recordedStartMarker == LinuxTicksPrefix + stat.Value.StartTicks
                ? ProcessLiveness.Alive
                : ProcessLiveness.PidReused;
        }

        var marker = StartMarker(pid);
        if (marker is null)
        {
            return ProcessLiveness.Exited;
        }

        if (recordedStartMarker is null || recordedStartMarker == marker)
        {
            return ProcessLiveness.Alive;
        }

        // The runtime recomputes start times from boot time and ticks: allow for rounding.
        return TryTicks(recordedStartMarker, out var recorded) && TryTicks(marker, out var current)
               && Math.Abs(recorded - current) <= TimeSpan.TicksPerSecond
            ? ProcessLiveness.Alive
            : ProcessLiveness.PidReused;
    }

    private static bool TryTicks(string marker, out long ticks)
    {
        ticks = 0;
        return marker.StartsWith(StartTimePrefix, StringComparison.Ordinal)
               && long.TryParse(marker.AsSpan(StartTimePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out ticks);
    }

    private static (char State, ulong StartTicks)? ReadLinuxStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields start after the last ')'.
        // proc(5): state is field 3 and starttime field 22, i.e. indexes 0 and 19 after the comm.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0].Length != 1
            || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        return (fields[0][0], start);
    }

    private static string? ReadBootId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var id = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            return id.Length == 0 ? null : id;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
