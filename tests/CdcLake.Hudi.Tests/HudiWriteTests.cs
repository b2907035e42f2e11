using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// The write operations against both stores (local disk and s3rver), each checked against an expected table
/// computed here independently (a dictionary of records), read back through the read side, and validated.
/// </summary>
public sealed class HudiWriteTests(S3WriteFixture s3) : IClassFixture<S3WriteFixture>
{
    public static TheoryData<string> Stores() => ["local", "s3"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task BulkInsert_writes_sized_file_groups_that_read_back_and_validate(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        // 150 records of ~1 KB estimated each into files of 50 KB: 3 partitions of 50 → one file group of 50 rows... make it 2.
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("orders"), TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = 30 * 1024;
            o.RecordSizeEstimate = 1024;
        }));
        var records = Recs.Range(0, 150, ts: 1, "a", "b", "c");

        var result = await client.BulkInsertAsync([Recs.Batch(records)], new Dictionary<string, string> { ["deltastreamer.checkpoint.key"] = "cdc-0001" });

        result.OperationType.Should().Be(WriteOperationType.BulkInsert);
        result.Inserts.Should().Be(150);
        result.FileGroupsCreated.Should().Be(6, "50 records per partition, 30 per file: two files each");
        result.Metadata.ExtraMetadata["deltastreamer.checkpoint.key"].Should().Be("cdc-0001");
        result.Metadata.ExtraMetadata.Keys.First().Should().Be(HoodieCommitMetadata.SchemaKey);
        result.Metadata.AllWriteStats.Should().OnlyContain(s => s.PrevCommit == "null" && s.NumWrites == s.NumInserts && s.NumWrites == 25 && s.FileSizeInBytes > 0);

        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(records));
        var report = await HudiTableValidator.ValidateAsync(place.Store);
        report.Problems.Should().BeEmpty();
        if (place.LocalPath is { } root)
        {
            var files = Expected.BaseFiles(root);
            files.Should().HaveCount(6);
            Expected.DuckDbRows(root, files, ["id", "name", "ts", "part"]).Should().HaveCount(150);
        }
    }
}
