using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using CdcLake.Hudi.Internal;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>One dynalite for the DynamoDB lock tests; each test uses a lock table of its own.</summary>
public sealed class DynamoDbServerFixture : IDisposable
{
    public DynamoDbServer Server { get; } = new();

    public IAmazonDynamoDB CreateClient() => DynamoDbLockProvider.CreateClient(Options("unused"));

    public DynamoDbLockOptions Options(string table) => new()
    {
        TableName = table,
        ServiceUrl = Server.ServiceUrl,
        Region = DynamoDbServer.Region,
        Credentials = new BasicAWSCredentials(DynamoDbServer.AccessKey, DynamoDbServer.SecretKey),
        CreateTableIfMissing = true,
    };

    public void Dispose() => Server.Dispose();
}

/// <summary>
/// The DynamoDB lock against dynalite on loopback. Items "written by the Java client" are built here with the raw
/// SDK from the documented layout (string literals, not the library's constants), so the tests check our provider
/// against the AWS DynamoDB lock client's protocol rather than against itself.
/// </summary>
public sealed class DynamoDbLockTests : IClassFixture<DynamoDbServerFixture>, IDisposable
{
    private static readonly string[] JavaClientAttributes = ["key", "ownerName", "leaseDuration", "recordVersionNumber"];

    private readonly DynamoDbServerFixture _fixture;
    private readonly IAmazonDynamoDB _raw;
    private readonly string _table = "locks_" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<DynamoDbLockProvider> _providers = [];

    public DynamoDbLockTests(DynamoDbServerFixture fixture)
    {
        _fixture = fixture;
        _raw = fixture.CreateClient();
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _raw.Dispose();
    }

    [Fact]
    public async Task Acquire_writes_exactly_the_Java_clients_attributes_and_release_deletes_the_item()
    {
        var provider = Provider();
        var held = await provider.AcquireAsync("orders", "writer-a");
        held.Location.Should().Be($"dynamodb://{_table}/orders");
        held.LeaseDuration.Should().Be(TimeSpan.FromSeconds(60));

        var item = await GetItem("orders");
        item.Should().NotBeNull();
        item!.Keys.Should().BeEquivalentTo(JavaClientAttributes, "no data, no isReleased, nothing of our own");
        item.Values.Should().OnlyContain(v => v.S != null, "the Java client writes every attribute as a string, leaseDuration included");
        item["key"].S.Should().Be("orders");
        item["ownerName"].S.Should().Be("writer-a");
        item["leaseDuration"].S.Should().Be("60000", "Long.parseLong(leaseDuration) in milliseconds");
        Guid.TryParseExact(item["recordVersionNumber"].S, "D", out _).Should().BeTrue("UUID.randomUUID().toString()");
        ((DynamoDbTableLock)held).RecordVersion.Should().Be(item["recordVersionNumber"].S);

        await held.DisposeAsync();
        (await GetItem("orders")).Should().BeNull("the Java client's default, deleteLockOnRelease, deletes the item");
        held.IsLost.Should().BeTrue();
    }

    [Fact]
    public async Task A_second_writer_fails_fast_with_a_message_naming_the_table_the_owner_and_the_lease()
    {
        await using var held = await Provider().AcquireAsync("orders", "writer-a");

        var clock = Stopwatch.StartNew();
        var error = (await FluentActions.Awaiting(() => Provider().AcquireAsync("orders", "writer-b"))
            .Should().ThrowAsync<TableLockedException>()).Which;

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        error.Message.Should().Contain("Table 'orders'").And.Contain("'writer-a'").And.Contain("lease 60000 ms")
            .And.Contain($"dynamodb://{_table}/orders");
        error.Holder.Should().Be("writer-a");
        error.LeaseDuration.Should().Be(TimeSpan.FromSeconds(60));
        error.RetryAfter.Should().BeGreaterThan(TimeSpan.FromSeconds(55));
        held.EnsureHeld();
    }

    [Fact]
    public async Task An_item_written_as_the_Java_client_writes_it_blocks_our_writer()
    {
        await Provider().EnsureTableAsync();
        var javaOwner = "spark-executor-1" + Guid.NewGuid();
        await JavaAcquireNew("orders", javaOwner, leaseMs: 60_000, rvn: Guid.NewGuid().ToString());

        var error = (await FluentActions.Awaiting(() => Provider().AcquireAsync("orders", "cdclake"))
            .Should().ThrowAsync<TableLockedException>()).Which;
        error.Holder.Should().Be(javaOwner);
        error.Message.Should().Contain(javaOwner).And.Contain("lease 60000 ms");
        (await GetItem("orders"))!["ownerName"].S.Should().Be(javaOwner, "a refused acquire writes nothing");
    }

    [Fact]
    public async Task Our_held_lock_refuses_a_Java_clients_acquire_steal_and_release()
    {
        var options = _fixture.Options(_table) with { LeaseDuration = TimeSpan.FromSeconds(3), HeartbeatPeriod = TimeSpan.FromMilliseconds(200) };
        await using var held = await Provider(options).AcquireAsync("orders", "cdclake");
        var firstRvn = (await GetItem("orders"))!["recordVersionNumber"].S;

        // A Java client acquiring a lock it sees no item for.
        await FluentActions.Awaiting(() => JavaAcquireNew("orders", "spark", 60_000, Guid.NewGuid().ToString()))
            .Should().ThrowAsync<ConditionalCheckFailedException>();

        // A Java client stealing after watching the first version "for a lease": our heartbeats changed it.
        await Task.Delay(1500);
        var current = (await GetItem("orders"))!["recordVersionNumber"].S;
        current.Should().NotBe(firstRvn, "heartbeats write a new recordVersionNumber");
        await FluentActions.Awaiting(() => JavaSteal("orders", "spark", 60_000, observedRvn: firstRvn))
            .Should().ThrowAsync<ConditionalCheckFailedException>();

        // A Java client heartbeating or releasing as another owner, even with the current version.
        await FluentActions.Awaiting(() => JavaRelease("orders", "spark", current)).Should().ThrowAsync<ConditionalCheckFailedException>();
        held.EnsureHeld();
    }

    [Fact]
    public async Task A_Java_clients_released_item_is_taken_at_once_and_rewritten_whole()
    {
        await Provider().EnsureTableAsync();
        var rvn = Guid.NewGuid().ToString();
        await JavaAcquireNew("orders", "spark", 60_000, rvn);
        await JavaRelease("orders", "spark", rvn, deleteItem: false);
        (await GetItem("orders"))!["isReleased"].S.Should().Be("1");

        await using var held = await Provider().AcquireAsync("orders", "cdclake");
        var item = await GetItem("orders");
        item!.Keys.Should().BeEquivalentTo(JavaClientAttributes, "the acquire's PutItem replaces the released item, isReleased and all");
        item["ownerName"].S.Should().Be("cdclake");
    }

    [Fact]
    public async Task Releasing_without_delete_marks_the_item_released_for_the_next_writer()
    {
        var options = _fixture.Options(_table) with { DeleteOnRelease = false };
        var first = await Provider(options).AcquireAsync("orders", "writer-a");
        await first.ReleaseAsync();

        var item = await GetItem("orders");
        item!["isReleased"].S.Should().Be("1");
        item["ownerName"].S.Should().Be("writer-a");

        await using var second = await Provider(options).AcquireAsync("orders", "writer-b");
        (await GetItem("orders"))!["ownerName"].S.Should().Be("writer-b");
    }

    [Fact]
    public async Task A_dead_holders_lock_is_taken_over_after_its_version_stays_unchanged_for_a_whole_lease()
    {
        await Provider().EnsureTableAsync();
        var deadRvn = Guid.NewGuid().ToString();
        await JavaAcquireNew("orders", "spark-dead", leaseMs: 1000, rvn: deadRvn);

        var waiter = Provider(_fixture.Options(_table) with { AcquireWait = TimeSpan.FromSeconds(10), RetryPeriod = TimeSpan.FromMilliseconds(100) });
        var clock = Stopwatch.StartNew();
        await using var held = await waiter.AcquireAsync("orders", "cdclake");

        clock.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(1000), "the holder's lease (from its item) must pass first");
        var item = await GetItem("orders");
        item!["ownerName"].S.Should().Be("cdclake");
        item["recordVersionNumber"].S.Should().NotBe(deadRvn);
    }

    [Fact]
    public async Task Failing_fast_starts_the_watch_and_a_later_attempt_from_the_same_provider_takes_over()
    {
        await Provider().EnsureTableAsync();
        await JavaAcquireNew("orders", "spark-dead", leaseMs: 800, rvn: Guid.NewGuid().ToString());
        var provider = Provider();

        var error = (await FluentActions.Awaiting(() => provider.AcquireAsync("orders", "cdclake"))
            .Should().ThrowAsync<TableLockedException>()).Which;
        error.RetryAfter.Should().BeGreaterThan(TimeSpan.FromMilliseconds(600)).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(800));
        error.LeaseDuration.Should().Be(TimeSpan.FromMilliseconds(800), "the lease is the holder's, read from its item");

        await Task.Delay(1000);

        // A provider that has not watched the version for a lease still may not steal it.
        await FluentActions.Awaiting(() => Provider().AcquireAsync("orders", "cdclake-2")).Should().ThrowAsync<TableLockedException>();

        await using var held = await provider.AcquireAsync("orders", "cdclake");
        (await GetItem("orders"))!["ownerName"].S.Should().Be("cdclake");
    }

    [Fact]
    public async Task A_holder_that_keeps_heartbeating_is_never_taken_over()
    {
        await Provider().EnsureTableAsync();
        var rvn = Guid.NewGuid().ToString();
        await JavaAcquireNew("orders", "spark-live", leaseMs: 1500, rvn: rvn);

        using var stop = new CancellationTokenSource();
        var javaHeartbeat = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(150);
                var next = Guid.NewGuid().ToString();
                await JavaHeartbeat("orders", "spark-live", rvn, next, leaseMs: 1500);
                rvn = next;
            }
        });

        var waiter = Provider(_fixture.Options(_table) with { AcquireWait = TimeSpan.FromSeconds(4), RetryPeriod = TimeSpan.FromMilliseconds(100) });
        var error = (await FluentActions.Awaiting(() => waiter.AcquireAsync("orders", "cdclake"))
            .Should().ThrowAsync<TableLockedException>()).Which;
        error.Holder.Should().Be("spark-live");

        await stop.CancelAsync();
        await javaHeartbeat;
    }

    [Fact]
    public async Task Our_heartbeat_keeps_the_lock_for_several_leases()
    {
        var options = _fixture.Options(_table) with { LeaseDuration = TimeSpan.FromMilliseconds(2000), HeartbeatPeriod = TimeSpan.FromMilliseconds(150) };
        await using var held = await Provider(options).AcquireAsync("orders", "writer-a");
        var firstRvn = (await GetItem("orders"))!["recordVersionNumber"].S;

        var waiter = Provider(options with { AcquireWait = TimeSpan.FromSeconds(5), RetryPeriod = TimeSpan.FromMilliseconds(100) });
        await FluentActions.Awaiting(() => waiter.AcquireAsync("orders", "writer-b")).Should().ThrowAsync<TableLockedException>();

        // A heartbeat may land between reading the item and reading our version: read again until they are of one moment.
        var item = await GetItem("orders");
        for (var attempt = 0; attempt < 50 && item!["recordVersionNumber"].S != ((DynamoDbTableLock)held).RecordVersion; attempt++)
        {
            await Task.Delay(10);
            item = await GetItem("orders");
        }

        item!["ownerName"].S.Should().Be("writer-a");
        item["recordVersionNumber"].S.Should().NotBe(firstRvn).And.Be(((DynamoDbTableLock)held).RecordVersion);
        item["leaseDuration"].S.Should().Be("2000");
        held.IsLost.Should().BeFalse();
        held.EnsureHeld();
    }

    [Fact]
    public async Task A_writer_whose_lock_was_taken_over_learns_it_and_its_release_leaves_the_new_holder_alone()
    {
        var options = _fixture.Options(_table) with { LeaseDuration = TimeSpan.FromMilliseconds(900), HeartbeatPeriod = TimeSpan.FromMilliseconds(150) };
        var held = await Provider(options).AcquireAsync("orders", "writer-a");

        // Another writer's takeover, as if it had watched our version for a lease while our heartbeats were stuck.
        var stolenRvn = Guid.NewGuid().ToString();
        await JavaSteal("orders", "spark", 60_000, ((DynamoDbTableLock)held).RecordVersion, stolenRvn);

        await WaitUntil(() => held.IsLost, TimeSpan.FromSeconds(10));
        held.Invoking(h => h.EnsureHeld()).Should().Throw<TableLockLostException>().WithMessage("*writer-a*another writer holds it now*");

        await held.ReleaseAsync();
        var item = await GetItem("orders");
        item!["ownerName"].S.Should().Be("spark", "a release is conditioned on our owner and version");
        item["recordVersionNumber"].S.Should().Be(stolenRvn);
    }

    [Fact]
    public async Task Of_many_concurrent_acquirers_exactly_one_wins()
    {
        await Provider().EnsureTableAsync();
        for (var round = 0; round < 3; round++)
        {
            var providers = Enumerable.Range(0, 8).Select(_ => Provider()).ToArray();
            var attempts = providers.Select((p, i) => Task.Run(() => p.AcquireAsync("orders", $"writer-{round}-{i}"))).ToArray();
            try
            {
                await Task.WhenAll(attempts);
            }
            catch (TableLockedException)
            {
            }

            attempts.Where(t => t.IsFaulted).Should().OnlyContain(t => t.Exception!.InnerException is TableLockedException);
            var winners = attempts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList();
            winners.Should().ContainSingle();
            (await GetItem("orders"))!["ownerName"].S.Should().Be(winners[0].Owner);
            await winners[0].DisposeAsync();
        }
    }

    [Fact]
    public async Task The_lock_table_is_created_as_Hudi_creates_it_and_waited_for()
    {
        using var slowServer = new DynamoDbServer(TimeSpan.FromSeconds(60), createTableMs: 700);
        var options = _fixture.Options("hudi_locks") with { ServiceUrl = slowServer.ServiceUrl };
        using var provider = new DynamoDbLockProvider(options);

        var clock = Stopwatch.StartNew();
        await using (var held = await provider.AcquireAsync("orders", "cdclake"))
        {
            clock.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(600), "the table stays CREATING for a while");
        }

        using var raw = DynamoDbLockProvider.CreateClient(options);
        var table = (await raw.DescribeTableAsync("hudi_locks")).Table;
        table.TableStatus.Should().Be(TableStatus.ACTIVE);
        table.KeySchema.Should().ContainSingle().Which.Should().BeEquivalentTo(new KeySchemaElement("key", KeyType.HASH));
        table.AttributeDefinitions.Should().ContainSingle().Which.Should().BeEquivalentTo(new AttributeDefinition("key", ScalarAttributeType.S));
        table.BillingModeSummary?.BillingMode.Should().Be(BillingMode.PAY_PER_REQUEST);
    }

    [Fact]
    public async Task A_missing_lock_table_is_reported_unless_it_may_be_created()
    {
        using var provider = new DynamoDbLockProvider(_fixture.Options(_table) with { CreateTableIfMissing = false });
        var error = (await FluentActions.Awaiting(() => provider.AcquireAsync("orders", "cdclake")).Should().ThrowAsync<HudiException>()).Which;
        error.Message.Should().Contain(_table).And.Contain("'key'").And.Contain("CreateTableIfMissing");
    }

    [Fact]
    public void Options_come_from_Hudi_properties_as_a_Spark_writer_reads_them()
    {
        var properties = new JavaProperties();
        properties.Set("hoodie.table.name", "orders");
        properties.Set("hoodie.write.lock.provider", DynamoDbLockConfig.ProviderClass);
        properties.Set("hoodie.write.lock.dynamodb.table", "lake_locks");
        properties.Set("hoodie.write.lock.dynamodb.region", "eu-west-1");
        properties.Set("hoodie.write.lock.dynamodb.endpoint_url", "http://127.0.0.1:4567");
        properties.Set("hoodie.write.lock.wait_time_ms", "30000");

        var options = DynamoDbLockOptions.FromHudiProperties(properties);
        options.TableName.Should().Be("lake_locks");
        options.Region.Should().Be("eu-west-1");
        options.ServiceUrl.Should().Be("http://127.0.0.1:4567");
        options.LeaseDuration.Should().Be(TimeSpan.FromSeconds(30));
        options.EffectiveHeartbeatPeriod.Should().Be(TimeSpan.FromSeconds(10), "Hudi heartbeats every third of the lease");
        options.BillingMode.Should().Be("PAY_PER_REQUEST");
        options.CreateTableIfMissing.Should().BeTrue();

        DynamoDbLockConfig.PartitionKeyFor(properties).Should().Be("orders", "the partition key is inferred from hoodie.table.name");
        properties.Set("hoodie.write.lock.dynamodb.partition_key", "orders-prod");
        DynamoDbLockConfig.PartitionKeyFor(properties).Should().Be("orders-prod");
        FluentActions.Invoking(() => DynamoDbLockConfig.PartitionKeyFor(new JavaProperties())).Should().Throw<HudiConfigException>();

        var defaults = DynamoDbLockOptions.FromHudiProperties(new JavaProperties());
        defaults.TableName.Should().Be("hudi_locks");
        defaults.LeaseDuration.Should().Be(TimeSpan.FromSeconds(60));
    }

    private DynamoDbLockProvider Provider(DynamoDbLockOptions? options = null)
    {
        var provider = new DynamoDbLockProvider(options ?? _fixture.Options(_table));
        _providers.Add(provider);
        return provider;
    }

    private async Task<Dictionary<string, AttributeValue>?> GetItem(string key)
    {
        var response = await _raw.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = new() { ["key"] = new AttributeValue { S = key } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    // The AWS lock client's requests, from its documented layout (see the top of DynamoDbLockProvider.cs).
    private Task JavaAcquireNew(string key, string owner, long leaseMs, string rvn) =>
        _raw.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = JavaItem(key, owner, leaseMs, rvn),
            ConditionExpression = "attribute_not_exists(#pk)",
            ExpressionAttributeNames = new() { ["#pk"] = "key" },
        });

    private Task JavaSteal(string key, string owner, long leaseMs, string observedRvn, string? newRvn = null) =>
        _raw.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = JavaItem(key, owner, leaseMs, newRvn ?? Guid.NewGuid().ToString()),
            ConditionExpression = "attribute_exists(#pk) AND #rvn = :rvn",
            ExpressionAttributeNames = new() { ["#pk"] = "key", ["#rvn"] = "recordVersionNumber" },
            ExpressionAttributeValues = new() { [":rvn"] = new AttributeValue { S = observedRvn } },
        });

    private Task JavaHeartbeat(string key, string owner, string rvn, string newRvn, long leaseMs) =>
        _raw.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _table,
            Key = new() { ["key"] = new AttributeValue { S = key } },
            ConditionExpression = "attribute_exists(#pk) AND #rvn = :rvn AND #on = :on",
            UpdateExpression = "SET #ld = :ld, #rvn = :newRvn",
            ExpressionAttributeNames = new() { ["#pk"] = "key", ["#ld"] = "leaseDuration", ["#rvn"] = "recordVersionNumber", ["#on"] = "ownerName" },
            ExpressionAttributeValues = new()
            {
                [":rvn"] = new AttributeValue { S = rvn },
                [":on"] = new AttributeValue { S = owner },
                [":newRvn"] = new AttributeValue { S = newRvn },
                [":ld"] = new AttributeValue { S = leaseMs.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
        });

    private async Task JavaRelease(string key, string owner, string rvn, bool deleteItem = true)
    {
        var names = new Dictionary<string, string> { ["#pk"] = "key", ["#on"] = "ownerName", ["#rvn"] = "recordVersionNumber" };
        var values = new Dictionary<string, AttributeValue> { [":rvn"] = new() { S = rvn }, [":on"] = new() { S = owner } };
        const string condition = "attribute_exists(#pk) AND #rvn = :rvn AND #on = :on";
        var itemKey = new Dictionary<string, AttributeValue> { ["key"] = new() { S = key } };
        if (deleteItem)
        {
            await _raw.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = _table, Key = itemKey, ConditionExpression = condition,
                ExpressionAttributeNames = names, ExpressionAttributeValues = values,
            });
            return;
        }

        names["#ir"] = "isReleased";
        values[":ir"] = new AttributeValue { S = "1" };
        await _raw.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _table, Key = itemKey, ConditionExpression = condition, UpdateExpression = "SET #ir = :ir",
            ExpressionAttributeNames = names, ExpressionAttributeValues = values,
        });
    }

    private static Dictionary<string, AttributeValue> JavaItem(string key, string owner, long leaseMs, string rvn) => new()
    {
        ["key"] = new AttributeValue { S = key },
        ["ownerName"] = new AttributeValue { S = owner },
        ["leaseDuration"] = new AttributeValue { S = leaseMs.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["recordVersionNumber"] = new AttributeValue { S = rvn },
    };

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            clock.Elapsed.Should().BeLessThan(timeout, "the condition should have come true by now");
            await Task.Delay(20);
        }
    }
}
