using System.Buffers.Binary;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>How a streamed write (bulk insert, insert-overwrite) sizes its base files.</summary>
public sealed class FileSizingTests
{
    [Fact]
    public async Task A_first_bulk_insert_cuts_files_at_their_actual_size_not_at_the_record_size_estimate()
    {
        using var place = TestStore.Create("local");
        const long Target = 1L << 20;
        // No earlier commit measures the records, so the estimate is Hudi's 1 KB: cut by it, the files would hold
        // 1024 rows (~25 KB) each. Small row groups make the written bytes, not a buffered estimate, dominate.
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = Target;
            o.RecordSizeEstimate = 1024;
        }) with { RowGroupRows = 5_000 });
        var records = Recs.Range(0, 150_000, ts: 1, "a");

        var result = await client.BulkInsertAsync(records.Chunk(10_000).Select(Recs.Batch));

        result.Inserts.Should().Be(records.Count);
        var root = place.LocalPath!;
        // The bytes of each file before its footer, measured on the file: size − "PAR1" − footer − length − "PAR1".
        var dataBytes = Expected.BaseFiles(root).Select(path =>
        {
            var bytes = File.ReadAllBytes(Path.Combine(root, path));
            return bytes.Length - 12L - BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        }).Order().ToList();
        var total = dataBytes.Sum();
        dataBytes.Should().HaveCount(result.FileGroupsCreated);
        total.Should().BeGreaterThan(2 * Target, "the input fills a few files");
        result.FileGroupsCreated.Should().BeLessThanOrEqualTo((int)(total / Target) + 1);
        dataBytes.Skip(1).Should().OnlyContain(b => b >= Target * 0.95 && b <= Target * 1.05, "every file but the remainder holds about the target");
        dataBytes[0].Should().BeLessThanOrEqualTo((long)(Target * 1.05));
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(records));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }
}
