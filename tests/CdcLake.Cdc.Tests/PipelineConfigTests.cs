using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

public class PipelineConfigTests
{
    private static string ExamplePath => Path.Combine(RepoPaths.Root, "common", "CdcLake.Cdc", "examples", "pipeline.example.json");

    [Fact]
    public void The_example_pipeline_resolves_with_defaults_merged_into_every_table()
    {
        var tables = PipelineConfig.LoadAndResolve(ExamplePath);

        tables.Select(t => t.Name).Should().Equal("customers", "orders", "order_lines", "audit_log");
        tables.Should().OnlyContain(t => t.Database == "sales" && t.HiveStylePartitioning && t.TombstoneRetention == TimeSpan.FromDays(7));

        var customers = tables[0];
        customers.Source.Should().Be("s3://dms-bucket/sales/public/customers");
        customers.Ordering.Should().Equal("AR_H_CHANGE_SEQ", "DMS_TIMESTAMP");
        customers.RenameColumns.Should().Contain("e_mail", "email");
        customers.DropColumns.Should().Contain("password_hash");
        customers.Write.Should().Be(new WriteSpec(125829120, 104857600, "snappy", 10));
        customers.KeyGeneratorClass.Should().Be(Hudi.KeyGeneratorClasses.Nonpartitioned);

        var orders = tables[1];
        orders.DatePartition.Should().Be(new DatePartitionSpec("order_month", "ordered_at", DateGranularity.Month));
        orders.PartitionBy.Should().Equal("order_month");
        orders.Quarantine.Should().BeTrue();
        orders.KeyGeneratorClass.Should().Be(Hudi.KeyGeneratorClasses.Simple);

        var lines = tables[2];
        lines.BeforeImageKeyColumns.Should().Equal("BI_order_id", "BI_line_no");
        lines.Write.Codec.Should().Be("zstd", "a table's write settings override the defaults field by field");
        lines.Write.MaxFileSizeBytes.Should().Be(125829120);

        tables[3].Enabled.Should().BeFalse();
        tables[3].Ordering.Should().Equal("DMS_TIMESTAMP");

        // The lock: merged field by field; the partition key is the table's own name unless the table sets one.
        customers.Lock.Should().Be(new LockSpec
        {
            Provider = LockProviderKind.DynamoDb, DynamoDbTable = "hudi_locks", Region = "eu-west-1", PartitionKey = "customers",
            LeaseDuration = TimeSpan.FromSeconds(60), AcquireWait = TimeSpan.FromSeconds(120),
        });
        lines.Lock!.PartitionKey.Should().Be("sales.order_lines");
        lines.Lock.Region.Should().Be("eu-west-1");
        var options = lines.Lock.ToDynamoDbOptions();
        (options.TableName, options.Region, options.LeaseDuration, options.AcquireWait, options.CreateTableIfMissing, options.BillingMode)
            .Should().Be(("hudi_locks", "eu-west-1", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), true, "PAY_PER_REQUEST"));
    }

    [Fact]
    public void Missing_required_fields_are_named_by_path()
    {
        var config = PipelineConfig.Parse("""
            { "tables": [
                { "table": "a", "source": "s3://b/a", "target": "s3://l/a", "recordKey": ["id"] },
                { "table": "b", "source": "s3://b/b", "target": "s3://l/b", "recordKey": ["id"] },
                { "table": "c", "source": "s3://b/c", "target": "s3://l/c" },
                { "recordKey": ["id"] }
            ] }
            """);

        var errors = config.Validate().Select(e => e.ToString()).ToList();

        errors.Should().Contain("tables[2].recordKey: required");
        errors.Should().Contain("tables[3].table: required");
        errors.Should().Contain("tables[3].source: required");
        errors.Should().Contain("tables[3].target: required");
        var act = () => config.Resolve();
        act.Should().Throw<PipelineConfigException>().WithMessage("*tables[2].recordKey: required*");
    }

    [Fact]
    public void Unknown_fields_and_wrong_types_are_all_refused_at_once()
    {
        var act = () => PipelineConfig.Parse("""
            {
              "defaults": { "write": { "codek": "gzip" } },
              "tables": [
                { "table": "a", "source": "s3://b/a", "target": "s3://l/a", "recordKey": "id", "RecordKey": ["id"] },
                { "table": 5, "enabled": "yes", "partitionBy": [null], "renameColumns": { "a": 1 }, "tombstoneRetentionDays": "7" }
              ],
              "extra": true
            }
            """);

        var errors = act.Should().Throw<PipelineConfigException>().Which.Errors.Select(e => e.ToString()).ToList();
        errors.Should().Contain(e => e.StartsWith("defaults.write.codek: unknown field", StringComparison.Ordinal));
        errors.Should().Contain("tables[0].recordKey: expected an array of strings, got the string \"id\"");
        errors.Should().Contain("tables[0].RecordKey: unknown field; did you mean 'recordKey'? (names are case-sensitive)");
        errors.Should().Contain("tables[1].table: expected a string, got the number 5");
        errors.Should().Contain("tables[1].enabled: expected true or false, got the string \"yes\"");
        errors.Should().Contain("tables[1].partitionBy[0]: expected a string, got null");
        errors.Should().Contain("tables[1].renameColumns.a: expected a string, got the number 1");
        errors.Should().Contain("tables[1].tombstoneRetentionDays: expected a number, got the string \"7\"");
        errors.Should().Contain(e => e.StartsWith("extra: unknown field", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_fields_and_bad_json_are_refused()
    {
        var duplicate = () => PipelineConfig.Parse("""{ "tables": [ { "table": "a", "table": "b" } ] }""");
        duplicate.Should().Throw<PipelineConfigException>().Which.Errors.Should().ContainSingle()
            .Which.ToString().Should().Be("tables[0].table: duplicate field");

        var broken = () => PipelineConfig.Parse("{ \"tables\": [ ");
        broken.Should().Throw<PipelineConfigException>().WithMessage("*$: not valid JSON (line 1*");
    }

    [Fact]
    public void Bad_values_name_the_field_they_are_set_in()
    {
        var config = PipelineConfig.Parse("""
            {
              "version": 2,
              "defaults": { "write": { "codec": "lzo", "maxFileSizeBytes": 0 }, "tombstoneRetentionDays": -1 },
              "tables": [
                { "table": "orders", "source": "s3://b/o", "target": "s3://l/o", "recordKey": ["id", "id"], "dropColumns": ["secret"],
                  "renameColumns": { "secret": "s", "x": "y", "z": "y" }, "ordering": ["id"],
                  "beforeImageKey": { "prefix": "BI_", "columns": ["BI_id"] },
                  "datePartition": { "column": "d", "source": "d", "granularity": "week" } },
                { "table": "Orders", "source": "s3://b/o2", "target": "s3://l/o", "recordKey": ["_hoodie_record_key", "a.b"] },
                { "table": "9lives", "source": "s3://b/x", "target": "s3://b/x", "recordKey": ["id"], "dropColumns": ["id"], "partitionBy": ["id"] },
                { "table": "t4", "source": "s3://b/t4", "target": "s3://l/t4", "recordKey": ["k1", "k2"], "beforeImageKey": { "columns": ["BI_k1"] } }
              ]
            }
            """);

        var errors = config.Validate().Select(e => e.ToString()).ToList();

        errors.Should().Contain("version: unsupported version 2; only 1 exists");
        errors.Should().Contain("defaults.write.codec: 'lzo' is not one of snappy, gzip, zstd, none");
        errors.Should().Contain("defaults.write.maxFileSizeBytes: must be positive, got 0");
        errors.Should().Contain("defaults.tombstoneRetentionDays: must be from 0 to 36500 days, got -1");
        errors.Should().Contain("tables[0].recordKey[1]: 'id' is listed twice");
        errors.Should().Contain("tables[0].renameColumns.secret: 'secret' is in dropColumns too");
        errors.Should().Contain("tables[0].renameColumns.z: 'x' is renamed to 'y' too");
        errors.Should().Contain("tables[0].beforeImageKey: give exactly one of prefix and columns");
        errors.Should().Contain("tables[0].datePartition.granularity: 'week' is not one of year, month, day, hour");
        errors.Should().Contain(e => e.StartsWith("tables[0].datePartition.column: 'd' is also the source column", StringComparison.Ordinal));
        errors.Should().Contain("tables[0].ordering: 'id' is a record key column; ordering columns say when a change happened");
        errors.Should().Contain("tables[1].table: 'Orders' is already the name of tables[0] (names must be unique, ignoring case)");
        errors.Should().Contain("tables[1].target: 's3://l/o' is already the target of tables[0]");
        errors.Should().Contain("tables[1].recordKey[0]: column name '_hoodie_record_key' is reserved for Hudi and CdcLake");
        errors.Should().Contain("tables[1].recordKey[1]: column name 'a.b' must not contain '.', ',' or '/'");
        errors.Should().Contain(e => e.StartsWith("tables[2].table: '9lives' is not a valid name", StringComparison.Ordinal));
        errors.Should().Contain("tables[2].target: must differ from source");
        errors.Should().Contain("tables[3].beforeImageKey.columns: needs one column per record key column (2: k1, k2), got 1");
    }

    [Fact]
    public void Key_partition_and_date_source_columns_must_survive_the_drops()
    {
        var config = PipelineConfig.Parse("""
            { "tables": [ { "table": "t", "source": "s3://b/t", "target": "/l/t", "recordKey": ["id"],
                "dropColumns": ["id", "region", "created"], "partitionBy": ["region"],
                "datePartition": { "column": "day", "source": "created" } } ] }
            """);

        config.Validate().Select(e => e.ToString()).Should().BeEquivalentTo(
            "tables[0].recordKey: 'id' is in dropColumns",
            "tables[0].partitionBy: 'region' is in dropColumns",
            "tables[0].datePartition.source: 'created' is in dropColumns");
    }

    [Fact]
    public void Relative_local_paths_resolve_against_the_pipeline_folder()
    {
        using var dir = new TempDirectory();
        var file = dir.PathOf("conf/pipeline.json");
        File.WriteAllText(file, """
            { "tables": [ { "table": "t", "source": "../dms/public/t/", "target": "lake/t", "recordKey": ["id"] } ] }
            """);

        var table = PipelineConfig.LoadAndResolve(file).Single();

        table.Source.Should().Be(Path.Combine(dir.Path, "dms", "public", "t"));
        table.Target.Should().Be(Path.Combine(dir.Path, "conf", "lake", "t"));
        table.Ordering.Should().BeNull("no ordering means AR_H_CHANGE_SEQ when the files have it, decided when they are read");
        table.PartitionBy.Should().BeEmpty();
        table.Write.Should().Be(WriteSpec.Default);
        table.LateFileWindow.Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public void Errors_of_a_loaded_file_name_the_file()
    {
        using var dir = new TempDirectory();
        var file = dir.PathOf("p.json");
        File.WriteAllText(file, """{ "tables": [ { "table": "t" } ] }""");

        var act = () => PipelineConfig.LoadAndResolve(file);

        act.Should().Throw<PipelineConfigException>().WithMessage($"{file}: invalid pipeline, 3 errors: tables[0].source: required; *");
    }

    [Fact]
    public void Before_image_prefix_uses_the_source_names_of_renamed_key_columns()
    {
        var table = PipelineConfig.Parse("""
            { "defaults": { "beforeImageKey": { "prefix": "BI_" }, "lock": { "provider": "dynamodb" } },
              "tables": [ { "table": "t", "source": "s3://b/t", "target": "s3://l/t", "recordKey": ["id", "line"], "renameColumns": { "line_no": "line" } } ] }
            """).Resolve().Single();

        table.BeforeImageKeyColumns.Should().Equal("BI_id", "BI_line_no");
        table.SourceColumnOf("line").Should().Be("line_no");
        table.TableColumnOf("line_no").Should().Be("line");
    }

    [Fact]
    public void The_model_round_trips_through_json()
    {
        var config = PipelineConfig.Load(ExamplePath);

        var again = PipelineConfig.Parse(config.ToJson());

        again.ToJson().Should().Be(config.ToJson());
        again.Resolve().Should().BeEquivalentTo(config.Resolve());
        config.ToJson().Should().NotContain("null", "absent fields are left out");
    }

    [Fact]
    public void The_json_schema_names_exactly_the_fields_of_the_model()
    {
        using var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "common", "CdcLake.Cdc", "examples", "pipeline.schema.json")));
        var defs = schema.RootElement.GetProperty("$defs");
        var context = Internal.PipelineJsonContext.Default;

        static IEnumerable<string> Names(System.Text.Json.JsonElement element) => element.GetProperty("properties").EnumerateObject().Select(p => p.Name);
        IEnumerable<string> Model(Type type) => context.GetTypeInfo(type)!.Properties.Select(p => p.Name);

        Names(schema.RootElement).Should().BeEquivalentTo(Model(typeof(PipelineConfig)));
        Names(defs.GetProperty("settings")).Should().BeEquivalentTo(Model(typeof(TableSettings)));
        Names(defs.GetProperty("table")).Should().BeEquivalentTo(Model(typeof(PipelineTable)));
        defs.GetProperty("settingsProperties").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(Model(typeof(TableSettings)));
        Names(defs.GetProperty("settingsProperties").GetProperty("write")).Should().BeEquivalentTo(Model(typeof(WriteSettings)));
        Names(defs.GetProperty("settingsProperties").GetProperty("datePartition")).Should().BeEquivalentTo(Model(typeof(DatePartitionSettings)));
        Names(defs.GetProperty("settingsProperties").GetProperty("beforeImageKey")).Should().BeEquivalentTo(Model(typeof(BeforeImageSettings)));
        Names(defs.GetProperty("settingsProperties").GetProperty("lock")).Should().BeEquivalentTo(Model(typeof(LockSettings)));
    }

    [Fact]
    public void A_model_built_in_code_resolves_like_a_file()
    {
        var config = new PipelineConfig
        {
            Tables = [new PipelineTable { Table = "t", Source = "s3://b/t", Target = "s3://l/t", RecordKey = ["id"], Ordering = [], Lock = new LockSettings { Provider = "dynamodb" } }],
        };

        var table = config.Resolve().Single();

        table.Ordering.Should().BeEmpty("an empty list orders CDC changes by file and row only");
        table.Database.Should().Be("default");
        table.Lock.Should().Be(LockSpec.Local with { Provider = LockProviderKind.DynamoDb, PartitionKey = "t" });
    }

    [Fact]
    public void A_target_on_S3_without_a_lock_provider_names_the_field_to_set()
    {
        var config = PipelineConfig.Parse("""
            { "tables": [
                { "table": "a", "source": "s3://b/a", "target": "s3://l/a", "recordKey": ["id"] },
                { "table": "b", "source": "s3://b/b", "target": "s3://l/b", "recordKey": ["id"], "lock": { "provider": "auto" } },
                { "table": "c", "source": "s3://b/c", "target": "s3://l/c", "recordKey": ["id"], "lock": { "provider": "local" } },
                { "table": "d", "source": "s3://b/d", "target": "/lake/d", "recordKey": ["id"] },
                { "table": "e", "source": "s3://b/e", "target": "s3://l/e", "recordKey": ["id"], "lock": { "table": "locks" } }
            ] }
            """);

        var errors = config.Validate().Select(e => e.ToString()).ToList();

        errors.Should().HaveCount(4);
        errors[0].Should().StartWith("tables[0].lock.provider: required for a target on S3 (s3://l/a): set it to 'dynamodb'");
        errors[1].Should().StartWith("tables[1].lock.provider: required for a target on S3 (s3://l/b)");
        errors[2].Should().StartWith("tables[2].lock.provider: 'local' only works on a local file system, and the target s3://l/c is on S3");
        errors[3].Should().StartWith("tables[4].lock.provider: DynamoDB settings are given (table) but no provider");

        // A local target takes the local lock file by default; so does a table whose provider is local.
        config.Tables!.RemoveAt(4);
        config.Tables.RemoveRange(0, 3);
        config.Resolve().Single().Lock.Should().Be(LockSpec.Local);

        // The defaults' provider serves every table, and the error says where a bad one came from.
        var inherited = PipelineConfig.Parse("""
            { "defaults": { "lock": { "provider": "local" } },
              "tables": [ { "table": "a", "source": "s3://b/a", "target": "s3://l/a", "recordKey": ["id"] } ] }
            """);
        inherited.Validate().Select(e => e.ToString()).Should().ContainSingle()
            .Which.Should().StartWith("tables[0].lock.provider: 'local' (from defaults.lock.provider) only works on a local file system");
    }

    [Fact]
    public void Lock_settings_merge_over_the_defaults_field_by_field_and_bad_ones_name_their_field()
    {
        var table = PipelineConfig.Parse("""
            { "defaults": { "lock": { "provider": "dynamodb", "table": "locks.prod", "region": "eu-west-1", "endpointUrl": "http://127.0.0.1:8000",
                                      "createTable": false, "billingMode": "PROVISIONED", "readCapacity": 5, "writeCapacity": 3,
                                      "tableCreationTimeoutSeconds": 30, "leaseSeconds": 20, "acquireWaitSeconds": 90 } },
              "tables": [ { "table": "t", "source": "s3://b/t", "target": "s3://l/t", "recordKey": ["id"],
                            "lock": { "partitionKey": "db.t", "leaseSeconds": 15 } } ] }
            """).Resolve().Single();

        table.Lock.Should().Be(new LockSpec
        {
            Provider = LockProviderKind.DynamoDb, DynamoDbTable = "locks.prod", PartitionKey = "db.t", Region = "eu-west-1",
            EndpointUrl = "http://127.0.0.1:8000", CreateTable = false, BillingMode = "PROVISIONED", ReadCapacity = 5, WriteCapacity = 3,
            TableCreationTimeout = TimeSpan.FromSeconds(30), LeaseDuration = TimeSpan.FromSeconds(15), AcquireWait = TimeSpan.FromSeconds(90),
        });

        var bad = PipelineConfig.Parse("""
            { "defaults": { "lock": { "provider": "dynamo", "table": "x", "partitionKey": "all", "region": "Europe", "endpointUrl": "localhost:8000",
                                      "billingMode": "ON_DEMAND", "readCapacity": 0, "writeCapacity": -1, "tableCreationTimeoutSeconds": 0,
                                      "leaseSeconds": 0, "acquireWaitSeconds": -5 } },
              "tables": [ { "table": "t", "source": "s3://b/t", "target": "/l/t", "recordKey": ["id"],
                            "lock": { "provider": "local", "region": "eu-west-1", "partitionKey": " " } },
                          { "table": "u", "source": "s3://b/u", "target": "s3://l/u", "recordKey": ["id"], "lock": { "provider": "dynamodb", "partitionKey": "k" } },
                          { "table": "v", "source": "s3://b/v", "target": "s3://l/v", "recordKey": ["id"], "lock": { "provider": "dynamodb", "partitionKey": "k" } } ] }
            """);

        var errors = bad.Validate().Select(e => e.ToString()).ToList();

        errors.Should().Contain("defaults.lock.provider: 'dynamo' is not one of auto, local, dynamodb");
        errors.Should().Contain(e => e.StartsWith("defaults.lock.table: 'x' is not a DynamoDB table name", StringComparison.Ordinal));
        errors.Should().Contain("defaults.lock.partitionKey: set it per table: tables sharing one partition key would share one lock");
        errors.Should().Contain(e => e.StartsWith("defaults.lock.region: 'Europe' is not an AWS region name", StringComparison.Ordinal));
        errors.Should().Contain("defaults.lock.endpointUrl: 'localhost:8000' is not an http:// or https:// URL");
        errors.Should().Contain("defaults.lock.billingMode: 'ON_DEMAND' is not one of PAY_PER_REQUEST, PROVISIONED");
        errors.Should().Contain("defaults.lock.readCapacity: must be at least 1, got 0");
        errors.Should().Contain("defaults.lock.writeCapacity: must be at least 1, got -1");
        errors.Should().Contain("defaults.lock.tableCreationTimeoutSeconds: must be from 1 to 3600 seconds, got 0");
        errors.Should().Contain("defaults.lock.leaseSeconds: must be from 0.01 to 86400 seconds, got 0");
        errors.Should().Contain("defaults.lock.acquireWaitSeconds: must be from 0 to 86400 seconds, got -5");
        errors.Should().Contain("tables[0].lock.region: is a DynamoDB setting, and provider is 'local'");
        errors.Should().Contain("tables[0].lock.partitionKey: must be 1 to 2048 characters, not blank");
        errors.Should().Contain("tables[0].lock.partitionKey: is a DynamoDB setting, and provider is 'local'");
        errors.Should().Contain(e => e.StartsWith("tables[2].lock.partitionKey: 'k' is already the lock item of tables[1]", StringComparison.Ordinal));
    }

    [Fact]
    public void Lock_settings_round_trip_through_json_and_wrong_types_are_named()
    {
        var config = PipelineConfig.Load(ExamplePath);
        PipelineConfig.Parse(config.ToJson()).Resolve().Select(t => t.Lock).Should().Equal(config.Resolve().Select(t => t.Lock));

        var act = () => PipelineConfig.Parse("""
            { "tables": [ { "table": "t", "source": "s3://b/t", "target": "s3://l/t", "recordKey": ["id"],
                            "lock": { "provider": "dynamodb", "leaseSeconds": "60", "createTable": "yes", "readCapacity": 1.5, "tabel": "x" } } ] }
            """);

        var errors = act.Should().Throw<PipelineConfigException>().Which.Errors.Select(e => e.ToString()).ToList();
        errors.Should().Contain("tables[0].lock.leaseSeconds: expected a number, got the string \"60\"");
        errors.Should().Contain("tables[0].lock.createTable: expected true or false, got the string \"yes\"");
        errors.Should().Contain("tables[0].lock.readCapacity: expected a whole number, got the number 1.5");
        errors.Should().Contain(e => e.StartsWith("tables[0].lock.tabel: unknown field", StringComparison.Ordinal));
    }
}
