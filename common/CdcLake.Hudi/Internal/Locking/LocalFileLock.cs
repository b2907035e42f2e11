namespace CdcLake.Hudi.Internal;

/// <summary>A lock file this process created; the rules are on <see cref="LocalFileLockProvider"/>.</summary>
internal sealed class LocalFileLock : HeldTableLock
{
    private readonly string _path;
    private readonly string _token;

    /// <summary>The guard beside a lock file; see <see cref="LocalLockFile.TryOpenGuard"/>.</summary>
    public static string GuardPath(string lockFile) => lockFile + ".guard";

    private LocalFileLock(string tableKey, string path, LocalLockRecord record, LocalFileLockOptions options, long sentAt)
        : base(tableKey, record.Owner, path, options.LeaseDuration, options.EffectiveHeartbeatPeriod, sentAt)
    {
        _path = path;
        _token = record.Token;
    }

    public static LocalFileLock Start(string tableKey, string path, LocalLockRecord record, LocalFileLockOptions options, long sentAt)
    {
        var held = new LocalFileLock(tableKey, path, record, options, sentAt);
        held.StartHeartbeat();
        return held;
    }

    protected override async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        using var guard = await LocalLockFile.OpenGuardAsync(GuardPath(_path), cancellationToken).ConfigureAwait(false);
        if (!IsOurs())
        {
            return false;
        }

        File.SetLastWriteTimeUtc(_path, DateTime.UtcNow);
        return true;
    }

    protected override async Task ReleaseCoreAsync(CancellationToken cancellationToken)
    {
        using var guard = await LocalLockFile.OpenGuardAsync(GuardPath(_path), cancellationToken).ConfigureAwait(false);
        if (IsOurs())
        {
            File.Delete(_path);
        }
    }

    private bool IsOurs() => LocalLockFile.Read(_path)?.Record?.Token == _token;
}
