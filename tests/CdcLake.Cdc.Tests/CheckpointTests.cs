using CdcLake.Storage;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

public class CheckpointTests
{
    private static readonly DateTime T0 = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset Loaded = new(2024, 2, 29, 23, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Merged_files_are_not_selected_again()
    {
        var listing = Listing(Load(1), Load(2), Cdc(0), Cdc(1), Cdc(2));

        var first = CdcCheckpoint.Empty.SelectNew(listing);
        first.FullReload.Should().BeFalse();
        first.LoadFiles.Select(f => f.Name).Should().Equal("LOAD00000001.parquet", "LOAD00000002.parquet");
        first.CdcFiles.Should().HaveCount(3);

        var checkpoint = CdcCheckpoint.Empty.Advance(first, first.All);

        checkpoint.SelectNew(listing).IsEmpty.Should().BeTrue();
        checkpoint.Watermark.Should().Be(T0.AddMinutes(2));
        checkpoint.CdcSinceLoad.Should().BeTrue();
        CdcCheckpoint.Parse(checkpoint.ToJson()).SelectNew(listing).IsEmpty.Should().BeTrue("the checkpoint survives its JSON");
    }

    [Fact]
    public void A_late_file_inside_the_window_is_merged_and_one_outside_is_assumed_merged()
    {
        var options = new CheckpointOptions { LateFileWindow = TimeSpan.FromMinutes(30) };
        var files = Enumerable.Range(0, 120).Select(i => Cdc(i)).ToList();
        var checkpoint = Run(CdcCheckpoint.Empty, Listing([.. files]), options);
        checkpoint.Floor.Should().Be(T0.AddMinutes(119 - 30));

        var lateInside = Cdc(100.5);
        var lateOutside = Cdc(80.5);
        var selection = checkpoint.SelectNew(Listing([.. files, lateInside, lateOutside, Cdc(120)]));

        selection.CdcFiles.Select(f => f.Name).Should().Equal(lateInside.Name, Cdc(120).Name);
        checkpoint = checkpoint.Advance(selection, selection.All, options);
        checkpoint.SelectNew(Listing([.. files, lateInside, lateOutside, Cdc(120)])).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void A_cdc_file_rewritten_inside_the_window_is_selected_again()
    {
        var checkpoint = Run(CdcCheckpoint.Empty, Listing(Cdc(0), Cdc(1)));

        var selection = checkpoint.SelectNew(Listing(Cdc(0), Cdc(1, size: 999)));

        selection.CdcFiles.Should().ContainSingle().Which.Size.Should().Be(999);
    }

    [Fact]
    public void Handling_part_of_a_selection_keeps_the_rest_selected()
    {
        var options = new CheckpointOptions { LateFileWindow = TimeSpan.Zero, MaxRecentFiles = 5 };
        var listing = Listing([.. Enumerable.Range(0, 100).Select(i => Cdc(i))]);
        var checkpoint = CdcCheckpoint.Empty;
        var merged = new List<string>();
        while (checkpoint.SelectNew(listing) is { IsEmpty: false } selection)
        {
            var part = selection.CdcFiles.Take(7).ToList();
            merged.AddRange(part.Select(f => f.Name));
            checkpoint = checkpoint.Advance(selection, part, options);
        }

        merged.Should().Equal(listing.CdcFiles.Select(f => f.Name), "every file exactly once, in order");
    }

    [Fact]
    public void A_load_file_rewritten_under_its_name_is_a_full_reload()
    {
        var checkpoint = Run(CdcCheckpoint.Empty, Listing(Load(1), Load(2), Load(3), Cdc(0), Cdc(1)));

        var reloadAt = Loaded.AddDays(2);
        var selection = checkpoint.SelectNew(Listing(Load(1, size: 50, modified: reloadAt), Load(2), Load(3), Cdc(0), Cdc(1), Cdc(60 * 24), Cdc(60 * 49)));

        selection.FullReload.Should().BeTrue();
        selection.ReloadReason.Should().Be($"LOAD00000001.parquet was rewritten (now LOAD00000001.parquet (50 bytes, {reloadAt.UtcTicks}))");
        selection.LoadFiles.Select(f => f.Name).Should().Equal("LOAD00000001.parquet");
        selection.StaleLoadFiles.Select(f => f.Name).Should().Equal("LOAD00000002.parquet", "LOAD00000003.parquet");
        selection.CdcBeforeReload.Select(f => f.CdcTime).Should().Equal(T0.AddMinutes(60 * 24));
        selection.CdcFiles.Select(f => f.CdcTime).Should().Equal(T0.AddMinutes(60 * 49));

        // The reload goes on: LOAD2 is rewritten later, LOAD3 never is (the reloaded table is smaller).
        checkpoint = checkpoint.Advance(selection, [.. selection.LoadFiles, .. selection.CdcBeforeReload]);
        checkpoint.CdcSinceLoad.Should().BeFalse("no CDC file was merged after the reload yet");
        checkpoint.Reloads.Should().Be(1);

        var next = checkpoint.SelectNew(Listing(Load(1, size: 50, modified: reloadAt), Load(2, size: 70, modified: reloadAt), Load(3), Cdc(60 * 49)));
        next.FullReload.Should().BeFalse("more files of the same reload, before any CDC was merged after it");
        next.LoadFiles.Select(f => f.Name).Should().Equal("LOAD00000002.parquet");
        next.StaleLoadFiles.Select(f => f.Name).Should().Equal("LOAD00000003.parquet");
        next.CdcFiles.Should().ContainSingle();

        checkpoint = checkpoint.Advance(next, next.All);
        checkpoint.CdcSinceLoad.Should().BeTrue();
        checkpoint.SelectNew(Listing(Load(1, size: 50, modified: reloadAt), Load(2, size: 70, modified: reloadAt), Load(3), Cdc(60 * 49))).IsEmpty.Should().BeTrue();
        checkpoint.StaleLoadFiles.Should().HaveCount(1);
        checkpoint.LoadFiles.Keys.Should().BeEquivalentTo("LOAD00000001.parquet", "LOAD00000002.parquet");
    }

    [Fact]
    public void A_new_load_file_is_more_of_the_load_until_cdc_was_merged_then_a_reload()
    {
        var checkpoint = Run(CdcCheckpoint.Empty, Listing(Load(1)));

        var more = checkpoint.SelectNew(Listing(Load(1), Load(2), Cdc(0)));
        more.FullReload.Should().BeFalse();
        more.LoadFiles.Select(f => f.Name).Should().Equal("LOAD00000002.parquet");
        checkpoint = checkpoint.Advance(more, more.All);

        var after = checkpoint.SelectNew(Listing(Load(1), Load(2), Load(3), Cdc(0)));
        after.FullReload.Should().BeTrue();
        after.ReloadReason.Should().Be("LOAD00000003.parquet appeared after CDC files were merged");
        after.LoadFiles.Select(f => f.Name).Should().Equal("LOAD00000003.parquet");
        after.StaleLoadFiles.Select(f => f.Name).Should().Equal("LOAD00000001.parquet", "LOAD00000002.parquet");
    }

    [Fact]
    public void The_checkpoint_stays_small_however_many_files_are_merged()
    {
        // 100,000 CDC files one minute apart, merged in runs of 500, with a late file now and then.
        var options = new CheckpointOptions { LateFileWindow = TimeSpan.FromMinutes(60) };
        var all = Enumerable.Range(0, 100_000).Select(i => Cdc(i)).ToList();
        var late = new List<DmsFile>();
        var checkpoint = Run(CdcCheckpoint.Empty, Listing(Load(1), Load(2)), options);
        var merged = new HashSet<string>(StringComparer.Ordinal);
        var largest = 0;
        for (var run = 0; run < 200; run++)
        {
            var landed = all.Skip(Math.Max(0, (run - 1) * 500)).Take(run == 0 ? 500 : 1000).ToList();
            if (run > 0 && run % 10 == 0)
            {
                // A file that lands after the next run's files but is named 20 minutes before the watermark.
                late.Add(Cdc((run * 500) - 20.5));
                landed.Add(late[^1]);
            }

            var selection = checkpoint.SelectNew(Listing([Load(1), Load(2), .. landed]));
            selection.FullReload.Should().BeFalse();
            foreach (var file in selection.CdcFiles)
            {
                merged.Add(file.Name).Should().BeTrue($"{file.Name} is merged once");
            }

            checkpoint = checkpoint.Advance(selection, selection.All, options);
            largest = Math.Max(largest, checkpoint.ToJson().Length);
        }

        merged.Should().HaveCount(100_000 + late.Count);
        largest.Should().BeLessThan(4_000, "about 60 remembered files of 40 bytes");
        checkpoint.SelectNew(Listing([Load(1), Load(2), .. all, .. late])).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void A_burst_of_files_inside_the_window_is_capped()
    {
        var options = new CheckpointOptions { LateFileWindow = TimeSpan.FromDays(1), MaxRecentFiles = 1000 };
        var burst = Enumerable.Range(0, 100_000).Select(i => Cdc(i / 1000.0)).ToList();
        var listing = Listing([.. burst]);

        var selection = CdcCheckpoint.Empty.SelectNew(listing);
        var checkpoint = CdcCheckpoint.Empty.Advance(selection, selection.All, options);

        selection.CdcFiles.Should().HaveCount(100_000);
        checkpoint.Recent.Count.Should().BeLessThanOrEqualTo(1000);
        checkpoint.ToJson().Length.Should().BeLessThan(50_000);
        checkpoint.SelectNew(listing).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Json_round_trips_and_lives_in_commit_extra_metadata()
    {
        var checkpoint = Run(CdcCheckpoint.Empty, Listing(Load(1), Load(2, segment: "part_a"), Cdc(0), Cdc(1.25)));

        var json = checkpoint.ToJson();

        json.Should().StartWith("{\"v\":1,\"watermark\":\"202403010001150000000\",\"floor\":");
        var metadata = new Dictionary<string, string> { [CdcCheckpoint.ExtraMetadataKey] = json, ["schema"] = "{}" };
        var again = CdcCheckpoint.FromExtraMetadata(metadata);
        again.ToJson().Should().Be(json);
        again.LoadFiles.Keys.Should().BeEquivalentTo("LOAD00000001.parquet", "part_a/LOAD00000002.parquet");
        CdcCheckpoint.FromExtraMetadata(new Dictionary<string, string>()).Should().BeSameAs(CdcCheckpoint.Empty);
        CdcCheckpoint.FromExtraMetadata(null).Should().BeSameAs(CdcCheckpoint.Empty);
    }

    [Theory]
    [InlineData("[]", "cdclake.checkpoint.$: expected an object")]
    [InlineData("{}", "cdclake.checkpoint.v: required")]
    [InlineData("{\"v\":2}", "cdclake.checkpoint.v: version 2 is not supported (this build reads 1)")]
    [InlineData("{\"v\":1,\"floor\":\"2024\"}", "cdclake.checkpoint.floor: '2024' is not a time (yyyyMMddHHmmssfffffff)")]
    [InlineData("{\"v\":1,\"recent\":[\"202403010001150000000:xyz\"]}", "cdclake.checkpoint.recent: 'xyz' is not a 16-digit hex hash")]
    [InlineData("{\"v\":1,\"load\":[\"nohash\"]}", "cdclake.checkpoint.load: 'nohash' is not path:hash")]
    public void Bad_checkpoints_are_refused_by_field(string json, string message)
    {
        var act = () => CdcCheckpoint.Parse(json);

        act.Should().Throw<FormatException>().WithMessage(message);
    }

    private static CdcCheckpoint Run(CdcCheckpoint checkpoint, DmsListing listing, CheckpointOptions? options = null)
    {
        var selection = checkpoint.SelectNew(listing);
        return checkpoint.Advance(selection, selection.All, options);
    }

    private static DmsListing Listing(params DmsFile[] files) =>
        new([.. files.Where(f => f.Kind == DmsFileKind.Load).OrderBy(f => f.OrderKey)], [.. files.Where(f => f.Kind == DmsFileKind.Cdc).OrderBy(f => f.OrderKey)], [], [], []);

    private static DmsFile Load(uint counter, long size = 100, DateTimeOffset? modified = null, string segment = "")
    {
        var path = (segment.Length == 0 ? "" : segment + "/") + DmsFileNames.LoadName(counter);
        return DmsDiscovery.Classify([new StoreEntry(path, size, modified ?? Loaded)]).LoadFiles.Single();
    }

    private static DmsFile Cdc(double minutes, long size = 100)
    {
        var time = T0.AddTicks((long)(minutes * TimeSpan.TicksPerMinute));
        var path = $"{time:yyyy/MM/dd}/{time:yyyyMMdd-HHmmssfffffff}.parquet";
        return DmsDiscovery.Classify([new StoreEntry(path, size, new DateTimeOffset(time).AddSeconds(5))]).CdcFiles.Single();
    }
}
