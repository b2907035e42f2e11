using Amazon.Runtime;
using CdcLake.Hudi;
using CdcLake.Storage;

namespace CdcLake.Cli.Commands;

/// <summary>
/// Opens the store a table location names: a local folder, or an S3 bucket and prefix configured from the
/// environment. The AWS SDK's own chain supplies what is not set here; the variables read are
/// <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c> (an S3-compatible server: path-style addressing
/// is used with it), <c>AWS_REGION</c> or <c>AWS_DEFAULT_REGION</c>, and <c>AWS_ACCESS_KEY_ID</c> /
/// <c>AWS_SECRET_ACCESS_KEY</c> / <c>AWS_SESSION_TOKEN</c>. The DynamoDB table lock takes what its pipeline settings
/// leave out from <c>AWS_ENDPOINT_URL_DYNAMODB</c> or <c>AWS_ENDPOINT_URL</c>, the same region and the same
/// credentials. Tests pass their own environment.
/// </summary>
public sealed class TableStores(Func<string, string?> environment)
{
    public static TableStores Default { get; } = new(Environment.GetEnvironmentVariable);

    /// <summary>A store rooted at <paramref name="location"/>.</summary>
    public IObjectStore Open(StorePath location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.IsS3 ? ObjectStores.For(location, S3Options()) : ObjectStores.For(location);
    }

    /// <summary>The S3 options the environment asks for.</summary>
    public S3StoreOptions S3Options()
    {
        var endpoint = Get("AWS_ENDPOINT_URL_S3") ?? Get("AWS_ENDPOINT_URL");
        var keyId = Get("AWS_ACCESS_KEY_ID");
        var secret = Get("AWS_SECRET_ACCESS_KEY");
        AWSCredentials? credentials = null;
        if (keyId is not null && secret is not null)
        {
            credentials = Get("AWS_SESSION_TOKEN") is { } token
                ? new SessionAWSCredentials(keyId, secret, token)
                : new BasicAWSCredentials(keyId, secret);
        }

        return new S3StoreOptions
        {
            ServiceUrl = endpoint,

            // S3-compatible servers (MinIO, s3rver, LocalStack) take path-style requests; virtual-hosted style
            // would need DNS for bucket.host.
            ForcePathStyle = endpoint is not null,

            // Not every S3-compatible server decodes aws-chunked bodies (s3rver stores them as sent): with an endpoint
            // override each body is sent whole, signed with its SHA-256. The store buffers parts anyway.
            UseChunkEncoding = endpoint is null,
            Region = Get("AWS_REGION") ?? Get("AWS_DEFAULT_REGION"),
            Credentials = credentials,
        };
    }

    /// <summary>The DynamoDB lock's options with what the pipeline left out filled in from the environment.</summary>
    public DynamoDbLockOptions ConfigureDynamoDbLock(DynamoDbLockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            ServiceUrl = options.ServiceUrl ?? Get("AWS_ENDPOINT_URL_DYNAMODB") ?? Get("AWS_ENDPOINT_URL"),
            Region = options.Region ?? Get("AWS_REGION") ?? Get("AWS_DEFAULT_REGION"),
            Credentials = options.Credentials ?? S3Options().Credentials,
        };
    }

    private string? Get(string name) => environment(name) is { Length: > 0 } value ? value : null;
}
