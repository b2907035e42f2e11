namespace CdcLake.Testing;

/// <summary>
/// A real S3 protocol server on loopback for tests: s3rver (pinned in tests/tools/package.json), run by
/// tests/tools/s3rver-start.mjs as a child process on 127.0.0.1 with a port the OS picks and a fresh
/// data folder. Buckets named at construction exist once the constructor returns. Dispose stops the
/// process and deletes the data.
/// </summary>
/// <remarks>
/// Point an SDK client at <see cref="ServiceUrl"/> with path-style addressing, the dummy credentials
/// <see cref="AccessKey"/>/<see cref="SecretKey"/> and chunked encoding off. s3rver's gaps: it ignores
/// <c>If-None-Match</c> on PUT (no create-if-absent, no mutual exclusion), stores <c>aws-chunked</c> bodies
/// undecoded, answers AbortMultipartUpload with 405, lists keys in the order it walks its folders (not
/// S3's UTF-8 byte order), and reports a common prefix (folder) only when some object lies directly in it
/// or one folder below it.
/// </remarks>
public sealed class S3Server : IDisposable
{
    /// <summary>s3rver's built-in account.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    /// <summary>The region to sign for (s3rver accepts any; its continuation tokens name us-east-1).</summary>
    public const string Region = "us-east-1";

    private readonly NodeToolServer _server;
    private readonly TempDirectory _data;
    private bool _disposed;

    /// <param name="buckets">Buckets to create before the server accepts requests.</param>
    public S3Server(params string[] buckets)
        : this(TimeSpan.FromSeconds(60), buckets)
    {
    }

    public S3Server(TimeSpan startupTimeout, params string[] buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        Buckets = [.. buckets];
        _data = new TempDirectory("s3rver");
        try
        {
            _server = new NodeToolServer(
                "s3rver",
                "s3rver-start.mjs",
                ["--directory", _data.Path, "--address", "127.0.0.1", "--port", "0", .. Buckets.SelectMany(b => new[] { "--bucket", b })],
                startupTimeout);
        }
        catch
        {
            _data.Dispose();
            throw;
        }

        ServiceUrl = $"http://127.0.0.1:{Port}";
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, for the SDK's ServiceURL.</summary>
    public string ServiceUrl { get; }

    public int Port => _server.Port;

    public IReadOnlyList<string> Buckets { get; }

    /// <summary>s3rver's data folder: <c>&lt;bucket&gt;/&lt;key&gt;._S3rver_object</c> files.</summary>
    public string DataDirectory => _data.Path;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _server.Dispose();
        _data.Dispose();
    }

    public override string ToString() => ServiceUrl;
}
