namespace CdcLake.Parquet;

/// <summary>
/// The one exception the codec raises for malformed, truncated or unsupported input, and for data that
/// cannot be written. The message always says what is wrong; when known it also names the file and the
/// column (dotted path), so that a caller can report a single line.
/// </summary>
public sealed class ParquetException : Exception
{
    public ParquetException(string reason, Exception? inner = null)
        : base(reason, inner)
    {
        Reason = reason;
    }

    private ParquetException(string reason, string? file, string? column, Exception? inner)
        : base(Format(reason, file, column), inner)
    {
        Reason = reason;
        File = file;
        Column = column;
    }

    /// <summary>What is wrong, without the file and column context.</summary>
    public string Reason { get; }

    /// <summary>The file being read or written, when known.</summary>
    public string? File { get; }

    /// <summary>The dotted path of the column being decoded or encoded, when known.</summary>
    public string? Column { get; }

    /// <summary>Adds file and column context; context already present is kept.</summary>
    public ParquetException WithContext(string? file, string? column = null) =>
        new(Reason, File ?? file, Column ?? column, InnerException);

    private static string Format(string reason, string? file, string? column) =>
        (file, column) switch
        {
            (null, null) => reason,
            (null, _) => $"column '{column}': {reason}",
            (_, null) => $"{file}: {reason}",
            _ => $"{file}: column '{column}': {reason}",
        };
}
