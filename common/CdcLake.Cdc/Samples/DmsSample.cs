using CdcLake.Cdc.Internal;

namespace CdcLake.Cdc;

/// <summary>What <see cref="DmsSample.Write"/> makes.</summary>
public sealed record DmsSampleOptions
{
    /// <summary>Rows of the main tables' full load (customers and orders; order lines about twice as many).</summary>
    public int Rows { get; init; } = 1000;

    /// <summary>CDC batches after the full load (each about a tenth of <see cref="Rows"/> changes per table, in two files).</summary>
    public int Batches { get; init; } = 5;

    /// <summary>The same seed writes the same bytes.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>One table of a sample: its DMS folder and what is in it.</summary>
public sealed record DmsSampleTable(string Name, string Folder, int LoadFiles, int CdcFiles, long LoadRows, long CdcRows);

/// <summary>A written sample bucket.</summary>
public sealed record DmsSampleResult(string Root, string PipelineFile, IReadOnlyList<DmsSampleTable> Tables);

/// <summary>
/// Writes a realistic DMS bucket (SAMPLE.md): three related tables of a PostgreSQL <c>sales</c> database —
/// <c>customers</c>, <c>orders</c>, <c>order_lines</c> — as DMS writes them to S3 as Parquet: a full load, then CDC
/// batches with inserts, updates, key-only deletes, re-inserts, several changes of one key in one transaction
/// (one DMS_TIMESTAMP, increasing AR_H_CHANGE_SEQ), a column added mid-stream, primary-key updates with
/// <c>BI_</c> before-image columns, and date-partitioned CDC folders for <c>orders</c>. Types as in DMS's own
/// files: DMS_TIMESTAMP text, decimals as FIXED_LEN_BYTE_ARRAY, smallint as INT_16, timestamps as
/// TIMESTAMP_MILLIS; full-load files uncompressed and PLAIN, CDC files gzip or uncompressed, with dictionaries.
/// Beside it, <c>pipeline.json</c> points each table at <c>lake/sales/&lt;table&gt;</c> (paths relative to the file).
/// Deterministic: the same options write the same files.
/// </summary>
public static class DmsSample
{
    public const string Database = "sales";

    public const string SourceSchema = "public";

    /// <summary>Writes the sample into <paramref name="outDirectory"/> (created; existing sample files are replaced).</summary>
    public static DmsSampleResult Write(string outDirectory, DmsSampleOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outDirectory);
        options ??= new DmsSampleOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Rows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Batches);
        return new DmsSampleWriter(Path.GetFullPath(outDirectory), options).Write();
    }
}
