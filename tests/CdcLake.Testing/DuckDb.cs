using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CdcLake.Testing;

/// <summary>Settings of a <see cref="DuckDb"/> oracle process.</summary>
public sealed record DuckDbOptions
{
    /// <summary>DuckDB worker threads (env <c>CDCLAKE_DUCKDB_THREADS</c>). Default 2: the machines have 2 cores.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Longest wait for one answer (env <c>CDCLAKE_DUCKDB_TIMEOUT_SECONDS</c>).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest wait for the process to say it is ready.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The node executable (env <c>CDCLAKE_NODE</c>); default <c>node</c> from PATH.</summary>
    public string NodeExecutable { get; init; } = "node";

    /// <summary>The oracle script; default <c>tests/tools/duckdb-oracle.mjs</c>.</summary>
    public string? ScriptPath { get; init; }

    /// <summary>Defaults, overridden by the environment variables named on each property.</summary>
    public static DuckDbOptions FromEnvironment()
    {
        var options = new DuckDbOptions();
        if (int.TryParse(Environment.GetEnvironmentVariable("CDCLAKE_DUCKDB_THREADS"), NumberStyles.None, CultureInfo.InvariantCulture, out var threads) && threads > 0)
        {
            options = options with { Threads = threads };
        }

        if (int.TryParse(Environment.GetEnvironmentVariable("CDCLAKE_DUCKDB_TIMEOUT_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            options = options with { RequestTimeout = TimeSpan.FromSeconds(seconds) };
        }

        var node = Environment.GetEnvironmentVariable("CDCLAKE_NODE");
        if (!string.IsNullOrEmpty(node))
        {
            options = options with { NodeExecutable = node };
        }

        return options;
    }
}

/// <summary>One result column: its name and DuckDB's type string (e.g. <c>DECIMAL(9,4)</c>, <c>TIMESTAMP WITH TIME ZONE</c>).</summary>
public sealed record DuckColumn(string Name, string Type);

/// <summary>
/// A query's result. Values are in the oracle's canonical JSON forms, documented at the top of
/// tests/tools/duckdb-oracle.mjs (e.g. DECIMAL <c>"123.4500"</c>, TIMESTAMPTZ <c>"2024-01-02T03:04:05.123456Z"</c>).
/// </summary>
public sealed class DuckResult
{
    internal DuckResult(string sql, IReadOnlyList<DuckColumn> columns, IReadOnlyList<JsonElement[]> rows)
    {
        Sql = sql;
        Columns = columns;
        Rows = rows;
    }

    /// <summary>The SQL that produced this result.</summary>
    public string Sql { get; }

    public IReadOnlyList<DuckColumn> Columns { get; }

    /// <summary>One array per row, one element per column, in column order.</summary>
    public IReadOnlyList<JsonElement[]> Rows { get; }

    /// <summary>Index of the column called <paramref name="name"/> (exact match); throws when absent.</summary>
    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                return i;
            }
        }

        throw new KeyNotFoundException(
            $"No column '{name}' in the result of: {Sql}\nColumns: {string.Join(", ", Columns.Select(c => c.Name))}");
    }

    public JsonElement this[int row, int column] => Rows[row][column];

    public JsonElement this[int row, string column] => Rows[row][ColumnIndex(column)];

    /// <summary>The values of one column, top to bottom.</summary>
    public IEnumerable<JsonElement> Column(string name)
    {
        var index = ColumnIndex(name);
        return Rows.Select(r => r[index]);
    }

    /// <summary>The only value of a one-row, one-column result.</summary>
    public JsonElement Scalar()
    {
        if (Rows.Count != 1 || Columns.Count != 1)
        {
            throw new InvalidOperationException(
                $"Expected one row and one column, got {Rows.Count} row(s) and {Columns.Count} column(s) from: {Sql}");
        }

        return Rows[0][0];
    }
}

/// <summary>DuckDB refused or failed a statement, or the oracle process failed.</summary>
public sealed class DuckDbException : Exception
{
    public DuckDbException(string message)
        : base(message)
    {
    }

    public DuckDbException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DuckDbException()
    {
    }

    internal DuckDbException(string? sql, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Sql = sql;
    }

    /// <summary>The SQL being run, when the failure belongs to one request.</summary>
    public string? Sql { get; }
}

/// <summary>
/// DuckDB as an independent oracle: ONE long-lived <c>node tests/tools/duckdb-oracle.mjs</c> child
/// process holding one in-memory database and one connection (TimeZone 'UTC'), spoken to in
/// line-delimited JSON. Thread-safe: requests are serialized, so state made by
/// <see cref="Execute"/> (tables, settings) is visible to later calls. After a request times out
/// (or the process dies) the process is killed and the next call starts a new one, with an empty
/// database.
/// </summary>
public sealed class DuckDb : IDisposable
{
    private const int StderrLinesKept = 40;

    private static readonly Lazy<DuckDb> s_shared = new(CreateShared, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly object _gate = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private Process? _process;
    private BlockingCollection<string>? _stdout;
    private long _nextId;
    private bool _disposed;

    /// <summary>Starts the oracle process now, so a missing node or npm install fails here.</summary>
    public DuckDb(DuckDbOptions? options = null)
    {
        Options = options ?? new DuckDbOptions();
        if (Options.Threads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Threads, "Threads must be at least 1.");
        }

        lock (_gate)
        {
            Start();
        }
    }

    /// <summary>One oracle per test run, started on first use (options from <see cref="DuckDbOptions.FromEnvironment"/>).</summary>
    public static DuckDb Shared => s_shared.Value;

    public DuckDbOptions Options { get; }

    /// <summary>DuckDB's version string as the process reported it, e.g. <c>v1.5.6</c>.</summary>
    public string Version { get; private set; } = "";

    /// <summary>A SQL string literal: <c>'it''s'</c>. Use it for paths in COPY / read_parquet.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Runs <paramref name="sql"/> (several statements allowed; the last one's result is returned).</summary>
    /// <exception cref="DuckDbException">DuckDB reported an error; the message names the SQL.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout; the message names the SQL.</exception>
    public DuckResult Query(string sql, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var root = Send(sql, timeout ?? Options.RequestTimeout);

        var columns = new List<DuckColumn>();
        foreach (var column in root.GetProperty("columns").EnumerateArray())
        {
            columns.Add(new DuckColumn(column.GetProperty("name").GetString()!, column.GetProperty("type").GetString()!));
        }

        var rows = new List<JsonElement[]>();
        foreach (var row in root.GetProperty("rows").EnumerateArray())
        {
            rows.Add([.. row.EnumerateArray()]);
        }

        return new DuckResult(sql, columns, rows);
    }

    /// <summary>Runs <paramref name="sql"/> for its effect (CREATE, INSERT, COPY, SET ...), ignoring any rows.</summary>
    public void Execute(string sql, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(sql);
        Send(sql, timeout ?? Options.RequestTimeout);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Stop(graceful: true);
        }
    }

    private static DuckDb CreateShared()
    {
        var db = new DuckDb(DuckDbOptions.FromEnvironment());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => db.Dispose();
        return db;
    }

    private JsonElement Send(string sql, TimeSpan timeout)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is null)
            {
                Start();
            }

            var id = ++_nextId;
            var request = "{\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"sql\":" + JsonSerializer.Serialize(sql) + "}";
            try
            {
                _process!.StandardInput.WriteLine(request);
                _process.StandardInput.Flush();
            }
            catch (IOException e)
            {
                AwaitExit(_process!);
                var stderr = StderrTail();
                Stop(graceful: false);
                throw new DuckDbException(sql, $"The DuckDB oracle process could not be sent the SQL (it has exited):\n  {sql}{stderr}", e);
            }

            var clock = Stopwatch.StartNew();
            while (true)
            {
                var remaining = timeout - clock.Elapsed;
                if (remaining < TimeSpan.Zero)
                {
                    remaining = TimeSpan.Zero;
                }

                if (!_stdout!.TryTake(out var line, remaining))
                {
                    var exited = _stdout.IsCompleted;
                    if (exited)
                    {
                        AwaitExit(_process!);
                    }

                    var stderr = StderrTail();
                    Stop(graceful: false);
                    if (exited)
                    {
                        throw new DuckDbException(sql, $"The DuckDB oracle process exited while running:\n  {sql}{stderr}");
                    }

                    throw new TimeoutException(
                        $"The DuckDB oracle gave no answer within {timeout.TotalSeconds:0.###} s to:\n  {sql}\n" +
                        "Its process was killed; the next call starts a new one (with an empty database)." + stderr);
                }

                using var document = ParseLine(line, sql);
                var response = document.RootElement;
                if (!response.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || idElement.GetInt64() != id)
                {
                    continue; // not ours: a stray line (cannot normally happen)
                }

                if (response.TryGetProperty("error", out var error))
                {
                    throw new DuckDbException(sql, $"DuckDB failed on:\n  {sql}\n{error.GetString()}");
                }

                return response.Clone();
            }
        }
    }

    private static JsonDocument ParseLine(string line, string? sql)
    {
        try
        {
            return JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new DuckDbException(sql, $"The DuckDB oracle wrote a line that is not JSON: {Truncate(line, 500)}", e);
        }
    }

    // Caller holds _gate.
    private void Start()
    {
        var script = Options.ScriptPath ?? Path.Combine(RepoPaths.TestTools, "duckdb-oracle.mjs");
        if (!File.Exists(script))
        {
            throw new DuckDbException(null, $"The DuckDB oracle script is missing: '{script}'.");
        }

        var toolsDir = Path.GetDirectoryName(Path.GetFullPath(script))!;
        var nodeApi = Path.Combine(toolsDir, "node_modules", "@duckdb", "node-api");
        if (!Directory.Exists(nodeApi))
        {
            throw new DuckDbException(null,
                $"@duckdb/node-api is not installed in '{toolsDir}'. Run ./build.sh --target=Test (it runs npm ci there) " +
                $"or 'npm ci --no-audit --no-fund' in {toolsDir}.");
        }

        var startInfo = new ProcessStartInfo(Options.NodeExecutable)
        {
            WorkingDirectory = toolsDir,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(script);
        startInfo.ArgumentList.Add("--threads");
        startInfo.ArgumentList.Add(Options.Threads.ToString(CultureInfo.InvariantCulture));

        while (_stderr.TryDequeue(out string? _))
        {
        }

        var process = new Process { StartInfo = startInfo };
        process.ErrorDataReceived += (_, e) =>
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
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new DuckDbException(null,
                $"Could not start '{Options.NodeExecutable}' for the DuckDB oracle: {e.Message}. " +
                "Node.js 20+ and npm must be installed (.ci/run shows how).", e);
        }

        process.BeginErrorReadLine();
        var stdout = new BlockingCollection<string>();
        var reader = new Thread(() =>
        {
            try
            {
                string? line;
                while ((line = process.StandardOutput.ReadLine()) is not null)
                {
                    stdout.Add(line);
                }
            }
            catch (IOException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
            finally
            {
                stdout.CompleteAdding();
            }
        })
        {
            IsBackground = true,
            Name = "duckdb-oracle stdout",
        };
        reader.Start();

        _process = process;
        _stdout = stdout;

        if (!stdout.TryTake(out var ready, Options.StartupTimeout))
        {
            var exited = stdout.IsCompleted;
            if (exited)
            {
                AwaitExit(process);
            }

            var stderr = StderrTail();
            Stop(graceful: false);
            throw new DuckDbException(null, exited
                ? $"The DuckDB oracle process ({Options.NodeExecutable} {script}) exited during start-up.{stderr}"
                : $"The DuckDB oracle process did not become ready within {Options.StartupTimeout.TotalSeconds:0} s.{stderr}");
        }

        using var document = ParseLine(ready, null);
        if (!document.RootElement.TryGetProperty("ready", out var flag) || flag.ValueKind != JsonValueKind.True)
        {
            Stop(graceful: false);
            throw new DuckDbException(null, $"The DuckDB oracle process started with an unexpected line: {Truncate(ready, 500)}");
        }

        Version = document.RootElement.TryGetProperty("duckdb", out var version) ? version.GetString() ?? "" : "";
    }

    // Caller holds _gate.
    private void Stop(bool graceful)
    {
        var process = _process;
        _process = null;
        _stdout = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (graceful)
            {
                process.StandardInput.Close(); // the oracle exits when stdin closes
                if (process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    return;
                }
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
        catch (IOException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }

    // Once the process has exited, wait for its stderr to be read to the end so messages are complete.
    private static void AwaitExit(Process process)
    {
        try
        {
            if (process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private string StderrTail()
    {
        var lines = _stderr.ToArray();
        return lines.Length == 0 ? "" : "\nOracle stderr (last lines):\n  " + string.Join("\n  ", lines);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "...";
}
