using Amazon.Runtime;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// Reads of every fixture table (snapshot, time travel, incremental, projection, partition pruning), each
/// checked against an independent computation: the base files chosen by hand and by
/// <see cref="Expected.BaseFiles"/> from file names and completed commit file names alone, and their rows as
/// DuckDB reads those files, compared as canonical JSON with our rows rendered by the CLI's formatter.
/// Run on the local file system and, in <see cref="S3HudiReadTests"/>, on the same tables uploaded to S3.
/// </summary>
public abstract class HudiReadContract
{
    public static TheoryData<string> AllTables() => HudiFixtures.AllTables();

    public static TheoryData<string> V6Tables() => HudiFixtures.V6Tables();

    public static TheoryData<string, string> TwoCommitTables() => Expected.TwoCommitTables();

    /// <summary>The fixture table as this test class stores it.</summary>
    protected abstract Task<HudiTable> OpenAsync(string table);

    [Theory]
    [MemberData(nameof(AllTables))]
    public async Task Snapshot_reads_the_latest_committed_slice_of_every_file_group(string table)
    {
        var hudi = await OpenAsync(table);
        var slices = await hudi.GetFileSlicesAsync();

        var paths = slices.Select(s => s.BaseFile.Path).Order(StringComparer.Ordinal).ToList();
        paths.Should().Equal(Expected.HandWritten[table]);
        paths.Should().Equal(Expected.BaseFiles(HudiFixtures.TablePath(table)));
    }

    [Theory]
    [MemberData(nameof(AllTables))]
    public async Task Snapshot_rows_equal_DuckDB_over_the_same_base_files(string table)
    {
        var hudi = await OpenAsync(table);
        var ours = await Expected.OurRows(hudi, HudiQuery.Snapshot);

        ours.Should().Equal(Expected.DuckDbRows(HudiFixtures.TablePath(table), Expected.HandWritten[table]));
        if (table != "v6_empty")
        {
            ours.Should().NotBeEmpty();
        }
    }

    [Theory]
    [MemberData(nameof(TwoCommitTables))]
    public async Task Time_travel_to_the_first_commit_reads_its_slices(string table, string firstCommit)
    {
        var hudi = await OpenAsync(table);
        var query = HudiQuery.AsOf(firstCommit);
        var slices = (await hudi.GetFileSlicesAsync(query)).Select(s => s.BaseFile.Path).Order(StringComparer.Ordinal).ToList();

        slices.Should().Equal(Expected.HandWritten[$"{table}@{firstCommit}"]);
        slices.Should().Equal(Expected.BaseFiles(HudiFixtures.TablePath(table), firstCommit));
        var ours = await Expected.OurRows(hudi, query);
        ours.Should().Equal(Expected.DuckDbRows(HudiFixtures.TablePath(table), slices));
        ours.Should().OnlyContain(row => row.Contains($"\"_hoodie_commit_time\":\"{firstCommit}\"", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TwoCommitTables))]
    public async Task Time_travel_before_the_first_commit_is_empty_and_to_a_later_time_is_the_snapshot(string table, string firstCommit)
    {
        var hudi = await OpenAsync(table);

        (await hudi.GetFileSlicesAsync(HudiQuery.AsOf("20240101000000000"))).Should().BeEmpty();
        (await Expected.OurRows(hudi, HudiQuery.AsOf("20240101000000000"))).Should().BeEmpty();
        (await Expected.OurRows(hudi, HudiQuery.AsOf("29991231235959999")))
            .Should().Equal(await Expected.OurRows(hudi, HudiQuery.Snapshot));
        (await Expected.OurRows(hudi, HudiQuery.AsOf(firstCommit[..14])))
            .Should().BeEmpty("a 14-digit instant is compared as a string, and sorts before the 17-digit instant of its second");
    }

    [Theory]
    [MemberData(nameof(TwoCommitTables))]
    public async Task Incremental_since_the_first_commit_returns_the_rows_of_the_second(string table, string firstCommit)
    {
        var hudi = await OpenAsync(table);
        var query = HudiQuery.Incremental(firstCommit);
        var slices = (await hudi.GetFileSlicesAsync(query)).Select(s => s.BaseFile.Path).Order(StringComparer.Ordinal).ToList();

        var written = Expected.BaseFiles(HudiFixtures.TablePath(table)).Where(p => string.CompareOrdinal(p[^25..^8], firstCommit) > 0).ToList();
        slices.Should().Equal(written, "the slices the second commit wrote");
        var ours = await Expected.OurRows(hudi, query);
        ours.Should().Equal(Expected.DuckDbRows(HudiFixtures.TablePath(table), written, where: $"_hoodie_commit_time > '{firstCommit}'"));
        ours.Should().NotBeEmpty();
    }

    [Theory]
    [MemberData(nameof(TwoCommitTables))]
    public async Task Incremental_bounds_are_exclusive_then_inclusive(string table, string firstCommit)
    {
        var hudi = await OpenAsync(table);
        var snapshot = await Expected.OurRows(hudi, HudiQuery.Snapshot);

        (await Expected.OurRows(hudi, HudiQuery.Incremental("19700101000000000"))).Should().Equal(snapshot, "since before every commit: every row");
        (await Expected.OurRows(hudi, HudiQuery.Incremental(firstCommit, firstCommit))).Should().BeEmpty();
        var onlyFirst = await Expected.OurRows(hudi, HudiQuery.Incremental("19700101000000000", firstCommit));
        onlyFirst.Should().Equal(Expected.DuckDbRows(
            HudiFixtures.TablePath(table),
            Expected.HandWritten[$"{table}@{firstCommit}"],
            where: $"_hoodie_commit_time <= '{firstCommit}'"));
        var latest = hudi.Timeline.LastCompletedWrite!.Time;
        (await Expected.OurRows(hudi, HudiQuery.Incremental(latest))).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(V6Tables))]
    public async Task Projection_reads_the_named_columns_in_order(string table)
    {
        var hudi = await OpenAsync(table);
        string[] columns = [.. HoodieMetaFields.All, "name", "id"];
        if (table != "v6_empty")
        {
            columns = [.. columns, "structField", "mapField"];
        }

        var query = new HudiQuery { Columns = columns };
        var schema = await hudi.GetSchemaAsync(query);
        schema.Fields.Select(f => f.Name).Should().Equal(columns);
        var ours = await Expected.OurRows(hudi, query);
        ours.Should().Equal(Expected.DuckDbRows(HudiFixtures.TablePath(table), Expected.HandWritten[table], columns));

        var missing = () => hudi.GetSchemaAsync(new HudiQuery { Columns = ["id", "nope"] });
        await missing.Should().ThrowAsync<HudiException>().WithMessage("*no column named 'nope'*");
    }

    [Fact]
    public async Task Incremental_projection_leaves_out_the_commit_time_it_filters_on()
    {
        var hudi = await OpenAsync("v6_complexkeygen_hivestyle");
        var query = HudiQuery.Incremental(Expected.ComplexC1) with { Columns = ["name", "arrayField", "mapField", "structField"] };
        var ours = await Expected.OurRows(hudi, query);

        ours.Should().Equal(Expected.DuckDbRows(
            HudiFixtures.TablePath("v6_complexkeygen_hivestyle"),
            Expected.HandWritten["v6_complexkeygen_hivestyle"].Where(p => p.EndsWith(Expected.ComplexC2 + ".parquet", StringComparison.Ordinal)).ToList(),
            query.Columns,
            $"_hoodie_commit_time > '{Expected.ComplexC1}'"));
        ours.Should().HaveCount(2, "Alice (updated) and Diana (new); Carol, copied through the rewrite, keeps the first commit's time");
    }

    [Fact]
    public async Task Partition_pruning_reads_only_the_matching_partitions_of_a_hive_style_table()
    {
        const string table = "v6_complexkeygen_hivestyle";
        var hudi = await OpenAsync(table);
        var query = new HudiQuery { PartitionFilter = p => p["byteField"] is "10" or "30" && p["shortField"] != "999" };
        var slices = await hudi.GetFileSlicesAsync(query);

        slices.Select(s => s.PartitionPath).Should().Equal("byteField=10/shortField=300", "byteField=30/shortField=100");
        (await Expected.OurRows(hudi, query)).Should().Equal(Expected.DuckDbRows(
            HudiFixtures.TablePath(table),
            [.. slices.Select(s => s.BaseFile.Path)]));
        (await hudi.GetFileSlicesAsync(HudiQuery.AsOf(Expected.ComplexC1) with { PartitionFilter = p => p["shortField"] == "100" }))
            .Select(s => s.PartitionPath).Should().Equal("byteField=20/shortField=100");
    }

    [Fact]
    public async Task Partition_pruning_matches_bare_folder_names_to_the_partition_fields()
    {
        const string table = "v6_simplekeygen_nonhivestyle";
        var hudi = await OpenAsync(table);
        var view = await hudi.GetFileSystemViewAsync();
        view.Partitions.Select(p => $"{p.Path}:{p["byteField"]}").Should().Equal("10:10", "20:20", "30:30");

        var query = new HudiQuery { PartitionFilter = p => p["byteField"] == "20" };
        (await Expected.OurRows(hudi, query)).Should().Equal(Expected.DuckDbRows(
            HudiFixtures.TablePath(table),
            ["20/76e0556b-390d-4249-b7ad-9059e2bc2cbd-0_0-98-141_20240418172802262.parquet"]));
    }

    [Theory]
    [InlineData("v8_nonpartitioned")]
    [InlineData("v8_simplekeygen_nonhivestyle")]
    public async Task Version_8_tables_read_snapshots_and_refuse_time_travel_and_incremental_reads(string table)
    {
        var hudi = await OpenAsync(table);
        hudi.Layout.LayoutVersion.Should().Be(2);
        hudi.Timeline.CompletedWrites.Should().HaveCount(2).And.OnlyContain(i => i.CompletionTime != null);

        var first = hudi.Timeline.CompletedWrites.First().Time;
        var asOf = () => hudi.GetFileSlicesAsync(HudiQuery.AsOf(first));
        (await asOf.Should().ThrowAsync<UnsupportedTableVersionException>()).WithMessage("unsupported table version 8*");
        var incremental = () => Expected.OurRows(hudi, HudiQuery.Incremental(first));
        (await incremental.Should().ThrowAsync<UnsupportedTableVersionException>()).Which.Version.Should().Be(8);
    }

    [Fact]
    public async Task A_table_without_meta_fields_reads_but_refuses_incremental_reads()
    {
        var hudi = await OpenAsync("v6_simplekeygen_hivestyle_no_metafields");
        (await Expected.OurRows(hudi, HudiQuery.AsOf(Expected.NoMetaC1))).Should().HaveCount(4);

        var incremental = () => hudi.GetFileSlicesAsync(HudiQuery.Incremental("20240101000000000"));
        await incremental.Should().ThrowAsync<HudiException>().WithMessage("*hoodie.populate.meta.fields=false*");
    }

    [Fact]
    public async Task An_empty_table_has_no_rows_and_the_schema_it_was_created_with()
    {
        var hudi = await OpenAsync("v6_empty");
        (await hudi.GetSchemaAsync()).Fields.Select(f => f.Name).Should().Equal([.. HoodieMetaFields.All, "id", "name", "isActive"]);
        (await Expected.OurRows(hudi, HudiQuery.Snapshot)).Should().BeEmpty();
    }

    [Fact]
    public async Task Bad_instants_are_refused()
    {
        var hudi = await OpenAsync("v6_simplekeygen_nonhivestyle");
        await FluentActions.Invoking(() => hudi.GetFileSlicesAsync(HudiQuery.AsOf("2024-04-18"))).Should().ThrowAsync<ArgumentException>().WithMessage("*as-of*");
        await FluentActions.Invoking(() => hudi.GetFileSlicesAsync(HudiQuery.Incremental(Expected.SimpleC2, Expected.SimpleC1)))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*after the as-of instant*");
    }
}

/// <summary>The read contract on the unzipped fixtures, through a local store rooted at each table.</summary>
public sealed class LocalHudiReadTests : HudiReadContract, IDisposable
{
    private readonly List<IObjectStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    protected override Task<HudiTable> OpenAsync(string table)
    {
        // Root the store above the table, so the table's base path is not empty.
        var store = ObjectStores.For(Path.GetDirectoryName(HudiFixtures.TablePath(table))!);
        _stores.Add(store);
        return HudiTable.OpenAsync(store, table);
    }
}

/// <summary>s3rver holding every fixture table under <c>s3://lake/tables/&lt;table&gt;/</c>, uploaded once.</summary>
public sealed class HudiS3Fixture : IDisposable
{
    public const string Bucket = "lake";

    public HudiS3Fixture()
    {
        Server = new S3Server(Bucket);
        Options = new S3StoreOptions
        {
            ServiceUrl = Server.ServiceUrl,
            ForcePathStyle = true,
            Region = S3Server.Region,
            Credentials = new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey),
            UseChunkEncoding = false,
            ConditionalWritesSupported = false,
        };
        Store = ObjectStores.For($"s3://{Bucket}/tables", Options);
        foreach (var table in HudiFixtures.TableNames)
        {
            var root = HudiFixtures.TablePath(table);
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                Store.WriteAsync($"{table}/{relative}", File.ReadAllBytes(file)).GetAwaiter().GetResult();
            }
        }
    }

    public S3Server Server { get; }

    public S3StoreOptions Options { get; }

    /// <summary>Rooted at <c>s3://lake/tables</c>.</summary>
    public IObjectStore Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        Server.Dispose();
    }
}

/// <summary>The read contract on the same tables in S3 (s3rver), read through <see cref="ObjectStores"/> with an endpoint override.</summary>
public sealed class S3HudiReadTests(HudiS3Fixture s3) : HudiReadContract, IClassFixture<HudiS3Fixture>
{
    [Fact]
    public async Task Opening_by_location_reads_the_same_table()
    {
        using var store = ObjectStores.For($"s3://{HudiS3Fixture.Bucket}/tables/v6_nonpartitioned", s3.Options);
        var hudi = await HudiTable.OpenAsync(store);
        hudi.BasePath.Should().BeEmpty();
        hudi.Location.ToString().Should().Be("s3://lake/tables/v6_nonpartitioned");
        (await Expected.OurRows(hudi, HudiQuery.Snapshot)).Should().Equal(
            Expected.DuckDbRows(HudiFixtures.TablePath("v6_nonpartitioned"), Expected.HandWritten["v6_nonpartitioned"]));

        var byPath = await HudiTable.OpenAsync(s3.Store, StorePath.Parse("s3://lake/tables/v6_nonpartitioned"));
        byPath.BasePath.Should().Be("v6_nonpartitioned");
    }

    protected override Task<HudiTable> OpenAsync(string table) => HudiTable.OpenAsync(s3.Store, table);
}
