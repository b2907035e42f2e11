namespace CdcLake.Hudi;

/// <summary>
/// A held single-writer lock on one table, from <see cref="ITableLockProvider.AcquireAsync"/>. While held,
/// a background heartbeat keeps it alive; disposing it releases it (best effort: a release that fails
/// leaves the lock to expire after its lease). Check <see cref="EnsureHeld"/> right before committing:
/// a lock can be lost when its heartbeats stop getting through for a whole lease and another writer
/// takes it over.
/// </summary>
public interface ITableLock : IAsyncDisposable
{
    /// <summary>The key the lock was taken on (a base path, or a DynamoDB partition key value).</summary>
    string TableKey { get; }

    /// <summary>The owner name recorded in the lock.</summary>
    string Owner { get; }

    DateTimeOffset AcquiredAt { get; }

    /// <summary>How long the lock stays valid without a heartbeat.</summary>
    TimeSpan LeaseDuration { get; }

    /// <summary>Where the lock lives, for messages: the lock file, or <c>dynamodb://table/key</c>.</summary>
    string Location { get; }

    /// <summary>True once the lock is lost or released; <see cref="LostToken"/> is then cancelled.</summary>
    bool IsLost { get; }

    /// <summary>Cancelled when the lock is lost (another writer holds it, or no heartbeat got through for a lease) or released.</summary>
    CancellationToken LostToken { get; }

    /// <summary>Throws <see cref="TableLockLostException"/> unless the lock is still held.</summary>
    void EnsureHeld();

    /// <summary>Stops the heartbeat and releases the lock; store errors surface here (unlike on dispose).</summary>
    ValueTask ReleaseAsync(CancellationToken cancellationToken = default);
}
