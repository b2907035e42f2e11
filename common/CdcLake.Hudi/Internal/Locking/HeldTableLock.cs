using System.Diagnostics;

namespace CdcLake.Hudi.Internal;

/// <summary>
/// What both lock kinds share once acquired: the heartbeat loop, lost-lock detection and release on dispose.
/// Subclasses say how one heartbeat and the release are written to the store.
/// </summary>
internal abstract class HeldTableLock : ITableLock
{
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _heartbeatPeriod;
    private readonly TaskCompletionSource _heartbeatEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastRenewed;
    private int _released;
    private volatile string? _lostReason;

    /// <param name="sentAt">Stopwatch timestamp taken just before the acquiring write was sent: the lease is
    /// counted from then, erring early as the AWS lock client does.</param>
    protected HeldTableLock(string tableKey, string owner, string location, TimeSpan leaseDuration, TimeSpan heartbeatPeriod, long sentAt)
    {
        TableKey = tableKey;
        Owner = owner;
        Location = location;
        LeaseDuration = leaseDuration;
        AcquiredAt = DateTimeOffset.UtcNow;
        _heartbeatPeriod = heartbeatPeriod;
        _lastRenewed = sentAt;
    }

    public string TableKey { get; }

    public string Owner { get; }

    public string Location { get; }

    public DateTimeOffset AcquiredAt { get; }

    public TimeSpan LeaseDuration { get; }

    public bool IsLost => _lost.IsCancellationRequested;

    public CancellationToken LostToken => _lost.Token;

    public void EnsureHeld()
    {
        // Between heartbeats the loop cannot notice a lease running out; the clock can.
        if (!IsLost && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastRenewed)) >= LeaseDuration)
        {
            MarkLost($"no heartbeat got through for a whole lease ({LeaseDuration.TotalMilliseconds:0} ms)");
        }

        if (IsLost)
        {
            throw new TableLockLostException(
                $"The lock on table '{TableKey}' at {Location} is no longer held by '{Owner}': {_lostReason}.");
        }
    }

    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);

        // The heartbeat never throws, and one in flight is let finish: cancelling it would leave the
        // stored version unknown, and the release below is conditioned on it.
        await _heartbeatEnded.Task.ConfigureAwait(false);
        try
        {
            if (!IsLost)
            {
                await ReleaseCoreAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            MarkLost("it was released");
            _stop.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Dispose must not throw; an unreleased lock expires after its lease.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// Starts the heartbeat on a thread of its own, as the AWS lock client does: timing heartbeats on the thread
    /// pool would let a writer that keeps the pool busy starve them past the lease.
    /// </summary>
    protected void StartHeartbeat()
    {
        var thread = new Thread(HeartbeatLoop) { IsBackground = true, Name = "cdclake-table-lock-heartbeat" };
        thread.Start();
    }

    /// <summary>One heartbeat: true when written, false when the lock turned out to be someone else's. Store errors throw.</summary>
    protected abstract Task<bool> RenewAsync(CancellationToken cancellationToken);

    /// <summary>Removes the lock if it is still ours; does nothing when another writer has it now.</summary>
    protected abstract Task ReleaseCoreAsync(CancellationToken cancellationToken);

    protected void MarkLost(string reason)
    {
        _lostReason ??= reason;
        try
        {
            _lost.Cancel();
        }
        catch (AggregateException)
        {
            // A caller's callback on LostToken threw; the lock is lost all the same.
        }
    }

    private void HeartbeatLoop()
    {
        try
        {
            while (!_stop.Token.WaitHandle.WaitOne(_heartbeatPeriod))
            {
                if (!Beat())
                {
                    return;
                }
            }
        }
        finally
        {
            _heartbeatEnded.TrySetResult();
        }
    }

    /// <summary>One heartbeat; false when the lock is lost and the heartbeat must stop.</summary>
    private bool Beat()
    {
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            // A heartbeat slower than its period is abandoned; the next one tries again.
            using var timeout = new CancellationTokenSource(_heartbeatPeriod);
            if (!RenewAsync(timeout.Token).GetAwaiter().GetResult())
            {
                MarkLost("another writer holds it now (a heartbeat found the lock changed)");
                return false;
            }

            Interlocked.Exchange(ref _lastRenewed, sentAt);
            return true;
        }
#pragma warning disable CA1031 // Store errors are retried until the lease runs out; then the lock counts as lost.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastRenewed)) >= LeaseDuration)
            {
                MarkLost($"no heartbeat got through for a whole lease ({LeaseDuration.TotalMilliseconds:0} ms); the last failed with: {e.Message}");
                return false;
            }

            return true;
        }
    }
}
