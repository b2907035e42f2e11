using System.Text;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>The meta columns a base file writer builds as bytes (no string per row), read back by DuckDB.</summary>
public sealed class MetaColumnsTests
{
    [Fact]
    public async Task Meta_columns_written_over_many_batches_hold_the_commit_sequence_key_partition_and_file()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        var records = Recs.Range(0, 3000, ts: 1, "a");

        // Batches of different sizes (the writer's reused buffers shrink and grow) into one file.
        var result = await client.BulkInsertAsync([Recs.Batch(records.Take(700)), Recs.Batch(records.Skip(700).Take(100)), Recs.Batch(records.Skip(800))]);

        var root = place.LocalPath!;
        var file = Expected.BaseFiles(root).Should().ContainSingle().Subject;
        var rows = DuckDb.Shared.Query(
            $"select _hoodie_commit_time, _hoodie_commit_seqno, _hoodie_record_key, _hoodie_partition_path, _hoodie_file_name from read_parquet({DuckDb.Literal(Path.Combine(root, file))})")
            .Rows.Select(r => r.Select(v => v.GetString()).ToArray()).ToList();
        rows.Should().HaveCount(3000);
        rows.Select(r => r[0]).Should().OnlyContain(v => v == result.InstantTime);
        rows.Select(r => r[1]).Should().Equal(Enumerable.Range(0, 3000).Select(i => $"{result.InstantTime}_0_{i}"), "sequence numbers count the file's rows across batches");
        rows.Select(r => r[2]).Should().Equal(records.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        rows.Select(r => r[3]).Should().OnlyContain(v => v == "a");
        rows.Select(r => r[4]).Should().OnlyContain(v => v == Path.GetFileName(file));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public void Keys_compared_as_utf8_bytes_follow_java_string_order()
    {
        // U+E000..U+FFFF sort after surrogate pairs in Java (UTF-16) but before them by code point (UTF-8 bytes).
        string[] keys = ["a", "ab", "b", "é", "\uE000", "\uFFFD", "\U0001F600", "x\U0001F600", "x\uFFFD", "x", "", "\u07FF", "\u0800"];
        foreach (var a in keys)
        {
            foreach (var b in keys)
            {
                Math.Sign(BaseFileWriter.JavaOrder(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b)))
                    .Should().Be(Math.Sign(string.CompareOrdinal(a, b)), "{0} vs {1}", a, b);
            }
        }
    }
}
