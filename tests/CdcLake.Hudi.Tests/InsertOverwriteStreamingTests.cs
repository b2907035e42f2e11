using System.Text.Json;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// Insert-overwrite streams its input like a bulk insert (files are written while the input is still being read),
/// replaces every current file group of the table (or of its partitions) in one replacecommit, and does not combine
/// keys unless <see cref="HudiWriteOptions.InsertOverwriteCombine"/> asks for the in-memory way.
/// </summary>
public sealed class InsertOverwriteStreamingTests(S3WriteFixture s3) : IClassFixture<S3WriteFixture>
{
    public static TheoryData<string> Stores() => ["local", "s3"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_whole_table_overwrite_writes_files_while_reading_its_input_and_replaces_every_group(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        var progress = new Progress();
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = 20 * 1024;
            o.SmallFileLimitBytes = 0;
            o.Observer = progress;
        }));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 30, 1, "a", "b", "c"))]);
        await client.UpsertAsync([Recs.Batch(Recs.Range(30, 40, 1, "a", "b", "c"))]);
        var before = await (await HudiTable.OpenAsync(place.Store)).GetFileSlicesAsync();
        before.Should().HaveCountGreaterThan(3);
        var reload = Recs.Range(1000, 2000, 2, "a", "d");

        var result = await client.InsertOverwriteAsync(progress.Batches(reload, size: 50), wholeTable: true, new Dictionary<string, string> { ["checkpoint"] = "full-load" });

        progress.YieldedAtFirstFile.Should().BeLessThan(20, "the first file is complete before the input is read to its end");
        (result.Action, result.OperationType).Should().Be((HoodieActions.ReplaceCommit, WriteOperationType.InsertOverwriteTable));
        (result.Inserts, result.FileGroupsReplaced).Should().Be((1000, before.Count));
        result.FileGroupsCreated.Should().BeGreaterThan(2, "files are cut once they hold 20 KB");
        result.Metadata.ExtraMetadata["checkpoint"].Should().Be("full-load");
        result.Metadata.PartitionToReplaceFileIds!.Keys.Should().Equal("a", "b", "c");
        result.Metadata.PartitionToReplaceFileIds.SelectMany(p => p.Value.Select(id => (p.Key, id)))
            .Should().BeEquivalentTo(before.Select(s => (s.PartitionPath, s.FileId)), "every current file group of the table is replaced");
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(reload));
        (await table.GetFileSlicesAsync()).Should().HaveCount(result.FileGroupsCreated).And.OnlyContain(s => s.BaseInstantTime == result.InstantTime);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        if (place.LocalPath is { } root)
        {
            // The replacecommit read as JSON, independently of our parser: the base files of its replaced groups are left out.
            using var commit = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, ".hoodie", $"{result.InstantTime}.replacecommit")));
            var replaced = commit.RootElement.GetProperty("partitionToReplaceFileIds").EnumerateObject().SelectMany(p => p.Value.EnumerateArray().Select(v => v.GetString()!)).ToHashSet();
            replaced.Should().HaveCount(before.Count);
            var files = Expected.BaseFiles(root).Where(f => !replaced.Any(id => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal))).ToList();
            string[] columns = ["id", "name", "ts", "part"];
            var duck = Expected.DuckDbRows(root, files, columns);
            duck.Should().HaveCount(1000);
            duck.Should().Equal(await Expected.OurRows(table, new HudiQuery { Columns = columns }));
        }
    }

    [Fact]
    public async Task With_InsertOverwriteCombine_the_input_is_read_whole_first_and_keys_combined()
    {
        using var place = TestStore.Create("local");
        var progress = new Progress();
        var options = TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = 20 * 1024;
            o.Observer = progress;
        });
        var streaming = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), options);
        await streaming.UpsertAsync([Recs.Batch(Recs.Range(0, 10, 1, "a"))]);
        var duplicated = Recs.Range(100, 500, 1, "a", "b").Append(new Rec(100, "newer", 2, "a")).ToList();

        // Streaming: the key is written twice (the caller must not repeat keys; a DMS full load does not).
        var streamed = await streaming.InsertOverwriteAsync(progress.Batches(duplicated, size: 50), wholeTable: true);
        streamed.CombinedAway.Should().Be(0);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Count(r => r.Id == 100).Should().Be(2);

        var combining = new HudiWriteClient(place.Store, "", options with { InsertOverwriteCombine = true });
        var combined = await combining.InsertOverwriteAsync(progress.Batches(duplicated, size: 50), wholeTable: true);

        progress.YieldedAtFirstFile.Should().Be(9, "every batch is read before the first file is written");
        combined.CombinedAway.Should().Be(1);
        var expected = Recs.Range(101, 500, 1, "a", "b").Append(new Rec(100, "newer", 2, "a"));
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Should().Equal(Recs.Sorted(expected));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task An_empty_whole_table_overwrite_empties_the_table_and_marked_deletes_are_left_out()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions() with { DeleteMarkerField = "_hoodie_is_deleted" });
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 9, 1, "a", "b", "c"))]);

        var marked = await client.InsertOverwriteAsync([UpsertWithDeletesTests.WithMarker([(new Rec(1, "kept", 2, "a"), false), (new Rec(2, null, 2, "b"), true)])], wholeTable: true);
        (marked.Inserts, marked.DeletesNotFound, marked.FileGroupsReplaced).Should().Be((1, 1, 3));
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => (r.Id, r.Name)).Should().Equal((1, "kept"));

        var empty = await client.InsertOverwriteAsync([], wholeTable: true);

        (empty.Action, empty.Inserts, empty.FileGroupsReplaced).Should().Be((HoodieActions.ReplaceCommit, 0, 1));
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Should().BeEmpty();
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    /// <summary>Hands out the input lazily and notes how many batches were handed out when the first base file was written.</summary>
    private sealed class Progress : IWriteObserver
    {
        private int _yielded;

        public int? YieldedAtFirstFile { get; private set; }

        public IEnumerable<RecordBatch> Batches(IReadOnlyList<Rec> rows, int size)
        {
            _yielded = 0;
            YieldedAtFirstFile = null;
            for (var start = 0; start < rows.Count; start += size)
            {
                _yielded++;
                yield return Recs.Batch(rows.Skip(start).Take(size));
            }
        }

        public void OnStep(WriteStep step, string detail)
        {
            if (step == WriteStep.BaseFileWritten)
            {
                YieldedAtFirstFile ??= _yielded;
            }
        }
    }
}
