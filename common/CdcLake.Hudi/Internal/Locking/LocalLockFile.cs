using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CdcLake.Hudi.Internal;

/// <summary>What a CdcLake lock file records: who holds the lock, and enough to tell whether that process is gone.</summary>
internal sealed record LocalLockRecord(
    string Owner,
    string Host,
    int Pid,
    string? PidNamespace,
    string? ProcessStart,
    string? BootId,
    DateTimeOffset AcquiredAt,
    long LeaseMs,
    string Token)
{
    private const string WriterName = "cdclake";

    public static LocalLockRecord ForThisProcess(string owner, TimeSpan lease) => new(
        owner,
        ProcessIdentity.HostName,
        ProcessIdentity.CurrentPid,
        LocalLockFile.CurrentPidNamespace,
        ProcessIdentity.CurrentStartMarker,
        ProcessIdentity.BootId,
        DateTimeOffset.UtcNow,
        (long)lease.TotalMilliseconds,
        Guid.NewGuid().ToString("N"));

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("lockedBy", WriterName);
            json.WriteString("owner", Owner);
            json.WriteString("host", Host);
            json.WriteNumber("pid", Pid);
            WriteOptional(json, "pidNamespace", PidNamespace);
            WriteOptional(json, "processStart", ProcessStart);
            WriteOptional(json, "bootId", BootId);
            json.WriteString("acquiredAt", AcquiredAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture));
            json.WriteNumber("leaseMs", LeaseMs);
            json.WriteString("token", Token);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The record in <paramref name="bytes"/>, or null when they are not a whole CdcLake lock file.</summary>
    public static LocalLockRecord? Parse(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "lockedBy") != WriterName
                || Text(root, "owner") is not { } owner || Text(root, "host") is not { } host
                || Text(root, "token") is not { } token
                || !root.TryGetProperty("pid", out var pid) || !pid.TryGetInt32(out var pidValue)
                || !root.TryGetProperty("leaseMs", out var lease) || !lease.TryGetInt64(out var leaseMs)
                || !DateTimeOffset.TryParse(Text(root, "acquiredAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var acquired))
            {
                return null;
            }

            return new LocalLockRecord(
                owner, host, pidValue, Text(root, "pidNamespace"), Text(root, "processStart"), Text(root, "bootId"), acquired, leaseMs, token);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A lock file as read once: its bytes, what they say, and when it was last written (the last heartbeat).</summary>
internal sealed record LocalLockObservation(byte[] Raw, LocalLockRecord? Record, DateTime LastWriteUtc)
{
    public bool SameFileAs(LocalLockObservation other) => Raw.AsSpan().SequenceEqual(other.Raw);

    /// <summary>The holder for messages: the owner, or what is known of a lock file CdcLake did not write.</summary>
    public string HolderText()
    {
        if (Record is { } r)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"'{r.Owner}' (pid {r.Pid} on host '{r.Host}', acquired {r.AcquiredAt:yyyy-MM-dd'T'HH:mm:ss'Z'}, lease {r.LeaseMs} ms)");
        }

        if (Raw.Length == 0)
        {
            return "a writer that has just created the lock file and not yet filled it in";
        }

        var text = Encoding.UTF8.GetString(Raw, 0, Math.Min(Raw.Length, 200)).ReplaceLineEndings(" ");
        return $"a writer that is not CdcLake (the lock file reads: {text}{(Raw.Length > 200 ? "…" : "")})";
    }
}

/// <summary>The file operations of <see cref="LocalFileLockProvider"/>; the rules are documented there.</summary>
internal static class LocalLockFile
{
    private static readonly Lazy<string?> s_pidNamespace = new(ReadPidNamespace);

    /// <summary>Linux: the pid namespace (<c>pid:[4026531836]</c>); pids only mean something within one.</summary>
    public static string? CurrentPidNamespace => s_pidNamespace.Value;

    /// <summary>Creates the file only if it does not exist (O_CREAT|O_EXCL), with its whole content; false when it exists.</summary>
    public static bool TryCreate(string path, byte[] content)
    {
        FileStream stream;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);
                break;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
            catch (IOException) when (attempt < 3 && !Directory.Exists(path))
            {
                // The error does not say portably whether the file existed (Unix reports errno EEXIST, Windows
                // ERROR_FILE_EXISTS), and it may have been deleted since: then the lock is free, so try again.
            }
        }

        using (stream)
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        return true;
    }

    /// <summary>The lock file as it is now, or null when there is none.</summary>
    public static LocalLockObservation? Read(string path)
    {
        try
        {
            // Bytes and time from one open file: by path, the time could be another file's (or, for a file
            // deleted meanwhile, the year-1601 "missing" value, which would look like a very stale lock).
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var raw = new byte[file.Length];
            file.ReadExactly(raw);
            var lastWrite = File.GetLastWriteTimeUtc(file.SafeFileHandle);
            return new LocalLockObservation(raw, LocalLockRecord.Parse(raw), lastWrite);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Why the lock in <paramref name="lockFile"/> may be taken over, or null while its holder may still be alive.</summary>
    public static string? StaleReason(LocalLockObservation lockFile, TimeSpan defaultLease, DateTime nowUtc)
    {
        var record = lockFile.Record;
        if (record is not null && string.Equals(record.Host, ProcessIdentity.HostName, StringComparison.OrdinalIgnoreCase))
        {
            var bootId = ProcessIdentity.BootId;
            if (record.BootId is not null && bootId is not null && record.BootId != bootId)
            {
                return $"host '{record.Host}' has restarted since the lock was taken (its boot id changed)";
            }

            // Another pid namespace (a container with the same host name) has pids of its own: no verdict.
            var pidNamespace = CurrentPidNamespace;
            if (record.PidNamespace is null || pidNamespace is null || record.PidNamespace == pidNamespace)
            {
                switch (ProcessIdentity.Probe(record.Pid, record.ProcessStart))
                {
                    case ProcessLiveness.Exited:
                        return $"its process {record.Pid} on host '{record.Host}' has exited";
                    case ProcessLiveness.PidReused:
                        return $"its process {record.Pid} on host '{record.Host}' has exited (the pid now belongs to another process)";
                }
            }
        }

        var lease = record is null ? defaultLease : TimeSpan.FromMilliseconds(record.LeaseMs);
        var idle = nowUtc - lockFile.LastWriteUtc;
        return idle > lease
            ? string.Create(CultureInfo.InvariantCulture, $"it has had no heartbeat for {idle.TotalSeconds:0.###} s, longer than its lease of {lease.TotalMilliseconds:0} ms")
            : null;
    }

    /// <summary>
    /// The guard serializing every change to an existing lock file (heartbeat, release, takeover), or null
    /// while another process or provider holds it. .NET takes <see cref="FileShare.None"/> as an exclusive
    /// flock(2) on Unix, which the kernel drops when its holder dies, so the guard itself never goes stale.
    /// </summary>
    public static FileStream? TryOpenGuard(string guardPath)
    {
        try
        {
            return new FileStream(guardPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
        {
            return null;
        }
    }

    /// <summary>Waits for the guard; it is only ever held for one read and one write.</summary>
    public static async Task<FileStream> OpenGuardAsync(string guardPath, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryOpenGuard(guardPath) is { } guard)
            {
                return guard;
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? ReadPidNamespace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return new FileInfo("/proc/self/ns/pid").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
