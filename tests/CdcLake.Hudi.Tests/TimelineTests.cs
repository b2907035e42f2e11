using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

public class TimelineTests
{
    [Fact]
    public void Instant_times_are_17_digits_of_the_wall_clock()
    {
        InstantTime.Format(new DateTime(2024, 4, 18, 17, 32, 13, 674)).Should().Be("20240418173213674");
        InstantTime.Parse("20240418173213674").Should().Be(new DateTime(2024, 4, 18, 17, 32, 13, 674));
        InstantTime.Parse("20240418173213").Should().Be(new DateTime(2024, 4, 18, 17, 32, 13, 999), "second instants read as .999");
        InstantTime.Parse("20240418173213674010").Should().Be(new DateTime(2024, 4, 18, 17, 32, 13, 674), "metadata table suffixes are ignored");
        InstantTime.IsValid("2024041817321367").Should().BeFalse();
        InstantTime.IsValid("20241318173213674").Should().BeFalse();
        InstantTime.IsValid("2024041817321367x").Should().BeFalse();
        FluentActions.Invoking(() => InstantTime.Parse("abc")).Should().Throw<FormatException>();
    }

    [Theory]
    [InlineData("20240418173213674.commit", "commit", InstantState.Completed)]
    [InlineData("20240418173213674.commit.requested", "commit", InstantState.Requested)]
    [InlineData("20240418173213674.inflight", "commit", InstantState.Inflight)]
    [InlineData("20240418173213674.replacecommit", "replacecommit", InstantState.Completed)]
    [InlineData("20240418173213674.replacecommit.inflight", "replacecommit", InstantState.Inflight)]
    [InlineData("20240418173213674.replacecommit.requested", "replacecommit", InstantState.Requested)]
    [InlineData("20240418173213674.clean", "clean", InstantState.Completed)]
    [InlineData("20240418173213674.clean.inflight", "clean", InstantState.Inflight)]
    [InlineData("20240418173213674.clean.requested", "clean", InstantState.Requested)]
    [InlineData("20240418173213674.rollback", "rollback", InstantState.Completed)]
    [InlineData("20240418173213674.rollback.inflight", "rollback", InstantState.Inflight)]
    [InlineData("20240418173213674.rollback.requested", "rollback", InstantState.Requested)]
    [InlineData("20240418173213674.deltacommit.inflight", "deltacommit", InstantState.Inflight)]
    [InlineData("20240418173213674.savepoint", "savepoint", InstantState.Completed)]
    [InlineData("20240418173213674.compaction.requested", "compaction", InstantState.Requested)]
    [InlineData("20240418173213674.restore.inflight", "restore", InstantState.Inflight)]
    [InlineData("20240418173213674.indexing.requested", "indexing", InstantState.Requested)]
    [InlineData("20240418173213674.schemacommit", "schemacommit", InstantState.Completed)]
    [InlineData("20240418173213.commit", "commit", InstantState.Completed)]
    public void Parses_layout_1_instant_file_names(string fileName, string action, InstantState state)
    {
        HoodieInstant.TryParseFileName(fileName, out var instant).Should().BeTrue();
        instant.Action.Should().Be(action);
        instant.State.Should().Be(state);
        instant.Time.Should().Be(fileName[..fileName.IndexOf('.', StringComparison.Ordinal)]);
        instant.CompletionTime.Should().BeNull();
        instant.FileName(TimelineLayout.V6).Should().Be(fileName);
    }

    [Theory]
    [InlineData("hoodie.properties")]
    [InlineData("hoodie.properties.backup")]
    [InlineData(".20240418173213674.commit.crc")]
    [InlineData("archived")]
    [InlineData(".temp")]
    [InlineData("20240418173213674.commit.requested.crc")]
    [InlineData("20240418173213674.requested")]
    [InlineData("20240418173213674_20240418173214000.commit.inflight")]
    [InlineData("2024.commit")]
    public void Other_files_are_not_instants(string fileName) =>
        HoodieInstant.TryParseFileName(fileName, out _).Should().BeFalse();

    [Fact]
    public void Parses_layout_2_names_with_completion_times()
    {
        HoodieInstant.TryParseFileName("20250713010535797_20250713010536200.commit", out var done).Should().BeTrue();
        done.Should().Be(new HoodieInstant("20250713010535797", "commit", InstantState.Completed, "20250713010536200"));
        done.FileName(TimelineLayout.V8).Should().Be("20250713010535797_20250713010536200.commit");
        HoodieInstant.TryParseFileName("20250713010535797.inflight", out var inflight).Should().BeTrue();
        inflight.FileName(TimelineLayout.V8).Should().Be("20250713010535797.inflight");
        FluentActions.Invoking(() => new HoodieInstant("1", "commit", InstantState.Completed).FileName(TimelineLayout.V8))
            .Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Groups_by_time_and_action_keeping_the_highest_state()
    {
        var timeline = HoodieTimeline.FromFileNames(
        [
            "hoodie.properties", "20240101000000001.commit.requested", "20240101000000001.inflight", "20240101000000001.commit",
            "20240101000000002.commit.requested", "20240101000000002.inflight",
            "20240101000000003.replacecommit.requested",
            "20240101000000004.clean.requested", "20240101000000004.clean.inflight", "20240101000000004.clean",
            "20240101000000005.compaction.requested", "20240101000000005.compaction.inflight", "20240101000000005.commit",
            "20240101000000006.rollback.requested",
        ]);
        timeline.InstantFiles.Should().HaveCount(13);
        timeline.Instants.Select(i => i.ToString()).Should().Equal(
            "20240101000000001.commit COMPLETED",
            "20240101000000002.commit INFLIGHT",
            "20240101000000003.replacecommit REQUESTED",
            "20240101000000004.clean COMPLETED",
            "20240101000000005.commit COMPLETED",
            "20240101000000006.rollback REQUESTED");
        timeline.Completed.Select(i => i.Time).Should().Equal("20240101000000001", "20240101000000004", "20240101000000005");
        timeline.Pending.Select(i => i.Time).Should().Equal("20240101000000002", "20240101000000003", "20240101000000006");
        timeline.CompletedWrites.Select(i => i.Time).Should().Equal("20240101000000001", "20240101000000005");
        timeline.LastCompletedWrite!.Time.Should().Be("20240101000000005");
        timeline.LatestInstantTime.Should().Be("20240101000000006");
        timeline.IsCompleted("20240101000000002").Should().BeFalse();
        timeline.FindCompleted("20240101000000004")!.Action.Should().Be("clean");
    }

    [Theory]
    [MemberData(nameof(HudiFixtures.AllTables), MemberType = typeof(HudiFixtures))]
    public void Reads_every_fixture_timeline(string table)
    {
        var config = TableConfig.Parse(HudiFixtures.HoodieProperties(table));
        var layout = config.TimelineLayout;
        var folder = Path.Combine(HudiFixtures.MetaFolder(table), layout.TimelineFolder);
        var names = Directory.Exists(folder) ? Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).ToList() : [];
        var timeline = HoodieTimeline.FromFileNames(names!, layout);

        var metaEntries = Directory.EnumerateFileSystemEntries(HudiFixtures.MetaFolder(table), "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(HudiFixtures.MetaFolder(table), p).Replace('\\', '/'));
        TimelineLayout.Detect(metaEntries).LayoutVersion.Should().Be(table == "v6_empty" || table.StartsWith("v6", StringComparison.Ordinal) ? 1 : 2);

        // Every base file was written by a completed commit.
        var baseInstants = HudiFixtures.BaseFiles(table).Select(f => f.Relative[(f.Relative.LastIndexOf('_') + 1)..^".parquet".Length]).Distinct().Order(StringComparer.Ordinal).ToList();
        timeline.CompletedWrites.Select(i => i.Time).Should().Equal(baseInstants);
        timeline.Pending.Should().BeEmpty();
        timeline.InstantFiles.Should().HaveCount(3 * baseInstants.Count, "requested, inflight and completed files stay on disk");
        if (layout.LayoutVersion == 2)
        {
            timeline.Completed.Should().OnlyContain(i => i.CompletionTime != null && string.CompareOrdinal(i.CompletionTime, i.Time) > 0);
        }
    }

    [Fact]
    public void Layout_follows_the_table_version()
    {
        TimelineLayout.For(6, 1).Should().Be(TimelineLayout.V6);
        TimelineLayout.For(8, 2).Should().Be(TimelineLayout.V8);
        TimelineLayout.V6.TimelinePathFromTableRoot.Should().Be(".hoodie/");
        TimelineLayout.V8.TimelinePathFromTableRoot.Should().Be(".hoodie/timeline/");
        FluentActions.Invoking(() => TimelineLayout.For(8, 1)).Should().Throw<UnsupportedTableVersionException>().WithMessage("unsupported table version 8*");
        FluentActions.Invoking(() => TimelineLayout.For(6, 3)).Should().Throw<UnsupportedTableVersionException>();
        TimelineLayout.Detect(["hoodie.properties", "timeline/20250713010535797_20250713010536200.commit"]).Should().Be(TimelineLayout.V8);
        TimelineLayout.Detect(["hoodie.properties", "20240418173213674.commit", "archived/"]).Should().Be(TimelineLayout.V6);
    }

    [Fact]
    public void Generator_is_strictly_increasing_when_the_clock_stalls_or_steps_back()
    {
        var clock = new ManualClock(new DateTimeOffset(2024, 4, 18, 17, 32, 13, 674, TimeSpan.Zero));
        var generator = new InstantTimeGenerator(clock);
        generator.Next().Should().Be("20240418173213674");
        generator.Next().Should().Be("20240418173213675", "same millisecond: previous + 1 ms");
        clock.Now = clock.Now.AddMinutes(-5);
        generator.Next().Should().Be("20240418173213676", "the clock went back");
        clock.Now = clock.Now.AddMinutes(10);
        generator.Next().Should().Be("20240418173713674");
        generator.Observe("20240418180000000");
        generator.Next().Should().Be("20240418180000001", "another writer's later instant");
        generator.Observe("20240101000000000");
        generator.Last.Should().Be("20240418180000001", "an earlier instant changes nothing");
    }

    [Fact]
    public void Generator_uses_the_given_zone_and_drops_sub_millisecond_ticks()
    {
        var clock = new ManualClock(new DateTimeOffset(2024, 4, 18, 22, 32, 13, 674, TimeSpan.Zero).AddTicks(9999));
        var zone = TimeZoneInfo.CreateCustomTimeZone("minus5", TimeSpan.FromHours(-5), "minus5", "minus5");
        new InstantTimeGenerator(clock, zone).Next().Should().Be("20240418173213674");
    }

    [Fact]
    public void Generator_is_unique_across_threads()
    {
        var generator = new InstantTimeGenerator(new ManualClock(DateTimeOffset.UnixEpoch));
        var instants = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 2000, _ => instants.Add(generator.Next()));
        instants.Distinct().Should().HaveCount(2000);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
