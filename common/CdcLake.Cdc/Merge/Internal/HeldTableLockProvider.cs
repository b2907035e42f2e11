using CdcLake.Hudi;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// Hands the write client a lock the job already holds. The job takes the table lock before it reads the
/// checkpoint, so that two runs cannot both select the same files; the client's own acquire and release must then
/// not touch it.
/// </summary>
internal sealed class HeldTableLockProvider(ITableLock held) : ITableLockProvider
{
    public Task<ITableLock> AcquireAsync(string tableKey, string owner, CancellationToken cancellationToken = default) =>
        Task.FromResult<ITableLock>(new Borrowed(held));

    private sealed class Borrowed(ITableLock held) : ITableLock
    {
        public string TableKey => held.TableKey;

        public string Owner => held.Owner;

        public DateTimeOffset AcquiredAt => held.AcquiredAt;

        public TimeSpan LeaseDuration => held.LeaseDuration;

        public string Location => held.Location;

        public bool IsLost => held.IsLost;

        public CancellationToken LostToken => held.LostToken;

        public void EnsureHeld() => held.EnsureHeld();

        public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
