using System.CommandLine;
using CdcLake.Cli.Commands;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;
using static CdcLake.Cli.Tests.Vectors;

namespace CdcLake.Cli.Tests;

/// <summary>
/// The commands' behaviour and exit codes, over an in-memory file whose reads are counted: streaming
/// and --limit, projection, the one-line error policy, and usage errors.
/// </summary>
public sealed class CommandTests
{
    private const string File = "data/fake.parquet";

    private static readonly PrimitiveField Id = new("id", PhysicalType.Int64, null, Repetition.Required);
    private static readonly PrimitiveField Name = Leaf(PhysicalType.ByteArray, LogicalType.String, name: "name");
    private static readonly ParquetSchema Schema = new([Id, Name]);

    /// <summary>Three row groups of two rows: ids 1-6, names "n1".."n6" (n4 null).</summary>
    private static FakeInput Fake(Exception? failOnSecond = null) => new(
        File,
        Schema,
        [.. Enumerable.Range(0, 3).Select(g => new RecordBatch(
            Schema,
            [Of<long>(Id, (2 * g) + 1, (2 * g) + 2), Strings(Name, $"n{(2 * g) + 1}", g == 1 ? null : $"n{(2 * g) + 2}")],
            2))])
    {
        FailAt = failOnSecond is null ? null : (1, failOnSecond),
    };

    [Fact]
    public void Cat_streams_every_row_group_as_jsonl()
    {
        var fake = Fake();
        var result = Cli.Run(fake.AsIo(), "parquet", "cat", File);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stderr.Should().BeEmpty();
        result.StdoutLines.Should().Equal(
            "{\"id\":1,\"name\":\"n1\"}",
            "{\"id\":2,\"name\":\"n2\"}",
            "{\"id\":3,\"name\":\"n3\"}",
            "{\"id\":4,\"name\":null}",
            "{\"id\":5,\"name\":\"n5\"}",
            "{\"id\":6,\"name\":\"n6\"}");
        fake.BatchesRead.Should().Be(3);
        fake.Disposed.Should().BeTrue();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(6, 3)]
    [InlineData(100, 3)]
    public void Cat_limit_stops_reading_once_enough_rows_are_out(int limit, int rowGroupsRead)
    {
        var fake = Fake();
        var result = Cli.Run(fake.AsIo(), "parquet", "cat", File, "--limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture));

        result.ExitCode.Should().Be(0, result.ToString());
        result.StdoutLines.Should().HaveCount(Math.Min(limit, 6));
        fake.BatchesRead.Should().Be(rowGroupsRead);
    }

    [Fact]
    public void Cat_columns_selects_and_orders_top_level_fields()
    {
        var result = Cli.Run(Fake().AsIo(), "parquet", "cat", File, "--columns", "name, id", "--limit", "1");
        result.StdoutLines.Should().Equal("{\"name\":\"n1\",\"id\":1}");

        result = Cli.Run(Fake().AsIo(), "parquet", "cat", File, "--columns", "name,name", "--format", "csv", "--limit", "4");
        result.Stdout.Should().Be("name\nn1\nn2\nn3\n\n");
    }

    [Fact]
    public void Cat_csv_has_a_header()
    {
        var result = Cli.Run(Fake().AsIo(), "parquet", "cat", File, "--format", "csv");
        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Be("id,name\n1,n1\n2,n2\n3,n3\n4,\n5,n5\n6,n6\n");
    }

    [Fact]
    public void Unknown_column_is_a_data_error_naming_the_file()
    {
        var result = Cli.Run(Fake().AsIo(), "parquet", "cat", File, "--columns", "id,nope");
        result.ExitCode.Should().Be(1);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().Equal($"cdclake: {File}: no column named 'nope'; the file has id, name");
    }

    [Fact]
    public void A_failing_row_group_ends_with_one_line_after_the_rows_before_it()
    {
        var error = new ParquetException("page CRC mismatch").WithContext(File, "name");
        var result = Cli.Run(Fake(error).AsIo(), "parquet", "cat", File);

        result.ExitCode.Should().Be(1);
        result.StdoutLines.Should().HaveCount(2); // the first row group got out
        result.Stderr.Should().Be($"cdclake: {File}: column 'name': page CRC mismatch\n");
    }

    [Fact]
    public void Errors_without_a_file_are_reported_against_the_file_at_hand()
    {
        Cli.Run(Fake(new ParquetException("bad page").WithContext(null, "a.b")).AsIo(), "parquet", "cat", File)
            .Stderr.Should().Be($"cdclake: {File}: column 'a.b': bad page\n");
        Cli.Run(Fake(new IOException("Input/output error")).AsIo(), "parquet", "cat", File)
            .Stderr.Should().Be($"cdclake: {File}: Input/output error\n");
        var denied = Cli.Run(Fake(new UnauthorizedAccessException("Access denied")).AsIo(), "parquet", "cat", File);
        denied.ExitCode.Should().Be(1);
        denied.Stderr.Should().Be($"cdclake: {File}: Access denied\n");
        Cli.Run(Fake(new ParquetException("two\nlines")).AsIo(), "parquet", "cat", File)
            .StderrLines.Should().ContainSingle();
    }

    [Fact]
    public void Unexpected_exceptions_are_reported_as_internal_errors_with_a_stack_trace()
    {
        var result = Cli.Run(Fake(new InvalidOperationException("bug")).AsIo(), "parquet", "cat", File);
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().StartWith($"cdclake: {File}: internal error: System.InvalidOperationException: bug");
        result.StderrLines.Length.Should().BeGreaterThan(1);
    }

    [Fact]
    public void Missing_file_is_a_data_error()
    {
        var result = Cli.Run(Fake().AsIo(), "parquet", "schema", "other.parquet");
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Be("cdclake: other.parquet: cannot open: no such fake file\n");
    }

    [Theory]
    [InlineData("parquet", "cat")]
    [InlineData("parquet", "cat", File, "--bogus")]
    [InlineData("parquet", "cat", File, "extra.parquet")]
    [InlineData("parquet", "cat", File, "--format", "xml")]
    [InlineData("parquet", "cat", File, "--format")]
    [InlineData("parquet", "cat", File, "--limit", "0")]
    [InlineData("parquet", "cat", File, "--limit", "-3")]
    [InlineData("parquet", "cat", File, "--limit", "abc")]
    [InlineData("parquet", "cat", File, "--limit", "1.5")]
    [InlineData("parquet", "cat", File, "--limit", "99999999999999999999")]
    [InlineData("parquet", "cat", File, "--columns", ",")]
    [InlineData("parquet", "cat", File, "--columns", "a,,b")]
    [InlineData("parquet", "schema")]
    [InlineData("parquet", "meta", File, "--json", "--x")]
    [InlineData("parquet", "convert", File)]
    [InlineData("parquet", "convert", File, "out.parquet", "--codec", "lzo")]
    [InlineData("parquet", "convert", File, "out.parquet", "--row-group-rows", "0")]
    [InlineData("parquet", "convert", File, "out.parquet", "--row-group-rows", "3000000000")]
    [InlineData("parquet")]
    [InlineData("parquet", "bogus")]
    [InlineData("bogus")]
    [InlineData]
    public void Usage_errors_exit_2_with_the_usage_on_stderr(params string[] args)
    {
        var fake = Fake();
        var result = Cli.Run(fake.AsIo(), args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().StartWith("cdclake: ").And.Contain("Usage:");
        fake.BatchesRead.Should().Be(0);
    }

    [Fact]
    public void Usage_shows_the_innermost_command()
    {
        var result = Cli.Run(Fake().AsIo(), "parquet", "cat", File, "--limit", "0");
        result.StderrLines[0].Should().Be("cdclake: --limit must be a positive whole number, got '0'.");
        result.Stderr.Should().Contain("parquet cat <FILE> [options]").And.Contain("--limit <N>");
    }

    [Fact]
    public void Help_goes_to_stdout_with_exit_0()
    {
        var result = Cli.Run(Fake().AsIo(), "parquet", "--help");
        result.ExitCode.Should().Be(0);
        result.Stderr.Should().BeEmpty();
        result.Stdout.Should().Contain("schema").And.Contain("cat").And.Contain("meta").And.Contain("convert");
    }

    [Fact]
    public void A_closed_pipe_ends_quietly_other_output_failures_are_errors()
    {
        var stderr = new StringWriter();
        CliApp.Invoke(["parquet", "cat", File], new RowWriterTests.FailingWriter(new IOException("Broken pipe")), stderr, Fake().AsIo())
            .Should().Be(0);
        stderr.ToString().Should().BeEmpty();

        CliApp.Invoke(["parquet", "cat", File], new RowWriterTests.FailingWriter(new IOException("No space left on device")), stderr, Fake().AsIo())
            .Should().Be(1);
        stderr.ToString().Should().Be("cdclake: <stdout>: No space left on device\n");
    }

    [Fact]
    public void The_root_command_runs_through_the_System_CommandLine_2_API()
    {
        // What CliApp.Invoke does for a command line that parses: Parse, then Invoke with the writers.
        var root = CliApp.CreateRootCommand(Fake().AsIo());
        var parse = root.Parse(["parquet", "cat", File, "--limit", "1"]);
        parse.Errors.Should().BeEmpty();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });

        code.Should().Be(0);
        stdout.ToString().Should().Be("{\"id\":1,\"name\":\"n1\"}\n");
        stderr.ToString().Should().BeEmpty();
    }

    [Fact]
    public void Schema_prints_the_tree_and_the_leaf_columns()
    {
        var element = new PrimitiveField("element", PhysicalType.Int32, LogicalType.Date, Repetition.Optional, fieldId: 7);
        var key = new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required);
        var schema = new ParquetSchema(
        [
            Id,
            new StructField("st", [Leaf(PhysicalType.FixedLenByteArray, LogicalType.Decimal(20, 2), 9, "d"), new ListField("days", element)]),
            new MapField("m", key, Leaf(PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Nanos, false), name: "value")),
        ]);
        var fake = new FakeInput(File, schema, []);

        var result = Cli.Run(fake.AsIo(), "parquet", "schema", File);

        result.ExitCode.Should().Be(0, result.ToString());
        var lines = result.Stdout.Split('\n');
        lines[..9].Should().Equal(
            "fields:",
            "  id: int64 not null",
            "  st: struct",
            "    d: decimal(20,2)",
            "    days: list",
            "      element: date (field_id=7)",
            "  m: map",
            "    key: string not null",
            "    value: timestamp(nanos, local)");
        lines[10].Should().Be("columns:");
        lines[11].Should().MatchRegex(@"^  #\s+path\s+physical\s+logical\s+max_def\s+max_rep$");
        lines.Should().Contain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  2\s+st\.days\.list\.element\s+INT32\s+DATE\s+4\s+1$"));
        lines.Should().Contain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  1\s+st\.d\s+FIXED_LEN_BYTE_ARRAY\(9\)\s+DECIMAL\(20,2\)\s+2\s+0$"));
    }
}
