using System.Text.Json;
using Amazon.Runtime;
using CdcLake.Cdc;
using CdcLake.Cli.Commands;
using CdcLake.Hudi;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cli.Tests;

/// <summary>The lake's stand-ins, and the environment that points cdclake at them.</summary>
public sealed class S3LakeServers : S3Lake
{
    public S3LakeServers()
    {
        // What a user sets: the endpoints of the stand-ins, one set of credentials (dynalite accepts any), a region.
        Environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL_S3"] = S3.ServiceUrl,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = DynamoDb.ServiceUrl,
            ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey,
            ["AWS_REGION"] = S3Server.Region,
        };
        Stores = new TableStores(name => Environment.GetValueOrDefault(name));
    }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public TableStores Stores { get; }

    public override IObjectStore Open(string location) => Stores.Open(StorePath.Parse(location));

    public DynamoDbLockOptions LockOptions(string table) => new()
    {
        TableName = table,
        ServiceUrl = DynamoDb.ServiceUrl,
        Region = DynamoDbServer.Region,
        Credentials = new BasicAWSCredentials(DynamoDbServer.AccessKey, DynamoDbServer.SecretKey),
        CreateTableIfMissing = true,
    };

    /// <summary>cdclake in-process with this environment.</summary>
    public CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliApp.Invoke(args, stdout, stderr, null, Stores);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>
/// <c>cdclake run</c> and <c>cdclake merge</c> with the DMS bucket and the Hudi tables on S3 (s3rver) and Hudi's DynamoDB
/// lock (dynalite), all configured from the pipeline's <c>lock</c> settings and the usual AWS environment variables:
/// the tables pass the validator and hold, by DuckDB over their latest base files (downloaded), the rows the same run
/// on local disk gives; a rerun finds nothing; lock settings that are missing or wrong name their field or option; a
/// held lock fails the run naming its holder, or is waited for.
/// </summary>
public sealed class RunOnS3Tests(S3LakeServers lake) : IClassFixture<S3LakeServers>
{
    private static readonly string[] s_tables = ["customers", "orders", "order_lines"];

    /// <summary>Meta columns that name the commit and file, which differ between any two runs.</summary>
    private static readonly string[] s_runColumns = ["_hoodie_commit_time", "_hoodie_commit_seqno", "_hoodie_file_name"];

    [Fact]
    public async Task Run_merges_the_sample_bucket_on_S3_into_tables_on_S3_that_equal_a_local_run()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        using var dir = new TempDirectory("cli-s3-run");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 60, Batches = 3, Seed = 3 });
        var local = Cli.Run("run", sample.PipelineFile);
        local.ExitCode.Should().Be(0, local.ToString());

        await lake.UploadAsync(Path.Combine(sample.Root, "dms"), $"s3://dms/{run}");
        var pipeline = S3Pipeline(sample, run, new LockSettings { Provider = "dynamodb", Table = $"locks_{run}" });
        var summaryFile = Path.Combine(dir.Path, "s3-summary.json");

        var result = lake.Run("run", pipeline, "--summary", summaryFile);

        result.ExitCode.Should().Be(0, result.ToString());
        result.StdoutLines[^1].Should().Be("3 tables: 3 merged");
        var localSpecs = PipelineConfig.LoadAndResolve(sample.PipelineFile);
        foreach (var table in s_tables)
        {
            var target = $"s3://lake/{run}/{table}";
            var validate = lake.Run("hudi", "validate", target);
            validate.ExitCode.Should().Be(0, $"{table}: {validate}");

            var ours = await LatestRowsAsync(target, dir.PathOf($"download/{table}"));
            var theirs = await LatestRowsAsync(localSpecs.Single(s => s.Name == table).Target, null);
            ours.Should().NotBeEmpty();
            ours.Should().Equal(theirs, $"{table} on S3 holds the rows of the same run on local disk");
        }

        // Exactly once: a second run finds nothing new and writes nothing.
        var timelines = s_tables.Select(t => lake.Run("hudi", "timeline", $"s3://lake/{run}/{t}").Stdout).ToList();
        var again = lake.Run("run", pipeline, "--summary", summaryFile);
        again.ExitCode.Should().Be(0, again.ToString());
        again.StdoutLines[^1].Should().Be("3 tables: 3 up-to-date");
        s_tables.Select(t => lake.Run("hudi", "timeline", $"s3://lake/{run}/{t}").Stdout).Should().Equal(timelines);
    }

    [Fact]
    public async Task Missing_and_bad_lock_settings_name_their_field_or_option_and_nothing_is_written()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        using var dir = new TempDirectory("cli-s3-config");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 20, Batches = 1, Seed = 1 });
        await lake.UploadAsync(Path.Combine(sample.Root, "dms"), $"s3://dms/{run}");

        var noLock = S3Pipeline(sample, run, null);
        var result = lake.Run("run", noLock);
        result.ExitCode.Should().Be(2, result.ToString());
        result.StderrLines.Should().HaveCount(3).And.OnlyContain(l => l.StartsWith($"cdclake: {noLock}: tables[", StringComparison.Ordinal));
        result.StderrLines[0].Should().StartWith($"cdclake: {noLock}: tables[0].lock.provider: required for a target on S3 (s3://lake/{run}/customers): set it to 'dynamodb'");

        var bad = S3Pipeline(sample, run, new LockSettings { Provider = "dynamodb", Region = "Frankfurt", EndpointUrl = "dynalite:8000", LeaseSeconds = 0 });
        var badResult = lake.Run("run", bad);
        badResult.ExitCode.Should().Be(2, badResult.ToString());
        badResult.StderrLines.Should().Equal(
            $"cdclake: {bad}: defaults.lock.region: 'Frankfurt' is not an AWS region name (like eu-west-1)",
            $"cdclake: {bad}: defaults.lock.endpointUrl: 'dynalite:8000' is not an http:// or https:// URL",
            $"cdclake: {bad}: defaults.lock.leaseSeconds: must be from 0.01 to 86400 seconds, got 0");

        var source = $"s3://dms/{run}/sales/public/customers";
        var target = $"s3://lake/{run}/customers";
        string[] merge = ["merge", "--source", source, "--target", target, "--table", "customers", "--key", "customer_id"];
        var noTable = lake.Run(merge);
        noTable.ExitCode.Should().Be(2, noTable.ToString());
        noTable.StderrLines.Should().ContainSingle().Which.Should().StartWith(
            $"cdclake: --lock-table: required for a target on S3 ({target}): give --lock-table NAME (Hudi's default lock table is hudi_locks)");

        var badOptions = lake.Run([.. merge, "--lock-table", "x", "--lock-endpoint", "localhost", "--lock-wait", "-1"]);
        badOptions.ExitCode.Should().Be(2, badOptions.ToString());
        badOptions.StderrLines.Should().Equal(
            "cdclake: --lock-table: 'x' is not a DynamoDB table name (3 to 255 of letters, digits, '_', '-', '.')",
            "cdclake: --lock-endpoint: 'localhost' is not an http:// or https:// URL",
            "cdclake: --lock-wait: must be from 0 to 86400 seconds, got -1");

        var keyOnly = lake.Run([.. merge, "--lock-key", "k"]);
        keyOnly.ExitCode.Should().Be(2, keyOnly.ToString());
        keyOnly.StderrLines.Should().ContainSingle().Which.Should().Be("cdclake: --lock-table: DynamoDB settings are given (partitionKey) but no provider: give --lock-table NAME (Hudi's default lock table is hudi_locks)");

        using var lakeStore = lake.Open($"s3://lake/{run}");
        (await lakeStore.ListAsync("", recursive: true).ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_held_lock_fails_the_run_naming_the_holder_and_a_run_told_to_wait_waits()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        using var dir = new TempDirectory("cli-s3-held");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 30, Batches = 1, Seed = 2 });
        await lake.UploadAsync(Path.Combine(sample.Root, "dms"), $"s3://dms/{run}");
        var locks = $"locks_{run}";
        var pipeline = S3Pipeline(sample, run, new LockSettings { Provider = "dynamodb", Table = locks });

        // Another writer (a Spark job with Hudi's DynamoDB lock on the same table name) holds the customers table.
        using var other = new DynamoDbLockProvider(lake.LockOptions(locks));
        var held = await other.AcquireAsync("customers", "spark-writer-1");

        var blocked = lake.Run("run", pipeline, "--table", "customers");
        blocked.ExitCode.Should().Be(1, blocked.ToString());
        blocked.StderrLines.Should().ContainSingle(l => l.StartsWith("cdclake: customers: ", StringComparison.Ordinal))
            .Which.Should().Contain("Table 'customers' is locked by another writer: 'spark-writer-1' holds the DynamoDB lock item");
        using (var target = lake.Open($"s3://lake/{run}/customers"))
        {
            (await target.ExistsAsync(".hoodie/hoodie.properties")).Should().BeFalse("the run wrote nothing without the lock");
        }

        // Told to wait, the run waits for the other writer's release, then merges.
        var release = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await held.DisposeAsync();
        });
        var started = System.Diagnostics.Stopwatch.StartNew();
        var waited = lake.Run(
            "merge", "--source", $"s3://dms/{run}/sales/public/customers", "--target", $"s3://lake/{run}/customers", "--table", "customers",
            "--database", "sales", "--key", "customer_id", "--lock-table", locks, "--lock-wait", "60");
        await release;
        waited.ExitCode.Should().Be(0, waited.ToString());
        started.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(1.5), "it could only start once the other writer let go");
        lake.Run("hudi", "validate", $"s3://lake/{run}/customers").ExitCode.Should().Be(0);

        // The pipeline and the command line lock the same item: the run now finds the table up to date under it.
        var after = lake.Run("run", pipeline, "--table", "customers");
        after.ExitCode.Should().Be(0, after.ToString());
        after.StdoutLines[^1].Should().Be("1 table: 1 up-to-date");
    }

    [Fact]
    public void The_environment_fills_in_what_the_lock_settings_leave_out_and_the_pipeline_wins()
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = "http://everything:1",
            ["AWS_REGION"] = "eu-west-1",
            ["AWS_ACCESS_KEY_ID"] = "AKID",
            ["AWS_SECRET_ACCESS_KEY"] = "SECRET",
        };
        var stores = new TableStores(name => environment.GetValueOrDefault(name));

        var filled = stores.ConfigureDynamoDbLock(new LockSpec { Provider = LockProviderKind.DynamoDb }.ToDynamoDbOptions());
        (filled.ServiceUrl, filled.Region, filled.Credentials?.GetCredentials().AccessKey).Should().Be(("http://everything:1", "eu-west-1", "AKID"));
        stores.S3Options().ServiceUrl.Should().Be("http://everything:1", "AWS_ENDPOINT_URL serves every service");

        environment["AWS_ENDPOINT_URL_DYNAMODB"] = "http://dynamo:2";
        stores.ConfigureDynamoDbLock(new DynamoDbLockOptions()).ServiceUrl.Should().Be("http://dynamo:2");

        var own = stores.ConfigureDynamoDbLock(new LockSpec { Provider = LockProviderKind.DynamoDb, Region = "us-west-2", EndpointUrl = "http://pipeline:3" }.ToDynamoDbOptions());
        (own.ServiceUrl, own.Region).Should().Be(("http://pipeline:3", "us-west-2"), "the pipeline's settings win over the environment");
    }

    /// <summary>The sample's pipeline with its sources at <c>s3://dms/RUN/…</c>, its targets at <c>s3://lake/RUN/TABLE</c>, and the lock given as the default.</summary>
    private static string S3Pipeline(DmsSampleResult sample, string run, LockSettings? lockSettings)
    {
        var config = PipelineConfig.Load(sample.PipelineFile);
        foreach (var entry in config.Tables!)
        {
            entry.Source = $"s3://dms/{run}/{DmsSample.Database}/{DmsSample.SourceSchema}/{entry.Table}";
            entry.Target = $"s3://lake/{run}/{entry.Table}";
        }

        config.Defaults!.Lock = lockSettings;
        var path = Path.Combine(sample.Root, $"pipeline-s3-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, config.ToJson());
        return path;
    }

    /// <summary>
    /// DuckDB's rows of the table's latest base files (downloaded into <paramref name="downloadTo"/> first when the table
    /// is on S3), without the meta columns that name a run's commit and file, each rendered canonically, sorted.
    /// </summary>
    private async Task<List<string>> LatestRowsAsync(string location, string? downloadTo)
    {
        using var store = location.StartsWith("s3://", StringComparison.Ordinal) ? lake.Open(location) : ObjectStores.For(location);
        var table = await HudiTable.OpenAsync(store);
        var files = new List<string>();
        foreach (var slice in await table.GetFileSlicesAsync())
        {
            if (downloadTo is null)
            {
                files.Add(Path.Combine(location, slice.BaseFile.Path));
                continue;
            }

            var file = Path.Combine(downloadTo, slice.BaseFile.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllBytesAsync(file, await store.ReadAllBytesAsync(slice.BaseFile.Path));
            files.Add(file);
        }

        files.Should().NotBeEmpty(location);
        var list = string.Join(", ", files.Select(DuckDb.Literal));
        var result = DuckDb.Shared.Query(
            $"SELECT * EXCLUDE ({string.Join(", ", s_runColumns)}) FROM read_parquet([{list}], union_by_name = true, hive_partitioning = false)");
        result.Columns.Select(c => c.Name).Should().Contain("_hoodie_record_key").And.Contain(TableSpec.OrderColumn);
        return [.. Canonical.Render(result).Order(StringComparer.Ordinal)];
    }
}
