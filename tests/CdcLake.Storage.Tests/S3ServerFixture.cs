using Amazon.Runtime;
using CdcLake.Testing;

namespace CdcLake.Storage.Tests;

/// <summary>One s3rver for a test class; each test gets its own key prefix (or bucket) in it.</summary>
public sealed class S3ServerFixture : IDisposable
{
    public const string Bucket = "lake";
    public const string SecondBucket = "other";

    /// <summary>Small parts, so a 20 MB object takes 20 of them.</summary>
    public const int PartSize = 1024 * 1024;

    public S3ServerFixture()
    {
        Server = new S3Server(Bucket, SecondBucket);
    }

    public S3Server Server { get; }

    /// <summary>
    /// Options for s3rver: its endpoint, path style, its dummy account, plain (not aws-chunked) bodies,
    /// and no reliance on If-None-Match, which it ignores.
    /// </summary>
    public S3StoreOptions Options(HttpRecorder recorder, bool conditionalWritesSupported = false) => new()
    {
        ServiceUrl = Server.ServiceUrl,
        ForcePathStyle = true,
        Region = S3Server.Region,
        Credentials = new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey),
        UseChunkEncoding = false,
        ConditionalWritesSupported = conditionalWritesSupported,
        PartSize = PartSize,
        MaxConcurrentPartUploads = 2,
        ConfigureClient = config => config.HttpClientFactory = recorder,
    };

    public void Dispose() => Server.Dispose();
}
