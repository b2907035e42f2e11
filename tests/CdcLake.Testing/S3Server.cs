using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

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

    private const int StderrLinesKept = 50;

    private readonly Process _process;
    private readonly TempDirectory _data;
    private readonly ConcurrentQueue<string> _stderr = new();
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
        var script = Path.Combine(RepoPaths.TestTools, "s3rver-start.mjs");
        var package = Path.Combine(RepoPaths.TestTools, "node_modules", "s3rver", "package.json");
        if (!File.Exists(package))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed in '{RepoPaths.TestTools}'. Run ./build.sh --target=Test (it installs the node " +
                $"test tools) or 'npm ci --no-audit --no-fund' in {RepoPaths.TestTools}.");
        }

        _data = new TempDirectory("s3rver");
        var node = Environment.GetEnvironmentVariable("CDCLAKE_NODE");
        var startInfo = new ProcessStartInfo(string.IsNullOrEmpty(node) ? "node" : node)
        {
            WorkingDirectory = RepoPaths.TestTools,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(script);
        startInfo.ArgumentList.Add("--directory");
        startInfo.ArgumentList.Add(_data.Path);
        startInfo.ArgumentList.Add("--address");
        startInfo.ArgumentList.Add("127.0.0.1");
        startInfo.ArgumentList.Add("--port");
        startInfo.ArgumentList.Add("0");
        foreach (var bucket in Buckets)
        {
            startInfo.ArgumentList.Add("--bucket");
            startInfo.ArgumentList.Add(bucket);
        }

        _process = new Process { StartInfo = startInfo };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            _stderr.Enqueue(e.Data);
            while (_stderr.Count > StderrLinesKept && _stderr.TryDequeue(out string? _))
            {
            }
        };

        try
        {
            _process.Start();
        }
        catch (Win32Exception e)
        {
            _process.Dispose();
            _data.Dispose();
            throw new InvalidOperationException($"Could not start '{startInfo.FileName}' for s3rver: {e.Message}. Node.js 20+ must be installed (.ci/run shows how).", e);
        }

        try
        {
            _process.BeginErrorReadLine();
            Port = AwaitReady(startupTimeout);
            AwaitAcceptingConnections(startupTimeout);
        }
        catch
        {
            Stop();
            _data.Dispose();
            throw;
        }

        ServiceUrl = $"http://127.0.0.1:{Port}";
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, for the SDK's ServiceURL.</summary>
    public string ServiceUrl { get; }

    public int Port { get; }

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
        Stop();
        _data.Dispose();
    }

    public override string ToString() => ServiceUrl;

    private int AwaitReady(TimeSpan timeout)
    {
        var readLine = _process.StandardOutput.ReadLineAsync();
        if (!readLine.Wait(timeout))
        {
            throw new InvalidOperationException($"s3rver did not report ready within {timeout.TotalSeconds:0} s.{StderrTail()}");
        }

        var line = readLine.Result;
        if (line is null)
        {
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new InvalidOperationException($"s3rver exited during start-up.{StderrTail()}");
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("ready", out var ready) && ready.ValueKind == JsonValueKind.True && root.TryGetProperty("port", out var port))
            {
                return port.GetInt32();
            }
        }
        catch (JsonException)
        {
        }

        throw new InvalidOperationException($"s3rver started with an unexpected line: {line}{StderrTail()}");
    }

    // The ready line is printed once listen() has returned; connecting once makes that a checked fact.
    private void AwaitAcceptingConnections(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < timeout)
            {
                Thread.Sleep(50);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"s3rver does not accept connections on 127.0.0.1:{Port}.{StderrTail()}", e);
            }
        }
    }

    private void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close(); // the start script exits when stdin closes
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        catch (IOException)
        {
        }
        finally
        {
            _process.Dispose();
        }
    }

    private string StderrTail()
    {
        var lines = _stderr.ToArray();
        return lines.Length == 0 ? "" : "\ns3rver stderr (last lines):\n  " + string.Join("\n  ", lines);
    }
}
