using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CdcLake.Parquet;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// A table we write against the Spark-written fixtures, rule by rule of docs/hudi-cow-format.md: hoodie.properties,
/// the .hoodie skeleton, instant file contents, base file names, schema, footer and meta columns, partition
/// metadata, key generators; the validator passes on both; DuckDB reads our base files as expected.
/// </summary>
public sealed class HudiWriteFormatTests
{
    private const string SparkTable = "v6_simplekeygen_nonhivestyle";

    [Fact]
    public async Task Hoodie_properties_and_skeleton_are_those_Spark_writes_for_the_same_options()
    {
        using var temp = new TempDirectory("hudi-format");
        using var store = ObjectStores.For(temp.Path);
        var spark = TableConfig.Parse(HudiFixtures.HoodieProperties(SparkTable));
        await HudiWriteClient.CreateTableAsync(store, "", new NewTableOptions
        {
            TableName = SparkTable,
            DatabaseName = "default",
            RecordKeyFields = ["id"],
            PrecombineField = "longField",
            PartitionFields = ["byteField"],
            CreateSchema = spark.CreateSchema,
        });

        var ours = File.ReadAllText(Path.Combine(temp.Path, ".hoodie", "hoodie.properties"), Encoding.Latin1).Split('\n');
        var theirs = Encoding.Latin1.GetString(HudiFixtures.HoodieProperties(SparkTable)).Split('\n');
        ours[0].Should().StartWith("#Properties saved on ");
        ours.Skip(2).Should().Equal(theirs.Skip(2), "same keys, same values, same order, same escaping, checksum last");
        Folders(temp.Path).Should().Equal(Folders(HudiFixtures.TablePath(SparkTable)).Where(f => f.StartsWith(".hoodie", StringComparison.Ordinal)));
        (await HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task Instant_files_have_the_shape_Spark_writes()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        var first = await client.UpsertAsync([Recs.Batch(Recs.Range(0, 6, 1, "a", "b"))]);
        var second = await client.UpsertAsync([Recs.Batch([new Rec(0, "u", 2, "a"), new Rec(9, "n", 2, "c")])]);
        var sparkHoodie = HudiFixtures.MetaFolder(SparkTable);
        var hoodie = Path.Combine(place.LocalPath!, ".hoodie");

        File.ReadAllBytes(Path.Combine(hoodie, $"{second.InstantTime}.commit.requested")).Should().BeEmpty();
        using var ourCommit = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(hoodie, $"{second.InstantTime}.commit")));
        using var sparkCommit = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(sparkHoodie, $"{Expected.SimpleC2}.commit")));
        Names(ourCommit.RootElement).Should().Equal(Names(sparkCommit.RootElement));
        Names(FirstStat(ourCommit.RootElement)).Should().Equal(Names(FirstStat(sparkCommit.RootElement)));
        Names(FirstStat(ourCommit.RootElement).GetProperty("runtimeStats")).Should().Equal(Names(FirstStat(sparkCommit.RootElement).GetProperty("runtimeStats")));
        ourCommit.RootElement.GetProperty("operationType").GetString().Should().Be("UPSERT");
        var schema = ourCommit.RootElement.GetProperty("extraMetadata").GetProperty("schema").GetString()!;
        schema.Should().StartWith("{\"type\":\"record\",\"name\":\"t_record\",\"namespace\":\"hoodie.t\"").And.NotContain("_hoodie_");

        // The inflight workload profile: per partition, the insert count under fileId "", then each updated file group.
        using var ourInflight = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(hoodie, $"{second.InstantTime}.inflight")));
        using var sparkInflight = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(sparkHoodie, $"{Expected.SimpleC2}.inflight")));
        Names(ourInflight.RootElement).Should().Equal(Names(sparkInflight.RootElement));
        var a = ourInflight.RootElement.GetProperty("partitionToWriteStats").GetProperty("a").EnumerateArray().ToList();
        var sparkTen = sparkInflight.RootElement.GetProperty("partitionToWriteStats").GetProperty("10").EnumerateArray().ToList();
        Names(a[0]).Should().Equal(Names(sparkTen[0]));
        a.Select(s => (s.GetProperty("fileId").GetString(), s.GetProperty("prevCommit").GetString(), s.GetProperty("numInserts").GetInt64(), s.GetProperty("numUpdateWrites").GetInt64()))
            .Should().Equal(("", "null", 0L, 0L), (first.Metadata.PartitionToWriteStats["a"][0].FileId, first.InstantTime, 0L, 1L));
        a.Should().OnlyContain(s => s.GetProperty("path").ValueKind == JsonValueKind.Null && s.GetProperty("partitionPath").ValueKind == JsonValueKind.Null);
        ourInflight.RootElement.GetProperty("partitionToWriteStats").GetProperty("c")[0].GetProperty("numInserts").GetInt64().Should().Be(1);

        // Partition metadata: created by the first write into the partition, depth 1.
        var partitionMetadata = HoodiePartitionMetadata.Parse(File.ReadAllBytes(Path.Combine(place.LocalPath!, "c", ".hoodie_partition_metadata")));
        partitionMetadata.Should().Be(new HoodiePartitionMetadata(second.InstantTime!, 1));
        File.ReadAllText(Path.Combine(place.LocalPath!, "a", ".hoodie_partition_metadata")).Should().StartWith("#partition metadata\n").And.Contain($"commitTime={first.InstantTime}\n");
        Directory.Exists(Path.Combine(hoodie, ".temp")).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(Path.Combine(hoodie, ".temp")).Should().BeEmpty("markers go once the commit is complete");
    }

    [Fact]
    public async Task Base_files_carry_Hudis_names_schema_footer_and_meta_columns()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("orders"));
        var records = Recs.Range(0, 30, 1, "a");
        var result = await client.UpsertAsync([Recs.Batch(records)]);
        var stat = result.Metadata.AllWriteStats.Single();
        var path = Path.Combine(place.LocalPath!, stat.Path!);
        Path.GetFileName(path).Should().MatchRegex($"^{Regex.Escape(stat.FileId!)}_[0-9]+-[0-9]+-[0-9]+_{result.InstantTime}\\.parquet$");
        stat.FileId.Should().MatchRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-0$");
        new FileInfo(path).Length.Should().Be(stat.FileSizeInBytes);

        using var reader = ParquetReader.Open(path);
        reader.Schema.Fields.Take(5).Select(f => f.Name).Should().Equal(HoodieMetaFields.All);
        reader.Schema.Fields.Take(5).Select(f => f.ToString()).Should().Equal(HoodieMetaFields.All.Select(n => $"{n}: byte_array STRING"));
        reader.Schema["at"].Should().BeOfType<PrimitiveField>().Which.Should().Match<PrimitiveField>(f => f.PhysicalType == PhysicalType.Int64 && f.LogicalType == LogicalType.Timestamp(TimeUnit.Micros, true));
        reader.Schema["amount"].Should().BeOfType<PrimitiveField>().Which.Should().Match<PrimitiveField>(f => f.PhysicalType == PhysicalType.FixedLenByteArray && f.TypeLength == 5 && f.LogicalType == LogicalType.Decimal(10, 2));
        var footer = reader.Info.KeyValueMetadata;
        using var spark = ParquetReader.Open(HudiFixtures.BaseFiles(SparkTable)[0].FullPath);
        footer.Keys.Should().Equal(spark.Info.KeyValueMetadata.Keys);
        footer["writer.model.name"].Should().Be("avro");
        footer["hoodie_bloom_filter_type_code"].Should().Be("DYNAMIC_V0");
        var avro = AvroSchema.Parse(footer["parquet.avro.schema"]!);
        avro.FullName.Should().Be("hoodie.orders.orders_record");
        avro.Fields.Take(5).Select(f => f.Name).Should().Equal(HoodieMetaFields.All);
        var keys = records.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        footer["hoodie_min_record_key"].Should().Be(keys.Min(StringComparer.Ordinal));
        footer["hoodie_max_record_key"].Should().Be(keys.Max(StringComparer.Ordinal));
        var bloom = HoodieBloomFilter.FromFooter(footer)!;
        keys.Should().OnlyContain(k => bloom.MightContain(k));
        bloom.MightContain("not-a-key").Should().BeFalse();
        var rows = reader.ReadBatches().SelectMany(b => b.Rows().Select(r => (Time: (string)r[0]!, Seq: (string)r[1]!, Key: (string)r[2]!, Part: (string)r[3]!, File: (string)r[4]!))).ToList();
        rows.Select(r => r.Seq).Should().Equal(Enumerable.Range(0, 30).Select(i => $"{result.InstantTime}_0_{i}"));
        rows.Should().OnlyContain(r => r.Time == result.InstantTime && r.Part == "a" && r.File == Path.GetFileName(path));

        // DuckDB, the independent reader: the Parquet schema's root name, and the values.
        var root = DuckDb.Shared.Query($"select name from parquet_schema({DuckDb.Literal(path)}) limit 1").Scalar().GetString();
        root.Should().Be("hoodie.orders.orders_record");
        var duck = DuckDb.Shared.Query($"select id, cast(amount as varchar) as amount, strftime(\"at\", '%Y-%m-%d %H:%M:%S.%f') as \"at\" from read_parquet({DuckDb.Literal(path)}) order by id");
        duck.Rows.Select(r => (r[0].GetInt64(), r[1].GetString()!, r[2].GetString()!)).Should().Equal(records.Select(r => (
            r.Id,
            r.Amount!.Value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
            r.At!.Value.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture))));

        // A rewrite keeps the copied rows' commit time and sequence number, and renames them to the new file.
        var update = await client.UpsertAsync([Recs.Batch([records[3] with { Name = "x", Ts = 2 }])]);
        var newPath = Path.Combine(place.LocalPath!, update.Metadata.AllWriteStats.Single().Path!);
        using var rewritten = ParquetReader.Open(newPath);
        var after = rewritten.ReadBatches().SelectMany(b => b.Rows().Select(r => (Time: (string)r[0]!, Seq: (string)r[1]!, Key: (string)r[2]!, File: (string)r[4]!))).ToList();
        after.Should().HaveCount(30).And.OnlyContain(r => r.File == Path.GetFileName(newPath));
        after.Where(r => r.Key != "3").Select(r => (r.Time, r.Seq)).Should().BeEquivalentTo(rows.Where(r => r.Key != "3").Select(r => (r.Time, r.Seq)));
        after.Single(r => r.Key == "3").Time.Should().Be(update.InstantTime);
    }

    [Fact]
    public async Task Min_and_max_record_keys_follow_Java_string_order()
    {
        using var place = TestStore.Create("local");
        await HudiWriteClient.CreateTableAsync(place.Store, "", new NewTableOptions { TableName = "k", RecordKeyFields = ["name"], PrecombineField = "ts" });
        var client = new HudiWriteClient(place.Store, "", TestTables.WriteOptions());
        // UTF-16 order puts U+1F600 (a surrogate pair, D83D DE00) before U+FF5E; UTF-8 byte order would not.
        var result = await client.UpsertAsync([Recs.Batch([new Rec(1, "\uFF5E", 1, null), new Rec(2, "\U0001F600", 1, null), new Rec(3, "a", 1, null)])]);
        using var reader = ParquetReader.Open(Path.Combine(place.LocalPath!, result.Metadata.AllWriteStats.Single().Path!));
        reader.Info.KeyValueMetadata["hoodie_min_record_key"].Should().Be("a");
        reader.Info.KeyValueMetadata["hoodie_max_record_key"].Should().Be("\uFF5E");
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        // The index finds keys by that range: an update of the emoji key replaces it.
        var update = await client.UpsertAsync([Recs.Batch([new Rec(20, "\U0001F600", 2, null)])]);
        update.Updates.Should().Be(1);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(1, 3, 20);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Complex_keys_and_partition_paths_are_written_as_the_key_generator_says(bool hiveStyle, bool urlEncode)
    {
        using var place = TestStore.Create("local");
        await HudiWriteClient.CreateTableAsync(place.Store, "", new NewTableOptions
        {
            TableName = "c",
            RecordKeyFields = ["id", "name"],
            PrecombineField = "ts",
            PartitionFields = ["part", "name"],
            HiveStylePartitioning = hiveStyle,
            UrlEncodePartitioning = urlEncode,
        });
        var client = new HudiWriteClient(place.Store, "", TestTables.WriteOptions());
        await client.UpsertAsync([Recs.Batch([new Rec(1, "x y", 1, "2024/01"), new Rec(2, "z", 1, null), new Rec(3, "", 1, "q")])]);

        var table = await HudiTable.OpenAsync(place.Store);
        table.Config.KeyGeneratorClass.Should().Be(KeyGeneratorClasses.Complex);
        var view = await table.GetFileSystemViewAsync();
        var expected = (hiveStyle, urlEncode) switch
        {
            (false, _) => new[] { "2024/01/x y", "__HIVE_DEFAULT_PARTITION__/z", "q/__HIVE_DEFAULT_PARTITION__" },
            (true, false) => ["part=2024/01/name=x y", "part=__HIVE_DEFAULT_PARTITION__/name=z", "part=q/name=__HIVE_DEFAULT_PARTITION__"],
            (true, true) => ["part=2024%2F01/name=x y", "part=__HIVE_DEFAULT_PARTITION__/name=z", "part=q/name=__HIVE_DEFAULT_PARTITION__"],
        };
        // Without url-encoding a '/' in a value makes another folder level (Hudi does the same); Hive's escaping
        // leaves spaces alone.
        view.Partitions.Select(p => p.Path).Should().BeEquivalentTo(expected);

        var keys = new List<string>();
        await foreach (var batch in table.ReadAsync(new HudiQuery { Columns = [HoodieMetaFields.RecordKey] }))
        {
            keys.AddRange(batch.Rows().Select(r => (string)r[0]!));
        }

        keys.Should().BeEquivalentTo("id:1,name:x y", "id:2,name:z", "id:3,name:__empty__");
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_metadata_table_is_dropped_and_its_property_cleared_before_writing()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 3, 1, "a"))]);
        // As a Spark writer with the metadata table on would leave it.
        await place.Store.WriteAsync(".hoodie/metadata/.hoodie/hoodie.properties", Encoding.ASCII.GetBytes("hoodie.table.name=t_metadata\n"));
        await place.Store.WriteAsync(".hoodie/metadata/files/.files-0000_00000000000000010.log.1_0-0-0", new byte[] { 1 });
        var withMdt = (await HudiTable.OpenAsync(place.Store)).Config.With("hoodie.table.metadata.partitions", "files");
        await place.Store.WriteAsync(".hoodie/hoodie.properties", withMdt.ToBytes());

        await client.UpsertAsync([Recs.Batch(Recs.Range(3, 5, 1, "a"))]);

        Directory.Exists(Path.Combine(place.LocalPath!, ".hoodie", "metadata")).Should().BeFalse();
        var table = await HudiTable.OpenAsync(place.Store);
        table.Config.MetadataPartitions.Should().BeEmpty();
        table.Config["hoodie.table.metadata.partitions"].Should().BeNull();
        File.Exists(Path.Combine(place.LocalPath!, ".hoodie", "hoodie.properties.backup")).Should().BeFalse();
        var text = File.ReadAllText(Path.Combine(place.LocalPath!, ".hoodie", "hoodie.properties"), Encoding.Latin1);
        text.Should().StartWith("#Updated at ", "Java's comment when it rewrites a file with a valid checksum");
        table.Config.Checksum.Should().Be(TableConfig.ComputeChecksum("default", "t"));
        (await Recs.ReadAsync(table)).Select(r => r.Id).Should().Equal(0, 1, 2, 3, 4);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_failed_write_is_rolled_back_with_Avro_rollback_instants_before_the_next_one()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        var first = await client.UpsertAsync([Recs.Batch(Recs.Range(0, 4, 1, "a", "b"))]);
        var failing = new HudiWriteClient(place.Store, "", TestTables.WriteOptions(o =>
        {
            o.Observer = new FailAt(WriteStep.BaseFileWritten, 2);
            o.AbortOnFailure = false; // the failure stands for a crash: nothing cleans up after it
        }));
        var failed = () => failing.UpsertAsync([Recs.Batch(Recs.Range(0, 4, 2, "a", "b"))]);
        await failed.Should().ThrowAsync<InvalidOperationException>();

        var broken = await HudiTable.OpenAsync(place.Store);
        var pending = broken.Timeline.Pending.Should().ContainSingle().Subject;
        pending.State.Should().Be(InstantState.Inflight);
        (await Recs.ReadAsync(broken)).Should().Equal(Recs.Sorted(Recs.Range(0, 4, 1, "a", "b")), "readers see the last completed commit");
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().OnlyContain(p => p.Kind == HudiProblemKind.PendingFile).And.HaveCount(2);

        var next = await client.UpsertAsync([Recs.Batch([new Rec(7, "n", 3, "a")])]);

        var rollback = next.Rollbacks.Should().ContainSingle().Subject;
        rollback.RolledBackInstant.Should().Be(pending.Time);
        rollback.FilesDeleted.Should().Be(2);
        var table = await HudiTable.OpenAsync(place.Store);
        table.Timeline.Instants.Select(i => (i.Action, i.State)).Should().Equal(
            (HoodieActions.Commit, InstantState.Completed), (HoodieActions.Rollback, InstantState.Completed), (HoodieActions.Commit, InstantState.Completed));
        table.TimelineFiles.Select(f => f.Name).Should().NotContain(n => n.StartsWith(pending.Time, StringComparison.Ordinal));
        File.ReadAllBytes(Path.Combine(place.LocalPath!, ".hoodie", $"{rollback.RollbackInstant}.rollback.inflight")).Should().BeEmpty();
        var plan = (Dictionary<string, object?>)TimelineAvroMetadata.Decode(await place.Store.ReadAllBytesAsync($".hoodie/{rollback.RollbackInstant}.rollback.requested"))!;
        ((Dictionary<string, object?>)plan["instantToRollback"]!).Should().BeEquivalentTo(new Dictionary<string, object?> { ["commitTime"] = pending.Time, ["action"] = "commit" });
        ((List<object?>)plan["RollbackRequests"]!).Should().HaveCount(2);
        plan["version"].Should().Be(1);
        var done = (Dictionary<string, object?>)TimelineAvroMetadata.Decode(await place.Store.ReadAllBytesAsync($".hoodie/{rollback.RollbackInstant}.rollback"))!;
        done["startRollbackTime"].Should().Be(rollback.RollbackInstant);
        done["commitsRollback"].Should().BeEquivalentTo(new List<object?> { pending.Time });
        done["totalFilesDeleted"].Should().Be(2);
        var partitions = (Dictionary<string, object?>)done["partitionMetadata"]!;
        partitions.Keys.Should().BeEquivalentTo("a", "b");
        ((List<object?>)((Dictionary<string, object?>)partitions["a"]!)["successDeleteFiles"]!).Should().ContainSingle()
            .Which.Should().BeOfType<string>().Which.Should().StartWith(place.LocalPath!).And.EndWith($"_{pending.Time}.parquet");
        Directory.EnumerateFiles(place.LocalPath!, $"*_{pending.Time}.parquet", SearchOption.AllDirectories).Should().BeEmpty();
        (await Recs.ReadAsync(table)).Select(r => (r.Id, r.Ts)).Should().Equal((0, 1), (1, 1), (2, 1), (3, 1), (7, 3));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
        first.InstantTime.Should().NotBeNull();
    }

    [Fact]
    public async Task The_validator_passes_on_the_fixtures_and_on_our_equivalent_tables()
    {
        // (v6_complexkeygen_hivestyle is left out: its bloom filters hold keys of another encoding than its rows, a
        // known quirk of that fixture that HudiTableValidatorTests pins.)
        foreach (var fixture in new[] { "v6_simplekeygen_nonhivestyle", "v6_nonpartitioned" })
        {
            using var copy = TableCopy.Of(fixture);
            (await HudiTableValidator.ValidateAsync(copy.Store)).Problems.Should().BeEmpty(fixture);
        }

        foreach (var (partitioned, hive) in new[] { (true, false), (true, true), (false, false) })
        {
            using var place = TestStore.Create("local");
            var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t", partitioned, hive));
            await client.UpsertAsync([Recs.Batch(Recs.Range(0, 10, 1, "a", "b"))]);
            await client.UpsertAsync([Recs.Batch(Recs.Range(5, 15, 2, "a", "b"))]);
            (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
            var files = Expected.BaseFiles(place.LocalPath!);
            Expected.DuckDbRows(place.LocalPath!, files, ["id", "name", "ts"]).Should().Equal(
                Recs.Range(0, 5, 1, "a", "b").Concat(Recs.Range(5, 15, 2, "a", "b"))
                    .Select(r => Expected.Normalize($"{{\"id\":{r.Id},\"name\":\"{r.Name}\",\"ts\":{r.Ts}}}"))
                    .Order(StringComparer.Ordinal));
        }
    }

    private static List<string> Folders(string root) =>
        [.. Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Select(d => Path.GetRelativePath(root, d).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static JsonElement FirstStat(JsonElement commit) => commit.GetProperty("partitionToWriteStats").EnumerateObject().First().Value[0];

    private sealed class FailAt(WriteStep step, int occurrence) : IWriteObserver
    {
        private int _seen;

        public void OnStep(WriteStep reached, string detail)
        {
            if (reached == step && ++_seen == occurrence)
            {
                throw new InvalidOperationException($"injected failure at {step} #{occurrence}");
            }
        }
    }
}
