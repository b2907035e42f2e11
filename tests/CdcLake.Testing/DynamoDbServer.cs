using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

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

    private const int StderrLinesKept = 50;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
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
        var script = Path.Combine(RepoPaths.TestTools, "dynalite-start.mjs");
        var package = Path.Combine(RepoPaths.TestTools, "node_modules", "dynalite", "package.json");
        if (!File.Exists(package))
        {
            throw new InvalidOperationException(
                $"dynalite is not installed in '{RepoPaths.TestTools}'. Run ./build.sh --target=Test (it installs the node " +
                $"test tools) or 'npm install --no-audit --no-fund --no-save' in {RepoPaths.TestTools}.");
        }

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
        startInfo.ArgumentList.Add("--address");
        startInfo.ArgumentList.Add("127.0.0.1");
        startInfo.ArgumentList.Add("--port");
        startInfo.ArgumentList.Add("0");
        startInfo.ArgumentList.Add("--create-table-ms");
        startInfo.ArgumentList.Add(createTableMs.ToString(CultureInfo.InvariantCulture));

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
            throw new InvalidOperationException($"Could not start '{startInfo.FileName}' for dynalite: {e.Message}. Node.js 20+ must be installed (.ci/run shows how).", e);
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
            throw;
        }

        ServiceUrl = $"http://127.0.0.1:{Port}";
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, for the SDK's ServiceURL.</summary>
    public string ServiceUrl { get; }

    public int Port { get; }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Stop();
    }

    public override string ToString() => ServiceUrl;

    private int AwaitReady(TimeSpan timeout)
    {
        var readLine = _process.StandardOutput.ReadLineAsync();
        if (!readLine.Wait(timeout))
        {
            throw new InvalidOperationException($"dynalite did not report ready within {timeout.TotalSeconds:0} s.{StderrTail()}");
        }

        var line = readLine.Result;
        if (line is null)
        {
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new InvalidOperationException($"dynalite exited during start-up.{StderrTail()}");
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

        throw new InvalidOperationException($"dynalite started with an unexpected line: {line}{StderrTail()}");
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
                throw new InvalidOperationException($"dynalite does not accept connections on 127.0.0.1:{Port}.{StderrTail()}", e);
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
        return lines.Length == 0 ? "" : "\ndynalite stderr (last lines):\n  " + string.Join("\n  ", lines);
    }
}
