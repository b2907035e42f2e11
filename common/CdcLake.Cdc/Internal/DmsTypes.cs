using CdcLake.Parquet;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// The table type of a DMS column, and the union of two. Decimals stay decimals (as FIXED_LEN_BYTE_ARRAY of the
/// precision's minimal width, as Spark and parquet-avro write them); timestamps become TIMESTAMP(MICROS) keeping
/// their UTC flag (DMS's legacy TIMESTAMP_MILLIS is read as UTC-adjusted, as Spark reads it; INT96 is UTC);
/// every column is nullable, since a column added later is null in older files. Unions only widen safely:
/// int8/16 → int32 → int64, float → double, a decimal to more digits; anything else is a conflict.
/// </summary>
internal static class DmsTypes
{
    /// <summary>The table's type for a column a DMS file stores as <paramref name="field"/>, named <paramref name="name"/>.</summary>
    public static Field Normalize(Field field, string name) => field switch
    {
        PrimitiveField p => NormalizePrimitive(p, name),
        _ => field.WithName(name).WithRepetition(Repetition.Optional),
    };

    /// <summary>The type holding both, or null when no safe widening exists.</summary>
    public static Field? Union(Field a, Field b)
    {
        if (Same(a, b))
        {
            return a;
        }

        if (a is not PrimitiveField x || b is not PrimitiveField y)
        {
            return null;
        }

        if (IntegerWidth(x) is { } wx && IntegerWidth(y) is { } wy)
        {
            return wx >= wy ? x : y;
        }

        if (IsFloating(x) && IsFloating(y))
        {
            return x.PhysicalType == PhysicalType.Double ? x : y;
        }

        if (x.LogicalType?.Kind == LogicalKind.Decimal && y.LogicalType?.Kind == LogicalKind.Decimal)
        {
            var scale = Math.Max(x.LogicalType.Scale, y.LogicalType.Scale);
            var digits = Math.Max(x.LogicalType.Precision - x.LogicalType.Scale, y.LogicalType.Precision - y.LogicalType.Scale);
            return digits + scale > 38 ? null : Decimal(x.Name, digits + scale, scale);
        }

        return null;
    }

    /// <summary>Whether two fields have the same type (names aside).</summary>
    public static bool Same(Field a, Field b) => Describe(a) == Describe(b);

    public static string Describe(Field field) => field switch
    {
        PrimitiveField p => p.TypeName,
        StructField s => $"struct<{string.Join(",", s.Children.Select(c => $"{c.Name}:{Describe(c)}"))}>",
        ListField l => $"list<{Describe(l.Element)}>",
        MapField m => $"map<{Describe(m.Key)},{Describe(m.Value)}>",
        _ => field.TypeName,
    };

    /// <summary>Bytes of the smallest two's-complement FIXED_LEN_BYTE_ARRAY that holds every decimal of <paramref name="precision"/> digits.</summary>
    public static int DecimalBytes(int precision)
    {
        var bytes = 1;
        while (System.Numerics.BigInteger.Pow(2, (8 * bytes) - 1) <= System.Numerics.BigInteger.Pow(10, precision) - 1)
        {
            bytes++;
        }

        return bytes;
    }

    public static PrimitiveField Decimal(string name, int precision, int scale) =>
        new(name, PhysicalType.FixedLenByteArray, LogicalType.Decimal(precision, scale), Repetition.Optional, DecimalBytes(precision));

    private static PrimitiveField NormalizePrimitive(PrimitiveField field, string name)
    {
        var logical = field.LogicalType;
        if (field.PhysicalType == PhysicalType.Int96)
        {
            return new PrimitiveField(name, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true));
        }

        if (logical?.Kind == LogicalKind.Timestamp && logical.Unit == TimeUnit.Millis)
        {
            return new PrimitiveField(name, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, logical.IsAdjustedToUtc));
        }

        if (logical?.Kind == LogicalKind.Decimal)
        {
            return Decimal(name, logical.Precision, logical.Scale);
        }

        return new PrimitiveField(name, field.PhysicalType, logical, Repetition.Optional, field.TypeLength, field.FieldId);
    }

    /// <summary>Bits of a signed integer column (no annotation: its physical width); null for anything else.</summary>
    private static int? IntegerWidth(PrimitiveField field) => (field.PhysicalType, field.LogicalType) switch
    {
        (PhysicalType.Int32, null) => 32,
        (PhysicalType.Int64, null) => 64,
        (PhysicalType.Int32 or PhysicalType.Int64, { Kind: LogicalKind.Integer, IsSigned: true } l) => l.BitWidth,
        _ => null,
    };

    private static bool IsFloating(PrimitiveField field) =>
        field.LogicalType is null && field.PhysicalType is PhysicalType.Float or PhysicalType.Double;
}
