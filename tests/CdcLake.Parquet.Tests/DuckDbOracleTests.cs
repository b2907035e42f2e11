using System.Numerics;
using System.Text.Json;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// Proves the DuckDB oracle (tests/CdcLake.Testing/DuckDb.cs + tests/tools/duckdb-oracle.mjs):
/// it answers, it renders every type in the documented canonical form, it survives errors,
/// timeouts and concurrent callers, and it reads the shared fixtures.
/// </summary>
public sealed class DuckDbOracleTests
{
    private static DuckDb Db => DuckDb.Shared;

    // Every scalar type DuckDB can write to Parquet, one row, with values at the edges.
    private const string AllTypesSelect = """
        SELECT
          true                                                     AS bool_col,
          (-128)::TINYINT                                          AS int8_col,
          (-32768)::SMALLINT                                       AS int16_col,
          (-2147483648)::INTEGER                                   AS int32_col,
          9223372036854775807::BIGINT                              AS int64_col,
          255::UTINYINT                                            AS uint8_col,
          65535::USMALLINT                                         AS uint16_col,
          4294967295::UINTEGER                                     AS uint32_col,
          18446744073709551615::UBIGINT                            AS uint64_col,
          123.45::DECIMAL(9,4)                                     AS dec32_col,
          (-12345678901234.5678)::DECIMAL(18,4)                    AS dec64_col,
          1234567890123456789012345678.9012345678::DECIMAL(38,10)  AS dec128_col,
          1.1::FLOAT                                               AS float_col,
          0.1::DOUBLE                                              AS double_col,
          'NaN'::DOUBLE                                            AS nan_col,
          '-Infinity'::DOUBLE                                      AS neginf_col,
          DATE '2024-01-02'                                        AS date_col,
          TIME '03:04:05.123456'                                   AS time_col,
          TIMESTAMP '2024-01-02 03:04:05.123456'                   AS ts_col,
          TIMESTAMP_MS '2024-01-02 03:04:05.123'                   AS ts_ms_col,
          TIMESTAMP_NS '2024-01-02 03:04:05.123456789'             AS ts_ns_col,
          TIMESTAMPTZ '2024-01-02 05:04:05.123456+02'              AS tstz_col,
          'héllo "wörld"'::VARCHAR                                 AS string_col,
          '\x00\xFFab'::BLOB                                       AS blob_col,
          '27211B33-5FFB-4C89-95C7-D5087CA50A9F'::UUID             AS uuid_col,
          '{"x":1}'::JSON                                          AS json_col,
          INTERVAL '1 month 2 days 3.5 seconds'                    AS interval_col,
          {'a': 1, 'b': ['x', NULL]}                               AS struct_col,
          [1, NULL, 3]                                             AS list_col,
          MAP {'k1': 10, 'k2': NULL}                               AS map_col,
          NULL::INTEGER                                            AS null_col
        """;

    // Column -> (DuckDB type after the Parquet round trip, canonical rendering).
    private static readonly (string Column, string Type, string Rendered)[] s_expectedAfterParquet =
    [
        ("bool_col", "BOOLEAN", "true"),
        ("int8_col", "TINYINT", "-128"),
        ("int16_col", "SMALLINT", "-32768"),
        ("int32_col", "INTEGER", "-2147483648"),
        ("int64_col", "BIGINT", "9223372036854775807"),
        ("uint8_col", "UTINYINT", "255"),
        ("uint16_col", "USMALLINT", "65535"),
        ("uint32_col", "UINTEGER", "4294967295"),
        ("uint64_col", "UBIGINT", "18446744073709551615"),
        ("dec32_col", "DECIMAL(9,4)", "\"123.4500\""),
        ("dec64_col", "DECIMAL(18,4)", "\"-12345678901234.5678\""),
        ("dec128_col", "DECIMAL(38,10)", "\"1234567890123456789012345678.9012345678\""),
        ("float_col", "FLOAT", "1.1"),
        ("double_col", "DOUBLE", "0.1"),
        ("nan_col", "DOUBLE", "\"NaN\""),
        ("neginf_col", "DOUBLE", "\"-Infinity\""),
        ("date_col", "DATE", "\"2024-01-02\""),
        ("time_col", "TIME", "\"03:04:05.123456\""),
        ("ts_col", "TIMESTAMP", "\"2024-01-02T03:04:05.123456\""),
        ("ts_ms_col", "TIMESTAMP", "\"2024-01-02T03:04:05.123000\""), // Parquet stores it as TIMESTAMP_MILLIS; DuckDB reads back micros
        ("ts_ns_col", "TIMESTAMP_NS", "\"2024-01-02T03:04:05.123456789\""),
        ("tstz_col", "TIMESTAMP WITH TIME ZONE", "\"2024-01-02T03:04:05.123456Z\""),
        ("string_col", "VARCHAR", "\"héllo \\\"wörld\\\"\""),
        ("blob_col", "BLOB", "\"AP9hYg==\""),
        ("uuid_col", "UUID", "\"27211b33-5ffb-4c89-95c7-d5087ca50a9f\""),
        ("json_col", "JSON", "\"{\\\"x\\\":1}\""),
        ("interval_col", "INTERVAL", "{\"months\":1,\"days\":2,\"micros\":3500000}"),
        ("struct_col", "STRUCT(a INTEGER, b VARCHAR[])", "{\"a\":1,\"b\":[\"x\",null]}"),
        ("list_col", "INTEGER[]", "[1,null,3]"),
        ("map_col", "MAP(VARCHAR, INTEGER)", "[{\"key\":\"k1\",\"value\":10},{\"key\":\"k2\",\"value\":null}]"),
        ("null_col", "INTEGER", "null"),
    ];

    [Fact]
    public void Parquet_round_trip_of_every_type_renders_the_documented_canonical_forms()
    {
        using var temp = new TempDirectory("duckdb-oracle");
        var file = temp.PathOf("all_types.parquet");

        var copy = Db.Query($"COPY ({AllTypesSelect}) TO {DuckDb.Literal(file)} (FORMAT parquet)");
        copy.Scalar().GetInt64().Should().Be(1, "COPY reports the number of rows written");
        File.Exists(file).Should().BeTrue();

        var result = Db.Query($"SELECT * FROM read_parquet({DuckDb.Literal(file)})");

        result.Rows.Should().HaveCount(1);
        result.Columns.Select(c => c.Name).Should().Equal(s_expectedAfterParquet.Select(e => e.Column));
        foreach (var (column, type, rendered) in s_expectedAfterParquet)
        {
            var actualType = result.Columns[result.ColumnIndex(column)].Type;
            NormalizeType(actualType).Should().Be(type, "column {0}'s type", column);
            Canonical.Render(result[0, column]).Should().Be(rendered, "column {0} ({1})", column, type);
        }
    }

    [Fact]
    public void Integers_are_exact_json_numbers_at_every_width()
    {
        var result = Db.Query("""
            SELECT 9223372036854775807::BIGINT AS max_i64,
                   (-9223372036854775808)::BIGINT AS min_i64,
                   18446744073709551615::UBIGINT AS max_u64,
                   170141183460469231731687303715884105727::HUGEINT AS max_i128,
                   340282366920938463463374607431768211455::UHUGEINT AS max_u128
            """);

        result[0, "max_i64"].ValueKind.Should().Be(JsonValueKind.Number);
        result[0, "max_i64"].GetInt64().Should().Be(long.MaxValue);
        result[0, "min_i64"].GetInt64().Should().Be(long.MinValue);
        result[0, "max_u64"].GetUInt64().Should().Be(ulong.MaxValue);
        BigInteger.Parse(result[0, "max_i128"].GetRawText(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be((BigInteger.One << 127) - 1);
        Canonical.Render(result[0, "max_u128"]).Should().Be("340282366920938463463374607431768211455");
        result.Columns.Select(c => c.Type).Should().Equal("BIGINT", "BIGINT", "UBIGINT", "HUGEINT", "UHUGEINT");
    }

    [Theory]
    [InlineData("123.45::DECIMAL(9,4)", "\"123.4500\"")]
    [InlineData("(-0.5)::DECIMAL(18,4)", "\"-0.5000\"")]
    [InlineData("0::DECIMAL(10,3)", "\"0.000\"")]
    [InlineData("42::DECIMAL(5,0)", "\"42\"")]
    [InlineData("0.000001::DECIMAL(7,6)", "\"0.000001\"")]
    [InlineData("1.1::FLOAT", "1.1")]
    [InlineData("16777217::FLOAT", "16777216")]
    [InlineData("3.4028235e38::FLOAT", "3.4028235e+38")]
    [InlineData("0.1::DOUBLE", "0.1")]
    [InlineData("0.1::DOUBLE + 0.2::DOUBLE", "0.30000000000000004")]
    [InlineData("1e300::DOUBLE", "1e+300")]
    [InlineData("-(0.0::DOUBLE)", "-0")]
    [InlineData("'NaN'::DOUBLE", "\"NaN\"")]
    [InlineData("'Infinity'::FLOAT", "\"Infinity\"")]
    [InlineData("'-Infinity'::DOUBLE", "\"-Infinity\"")]
    [InlineData("DATE '2024-01-02'", "\"2024-01-02\"")]
    [InlineData("DATE '0044-03-15 (BC)'", "\"-0043-03-15\"")]
    [InlineData("DATE '12000-01-01'", "\"+12000-01-01\"")]
    [InlineData("DATE 'infinity'", "\"infinity\"")]
    [InlineData("TIME '03:04:05'", "\"03:04:05.000000\"")]
    [InlineData("TIME '24:00:00'", "\"24:00:00.000000\"")]
    [InlineData("'03:04:05.5+02:30'::TIMETZ", "\"03:04:05.500000+02:30\"")]
    [InlineData("TIMESTAMP '2024-01-02 03:04:05.123456'", "\"2024-01-02T03:04:05.123456\"")]
    [InlineData("TIMESTAMP '1969-12-31 23:59:59.999999'", "\"1969-12-31T23:59:59.999999\"")]
    [InlineData("TIMESTAMP_S '2024-01-02 03:04:05'", "\"2024-01-02T03:04:05.000000\"")]
    [InlineData("TIMESTAMP_NS '1969-12-31 23:59:59.999999999'", "\"1969-12-31T23:59:59.999999999\"")]
    [InlineData("TIMESTAMPTZ '2024-01-02 03:04:05.123456+00'", "\"2024-01-02T03:04:05.123456Z\"")]
    [InlineData("TIMESTAMPTZ '2024-01-02 00:30:00-05'", "\"2024-01-02T05:30:00.000000Z\"")]
    [InlineData("TIMESTAMP '-infinity'", "\"-infinity\"")]
    [InlineData("''::BLOB", "\"\"")]
    [InlineData("'101'::BIT", "\"101\"")]
    [InlineData("[[1], [], NULL]", "[[1],[],null]")]
    [InlineData("[1, 2]::INTEGER[2]", "[1,2]")]
    [InlineData("{'z': 1, 'a': {'y': DATE '2024-01-02'}}", "{\"z\":1,\"a\":{\"y\":\"2024-01-02\"}}")]
    [InlineData("MAP {1: [1.5::DOUBLE]}", "[{\"key\":1,\"value\":[1.5]}]")]
    [InlineData("union_value(k := 'v')", "{\"tag\":\"k\",\"value\":\"v\"}")]
    [InlineData("NULL", "null")]
    public void Scalar_values_render_canonically(string expression, string expected)
    {
        var value = Db.Query($"SELECT {expression} AS v").Scalar();

        Canonical.Render(value).Should().Be(expected, "SELECT {0}", expression);
    }

    [Fact]
    public void Session_is_utc_with_the_configured_threads()
    {
        var result = Db.Query("SELECT current_setting('TimeZone') AS tz, current_setting('threads') AS threads");

        Canonical.Text(result[0, "tz"]).Should().Be("UTC");
        result[0, "threads"].GetInt64().Should().Be(Db.Options.Threads);
        Db.Version.Should().StartWith("v");
    }

    [Fact]
    public void Execute_keeps_state_and_multi_statement_sql_returns_the_last_result()
    {
        using var db = new DuckDb(new DuckDbOptions { Threads = 1 });
        db.Execute("CREATE TABLE t(id INTEGER, name VARCHAR); INSERT INTO t VALUES (1, 'a'), (2, NULL)");

        var result = db.Query("SELECT * FROM t ORDER BY id");

        result.Columns.Should().Equal(new DuckColumn("id", "INTEGER"), new DuckColumn("name", "VARCHAR"));
        Canonical.Render(result).Should().Equal("[1,\"a\"]", "[2,null]");
        result.Column("name").Select(Canonical.Text).Should().Equal("a", "null");
        db.Query("SET threads = 1; SELECT 7 AS x").Scalar().GetInt32().Should().Be(7);
    }

    [Fact]
    public void Sql_errors_name_the_sql_and_leave_the_oracle_usable()
    {
        const string bad = "SELECT no_such_column FROM range(3)";

        var act = () => Db.Query(bad);

        act.Should().Throw<DuckDbException>()
            .Where(e => e.Message.Contains(bad, StringComparison.Ordinal) && e.Message.Contains("no_such_column", StringComparison.Ordinal))
            .And.Sql.Should().Be(bad);
        Db.Query("SELECT 1 AS one").Scalar().GetInt32().Should().Be(1);
    }

    [Fact]
    public void A_request_that_times_out_names_the_sql_and_the_next_call_gets_a_fresh_process()
    {
        using var db = new DuckDb(new DuckDbOptions { Threads = 1 });
        const string slow = "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3";

        var act = () => db.Query(slow, TimeSpan.FromMilliseconds(300));

        act.Should().Throw<TimeoutException>().WithMessage($"*{slow}*");
        db.Query("SELECT 2 AS two").Scalar().GetInt32().Should().Be(2);
    }

    [Fact]
    public void Concurrent_callers_each_get_their_own_answer()
    {
        var answers = new long[32];

        Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            answers[i] = Db.Query($"SELECT {i}::BIGINT * 1000 + count(*) AS v FROM range({i})").Scalar().GetInt64();
        });

        answers.Should().Equal(Enumerable.Range(0, answers.Length).Select(i => (long)i * 1000 + i));
    }

    [Fact]
    public void Reads_the_shared_dms_fixture()
    {
        var file = RepoPaths.SharedFixture("dms", "dms_test_table_LOAD00000001.parquet");

        var result = Db.Query($"SELECT count(*) AS n FROM read_parquet({DuckDb.Literal(file)})");

        result.Scalar().GetInt64().Should().Be(10, "the fixture README says the DMS full-load file has 10 rows");
    }

    [Fact]
    public void Repo_paths_point_at_the_repository_and_its_tools()
    {
        File.Exists(Path.Combine(RepoPaths.Root, "CdcLake.sln")).Should().BeTrue();
        File.Exists(Path.Combine(RepoPaths.TestTools, "duckdb-oracle.mjs")).Should().BeTrue();
        Directory.Exists(RepoPaths.SharedFixtures).Should().BeTrue();

        string dir;
        using (var temp = new TempDirectory())
        {
            dir = temp.Path;
            File.WriteAllText(temp.PathOf("sub/x.txt"), "x");
            Directory.Exists(dir).Should().BeTrue();
        }

        Directory.Exists(dir).Should().BeFalse("TempDirectory deletes itself on dispose");
    }

    [Fact]
    public void Canonical_render_is_compact_and_whitespace_insensitive()
    {
        using var doc = JsonDocument.Parse("""{ "b" : [ 1 , "x\u00e9" , null , true ] , "a" : { } }""");

        Canonical.Render(doc.RootElement).Should().Be("{\"b\":[1,\"xé\",null,true],\"a\":{}}");
        Canonical.Text(doc.RootElement.GetProperty("b")[1]).Should().Be("xé");
    }

    // DuckDB quotes struct field names in type strings ("a" INTEGER); compare without the quotes.
    private static string NormalizeType(string type) => type.Replace("\"", "", StringComparison.Ordinal);
}
