using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using CdcLake.Hudi;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

/// <summary>The lake's stand-ins for the job's S3 tests, reached through <see cref="MergeOptions.S3"/>.</summary>
public sealed class S3LakeFixture : S3Lake
{
    public S3LakeFixture()
    {
        StoreOptions = new S3StoreOptions
        {
            ServiceUrl = S3.ServiceUrl,
            ForcePathStyle = true,
            Region = S3Server.Region,
            Credentials = new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey),

            // s3rver stores aws-chunked bodies undecoded and ignores If-None-Match: the DynamoDB lock is what excludes writers.
            UseChunkEncoding = false,
            ConditionalWritesSupported = false,
        };
    }

    public S3StoreOptions StoreOptions { get; }

    /// <summary>The job's options for this lake: S3 through s3rver, DynamoDB credentials for dynalite.</summary>
    public MergeOptions Options => MergeOptions.Default with
    {
        S3 = StoreOptions,
        ConfigureDynamoDbLock = o => o with { Credentials = new BasicAWSCredentials(DynamoDbServer.AccessKey, DynamoDbServer.SecretKey) },
    };

    public override IObjectStore Open(string location) => ObjectStores.For(location, StoreOptions);

    public IAmazonDynamoDB DynamoDbClient() => new AmazonDynamoDBClient(
        new BasicAWSCredentials(DynamoDbServer.AccessKey, DynamoDbServer.SecretKey),
        new AmazonDynamoDBConfig { ServiceURL = DynamoDb.ServiceUrl, AuthenticationRegion = DynamoDbServer.Region });
}

/// <summary>
/// The merge job on tables in S3 (s3rver) under Hudi's DynamoDB lock (dynalite), configured through the pipeline's
/// lock settings: two runs at once on one table do not both commit (one fails naming the holder, one that may wait
/// waits and then finds nothing left to do); a table on S3 without a lock, or with a lock that cannot be taken,
/// fails before anything is written.
/// </summary>
public sealed class MergeJobOnS3Tests(S3LakeFixture lake) : IClassFixture<S3LakeFixture>
{
    [Fact]
    public async Task Two_runs_at_once_on_one_table_on_S3_do_not_both_commit()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        using var dir = new TempDirectory("s3-concurrent");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 60, Batches = 2, Seed = 11 });
        await lake.UploadAsync(Path.Combine(sample.Root, "dms"), $"s3://dms/{run}");
        var spec = Resolve(sample, run, "customers", new LockSettings { Provider = "dynamodb", Table = $"locks_{run}", EndpointUrl = lake.DynamoDb.ServiceUrl, Region = DynamoDbServer.Region });
        spec.Lock!.PartitionKey.Should().Be("customers");

        // The first run stops inside its first write, holding the lock, until the others have had their go.
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => MergeJob.MergeTableAsync(spec, lake.Options with { WriteObserver = new PauseAtFirstStep(inside, release) }));
        inside.Wait(TimeSpan.FromSeconds(60)).Should().BeTrue("the first run reaches its write");

        var second = await MergeJob.MergeTableAsync(spec, lake.Options);
        second.Status.Should().Be(MergeStatus.Failed);
        second.Error.Should().StartWith("Table 'customers' is locked by another writer: 'cdclake@")
            .And.Contain($"DynamoDB lock item dynamodb://locks_{run}/customers");
        second.Commits.Should().BeEmpty();

        var patient = Task.Run(() => MergeJob.MergeTableAsync(spec with { Lock = spec.Lock with { AcquireWait = TimeSpan.FromSeconds(60) } }, lake.Options));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        patient.IsCompleted.Should().BeFalse("a run allowed to wait waits for the holder");
        release.Set();

        var done = await first;
        done.Status.Should().Be(MergeStatus.Merged, done.Error);
        done.Commits.Should().NotBeEmpty();
        var waited = await patient;
        waited.Status.Should().Be(MergeStatus.Merged, waited.Error);
        waited.Commits.Should().BeEmpty("it took the lock after the first run committed every file, and found nothing left");
        waited.Files.Should().Be(0);

        using var target = lake.Open(spec.Target);
        var table = await HudiTable.OpenAsync(target);
        table.Timeline.CompletedWrites.Select(i => i.Time).Should().Equal(done.Commits, "only the first run committed");
        table.Timeline.Pending.Should().BeEmpty();
        (await HudiTableValidator.ValidateAsync(target)).Problems.Should().BeEmpty();
        (await MergeJob.MergeTableAsync(spec, lake.Options)).Status.Should().Be(MergeStatus.UpToDate);

        // Every run released its lock: the item is deleted, as Hudi's provider does.
        using var dynamo = lake.DynamoDbClient();
        (await dynamo.ScanAsync(new ScanRequest { TableName = $"locks_{run}" })).Count.Should().Be(0);
    }

    [Fact]
    public async Task A_table_on_S3_without_a_usable_lock_fails_before_writing_anything()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        using var dir = new TempDirectory("s3-nolock");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 20, Batches = 1, Seed = 12 });
        await lake.UploadAsync(Path.Combine(sample.Root, "dms"), $"s3://dms/{run}");

        // A spec built in code, without a lock: the local lock file cannot serve S3.
        var bare = Resolve(sample, run, "orders", new LockSettings { Provider = "dynamodb" }) with { Lock = null };
        var noLock = await MergeJob.MergeTableAsync(bare, lake.Options);
        noLock.Status.Should().Be(MergeStatus.Failed);
        noLock.Error.Should().Contain("a table on S3 needs a DynamoDB lock (pipeline field lock.provider = \"dynamodb\"");

        // A lock table that does not exist and may not be created.
        var missing = Resolve(sample, run, "orders", new LockSettings { Provider = "dynamodb", Table = $"absent_{run}", CreateTable = false, EndpointUrl = lake.DynamoDb.ServiceUrl, Region = DynamoDbServer.Region });
        var noTable = await MergeJob.MergeTableAsync(missing, lake.Options);
        noTable.Status.Should().Be(MergeStatus.Failed);
        noTable.Error.Should().StartWith($"The DynamoDB lock table 'absent_{run}' does not exist.");

        // A DynamoDB endpoint nobody listens on.
        var closed = Resolve(sample, run, "orders", new LockSettings { Provider = "dynamodb", EndpointUrl = "http://127.0.0.1:9", Region = DynamoDbServer.Region });
        var unreachable = await MergeJob.MergeTableAsync(closed, lake.Options with
        {
            ConfigureDynamoDbLock = o => lake.Options.ConfigureDynamoDbLock!(o) with { ConfigureClient = c => c.MaxErrorRetry = 0 },
        });
        unreachable.Status.Should().Be(MergeStatus.Failed);
        unreachable.Error.Should().StartWith("the DynamoDB lock dynamodb://hudi_locks/orders at http://127.0.0.1:9 could not be taken: ");

        using var target = lake.Open($"s3://lake/{run}");
        var written = new List<string>();
        await foreach (var entry in target.ListAsync("", recursive: true))
        {
            written.Add(entry.Path);
        }

        written.Should().BeEmpty("no run got the lock, so none wrote");
    }

    /// <summary>
    /// A table of the sample's own pipeline, its source moved to <c>s3://dms/RUN/…</c> (where the sample was uploaded), its
    /// target to <c>s3://lake/RUN/TABLE</c>, and the lock settings given, resolved as a pipeline.
    /// </summary>
    private static TableSpec Resolve(DmsSampleResult sample, string run, string table, LockSettings lockSettings)
    {
        var config = PipelineConfig.Load(sample.PipelineFile);
        foreach (var entry in config.Tables!)
        {
            entry.Source = $"s3://dms/{run}/{DmsSample.Database}/{DmsSample.SourceSchema}/{entry.Table}";
            entry.Target = $"s3://lake/{run}/{entry.Table}";
        }

        config.Defaults!.Lock = lockSettings;
        return config.Resolve().Single(t => t.Name == table);
    }

    /// <summary>Blocks the first protocol step until released (the job holds its table lock by then).</summary>
    private sealed class PauseAtFirstStep(ManualResetEventSlim inside, ManualResetEventSlim release) : IWriteObserver
    {
        public void OnStep(WriteStep step, string detail)
        {
            if (!inside.IsSet)
            {
                inside.Set();
                release.Wait(TimeSpan.FromSeconds(120));
            }
        }
    }
}
