using Xunit;
using Xunit.Abstractions;

namespace CdcLake.Parquet.Tests;

public class FixtureSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public void Smoke()
    {
        var dir = Path.Combine(CdcLake.Testing.RepoPaths.SharedFixtures, "parquet");
        foreach (var f in Directory.GetFiles(dir, "*.parquet", SearchOption.AllDirectories).Order())
        {
            try
            {
                using var r = ParquetReader.Open(f);
                long rows = 0;
                foreach (var b in r.ReadBatches()) { rows += b.RowCount; for (var i = 0; i < b.RowCount; i++) foreach (var c in b.Columns) c.GetValue(i); }
                output.WriteLine($"OK   {Path.GetFileName(f)} rows={rows}");
            }
            catch (Exception e)
            {
                output.WriteLine($"FAIL {Path.GetFileName(f)} {e}");
            }
        }
    }
}
