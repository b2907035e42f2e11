using System.Diagnostics;
using System.Globalization;
using CdcLake.Hudi;
using CdcLake.Hudi.CrashDriver;
using CdcLake.Storage;

// Usage: CdcLake.Hudi.CrashDriver --table DIR|s3://bucket/prefix [--s3-endpoint URL] --seed N --round R
//        [--kill-step STEP [--kill-occurrence K]] [--kill-after-writes N]
// Performs round R of the seeded workload on the table in DIR, and kills itself (SIGKILL, like kill -9: no finally
// blocks, no flushing) when the named protocol step has happened K times, or just before the N-th storage write.
// Exit 0: the operation finished (prints "done <instant>"); 2: bad arguments; 1: the write failed.
var options = ParseArguments(args);
if (options is null)
{
    Console.Error.WriteLine("usage: --table DIR|s3://bucket/prefix [--s3-endpoint URL] --seed N --round R [--kill-step STEP [--kill-occurrence K]] [--kill-after-writes N]");
    return 2;
}

var killer = new Killer(options.Value.KillStep, options.Value.KillOccurrence, options.Value.KillAfterWrites);
// s3rver on loopback: its test credentials, path-style addressing, no conditional PUT.
using var inner = options.Value.S3Endpoint is { } endpoint
    ? ObjectStores.For(options.Value.Table, new S3StoreOptions
    {
        ServiceUrl = endpoint,
        ForcePathStyle = true,
        Region = "us-east-1",
        Credentials = new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER"),
        UseChunkEncoding = false,
        ConditionalWritesSupported = false,
    })
    : ObjectStores.For(options.Value.Table);
using var store = new KillingStore(inner, killer);
var op = CrashWorkload.Operation(options.Value.Seed, options.Value.Round);
try
{
    // A local table is locked for real (LocalFileLockProvider): a killed driver leaves its lock file behind, and the
    // next writer must take it over (its process is gone). On s3rver there is no DynamoDB here: the test runs one
    // driver at a time, so that one takes no lock.
    ITableLockProvider locks = store.Root.IsLocal ? new LocalFileLockProvider() : new NoLock();
    var instant = await CrashWorkload.RunAsync(store, op, CrashWorkload.WriteOptions(locks, killer));
    Console.WriteLine($"done {instant ?? "none"}");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"crash driver: round {op.Round} ({op.Kind}) failed: {e}");
    return 1;
}

static (string Table, string? S3Endpoint, int Seed, int Round, WriteStep? KillStep, int KillOccurrence, int KillAfterWrites)? ParseArguments(string[] args)
{
    string? table = null;
    string? endpoint = null;
    int seed = 0, round = -1, occurrence = 1, afterWrites = 0;
    WriteStep? step = null;
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        var value = args[i + 1];
        switch (args[i])
        {
            case "--table": table = value; break;
            case "--s3-endpoint": endpoint = value; break;
            case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--round": round = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--kill-step": step = Enum.Parse<WriteStep>(value); break;
            case "--kill-occurrence": occurrence = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--kill-after-writes": afterWrites = int.Parse(value, CultureInfo.InvariantCulture); break;
            default: return null;
        }
    }

    return table is null || round < 0 || args.Length % 2 != 0 ? null : (table, endpoint, seed, round, step, occurrence, afterWrites);
}

/// <summary>Kills the process at the configured point.</summary>
internal sealed class Killer(WriteStep? step, int occurrence, int afterWrites) : IWriteObserver
{
    private int _seen;
    private int _writes;

    public void OnStep(WriteStep reached, string detail)
    {
        if (reached == step && ++_seen == occurrence)
        {
            Die($"step {reached} #{occurrence} ({detail})");
        }
    }

    /// <summary>Called before every storage write; dies before the N-th takes effect.</summary>
    public void BeforeWrite(string what)
    {
        if (afterWrites > 0 && ++_writes == afterWrites)
        {
            Die($"before storage write #{afterWrites}: {what}");
        }
    }

    private static void Die(string where)
    {
        Console.Out.WriteLine($"killed {where}");
        Console.Out.Flush();
        // SIGKILL to ourselves: the process stops here, as a machine or container dying would stop it.
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}

/// <summary>A store that tells the killer before each write, delete, or publication of a streamed object.</summary>
internal sealed class KillingStore(IObjectStore inner, Killer killer) : IObjectStore
{
    public StorePath Root => inner.Root;

    public StoreCapabilities Capabilities => inner.Capabilities;

    public bool CanRename => inner.CanRename;

    public StorePath PathOf(string path) => inner.PathOf(path);

    public IAsyncEnumerable<StoreEntry> ListAsync(string prefix, bool recursive, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, recursive, cancellationToken);

    public IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListFoldersAsync(prefix, cancellationToken);

    public Task<StoreEntry?> GetEntryAsync(string path, CancellationToken cancellationToken = default) => inner.GetEntryAsync(path, cancellationToken);

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => inner.ExistsAsync(path, cancellationToken);

    public Task<IRandomAccessReader> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) => inner.ReadAllBytesAsync(path, cancellationToken);

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        killer.BeforeWrite("write " + path);
        return inner.WriteAsync(path, content, overwrite, cancellationToken);
    }

    public Task WriteAsync(string path, Stream content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        killer.BeforeWrite("write " + path);
        return inner.WriteAsync(path, content, overwrite, cancellationToken);
    }

    public Task CreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        killer.BeforeWrite("create " + path);
        return inner.CreateAsync(path, content, cancellationToken);
    }

    public async Task<ObjectWriteStream> OpenWriteAsync(string path, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        // Dying here, the stream's temporary data is left behind half written: the store must never publish it.
        var stream = await inner.OpenWriteAsync(path, overwrite, cancellationToken).ConfigureAwait(false);
        killer.BeforeWrite("open-write " + path);
        return stream;
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        killer.BeforeWrite("delete " + path);
        return inner.DeleteAsync(path, cancellationToken);
    }

    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        killer.BeforeWrite("delete-prefix " + prefix);
        return inner.DeletePrefixAsync(prefix, cancellationToken);
    }

    public Task RenameAsync(string source, string destination, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        killer.BeforeWrite("rename " + source);
        return inner.RenameAsync(source, destination, overwrite, cancellationToken);
    }

    public void Dispose()
    {
    }
}

/// <summary>No lock: the crash test never runs two drivers on one table at once.</summary>
internal sealed class NoLock : ITableLockProvider
{
    public Task<ITableLock> AcquireAsync(string tableKey, string owner, CancellationToken cancellationToken = default) =>
        Task.FromResult<ITableLock>(new Held(tableKey, owner));

    private sealed class Held(string tableKey, string owner) : ITableLock
    {
        public string TableKey => tableKey;

        public string Owner => owner;

        public DateTimeOffset AcquiredAt { get; } = DateTimeOffset.UtcNow;

        public TimeSpan LeaseDuration => TimeSpan.MaxValue;

        public string Location => "none";

        public bool IsLost => false;

        public CancellationToken LostToken => CancellationToken.None;

        public void EnsureHeld()
        {
        }

        public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
