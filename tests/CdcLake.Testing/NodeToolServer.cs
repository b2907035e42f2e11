using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CdcLake.Testing;

/// <summary>
/// A server from tests/tools run as a node child process by its start script: the script prints one JSON line
/// <c>{"ready":true,"port":N}</c> once it listens on 127.0.0.1, and exits when its stdin closes. Shared by
/// <see cref="S3Server"/> (s3rver) and <see cref="DynamoDbServer"/> (dynalite).
/// </summary>
internal sealed class NodeToolServer : IDisposable
{
    private const int StderrLinesKept = 50;

    private readonly string _tool;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();

    /// <param name="tool">The npm package, as installed under tests/tools/node_modules (named in messages).</param>
    /// <param name="script">The start script in tests/tools.</param>
    /// <param name="arguments">The script's arguments.</param>
    /// <param name="startupTimeout">Longest wait for the process to say it listens.</param>
    public NodeToolServer(string tool, string script, IEnumerable<string> arguments, TimeSpan startupTimeout)
    {
        _tool = tool;
        var package = Path.Combine(RepoPaths.TestTools, "node_modules", tool, "package.json");
        if (!File.Exists(package))
        {
            throw new InvalidOperationException(
                $"{tool} is not installed in '{RepoPaths.TestTools}'. Run ./build.sh --target=Test (it installs the node " +
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
        startInfo.ArgumentList.Add(Path.Combine(RepoPaths.TestTools, script));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
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
            throw new InvalidOperationException($"Could not start '{startInfo.FileName}' for {tool}: {e.Message}. Node.js 20+ must be installed (.ci/run shows how).", e);
        }

        try
        {
            _process.BeginErrorReadLine();
            Port = AwaitReady(startupTimeout);
            AwaitAcceptingConnections(startupTimeout);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; }

    /// <summary>Closes the script's stdin (it then exits), killing it if it does not within 5 s.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
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

    private int AwaitReady(TimeSpan timeout)
    {
        var readLine = _process.StandardOutput.ReadLineAsync();
        if (!readLine.Wait(timeout))
        {
            throw new InvalidOperationException($"{_tool} did not report ready within {timeout.TotalSeconds:0} s.{StderrTail()}");
        }

        var line = readLine.Result;
        if (line is null)
        {
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new InvalidOperationException($"{_tool} exited during start-up.{StderrTail()}");
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

        throw new InvalidOperationException($"{_tool} started with an unexpected line: {line}{StderrTail()}");
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
                throw new InvalidOperationException($"{_tool} does not accept connections on 127.0.0.1:{Port}.{StderrTail()}", e);
            }
        }
    }

    private string StderrTail()
    {
        var lines = _stderr.ToArray();
        return lines.Length == 0 ? "" : $"\n{_tool} stderr (last lines):\n  " + string.Join("\n  ", lines);
    }
}
