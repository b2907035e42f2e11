namespace CdcLake.Parquet;

/// <summary>Rows of one schema held column by column; a reader yields one per row group.</summary>
public sealed class RecordBatch
{
    public RecordBatch(ParquetSchema schema, IReadOnlyList<ColumnVector> columns, int rowCount)
    {
        if (columns.Count != schema.Fields.Count)
        {
            throw new ArgumentException($"{columns.Count} columns for a schema of {schema.Fields.Count} fields", nameof(columns));
        }

        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Length != rowCount)
            {
                throw new ArgumentException($"column '{schema.Fields[i].Name}' has {columns[i].Length} rows, expected {rowCount}", nameof(columns));
            }
        }

        Schema = schema;
        Columns = columns;
        RowCount = rowCount;
    }

    public ParquetSchema Schema { get; }

    public IReadOnlyList<ColumnVector> Columns { get; }

    public int RowCount { get; }

    /// <summary>Buffers the reader used to produce this batch beyond its vectors (see <c>ParquetReader.ReadRowGroup</c>).</summary>
    internal Internal.Reading.ReaderScratch? ReaderScratch { get; set; }

    public ColumnVector this[string fieldName] => Columns[Schema.IndexOf(fieldName) is var i and >= 0
        ? i
        : throw new ParquetException($"no field named '{fieldName}'")];

    /// <summary>A convenience view of row <paramref name="index"/>; use the vectors directly on hot paths.</summary>
    public RowView GetRow(int index) => new(this, index);

    public IEnumerable<RowView> Rows()
    {
        for (var i = 0; i < RowCount; i++)
        {
            yield return new RowView(this, i);
        }
    }
}

public readonly struct RowView(RecordBatch batch, int index)
{
    public int Index => index;

    public object? this[int column] => batch.Columns[column].GetValue(index);

    public object? this[string fieldName] => batch[fieldName].GetValue(index);
}
