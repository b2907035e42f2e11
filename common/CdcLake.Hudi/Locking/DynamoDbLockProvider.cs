// How Hudi's DynamoDB lock works, as this provider reproduces it. Sources (read, not copied):
//   [H1] apache/hudi hudi-aws/src/main/java/org/apache/hudi/aws/transaction/lock/DynamoDBBasedLockProviderBase.java
//        (commit a0d33b52a0fa393331698382f1c1ae006e9d895c), and DynamoDBBasedLockProvider.java (which extends it in
//        current Hudi; the 0.14-era file, commit 052478e775ef24c47336971ce58392fe29e7ac45, does the same inline).
//   [H2] apache/hudi hudi-aws/src/main/java/org/apache/hudi/config/DynamoDbBasedLockConfig.java (current, and
//        commit 052478e775ef24c47336971ce58392fe29e7ac45 for 0.14).
//   [H3] apache/hudi hudi-common/src/main/java/org/apache/hudi/common/config/LockConfiguration.java
//        (commit 04ec9f669778e6e1d412af4f961076de03c30ae3); apache/hudi pom.xml (commit 002dd4cbea7475a423b71b7dca6bf54aa8c81743):
//        dynamodb.lockclient.version = 1.2.0.
//   [A1] awslabs/amazon-dynamodb-lock-client src/main/java/com/amazonaws/services/dynamodbv2/AmazonDynamoDBLockClient.java
//        at version 1.2.0 (commit 1c5aa16f8fbd9d027c5073cefa2439bdaec85011) and at 1.4.0 (commit 601eab15fc03aef4aa70550f3963f4d0651ad08e;
//        same layout and expressions, plus a cache of observed locks for skip-blocking acquires).
//   [A2] same repository: AcquireLockOptions.java, AmazonDynamoDBLockClientOptions.java, LockItem.java,
//        util/LockClientUtils.java at the same commits.
//
// Hudi's use of the client [H1]:
//   - Lock table: hoodie.write.lock.dynamodb.table [H2] (no default in 0.14; current Hudi defaults it to "hudi_locks").
//   - Partition key VALUE (the lock's identity): hoodie.write.lock.dynamodb.partition_key. It has no default value but
//     an infer function returning the Hudi table name, hoodie.table.name [H2]. Current Hudi applies it inside the
//     provider (DynamoDbBasedLockConfig built from the lock properties, setDefaults), then DynamoDBBasedLockProvider
//     requires the key ("Config key is not found"); the 0.14-era provider only checks the raw lock properties
//     (checkRequiredProps), so there the key counts only if set or inferred upstream. Either way the value is the
//     configured partition_key, else the table name. (DynamoDBBasedImplicitPartitionKeyLockProvider, not this one,
//     uses a 64-bit xxHash of the s3:// base path instead.)
//   - Partition key ATTRIBUTE name: "key" (DYNAMODB_ATTRIBUTE_NAME [H1], also the client's DEFAULT_PARTITION_KEY_NAME [A2]);
//     no sort key.
//   - Lease = hoodie.write.lock.wait_time_ms (default 60 * 1000 [H3]), in ms; heartbeat period = lease / 3 on a
//     background thread [H1]. The client rejects a heartbeat period above half the lease [A1].
//   - Owner name: not set by Hudi, so the client's default: local host name + random UUID [A2].
//   - tryLock(time) = acquireLock(partition key, additionalTimeToWaitForLock = time ms) with the client's
//     defaults [A2]: no data, replaceData, deleteLockOnRelease = true, updateExistingLockRecord = false,
//     acquireReleasedLocksConsistently = false, refresh period 1000 ms (DEFAULT_BUFFER_MS [A1]).
//     Hudi's LockManager (hudi-client-common .../client/transaction/lock/LockManager.java) calls
//     tryLock(hoodie.write.lock.wait_time_ms) and retries it (hoodie.write.lock.client.num_retries).
//   - unlock()/close() = releaseLock(lock) → DeleteItem (deleteLockOnRelease) [H1][A1].
//   - Table creation when missing (lockTableExists: DescribeTable status ACTIVE or UPDATING [A1]): key schema
//     [key HASH], attribute definitions [key S], billing mode hoodie.write.lock.dynamodb.billing_mode
//     (default PAY_PER_REQUEST; PROVISIONED uses read_capacity 20 / write_capacity 10), then waits for ACTIVE up to
//     table_creation_timeout (600000 ms in 0.14, 120000 ms in current Hudi) [H1][H2].
//
// The item [A1] (attribute names are the client's constants; all values S unless said):
//   key                 partition key value (the Hudi table name by default)
//   ownerName           holder's owner name
//   leaseDuration       lease in ms as a decimal STRING (String.valueOf(long)); readers parse it with Long.parseLong
//   recordVersionNumber random UUID string (UUID.randomUUID().toString()), new on every acquire and heartbeat
//   data                (B) optional payload; Hudi passes none, so the attribute is absent
//   isReleased          "1", only on a lock released without deletion; readers test its PRESENCE (containsKey)
//
// Operations [A1], all reads ConsistentRead=true GetItem on {key}:
//   acquire, no item:        PutItem(item), Condition "attribute_not_exists(#pk)", names {#pk: key}
//   acquire, released item:  PutItem(item), Condition "attribute_exists(#pk) AND #ir = :ir",
//                            names {#pk: key, #ir: isReleased}, values {:ir: "1"}
//   acquire, held item:      remember (RVN, local monotonic time of that read, its leaseDuration); keep polling every
//                            refresh period; if a later read shows the SAME RVN and more than that lease has passed
//                            since it was first seen (LockItem.isExpired: now - lookupTime > leaseDuration, on
//                            System.nanoTime [A2]), PutItem(item), Condition "attribute_exists(#pk) AND #rvn = :rvn",
//                            names {#pk: key, #rvn: recordVersionNumber}, values {:rvn: observed RVN}. A changed RVN
//                            restarts the clock. The item carries no timestamp: a waiter must itself watch one RVN
//                            for a full lease, so the total wait is additionalTimeToWait + the holder's lease.
//   a failed condition:      ConditionalCheckFailedException → LockNotGrantedException, retried until the wait ends.
//   heartbeat:               UpdateItem {key}, Condition "attribute_exists(#pk) AND #rvn = :rvn AND #on = :on",
//                            Update "SET #ld = :ld, #rvn = :newRvn", names {#pk, #ld: leaseDuration,
//                            #rvn: recordVersionNumber, #on: ownerName}, values {:rvn: current, :on: owner,
//                            :newRvn: new UUID, :ld: lease ms string}. The local lease restarts at the time the
//                            request was SENT (the client errs on the side of expiring early).
//   release (delete):        DeleteItem {key}, Condition "attribute_exists(#pk) AND #rvn = :rvn AND #on = :on",
//                            names {#pk, #on, #rvn}, values {:rvn, :on}; a failed condition means "already stolen"
//                            and is not an error.
//   release (keep item):     UpdateItem, same condition, Update "SET #ir = :ir", plus {#ir: isReleased, :ir: "1"}.
//
// So a Spark writer configured with DynamoDBBasedLockProvider and this provider, given the same table and
// partition key value, exclude each other: both create only where the item is absent or released, both steal only
// an RVN they watched for a full lease, and both heartbeat (change the RVN) well within the lease.
//
// Where we differ, on purpose: AcquireAsync fails at once (or after AcquireWait) instead of waiting a lease first;
// each provider instance remembers the RVNs it has seen, so a later AcquireAsync (like the 1.4.0 client's
// skip-blocking acquire) can take over a lock whose RVN has not moved for a lease since first seen. A heartbeat or
// release whose reply was lost (timeout) is resolved by reading the item back: if it carries our owner and the
// RVN we tried to write, that write happened.
using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CdcLake.Hudi.Internal;

namespace CdcLake.Hudi;

/// <summary>
/// One writer at a time per table on S3, through an item in a DynamoDB table laid out and written exactly as
/// Hudi's DynamoDBBasedLockProvider (the AWS DynamoDB lock client) does, so our writer and Spark writers
/// configured with that provider exclude each other. The table key is the lock item's partition key value:
/// for Spark interoperability, Hudi's <c>hoodie.write.lock.dynamodb.partition_key</c>, by default the Hudi table
/// name (<see cref="DynamoDbLockConfig.PartitionKeyFor"/>). The protocol and its sources are at the top of this file.
/// </summary>
/// <remarks>Held locks use the provider's SDK client: dispose the provider only after its locks.</remarks>
public sealed class DynamoDbLockProvider : ITableLockProvider, IDisposable
{
    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly ConcurrentDictionary<string, Observation> _observed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _tableCheck = new(1, 1);
    private volatile bool _tableReady;

    /// <summary>A provider with its own SDK client, built from <paramref name="options"/>.</summary>
    public DynamoDbLockProvider(DynamoDbLockOptions options)
        : this(CreateClient(options), options, ownsClient: true)
    {
    }

    /// <summary>A provider over <paramref name="client"/>, which the caller keeps and disposes.</summary>
    public DynamoDbLockProvider(IAmazonDynamoDB client, DynamoDbLockOptions options)
        : this(client, options, ownsClient: false)
    {
    }

    private DynamoDbLockProvider(IAmazonDynamoDB client, DynamoDbLockOptions options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        Options = options;
        _ownsClient = ownsClient;
    }

    public DynamoDbLockOptions Options { get; }

    /// <summary>An SDK client configured from <paramref name="options"/> (region, endpoint, credentials).</summary>
    public static IAmazonDynamoDB CreateClient(DynamoDbLockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonDynamoDBConfig();
        if (options.ServiceUrl is not null)
        {
            // Setting RegionEndpoint would clear ServiceURL, so the region only names the signing region here.
            config.ServiceURL = options.ServiceUrl;
            if (options.Region is not null)
            {
                config.AuthenticationRegion = options.Region;
            }
        }
        else if (options.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        options.ConfigureClient?.Invoke(config);
        return options.Credentials is null ? new AmazonDynamoDBClient(config) : new AmazonDynamoDBClient(options.Credentials, config);
    }

    /// <summary>
    /// Makes sure the lock table exists and is usable (ACTIVE or UPDATING), creating it with Hudi's key schema
    /// when <see cref="DynamoDbLockOptions.CreateTableIfMissing"/>. <see cref="AcquireAsync"/> calls it once.
    /// </summary>
    /// <exception cref="HudiException">The table does not exist (and may not be created), or did not become ACTIVE in time.</exception>
    public async Task EnsureTableAsync(CancellationToken cancellationToken = default)
    {
        if (_tableReady)
        {
            return;
        }

        await _tableCheck.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_tableReady)
            {
                return;
            }

            var status = await TableStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status is null)
            {
                if (!Options.CreateTableIfMissing)
                {
                    throw new HudiException(
                        $"The DynamoDB lock table '{Options.TableName}' does not exist. Create it with partition key '{DynamoDbLockItem.PartitionKey}' " +
                        $"(type S) and no sort key, as Hudi's DynamoDBBasedLockProvider does, or set {nameof(DynamoDbLockOptions.CreateTableIfMissing)}.");
                }

                await CreateTableAsync(cancellationToken).ConfigureAwait(false);
                status = TableStatus.CREATING;
            }

            var clock = Stopwatch.StartNew();
            while (status != TableStatus.ACTIVE && status != TableStatus.UPDATING)
            {
                if (clock.Elapsed > Options.TableCreationTimeout)
                {
                    throw new HudiException(
                        $"The DynamoDB lock table '{Options.TableName}' is {status?.Value ?? "gone"}, not ACTIVE, after {Options.TableCreationTimeout.TotalSeconds:0} s.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                status = await TableStatusAsync(cancellationToken).ConfigureAwait(false);
            }

            _tableReady = true;
        }
        finally
        {
            _tableCheck.Release();
        }
    }

    /// <param name="tableKey">The lock item's partition key value: for Spark interoperability the Hudi table name,
    /// or hoodie.write.lock.dynamodb.partition_key when set (<see cref="DynamoDbLockConfig.PartitionKeyFor"/>).</param>
    public async Task<ITableLock> AcquireAsync(string tableKey, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        var leaseMs = Options.LeaseMilliseconds;
        while (true)
        {
            var state = await ReadAsync(tableKey, cancellationToken).ConfigureAwait(false);
            var rvn = DynamoDbLockItem.NewRecordVersionNumber();
            var item = DynamoDbLockItem.NewItem(tableKey, owner, leaseMs, rvn);
            var names = new Dictionary<string, string> { [DynamoDbLockItem.PkPath] = DynamoDbLockItem.PartitionKey };
            Dictionary<string, AttributeValue>? values = null;
            string? condition = null;
            Observation? holder = null;

            if (state is null)
            {
                condition = DynamoDbLockItem.AcquireNewCondition;
            }
            else if (state.IsReleased)
            {
                condition = DynamoDbLockItem.AcquireReleasedCondition;
                names[DynamoDbLockItem.ReleasedPath] = DynamoDbLockItem.IsReleased;
                values = new() { [DynamoDbLockItem.ReleasedValue] = DynamoDbLockItem.S(DynamoDbLockItem.IsReleasedValue) };
            }
            else
            {
                holder = Observe(tableKey, state);
                if (holder.Expired)
                {
                    condition = DynamoDbLockItem.AcquireExpiredCondition;
                    names[DynamoDbLockItem.RvnPath] = DynamoDbLockItem.RecordVersionNumber;
                    values = new() { [DynamoDbLockItem.RvnValue] = DynamoDbLockItem.S(state.RecordVersionNumber) };
                }
            }

            if (condition is not null)
            {
                var request = new PutItemRequest
                {
                    TableName = Options.TableName,
                    Item = item,
                    ConditionExpression = condition,
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                };
                var sentAt = Stopwatch.GetTimestamp();
                try
                {
                    await _client.PutItemAsync(request, cancellationToken).ConfigureAwait(false);
                    _observed.TryRemove(tableKey, out _);
                    return DynamoDbTableLock.Start(_client, Options, tableKey, owner, rvn, sentAt);
                }
                catch (ConditionalCheckFailedException)
                {
                    continue; // another writer got there first: read again to see who
                }
            }

            var waited = Stopwatch.GetElapsedTime(started);
            if (waited >= Options.AcquireWait)
            {
                throw Locked(tableKey, holder!);
            }

            var pause = Options.AcquireWait - waited;
            if (Options.RetryPeriod < pause)
            {
                pause = Options.RetryPeriod;
            }

            // Wake up right when the lease runs out rather than up to a retry period later.
            var untilExpiry = holder!.Remaining + TimeSpan.FromMilliseconds(1);
            await Task.Delay(untilExpiry < pause ? untilExpiry : pause, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _tableCheck.Dispose();
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private Observation Observe(string tableKey, DynamoDbLockState state)
    {
        // A malformed lease gets ours: the Java client would fail on it, and we must not steal sooner than it could.
        var lease = TimeSpan.FromMilliseconds(state.LeaseMs ?? Options.LeaseMilliseconds);
        return _observed.AddOrUpdate(
            tableKey,
            _ => new Observation(state, lease, Stopwatch.GetTimestamp()),
            (_, seen) => seen.State.RecordVersionNumber == state.RecordVersionNumber && seen.Lease == lease
                ? seen with { State = state }
                : new Observation(state, lease, Stopwatch.GetTimestamp()));
    }

    private TableLockedException Locked(string tableKey, Observation holder)
    {
        var location = DynamoDbTableLock.LocationOf(Options.TableName, tableKey);
        var owner = holder.State.Owner ?? "(no ownerName)";
        var message =
            $"Table '{tableKey}' is locked by another writer: '{owner}' holds the DynamoDB lock item {location} " +
            $"(lease {holder.Lease.TotalMilliseconds:0} ms, record version {holder.State.RecordVersionNumber}, unchanged for " +
            $"{holder.Watched.TotalSeconds:0.#} s as watched from here). The item carries no clock: a lock is taken over only " +
            $"after its record version stays unchanged for a whole lease, so if that writer is gone, retry in " +
            $"{holder.Remaining.TotalSeconds:0.#} s from this provider, or wait at least {holder.Lease.TotalSeconds:0.#} s.";
        return new TableLockedException(message, tableKey, location, holder.State.Owner, holder.Lease, holder.Remaining);
    }

    private async Task<DynamoDbLockState?> ReadAsync(string tableKey, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetItemAsync(
                new GetItemRequest { TableName = Options.TableName, Key = DynamoDbLockItem.Key(tableKey), ConsistentRead = true },
                cancellationToken).ConfigureAwait(false);
            return DynamoDbLockState.From(response.Item);
        }
        catch (ResourceNotFoundException e)
        {
            _tableReady = false;
            throw new HudiException($"The DynamoDB lock table '{Options.TableName}' does not exist (any more).", e);
        }
    }

    private async Task<TableStatus?> TableStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.DescribeTableAsync(new DescribeTableRequest { TableName = Options.TableName }, cancellationToken).ConfigureAwait(false);
            return response.Table.TableStatus;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        var request = new CreateTableRequest
        {
            TableName = Options.TableName,
            KeySchema = [new KeySchemaElement(DynamoDbLockItem.PartitionKey, KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition(DynamoDbLockItem.PartitionKey, ScalarAttributeType.S)],
            BillingMode = Amazon.DynamoDBv2.BillingMode.FindValue(Options.BillingMode),
        };
        if (Options.BillingMode == "PROVISIONED")
        {
            request.ProvisionedThroughput = new ProvisionedThroughput(Options.ReadCapacityUnits, Options.WriteCapacityUnits);
        }

        try
        {
            await _client.CreateTableAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            // Another writer created it first; waiting for ACTIVE follows either way.
        }
    }

    /// <summary>A held lock as first seen from here: the lease is counted on this process's monotonic clock.</summary>
    private sealed record Observation(DynamoDbLockState State, TimeSpan Lease, long FirstSeen)
    {
        public TimeSpan Watched => Stopwatch.GetElapsedTime(FirstSeen);

        public bool Expired => Watched > Lease;

        public TimeSpan Remaining => Expired ? TimeSpan.Zero : Lease - Watched;
    }
}
