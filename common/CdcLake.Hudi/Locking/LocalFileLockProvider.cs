using System.Diagnostics;
using CdcLake.Hudi.Internal;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>Settings of <see cref="LocalFileLockProvider"/>.</summary>
public sealed record LocalFileLockOptions : TableLockOptions
{
    /// <summary>
    /// The lock file, relative to the table's base path, <c>/</c>-separated. Default <c>.hoodie/lock</c>:
    /// where Hudi's FileSystemBasedLockProvider puts its lock file when <c>hoodie.write.lock.filesystem.path</c>
    /// is unset (<c>&lt;base&gt;/.hoodie</c> + <c>lock</c>; apache/hudi hudi-client/hudi-client-common/src/main/java/org/apache/hudi/
    /// client/transaction/lock/FileSystemBasedLockProvider.java, commit 01258a17a1a1756eb42f15d92e35b38f92afb2bb), so a Hudi
    /// writer using that provider on the same file system and our writer cannot both take it.
    /// </summary>
    public string LockFile { get; init; } = ".hoodie/lock";

    internal override void Validate()
    {
        base.Validate();
        if (string.IsNullOrWhiteSpace(LockFile) || LockFile.StartsWith('/') || LockFile.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"LockFile must be a relative path without empty, '.' or '..' segments: '{LockFile}'.", nameof(LockFile));
        }
    }
}

/// <summary>
/// One writer at a time per table on a local (or shared POSIX) file system, through a lock file under the
/// table: <c>&lt;base&gt;/.hoodie/lock</c> by default. The table key is the table's base path (a local path or
/// <c>file:</c> URI).
/// </summary>
/// <remarks>
/// <para>
/// Taking the lock is creating the file with create-if-absent (<see cref="FileMode.CreateNew"/>, i.e.
/// O_CREAT|O_EXCL, atomic on local file systems): whoever creates it holds the lock. The file is JSON naming
/// the owner, host, pid, the pid's start time, the pid namespace and boot id (Linux), when it was acquired,
/// the lease and a random token. While held, a heartbeat every <see cref="TableLockOptions.HeartbeatPeriod"/>
/// touches the file's last-write time; releasing deletes it.
/// </para>
/// <para>
/// The rule for stale locks: an existing lock file is taken over only when
/// (1) it was written on this host (same host name, and the same pid namespace where known) and its process
/// is gone — the pid is not running, is a zombie, now belongs to a process that started at another time, or
/// the host has rebooted since (boot id changed); or
/// (2) its lease has expired: the file's last write (the last heartbeat) is older than the lease recorded in
/// it (our <see cref="TableLockOptions.LeaseDuration"/> for files we did not write, such as Hudi's, whose
/// provider never heartbeats — a Hudi writer holding it longer than that lease loses it to us).
/// Anything else is a live lock: <see cref="AcquireAsync"/> fails with <see cref="TableLockedException"/>
/// (after <see cref="TableLockOptions.AcquireWait"/>, if set).
/// </para>
/// <para>
/// Changing an existing lock file (heartbeat, release, takeover) happens under a guard file beside it
/// (<c>lock.guard</c>, never deleted) opened with <see cref="FileShare.None"/>, which .NET implements on Unix as
/// an exclusive flock(2) that the kernel drops when its holder dies. So a takeover re-reads the file and
/// replaces it only if it is still the stale one, two writers cannot both take over, and a release or
/// heartbeat never touches a lock that has meanwhile been taken over. Guards need flock to work (local file
/// systems and NFSv4 do; the runtime switch <c>System.IO.DisableFileLocking</c> turns it off).
/// </para>
/// </remarks>
public sealed class LocalFileLockProvider : ITableLockProvider
{
    public LocalFileLockProvider(LocalFileLockOptions? options = null)
    {
        Options = options ?? new LocalFileLockOptions();
        Options.Validate();
    }

    public LocalFileLockOptions Options { get; }

    /// <summary>The lock file of the table at <paramref name="tableBasePath"/>.</summary>
    public string LockFilePath(string tableBasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableBasePath);
        var table = StorePath.Parse(tableBasePath);
        if (!table.IsLocal)
        {
            throw new ArgumentException(
                $"'{tableBasePath}' is not a local path; a table on S3 needs a {nameof(DynamoDbLockProvider)}.", nameof(tableBasePath));
        }

        return Path.Combine([table.LocalPath, .. Options.LockFile.Split('/')]);
    }

    /// <param name="tableKey">The table's base path (local path or <c>file:</c> URI).</param>
    public async Task<ITableLock> AcquireAsync(string tableKey, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var path = LockFilePath(tableKey);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = LocalLockRecord.ForThisProcess(owner, Options.LeaseDuration);
            var sentAt = Stopwatch.GetTimestamp();
            if (LocalLockFile.TryCreate(path, record.ToJson()))
            {
                return LocalFileLock.Start(tableKey, path, record, Options, sentAt);
            }

            var held = LocalLockFile.Read(path);
            if (held is null)
            {
                continue; // released between our create and our read
            }

            string? takeoverNote = null;
            if (LocalLockFile.StaleReason(held, Options.LeaseDuration, DateTime.UtcNow) is { } staleReason)
            {
                sentAt = Stopwatch.GetTimestamp();
                switch (TryTakeOver(path, held, record))
                {
                    case TakeoverResult.Taken:
                        return LocalFileLock.Start(tableKey, path, record, Options, sentAt);
                    case TakeoverResult.Changed:
                        continue; // someone released or took it meanwhile: look again
                    case TakeoverResult.GuardBusy:
                        takeoverNote = $" It looks stale ({staleReason}), but another writer is changing the lock file right now.";
                        break;
                }
            }

            var waited = Stopwatch.GetElapsedTime(started);
            if (waited >= Options.AcquireWait)
            {
                throw Locked(tableKey, path, held, takeoverNote);
            }

            var pause = Options.AcquireWait - waited;
            await Task.Delay(pause < Options.RetryPeriod ? pause : Options.RetryPeriod, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TakeoverResult TryTakeOver(string path, LocalLockObservation stale, LocalLockRecord record)
    {
        using var guard = LocalLockFile.TryOpenGuard(LocalFileLock.GuardPath(path));
        if (guard is null)
        {
            return TakeoverResult.GuardBusy;
        }

        var current = LocalLockFile.Read(path);
        if (current is null || !current.SameFileAs(stale)
            || LocalLockFile.StaleReason(current, TimeSpan.FromMilliseconds(record.LeaseMs), DateTime.UtcNow) is null)
        {
            return TakeoverResult.Changed;
        }

        File.Delete(path);

        // A plain acquirer (who needs no guard) may create it between our delete and our create; then it wins.
        return LocalLockFile.TryCreate(path, record.ToJson()) ? TakeoverResult.Taken : TakeoverResult.Changed;
    }

    private TableLockedException Locked(string tableKey, string path, LocalLockObservation held, string? note)
    {
        var lease = held.Record is { } r ? TimeSpan.FromMilliseconds(r.LeaseMs) : Options.LeaseDuration;
        var idle = DateTime.UtcNow - held.LastWriteUtc;
        var retryAfter = lease - idle > TimeSpan.Zero ? lease - idle : TimeSpan.Zero;
        var message =
            $"Table '{tableKey}' is locked by another writer: {held.HolderText()} holds the lock file {path} " +
            $"(last heartbeat {Math.Max(0, idle.TotalSeconds):0.#} s ago).{note} A lock whose process has exited on this host is " +
            $"taken over at once; any other only after {lease.TotalMilliseconds:0} ms without a heartbeat, i.e. in " +
            $"{retryAfter.TotalSeconds:0.#} s at the earliest if its writer is gone.";
        return new TableLockedException(message, tableKey, path, held.Record?.Owner, lease, retryAfter);
    }

    private enum TakeoverResult
    {
        Taken,
        Changed,
        GuardBusy,
    }
}
