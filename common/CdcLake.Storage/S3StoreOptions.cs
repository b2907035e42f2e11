using Amazon.Runtime;
using Amazon.S3;

namespace CdcLake.Storage;

/// <summary>
/// How <see cref="ObjectStores"/> connects to S3 and how <see cref="S3ObjectStore"/> uploads. The defaults
/// suit Amazon S3: credentials and region come from the SDK's standard chain (environment
/// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>/<c>AWS_SESSION_TOKEN</c>, <c>AWS_REGION</c>,
/// <c>AWS_PROFILE</c> and the shared config files, web identity, ECS and EC2 instance roles), and the SDK
/// also honours <c>AWS_ENDPOINT_URL_S3</c>.
/// </summary>
public sealed record S3StoreOptions
{
    /// <summary>Amazon S3's smallest part size for all parts but the last.</summary>
    public const int MinimumAwsPartSize = 5 * 1024 * 1024;

    /// <summary>
    /// Endpoint override for an S3-compatible server, e.g. <c>http://127.0.0.1:9000</c>
    /// (<see cref="Amazon.Runtime.ClientConfig.ServiceURL"/>). Usually paired with <see cref="ForcePathStyle"/>.
    /// </summary>
    public string? ServiceUrl { get; init; }

    /// <summary>
    /// Region (<c>eu-west-1</c>); null: from the standard chain. With <see cref="ServiceUrl"/> it is
    /// only the region requests are signed for.
    /// </summary>
    public string? Region { get; init; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>) instead of <c>bucket.host/key</c>.</summary>
    public bool ForcePathStyle { get; init; }

    /// <summary>Explicit credentials; null: the standard chain.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>
    /// Send uploads as signed <c>aws-chunked</c> bodies (the SDK's default). Servers that store such bodies
    /// undecoded (s3rver) need false; bodies are then sent whole, signed with their SHA-256.
    /// </summary>
    public bool UseChunkEncoding { get; init; } = true;

    /// <summary>
    /// Whether the server honours <c>If-None-Match: *</c> on PUT and CompleteMultipartUpload. Amazon S3
    /// does (since August 2024), which makes create-if-absent atomic. Set false for servers that ignore
    /// it (s3rver): creates then check for the object first, which stops a second create but not a
    /// concurrent one, and <see cref="StoreCapabilities.AtomicCreateIfAbsent"/> is false.
    /// </summary>
    public bool ConditionalWritesSupported { get; init; } = true;

    /// <summary>
    /// Bytes per multipart part, and the size up to which a streamed write is sent as one PUT.
    /// Amazon S3 needs at least <see cref="MinimumAwsPartSize"/> (enforced unless <see cref="ServiceUrl"/>
    /// is set); an object has at most 10,000 parts, so 8 MiB parts allow objects up to 78 GiB.
    /// </summary>
    public int PartSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Parts uploaded at once per stream. A writing stream holds at most this many part buffers plus the
    /// one being filled, so its memory is bounded by <c>(MaxConcurrentPartUploads + 1) × PartSize</c>.
    /// </summary>
    public int MaxConcurrentPartUploads { get; init; } = 2;

    /// <summary>Last say over the SDK client's configuration (timeouts, retries, an HTTP client factory in tests).</summary>
    public Action<AmazonS3Config>? ConfigureClient { get; init; }

    internal void Validate()
    {
        var minimum = ServiceUrl is null ? MinimumAwsPartSize : 64 * 1024;
        if (PartSize < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize,
                ServiceUrl is null
                    ? $"Amazon S3 parts must be at least {MinimumAwsPartSize} bytes."
                    : $"Parts must be at least {minimum} bytes.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentPartUploads, 1, nameof(MaxConcurrentPartUploads));
    }
}
