using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

/// <summary>The one real DMS file (a PostgreSQL full load) read as a table's full load.</summary>
public class DmsFixtureTests
{
    [Fact]
    public async Task The_real_dms_file_maps_to_table_types_and_reads_as_duckdb_reads_it()
    {
        using var dir = new TempDirectory();
        var folder = Path.Combine(dir.Path, "public", "dms_test_table");
        Directory.CreateDirectory(folder);
        File.Copy(RepoPaths.SharedFixture("dms", "dms_test_table_LOAD00000001.parquet"), Path.Combine(folder, "LOAD00000001.parquet"));
        var spec = CdcTestSupport.Spec(folder, ["id"], ordering: []);

        var (schema, changes, listing) = await CdcTestSupport.ReadTableAsync(spec);

        listing.LoadFiles.Should().ContainSingle();
        var s = schema.Schema;
        s["DMS_TIMESTAMP"].TypeName.Should().Be("byte_array STRING");
        s["my_smallint"].TypeName.Should().Be("int32 INT(16,signed)");
        s["my_numeric"].TypeName.Should().Be("fixed_len_byte_array(7) DECIMAL(15,2)");
        s["my_money"].TypeName.Should().Be("fixed_len_byte_array(16) DECIMAL(38,4)");
        s["my_bytea"].TypeName.Should().Be("byte_array");
        s["my_timestamp"].TypeName.Should().Be("int64 TIMESTAMP(MICROS,UTC)", "the legacy TIMESTAMP_MILLIS annotation is read as UTC-adjusted, kept exact at micros");
        changes.Count.Should().Be(10);
        changes.Latest.Should().OnlyContain(c => c.Op == ChangeOp.Insert && c.Order.Phase == ChangePhase.Load);

        var columns = s.Fields.Take(schema.DataFieldCount).Select(f => f.Name).ToList();
        // DuckDB reads the legacy annotation as a local TIMESTAMP; as an instant (session zone UTC) it is the same value.
        var expected = DuckDb.Shared.Query(
            $"SELECT * REPLACE (CAST(my_timestamp AS TIMESTAMPTZ) AS my_timestamp) FROM read_parquet({DuckDb.Literal(Path.Combine(folder, "LOAD00000001.parquet"))}) ORDER BY id");
        CdcTestSupport.FinalRows(changes, columns).Should().Equal(Canonical.Render(expected).Order(StringComparer.Ordinal));
    }
}
