namespace CdcLake.Parquet;

/// <summary>The storage type of a leaf column in the file.</summary>
public enum PhysicalType
{
    Boolean,
    Int32,
    Int64,
    Int96,
    Float,
    Double,
    ByteArray,
    FixedLenByteArray,
}

public enum Repetition
{
    Required,
    Optional,
    Repeated,
}

public enum TimeUnit
{
    Millis,
    Micros,
    Nanos,
}

public enum LogicalKind
{
    String,
    Enum,
    Json,
    Bson,
    Uuid,
    Decimal,
    Date,
    Time,
    Timestamp,
    Integer,
    Float16,
    /// <summary>The legacy INTERVAL converted type: 12 bytes of months, days, milliseconds.</summary>
    Interval,
}

/// <summary>
/// How the bytes of a leaf are to be understood. One record for every annotation, so that consumers
/// switch on <see cref="Kind"/>; the legacy converted types are folded into it when a schema is read
/// (TIMESTAMP_MILLIS becomes Timestamp(Millis, utc: true), as Spark reads it).
/// </summary>
public sealed record LogicalType
{
    private LogicalType(LogicalKind kind) => Kind = kind;

    public LogicalKind Kind { get; private init; }

    /// <summary>Integer width in bits (8, 16, 32, 64).</summary>
    public int BitWidth { get; private init; }

    public bool IsSigned { get; private init; } = true;

    public int Precision { get; private init; }

    public int Scale { get; private init; }

    public TimeUnit Unit { get; private init; }

    /// <summary>For time and timestamp: whether values are instants (UTC) or local wall-clock readings.</summary>
    public bool IsAdjustedToUtc { get; private init; }

    public static LogicalType String { get; } = new(LogicalKind.String);
    public static LogicalType Enum { get; } = new(LogicalKind.Enum);
    public static LogicalType Json { get; } = new(LogicalKind.Json);
    public static LogicalType Bson { get; } = new(LogicalKind.Bson);
    public static LogicalType Uuid { get; } = new(LogicalKind.Uuid);
    public static LogicalType Date { get; } = new(LogicalKind.Date);
    public static LogicalType Float16 { get; } = new(LogicalKind.Float16);
    public static LogicalType Interval { get; } = new(LogicalKind.Interval);

    public static LogicalType Decimal(int precision, int scale)
    {
        if (precision < 1 || scale < 0 || scale > precision)
        {
            throw new ParquetException($"invalid DECIMAL({precision},{scale})");
        }

        return new(LogicalKind.Decimal) { Precision = precision, Scale = scale };
    }

    public static LogicalType Integer(int bitWidth, bool signed)
    {
        if (bitWidth is not (8 or 16 or 32 or 64))
        {
            throw new ParquetException($"invalid INTEGER bit width {bitWidth}");
        }

        return new(LogicalKind.Integer) { BitWidth = bitWidth, IsSigned = signed };
    }

    public static LogicalType Time(TimeUnit unit, bool adjustedToUtc) =>
        new(LogicalKind.Time) { Unit = unit, IsAdjustedToUtc = adjustedToUtc };

    public static LogicalType Timestamp(TimeUnit unit, bool adjustedToUtc) =>
        new(LogicalKind.Timestamp) { Unit = unit, IsAdjustedToUtc = adjustedToUtc };

    public override string ToString() => Kind switch
    {
        LogicalKind.Decimal => $"DECIMAL({Precision},{Scale})",
        LogicalKind.Integer => $"INT({BitWidth},{(IsSigned ? "signed" : "unsigned")})",
        LogicalKind.Time or LogicalKind.Timestamp =>
            $"{Kind.ToString().ToUpperInvariant()}({Unit.ToString().ToUpperInvariant()},{(IsAdjustedToUtc ? "UTC" : "local")})",
        _ => Kind.ToString().ToUpperInvariant(),
    };
}
