using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// A file group rewritten by an upsert (rows matched by the position the index found them at, the old file's bloom
/// filter carried over): its rows, meta columns and footer are checked against what the file must hold, computed here
/// from the rows, and its rows against DuckDB reading the file.
/// </summary>
public sealed class FileGroupRewriteTests
{
    private const string Marker = "_hoodie_is_deleted";

    [Fact]
    public async Task A_rewritten_file_keeps_unchanged_rows_and_has_exact_key_range_and_a_filter_with_every_key()
    {
        using var place = TestStore.Create("local");
        var options = TestTables.WriteOptions() with { RowGroupRows = 25, DeleteMarkerField = Marker };
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t", partitioned: false), options);
        var first = await client.BulkInsertAsync([Recs.Batch(Recs.Range(0, 100, ts: 1))]);
        var before = ReadRows(Path.Combine(place.LocalPath!, first.Metadata.AllWriteStats.Single().Path!));

        // Delete "0" (the smallest key as text) and "99" (the largest), update keys in three row groups, insert two
        // (the file is small: they join it).
        var updates = Recs.Range(0, 100, ts: 2).Where(r => r.Id is 10 or 40 or 41 or 77).ToList();
        var inserts = Recs.Range(100, 102, ts: 2);
        var result = await client.UpsertAsync([WithDeletes(updates.Concat(inserts).ToList(), [0, 99])]);

        result.Updates.Should().Be(4);
        result.Deletes.Should().Be(2);
        result.Inserts.Should().Be(2);
        result.RowGroupsCopied.Should().Be(1, "no change falls in rows 50-74: that row group is copied as stored");
        var stat = result.Metadata.AllWriteStats.Should().ContainSingle().Subject;
        var path = Path.Combine(place.LocalPath!, stat.Path!);
        var after = ReadRows(path);
        var expectedKeys = Enumerable.Range(1, 98).Concat([100, 101]).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        after.Select(r => r.Key).Should().BeEquivalentTo(expectedKeys);
        after.Should().OnlyContain(r => r.File == Path.GetFileName(path));

        // Rows no input touched keep their commit time and sequence number; the others carry this commit's.
        var changed = updates.Select(r => r.Id).Concat(inserts.Select(r => r.Id)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        foreach (var row in after)
        {
            if (changed.Contains(row.Key))
            {
                row.Time.Should().Be(result.InstantTime);
            }
            else
            {
                (row.Time, row.Seq).Should().Be(before.Single(b => b.Key == row.Key) is var old ? (old.Time, old.Seq) : default);
            }
        }

        using var reader = ParquetReader.Open(path);
        var footer = reader.Info.KeyValueMetadata;
        footer["hoodie_min_record_key"].Should().Be(expectedKeys.Min(StringComparer.Ordinal)).And.Be("1");
        footer["hoodie_max_record_key"].Should().Be(expectedKeys.Max(StringComparer.Ordinal)).And.Be("98");
        footer["hoodie_bloom_filter_type_code"].Should().Be("DYNAMIC_V0");
        var bloom = HoodieBloomFilter.FromFooter(footer)!;
        var fresh = HoodieBloomFilter.Create();
        (bloom.BitCount, bloom.HashCount).Should().Be((fresh.BitCount, fresh.HashCount));
        expectedKeys.Should().OnlyContain(k => bloom.MightContain(k));
        bloom.MightContain("not-a-key").Should().BeFalse();

        // DuckDB reads the same rows: ids, and the values the upsert wrote.
        var duck = DuckDb.Shared.Query($"select id, name, ts from read_parquet({DuckDb.Literal(path)}) order by id");
        var expected = Recs.Range(1, 99, ts: 1).Where(r => !changed.Contains(r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Concat(updates).Concat(inserts).OrderBy(r => r.Id);
        duck.Rows.Select(r => (r[0].GetInt64(), r[1].GetString(), r[2].GetInt64())).Should().Equal(expected.Select(r => (r.Id, r.Name, r.Ts)));
    }

    private static RecordBatch WithDeletes(List<Rec> upserts, long[] deletes)
    {
        var rows = upserts.Concat(deletes.Select(id => new Rec(id, "gone", 3, null))).ToList();
        var batch = Recs.Batch(rows);
        var flag = new PrimitiveField(Marker, PhysicalType.Boolean);
        return new RecordBatch(
            new ParquetSchema([.. batch.Schema.Fields, flag]),
            [.. batch.Columns, new BooleanVector(flag, [.. rows.Select((_, i) => i >= upserts.Count)], rows.Count)],
            rows.Count);
    }

    private static List<(string Time, string Seq, string Key, string File)> ReadRows(string path)
    {
        using var reader = ParquetReader.Open(path);
        return [.. reader.ReadBatches().SelectMany(b => b.Rows().Select(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!, (string)r[4]!)))];
    }
}
