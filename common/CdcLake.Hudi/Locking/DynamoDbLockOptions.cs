using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace CdcLake.Hudi;

/// <summary>Settings of <see cref="DynamoDbLockProvider"/>. <see cref="FromHudiProperties"/> reads them as Hudi does.</summary>
public sealed record DynamoDbLockOptions : TableLockOptions
{
    /// <summary>The DynamoDB table holding the locks (<c>hoodie.write.lock.dynamodb.table</c>); default <c>hudi_locks</c>.</summary>
    public string TableName { get; init; } = "hudi_locks";

    /// <summary>Create the lock table when it does not exist, with Hudi's key schema. Default false; Hudi always does.</summary>
    public bool CreateTableIfMissing { get; init; }

    /// <summary><c>PAY_PER_REQUEST</c> (default) or <c>PROVISIONED</c>, for a table this provider creates.</summary>
    public string BillingMode { get; init; } = "PAY_PER_REQUEST";

    public long ReadCapacityUnits { get; init; } = 20;

    public long WriteCapacityUnits { get; init; } = 10;

    /// <summary>How long to wait for a created table to become ACTIVE.</summary>
    public TimeSpan TableCreationTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Delete the item on release (default, as the AWS client and so Hudi do), rather than mark it released
    /// (<c>isReleased</c>), which keeps the item.
    /// </summary>
    public bool DeleteOnRelease { get; init; } = true;

    /// <summary>AWS region; null: the SDK's default chain (AWS_REGION, profile, ...).</summary>
    public string? Region { get; init; }

    /// <summary>Endpoint override (<c>hoodie.write.lock.dynamodb.endpoint_url</c>), e.g. a local stand-in.</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>Credentials; null: the SDK's default chain.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Last say over the SDK client's configuration.</summary>
    public Action<AmazonDynamoDBConfig>? ConfigureClient { get; init; }

    /// <summary>
    /// Options from a Hudi writer's properties (see <see cref="DynamoDbLockConfig"/>): table, region, endpoint,
    /// billing and creation settings, and the lease from <c>hoodie.write.lock.wait_time_ms</c>. Creates a
    /// missing table, as Hudi does. The partition key value to lock is <see cref="DynamoDbLockConfig.PartitionKeyFor"/>.
    /// </summary>
    public static DynamoDbLockOptions FromHudiProperties(JavaProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var region = DynamoDbLockConfig.Region.FindText(properties)
                     ?? Environment.GetEnvironmentVariable("AWS_REGION")
                     ?? DynamoDbLockConfig.Region.Default;
        return new DynamoDbLockOptions
        {
            TableName = DynamoDbLockConfig.Table.Get(properties)!,
            Region = region,
            ServiceUrl = DynamoDbLockConfig.EndpointUrl.FindText(properties),
            BillingMode = DynamoDbLockConfig.BillingMode.Get(properties)!,
            ReadCapacityUnits = DynamoDbLockConfig.ReadCapacity.Get(properties),
            WriteCapacityUnits = DynamoDbLockConfig.WriteCapacity.Get(properties),
            TableCreationTimeout = TimeSpan.FromMilliseconds(DynamoDbLockConfig.TableCreationTimeout.Get(properties)),
            LeaseDuration = TimeSpan.FromMilliseconds(DynamoDbLockConfig.WaitTimeMs.Get(properties)),
            CreateTableIfMissing = true,
        };
    }

    internal long LeaseMilliseconds => (long)LeaseDuration.TotalMilliseconds;

    internal override void Validate()
    {
        base.Validate();
        ArgumentException.ThrowIfNullOrWhiteSpace(TableName);
        if (BillingMode is not ("PAY_PER_REQUEST" or "PROVISIONED"))
        {
            throw new ArgumentException($"BillingMode must be PAY_PER_REQUEST or PROVISIONED, not '{BillingMode}'.", nameof(BillingMode));
        }

        if (TableCreationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TableCreationTimeout), TableCreationTimeout, "The timeout must be positive.");
        }
    }
}
