using System.Text;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

public class JavaPropertiesTests
{
    private static readonly DateTimeOffset s_at = new(2024, 4, 18, 22, 32, 13, 522, TimeSpan.Zero);

    [Fact]
    public void Parses_all_separator_forms_and_comments()
    {
        var p = JavaProperties.Parse(
            "# comment\n! bang comment\n\n  a=1\nb:2\nc 3\nd = 4\ne\t:\t5\nf\ng=\n  # indented comment\nh=x=y\n");
        p.Should().Equal(
            new KeyValuePair<string, string>("a", "1"),
            new KeyValuePair<string, string>("b", "2"),
            new KeyValuePair<string, string>("c", "3"),
            new KeyValuePair<string, string>("d", "4"),
            new KeyValuePair<string, string>("e", "5"),
            new KeyValuePair<string, string>("f", ""),
            new KeyValuePair<string, string>("g", ""),
            new KeyValuePair<string, string>("h", "x=y"));
    }

    [Fact]
    public void Joins_continuation_lines_and_drops_their_leading_blanks()
    {
        var p = JavaProperties.Parse("fruits = apple, banana, \\\n    pear, \\\r\n\tplum\nlast=a\\\\\nend=x\\");
        p["fruits"].Should().Be("apple, banana, pear, plum");
        p["last"].Should().Be("a\\", "an even number of backslashes does not continue the line");
        p["end"].Should().Be("x", "a backslash at the end of the file continues into nothing");
    }

    [Fact]
    public void A_comment_line_does_not_continue_but_a_continued_line_may_start_with_hash()
    {
        var p = JavaProperties.Parse("# comment \\\nkey=a\\\n#notacomment\n");
        p["key"].Should().Be("a#notacomment");
        p.Count.Should().Be(1);
    }

    [Fact]
    public void Reads_escapes_in_keys_and_values()
    {
        var p = JavaProperties.Parse("my\\ key\\:x\\=y=tab\\there\\nnew\\rret\\fff\\\\back\\u00e9\\u4E2D\\q\n\\#hash=\\!bang");
        p["my key:x=y"].Should().Be("tab\there\nnew\rret\fff\\backé中q");
        p["#hash"].Should().Be("!bang");
    }

    [Theory]
    [InlineData("a=\\u12")]
    [InlineData("a=\\uZZZZ")]
    public void Malformed_unicode_escapes_are_errors(string text) =>
        FluentActions.Invoking(() => JavaProperties.Parse(text)).Should().Throw<FormatException>().WithMessage("*\\uxxxx*");

    [Fact]
    public void Handles_cr_and_crlf_line_ends()
    {
        var p = JavaProperties.Parse("a=1\r\nb=2\rc=3\n");
        p.Should().HaveCount(3);
        p["b"].Should().Be("2");
        p["c"].Should().Be("3");
    }

    [Fact]
    public void Later_duplicates_replace_the_value_in_place()
    {
        var p = JavaProperties.Parse("a=1\nb=2\na=3\n");
        p.Keys.Should().Equal("a", "b");
        p["a"].Should().Be("3");
    }

    [Fact]
    public void Reads_bytes_as_iso_8859_1()
    {
        var p = JavaProperties.Load(new byte[] { (byte)'k', (byte)'=', 0xE9, 0xFF });
        p["k"].Should().Be("\u00e9\u00ff");
    }

    [Fact]
    public void Writes_what_java_store_writes()
    {
        var p = new JavaProperties
        {
            ["key with spaces"] = " leading and inner spaces",
            ["sep:=#!"] = "a:b=c#d!e",
            ["ctl"] = "t\tn\nr\rf\f",
            ["back\\slash"] = "x\\y",
            ["unicode"] = "é中😀\u007f\u0001",
            ["plain"] = "<>?@[]^_`{|}~\"$%&'()*+,-./;",
        };
        var text = p.ToText(savedAt: s_at);
        text.Should().Be(
            "#Thu Apr 18 22:32:13 UTC 2024\n" +
            "key\\ with\\ spaces=\\ leading and inner spaces\n" +
            "sep\\:\\=\\#\\!=a\\:b\\=c\\#d\\!e\n" +
            "ctl=t\\tn\\nr\\rf\\f\n" +
            "back\\\\slash=x\\\\y\n" +
            "unicode=\\u00E9\\u4E2D\\uD83D\\uDE00\\u007F\\u0001\n" +
            "plain=<>?@[]^_`{|}~\"$%&'()*+,-./;\n");
        JavaProperties.Parse(text).Should().Equal(p);
    }

    [Fact]
    public void Store_writer_mode_keeps_non_ascii_characters()
    {
        var p = new JavaProperties { ["k"] = "é中" };
        p.ToText(savedAt: s_at, escapeUnicode: false).Should().EndWith("k=é中\n");
    }

    [Fact]
    public void Comments_are_written_like_java_writeComments()
    {
        var p = new JavaProperties { ["a"] = "1" };
        var text = p.ToText("first\nsecond\r\n#third\r!fourth\u00e9\u4e2d", s_at);
        text.Should().Be("#first\n#second\n#third\n!fourth\u00e9\\u4E2D\n#Thu Apr 18 22:32:13 UTC 2024\na=1\n");
        Encoding.Latin1.GetString(p.ToBytes("é", s_at)).Should().StartWith("#é\n", "Java writes Latin-1 comment characters as they are");
    }

    [Fact]
    public void Java_date_line_is_in_utc()
    {
        JavaProperties.FormatJavaDate(new DateTimeOffset(2025, 7, 13, 1, 5, 35, TimeSpan.Zero)).Should().Be("Sun Jul 13 01:05:35 UTC 2025");
        JavaProperties.FormatJavaDate(new DateTimeOffset(2024, 4, 18, 17, 32, 13, TimeSpan.FromHours(-5))).Should().Be("Thu Apr 18 22:32:13 UTC 2024");
    }

    [Theory]
    [MemberData(nameof(HudiFixtures.AllTables), MemberType = typeof(HudiFixtures))]
    public void Round_trips_every_fixture_hoodie_properties(string table) =>
        AssertRoundTrip(HudiFixtures.HoodieProperties(table));

    [Fact]
    public void Round_trips_every_fixture_partition_metadata()
    {
        var files = HudiFixtures.PartitionMetadataFiles();
        files.Should().HaveCount(14);
        foreach (var file in files)
        {
            AssertRoundTrip(File.ReadAllBytes(HudiFixtures.FixturePath(file)));
        }
    }

    [Fact]
    public void Fixture_create_schema_values_lose_their_escapes()
    {
        var p = JavaProperties.Load(HudiFixtures.HoodieProperties("v6_empty"));
        p["hoodie.table.create.schema"].Should().Be(
            "{\"type\":\"record\",\"name\":\"v6_empty_record\",\"namespace\":\"hoodie.v6_empty\",\"fields\":[" +
            "{\"name\":\"id\",\"type\":[\"int\",\"null\"]},{\"name\":\"name\",\"type\":[\"string\",\"null\"]}," +
            "{\"name\":\"isActive\",\"type\":[\"boolean\",\"null\"]}]}");
    }

    // Values equal after reading; our text re-reads equal; and with the fixture's own comment line our bytes
    // equal the fixture's except for the date line (Java prints the writer's local zone there).
    private static void AssertRoundTrip(byte[] original)
    {
        var p = JavaProperties.Load(original);
        p.Count.Should().BeGreaterThan(0);
        var written = p.ToBytes(savedAt: s_at);
        JavaProperties.Load(written).Should().Equal(p);

        var originalLines = Encoding.Latin1.GetString(original).Split('\n');
        var comment = originalLines[0][1..];
        var ours = Encoding.Latin1.GetString(p.ToBytes(comment, s_at)).Split('\n');
        ours.Should().HaveSameCount(originalLines);
        ours[0].Should().Be(originalLines[0]);
        ours[2..].Should().Equal(originalLines[2..]);
    }
}
