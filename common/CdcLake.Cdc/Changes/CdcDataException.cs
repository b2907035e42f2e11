using System.Globalization;

namespace CdcLake.Cdc;

/// <summary>
/// A DMS file cannot be merged: it is unreadable, a row has a null key, an unknown Op or an unusable ordering
/// value, or a column's type conflicts with other files. The message names the file, and the row (counting from 0,
/// as <c>_cdc_order</c> and DuckDB's <c>file_row_number</c> do) and column when they are known:
/// <c>orders/20240101-000000000.parquet: row 17: column 'Op': unknown Op 'X'</c>.
/// </summary>
public sealed class CdcDataException : Exception
{
    public CdcDataException(string file, long? row, string? column, string reason, Exception? innerException = null)
        : base(Format(file, row, column, reason), innerException)
    {
        File = file;
        Row = row;
        Column = column;
        Reason = reason;
    }

    public CdcDataException()
        : this("?", null, null, "bad DMS input")
    {
    }

    public CdcDataException(string message)
        : this("?", null, null, message)
    {
    }

    public CdcDataException(string message, Exception innerException)
        : this("?", null, null, message, innerException)
    {
    }

    public string File { get; }

    public long? Row { get; }

    public string? Column { get; }

    /// <summary>What is wrong, without the file, row and column.</summary>
    public string Reason { get; }

    internal static string Format(string file, long? row, string? column, string reason)
    {
        var where = file;
        if (row is { } r)
        {
            where += $": row {r.ToString(CultureInfo.InvariantCulture)}";
        }

        if (column is not null)
        {
            where += $": column '{column}'";
        }

        return $"{where}: {reason}";
    }
}

/// <summary>A row left out of the merge (quarantined): where it is and why.</summary>
public sealed record BadRow(string File, long Row, string? Column, string Reason)
{
    public override string ToString() => CdcDataException.Format(File, Row, Column, Reason);
}
