using CdcLake.Storage;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>Opening tables: hoodie.properties, the version and layout, the timeline listing.</summary>
public sealed class HudiTableTests
{
    public static TheoryData<string, int, int, int> FixtureTimelines() => new()
    {
        // table, table version, completed writes, instant files
        { "v6_complexkeygen_hivestyle", 6, 2, 6 },
        { "v6_empty", 6, 0, 0 },
        { "v6_nonpartitioned", 6, 2, 6 },
        { "v6_simplekeygen_hivestyle_no_metafields", 6, 1, 3 },
        { "v6_simplekeygen_nonhivestyle", 6, 2, 6 },
        { "v8_nonpartitioned", 8, 2, 6 },
        { "v8_simplekeygen_nonhivestyle", 8, 2, 6 },
    };

    [Theory]
    [MemberData(nameof(FixtureTimelines))]
    public async Task Opens_every_fixture_with_its_config_and_timeline(string table, int version, int completedWrites, int instantFiles)
    {
        using var store = ObjectStores.For(HudiFixtures.TablePath(table));
        var hudi = await HudiTable.OpenAsync(store);

        hudi.Name.Should().Be(table);
        hudi.BasePath.Should().BeEmpty();
        hudi.Config.TableVersion.Should().Be(version);
        hudi.Layout.TableVersion.Should().Be(version);
        hudi.TimelineFolder.Should().Be(version == 6 ? ".hoodie" : ".hoodie/timeline");
        hudi.Timeline.CompletedWrites.Should().HaveCount(completedWrites);
        hudi.Timeline.CompletedWrites.Where(i => i.Action != HoodieActions.Commit).Should().BeEmpty();
        hudi.Timeline.Pending.Should().BeEmpty();
        hudi.TimelineFiles.Should().HaveCount(instantFiles);
        hudi.TimelineFiles.Where(f => !f.Path.StartsWith(hudi.TimelineFolder + "/", StringComparison.Ordinal)).Should().BeEmpty();
    }

    [Fact]
    public async Task The_timeline_ignores_the_folders_and_files_beside_the_instants()
    {
        using var copy = TableCopy.Of("v6_simplekeygen_nonhivestyle");
        copy.Write(".hoodie/.temp/20240418172804498/10/x.parquet.marker.CREATE", "");
        copy.Write(".hoodie/archived/20200101000000000.commit", "{}");
        copy.Write(".hoodie/metadata/.hoodie/20200101000000000.deltacommit", "{}");
        copy.Write(".hoodie/.aux/.bootstrap/.partitions/20200101000000000.commit", "");
        copy.Write(".hoodie/.20240418172804498.commit.crc", "");
        copy.Write(".hoodie/hoodie.properties.backup", File.ReadAllText(copy.PathOf(".hoodie/hoodie.properties")));

        var hudi = await copy.OpenAsync();
        hudi.Timeline.Instants.Select(i => i.Time).Should().Equal(Expected.SimpleC1, Expected.SimpleC2);
        hudi.TimelineFiles.Should().HaveCount(6);
    }

    [Fact]
    public async Task A_folder_without_hoodie_properties_is_not_a_table_but_the_backup_Java_leaves_is_read()
    {
        using var copy = TableCopy.Of("v6_nonpartitioned");
        var properties = File.ReadAllText(copy.PathOf(".hoodie/hoodie.properties"));
        copy.Delete(".hoodie/hoodie.properties");
        var open = () => copy.OpenAsync();
        await open.Should().ThrowAsync<HudiException>().WithMessage("*not a Hudi table*hoodie.properties does not exist*");

        copy.Write(".hoodie/hoodie.properties.backup", properties);
        (await copy.OpenAsync()).Name.Should().Be("v6_nonpartitioned");
    }

    [Fact]
    public async Task A_wrong_checksum_is_refused_as_Java_refuses_it()
    {
        using var copy = TableCopy.Of("v6_simplekeygen_nonhivestyle");
        EditProperties(copy, "hoodie.table.checksum=616688896", "hoodie.table.checksum=616688897");

        var open = () => copy.OpenAsync();
        (await open.Should().ThrowAsync<HudiConfigException>()).WithMessage("*hoodie.properties*hoodie.table.checksum=616688897 is wrong*616688896*");
    }

    [Theory]
    [InlineData("hoodie.table.version=6", "hoodie.table.version=5", "unsupported table version 5*upgrade*")]
    [InlineData("hoodie.table.version=6", "hoodie.table.version=9", "unsupported table version 9*")]
    [InlineData("hoodie.timeline.layout.version=1", "hoodie.timeline.layout.version=2", "unsupported table version 6*layout*")]
    public async Task Versions_other_than_6_and_8_are_refused(string from, string to, string message)
    {
        using var copy = TableCopy.Of("v6_simplekeygen_nonhivestyle");
        EditProperties(copy, from, to);

        var open = () => copy.OpenAsync();
        await open.Should().ThrowAsync<UnsupportedTableVersionException>().WithMessage(message);
    }

    [Fact]
    public async Task A_version_6_table_with_instants_in_the_version_8_folder_is_refused()
    {
        using var copy = TableCopy.Of("v6_simplekeygen_nonhivestyle");
        copy.Write(".hoodie/timeline/20250101000000000_20250101000001000.commit", "");

        var open = () => copy.OpenAsync();
        await open.Should().ThrowAsync<UnsupportedTableVersionException>().WithMessage("unsupported table version 6*part-way through an upgrade*");
    }

    [Fact]
    public async Task Merge_on_read_tables_are_refused()
    {
        using var copy = TableCopy.Of("v6_nonpartitioned");
        EditProperties(copy, "hoodie.table.type=COPY_ON_WRITE", "hoodie.table.type=MERGE_ON_READ");

        var open = () => copy.OpenAsync();
        await open.Should().ThrowAsync<HudiConfigException>().WithMessage("*MERGE_ON_READ*only COPY_ON_WRITE*");
    }

    [Fact]
    public async Task Refresh_sees_instants_added_since_the_table_was_opened()
    {
        using var copy = TableCopy.Of("v6_simplekeygen_nonhivestyle");
        var hudi = await copy.OpenAsync();
        copy.Write(".hoodie/20240418180000000.commit.requested", "");

        hudi.Timeline.Instants.Should().HaveCount(2);
        var refreshed = await hudi.RefreshAsync();
        refreshed.Timeline.Pending.Select(i => i.Time).Should().Equal("20240418180000000");
        refreshed.Timeline.Pending.Single().State.Should().Be(InstantState.Requested);
    }

    [Fact]
    public async Task Commit_metadata_is_read_from_the_timeline_folder()
    {
        using var store = ObjectStores.For(HudiFixtures.TablePath("v6_simplekeygen_nonhivestyle"));
        var hudi = await HudiTable.OpenAsync(store);
        var metadata = await hudi.ReadCommitMetadataAsync(hudi.Timeline.LastCompletedWrite!);

        metadata.OperationType.Should().Be(WriteOperationType.Upsert);
        metadata.AllWriteStats.Select(s => s.Path).Should().BeEquivalentTo(
            "10/97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0_0-119-166_20240418172804498.parquet",
            "30/6db57019-98ee-480e-8eb1-fb3de48e1c24-0_1-119-167_20240418172804498.parquet");
    }

    [Fact]
    public async Task Version_8_commit_metadata_is_Avro_and_refused()
    {
        using var store = ObjectStores.For(HudiFixtures.TablePath("v8_nonpartitioned"));
        var hudi = await HudiTable.OpenAsync(store);
        var read = () => hudi.ReadCommitMetadataAsync(hudi.Timeline.LastCompletedWrite!);

        await read.Should().ThrowAsync<UnsupportedTableVersionException>().WithMessage("unsupported table version 8*Avro*");
    }

    internal static void EditProperties(TableCopy copy, string from, string to)
    {
        var path = copy.PathOf(".hoodie/hoodie.properties");
        var text = File.ReadAllText(path);
        text.Should().Contain(from);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }
}
