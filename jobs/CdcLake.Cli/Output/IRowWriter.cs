using CdcLake.Parquet;

namespace CdcLake.Cli.Output;

/// <summary>Renders rows of top-level column vectors in one text format; see <see cref="RowWriters.Create"/>.</summary>
public interface IRowWriter : IDisposable
{
    /// <summary>
    /// Writes rows <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1 of
    /// <paramref name="columns"/>, which are top-level vectors of equal length, one per output column,
    /// named by their <see cref="ColumnVector.Field"/>.
    /// </summary>
    void WriteRows(IReadOnlyList<ColumnVector> columns, int start, int count);

    /// <summary>Pushes buffered text to the output. <see cref="IDisposable.Dispose"/> flushes too.</summary>
    void Flush();
}

public enum RowFormat
{
    Jsonl,
    Csv,
}

public static class RowWriters
{
    /// <summary>A writer for <paramref name="format"/>; the CSV header is written at once, from <paramref name="columnNames"/>.</summary>
    public static IRowWriter Create(RowFormat format, TextWriter output, IReadOnlyList<string> columnNames) => format switch
    {
        RowFormat.Csv => new CsvWriter(output, columnNames),
        _ => new JsonlWriter(output),
    };

    /// <summary>All rows of <paramref name="batch"/>.</summary>
    public static void WriteBatch(this IRowWriter writer, RecordBatch batch) => writer.WriteRows(batch.Columns, 0, batch.RowCount);
}
