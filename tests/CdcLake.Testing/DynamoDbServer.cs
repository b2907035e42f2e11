using System.Globalization;

namespace CdcLake.Testing;

/// <summary>
/// A real DynamoDB protocol server on loopback for tests: dynalite (pinned in tests/tools/package.json), run by
/// tests/tools/dynalite-start.mjs as a child process on 127.0.0.1 with a port the OS picks, its data in memory.
/// Dispose stops the process (and so drops every table).
/// </summary>
/// <remarks>
/// Point an SDK client at <see cref="ServiceUrl"/> with <see cref="Region"/> as the signing region and any
/// credentials (<see cref="AccessKey"/>/<see cref="SecretKey"/>): dynalite checks that requests are signed, not
/// by whom. New tables stay CREATING for <c>createTableMs</c> (0 by default here, so they are ACTIVE at once).
/// </remarks>
public sealed class DynamoDbServer : IDisposable
{
    /// <summary>Dummy credentials; dynalite accepts any.</summary>
    public const string AccessKey = "DYNALITE";

    public const string SecretKey = "DYNALITE";

    public const string Region = "us-east-1";

    private readonly NodeToolServer _server;
    private bool _disposed;

    public DynamoDbServer()
        : this(TimeSpan.FromSeconds(60))
    {
    }

    /// <param name="startupTimeout">Longest wait for the process to say it listens.</param>
    /// <param name="createTableMs">How long a new table stays CREATING before it turns ACTIVE.</param>
    public DynamoDbServer(TimeSpan startupTimeout, int createTableMs = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(createTableMs);
        _server = new NodeToolServer(
            "dynalite",
            "dynalite-start.mjs",
            ["--address", "127.0.0.1", "--port", "0", "--create-table-ms", createTableMs.ToString(CultureInfo.InvariantCulture)],
            startupTimeout);
        ServiceUrl = $"http://127.0.0.1:{Port}";
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, for the SDK's ServiceURL.</summary>
    public string ServiceUrl { get; }

    public int Port => _server.Port;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _server.Dispose();
    }

    public override string ToString() => ServiceUrl;
}
