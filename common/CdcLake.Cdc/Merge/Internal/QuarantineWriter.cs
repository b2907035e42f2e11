using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// Writes the bad rows of a table with quarantine on to <c>.hoodie/.aux/cdclake/quarantine/</c> (MERGE.md,
/// "Quarantine"): inside the table, where no table reader lists files. Written before the commit that skips the
/// rows; a file left by a failed commit is rewritten by the rerun under another name (readers dedupe by
/// source_file + source_row).
/// </summary>
internal static class QuarantineWriter
{
    public const string Folder = ".hoodie/.aux/cdclake/quarantine";

    private static readonly ParquetSchema FileSchema = new([
        new PrimitiveField("source_file", PhysicalType.ByteArray, LogicalType.String, Repetition.Required),
        new PrimitiveField("source_row", PhysicalType.Int64, repetition: Repetition.Required),
        new PrimitiveField("column", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("reason", PhysicalType.ByteArray, LogicalType.String, Repetition.Required),
        new PrimitiveField("quarantined_at", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true), Repetition.Required),
    ]);

    /// <summary>Writes <paramref name="rows"/> as one file and returns its path relative to the table root.</summary>
    public static async Task<string> WriteAsync(IObjectStore table, IReadOnlyList<BadRow> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        rows = [.. rows.OrderBy(r => r.File, StringComparer.Ordinal).ThenBy(r => r.Row)];
        var count = rows.Count;
        var micros = (now.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        var columns = new ColumnVector[]
        {
            VectorConversion.Strings(FileSchema.Fields[0], [.. rows.Select(r => r.File)]),
            new PrimitiveVector<long>(FileSchema.Fields[1], [.. rows.Select(r => r.Row)], count),
            VectorConversion.Strings(FileSchema.Fields[2], [.. rows.Select(r => r.Column)]),
            VectorConversion.Strings(FileSchema.Fields[3], [.. rows.Select(r => r.Reason)]),
            new PrimitiveVector<long>(FileSchema.Fields[4], [.. Enumerable.Repeat(micros, count)], count),
        };
        return await AuxFiles.WriteAsync(table, Folder, new RecordBatch(FileSchema, columns, count), now, cancellationToken).ConfigureAwait(false);
    }
}
