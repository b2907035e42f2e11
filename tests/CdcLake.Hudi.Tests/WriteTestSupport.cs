using System.Globalization;
using Amazon.Runtime;
using CdcLake.Parquet;
using CdcLake.Storage;
using CdcLake.Testing;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// A lock provider that locks nothing. Only for tests that say so: single-process tests where no other
/// writer exists (the real providers live in Locking/ and are tested on their own).
/// </summary>
public sealed class NoLockForTests : ITableLockProvider
{
    public static NoLockForTests Instance { get; } = new();

    public int Acquired { get; private set; }

    public Task<ITableLock> AcquireAsync(string tableKey, string owner, CancellationToken cancellationToken = default)
    {
        Acquired++;
        return Task.FromResult<ITableLock>(new Held(tableKey, owner));
    }

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

/// <summary>A test record: what the table holds for one key, compared field by field after a read.</summary>
public sealed record Rec(long Id, string? Name, long Ts, string? Part, decimal? Amount = null, DateTime? At = null)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Id}|{Name}|{Ts}|{Part}|{Amount}|{At:O}");
}

/// <summary>Builds source-like batches (a DMS file's types: decimal as INT64, timestamps in millis) and reads tables back as <see cref="Rec"/>s.</summary>
public static class Recs
{
    public static readonly ParquetSchema SourceSchema = new(
    [
        new PrimitiveField("id", PhysicalType.Int64, repetition: Repetition.Optional),
        new PrimitiveField("name", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("ts", PhysicalType.Int64),
        new PrimitiveField("part", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("amount", PhysicalType.Int64, LogicalType.Decimal(10, 2)),
        new PrimitiveField("at", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, adjustedToUtc: true)),
    ]);

    public static RecordBatch Batch(IEnumerable<Rec> records)
    {
        var rows = records.ToList();
        var n = rows.Count;
        var validity = new Func<Func<Rec, bool>, byte[]>(present =>
        {
            var bits = new byte[Bitmap.BytesFor(n)];
            for (var i = 0; i < n; i++)
            {
                if (present(rows[i]))
                {
                    Bitmap.Set(bits, i);
                }
            }

            return bits;
        });
        var f = SourceSchema.Fields;
        var columns = new ColumnVector[]
        {
            new PrimitiveVector<long>(f[0], [.. rows.Select(r => r.Id)], n),
            Strings(f[1], rows.Select(r => r.Name).ToList()),
            new PrimitiveVector<long>(f[2], [.. rows.Select(r => r.Ts)], n),
            Strings(f[3], rows.Select(r => r.Part).ToList()),
            new PrimitiveVector<long>(f[4], [.. rows.Select(r => r.Amount is { } a ? (long)(a * 100) : 0)], n, validity(r => r.Amount is not null)),
            new PrimitiveVector<long>(f[5], [.. rows.Select(r => r.At is { } t ? (t.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond : 0)], n, validity(r => r.At is not null)),
        };
        return new RecordBatch(SourceSchema, columns, n);
    }

    /// <summary>A batch of keys only (id and part), for deletes.</summary>
    public static RecordBatch Keys(IEnumerable<(long Id, string? Part)> keys)
    {
        var rows = keys.ToList();
        var schema = new ParquetSchema([SourceSchema.Fields[0], SourceSchema.Fields[3]]);
        return new RecordBatch(schema, [new PrimitiveVector<long>(schema.Fields[0], [.. rows.Select(r => r.Id)], rows.Count), Strings(schema.Fields[1], rows.Select(r => r.Part).ToList())], rows.Count);
    }

    public static BinaryVector Strings(Field field, IReadOnlyList<string?> values)
    {
        var offsets = new int[values.Count + 1];
        var bytes = new List<byte>();
        var bits = new byte[Bitmap.BytesFor(values.Count)];
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is { } v)
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(v));
                Bitmap.Set(bits, i);
            }

            offsets[i + 1] = bytes.Count;
        }

        return new BinaryVector(field, offsets, [.. bytes], values.Count, bits);
    }

    /// <summary>Every row a query returns, as records, sorted by id then part.</summary>
    public static async Task<List<Rec>> ReadAsync(HudiTable table, HudiQuery? query = null)
    {
        var result = new List<Rec>();
        await foreach (var batch in table.ReadAsync(query ?? HudiQuery.Snapshot))
        {
            foreach (var row in batch.Rows())
            {
                result.Add(new Rec(
                    (long)row["id"]!,
                    (string?)row["name"],
                    (long)row["ts"]!,
                    (string?)row["part"],
                    row["amount"] is ParquetDecimal d ? d.ToDecimal() : null,
                    (DateTime?)row["at"]));
            }
        }

        return [.. result.OrderBy(r => r.Id).ThenBy(r => r.Part, StringComparer.Ordinal)];
    }

    public static List<Rec> Sorted(IEnumerable<Rec> records) => [.. records.OrderBy(r => r.Id).ThenBy(r => r.Part, StringComparer.Ordinal)];

    /// <summary>Records with ids in [from, to), partitions cycling through <paramref name="parts"/>.</summary>
    public static List<Rec> Range(int from, int to, long ts, params string[] parts) =>
        [.. Enumerable.Range(from, to - from).Select(i => new Rec(
            i,
            $"name-{i}-{ts}",
            ts,
            parts.Length == 0 ? null : parts[i % parts.Length],
            (i * 1.25m) + ts,
            new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i).AddMilliseconds(ts % 1000)))];
}

/// <summary>A place to write a table: a temp folder, or a prefix of an s3rver bucket.</summary>
public sealed class TestStore : IDisposable
{
    private readonly TempDirectory? _temp;

    private TestStore(IObjectStore store, TempDirectory? temp, string kind)
    {
        Store = store;
        _temp = temp;
        Kind = kind;
    }

    public IObjectStore Store { get; }

    public string Kind { get; }

    /// <summary>The local folder of the table (local stores only).</summary>
    public string? LocalPath => _temp?.Path;

    public static TestStore Create(string kind, S3WriteFixture? s3 = null)
    {
        if (kind == "local")
        {
            var temp = new TempDirectory("hudi-write");
            return new TestStore(ObjectStores.For(temp.Path), temp, kind);
        }

        ArgumentNullException.ThrowIfNull(s3);
        return new TestStore(ObjectStores.For($"s3://{S3WriteFixture.Bucket}/{Guid.NewGuid():N}", s3.Options), null, kind);
    }

    public void Dispose()
    {
        Store.Dispose();
        _temp?.Dispose();
    }
}

/// <summary>One s3rver for the write tests (no conditional PUT: creates check first, the lock excludes writers).</summary>
public sealed class S3WriteFixture : IDisposable
{
    public const string Bucket = "writes";

    private readonly Lazy<(S3Server Server, S3StoreOptions Options)> _server = new(() =>
    {
        var server = new S3Server(Bucket);
        return (server, new S3StoreOptions
        {
            ServiceUrl = server.ServiceUrl,
            ForcePathStyle = true,
            Region = S3Server.Region,
            Credentials = new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey),
            UseChunkEncoding = false,
            ConditionalWritesSupported = false,
        });
    });

    public S3StoreOptions Options => _server.Value.Options;

    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Server.Dispose();
        }
    }
}

public static class TestTables
{
    public static NewTableOptions Options(string name, bool partitioned = true, bool hiveStyle = false, string? keyGenerator = null) => new()
    {
        TableName = name,
        RecordKeyFields = ["id"],
        PrecombineField = "ts",
        PartitionFields = partitioned ? ["part"] : [],
        HiveStylePartitioning = hiveStyle,
        KeyGeneratorClass = keyGenerator,
    };

    public static HudiWriteOptions WriteOptions(Action<HudiWriteOptionsBuilder>? configure = null)
    {
        var builder = new HudiWriteOptionsBuilder();
        configure?.Invoke(builder);
        return builder.Build();
    }

    public static async Task<HudiWriteClient> CreateAsync(IObjectStore store, NewTableOptions table, HudiWriteOptions? options = null)
    {
        await HudiWriteClient.CreateTableAsync(store, "", table, Recs.SourceSchema);
        return new HudiWriteClient(store, "", options ?? WriteOptions());
    }
}

/// <summary>Mutable test-side settings turned into <see cref="HudiWriteOptions"/> (no-op lock: these tests run one writer).</summary>
public sealed class HudiWriteOptionsBuilder
{
    public long TargetFileSizeBytes { get; set; } = 120L * 1024 * 1024;

    public long SmallFileLimitBytes { get; set; } = 100L * 1024 * 1024;

    public int RecordSizeEstimate { get; set; } = 1024;

    public HudiIndexType IndexType { get; set; } = HudiIndexType.Bloom;

    public IRecordOrdering? Ordering { get; set; }

    public int CleanerCommitsRetained { get; set; } = 10;

    public IWriteObserver? Observer { get; set; }

    /// <summary>False: a failure leaves the write pending, as a crash does.</summary>
    public bool AbortOnFailure { get; set; } = true;

    public ParquetCodec Codec { get; set; } = ParquetCodec.Gzip;

    public HudiWriteOptions Build() => new()
    {
        LockProvider = NoLockForTests.Instance,
        AbortOnFailure = AbortOnFailure,
        TargetFileSizeBytes = TargetFileSizeBytes,
        SmallFileLimitBytes = SmallFileLimitBytes,
        RecordSizeEstimate = RecordSizeEstimate,
        IndexType = IndexType,
        Ordering = Ordering,
        CleanerCommitsRetained = CleanerCommitsRetained,
        Observer = Observer,
        Codec = Codec,
    };
}
