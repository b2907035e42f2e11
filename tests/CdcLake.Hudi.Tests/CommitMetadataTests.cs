using System.Text;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

public class CommitMetadataTests
{
    public static TheoryData<string, string> V6InstantFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var table in HudiFixtures.V6TableNames)
        {
            foreach (var file in Directory.GetFiles(HudiFixtures.MetaFolder(table)).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            {
                if (file!.EndsWith(".commit", StringComparison.Ordinal) || file.EndsWith(".inflight", StringComparison.Ordinal))
                {
                    data.Add(table, file);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(V6InstantFiles))]
    public void Writes_every_fixture_commit_back_byte_for_byte(string table, string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(HudiFixtures.MetaFolder(table), file));
        var metadata = HoodieCommitMetadata.Parse(bytes);
        Encoding.UTF8.GetString(metadata.ToUtf8Bytes()).Should().Be(Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Reads_write_stats()
    {
        var metadata = HoodieCommitMetadata.Parse(File.ReadAllBytes(Path.Combine(HudiFixtures.MetaFolder("v6_complexkeygen_hivestyle"), "20240418173235694.commit")));
        metadata.OperationType.Should().Be(WriteOperationType.Upsert);
        metadata.Compacted.Should().BeFalse();
        metadata.PartitionToReplaceFileIds.Should().BeNull();
        metadata.PartitionToWriteStats.Keys.Should().Equal("byteField=10/shortField=300", "byteField=30/shortField=100");
        var update = metadata.PartitionToWriteStats["byteField=10/shortField=300"].Single();
        update.FileId.Should().Be("a22e8257-e249-45e9-ba46-115bc85adcba-0");
        update.Path.Should().Be("byteField=10/shortField=300/a22e8257-e249-45e9-ba46-115bc85adcba-0_0-161-223_20240418173235694.parquet");
        update.PrevCommit.Should().Be("20240418173213674");
        (update.NumWrites, update.NumUpdateWrites, update.NumInserts, update.NumDeletes).Should().Be((2L, 1L, 0L, 0L));
        update.TotalWriteBytes.Should().Be(441655);
        update.FileSizeInBytes.Should().Be(441655);
        update.PartitionPath.Should().Be("byteField=10/shortField=300");
        update.CdcStats.Should().BeNull();
        update.MinEventTime.Should().BeNull();
        update.RuntimeStats!.TotalUpsertTime.Should().Be(102);
        var insert = metadata.PartitionToWriteStats["byteField=30/shortField=100"].Single();
        insert.PrevCommit.Should().Be(HoodieWriteStat.NullCommit);
        metadata.Schema.Should().StartWith("{\"type\":\"record\",\"name\":\"v6_complexkeygen_hivestyle_record\"");
        metadata.AllWriteStats.Should().HaveCount(2);
    }

    [Fact]
    public void Non_partitioned_tables_use_the_empty_partition()
    {
        var metadata = HoodieCommitMetadata.Parse(File.ReadAllBytes(Path.Combine(HudiFixtures.MetaFolder("v6_nonpartitioned"), "20240418173550988.commit")));
        metadata.PartitionToWriteStats.Keys.Should().Equal("");
        metadata.AllWriteStats.Single().PartitionPath.Should().Be("");
    }

    [Fact]
    public void Builds_a_commit_in_sparks_shape()
    {
        var metadata = new HoodieCommitMetadata { OperationType = WriteOperationType.Upsert };
        metadata.AddWriteStat(new HoodieWriteStat
        {
            FileId = "f-0",
            Path = "p/f-0_0-1-2_20240101000000000.parquet",
            PartitionPath = "p",
            NumWrites = 3,
            NumInserts = 3,
            TotalWriteBytes = 10,
            FileSizeInBytes = 10,
            RuntimeStats = new HoodieRuntimeStats { TotalCreateTime = 5 },
        });
        metadata.Schema = "{\"a\":\"é\\\"\n\"}";
        metadata.ToJson().Should().Be(
            """
            {
              "partitionToWriteStats" : {
                "p" : [ {
                  "fileId" : "f-0",
                  "path" : "p/f-0_0-1-2_20240101000000000.parquet",
                  "cdcStats" : null,
                  "prevCommit" : "null",
                  "numWrites" : 3,
                  "numDeletes" : 0,
                  "numUpdateWrites" : 0,
                  "numInserts" : 3,
                  "totalWriteBytes" : 10,
                  "totalWriteErrors" : 0,
                  "tempPath" : null,
                  "partitionPath" : "p",
                  "totalLogRecords" : 0,
                  "totalLogFilesCompacted" : 0,
                  "totalLogSizeCompacted" : 0,
                  "totalUpdatedRecordsCompacted" : 0,
                  "totalLogBlocks" : 0,
                  "totalCorruptLogBlock" : 0,
                  "totalRollbackBlocks" : 0,
                  "fileSizeInBytes" : 10,
                  "minEventTime" : null,
                  "maxEventTime" : null,
                  "runtimeStats" : {
                    "totalScanTime" : 0,
                    "totalUpsertTime" : 0,
                    "totalCreateTime" : 5
                  }
                } ]
              },
              "compacted" : false,
              "extraMetadata" : {
                "schema" : "{\"a\":\"é\\\"\n\"}"
              },
              "operationType" : "UPSERT"
            }
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        new HoodieCommitMetadata().ToJson().Should().Be("{\n  \"partitionToWriteStats\" : { },\n  \"compacted\" : false,\n  \"extraMetadata\" : { },\n  \"operationType\" : null\n}");
    }

    [Fact]
    public void Replace_commits_carry_replaced_file_ids_after_the_operation_type()
    {
        var metadata = new HoodieCommitMetadata
        {
            OperationType = WriteOperationType.InsertOverwriteTable,
            PartitionToReplaceFileIds = new() { ["a"] = ["f1-0", "f2-0"], ["b"] = [] },
        };
        var json = metadata.ToJson();
        json.Should().EndWith("  \"operationType\" : \"INSERT_OVERWRITE_TABLE\",\n  \"partitionToReplaceFileIds\" : {\n    \"a\" : [ \"f1-0\", \"f2-0\" ],\n    \"b\" : [ ]\n  }\n}");
        var parsed = HoodieCommitMetadata.Parse(json);
        parsed.PartitionToReplaceFileIds!["a"].Should().Equal("f1-0", "f2-0");
        parsed.ToJson().Should().Be(json);
    }

    [Fact]
    public void Unknown_fields_survive_a_round_trip()
    {
        const string json = "{\n  \"partitionToWriteStats\" : {\n    \"\" : [ {\n      \"fileId\" : \"f\",\n      \"logVersion\" : 2,\n      \"recordsStats\" : {\n        \"x\" : [ 1.5, true ]\n      }\n    } ]\n  },\n  \"compacted\" : true,\n  \"extraMetadata\" : { },\n  \"operationType\" : \"INSERT\",\n  \"writePartitionPaths\" : [ \"\" ]\n}";
        var metadata = HoodieCommitMetadata.Parse(json);
        metadata.Compacted.Should().BeTrue();
        metadata.ExtensionData.Keys.Should().Equal("writePartitionPaths");
        var stat = metadata.AllWriteStats.Single();
        stat.ExtensionData.Keys.Should().Equal("logVersion", "recordsStats");
        var written = metadata.ToJson();
        written.Should().Contain("\"maxEventTime\" : null,\n      \"runtimeStats\" : null,\n      \"logVersion\" : 2,\n      \"recordsStats\" : {\n        \"x\" : [ 1.5, true ]\n      }\n    } ]");
        written.Should().EndWith("\"operationType\" : \"INSERT\",\n  \"writePartitionPaths\" : [ \"\" ]\n}");
        HoodieCommitMetadata.Parse(written).ToJson().Should().Be(written);
    }

    [Fact]
    public void Empty_requested_files_are_empty_metadata() =>
        HoodieCommitMetadata.Parse(ReadOnlySpan<byte>.Empty).PartitionToWriteStats.Should().BeEmpty();

    [Fact]
    public void Version_8_avro_instants_are_refused_clearly()
    {
        var file = Path.Combine(HudiFixtures.MetaFolder("v8_nonpartitioned"), "timeline", "20250713010535797_20250713010536200.commit");
        FluentActions.Invoking(() => HoodieCommitMetadata.Parse(File.ReadAllBytes(file)))
            .Should().Throw<UnsupportedTableVersionException>().WithMessage("unsupported table version 8: *Avro*");
    }

    [Fact]
    public void Malformed_json_is_a_hudi_error()
    {
        FluentActions.Invoking(() => HoodieCommitMetadata.Parse("{")).Should().Throw<HudiException>().WithMessage("*not valid JSON*");
        FluentActions.Invoking(() => HoodieCommitMetadata.Parse("{\"partitionToWriteStats\":{\"p\":[{\"numWrites\":\"x\"}]}}"))
            .Should().Throw<HudiException>().WithMessage("*wrong type*");
    }
}
