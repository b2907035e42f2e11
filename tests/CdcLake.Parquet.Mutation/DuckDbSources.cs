using CdcLake.Testing;

namespace CdcLake.Parquet.Mutation;

/// <summary>
/// Writes a few small source files with DuckDB (through the test oracle, <see cref="DuckDb"/>), to mutate
/// what the shared fixtures lack: DATE/TIME/TIMESTAMP/UUID/unsigned/decimal logical types, nested
/// structs, lists and maps written by a current writer, every codec DuckDB has, and v2 data pages.
/// </summary>
public static class DuckDbSources
{
    private const string Types = """
        SELECT i AS id,
          CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
          (i % 256 - 128)::TINYINT AS i8,
          (i * 37 % 65536 - 32768)::SMALLINT AS i16,
          CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 7919)::INTEGER END AS i32,
          i::BIGINT * 1000003 AS i64,
          (i % 256)::UTINYINT AS u8,
          (i * 31 % 65536)::USMALLINT AS u16,
          (2147483648 + i::UBIGINT * 2654435761 % 1000000000)::UINTEGER AS u32,
          i::UBIGINT * 1000000007 AS u64,
          (i * 1.25)::DECIMAL(9,2) AS d9,
          (i * 12345.6789)::DECIMAL(18,4) AS d18,
          (i * 1234567890123.4567)::DECIMAL(38,10) AS d38,
          (i / 3.0)::FLOAT AS f32,
          CASE WHEN i % 13 = 0 THEN NULL ELSE i / 7.0 END AS f64,
          DATE '2000-01-01' + i::INTEGER AS dt,
          TIME '00:00:00' + to_seconds(i) AS tm,
          TIMESTAMP '2020-01-01' + to_minutes(i) AS ts,
          (TIMESTAMP '2020-01-01' + to_seconds(i))::TIMESTAMP_MS AS ts_ms,
          (TIMESTAMP '2020-01-01' + to_microseconds(i))::TIMESTAMP_NS AS ts_ns,
          (TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_hours(i)) AS tstz,
          'category-' || (i % 40) AS s_dict,
          CASE WHEN i % 9 = 0 THEN NULL ELSE md5(i::VARCHAR) END AS s_plain,
          encode(i::VARCHAR) AS bin,
          ('00000000-0000-0000-0000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS uid
        FROM range(1200) t(i)
        """;

    private const string Nested = """
        SELECT i AS id,
          CASE WHEN i % 5 = 0 THEN NULL ELSE {'a': i, 'b': 'x' || i, 'c': CASE WHEN i % 3 = 0 THEN NULL ELSE [i, i + 1] END} END AS st,
          CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN []::INTEGER[]
               ELSE list_transform(range(i % 6), x -> CASE WHEN x = 2 THEN NULL ELSE x::INTEGER END) END AS lst,
          [[i, NULL], NULL, []] AS nested_list,
          MAP {'k' || (i % 3): i, 'z': NULL} AS mp,
          [{'x': i, 'y': [i::VARCHAR, NULL]}] AS list_struct
        FROM range(600) t(i)
        """;

    private static readonly (string Name, string Select, string Options)[] s_files =
    [
        ("duckdb_types_zstd.parquet", Types, "COMPRESSION zstd, ROW_GROUP_SIZE 500"),
        ("duckdb_types_v2_brotli.parquet", Types, "COMPRESSION brotli, PARQUET_VERSION v2, ROW_GROUP_SIZE 700"),
        ("duckdb_types_gzip.parquet", Types, "COMPRESSION gzip"),
        ("duckdb_types_v2_uncompressed.parquet", Types, "COMPRESSION uncompressed, PARQUET_VERSION v2"),
        ("duckdb_nested_snappy.parquet", Nested, "COMPRESSION snappy, ROW_GROUP_SIZE 250"),
        ("duckdb_nested_v2_lz4.parquet", Nested, "COMPRESSION lz4_raw, PARQUET_VERSION v2"),
    ];

    /// <summary>Writes the files into <paramref name="directory"/>; on failure returns none and says why in <paramref name="notes"/>.</summary>
    public static IReadOnlyList<string> Generate(string directory, List<string> notes)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        try
        {
            using var db = new DuckDb(DuckDbOptions.FromEnvironment() with { Threads = 1 });
            foreach (var (name, select, options) in s_files)
            {
                var path = Path.Combine(directory, name);
                db.Execute($"COPY ({select}) TO {DuckDb.Literal(path)} (FORMAT parquet, {options})");
                written.Add(path);
            }
        }
        catch (Exception e) when (e is DuckDbException or TimeoutException or IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            notes.Add($"DuckDB sources not written ({e.GetType().Name}: {e.Message.Split('\n')[0]}); mutating the fixtures only");
            return [];
        }

        return written;
    }
}
