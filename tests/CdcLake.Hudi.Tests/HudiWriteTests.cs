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
        // 150 records of ~1 KB estimated each, files of 30 KB: a streamed bulk insert cuts files at their actual size,
        // so each partition's 50 small rows (a few KB) fit one file.
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("orders"), TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = 30 * 1024;
            o.RecordSizeEstimate = 1024;
        }));
        var records = Recs.Range(0, 150, ts: 1, "a", "b", "c");

        var result = await client.BulkInsertAsync([Recs.Batch(records)], new Dictionary<string, string> { ["deltastreamer.checkpoint.key"] = "cdc-0001" });

        result.OperationType.Should().Be(WriteOperationType.BulkInsert);
        result.Inserts.Should().Be(150);
        result.FileGroupsCreated.Should().Be(3, "50 records per partition, well under 30 KB");
        result.Metadata.ExtraMetadata["deltastreamer.checkpoint.key"].Should().Be("cdc-0001");
        result.Metadata.ExtraMetadata.Keys.First().Should().Be(HoodieCommitMetadata.SchemaKey);
        result.Metadata.AllWriteStats.Should().OnlyContain(s => s.PrevCommit == "null" && s.NumWrites == s.NumInserts && s.FileSizeInBytes > 0);
        result.Metadata.AllWriteStats.Select(s => s.NumWrites).Order().Should().Equal(50, 50, 50);
        if (place.LocalPath is { } folder)
        {
            File.ReadAllBytes(Path.Combine(folder, ".hoodie", $"{result.InstantTime}.inflight")).Should().BeEmpty("Hudi's bulk insert records no workload profile");
        }

        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(records));
        var report = await HudiTableValidator.ValidateAsync(place.Store);
        report.Problems.Should().BeEmpty();
        if (place.LocalPath is { } root)
        {
            var files = Expected.BaseFiles(root);
            files.Should().HaveCount(3);
            Expected.DuckDbRows(root, files, ["id", "name", "ts", "part"]).Should().HaveCount(150);
        }
    }

    [Fact]
    public async Task BulkInsert_with_combine_dedupes_sorts_and_splits_evenly()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("orders"), new HudiWriteOptions
        {
            LockProvider = NoLockForTests.Instance,
            TargetFileSizeBytes = 30 * 1024,
            BulkInsertCombine = true,
        });
        var records = Recs.Range(0, 150, ts: 1, "a", "b", "c");
        var duplicates = records.Take(10).Select(r => r with { Ts = 0, Name = "older" });

        var result = await client.BulkInsertAsync([Recs.Batch(duplicates), Recs.Batch(records)]);

        result.CombinedAway.Should().Be(10);
        result.Metadata.AllWriteStats.Select(s => s.NumWrites).Should().OnlyContain(n => n == 25, "50 rows per partition in two even files");
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(records));
        var ranges = new List<(string Partition, string Min, string Max)>();
        foreach (var slice in await table.GetFileSlicesAsync())
        {
            using var reader = await table.OpenBaseFileAsync(slice.BaseFile);
            ranges.Add((slice.PartitionPath, reader.Info.KeyValueMetadata["hoodie_min_record_key"]!, reader.Info.KeyValueMetadata["hoodie_max_record_key"]!));
        }

        // Sorted by key before cutting: the files of a partition hold disjoint key ranges (what makes range pruning work).
        foreach (var partition in ranges.GroupBy(r => r.Partition))
        {
            var ordered = partition.OrderBy(r => r.Min, StringComparer.Ordinal).ToList();
            ordered.Zip(ordered.Skip(1)).Should().OnlyContain(p => string.CompareOrdinal(p.First.Max, p.Second.Min) < 0);
        }

        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }
}

/// <summary>The operations (upsert, delete, precombine, small files, global index, insert-overwrite, clean) on both stores.</summary>
public sealed class HudiOperationTests(S3WriteFixture s3) : IClassFixture<S3WriteFixture>
{
    public static TheoryData<string> Stores() => ["local", "s3"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Upsert_touches_only_the_file_groups_whose_keys_it_changes(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = 20 * 1024;
            o.SmallFileLimitBytes = 0;
        }) with { BulkInsertCombine = true });
        var expected = Recs.Range(0, 120, ts: 1, "a", "b").ToDictionary(r => r.Id);
        var first = await client.BulkInsertAsync([Recs.Batch(expected.Values)]);
        first.FileGroupsCreated.Should().Be(6, "60 rows per partition at 20 per file");
        var before = await HudiTable.OpenAsync(place.Store);
        var slicesBefore = await before.GetFileSlicesAsync();

        // Keys 100, 102, 104 (partition a) and 200 (new, partition b). Keys are strings: partition a's first file
        // (sorted "0", "10", "100", ...) holds them all.
        var changes = new[] { 100L, 102, 104 }.Select(id => expected[id] with { Name = "changed", Ts = 2 }).Append(new Rec(200, "new", 2, "b", 1m, null)).ToList();
        var result = await client.UpsertAsync([Recs.Batch(changes)]);
        foreach (var c in changes)
        {
            expected[c.Id] = c;
        }

        var holders = slicesBefore.Where(s => s.PartitionPath == "a").ToList();
        var table = await HudiTable.OpenAsync(place.Store);
        var stats = result.Metadata.AllWriteStats.ToList();
        stats.Where(s => s.PrevCommit != "null").Should().OnlyContain(s => s.PartitionPath == "a" && s.NumUpdateWrites > 0);
        stats.Where(s => s.PrevCommit != "null").Sum(s => s.NumUpdateWrites).Should().Be(3);
        stats.Where(s => s.PrevCommit == "null").Should().ContainSingle().Which.Should().Match<HoodieWriteStat>(s => s.PartitionPath == "b" && s.NumInserts == 1 && s.NumWrites == 1);
        var touched = stats.Where(s => s.PrevCommit != "null").Select(s => s.FileId).ToHashSet();
        touched.Should().HaveCount(1);
        result.IndexFilesProbed.Should().Be(1, "min/max key ranges and bloom filters rule the other files out");
        result.IndexFootersRead.Should().Be(slicesBefore.Count);
        stats.Where(s => s.PrevCommit != "null").Should().OnlyContain(s => s.PrevCommit == first.InstantTime && s.NumWrites == 20);
        var slicesAfter = await table.GetFileSlicesAsync();
        slicesAfter.Where(s => !touched.Contains(s.FileId) && s.BaseInstantTime == result.InstantTime).Should().ContainSingle("only the new file group is new");
        slicesAfter.Where(s => !touched.Contains(s.FileId) && s.BaseInstantTime != result.InstantTime).Select(s => s.BaseFile.Path)
            .Should().BeEquivalentTo(slicesBefore.Where(s => !touched.Contains(s.FileId)).Select(s => s.BaseFile.Path));
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(expected.Values));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        // Time travel to the first commit and an incremental read since it.
        (await Recs.ReadAsync(table, HudiQuery.AsOf(first.InstantTime!))).Should().Equal(Recs.Sorted(Recs.Range(0, 120, ts: 1, "a", "b")));
        (await Recs.ReadAsync(table, HudiQuery.Incremental(first.InstantTime!))).Should().Equal(Recs.Sorted(changes));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Delete_removes_exactly_its_keys(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t", hiveStyle: true));
        var expected = Recs.Range(0, 40, ts: 1, "x", "y").ToDictionary(r => r.Id);
        await client.UpsertAsync([Recs.Batch(expected.Values)]);

        var doomed = new (long, string?)[] { (1, "y"), (2, "x"), (3, "y"), (999, "x"), (4, "y") };
        var result = await client.DeleteAsync([Recs.Keys(doomed)]);

        result.OperationType.Should().Be(WriteOperationType.Delete);
        result.Deletes.Should().Be(3, "key 4 lives in partition x, not y, and 999 nowhere");
        result.DeletesNotFound.Should().Be(2);
        result.Metadata.AllWriteStats.Sum(s => s.NumDeletes).Should().Be(3);
        result.Metadata.Schema.Should().NotBeNull();
        expected.Remove(1);
        expected.Remove(2);
        expected.Remove(3);
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(expected.Values));
        (await table.GetFileSystemViewAsync()).Partitions.Select(p => p.Path).Should().Equal("part=x", "part=y");
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Precombine_keeps_the_newest_version_of_a_key(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        await client.UpsertAsync([Recs.Batch([new Rec(1, "v5", 5, "a"), new Rec(2, "v5", 5, "a")])]);

        // In one input: key 3 three times (ts 7 wins though it is not last); key 1 older than stored (5) is ignored;
        // key 2 newer replaces.
        var result = await client.UpsertAsync(
        [
            Recs.Batch([new Rec(3, "v6", 6, "a"), new Rec(3, "v7", 7, "a"), new Rec(1, "v4", 4, "a")]),
            Recs.Batch([new Rec(3, "v2", 2, "a"), new Rec(2, "v9", 9, "a")]),
        ]);

        result.CombinedAway.Should().Be(2);
        result.StaleIgnored.Should().Be(1);
        result.Updates.Should().Be(1);
        result.Inserts.Should().Be(1);
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Select(r => (r.Id, r.Name)).Should().Equal((1, "v5"), (2, "v9"), (3, "v7"));

        // A pluggable ordering (the CDC job's order column): here, the name's text; "v1" < "v5" so key 1 stays.
        var byName = new HudiWriteClient(place.Store, "", TestTables.WriteOptions(o => o.Ordering = new PrecombineFieldOrdering("name")));
        var second = await byName.UpsertAsync([Recs.Batch([new Rec(1, "v1", 100, "a"), new Rec(2, "w0", 0, "a")])]);
        second.StaleIgnored.Should().Be(1);
        table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Select(r => (r.Id, r.Name)).Should().Equal((1, "v5"), (2, "w0"), (3, "v7"));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task An_upsert_whose_rows_are_all_stale_rewrites_nothing()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        var first = await client.UpsertAsync([Recs.Batch([new Rec(1, "v5", 5, "a")])]);
        var result = await client.UpsertAsync([Recs.Batch([new Rec(1, "v4", 4, "a")])]);
        result.FilesWritten.Should().Be(0);
        result.Metadata.AllWriteStats.Should().BeEmpty();
        Directory.EnumerateFiles(place.LocalPath!, "*.parquet", SearchOption.AllDirectories).Should().ContainSingle().Which.Should().EndWith($"_{first.InstantTime}.parquet");
        Directory.Exists(Path.Combine(place.LocalPath!, ".hoodie", ".temp", result.InstantTime!)).Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task New_inserts_fill_small_file_groups_first(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        // Each record is estimated at 1 KB; a file is small below 600 KB and grows up to 1 MB: a ~450 KB file takes ~500 more.
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = 1024 * 1024;
            o.SmallFileLimitBytes = 600 * 1024;
        }));
        var first = await client.UpsertAsync([Recs.Batch(Recs.Range(0, 10, 1, "a"))]);
        var groupId = first.Metadata.AllWriteStats.Single().FileId;

        var second = await client.UpsertAsync([Recs.Batch(Recs.Range(10, 30, 1, "a"))]);

        var stat = second.Metadata.AllWriteStats.Should().ContainSingle().Subject;
        stat.FileId.Should().Be(groupId, "the small file group takes the inserts");
        stat.PrevCommit.Should().Be(first.InstantTime);
        stat.NumInserts.Should().Be(20);
        stat.NumUpdateWrites.Should().Be(0);
        stat.NumWrites.Should().Be(30);
        second.FileGroupsCreated.Should().Be(0);

        // With the small-file limit off, new inserts start a new file group.
        var noSmall = new HudiWriteClient(place.Store, "", TestTables.WriteOptions(o => o.SmallFileLimitBytes = 0));
        var third = await noSmall.UpsertAsync([Recs.Batch(Recs.Range(30, 35, 1, "a"))]);
        third.FileGroupsCreated.Should().Be(1);
        third.Metadata.AllWriteStats.Single().FileId.Should().NotBe(groupId);
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(Recs.Range(0, 35, 1, "a")));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task Global_index_ignores_a_move_older_than_the_stored_record()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o =>
        {
            o.IndexType = HudiIndexType.GlobalBloom;
            o.Ordering = new PrecombineFieldOrdering("ts");
        }));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 6, 5, "a", "b"))]);

        // Key 2 (ts 5, in a) arrives older (ts 3) in b: it stays in a. Key 3 (ts 5, in b) arrives newer in a: it moves.
        var result = await client.UpsertAsync([Recs.Batch([new Rec(2, "stale", 3, "b"), new Rec(3, "newer", 7, "a")])]);

        result.StaleIgnored.Should().Be(1);
        result.Deletes.Should().Be(1);
        var rows = await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store));
        rows.Single(r => r.Id == 2).Should().Match<Rec>(r => r.Part == "a" && r.Ts == 5);
        rows.Single(r => r.Id == 3).Should().Match<Rec>(r => r.Part == "a" && r.Name == "newer");
        rows.Should().HaveCount(6);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Global_index_moves_a_key_whose_partition_changed(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o => o.IndexType = HudiIndexType.GlobalBloom));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 10, 1, "a", "b"))]);

        // Key 2 moves from a to b; key 3 (in b) stays; the same key twice in the input with different partitions is one record.
        var result = await client.UpsertAsync([Recs.Batch([new Rec(2, "moved", 2, "b"), new Rec(3, "same", 2, "b"), new Rec(5, "old", 0, "c"), new Rec(5, "moved", 3, "c")])]);

        result.CombinedAway.Should().Be(1);
        result.Deletes.Should().Be(2, "keys 2 and 5 left their old partitions");
        var table = await HudiTable.OpenAsync(place.Store);
        var rows = await Recs.ReadAsync(table);
        rows.Select(r => r.Id).Should().OnlyHaveUniqueItems();
        rows.Single(r => r.Id == 2).Should().Match<Rec>(r => r.Part == "b" && r.Name == "moved");
        rows.Single(r => r.Id == 5).Should().Match<Rec>(r => r.Part == "c" && r.Name == "moved");
        rows.Single(r => r.Id == 3).Name.Should().Be("same");
        rows.Should().HaveCount(10);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        // Without the global index the same move keeps both copies: the keys are per partition.
        var local = new HudiWriteClient(place.Store, "", TestTables.WriteOptions());
        await local.UpsertAsync([Recs.Batch([new Rec(2, "again", 4, "a")])]);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Count(r => r.Id == 2).Should().Be(2);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Insert_overwrite_replaces_file_groups_in_a_replacecommit(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        var first = await client.UpsertAsync([Recs.Batch(Recs.Range(0, 20, 1, "a", "b"))]);
        var before = await (await HudiTable.OpenAsync(place.Store)).GetFileSlicesAsync();

        var overwrite = await client.InsertOverwriteAsync([Recs.Batch(Recs.Range(100, 105, 2, "a"))], wholeTable: false);

        overwrite.Action.Should().Be(HoodieActions.ReplaceCommit);
        overwrite.OperationType.Should().Be(WriteOperationType.InsertOverwrite);
        overwrite.Metadata.PartitionToReplaceFileIds.Should().NotBeNull();
        overwrite.Metadata.PartitionToReplaceFileIds!.Keys.Should().Equal("a");
        overwrite.Metadata.PartitionToReplaceFileIds["a"].Should().Equal(before.Where(s => s.PartitionPath == "a").Select(s => s.FileId));
        var table = await HudiTable.OpenAsync(place.Store);
        table.Timeline.Completed.Select(i => i.Action).Should().Equal(HoodieActions.Commit, HoodieActions.ReplaceCommit);
        var files = table.TimelineFiles.Select(f => f.Name).ToList();
        files.Should().Contain($"{overwrite.InstantTime}.replacecommit.requested").And.Contain($"{overwrite.InstantTime}.replacecommit.inflight").And.Contain($"{overwrite.InstantTime}.replacecommit");
        var requested = (Dictionary<string, object?>)TimelineAvroMetadata.Decode(await place.Store.ReadAllBytesAsync($".hoodie/{overwrite.InstantTime}.replacecommit.requested"))!;
        requested.Should().BeEquivalentTo(new Dictionary<string, object?> { ["operationType"] = null, ["clusteringPlan"] = null, ["extraMetadata"] = null, ["version"] = null });
        HoodieCommitMetadata.Parse(await place.Store.ReadAllBytesAsync($".hoodie/{overwrite.InstantTime}.replacecommit.inflight")).OperationType.Should().Be(WriteOperationType.InsertOverwrite);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(Recs.Range(100, 105, 2, "a").Concat(Recs.Range(0, 20, 1, "a", "b").Where(r => r.Part == "b"))));
        (await Recs.ReadAsync(table, HudiQuery.AsOf(first.InstantTime!))).Should().Equal(Recs.Sorted(Recs.Range(0, 20, 1, "a", "b")));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        var whole = await client.InsertOverwriteAsync([Recs.Batch(Recs.Range(200, 203, 3, "c"))], wholeTable: true);
        whole.OperationType.Should().Be(WriteOperationType.InsertOverwriteTable);
        whole.Metadata.PartitionToReplaceFileIds!.Keys.Should().BeEquivalentTo("a", "b");
        table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(Recs.Range(200, 203, 3, "c")));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Clean_deletes_superseded_slices_beyond_the_retained_commits(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t", partitioned: false), TestTables.WriteOptions(o => o.CleanerCommitsRetained = 2));
        var commits = new List<string>();
        var expected = new Dictionary<long, Rec>();
        for (var round = 1; round <= 4; round++)
        {
            var rows = Recs.Range(0, 5, round);
            rows.ForEach(r => expected[r.Id] = r);
            commits.Add((await client.UpsertAsync([Recs.Batch(rows)])).InstantTime!);
        }

        var clean = await client.CleanAsync();

        // Retaining 2 commits: the earliest retained is commit 3; commit 2's slice is kept for queries as of commit 3;
        // commit 1's goes.
        clean.CleanInstant.Should().NotBeNull();
        clean.EarliestCommitToRetain.Should().Be(commits[2]);
        clean.FilesDeleted.Should().Be(1);
        clean.DeletedPaths.Single().Should().EndWith($"_{commits[0]}.parquet");
        var table = await HudiTable.OpenAsync(place.Store);
        table.Timeline.Completed.Last().Action.Should().Be(HoodieActions.Clean);
        var names = table.TimelineFiles.Select(f => f.Name).ToList();
        names.Should().Contain($"{clean.CleanInstant}.clean.requested").And.Contain($"{clean.CleanInstant}.clean.inflight").And.Contain($"{clean.CleanInstant}.clean");
        var plan = (Dictionary<string, object?>)TimelineAvroMetadata.Decode(await place.Store.ReadAllBytesAsync($".hoodie/{clean.CleanInstant}.clean.requested"))!;
        plan["policy"].Should().Be("KEEP_LATEST_COMMITS");
        ((Dictionary<string, object?>)plan["earliestInstantToRetain"]!)["timestamp"].Should().Be(commits[2]);
        var done = (Dictionary<string, object?>)TimelineAvroMetadata.Decode(await place.Store.ReadAllBytesAsync($".hoodie/{clean.CleanInstant}.clean"))!;
        done["totalFilesDeleted"].Should().Be(1);
        ((Dictionary<string, object?>)done["partitionMetadata"]!).Keys.Should().Equal("");
        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(expected.Values));
        (await Recs.ReadAsync(table, HudiQuery.AsOf(commits[2]))).Select(r => r.Ts).Distinct().Should().Equal(3);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        var again = await client.CleanAsync();
        again.CleanInstant.Should().BeNull("nothing more to clean");
    }

    [Fact]
    public async Task Cleaning_after_insert_overwrite_removes_replaced_file_groups()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o => o.CleanerCommitsRetained = 1));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 6, 1, "a", "b"))]);
        await client.InsertOverwriteAsync([Recs.Batch(Recs.Range(10, 12, 2, "a"))], wholeTable: false);
        await client.UpsertAsync([Recs.Batch(Recs.Range(20, 22, 3, "b"))]);
        await client.UpsertAsync([Recs.Batch(Recs.Range(30, 32, 4, "b"))]);

        var clean = await client.CleanAsync();

        clean.DeletedPaths.Should().HaveCount(2, "partition a's replaced group and partition b's superseded slice");
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Select(r => r.Id).Should().Equal(1, 3, 5, 10, 11, 20, 21, 30, 31);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }
}

/// <summary>Deletes under the global index name records by key alone.</summary>
public sealed class GlobalDeleteTests
{
    [Fact]
    public async Task A_global_delete_finds_the_key_in_whatever_partition_holds_it()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o => o.IndexType = HudiIndexType.GlobalBloom));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 9, 1, "a", "b", "c"))]);
        var idOnly = new CdcLake.Parquet.ParquetSchema([Recs.SourceSchema.Fields[0]]);
        var keys = new CdcLake.Parquet.RecordBatch(idOnly, [new CdcLake.Parquet.PrimitiveVector<long>(idOnly.Fields[0], [1, 5, 42], 3)], 3);

        var result = await client.DeleteAsync([keys]);

        result.Deletes.Should().Be(2);
        result.DeletesNotFound.Should().Be(1);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(0, 2, 3, 4, 6, 7, 8);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }
}

/// <summary>With AutoClean, every write ends with a clean, as Spark's writer does by default.</summary>
public sealed class AutoCleanTests
{
    [Fact]
    public async Task Each_write_cleans_after_its_commit()
    {
        using var place = TestStore.Create("local");
        await HudiWriteClient.CreateTableAsync(place.Store, "", TestTables.Options("t", partitioned: false), Recs.SourceSchema);
        var client = new HudiWriteClient(place.Store, "", new HudiWriteOptions { LockProvider = NoLockForTests.Instance, AutoClean = true, CleanerCommitsRetained = 1 });
        var results = new List<WriteResult>();
        for (var round = 1; round <= 3; round++)
        {
            results.Add(await client.UpsertAsync([Recs.Batch(Recs.Range(0, 3, round))]));
        }

        results[0].Clean!.CleanInstant.Should().BeNull("one commit: nothing to clean");
        results[1].Clean!.CleanInstant.Should().BeNull("the slice before the earliest retained commit stays");
        results[2].Clean!.FilesDeleted.Should().Be(1);
        Directory.EnumerateFiles(place.LocalPath!, "*.parquet").Should().HaveCount(2);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }
}

/// <summary>Deleting every row of a file group leaves an empty base file, as Hudi's merge handle does.</summary>
public sealed class EmptyFileGroupTests
{
    [Fact]
    public async Task Deleting_all_rows_of_a_file_group_writes_an_empty_slice()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 4, 1, "a", "b"))]);

        var result = await client.DeleteAsync([Recs.Keys([(0, "a"), (2, "a")])]);

        var stat = result.Metadata.AllWriteStats.Should().ContainSingle().Subject;
        stat.NumWrites.Should().Be(0);
        stat.NumDeletes.Should().Be(2);
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Select(r => r.Id).Should().Equal(1, 3);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        // The emptied group takes the partition's next inserts (it is the smallest file there).
        var again = await client.UpsertAsync([Recs.Batch([new Rec(8, "x", 2, "a")])]);
        again.Metadata.AllWriteStats.Single().FileId.Should().Be(stat.FileId);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(1, 3, 8);
    }
}
