using System.Globalization;
using System.Text;
using CdcLake.Parquet.Meta;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// Acceptance line 2 of the Parquet issue, read half: DuckDB writes a generated matrix of files — every
/// DuckDB type that maps to Parquet × with/without nulls × every codec × dictionary on/off × data page
/// v1/v2 — and our reader must read each back equal, value for value, to DuckDB's own reading of it, with
/// the schema types that correspond to what DuckDB wrote.
/// <para>
/// Every file holds every type, so each type meets every value of every axis; the 14 files are a pairwise
/// covering design of the four axes (codec × dictionary, codec × page version, codec × nulls, and every pair
/// of the two-valued axes appear together) instead of the 56-file cross product. Values come from DuckDB's
/// <c>hash(row, seed, column)</c>, so runs are reproducible, with edge values (integer limits, NaN, ±0,
/// infinities, empty and long strings, unicode, dates far from the epoch) on fixed rows spread across the
/// row groups.
/// </para>
/// </summary>
public sealed class DuckDbReadMatrixTests(ITestOutputHelper output)
{
    private const int RowCount = 5_000;
    private const int RowGroupSize = 2_048; // DuckDB's smallest row group (its vector size): 3 row groups
    private const int Seed = 1_729;

    /// <summary>DuckDB's COPY codec names. DuckDB writes <c>lz4</c> as the LZ4_RAW codec, like <c>lz4_raw</c>.</summary>
    private static readonly string[] Codecs = ["uncompressed", "snappy", "gzip", "zstd", "brotli", "lz4_raw", "lz4"];

    /// <param name="Name">Column name.</param>
    /// <param name="Type">DuckDB type the table declares (and so DuckDB writes).</param>
    /// <param name="Expression">SQL of the value; <c>{h}</c> is a per-row, per-column 64-bit hash, <c>{i}</c> the row,
    /// <c>{nullable}</c> TRUE when nested nulls are wanted.</param>
    /// <param name="ReadBack">The type DuckDB reads back from the file.</param>
    /// <param name="OurType">What our reader's field says (<see cref="Field.TypeName"/>), for top-level leaves.</param>
    private sealed record MatrixColumn(string Name, string Type, string Expression, string ReadBack, string? OurType = null);

    /// <summary>CASE on the row number: edge values on rows ≡ 0, 1, 2, ... (mod 61), the generator elsewhere.</summary>
    private static string Edges(string generic, params string[] edges)
    {
        if (edges.Length == 0)
        {
            return generic;
        }

        var sb = new StringBuilder("CASE {i} % 61");
        for (var k = 0; k < edges.Length; k++)
        {
            sb.Append(CultureInfo.InvariantCulture, $" WHEN {k} THEN {edges[k]}");
        }

        return sb.Append(" ELSE ").Append(generic).Append(" END").ToString();
    }

    private static readonly MatrixColumn[] Columns =
    [
        new("b", "BOOLEAN", "{h} % 2 = 0", "BOOLEAN", "boolean"),
        new("i8", "TINYINT", Edges("({h} % 256)::INTEGER - 128", "-128", "127", "0"), "TINYINT", "int32 INT(8,signed)"),
        new("i16", "SMALLINT", Edges("({h} % 65536)::INTEGER - 32768", "-32768", "32767", "0"), "SMALLINT", "int32 INT(16,signed)"),
        new("i32", "INTEGER", Edges("({h} % 4294967296)::BIGINT - 2147483648", "-2147483648", "2147483647", "0"), "INTEGER", "int32 INT(32,signed)"),
        new("i64", "BIGINT", Edges("{h}::HUGEINT - 9223372036854775808", "-9223372036854775808", "9223372036854775807", "0"), "BIGINT", "int64 INT(64,signed)"),
        new("u8", "UTINYINT", Edges("{h} % 256", "0", "255"), "UTINYINT", "int32 INT(8,unsigned)"),
        new("u16", "USMALLINT", Edges("{h} % 65536", "0", "65535"), "USMALLINT", "int32 INT(16,unsigned)"),
        new("u32", "UINTEGER", Edges("{h} % 4294967296", "0", "4294967295"), "UINTEGER", "int32 INT(32,unsigned)"),
        new("u64", "UBIGINT", Edges("{h}", "0", "18446744073709551615"), "UBIGINT", "int64 INT(64,unsigned)"),
        // DuckDB has no Parquet form for 128-bit integers: it writes HUGEINT and UHUGEINT as DOUBLE.
        new("hi", "HUGEINT", Edges("({h}::HUGEINT - 9223372036854775808) * 12345678901", "170141183460469231731687303715884105727", "-170141183460469231731687303715884105728"), "DOUBLE", "double"),
        new("uhi", "UHUGEINT", Edges("{h}::UHUGEINT * 98765", "340282366920938463463374607431768211455"), "DOUBLE", "double"),
        new("f", "FLOAT", Edges(
            "(({h} % 2000001)::DOUBLE - 1000000) / (1 + {h} % 1000) * pow(10, (({h} >> 20) % 70)::INTEGER - 35)",
            "'NaN'", "'Infinity'", "'-Infinity'", "-0.0", "0.0", "1.4e-45", "3.4028235e38", "-3.4028235e38", "1.1", "1e-7", "1e21", "16777217", "0.1"),
            "FLOAT", "float"),
        new("d", "DOUBLE", Edges(
            "(({h} % 2000001)::DOUBLE - 1000000) / (1 + {h} % 997) * pow(10, (({h} >> 20) % 600)::INTEGER - 300)",
            "'NaN'", "'Infinity'", "'-Infinity'", "-0.0", "0.0", "5e-324", "1.7976931348623157e308", "-1.7976931348623157e308", "0.1", "1e21", "1e-7", "123456789012345680000", "2.2250738585072014e-308"),
            "DOUBLE", "double"),
        new("dec4", "DECIMAL(4,2)", Edges("(({h} % 19999)::INTEGER - 9999) * 0.01", "99.99", "-99.99", "0", "-0.01"), "DECIMAL(4,2)", "int32 DECIMAL(4,2)"),
        new("dec18", "DECIMAL(18,6)", Edges("(({h} % 1999999999999999999)::HUGEINT - 999999999999999999) * 0.000001", "999999999999.999999", "-999999999999.999999", "0.000001"), "DECIMAL(18,6)", "int64 DECIMAL(18,6)"),
        new("dec38", "DECIMAL(38,10)", Edges(
            "(({h}::HUGEINT * 1000000000000000000 + ({h} >> 3)::HUGEINT) - 9000000000000000000000000000000000000)::DECIMAL(38,0) * 0.0000000001::DECIMAL(10,10)",
            "'9999999999999999999999999999.9999999999'", "'-9999999999999999999999999999.9999999999'", "0", "'-0.0000000001'"),
            "DECIMAL(38,10)", "fixed_len_byte_array(16) DECIMAL(38,10)"),
        new("s", "VARCHAR", Edges(
            "CASE WHEN {h} % 3 = 0 THEN md5({h}::VARCHAR) ELSE 'k' || ({h} % 40)::VARCHAR END",
            "''", "repeat('long ', 1200)", "'héllo wörld ✓ 𝄞 日本語'", "'quote\" back\\ nl' || chr(10) || 'tab' || chr(9) || chr(1)", "' '"),
            "VARCHAR", "byte_array STRING"),
        new("bl", "BLOB", Edges("unhex(left(md5({h}::VARCHAR), (({h} % 16) * 2)::INTEGER))", "''::BLOB", "'\\x00\\xFF\\x80'::BLOB", "repeat('\\xAB'::BLOB, 3000)"), "BLOB", "byte_array"),
        new("u", "UUID", Edges("md5({h}::VARCHAR)::UUID", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "'80000000-0000-0000-0000-000000000000'", "'7fffffff-ffff-ffff-ffff-ffffffffffff'"), "UUID", "fixed_len_byte_array(16) UUID"),
        new("dt", "DATE", Edges(
            "DATE '1970-01-01' + (({h} % 300000)::INTEGER - 150000)",
            "DATE '0001-01-01'", "DATE '9999-12-31'", "DATE '0044-03-15 (BC)'", "DATE '12000-01-01'", "DATE '1969-12-31'", "DATE '1970-01-01'",
            "'infinity'::DATE", "'-infinity'::DATE", "DATE '5881580-07-10'", "DATE '5877642-06-25 (BC)'", "DATE '1582-10-04'", "DATE '2000-02-29'"),
            "DATE", "int32 DATE"),
        new("t", "TIME", Edges("TIME '00:00:00' + to_microseconds(({h} % 86400000000)::BIGINT)", "TIME '00:00:00'", "TIME '23:59:59.999999'", "TIME '24:00:00'"), "TIME", "int64 TIME(MICROS,local)"),
        new("tns", "TIME_NS", Edges(
            "format('{:02d}:{:02d}:{:02d}.{:09d}', ({h} % 24)::INTEGER, (({h} >> 8) % 60)::INTEGER, (({h} >> 16) % 60)::INTEGER, (({h} >> 24) % 1000000000)::INTEGER)::TIME_NS",
            "'00:00:00'::TIME_NS", "'23:59:59.999999999'::TIME_NS"),
            "TIME_NS", "int64 TIME(NANOS,local)"),
        new("ttz", "TIMETZ", Edges("(TIME '00:00:00' + to_microseconds(({h} % 86400000000)::BIGINT))::TIMETZ", "'00:00:00+00'::TIMETZ", "'23:59:59.999999+00'::TIMETZ", "'12:00:00-05'::TIMETZ"), "TIME WITH TIME ZONE", "int64 TIME(MICROS,UTC)"),
        new("ts", "TIMESTAMP", Edges(
            "TIMESTAMP '1970-01-01' + to_microseconds(({h} % 20000000000000000)::BIGINT - 10000000000000000)",
            "TIMESTAMP '0001-01-01 00:00:00'", "TIMESTAMP '9999-12-31 23:59:59.999999'", "TIMESTAMP '1969-12-31 23:59:59.999999'",
            "TIMESTAMP '290309-12-22 (BC) 00:00:00'", "TIMESTAMP '294247-01-10 04:00:54.775806'", "'infinity'::TIMESTAMP", "'-infinity'::TIMESTAMP", "TIMESTAMP '1000-03-01 (BC) 12:00:00'"),
            "TIMESTAMP", "int64 TIMESTAMP(MICROS,local)"),
        new("tsms", "TIMESTAMP_MS", Edges(
            "(TIMESTAMP '1970-01-01' + to_microseconds(({h} % 20000000000000000)::BIGINT - 10000000000000000))::TIMESTAMP_MS",
            "TIMESTAMP '0001-01-01 00:00:00.001'", "TIMESTAMP '1969-12-31 23:59:59.999'"),
            "TIMESTAMP", "int64 TIMESTAMP(MILLIS,local)"),
        new("tss", "TIMESTAMP_S", Edges("(TIMESTAMP '1970-01-01' + to_microseconds(({h} % 20000000000000000)::BIGINT - 10000000000000000))::TIMESTAMP_S"), "TIMESTAMP", "int64 TIMESTAMP(MICROS,local)"),
        new("tsns", "TIMESTAMP_NS", Edges(
            "make_timestamp_ns(greatest({h}::HUGEINT - 9223372036854775808, -9223372036854775806)::BIGINT)",
            "make_timestamp_ns(-9223372036854775806)", "make_timestamp_ns(9223372036854775806)", "make_timestamp_ns(-1)", "make_timestamp_ns(0)"),
            "TIMESTAMP_NS", "int64 TIMESTAMP(NANOS,local)"),
        new("tstz", "TIMESTAMPTZ", Edges(
            "TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds(({h} % 20000000000000000)::BIGINT - 10000000000000000)",
            "TIMESTAMPTZ '0001-01-01 00:00:00+00'", "'infinity'::TIMESTAMPTZ", "TIMESTAMPTZ '2024-03-31 01:30:00+02'"),
            "TIMESTAMP WITH TIME ZONE", "int64 TIMESTAMP(MICROS,UTC)"),
        // Parquet's INTERVAL keeps months, days and milliseconds as unsigned 32-bit counts: DuckDB refuses
        // to write negative intervals, and keeps whole milliseconds only.
        new("iv", "INTERVAL", Edges(
            "to_months(({h} % 200)::INTEGER) + to_days((({h} >> 8) % 2000)::INTEGER) + to_milliseconds((({h} >> 16) % 100000000)::BIGINT)",
            "INTERVAL 0 SECOND", "to_milliseconds(4294967295)", "to_months(2147483647) + to_days(2147483647)"),
            "INTERVAL", "fixed_len_byte_array(12) INTERVAL"),
        new("j", "JSON", Edges("json_object('k', ({h} % 100)::INTEGER, 's', 'v' || ({h} % 7)::VARCHAR)", "'{}'", "'[]'", "'null'", "'\"é\"'"), "JSON", "byte_array JSON"),
        // DuckDB writes ENUM values as plain UTF8 strings; there is no Parquet ENUM on its side.
        new("e", "ENUM('sad', 'ok', 'happy')", "(['sad', 'ok', 'happy'])[({h} % 3)::INTEGER + 1]", "VARCHAR", "byte_array STRING"),
        new("l", "INTEGER[]", "list_transform(range(({h} % 5)::BIGINT), lambda x: CASE WHEN {nullable} AND ({h} + x) % 5 = 0 THEN NULL ELSE (({h} + x) % 100000)::INTEGER - 50000 END)", "INTEGER[]"),
        new("ls", "VARCHAR[]", "list_transform(range(({h} % 4)::BIGINT), lambda x: CASE WHEN {nullable} AND ({h} + x) % 4 = 0 THEN NULL WHEN x = 2 THEN '' ELSE 'é' || x::VARCHAR || md5({h}::VARCHAR) END)", "VARCHAR[]"),
        new("arr", "INTEGER[3]", "[({h} % 100)::INTEGER, CASE WHEN {nullable} AND {h} % 4 = 0 THEN NULL ELSE 7 END, -1]", "INTEGER[]"),
        new("ll", "BIGINT[][]", "list_transform(range(({h} % 4)::BIGINT), lambda x: CASE WHEN {nullable} AND ({h} + x) % 7 = 0 THEN NULL ELSE list_transform(range((({h} >> (x * 3)::INTEGER) % 4)::BIGINT), lambda y: CASE WHEN {nullable} AND ({h} + y) % 9 = 0 THEN NULL ELSE x * 10 + y END) END)", "BIGINT[][]"),
        new("st", "STRUCT(a INTEGER, b VARCHAR, c DOUBLE[])", "{'a': CASE WHEN {nullable} AND {h} % 5 = 1 THEN NULL ELSE ({h} % 1000)::INTEGER END, 'b': CASE WHEN {nullable} AND {h} % 5 = 2 THEN NULL ELSE md5({h}::VARCHAR) END, 'c': list_transform(range(({h} % 3)::BIGINT), lambda x: x / 3)}", "STRUCT(\"a\" INTEGER, \"b\" VARCHAR, \"c\" DOUBLE[])"),
        new("sl", "STRUCT(x INTEGER, y STRUCT(z VARCHAR))[]", "list_transform(range(({h} % 3)::BIGINT), lambda x: CASE WHEN {nullable} AND ({h} + x) % 4 = 0 THEN NULL ELSE {'x': x::INTEGER, 'y': CASE WHEN {nullable} AND ({h} + x) % 3 = 0 THEN NULL ELSE {'z': 'z' || x::VARCHAR} END} END)", "STRUCT(\"x\" INTEGER, \"y\" STRUCT(\"z\" VARCHAR))[]"),
        new("m", "MAP(VARCHAR, INTEGER)", "map_from_entries(list_transform(range(({h} % 4)::BIGINT), lambda x: {'k': 'k' || x::VARCHAR, 'v': CASE WHEN {nullable} AND ({h} + x) % 3 = 0 THEN NULL ELSE (({h} >> x::INTEGER) % 1000)::INTEGER END}))", "MAP(VARCHAR, INTEGER)"),
        new("mm", "MAP(INTEGER, VARCHAR[])", "map_from_entries(list_transform(range(({h} % 3)::BIGINT), lambda x: {'k': x::INTEGER, 'v': list_transform(range(x), lambda y: 'v' || y::VARCHAR)}))", "MAP(INTEGER, VARCHAR[])"),
        // Nested JSON: the oracle prints the alias only at top level, so it reads back as VARCHAR inside.
        new("sj", "STRUCT(j JSON, n INTEGER)", "{'j': json_array(({h} % 10)::INTEGER, 'x'), 'n': ({h} % 3)::INTEGER}", "STRUCT(\"j\" VARCHAR, \"n\" INTEGER)"),
    ];

    /// <summary>One file of the matrix.</summary>
    public sealed record Variant(string Codec, bool Dictionary, int PageVersion, bool Nulls)
    {
        public override string ToString() =>
            $"{Codec}, dictionary {(Dictionary ? "on" : "off")}, v{PageVersion} pages, {(Nulls ? "with" : "without")} nulls";
    }

    /// <summary>
    /// 14 files: each codec twice (c = codec index, v = 0/1): dictionary on when c + v is even, page version
    /// v + 1, nulls when ⌊c/2⌋ + v is even. Every pair of values of any two axes occurs (checked below).
    /// </summary>
    private static IEnumerable<Variant> Variants() =>
        Codecs.SelectMany((codec, c) => new[] { 0, 1 }.Select(v => new Variant(codec, (c + v) % 2 == 0, v + 1, ((c / 2) + v) % 2 == 0)));

    public static TheoryData<string, bool, int, bool> Matrix()
    {
        var data = new TheoryData<string, bool, int, bool>();
        foreach (var v in Variants())
        {
            data.Add(v.Codec, v.Dictionary, v.PageVersion, v.Nulls);
        }

        return data;
    }

    [Fact]
    public void Matrix_covers_every_pair_of_axis_values()
    {
        var variants = Variants().ToList();
        variants.Should().HaveCount(14);
        object[] Axes(Variant v) => [v.Codec, v.Dictionary, v.PageVersion, v.Nulls];
        object[][] domains = [Codecs, [true, false], [1, 2], [true, false]];
        for (var a = 0; a < 4; a++)
        {
            for (var b = a + 1; b < 4; b++)
            {
                foreach (var x in domains[a])
                {
                    foreach (var y in domains[b])
                    {
                        variants.Any(v => Axes(v)[a].Equals(x) && Axes(v)[b].Equals(y)).Should().BeTrue($"axes {a} and {b} must meet as ({x}, {y})");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void DuckDb_written_file_reads_back_as_DuckDb_reads_it(string codec, bool dictionary, int pageVersion, bool nulls)
    {
        var variant = new Variant(codec, dictionary, pageVersion, nulls);
        using var dir = new TempDirectory("duck-matrix");
        var path = dir.PathOf("matrix.parquet");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Write(variant, path);
        var written = clock.Elapsed;

        // The writer options had the effect they are meant to have.
        var footer = CompatibilitySupport.ReadFooter(path);
        var chunks = CompatibilitySupport.Pages(path, footer);
        AssertWriterOptionsTookEffect(variant, path, chunks);

        // Our schema: the types that correspond to what DuckDB wrote.
        clock.Restart();
        var (schema, batches, hints) = CompatibilitySupport.ReadAll(path);
        var read = clock.Elapsed;
        schema.Fields.Select(f => f.Name).Should().Equal(Columns.Select(c => c.Name));
        foreach (var column in Columns.Where(c => c.OurType is not null))
        {
            schema[column.Name].TypeName.Should().Be(column.OurType, $"column {column.Name} ({column.Type})");
            // DuckDB 1.5 writes every column OPTIONAL, even NOT NULL ones (required columns are covered by the
            // fixtures: delta_encoding_required_column, nonnullable.impala, the Hudi files).
            schema[column.Name].IsNullable.Should().BeTrue();
        }

        batches.Should().HaveCountGreaterThanOrEqualTo(3);
        batches.Sum(b => b.RowCount).Should().Be(RowCount);

        // Values: ours equal DuckDB's reading of the same file, row by row, column by column.
        clock.Restart();
        var duck = CompatibilitySupport.DuckRead(path);
        var duckRead = clock.Elapsed;
        clock.Restart();
        duck.Columns.Select(c => c.Type).Should().Equal(Columns.Select(c => c.ReadBack), "DuckDB reads back the types the table was designed for");
        CompatibilitySupport.Differences(schema, batches, hints, duck).Should().BeEmpty();
        var compared = clock.Elapsed;
        output.WriteLine($"DuckDB wrote in {written.TotalSeconds:0.00} s, we read in {read.TotalSeconds:0.00} s, DuckDB read in {duckRead.TotalSeconds:0.00} s, compared in {compared.TotalSeconds:0.00} s");
        if (nulls)
        {
            Columns.Select(c => c.Name).Should().OnlyContain(name => batches.Any(b => b[name].NullCount > 0), "every column has nulls");
        }
        else
        {
            batches.SelectMany(b => b.Columns).Should().OnlyContain(c => c.NullCount == 0);
        }

        output.WriteLine($"{variant}: {RowCount} rows × {Columns.Length} columns in {batches.Count} row groups, " +
                         $"{chunks.Sum(c => c.Pages.Count)} pages, up to {chunks.Max(c => c.Pages.Count(p => p.Type is PageType.DataPage or PageType.DataPageV2))} data pages per chunk");
    }

    /// <summary>
    /// The oracle's FLOAT and DOUBLE texts (JavaScript shortest round-trip) against DuckCanonical's, for
    /// random bit patterns, subnormals and powers of two, where layouts and tie-breaking are delicate.
    /// </summary>
    [Fact]
    public void Renderer_float_and_double_texts_match_the_oracle()
    {
        var random = new Random(Seed);
        var floats = new List<float> { float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1e-7f, 1e21f, 1e20f, 123456.7f, 0.1f, 16777216f, 3.4e-38f };
        var doubles = new List<double> { double.Epsilon, double.MaxValue, double.MinValue, 1e21, 1e20, 1e-7, 1e-6, 0.1, 5e-324, 2.2250738585072014e-308, 123456789012345680000.0 };
        for (var k = -40; k <= 40; k++)
        {
            floats.Add(MathF.Pow(2, k));
            doubles.Add(Math.Pow(2, k * 12));
        }

        while (floats.Count < 1500)
        {
            var f = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
            if (float.IsFinite(f))
            {
                floats.Add(f);
            }
        }

        while (doubles.Count < 1500)
        {
            var d = BitConverter.Int64BitsToDouble(random.NextInt64() ^ ((long)random.Next(2) << 63));
            if (double.IsFinite(d))
            {
                doubles.Add(d);
            }
        }

        // Strings in "R" format parse back to the same values (a bare numeric literal would be a DECIMAL,
        // whose cast to FLOAT can round differently).
        var floatResult = DuckDb.Shared.Query("SELECT unnest([" + string.Join(",", floats.Select(f => $"'{f.ToString("R", CultureInfo.InvariantCulture)}'::FLOAT")) + "]) AS x");
        var doubleResult = DuckDb.Shared.Query("SELECT unnest([" + string.Join(",", doubles.Select(d => $"'{d.ToString("R", CultureInfo.InvariantCulture)}'::DOUBLE")) + "]) AS x");
        var mismatches = new List<string>();
        for (var i = 0; i < floats.Count; i++)
        {
            var theirs = Canonical.Render(floatResult.Rows[i][0]);
            if (DuckCanonical.FloatText(floats[i]) != theirs)
            {
                mismatches.Add($"float {floats[i]:R}: ours {DuckCanonical.FloatText(floats[i])}, oracle {theirs}");
            }
        }

        for (var i = 0; i < doubles.Count; i++)
        {
            var theirs = Canonical.Render(doubleResult.Rows[i][0]);
            if (DuckCanonical.DoubleText(doubles[i]) != theirs)
            {
                mismatches.Add($"double {doubles[i]:R}: ours {DuckCanonical.DoubleText(doubles[i])}, oracle {theirs}");
            }
        }

        mismatches.Take(20).Should().BeEmpty();
    }

    /// <summary>Shapes the matrix does not reach: empty and all-null columns, deep nesting, huge values, one row.</summary>
    public static TheoryData<string, string> EdgeTables() => new()
    {
        { "empty", "SELECT 1::INTEGER AS i, 'x' AS s, [1] AS l, {'a': 1} AS st, map {'k': 1} AS m FROM range(0)" },
        { "all nulls", "SELECT NULL::INTEGER AS i, NULL::VARCHAR AS s, NULL::DOUBLE AS d, NULL::INTEGER[] AS l, NULL::STRUCT(a INTEGER, b VARCHAR[]) AS st, NULL::MAP(VARCHAR, INTEGER) AS m, NULL::DECIMAL(38,5) AS dec, NULL::UUID AS u FROM range(3000)" },
        { "one row", "SELECT 42 AS i, [[[1, 2], [3]], [], NULL, [[NULL]]] AS lll, {'a': {'b': {'c': [1, NULL, 3]}}} AS deep" },
        {
            "deep nesting",
            "SELECT i, CASE WHEN i % 5 = 0 THEN NULL ELSE [map_from_entries(list_transform(range(i % 3), lambda k: {'k': 'k' || k::VARCHAR, 'v': {'a': range(k)::INTEGER[], 'b': map_from_entries([{'k': k::INTEGER, 'v': CASE WHEN k = 1 THEN NULL ELSE ['x', NULL] END}])}})), NULL, map {}] END AS nested, " +
            "list_transform(range(i % 4), lambda x: CASE WHEN x = 2 THEN NULL ELSE {'p': CASE WHEN x = 1 THEN NULL ELSE [x, NULL] END, 'q': []::VARCHAR[]} END) AS ls FROM range(3000) t(i)"
        },
        { "empty and null lists", "SELECT i, CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN [] WHEN 2 THEN [NULL] ELSE [i, NULL, i] END AS l, CASE i % 3 WHEN 0 THEN [] ELSE [[]] END AS ll FROM range(3000) t(i)" },
        { "huge values", "SELECT repeat('ü', 200000) AS s, range(100000) AS big_list, repeat('\\xFF'::BLOB, 70000) AS b UNION ALL SELECT '', [], ''::BLOB" },
        { "long dictionary strings", "SELECT (i % 7)::VARCHAR || repeat('abc', 5000) AS s, i FROM range(3000) t(i)" },
        { "one distinct value", "SELECT 7 AS seven, 'same' AS same, true AS t, NULL::INTEGER AS n FROM range(5000)" },
        { "single row groups", "SELECT i, i::VARCHAR AS s FROM range(2049) t(i)" },
    };

    [Theory]
    [MemberData(nameof(EdgeTables))]
    public void Edge_table_reads_back_as_DuckDb_reads_it(string name, string select)
    {
        using var dir = new TempDirectory("duck-edges");
        var path = dir.PathOf("edge.parquet");
        DuckDb.Shared.Execute($"COPY ({select}) TO {DuckDb.Literal(path)} (FORMAT parquet, ROW_GROUP_SIZE {RowGroupSize})");
        var (schema, batches, hints) = CompatibilitySupport.ReadAll(path);
        CompatibilitySupport.Differences(schema, batches, hints, CompatibilitySupport.DuckRead(path)).Should().BeEmpty(name);

        // The same with one column at a time and one thread: projection and serial decoding agree.
        using var reader = ParquetReader.Open(path, new ParquetReadOptions { MaxDegreeOfParallelism = 1 });
        foreach (var field in schema.Fields)
        {
            var projected = reader.ReadBatches([field.Name]).ToList();
            var ours = projected.SelectMany(b => Enumerable.Range(0, b.RowCount).Select(i => DuckCanonical.Render(b.Columns[0], i, hints)));
            var all = batches.SelectMany(b => Enumerable.Range(0, b.RowCount).Select(i => DuckCanonical.Render(b[field.Name], i, hints)));
            ours.Should().Equal(all, $"{name}: column {field.Name} read alone");
        }
    }

    /// <summary>
    /// The annotations DuckDB never writes, made by editing the footer of a file it wrote: UTC-adjusted
    /// TIME and TIMESTAMP of every unit, logical types without their converted twin and the reverse. This
    /// pins the rows of DuckCanonical's type table that neither the fixtures nor the matrix reach, against
    /// what DuckDB 1.5 actually does with them, values included (NANOS instants truncate to microseconds).
    /// </summary>
    [Fact]
    public void Annotations_DuckDb_does_not_write_map_as_DuckCanonical_says()
    {
        using var dir = new TempDirectory("duck-annotations");
        var written = dir.PathOf("written.parquet");
        DuckDb.Shared.Execute($"""
            COPY (SELECT
                make_timestamp_ns(n) AS tsns_utc,
                '12:34:56.123456789'::TIME_NS AS tns_utc,
                make_timestamp_ms(n // 1000000) AS tsms_utc,
                TIME '23:59:59.999999' AS t_utc,
                'text ' || i::VARCHAR AS s_logical_only,
                (i % 256 - 128)::INTEGER AS i8_logical_only,
                (['sad', 'ok', 'happy'])[i % 3 + 1] AS enum_annotated,
                json_object('i', i) AS json_converted_only,
                json_object('i', i) AS json_logical_only,
                md5(i::VARCHAR)::UUID AS uuid_unannotated
              FROM (SELECT i, [-1, -999, -1000, -1001, -1500, 1500, 1700000000123456789, -1700000000123456789, 0][i % 9 + 1] AS n
                    FROM range(90) t(i)))
              TO {DuckDb.Literal(written)} (FORMAT parquet)
            """);

        var bytes = File.ReadAllBytes(written);
        var footer = ParquetFooter.ParseFile(bytes);
        foreach (var e in footer.Schema.Skip(1))
        {
            switch (e.Name)
            {
                case "tsns_utc":
                    e.LogicalType = Meta.LogicalType.Timestamp(true, Meta.TimeUnit.Nanos);
                    break;
                case "tns_utc":
                    e.LogicalType = Meta.LogicalType.Time(true, Meta.TimeUnit.Nanos);
                    break;
                case "tsms_utc":
                    e.LogicalType = Meta.LogicalType.Timestamp(true, Meta.TimeUnit.Millis);
                    break;
                case "t_utc":
                    e.LogicalType = Meta.LogicalType.Time(true, Meta.TimeUnit.Micros);
                    break;
                case "s_logical_only":
                    (e.LogicalType, e.ConvertedType) = (Meta.LogicalType.Of(LogicalTypeKind.String), null);
                    break;
                case "i8_logical_only":
                    (e.LogicalType, e.ConvertedType) = (Meta.LogicalType.Integer(8, true), null);
                    break;
                case "enum_annotated":
                    (e.LogicalType, e.ConvertedType) = (Meta.LogicalType.Of(LogicalTypeKind.Enum), ConvertedType.Enum);
                    break;
                case "json_converted_only":
                    e.LogicalType = null;
                    break;
                case "json_logical_only":
                    e.ConvertedType = null;
                    break;
                case "uuid_unannotated":
                    e.LogicalType = null;
                    break;
            }
        }

        var edited = dir.PathOf("edited.parquet");
        var footerLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        File.WriteAllBytes(edited, [.. bytes.AsSpan(0, bytes.Length - 8 - footerLength), .. ParquetFooter.SerializeWithTail(footer)]);

        var duck = CompatibilitySupport.DuckRead(edited);
        duck.Columns.Select(c => $"{c.Name}: {c.Type}").Should().Equal(
            "tsns_utc: TIMESTAMP WITH TIME ZONE",
            "tns_utc: TIME WITH TIME ZONE",
            "tsms_utc: TIMESTAMP WITH TIME ZONE",
            "t_utc: TIME WITH TIME ZONE",
            "s_logical_only: BLOB",
            "i8_logical_only: INTEGER",
            "enum_annotated: VARCHAR",
            "json_converted_only: JSON",
            "json_logical_only: BLOB",
            "uuid_unannotated: BLOB");

        var (schema, batches, hints) = CompatibilitySupport.ReadAll(edited);
        ((PrimitiveField)schema["tsns_utc"]).LogicalType.Should().Be(LogicalType.Timestamp(TimeUnit.Nanos, true));
        ((PrimitiveField)schema["s_logical_only"]).LogicalType.Should().Be(LogicalType.String);
        CompatibilitySupport.Differences(schema, batches, hints, duck).Should().BeEmpty();
    }

    /// <summary>
    /// DuckDB's dates and times reach past what .NET values hold (±infinity as ±(2^31-1) days, year
    /// 5881580, TIME 24:00:00). The vectors keep the stored integers, which read exactly like DuckDB;
    /// <see cref="ColumnVector.GetValue"/> explains with a <see cref="ParquetException"/>; and the footer's
    /// statistics over such values stay usable (they just do not prune).
    /// </summary>
    [Fact]
    public void Values_beyond_dotnet_ranges_read_exactly_and_fail_only_as_ParquetException()
    {
        using var dir = new TempDirectory("duck-ranges");
        var path = dir.PathOf("ranges.parquet");
        DuckDb.Shared.Execute($"""
            COPY (SELECT * FROM (VALUES
                (DATE '2024-01-02', TIME '12:00:00', TIMESTAMP '2024-01-02 03:04:05'),
                ('-infinity'::DATE, TIME '24:00:00', '-infinity'::TIMESTAMP),
                (DATE '5881580-07-10', TIME '00:00:00', TIMESTAMP '294247-01-10 04:00:54.775806'))
              AS v(dt, t, ts)) TO {DuckDb.Literal(path)} (FORMAT parquet)
            """);

        var (schema, batches, hints) = CompatibilitySupport.ReadAll(path);
        CompatibilitySupport.Differences(schema, batches, hints, CompatibilitySupport.DuckRead(path)).Should().BeEmpty();

        var batch = batches.Single();
        batch["dt"].GetValue(0).Should().Be(new DateOnly(2024, 1, 2));
        foreach (var (column, row) in new[] { ("dt", 1), ("dt", 2), ("t", 1), ("ts", 1), ("ts", 2) })
        {
            FluentActions.Invoking(() => batch[column].GetValue(row)).Should().Throw<ParquetException>($"{column}[{row}] has no .NET value");
        }

        using var reader = ParquetReader.Open(path);
        var stats = reader.Info.RowGroups.Single().Columns.Single(c => c.Column.DottedPath == "dt").Statistics;
        stats.Should().NotBeNull();
        stats!.MayContain(new DateOnly(1900, 1, 1)).Should().BeTrue("bounds .NET cannot hold decode to nothing, and nothing prunes");
    }

    // ---------------------------------------------------------------------------------------------

    private static void Write(Variant variant, string path)
    {
        var table = "matrix_" + Guid.NewGuid().ToString("N");
        var columns = string.Join(", ", Columns.Select(c => $"{c.Name} {c.Type}"));
        var values = string.Join(",\n  ", Columns.Select((c, k) => $"{Value(c, k, variant.Nulls)} AS {c.Name}"));
        var options = new List<string>
        {
            "FORMAT parquet",
            $"COMPRESSION {variant.Codec}",
            $"ROW_GROUP_SIZE {RowGroupSize}",
            $"PARQUET_VERSION V{variant.PageVersion}",
        };
        if (!variant.Dictionary)
        {
            // The limit counts dictionary entries: with 0 every column falls back to its plain encoding at
            // once (ENUM columns excepted: DuckDB always writes those with their dictionary).
            options.Add("DICTIONARY_SIZE_LIMIT 0");
        }

        try
        {
            DuckDb.Shared.Execute($"""
                CREATE TABLE {table} ({columns});
                INSERT INTO {table} SELECT
                  {values}
                FROM range({RowCount}) AS r(i) ORDER BY i;
                COPY {table} TO {DuckDb.Literal(path)} ({string.Join(", ", options)});
                """);
        }
        finally
        {
            DuckDb.Shared.Execute($"DROP TABLE IF EXISTS {table}");
        }
    }

    private static string Value(MatrixColumn column, int ordinal, bool nulls)
    {
        var hash = $"hash(i, {Seed}, {ordinal})";
        var value = column.Expression
            .Replace("{h}", hash, StringComparison.Ordinal)
            .Replace("{i}", "i", StringComparison.Ordinal)
            .Replace("{nullable}", nulls ? "TRUE" : "FALSE", StringComparison.Ordinal);
        // About one value in seven is null, never on the edge rows (i % 61 < 16).
        return nulls ? $"CASE WHEN i % 61 >= 16 AND hash(i, {Seed}, {ordinal}, 'null') % 7 = 0 THEN NULL ELSE ({value}) END" : $"({value})";
    }

    /// <summary>
    /// Checks from the footer and the page headers that DuckDB wrote what the variant asks for. DuckDB 1.5
    /// writes data page v1 headers whatever PARQUET_VERSION says: V2 switches the value encodings
    /// (DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, BYTE_STREAM_SPLIT, RLE_DICTIONARY), not the page
    /// format. Data page v2 is covered by the fixture corpus instead (datapage_v2*.parquet, page_v2_*).
    /// </summary>
    private void AssertWriterOptionsTookEffect(Variant variant, string path, IReadOnlyList<ChunkSummary> chunks)
    {
        var codec = variant.Codec switch
        {
            "uncompressed" => CompressionCodec.Uncompressed,
            "snappy" => CompressionCodec.Snappy,
            "gzip" => CompressionCodec.Gzip,
            "zstd" => CompressionCodec.Zstd,
            "brotli" => CompressionCodec.Brotli,
            _ => CompressionCodec.Lz4Raw, // DuckDB's "lz4" is LZ4_RAW too
        };
        chunks.Should().OnlyContain(c => c.Codec == codec);

        var dataPages = chunks.SelectMany(c => c.Pages).Where(p => p.Type is PageType.DataPage or PageType.DataPageV2).ToList();
        dataPages.Should().OnlyContain(p => p.Type == PageType.DataPage);

        // The footer's encodings list, as our reader reports it.
        using var reader = ParquetReader.Open(path);
        var footerEncodings = reader.Info.RowGroups.SelectMany(g => g.Columns).SelectMany(c => c.Encodings).Distinct().ToList();
        var pageEncodings = dataPages.Select(p => p.Encoding!.Value).Distinct().Order().ToList();
        var dictionaryColumns = chunks.Where(c => c.Pages.Any(p => p.Type == PageType.DictionaryPage)).Select(c => c.Column).Distinct().ToList();
        output.WriteLine($"{variant}: footer encodings {string.Join(", ", footerEncodings)}; page encodings {string.Join(", ", pageEncodings)}; dictionaries in {string.Join(", ", dictionaryColumns)}");

        var dictionaryEncoding = variant.PageVersion == 1 ? Meta.Encoding.PlainDictionary : Meta.Encoding.RleDictionary;
        if (variant.Dictionary)
        {
            dictionaryColumns.Should().Contain(c => c != "e", "low-cardinality columns get a dictionary");
            pageEncodings.Should().Contain(dictionaryEncoding);
            footerEncodings.Should().Contain(variant.PageVersion == 1 ? "PLAIN_DICTIONARY" : "RLE_DICTIONARY");
        }
        else
        {
            dictionaryColumns.Should().Equal(["e"], "only ENUM columns keep their dictionary when dictionaries are off");
            chunks.Where(c => c.Column != "e").SelectMany(c => c.Pages)
                .Should().NotContain(p => p.Encoding == Meta.Encoding.RleDictionary || p.Encoding == Meta.Encoding.PlainDictionary);
        }

        Meta.Encoding[] version2Encodings = [Meta.Encoding.DeltaBinaryPacked, Meta.Encoding.DeltaLengthByteArray, Meta.Encoding.ByteStreamSplit];
        if (variant.PageVersion == 1)
        {
            // ENUM columns are RLE_DICTIONARY whatever the format version; every other column uses v1 encodings.
            chunks.Where(c => c.Column != "e").SelectMany(c => c.Pages).Select(p => p.Encoding)
                .Should().NotContain(Meta.Encoding.RleDictionary);
            pageEncodings.Should().NotContain(version2Encodings);
            footerEncodings.Should().NotContain(["DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "BYTE_STREAM_SPLIT"]);
        }
        else
        {
            pageEncodings.Should().NotContain(Meta.Encoding.PlainDictionary);
            if (!variant.Dictionary)
            {
                pageEncodings.Should().Contain(version2Encodings);
                footerEncodings.Should().Contain(["DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "BYTE_STREAM_SPLIT"]);
            }
        }
    }
}
