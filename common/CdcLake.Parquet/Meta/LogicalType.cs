namespace CdcLake.Parquet.Meta;

/// <summary>Members of the parquet.thrift <c>LogicalType</c> union; the value is the union field id.</summary>
internal enum LogicalTypeKind
{
    /// <summary>A union member newer than this codec; see <see cref="LogicalType.UnrecognizedId"/>.</summary>
    Unrecognized = 0,
    String = 1,
    Map = 2,
    List = 3,
    Enum = 4,
    Decimal = 5,
    Date = 6,
    Time = 7,
    Timestamp = 8,
    Integer = 10,
    /// <summary>parquet.thrift's UNKNOWN (<c>NullType</c>): a column whose values are all null.</summary>
    Unknown = 11,
    Json = 12,
    Bson = 13,
    Uuid = 14,
    Float16 = 15,
    Variant = 16,
    Geometry = 17,
    Geography = 18,
    Vector = 19,
}

/// <summary>
/// parquet.thrift <c>TimeUnit</c> union; the value is the union field id. An id newer than these is kept
/// as its number so that the schema layer can name it.
/// </summary>
internal enum TimeUnit
{
    Millis = 1,
    Micros = 2,
    Nanos = 3,
}

/// <summary>
/// parquet.thrift <c>LogicalType</c> union, flattened: <see cref="Kind"/> says which member is set and
/// only that member's properties are meaningful.
/// </summary>
/// <remarks>
/// A member this codec does not know is not an error: the file may still be read by physical type. It is
/// kept as <see cref="LogicalTypeKind.Unrecognized"/> with its field id and undecoded bytes, so that a
/// rewritten footer still carries it.
/// </remarks>
internal sealed class LogicalType : IThriftStruct
{
    public LogicalTypeKind Kind { get; set; }

    /// <summary>DECIMAL.</summary>
    public int Scale { get; set; }

    /// <summary>DECIMAL.</summary>
    public int Precision { get; set; }

    /// <summary>TIME and TIMESTAMP.</summary>
    public bool IsAdjustedToUtc { get; set; }

    /// <summary>TIME and TIMESTAMP.</summary>
    public TimeUnit Unit { get; set; }

    /// <summary>INTEGER: 8, 16, 32 or 64.</summary>
    public sbyte BitWidth { get; set; }

    /// <summary>INTEGER.</summary>
    public bool IsSigned { get; set; }

    /// <summary>VARIANT, optional.</summary>
    public sbyte? SpecificationVersion { get; set; }

    /// <summary>GEOMETRY and GEOGRAPHY, optional.</summary>
    public string? Crs { get; set; }

    /// <summary>GEOGRAPHY, optional.</summary>
    public EdgeInterpolationAlgorithm? Algorithm { get; set; }

    /// <summary>The union field id of an unrecognized member; null when the union was empty.</summary>
    public short? UnrecognizedId { get; set; }

    /// <summary>The undecoded value of an unrecognized member.</summary>
    public ThriftRawValue? UnrecognizedValue { get; set; }

    public static LogicalType Of(LogicalTypeKind kind) => new() { Kind = kind };

    public static LogicalType Decimal(int scale, int precision) =>
        new() { Kind = LogicalTypeKind.Decimal, Scale = scale, Precision = precision };

    public static LogicalType Time(bool isAdjustedToUtc, TimeUnit unit) =>
        new() { Kind = LogicalTypeKind.Time, IsAdjustedToUtc = isAdjustedToUtc, Unit = unit };

    public static LogicalType Timestamp(bool isAdjustedToUtc, TimeUnit unit) =>
        new() { Kind = LogicalTypeKind.Timestamp, IsAdjustedToUtc = isAdjustedToUtc, Unit = unit };

    public static LogicalType Integer(sbyte bitWidth, bool isSigned) =>
        new() { Kind = LogicalTypeKind.Integer, BitWidth = bitWidth, IsSigned = isSigned };

    public override string ToString() => Kind switch
    {
        LogicalTypeKind.Unrecognized => $"unknown logical type id {UnrecognizedId?.ToString() ?? "(none)"}",
        LogicalTypeKind.Decimal => $"DECIMAL({Precision},{Scale})",
        LogicalTypeKind.Time or LogicalTypeKind.Timestamp => $"{Kind.ToString().ToUpperInvariant()}({Unit}, utc={IsAdjustedToUtc})",
        LogicalTypeKind.Integer => $"INTEGER({BitWidth}, signed={IsSigned})",
        _ => Kind.ToString().ToUpperInvariant(),
    };

    public static LogicalType Read(ref ThriftCompactReader r)
    {
        LogicalType? t = null;
        var scope = r.BeginStruct(nameof(LogicalType));
        while (r.ReadFieldHeader(out var f))
        {
            if (t is not null)
                throw r.Malformed($"LogicalType: union has more than one member (fields {(t.UnrecognizedId ?? (short)t.Kind)} and {f.Id})");
            t = ReadMember(ref r, f);
        }

        r.EndStruct(scope);
        // An empty union names no type at all; like an unknown one, the column is read by physical type.
        return t ?? new LogicalType { Kind = LogicalTypeKind.Unrecognized };
    }

    private static LogicalType ReadMember(ref ThriftCompactReader r, ThriftField f)
    {
        // A known id with a mistyped value is as unreadable as an unknown id, and is kept the same way.
        var t = new LogicalType { Kind = f.Is(ThriftType.Struct) ? (LogicalTypeKind)f.Id : LogicalTypeKind.Unrecognized };
        switch (t.Kind)
        {
            case LogicalTypeKind.Decimal:
                ReadDecimal(ref r, t);
                break;
            case LogicalTypeKind.Time or LogicalTypeKind.Timestamp:
                ReadTime(ref r, t, t.Kind == LogicalTypeKind.Time ? "TimeType" : "TimestampType");
                break;
            case LogicalTypeKind.Integer:
                ReadInteger(ref r, t);
                break;
            case LogicalTypeKind.Variant:
                ReadVariant(ref r, t);
                break;
            case LogicalTypeKind.Geometry or LogicalTypeKind.Geography:
                ReadGeo(ref r, t);
                break;
            case LogicalTypeKind.String or LogicalTypeKind.Map or LogicalTypeKind.List or LogicalTypeKind.Enum
                or LogicalTypeKind.Date or LogicalTypeKind.Unknown or LogicalTypeKind.Json or LogicalTypeKind.Bson
                or LogicalTypeKind.Uuid or LogicalTypeKind.Float16 or LogicalTypeKind.Vector:
                r.Skip(f);
                break;
            default:
                t.Kind = LogicalTypeKind.Unrecognized;
                t.UnrecognizedId = f.Id;
                t.UnrecognizedValue = r.ReadRaw(f);
                break;
        }

        return t;
    }

    private static void ReadDecimal(ref ThriftCompactReader r, LogicalType t)
    {
        int? scale = null, precision = null;
        var scope = r.BeginStruct("DecimalType");
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: scale = r.ReadI32(f); break;
                case 2: precision = r.ReadI32(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        t.Scale = scale ?? throw ThriftCompactReader.MissingField("DecimalType", "scale");
        t.Precision = precision ?? throw ThriftCompactReader.MissingField("DecimalType", "precision");
    }

    private static void ReadTime(ref ThriftCompactReader r, LogicalType t, string name)
    {
        bool? utc = null;
        TimeUnit? unit = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: utc = r.ReadBool(f); break;
                case 2:
                    r.ExpectStruct(f);
                    unit = ReadTimeUnit(ref r);
                    break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        t.IsAdjustedToUtc = utc ?? throw ThriftCompactReader.MissingField(name, "isAdjustedToUTC");
        t.Unit = unit ?? throw ThriftCompactReader.MissingField(name, "unit");
    }

    private static TimeUnit ReadTimeUnit(ref ThriftCompactReader r)
    {
        TimeUnit? unit = null;
        var scope = r.BeginStruct(nameof(TimeUnit));
        while (r.ReadFieldHeader(out var f))
        {
            if (f.Is(ThriftType.Struct) && unit is not null)
                throw r.Malformed($"TimeUnit: union has more than one member (fields {(int)unit} and {f.Id})");
            if (f.Is(ThriftType.Struct))
                unit = (TimeUnit)f.Id;
            r.Skip(f);
        }

        r.EndStruct(scope);
        return unit ?? throw r.Malformed("TimeUnit: union has no member");
    }

    private static void ReadInteger(ref ThriftCompactReader r, LogicalType t)
    {
        sbyte? bitWidth = null;
        bool? signed = null;
        var scope = r.BeginStruct("IntType");
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: bitWidth = r.ReadI8(f); break;
                case 2: signed = r.ReadBool(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        t.BitWidth = bitWidth ?? throw ThriftCompactReader.MissingField("IntType", "bitWidth");
        t.IsSigned = signed ?? throw ThriftCompactReader.MissingField("IntType", "isSigned");
    }

    private static void ReadVariant(ref ThriftCompactReader r, LogicalType t)
    {
        var scope = r.BeginStruct("VariantType");
        while (r.ReadFieldHeader(out var f))
        {
            if (f.Id == 1 && f.Is(ThriftType.Byte))
                t.SpecificationVersion = r.ReadI8(f);
            else
                r.Skip(f);
        }

        r.EndStruct(scope);
    }

    private static void ReadGeo(ref ThriftCompactReader r, LogicalType t)
    {
        var scope = r.BeginStruct(t.Kind == LogicalTypeKind.Geometry ? "GeometryType" : "GeographyType");
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1 when f.Is(ThriftType.Binary): t.Crs = r.ReadString(f); break;
                case 2 when t.Kind == LogicalTypeKind.Geography && f.Is(ThriftType.I32): t.Algorithm = (EdgeInterpolationAlgorithm)r.ReadI32(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        short id = (short)Kind;
        switch (Kind)
        {
            case LogicalTypeKind.Unrecognized:
                if (UnrecognizedId is short unknownId)
                    w.WriteRawField(unknownId, UnrecognizedValue ?? new ThriftRawValue(ThriftType.Struct, [0]));
                break;
            case LogicalTypeKind.Decimal:
                w.BeginStructField(id);
                w.WriteI32Field(1, Scale);
                w.WriteI32Field(2, Precision);
                w.EndStruct();
                break;
            case LogicalTypeKind.Time or LogicalTypeKind.Timestamp:
                w.BeginStructField(id);
                w.WriteBoolField(1, IsAdjustedToUtc);
                w.BeginStructField(2);
                w.WriteEmptyStructField((short)Unit);
                w.EndStruct();
                w.EndStruct();
                break;
            case LogicalTypeKind.Integer:
                w.BeginStructField(id);
                w.WriteI8Field(1, BitWidth);
                w.WriteBoolField(2, IsSigned);
                w.EndStruct();
                break;
            case LogicalTypeKind.Variant:
                w.BeginStructField(id);
                w.WriteI8Field(1, SpecificationVersion);
                w.EndStruct();
                break;
            case LogicalTypeKind.Geometry or LogicalTypeKind.Geography:
                w.BeginStructField(id);
                w.WriteStringField(1, Crs);
                if (Kind == LogicalTypeKind.Geography)
                    w.WriteI32Field(2, (int?)Algorithm);
                w.EndStruct();
                break;
            default:
                w.WriteEmptyStructField(id);
                break;
        }

        w.EndStruct();
    }
}
