using CdcLake.Hudi;

namespace CdcLake.Cdc;

/// <summary>The lock provider a table's runs take its lock from.</summary>
public enum LockProviderKind
{
    /// <summary>The lock file <c>&lt;table&gt;/.hoodie/lock</c> (<see cref="LocalFileLockProvider"/>): local file systems only.</summary>
    Local,

    /// <summary>An item in a DynamoDB table, as Hudi's DynamoDBBasedLockProvider writes it (<see cref="DynamoDbLockProvider"/>).</summary>
    DynamoDb,
}

/// <summary>
/// A table's resolved lock settings (see <see cref="LockSettings"/>, where each field is described with its Hudi
/// property). The DynamoDB members are used only by <see cref="LockProviderKind.DynamoDb"/>.
/// </summary>
public sealed record LockSpec
{
    /// <summary>Hudi's default lease (hoodie.write.lock.wait_time_ms).</summary>
    public static TimeSpan DefaultLease { get; } = TimeSpan.FromMilliseconds(DynamoDbLockConfig.WaitTimeMs.Default);

    /// <summary>The local lock file with the default lease, failing at once when the lock is held.</summary>
    public static LockSpec Local { get; } = new() { Provider = LockProviderKind.Local };

    public LockProviderKind Provider { get; init; }

    public TimeSpan LeaseDuration { get; init; } = DefaultLease;

    /// <summary>How long a run waits for a held lock; zero: it fails at once with the holder's name.</summary>
    public TimeSpan AcquireWait { get; init; } = TimeSpan.Zero;

    public string DynamoDbTable { get; init; } = DynamoDbLockConfig.Table.Default!;

    /// <summary>The lock item's partition key value; null: the Hudi table name (Hudi's inference).</summary>
    public string? PartitionKey { get; init; }

    /// <summary>Null: the environment's region (the AWS SDK's chain, or what the host supplies).</summary>
    public string? Region { get; init; }

    /// <summary>Null: the environment's DynamoDB endpoint (the AWS SDK's chain, or what the host supplies).</summary>
    public string? EndpointUrl { get; init; }

    public bool CreateTable { get; init; } = true;

    public string BillingMode { get; init; } = DynamoDbLockConfig.BillingMode.Default!;

    public long ReadCapacity { get; init; } = DynamoDbLockConfig.ReadCapacity.Default;

    public long WriteCapacity { get; init; } = DynamoDbLockConfig.WriteCapacity.Default;

    public TimeSpan TableCreationTimeout { get; init; } = TimeSpan.FromMilliseconds(DynamoDbLockConfig.TableCreationTimeout.Default);

    /// <summary>The DynamoDB lock's options these settings give; region, endpoint and credentials left null fall to the host and the SDK's chain.</summary>
    public DynamoDbLockOptions ToDynamoDbOptions() => new()
    {
        TableName = DynamoDbTable,
        Region = Region,
        ServiceUrl = EndpointUrl,
        CreateTableIfMissing = CreateTable,
        BillingMode = BillingMode,
        ReadCapacityUnits = ReadCapacity,
        WriteCapacityUnits = WriteCapacity,
        TableCreationTimeout = TableCreationTimeout,
        LeaseDuration = LeaseDuration,
        AcquireWait = AcquireWait,
    };

    /// <summary>The local lock file's options these settings give.</summary>
    public LocalFileLockOptions ToLocalOptions() => new() { LeaseDuration = LeaseDuration, AcquireWait = AcquireWait };
}
