using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CdcLake.Parquet;

namespace CdcLake.Testing;

/// <summary>
/// How a leaf was annotated in the file's footer. DuckDB types a leaf from the footer's own fields — the
/// <c>logicalType</c> union for a few types, else the legacy <c>converted_type</c>, else the physical type —
/// while our reader folds both annotations into one <see cref="LogicalType"/>. This carries what was folded.
/// </summary>
/// <param name="HasLogicalType">The element has a <c>logicalType</c> our reader recognised.</param>
/// <param name="HasConvertedType">The element has a legacy <c>converted_type</c>.</param>
public readonly record struct LeafAnnotation(bool HasLogicalType, bool HasConvertedType)
{
    /// <summary>What current writers (parquet-mr, Arrow, DuckDB for most types) put down: both.</summary>
    public static LeafAnnotation Both => new(true, true);
}

/// <summary>
/// Per-leaf <see cref="LeafAnnotation"/>s of one file, keyed by the <see cref="PrimitiveField"/> instances of
/// its schema (reference identity). Leaves not listed are taken as <see cref="LeafAnnotation.Both"/>.
/// </summary>
public sealed class DuckReadHints
{
    private readonly Dictionary<PrimitiveField, LeafAnnotation> _annotations;
    private readonly Dictionary<PrimitiveField, DuckCanonical.DuckKind> _kinds = new(ReferenceEqualityComparer.Instance);

    public DuckReadHints(IEnumerable<KeyValuePair<PrimitiveField, LeafAnnotation>>? annotations = null)
    {
        _annotations = new Dictionary<PrimitiveField, LeafAnnotation>(ReferenceEqualityComparer.Instance);
        foreach (var (field, annotation) in annotations ?? [])
        {
            _annotations[field] = annotation;
        }
    }

    /// <summary>No hints: every leaf as <see cref="LeafAnnotation.Both"/>.</summary>
    public static DuckReadHints None => new();

    public LeafAnnotation For(PrimitiveField field) =>
        _annotations.TryGetValue(field, out var annotation) ? annotation : LeafAnnotation.Both;

    internal DuckCanonical.DuckKind KindOf(PrimitiveField field)
    {
        lock (_kinds)
        {
            if (!_kinds.TryGetValue(field, out var kind))
            {
                _kinds[field] = kind = DuckCanonical.Classify(field, For(field));
            }

            return kind;
        }
    }
}

/// <summary>
/// Renders values of our <see cref="ColumnVector"/>s as exactly the JSON text the DuckDB oracle
/// (tests/tools/duckdb-oracle.mjs) produces when DuckDB reads the same Parquet file, so that a test can
/// compare our reader with DuckDB's value by value, as strings. Written from the Parquet format's and
/// DuckDB's semantics, independently of any formatter in the product.
/// <para>
/// Two things have to be mirrored. First, the DuckDB type a Parquet leaf becomes (<see cref="DuckTypeOf"/>);
/// DuckDB 1.5's <c>ParquetReader::DeriveLogicalType</c> looks at the <c>logicalType</c> only for UUID,
/// FLOAT16, TIMESTAMP and TIME and otherwise goes by the legacy converted type, else by the physical type:
/// </para>
/// <code>
///  Parquet leaf (our Field)                         DuckDB type                  value semantics mirrored
///  BOOLEAN                                          BOOLEAN
///  INT32 / INT64 (no annotation)                    INTEGER / BIGINT
///  INT(8|16|32|64, signed)  [converted INT_n]       TINYINT|SMALLINT|INTEGER|BIGINT
///  INT(8|16|32|64, unsigned) [converted UINT_n]     UTINYINT|USMALLINT|UINTEGER|UBIGINT  stored bits read unsigned
///  INT(n) as logicalType only (no converted type)   INTEGER / BIGINT             DuckDB ignores the logical INTEGER
///  INT96                                            TIMESTAMP                    Julian day + nanos, nanos truncated to µs
///  FLOAT / DOUBLE                                   FLOAT / DOUBLE
///  FLOAT16 (FLBA(2))                                FLOAT                        half widened to float32
///  DECIMAL(p≤38,s) on INT32/INT64/FLBA/BYTE_ARRAY    DECIMAL(p,s)
///  DECIMAL(p>38,s)                                  DOUBLE                       (not in any fixture: exact decimal rounded)
///  STRING / ENUM (converted UTF8 / ENUM)            VARCHAR                      DuckDB has no Parquet ENUM: plain text
///  JSON                                             JSON (VARCHAR when nested)   text as stored; the oracle reports the alias at top level only
///  BYTE_ARRAY / FLBA (no annotation, unknown or     BLOB                         an unknown logical type id reads by physical type
///    newer logical type, logical STRING w/o converted)
///  UUID (FLBA(16))                                  UUID                         big-endian bytes, lowercase
///  DATE                                             DATE                         ±2^31-1 days are DuckDB's ±infinity
///  TIME(unit, local)                                TIME (NANOS: TIME_NS)        millis×1000, micros
///  TIME(unit, UTC)                                  TIME WITH TIME ZONE          offset +00:00
///  TIME_MILLIS / TIME_MICROS converted type only    TIME                         DuckDB reads legacy times as local
///  TIMESTAMP(unit, local)                           TIMESTAMP (NANOS: TIMESTAMP_NS)  millis×1000; ±(2^63-1) are ±infinity
///  TIMESTAMP(unit, UTC)                             TIMESTAMP WITH TIME ZONE     NANOS truncated toward zero to µs
///  TIMESTAMP_MILLIS / _MICROS converted type only   TIMESTAMP                    DuckDB reads legacy timestamps as local
///                                                                                (our reader: instants, as Spark does)
///  INTERVAL (FLBA(12))                              INTERVAL                     months, days, millis (unsigned) ×1000 µs
///  BSON                                             — DuckDB refuses the file
///  list / struct / map                              T[] / STRUCT("n" T, ...) / MAP(K, V)
/// </code>
/// <para>
/// Every row but DECIMAL(p&gt;38) and BSON is checked against DuckDB 1.5.6 by the tests: the fixture corpus,
/// the DuckDB-written matrix, and files whose footers were edited to carry the annotations DuckDB never
/// writes (DuckDbReadMatrixTests.Annotations_DuckDb_does_not_write_map_as_DuckCanonical_says).
/// </para>
/// <para>Second, the oracle's canonical text for each DuckDB type (the header of duckdb-oracle.mjs).</para>
/// </summary>
public static class DuckCanonical
{
    private const long MicrosPerDay = 86_400_000_000L;
    private const long NanosPerDay = 86_400_000_000_000L;
    private const int JulianDayOfUnixEpoch = 2_440_588;

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        // The same settings as Canonical, so both sides escape strings identically.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    internal enum DuckKind
    {
        Boolean,
        TinyInt,
        SmallInt,
        Integer,
        BigInt,
        UTinyInt,
        USmallInt,
        UInteger,
        UBigInt,
        Float,
        Double,
        Decimal,
        DecimalAsDouble,
        Varchar,
        Json,
        Blob,
        Uuid,
        Date,
        Time,
        TimeNs,
        TimeTz,
        Timestamp,
        TimestampNs,
        TimestampTz,
        Interval,
    }

    /// <summary>
    /// The type string the oracle reports for a top-level column DuckDB reads from <paramref name="field"/>
    /// (e.g. <c>DECIMAL(9,4)</c>, <c>STRUCT("a" INTEGER, "b" VARCHAR[])</c>, <c>JSON</c>).
    /// </summary>
    public static string DuckTypeOf(Field field, DuckReadHints? hints = null) => TypeOf(field, hints ?? DuckReadHints.None, topLevel: true);

    /// <summary>The canonical JSON text of slot <paramref name="index"/> of <paramref name="column"/>.</summary>
    public static string Render(ColumnVector column, int index, DuckReadHints? hints = null)
    {
        ArgumentNullException.ThrowIfNull(column);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            Write(writer, column, index, hints ?? DuckReadHints.None);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Row <paramref name="row"/> of <paramref name="batch"/> as one JSON array, as <see cref="Canonical.Render(IEnumerable{JsonElement})"/> renders DuckDB's rows.</summary>
    public static string RenderRow(RecordBatch batch, int row, DuckReadHints? hints = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return "[" + string.Join(",", batch.Columns.Select(c => Render(c, row, hints))) + "]";
    }

    /// <summary>Writes slot <paramref name="index"/> of <paramref name="column"/> in its canonical form.</summary>
    public static void Write(Utf8JsonWriter writer, ColumnVector column, int index, DuckReadHints hints)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(hints);
        if (column.IsNull(index))
        {
            writer.WriteNullValue();
            return;
        }

        switch (column)
        {
            case StructVector s:
                writer.WriteStartObject();
                foreach (var child in s.Children)
                {
                    writer.WritePropertyName(child.Field.Name);
                    Write(writer, child, index, hints);
                }

                writer.WriteEndObject();
                return;
            case ListVector l:
                writer.WriteStartArray();
                for (var i = l.Offsets[index]; i < l.Offsets[index + 1]; i++)
                {
                    Write(writer, l.Elements, i, hints);
                }

                writer.WriteEndArray();
                return;
            case MapVector m:
                writer.WriteStartArray();
                for (var i = m.Offsets[index]; i < m.Offsets[index + 1]; i++)
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("key");
                    Write(writer, m.Keys, i, hints);
                    writer.WritePropertyName("value");
                    Write(writer, m.Items, i, hints);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                return;
            default:
                var field = column.Field as PrimitiveField
                    ?? throw new ArgumentException($"leaf vector '{column.Field.Name}' has a {column.Field.GetType().Name}", nameof(column));
                WriteLeaf(writer, column, index, field, hints.KindOf(field));
                return;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Types

    private static string TypeOf(Field field, DuckReadHints hints, bool topLevel) => field switch
    {
        PrimitiveField p => LeafTypeName(hints.KindOf(p), p, topLevel),
        ListField l => TypeOf(l.Element, hints, false) + "[]",
        MapField m => $"MAP({TypeOf(m.Key, hints, false)}, {TypeOf(m.Value, hints, false)})",
        StructField s => "STRUCT(" + string.Join(", ", s.Children.Select(c => $"{QuotedIdentifier(c.Name)} {TypeOf(c, hints, false)}")) + ")",
        _ => throw new ArgumentException($"unknown field kind {field.GetType().Name}", nameof(field)),
    };

    // node-api's StructType#toString always quotes member names, doubling embedded quotes.
    private static string QuotedIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string LeafTypeName(DuckKind kind, PrimitiveField field, bool topLevel) => kind switch
    {
        DuckKind.Boolean => "BOOLEAN",
        DuckKind.TinyInt => "TINYINT",
        DuckKind.SmallInt => "SMALLINT",
        DuckKind.Integer => "INTEGER",
        DuckKind.BigInt => "BIGINT",
        DuckKind.UTinyInt => "UTINYINT",
        DuckKind.USmallInt => "USMALLINT",
        DuckKind.UInteger => "UINTEGER",
        DuckKind.UBigInt => "UBIGINT",
        DuckKind.Float => "FLOAT",
        DuckKind.Double or DuckKind.DecimalAsDouble => "DOUBLE",
        DuckKind.Decimal => $"DECIMAL({field.LogicalType!.Precision},{field.LogicalType.Scale})",
        DuckKind.Varchar => "VARCHAR",
        // JSON is an alias of VARCHAR; the oracle reports aliases only for top-level columns
        // (nested types print through toString, which ignores the alias).
        DuckKind.Json => topLevel ? "JSON" : "VARCHAR",
        DuckKind.Blob => "BLOB",
        DuckKind.Uuid => "UUID",
        DuckKind.Date => "DATE",
        DuckKind.Time => "TIME",
        DuckKind.TimeNs => "TIME_NS",
        DuckKind.TimeTz => "TIME WITH TIME ZONE",
        DuckKind.Timestamp => "TIMESTAMP",
        DuckKind.TimestampNs => "TIMESTAMP_NS",
        DuckKind.TimestampTz => "TIMESTAMP WITH TIME ZONE",
        DuckKind.Interval => "INTERVAL",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    internal static DuckKind Classify(PrimitiveField field, LeafAnnotation annotation)
    {
        var logical = field.LogicalType;
        var physical = field.PhysicalType;
        if (annotation.HasLogicalType && logical is not null)
        {
            switch (logical.Kind)
            {
                case LogicalKind.Uuid when physical == PhysicalType.FixedLenByteArray:
                    return DuckKind.Uuid;
                case LogicalKind.Float16 when physical == PhysicalType.FixedLenByteArray && field.TypeLength == 2:
                    return DuckKind.Float;
                case LogicalKind.Timestamp:
                    return logical.IsAdjustedToUtc ? DuckKind.TimestampTz
                        : logical.Unit == TimeUnit.Nanos ? DuckKind.TimestampNs
                        : DuckKind.Timestamp;
                case LogicalKind.Time:
                    return logical.IsAdjustedToUtc ? DuckKind.TimeTz
                        : logical.Unit == TimeUnit.Nanos ? DuckKind.TimeNs
                        : DuckKind.Time;
            }
        }

        if (annotation.HasConvertedType && logical is not null)
        {
            switch (logical.Kind)
            {
                case LogicalKind.Integer:
                    return (logical.BitWidth, logical.IsSigned) switch
                    {
                        (8, true) => DuckKind.TinyInt,
                        (16, true) => DuckKind.SmallInt,
                        (32, true) => DuckKind.Integer,
                        (64, true) => DuckKind.BigInt,
                        (8, false) => DuckKind.UTinyInt,
                        (16, false) => DuckKind.USmallInt,
                        (32, false) => DuckKind.UInteger,
                        _ => DuckKind.UBigInt,
                    };
                case LogicalKind.Date:
                    return DuckKind.Date;
                // Only converted-type-only timestamps and times get here (annotated ones returned above):
                // DuckDB reads TIMESTAMP_MILLIS/MICROS and TIME_MILLIS/MICROS as local (no time zone).
                case LogicalKind.Timestamp:
                    return DuckKind.Timestamp;
                case LogicalKind.Time:
                    return DuckKind.Time;
                case LogicalKind.Decimal:
                    return logical.Precision > 38 ? DuckKind.DecimalAsDouble : DuckKind.Decimal;
                case LogicalKind.String or LogicalKind.Enum:
                    return DuckKind.Varchar;
                case LogicalKind.Json:
                    return DuckKind.Json;
                case LogicalKind.Interval:
                    return DuckKind.Interval;
                case LogicalKind.Bson:
                    throw new NotSupportedException($"column '{field.Name}': DuckDB refuses the BSON converted type");
            }
        }

        return physical switch
        {
            PhysicalType.Boolean => DuckKind.Boolean,
            PhysicalType.Int32 => DuckKind.Integer,
            PhysicalType.Int64 => DuckKind.BigInt,
            // DuckDB takes every INT96 for an Impala/Hive/Spark timestamp.
            PhysicalType.Int96 => DuckKind.Timestamp,
            PhysicalType.Float => DuckKind.Float,
            PhysicalType.Double => DuckKind.Double,
            _ => DuckKind.Blob,
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Leaf values

    private static void WriteLeaf(Utf8JsonWriter w, ColumnVector v, int i, PrimitiveField field, DuckKind kind)
    {
        switch (kind)
        {
            case DuckKind.Boolean:
                w.WriteBooleanValue(((BooleanVector)v).Values[i]);
                return;
            case DuckKind.TinyInt:
                Raw(w, ((sbyte)Int32(v, i)).ToString(CultureInfo.InvariantCulture));
                return;
            case DuckKind.SmallInt:
                Raw(w, ((short)Int32(v, i)).ToString(CultureInfo.InvariantCulture));
                return;
            case DuckKind.Integer:
                Raw(w, Int32(v, i).ToString(CultureInfo.InvariantCulture));
                return;
            case DuckKind.BigInt:
                Raw(w, Int64(v, i).ToString(CultureInfo.InvariantCulture));
                return;
            case DuckKind.UTinyInt:
                Raw(w, ((byte)Int32(v, i)).ToString(CultureInfo.InvariantCulture));
                return;
            case DuckKind.USmallInt:
                Raw(w, ((ushort)Int32(v, i)).ToString(CultureInfo.InvariantCulture));
                return;
            case DuckKind.UInteger:
                Raw(w, ((uint)Int32(v, i)).ToString(CultureInfo.InvariantCulture));
                return;
            case DuckKind.UBigInt:
                Raw(w, ((ulong)Int64(v, i)).ToString(CultureInfo.InvariantCulture));
                return;
            case DuckKind.Float:
                var f = v switch
                {
                    PrimitiveVector<float> floats => floats.Values[i],
                    BinaryVector halves => (float)BinaryPrimitives.ReadHalfLittleEndian(halves.GetSpan(i)),
                    _ => throw Unexpected(v, kind),
                };
                WriteFloatingPoint(w, FloatText(f), f);
                return;
            case DuckKind.Double:
                var d = ((PrimitiveVector<double>)v).Values[i];
                WriteFloatingPoint(w, DoubleText(d), d);
                return;
            case DuckKind.Decimal:
                w.WriteStringValue(FormatDecimal(Unscaled(v, i), field.LogicalType!.Scale));
                return;
            case DuckKind.DecimalAsDouble:
                var approx = double.Parse(FormatDecimal(Unscaled(v, i), field.LogicalType!.Scale), CultureInfo.InvariantCulture);
                WriteFloatingPoint(w, DoubleText(approx), approx);
                return;
            case DuckKind.Varchar or DuckKind.Json:
                w.WriteStringValue(Encoding.UTF8.GetString(((BinaryVector)v).GetSpan(i)));
                return;
            case DuckKind.Blob:
                w.WriteStringValue(Convert.ToBase64String(((BinaryVector)v).GetSpan(i)));
                return;
            case DuckKind.Uuid:
                var hex = Convert.ToHexStringLower(((BinaryVector)v).GetSpan(i));
                w.WriteStringValue($"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}");
                return;
            case DuckKind.Date:
                var days = Int32(v, i);
                w.WriteStringValue(days == int.MaxValue ? "infinity" : days == -int.MaxValue ? "-infinity" : FormatDays(days));
                return;
            case DuckKind.Time:
                w.WriteStringValue(FormatTimeOfDay(TimeMicros(v, i, field), 6));
                return;
            case DuckKind.TimeNs:
                w.WriteStringValue(FormatTimeOfDay(Int64(v, i), 9));
                return;
            case DuckKind.TimeTz:
                // DuckDB makes a TIME WITH TIME ZONE at offset 0 of the stored (UTC) time of day.
                w.WriteStringValue(FormatTimeOfDay(TimeMicros(v, i, field), 6) + "+00:00");
                return;
            case DuckKind.Timestamp:
                w.WriteStringValue(FormatMicrosTimestamp(TimestampMicros(v, i, field), ""));
                return;
            case DuckKind.TimestampTz:
                w.WriteStringValue(FormatMicrosTimestamp(TimestampMicros(v, i, field), "Z"));
                return;
            case DuckKind.TimestampNs:
                var nanos = Int64(v, i);
                w.WriteStringValue(nanos == long.MaxValue ? "infinity" : nanos == -long.MaxValue ? "-infinity" : FormatNanosTimestamp(nanos));
                return;
            case DuckKind.Interval:
                var b = ((BinaryVector)v).GetSpan(i);
                w.WriteStartObject();
                w.WriteNumber("months", BinaryPrimitives.ReadInt32LittleEndian(b));
                w.WriteNumber("days", BinaryPrimitives.ReadInt32LittleEndian(b[4..]));
                // The third field is an unsigned count of milliseconds.
                w.WriteNumber("micros", (long)BinaryPrimitives.ReadUInt32LittleEndian(b[8..]) * 1000);
                w.WriteEndObject();
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static void Raw(Utf8JsonWriter w, string json) => w.WriteRawValue(json, skipInputValidation: true);

    private static void WriteFloatingPoint(Utf8JsonWriter w, string text, double value)
    {
        if (double.IsFinite(value))
        {
            Raw(w, text);
        }
        else
        {
            w.WriteStringValue(text);
        }
    }

    private static InvalidOperationException Unexpected(ColumnVector v, DuckKind kind) =>
        new($"column '{v.Field.Name}': a {v.GetType().Name} cannot hold DuckDB {kind}");

    private static int Int32(ColumnVector v, int i) => v is PrimitiveVector<int> p ? p.Values[i] : throw Unexpected(v, DuckKind.Integer);

    private static long Int64(ColumnVector v, int i) => v switch
    {
        PrimitiveVector<long> p => p.Values[i],
        PrimitiveVector<int> p => p.Values[i],
        _ => throw Unexpected(v, DuckKind.BigInt),
    };

    private static BigInteger Unscaled(ColumnVector v, int i) => v switch
    {
        PrimitiveVector<int> p => p.Values[i],
        PrimitiveVector<long> p => p.Values[i],
        // Big-endian two's complement; an empty value is 0.
        BinaryVector b => b.GetSpan(i).IsEmpty ? BigInteger.Zero : new BigInteger(b.GetSpan(i), isUnsigned: false, isBigEndian: true),
        _ => throw Unexpected(v, DuckKind.Decimal),
    };

    private static long TimeMicros(ColumnVector v, int i, PrimitiveField field) => field.LogicalType!.Unit switch
    {
        TimeUnit.Millis => Int64(v, i) * 1000,
        TimeUnit.Micros => Int64(v, i),
        // C++ integer division: truncation toward zero.
        _ => Int64(v, i) / 1000,
    };

    private static long TimestampMicros(ColumnVector v, int i, PrimitiveField field)
    {
        if (v is PrimitiveVector<Int96> int96)
        {
            // Impala layout: nanoseconds of the day, then the Julian day; DuckDB truncates to microseconds.
            var t = int96.Values[i];
            return ((long)(t.JulianDay - JulianDayOfUnixEpoch) * MicrosPerDay) + (t.NanosOfDay / 1000);
        }

        var raw = Int64(v, i);
        return field.LogicalType?.Unit switch
        {
            TimeUnit.Millis => checked(raw * 1000),
            TimeUnit.Nanos => raw / 1000,
            _ => raw,
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Calendar: proleptic Gregorian over the whole 64-bit range, ISO 8601 expanded years outside 0001-9999.

    private static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
    }

    /// <summary>Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).</summary>
    private static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        var z = days + 719_468;
        var era = FloorDiv(z, 146_097);
        var doe = z - (era * 146_097);
        var yoe = (doe - (doe / 1460) + (doe / 36_524) - (doe / 146_096)) / 365;
        var doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));
        var mp = ((5 * doy) + 2) / 153;
        var d = doy - (((153 * mp) + 2) / 5) + 1;
        var m = mp < 10 ? mp + 3 : mp - 9;
        var y = yoe + (era * 400) + (m <= 2 ? 1 : 0);
        return (y, (int)m, (int)d);
    }

    private static string Pad(long n, int width) => n.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');

    private static string FormatYear(long y) => y < 0 ? "-" + Pad(-y, 4) : y > 9999 ? "+" + y.ToString(CultureInfo.InvariantCulture) : Pad(y, 4);

    private static string FormatDays(long days)
    {
        var (y, m, d) = CivilFromDays(days);
        return $"{FormatYear(y)}-{Pad(m, 2)}-{Pad(d, 2)}";
    }

    /// <summary>Sub-day units as <c>HH:mm:ss.</c> and <paramref name="digits"/> fractional digits (hours not wrapped).</summary>
    private static string FormatTimeOfDay(long units, int digits)
    {
        var perSecond = (long)Math.Pow(10, digits);
        var fraction = units % perSecond;
        var seconds = units / perSecond;
        return $"{Pad(seconds / 3600, 2)}:{Pad(seconds / 60 % 60, 2)}:{Pad(seconds % 60, 2)}.{Pad(fraction, digits)}";
    }

    private static string FormatMicrosTimestamp(long micros, string suffix)
    {
        // DuckDB's infinite timestamps are the extreme values of the integer.
        if (micros == long.MaxValue)
        {
            return "infinity";
        }

        if (micros == -long.MaxValue)
        {
            return "-infinity";
        }

        var days = FloorDiv(micros, MicrosPerDay);
        return $"{FormatDays(days)}T{FormatTimeOfDay(micros - (days * MicrosPerDay), 6)}{suffix}";
    }

    private static string FormatNanosTimestamp(long nanos)
    {
        var days = FloorDiv(nanos, NanosPerDay);
        return $"{FormatDays(days)}T{FormatTimeOfDay(nanos - (days * NanosPerDay), 9)}";
    }

    // ---------------------------------------------------------------------------------------------
    // Numbers

    /// <summary>Exactly <paramref name="scale"/> fractional digits: <c>-0.50</c>, <c>42</c> (scale 0).</summary>
    public static string FormatDecimal(BigInteger unscaled, int scale)
    {
        var negative = unscaled.Sign < 0;
        var digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture);
        if (scale == 0)
        {
            return (negative ? "-" : "") + digits;
        }

        var padded = digits.PadLeft(scale + 1, '0');
        var cut = padded.Length - scale;
        return (negative ? "-" : "") + padded[..cut] + "." + padded[cut..];
    }

    /// <summary>JavaScript's <c>Number#toString</c> of a double: the shortest digits that round-trip, laid out as ECMAScript does.</summary>
    public static string DoubleText(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        // .NET Core 3.0+ "R" is the shortest round-tripping text, in some layout; take its digits and exponent.
        var text = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var (digits, n) = DigitsAndPointPosition(text);
        return (value < 0 ? "-" : "") + EcmaScriptLayout(digits, n);
    }

    /// <summary>
    /// The oracle's FLOAT form: the shortest <c>toPrecision(p)</c> (p = 1..9) of the float's exact value
    /// that converts back to the same float32, printed as a JavaScript number.
    /// </summary>
    public static string FloatText(float value)
    {
        if (!float.IsFinite(value) || value == 0)
        {
            return DoubleText(value);
        }

        for (var p = 1; p <= 9; p++)
        {
            var candidate = ToPrecision(value, p);
            if ((float)candidate == value)
            {
                return DoubleText(candidate);
            }
        }

        return DoubleText(value);
    }

    /// <summary>
    /// JavaScript's <c>Number(x.toPrecision(p))</c>: x rounded to p significant digits, exactly, halves
    /// rounded away from zero, then parsed back as a double.
    /// </summary>
    private static double ToPrecision(double x, int p)
    {
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(x));
        var biased = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & ((1L << 52) - 1);
        var mantissa = biased == 0 ? fraction : fraction | (1L << 52);
        var exponent = biased == 0 ? -1074 : biased - 1075;

        // |x| = num / den exactly.
        BigInteger num = mantissa, den = BigInteger.One;
        if (exponent >= 0)
        {
            num <<= exponent;
        }
        else
        {
            den <<= -exponent;
        }

        var e10 = (int)Math.Floor(Math.Log10(Math.Abs(x)));
        while (!AtLeastPowerOfTen(num, den, e10))
        {
            e10--;
        }

        while (AtLeastPowerOfTen(num, den, e10 + 1))
        {
            e10++;
        }

        var shift = e10 - p + 1;
        BigInteger n = num, d = den;
        if (shift >= 0)
        {
            d *= BigInteger.Pow(10, shift);
        }
        else
        {
            n *= BigInteger.Pow(10, -shift);
        }

        var q = BigInteger.DivRem(n, d, out var r);
        if (2 * r >= d)
        {
            q++;
        }

        if (q == BigInteger.Pow(10, p))
        {
            q /= 10;
            shift++;
        }

        var parsed = double.Parse($"{q}E{shift}", NumberStyles.Float, CultureInfo.InvariantCulture);
        return x < 0 ? -parsed : parsed;
    }

    private static bool AtLeastPowerOfTen(BigInteger num, BigInteger den, int k) =>
        k >= 0 ? num >= den * BigInteger.Pow(10, k) : num * BigInteger.Pow(10, -k) >= den;

    /// <summary>Splits a positive decimal text (fixed or with an exponent) into significant digits s and n, with value = 0.s × 10^n.</summary>
    private static (string Digits, int N) DigitsAndPointPosition(string text)
    {
        var exponent = 0;
        var mantissa = text;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = text[..e];
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? mantissa : mantissa[..dot];
        var fractional = dot < 0 ? "" : mantissa[(dot + 1)..];
        var all = (whole + fractional).TrimStart('0');
        var significant = all.TrimEnd('0');
        var trailingZeros = all.Length - significant.Length;
        // value = significant × 10^(exponent - fractional.Length + trailingZeros)
        return (significant, exponent - fractional.Length + trailingZeros + significant.Length);
    }

    /// <summary>ECMAScript Number::toString layout of digits s (k of them) with value s × 10^(n−k).</summary>
    private static string EcmaScriptLayout(string s, int n)
    {
        var k = s.Length;
        if (k <= n && n <= 21)
        {
            return s + new string('0', n - k);
        }

        if (0 < n && n <= 21)
        {
            return s[..n] + "." + s[n..];
        }

        if (-6 < n && n <= 0)
        {
            return "0." + new string('0', -n) + s;
        }

        var exp = n - 1;
        var mantissa = k == 1 ? s : s[..1] + "." + s[1..];
        return mantissa + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
    }
}
