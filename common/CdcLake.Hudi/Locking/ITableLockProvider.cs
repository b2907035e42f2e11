namespace CdcLake.Hudi;

/// <summary>
/// Hands out single-writer table locks: <see cref="LocalFileLockProvider"/> for a table on a local file
/// system, <see cref="DynamoDbLockProvider"/> for a table on S3 (interoperable with Hudi's
/// DynamoDBBasedLockProvider).
/// </summary>
public interface ITableLockProvider
{
    /// <summary>
    /// Takes the lock on <paramref name="tableKey"/> for <paramref name="owner"/>, waiting at most the
    /// provider's <see cref="TableLockOptions.AcquireWait"/> (by default not at all) while another writer
    /// holds it.
    /// </summary>
    /// <param name="tableKey">What identifies the table to every writer (each provider says what it expects).</param>
    /// <param name="owner">Who is taking it, recorded in the lock and named to other writers; give each writer a
    /// name of its own (<see cref="TableLockOwner.Create"/>).</param>
    /// <exception cref="TableLockedException">Another writer holds the lock; the message names it and its lease.</exception>
    Task<ITableLock> AcquireAsync(string tableKey, string owner, CancellationToken cancellationToken = default);
}
