namespace CdcLake.Cdc;

/// <summary>What a change does to its key. Only <see cref="Delete"/> removes; the others are upserts, as in Hudi.</summary>
public enum ChangeOp : byte
{
    /// <summary>Op <c>I</c>, or a row of a file without an Op column (a full load, or CdcInsertsOnly).</summary>
    Insert,

    /// <summary>Op <c>U</c>: the row's after image.</summary>
    Update,

    /// <summary>Op <c>D</c>: often only the key columns (PostgreSQL without REPLICA IDENTITY FULL).</summary>
    Delete,

    /// <summary>Op empty or null: Hudi's AWSDmsAvroPayload treats it as an upsert.</summary>
    Upsert,
}

/// <summary>DMS's <c>Op</c> column.</summary>
public static class DmsOp
{
    /// <summary>The column's name; the first column of a file when present.</summary>
    public const string Column = "Op";

    /// <summary>
    /// Reads an Op value as Hudi does: <c>D</c> in any case deletes; <c>I</c> and <c>U</c> (any case), empty and null
    /// upsert. Anything else is not an Op DMS writes, and is refused rather than guessed.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, bool isNull, out ChangeOp op)
    {
        op = ChangeOp.Upsert;
        if (isNull || text.IsEmpty)
        {
            return true;
        }

        if (text.Length != 1)
        {
            return false;
        }

        switch (text[0])
        {
            case 'I' or 'i':
                op = ChangeOp.Insert;
                return true;
            case 'U' or 'u':
                op = ChangeOp.Update;
                return true;
            case 'D' or 'd':
                op = ChangeOp.Delete;
                return true;
            default:
                return false;
        }
    }

    public static bool IsDelete(this ChangeOp op) => op == ChangeOp.Delete;
}
