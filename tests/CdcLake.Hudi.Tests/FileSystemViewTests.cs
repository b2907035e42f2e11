using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>Partitions, base file names, file groups and which slice of each a query sees.</summary>
public sealed class FileSystemViewTests
{
    private const string SimpleFileId10 = "97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0";
    private const string Simple20 = "20/76e0556b-390d-4249-b7ad-9059e2bc2cbd-0_0-98-141_20240418172802262.parquet";

    [Theory]
    [InlineData("a22e8257-e249-45e9-ba46-115bc85adcba-0_0-161-223_20240418173235694.parquet", "a22e8257-e249-45e9-ba46-115bc85adcba-0", "0-161-223", "20240418173235694")]
    [InlineData("abc_1-2-3_20240101.parquet", "abc", "1-2-3", "20240101")]
    public void Base_file_names_parse_into_file_id_write_token_and_instant(string name, string fileId, string token, string instant)
    {
        BaseFileName.TryParse(name, out var parsed).Should().BeTrue();
        parsed.Should().Be(new BaseFileName(fileId, token, instant));
        parsed.ToString().Should().Be(name);
    }

    [Theory]
    [InlineData("part-00000-1234.snappy.parquet")]
    [InlineData("a_b_c.parquet")]
    [InlineData("a_b_1.parquet.crc")]
    [InlineData("a_b_1.log")]
    [InlineData("a_b_1_2.parquet")]
    [InlineData(".a_b_1.parquet")]
    [InlineData("a.b_1-2_3.parquet")]
    [InlineData(".hoodie_partition_metadata")]
    public void Other_names_are_not_base_files(string name) => BaseFileName.TryParse(name, out _).Should().BeFalse();

    [Fact]
    public async Task Partitions_are_the_folders_with_partition_metadata_and_group_their_base_files()
    {
        using var store = CdcLake.Storage.ObjectStores.For(HudiFixtures.TablePath("v6_complexkeygen_hivestyle"));
        var hudi = await HudiTable.OpenAsync(store);
        var view = await hudi.GetFileSystemViewAsync();

        view.Partitions.Select(p => p.Path).Should().Equal("byteField=10/shortField=300", "byteField=20/shortField=100", "byteField=30/shortField=100");
        view.Partitions[0].Values.Should().BeEquivalentTo(new Dictionary<string, string?> { ["byteField"] = "10", ["shortField"] = "300" });
        view.FileGroups.Should().HaveCount(3);
        var updated = view.FileGroups.Single(g => g.FileId == "a22e8257-e249-45e9-ba46-115bc85adcba-0");
        updated.Slices.Select(s => s.BaseInstantTime).Should().Equal(Expected.ComplexC1, Expected.ComplexC2);
        view.BaseFiles.Should().HaveCount(4);
        view.PartitionMetadataFiles.Should().HaveCount(3);
    }

    [Fact]
    public async Task The_root_is_the_partition_of_a_non_partitioned_table()
    {
        using var store = CdcLake.Storage.ObjectStores.For(HudiFixtures.TablePath("v6_nonpartitioned"));
        var view = await (await HudiTable.OpenAsync(store)).GetFileSystemViewAsync();

        view.Partitions.Select(p => p.Path).Should().Equal("");
        view.FileGroups.Single().Slices.Should().HaveCount(2);
        view.FileGroups.Single().Id.ToString().Should().Be("a079bdb3-731c-4894-b855-abfcd6921007-0");
    }

    [Fact]
    public async Task Files_that_are_not_Hudi_base_files_are_ignored()
    {
        using var copy = TableCopy.Of("v6_simplekeygen_nonhivestyle");
        copy.Write(".DS_Store", "junk");
        copy.Write("10/.DS_Store", "junk");
        copy.Write("10/_SUCCESS", "");
        copy.Write("10/.97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0_0-119-166_20240418172804498.parquet.crc", "");
        copy.Write("20/part-00000-c000.snappy.parquet", "not parquet");
        copy.Write("notes/readme.txt", "x");
        Directory.CreateDirectory(copy.PathOf("40"));
        copy.Copy(Simple20, "40/11111111-2222-3333-4444-555555555555-0_0-98-141_20240418172802262.parquet");

        var hudi = await copy.OpenAsync();
        var view = await hudi.GetFileSystemViewAsync();
        view.Partitions.Select(p => p.Path).Should().Equal("10", "20", "30");
        view.InvalidBaseFileNames.Select(e => e.Path).Should().Equal("20/part-00000-c000.snappy.parquet");
        view.StrayBaseFiles.Select(e => e.Path).Should().Equal("40/11111111-2222-3333-4444-555555555555-0_0-98-141_20240418172802262.parquet");
        view.IgnoredFiles.Select(e => e.Path).Should().BeEquivalentTo(
            ".DS_Store", "10/.DS_Store", "10/_SUCCESS", "10/.97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0_0-119-166_20240418172804498.parquet.crc", "notes/readme.txt");
        (await hudi.GetFileSlicesAsync()).Select(s => s.BaseFile.Path).Should().Equal(Expected.HandWritten["v6_simplekeygen_nonhivestyle"]);
        (await Expected.OurRows(hudi, HudiQuery.Snapshot)).Should().HaveCount(4);
    }

    [Fact]
    public async Task Files_of_pending_and_unknown_instants_are_invisible_and_older_ones_are_taken_for_archived()
    {
        using var copy = TableCopy.Of("v6_simplekeygen_nonhivestyle");
        const string pending = "20240418180000000";
        const string orphan = "20240418190000000";
        const string archived = "20230101000000000";
        copy.Write($".hoodie/{pending}.commit.requested", "");
        copy.Write($".hoodie/{pending}.inflight", "");
        copy.Copy(Simple20, $"20/76e0556b-390d-4249-b7ad-9059e2bc2cbd-0_0-1-1_{pending}.parquet");
        copy.Copy(Simple20, $"10/{SimpleFileId10}_0-2-2_{orphan}.parquet");
        var archivedFile = $"30/aaaaaaaa-0000-0000-0000-000000000000-0_0-3-3_{archived}.parquet";
        copy.Copy(Simple20, archivedFile);

        var hudi = await copy.OpenAsync();
        FileSystemView.StateOf(pending, hudi.Timeline).Should().Be(BaseFileState.Pending);
        FileSystemView.StateOf(orphan, hudi.Timeline).Should().Be(BaseFileState.Orphan);
        FileSystemView.StateOf(archived, hudi.Timeline).Should().Be(BaseFileState.Archived);
        FileSystemView.StateOf(Expected.SimpleC1, hudi.Timeline).Should().Be(BaseFileState.Committed);

        var slices = (await hudi.GetFileSlicesAsync()).Select(s => s.BaseFile.Path).ToList();
        slices.Should().Equal([.. Expected.HandWritten["v6_simplekeygen_nonhivestyle"], archivedFile]);
        (await hudi.GetFileSlicesAsync(HudiQuery.AsOf("20230601000000000"))).Select(s => s.BaseFile.Path).Should().Equal(archivedFile);
    }

    [Fact]
    public async Task File_groups_replaced_by_a_completed_replace_commit_are_left_out_from_its_instant_on()
    {
        using var copy = TableCopy.Of("v6_simplekeygen_nonhivestyle");
        const string replace = "20240418180000000";
        const string newFileId = "bbbbbbbb-0000-0000-0000-000000000000-0";
        var newFile = $"10/{newFileId}_0-1-1_{replace}.parquet";
        copy.Copy("10/97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0_0-119-166_20240418172804498.parquet", newFile);
        var metadata = new HoodieCommitMetadata
        {
            OperationType = WriteOperationType.InsertOverwrite,
            PartitionToReplaceFileIds = new(StringComparer.Ordinal) { ["10"] = [SimpleFileId10] },
        };
        metadata.AddWriteStat(new HoodieWriteStat { FileId = newFileId, Path = newFile, PartitionPath = "10", NumWrites = 2, NumInserts = 2 });
        copy.Write($".hoodie/{replace}.replacecommit.requested", "");
        copy.Write($".hoodie/{replace}.replacecommit.inflight", "");

        var pendingReplace = await copy.OpenAsync();
        (await pendingReplace.GetFileSlicesAsync()).Select(s => s.BaseFile.Path).Should().Equal(Expected.HandWritten["v6_simplekeygen_nonhivestyle"], "the replace is not complete");

        copy.Write($".hoodie/{replace}.replacecommit", metadata.ToJson());
        var hudi = await copy.OpenAsync();
        (await hudi.GetReplacedFileGroupsAsync()).Should().BeEquivalentTo(new Dictionary<FileGroupId, string> { [new FileGroupId("10", SimpleFileId10)] = replace });
        (await hudi.GetFileSlicesAsync()).Select(s => s.BaseFile.Path).Should().Equal(
            newFile,
            Expected.HandWritten["v6_simplekeygen_nonhivestyle"][1],
            Expected.HandWritten["v6_simplekeygen_nonhivestyle"][2]);
        (await hudi.GetFileSlicesAsync(HudiQuery.AsOf(Expected.SimpleC2))).Select(s => s.BaseFile.Path)
            .Should().Equal(Expected.HandWritten["v6_simplekeygen_nonhivestyle"], "before the replace, the old group is there");
        (await hudi.GetFileSlicesAsync(HudiQuery.Incremental(Expected.SimpleC2))).Select(s => s.BaseFile.Path).Should().Equal(newFile);
    }

    [Fact]
    public void Partition_values_are_read_back_from_the_folder_names()
    {
        HudiPartition.Parse("byteField=10/shortField=300", ["byteField", "shortField"], hiveStyle: true, urlEncoded: false)
            .Values.Should().BeEquivalentTo(new Dictionary<string, string?> { ["byteField"] = "10", ["shortField"] = "300" });
        HudiPartition.Parse("10/300", ["byteField", "shortField"], hiveStyle: false, urlEncoded: false)["shortField"].Should().Be("300");
        HudiPartition.Parse("dt=2024%2F01%2F02/__HIVE_DEFAULT_PARTITION__", ["dt", "region"], hiveStyle: true, urlEncoded: true)
            .Values.Should().BeEquivalentTo(new Dictionary<string, string?> { ["dt"] = "2024/01/02", ["region"] = null });
        HudiPartition.Parse("2024/01/02", ["dt"], hiveStyle: false, urlEncoded: false)["dt"].Should().Be("2024/01/02");
        HudiPartition.Parse("a/b/c", ["x", "y"], hiveStyle: false, urlEncoded: false).Values.Should().BeEmpty();
        HudiPartition.Parse("", [], hiveStyle: false, urlEncoded: false).Depth.Should().Be(0);
    }
}
