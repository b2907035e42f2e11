using Amazon.Runtime;
using CdcLake.Hudi;
using CdcLake.Storage;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// Takes a table's lock for a run: from <see cref="MergeOptions.LockProvider"/> when the host gives one, else from the
/// provider the table's <see cref="TableSpec.Lock"/> names (built for the run and disposed after its lock).
/// </summary>
internal static class TableLocks
{
    public static async Task<HeldLock> AcquireAsync(TableSpec spec, MergeOptions options, IObjectStore target, CancellationToken cancellationToken)
    {
        if (options.LockProvider is { } given)
        {
            var givenKey = given is DynamoDbLockProvider ? DynamoDbKey(spec) : target.PathOf("").ToString();
            return new HeldLock(await given.AcquireAsync(givenKey, TableLockOwner.Create(), cancellationToken).ConfigureAwait(false), givenKey);
        }

        var settings = spec.Lock ?? LockSpec.Local;
        if (settings.Provider == LockProviderKind.Local)
        {
            if (!target.Root.IsLocal)
            {
                throw new HudiException(
                    $"{target.Root}: a table on S3 needs a DynamoDB lock (pipeline field lock.provider = \"dynamodb\", `cdclake merge --lock-table`, " +
                    "or MergeOptions.LockProvider); the local lock file only works on a local file system");
            }

            var key = target.PathOf("").ToString();
            var local = new LocalFileLockProvider(settings.ToLocalOptions());
            return new HeldLock(await local.AcquireAsync(key, TableLockOwner.Create(), cancellationToken).ConfigureAwait(false), key);
        }

        var dynamoOptions = settings.ToDynamoDbOptions();
        dynamoOptions = options.ConfigureDynamoDbLock?.Invoke(dynamoOptions) ?? dynamoOptions;
        var itemKey = DynamoDbKey(spec);
        var provider = new DynamoDbLockProvider(dynamoOptions);
        try
        {
            var held = await provider.AcquireAsync(itemKey, TableLockOwner.Create(), cancellationToken).ConfigureAwait(false);
            return new HeldLock(held, itemKey, provider);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            provider.Dispose();
            throw new HudiException($"the DynamoDB lock {Location(dynamoOptions, itemKey)} could not be taken: {e.Message}", e);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>The lock item's partition key: the configured one, else the Hudi table name (Hudi's inference), so Spark writers lock the same item.</summary>
    private static string DynamoDbKey(TableSpec spec) => spec.Lock?.PartitionKey ?? spec.Name;

    private static string Location(DynamoDbLockOptions options, string key) =>
        $"dynamodb://{options.TableName}/{key}{(options.ServiceUrl is { } url ? $" at {url}" : "")}";
}

/// <summary>The table lock the job holds for a run, the key it was taken on, and the provider built for it (released after the lock).</summary>
internal sealed record HeldLock(ITableLock Lock, string Key, IDisposable? Provider = null) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Lock.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Provider?.Dispose();
        }
    }
}
