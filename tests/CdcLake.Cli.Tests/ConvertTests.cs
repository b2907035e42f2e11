using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using static CdcLake.Cli.Tests.Vectors;

namespace CdcLake.Cli.Tests;

/// <summary><c>cdclake parquet convert</c>: what it hands the writer, atomic replacement, and (with the real writer) round trips.</summary>
public sealed class ConvertTests
{
    private static readonly PrimitiveField Id = new("id", PhysicalType.Int64, null, Repetition.Required);
    private static readonly PrimitiveField Name = Leaf(PhysicalType.ByteArray, LogicalType.String, name: "name");
    private static readonly ParquetSchema Schema = new([Id, Name]);

    private static FakeInput Fake(string path) => new(
        path,
        Schema,
        [.. Enumerable.Range(0, 3).Select(g => new RecordBatch(Schema, [Of<long>(Id, g, g + 10), Strings(Name, "a", null)], 2))])
    {
        Metadata = new Dictionary<string, string?> { ["origin"] = "test", ["empty"] = null },
    };

    [Fact]
    public void Convert_writes_every_row_group_with_the_chosen_options_and_reports_rows()
    {
        using var temp = new TempDirectory("cli-convert");
        var source = temp.PathOf("in.parquet");
        var target = temp.PathOf("out/x.parquet");
        var output = new FakeOutput();

        var result = Cli.Run(Fake(source).AsIo(output), "parquet", "convert", source, target, "--codec", "zstd", "--row-group-rows", "1000");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Be($"wrote 6 rows to {target}\n");
        result.Stderr.Should().BeEmpty();
        output.Schema.Should().BeSameAs(Schema);
        output.Name.Should().Be(target);
        output.Options!.Codec.Should().Be(ParquetCodec.Zstd);
        output.Options.RowGroupRows.Should().Be(1000);
        output.Options.KeyValueMetadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["origin"] = "test", ["empty"] = "" });
        output.Batches.Should().HaveCount(3);
        output.Disposed.Should().BeTrue();
        File.ReadAllText(target).Should().Be("batch of 2\nbatch of 2\nbatch of 2\n");
        Directory.GetFiles(Path.GetDirectoryName(target)!).Should().Equal(target); // no temporary file left
    }

    [Fact]
    public void Convert_defaults_to_snappy_and_the_writers_row_group_size()
    {
        using var temp = new TempDirectory("cli-convert");
        var source = temp.PathOf("in.parquet");
        var output = new FakeOutput();
        Cli.Run(Fake(source).AsIo(output), "parquet", "convert", source, temp.PathOf("out.parquet")).ExitCode.Should().Be(0);
        output.Options!.Codec.Should().Be(ParquetCodec.Snappy);
        output.Options.RowGroupRows.Should().Be(ParquetWriteOptions.Default.RowGroupRows);
    }

    [Fact]
    public void A_failed_convert_leaves_the_existing_target_untouched_and_no_temporary_file()
    {
        using var temp = new TempDirectory("cli-convert");
        var source = temp.PathOf("in.parquet");
        var target = temp.PathOf("out.parquet");
        File.WriteAllText(target, "previous");

        var result = Cli.Run(Fake(source).AsIo(new FakeOutput { FailAt = 1 }), "parquet", "convert", source, target);

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().Be($"cdclake: {target}: column 'name': value too large for the page\n");
        File.ReadAllText(target).Should().Be("previous");
        Directory.GetFiles(temp.Path).Should().Equal(target); // the source is a fake: no file
    }

    [Fact]
    public void Read_errors_during_convert_name_the_source()
    {
        using var temp = new TempDirectory("cli-convert");
        var source = temp.PathOf("in.parquet");
        var fake = new FakeInput(source, Schema, Fake(source).ReadBatches().ToArray()) { FailAt = (2, new ParquetException("page header is corrupt")) };

        var result = Cli.Run(fake.AsIo(new FakeOutput()), "parquet", "convert", source, temp.PathOf("out.parquet"));

        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Be($"cdclake: {source}: page header is corrupt\n");
        File.Exists(temp.PathOf("out.parquet")).Should().BeFalse();
    }

    [Fact]
    public void Unwritable_target_is_a_data_error_naming_it()
    {
        using var temp = new TempDirectory("cli-convert");
        var source = temp.PathOf("in.parquet");
        var target = Path.Combine(temp.Path, "missing-dir", "out.parquet");

        var result = Cli.Run(Fake(source).AsIo(new FakeOutput()), "parquet", "convert", source, target);

        result.ExitCode.Should().Be(1);
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith($"cdclake: {target}: ");
    }

    public static TheoryData<string, string> RoundTrips() => new()
    {
        { "dms/dms_test_table_LOAD00000001.parquet", "snappy" },
        { "parquet/alltypes_plain.parquet", "none" },
        { "parquet/nested_maps.snappy.parquet", "gzip" },
        { "parquet/nested_lists.snappy.parquet", "zstd" },
        { "parquet/nullable.impala.parquet", "snappy" },
        { "parquet/fixed_length_decimal.parquet", "snappy" },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Convert_then_read_back_equals_the_original(string fixture, string codec)
    {
        var source = Path.Combine(RepoPaths.SharedFixtures, fixture);

        using var temp = new TempDirectory("cli-roundtrip");
        var target = temp.PathOf("out.parquet");
        var original = Cli.Run("parquet", "cat", source);
        original.ExitCode.Should().Be(0, original.ToString());

        var convert = Cli.Run("parquet", "convert", source, target, "--codec", codec, "--row-group-rows", "3");
        convert.ExitCode.Should().Be(0, convert.ToString());
        convert.Stdout.Should().Be($"wrote {original.StdoutLines.Length} rows to {target}\n");

        var copy = Cli.Run("parquet", "cat", target);
        copy.ExitCode.Should().Be(0, copy.ToString());
        copy.Stdout.Should().Be(original.Stdout);
        // The logical schema is kept; physical paths may change, since files are always written in the
        // standard list/map layout (a legacy `map` group becomes `key_value`).
        LogicalPart(Cli.Run("parquet", "schema", target).Stdout).Should().Be(LogicalPart(Cli.Run("parquet", "schema", source).Stdout));
        var meta = Cli.Run("parquet", "meta", target);
        meta.Stdout.Should().Contain($"codec: {(codec == "none" ? "UNCOMPRESSED" : codec.ToUpperInvariant())}\n");
        using var reader = ParquetReader.Open(target);
        reader.Info.RowGroups.Should().OnlyContain(g => g.RowCount <= 3);

        // And DuckDB reads the copy as it reads the original.
        // DuckDB reads a legacy TIMESTAMP_MILLIS/MICROS annotation as local time, while the Parquet format
        // (and Spark) define it as UTC-adjusted; the copy states UTC explicitly, so only the `Z` may differ.
        var duckOriginal = Canonical.Render(DuckDb.Shared.Query($"select * from read_parquet({DuckDb.Literal(source)})")).Select(WithoutUtcMarker);
        var duckCopy = Canonical.Render(DuckDb.Shared.Query($"select * from read_parquet({DuckDb.Literal(target)})")).Select(WithoutUtcMarker);
        duckCopy.Should().Equal(duckOriginal);
    }

    private static string LogicalPart(string schemaOutput) => schemaOutput[..schemaOutput.IndexOf("columns:", StringComparison.Ordinal)];

    private static string WithoutUtcMarker(string row) =>
        System.Text.RegularExpressions.Regex.Replace(row, @"(T\d{2}:\d{2}:\d{2}\.\d{6})Z""", "$1\"");
}
