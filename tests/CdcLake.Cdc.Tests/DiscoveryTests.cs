using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

public class DiscoveryTests
{
    private static readonly DateTime Start = new(2024, 12, 30, 22, 15, 0, DateTimeKind.Utc);

    public static TheoryData<DatePartitionSequence, DatePartitionDelimiter> Layouts()
    {
        var data = new TheoryData<DatePartitionSequence, DatePartitionDelimiter>();
        foreach (var sequence in Enum.GetValues<DatePartitionSequence>())
        {
            foreach (var delimiter in Enum.GetValues<DatePartitionDelimiter>())
            {
                data.Add(sequence, delimiter);
            }
        }

        return data;
    }

    [Fact]
    public async Task Load_files_follow_their_hex_counter_and_cdc_files_their_time()
    {
        using var dir = new TempDirectory();
        var counters = new uint[] { 0x10, 0x1, 0xA, 0x9, 0xF, 0x2 };
        foreach (var counter in counters)
        {
            Touch(dir, DmsFileNames.LoadName(counter));
        }

        Touch(dir, "20221023-013830913.parquet");
        Touch(dir, "20221023-013830912.parquet");
        Touch(dir, "20221023-0138309125.parquet"); // ten digits after the dash: 100 µs more than ...912
        Touch(dir, "20221022-235959999.parquet");

        var listing = await List(dir);

        listing.LoadFiles.Select(f => f.Name).Should().Equal(
            "LOAD00000001.parquet", "LOAD00000002.parquet", "LOAD00000009.parquet", "LOAD0000000A.parquet", "LOAD0000000F.parquet", "LOAD00000010.parquet");
        listing.LoadFiles.Select(f => f.LoadCounter).Should().Equal(1u, 2u, 9u, 10u, 15u, 16u);
        listing.CdcFiles.Select(f => f.Name).Should().Equal(
            "20221022-235959999.parquet", "20221023-013830912.parquet", "20221023-0138309125.parquet", "20221023-013830913.parquet");
        listing.CdcFiles[2].CdcTime.Should().Be(new DateTime(2022, 10, 23, 1, 38, 30, 912, DateTimeKind.Utc).AddTicks(5000));
        listing.All.Select(f => f.Kind).Should().Equal(Enumerable.Repeat(DmsFileKind.Load, 6).Concat(Enumerable.Repeat(DmsFileKind.Cdc, 4)));
        listing.Skipped.Should().BeEmpty();
        listing.Unrecognized.Should().BeEmpty();
        listing.Warnings.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Date_partitioned_cdc_files_are_found_and_ordered_by_their_time_not_their_folders(DatePartitionSequence sequence, DatePartitionDelimiter delimiter)
    {
        using var dir = new TempDirectory();
        Touch(dir, "LOAD00000001.parquet");
        var times = new List<DateTime>();
        // Across hours, days, a month and a year end: MMYYYYDD and DDMMYYYY folders then sort out of time order.
        for (var i = 0; i < 40; i++)
        {
            var time = Start.AddMinutes(i * 97).AddMilliseconds(i * 7);
            times.Add(time);
            Touch(dir, $"{DatePartitionFolder.Format(time, sequence, delimiter)}/{DmsFileNames.CdcName(time)}");
        }

        var listing = await List(dir);

        listing.LoadFiles.Should().ContainSingle().Which.Path.Should().Be("LOAD00000001.parquet");
        listing.CdcFiles.Select(f => f.CdcTime!.Value).Should().Equal(times);
        listing.CdcFiles.Should().OnlyContain(f => f.RelativePath.StartsWith(DatePartitionFolder.Format(f.CdcTime!.Value, sequence, delimiter) + "/", StringComparison.Ordinal));
        listing.Warnings.Should().BeEmpty("every folder is a DMS date folder for its files' times");
        listing.Skipped.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Date_folders_read_back_as_the_period_they_stand_for(DatePartitionSequence sequence, DatePartitionDelimiter delimiter)
    {
        var time = new DateTime(2024, 2, 29, 13, 45, 10, DateTimeKind.Utc);

        var folder = DatePartitionFolder.Format(time, sequence, delimiter);

        DatePartitionFolder.Periods(folder).Should().Contain(p => p.Start <= time && time < p.End);
        DatePartitionFolder.Covers(folder, time).Should().BeTrue();
        DatePartitionFolder.Covers(folder, time.AddDays(40)).Should().BeFalse();
    }

    [Fact]
    public async Task Non_data_files_are_skipped_and_strange_parquet_names_reported()
    {
        using var dir = new TempDirectory();
        Touch(dir, "LOAD00000001.parquet");
        Touch(dir, "20240101-000000000.parquet");
        Touch(dir, "CDC_TXN-20240101-000000000.csv");
        Touch(dir, "_SUCCESS");
        Touch(dir, ".LOAD00000001.parquet.crc");
        Touch(dir, "LOAD00000002.parquet.crc");
        Touch(dir, "_temporary/0/LOAD00000003.parquet");
        Touch(dir, "20240101-000001000.parquet.tmp");
        Touch(dir, "LOAD00000004.csv");
        Touch(dir, "2024/01/01_$folder$");
        Touch(dir, "part-00000-1234.parquet");
        Touch(dir, "load00000005.parquet");
        Touch(dir, "LOAD0000005.parquet");

        var listing = await List(dir);

        listing.All.Select(f => f.Path).Should().Equal("LOAD00000001.parquet", "20240101-000000000.parquet");
        listing.Skipped.Select(s => s.Path).Should().BeEquivalentTo(
            "CDC_TXN-20240101-000000000.csv", "_SUCCESS", ".LOAD00000001.parquet.crc", "LOAD00000002.parquet.crc",
            "_temporary/0/LOAD00000003.parquet", "20240101-000001000.parquet.tmp", "LOAD00000004.csv", "2024/01/01_$folder$");
        listing.Skipped.Single(s => s.Path.StartsWith("CDC_TXN", StringComparison.Ordinal)).Reason.Should().Contain("transaction file");
        listing.Skipped.Single(s => s.Path == "_SUCCESS").Reason.Should().Contain("marker");
        listing.Skipped.Single(s => s.Path == "LOAD00000002.parquet.crc").Reason.Should().Contain("checksum");
        listing.Skipped.Single(s => s.Path.EndsWith(".tmp", StringComparison.Ordinal)).Reason.Should().Contain("temporary");
        listing.Unrecognized.Select(s => s.Path).Should().BeEquivalentTo("part-00000-1234.parquet", "load00000005.parquet", "LOAD0000005.parquet");
    }

    [Fact]
    public async Task Parallel_load_segments_are_ordered_by_segment_then_counter()
    {
        using var dir = new TempDirectory();
        Touch(dir, "SEGMENT10_LOAD00000001.parquet");
        Touch(dir, "SEGMENT2_LOAD00000002.parquet");
        Touch(dir, "SEGMENT2_LOAD00000001.parquet");
        Touch(dir, "SEGMENT1_LOAD0000000B.parquet");
        Touch(dir, "part_b/LOAD00000002.parquet");
        Touch(dir, "part_b/LOAD00000001.parquet");
        Touch(dir, "part_a/LOAD00000001.parquet");
        Touch(dir, "LOAD00000003.parquet");

        var listing = await List(dir);

        var names = listing.LoadFiles.Select(f => f.RelativePath).ToList();
        names.Take(4).Should().Equal(
            "LOAD00000003.parquet", "SEGMENT1_LOAD0000000B.parquet", "SEGMENT2_LOAD00000001.parquet", "SEGMENT2_LOAD00000002.parquet");
        names[4].Should().Be("SEGMENT10_LOAD00000001.parquet", "segment numbers compare as numbers");
        var folders = names.Skip(5).ToList();
        folders.Should().HaveCount(3);
        folders.IndexOf("part_b/LOAD00000001.parquet").Should().Be(folders.IndexOf("part_b/LOAD00000002.parquet") - 1, "a segment's files stay together in counter order");
        listing.LoadFiles.Select(f => f.Segment).Should().Contain(["", "SEGMENT1", "SEGMENT2", "SEGMENT10", "part_a", "part_b"]);
        listing.LoadFiles.Select(f => f.OrderKey).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task A_file_rewritten_under_its_name_has_a_new_identity()
    {
        using var dir = new TempDirectory();
        Touch(dir, "LOAD00000001.parquet", size: 10);
        var before = (await List(dir)).LoadFiles.Single().Identity;

        Touch(dir, "LOAD00000001.parquet", size: 12);
        var after = (await List(dir)).LoadFiles.Single().Identity;

        after.Path.Should().Be(before.Path);
        after.Should().NotBe(before);
        after.Hash.Should().NotBe(before.Hash);

        var sameSize = new FileIdentity("LOAD00000001.parquet", 10, FileIdentity.VersionOf("\"etag-1\"", DateTimeOffset.UnixEpoch));
        var newEtag = sameSize with { Version = FileIdentity.VersionOf("\"etag-2\"", DateTimeOffset.UnixEpoch) };
        newEtag.Hash.Should().NotBe(sameSize.Hash, "S3 objects rewritten with the same size differ by ETag");
    }

    [Fact]
    public void A_cdc_file_outside_a_date_folder_for_its_time_is_a_warning_not_an_error()
    {
        var entries = new[]
        {
            new StoreEntry("dms/public/t/2024/01/05/20240105-101010101.parquet", 1, DateTimeOffset.UnixEpoch),
            new StoreEntry("dms/public/t/misc/20240105-101010102.parquet", 1, DateTimeOffset.UnixEpoch),
            new StoreEntry("dms/public/other/20240105-101010103.parquet", 1, DateTimeOffset.UnixEpoch),
        };

        var listing = DmsDiscovery.Classify(entries, "dms/public/t");

        listing.CdcFiles.Select(f => f.RelativePath).Should().Equal("2024/01/05/20240105-101010101.parquet", "misc/20240105-101010102.parquet");
        listing.CdcFiles[0].Path.Should().Be("dms/public/t/2024/01/05/20240105-101010101.parquet");
        listing.Warnings.Should().ContainSingle().Which.Should().Contain("misc");
    }

    [Fact]
    public void Cdc_file_names_parse_defensively()
    {
        DmsFileNames.TryParseCdc("20221023-013830913.parquet", out var ms).Should().BeTrue();
        ms.Should().Be(new DateTime(2022, 10, 23, 1, 38, 30, 913, DateTimeKind.Utc));
        DmsFileNames.TryParseCdc("20221023-0138309134.parquet", out var tenDigits).Should().BeTrue();
        tenDigits.Should().Be(ms.AddTicks(4000));
        DmsFileNames.TryParseCdc("20221023-013830.parquet", out var seconds).Should().BeTrue();
        seconds.Should().Be(new DateTime(2022, 10, 23, 1, 38, 30, DateTimeKind.Utc));
        DmsFileNames.TryParseCdc("20221323-013830913.parquet", out _).Should().BeFalse("month 13");
        DmsFileNames.TryParseCdc("20221023-253830913.parquet", out _).Should().BeFalse("hour 25");
        DmsFileNames.TryParseCdc("20221023013830913.parquet", out _).Should().BeFalse();
        DmsFileNames.TryParseLoad("LOAD0000001G.parquet", out _, out _).Should().BeFalse();
        DmsFileNames.TryParseLoad("SEGMENT3_LOAD000000FF.parquet", out var counter, out var segment).Should().BeTrue();
        (counter, segment).Should().Be((255u, 3ul));
        DmsFileNames.CdcName(ms).Should().Be("20221023-013830913.parquet");
        DmsFileNames.LoadName(26).Should().Be("LOAD0000001A.parquet");
    }

    private static async Task<DmsListing> List(TempDirectory dir)
    {
        using var store = ObjectStores.For(dir.Path);
        return await DmsDiscovery.ListAsync(store);
    }

    private static void Touch(TempDirectory dir, string relative, int size = 4) =>
        File.WriteAllBytes(dir.PathOf(relative), new byte[size]);
}
