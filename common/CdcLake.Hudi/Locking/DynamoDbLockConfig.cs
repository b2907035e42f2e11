namespace CdcLake.Hudi;

/// <summary>
/// Hudi's settings for its DynamoDB lock (DynamoDbBasedLockConfig and LockConfiguration), with the defaults of
/// current Hudi. Configure our writer and Spark's alike and both use the same DynamoDB item.
/// </summary>
public static class DynamoDbLockConfig
{
    /// <summary>The provider class to give Spark writers (<c>hoodie.write.lock.provider</c>).</summary>
    public const string ProviderClass = "org.apache.hudi.aws.transaction.lock.DynamoDBBasedLockProvider";

    public static ConfigKey<string> LockProvider { get; } = new(
        "hoodie.write.lock.provider",
        "Lock provider class; DynamoDBBasedLockProvider for this lock.");

    public static ConfigKey<string> Table { get; } = new(
        "hoodie.write.lock.dynamodb.table",
        "hudi_locks",
        "The DynamoDB table holding the locks (current Hudi's default; 0.14 has none).");

    public static ConfigKey<string> PartitionKey { get; } = new(
        "hoodie.write.lock.dynamodb.partition_key",
        "The lock item's partition key value, one per Hudi table; inferred from hoodie.table.name when unset.");

    public static ConfigKey<string> Region { get; } = new(
        "hoodie.write.lock.dynamodb.region",
        "us-east-1",
        "Region of the DynamoDB endpoint; inferred from the AWS_REGION environment variable when unset.");

    public static ConfigKey<string> BillingMode { get; } = new(
        "hoodie.write.lock.dynamodb.billing_mode",
        "PAY_PER_REQUEST",
        "Billing mode of a lock table the provider creates: PAY_PER_REQUEST or PROVISIONED.");

    public static ConfigKey<long> ReadCapacity { get; } = new(
        "hoodie.write.lock.dynamodb.read_capacity",
        20L,
        "Read capacity units of a PROVISIONED lock table the provider creates.");

    public static ConfigKey<long> WriteCapacity { get; } = new(
        "hoodie.write.lock.dynamodb.write_capacity",
        10L,
        "Write capacity units of a PROVISIONED lock table the provider creates.");

    public static ConfigKey<long> TableCreationTimeout { get; } = new(
        "hoodie.write.lock.dynamodb.table_creation_timeout",
        2L * 60 * 1000,
        "Milliseconds to wait for a created lock table to become ACTIVE (current Hudi's default; 600000 in 0.14).");

    public static ConfigKey<string> EndpointUrl { get; } = new(
        "hoodie.write.lock.dynamodb.endpoint_url",
        "DynamoDB endpoint URL, e.g. a local DynamoDB stand-in.");

    public static ConfigKey<long> WaitTimeMs { get; } = new(
        "hoodie.write.lock.wait_time_ms",
        60L * 1000,
        "The DynamoDB provider's lease in milliseconds (heartbeat every third of it), and how long Spark's tryLock waits on top of one lease.");

    /// <summary>Every key above, for listing and documentation.</summary>
    public static IReadOnlyList<IConfigKey> All { get; } =
    [
        LockProvider, Table, PartitionKey, Region, BillingMode, ReadCapacity, WriteCapacity, TableCreationTimeout, EndpointUrl, WaitTimeMs,
    ];

    /// <summary>
    /// The partition key value a Spark writer with these properties locks: the configured one, else the table
    /// name (Hudi's infer function). Hudi 0.14's provider does not infer it itself: set it explicitly there.
    /// </summary>
    /// <exception cref="HudiConfigException">Neither is set.</exception>
    public static string PartitionKeyFor(JavaProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return PartitionKey.FindText(properties) is { Length: > 0 } key ? key
            : HoodieTableConfig.Name.FindText(properties) is { Length: > 0 } name ? name
            : throw new HudiConfigException($"{PartitionKey.Key} is not set and there is no {HoodieTableConfig.Name.Key} to infer it from.");
    }
}
