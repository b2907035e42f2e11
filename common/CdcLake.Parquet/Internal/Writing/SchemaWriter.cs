using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet.Internal.Writing;

using MetaLogicalType = CdcLake.Parquet.Meta.LogicalType;
using MetaPhysicalType = CdcLake.Parquet.Meta.PhysicalType;
using MetaTimeUnit = CdcLake.Parquet.Meta.TimeUnit;

/// <summary>
/// Flattens a <see cref="ParquetSchema"/> into the footer's depth-first <see cref="SchemaElement"/> list in the
/// standard layout (three-level lists <c>name/list/element</c>, maps <c>name/key_value/key|value</c>). Every
/// annotation is written as a LogicalType and, where the format has one, as the legacy ConvertedType too, so
/// that readers predating LogicalType (Hive, old Spark and Impala) see the same types.
/// </summary>
internal static class SchemaWriter
{
    public static List<SchemaElement> Build(ParquetSchema schema, string rootName = "schema")
    {
        var elements = new List<SchemaElement>
        {
            new() { Name = rootName, NumChildren = schema.Fields.Count },
        };
        foreach (var field in schema.Fields)
        {
            Add(field, field.Name, elements);
        }

        return elements;
    }

    /// <summary>Refuses physical/logical combinations the format does not define, naming the column.</summary>
    public static void Validate(ParquetSchema schema)
    {
        if (schema.Fields.Count == 0)
        {
            throw new ParquetException("schema has no fields");
        }

        foreach (var column in schema.Columns)
        {
            try
            {
                ValidateLeaf(column.Field);
            }
            catch (ParquetException e)
            {
                throw e.WithContext(null, column.DottedPath);
            }
        }
    }

    private static void Add(Field field, string path, List<SchemaElement> elements)
    {
        var repetition = field.Repetition switch
        {
            Repetition.Required => FieldRepetitionType.Required,
            Repetition.Optional => FieldRepetitionType.Optional,
            _ => throw new ParquetException($"field '{path}': use a list field instead of a repeated field"),
        };

        switch (field)
        {
            case PrimitiveField primitive:
                elements.Add(Leaf(primitive, repetition));
                break;
            case StructField s:
                elements.Add(new SchemaElement { Name = field.Name, RepetitionType = repetition, NumChildren = s.Children.Count, FieldId = field.FieldId });
                foreach (var child in s.Children)
                {
                    Add(child, $"{path}.{child.Name}", elements);
                }

                break;
            case ListField list:
                elements.Add(new SchemaElement
                {
                    Name = field.Name,
                    RepetitionType = repetition,
                    NumChildren = 1,
                    ConvertedType = ConvertedType.List,
                    LogicalType = MetaLogicalType.Of(LogicalTypeKind.List),
                    FieldId = field.FieldId,
                });
                elements.Add(new SchemaElement { Name = "list", RepetitionType = FieldRepetitionType.Repeated, NumChildren = 1 });
                Add(list.Element.WithName("element"), $"{path}.list.element", elements);
                break;
            case MapField map:
                elements.Add(new SchemaElement
                {
                    Name = field.Name,
                    RepetitionType = repetition,
                    NumChildren = 1,
                    ConvertedType = ConvertedType.Map,
                    LogicalType = MetaLogicalType.Of(LogicalTypeKind.Map),
                    FieldId = field.FieldId,
                });
                elements.Add(new SchemaElement { Name = "key_value", RepetitionType = FieldRepetitionType.Repeated, NumChildren = 2 });
                Add(map.Key.WithName("key"), $"{path}.key_value.key", elements);
                Add(map.Value.WithName("value"), $"{path}.key_value.value", elements);
                break;
            default:
                throw new ParquetException($"field '{path}': unsupported field kind {field.GetType().Name}");
        }
    }

    private static SchemaElement Leaf(PrimitiveField field, FieldRepetitionType repetition)
    {
        var element = new SchemaElement
        {
            Name = field.Name,
            RepetitionType = repetition,
            Type = (MetaPhysicalType)(int)field.PhysicalType,
            TypeLength = field.PhysicalType == PhysicalType.FixedLenByteArray ? field.TypeLength : null,
            FieldId = field.FieldId,
        };

        if (field.LogicalType is not { } logical)
        {
            return element;
        }

        switch (logical.Kind)
        {
            case LogicalKind.String:
                element.LogicalType = MetaLogicalType.Of(LogicalTypeKind.String);
                element.ConvertedType = ConvertedType.Utf8;
                break;
            case LogicalKind.Enum:
                element.LogicalType = MetaLogicalType.Of(LogicalTypeKind.Enum);
                element.ConvertedType = ConvertedType.Enum;
                break;
            case LogicalKind.Json:
                element.LogicalType = MetaLogicalType.Of(LogicalTypeKind.Json);
                element.ConvertedType = ConvertedType.Json;
                break;
            case LogicalKind.Bson:
                // No legacy BSON converted type: readers that know only converted types (DuckDB among them)
                // refuse the whole file over it, while the logical type is ignored as unknown at worst.
                element.LogicalType = MetaLogicalType.Of(LogicalTypeKind.Bson);
                break;
            case LogicalKind.Uuid:
                element.LogicalType = MetaLogicalType.Of(LogicalTypeKind.Uuid);
                break;
            case LogicalKind.Float16:
                element.LogicalType = MetaLogicalType.Of(LogicalTypeKind.Float16);
                break;
            case LogicalKind.Interval:
                // INTERVAL has no LogicalType member; the converted type is all there is.
                element.ConvertedType = ConvertedType.Interval;
                break;
            case LogicalKind.Decimal:
                element.LogicalType = MetaLogicalType.Decimal(logical.Scale, logical.Precision);
                element.ConvertedType = ConvertedType.Decimal;
                element.Scale = logical.Scale;
                element.Precision = logical.Precision;
                break;
            case LogicalKind.Date:
                element.LogicalType = MetaLogicalType.Of(LogicalTypeKind.Date);
                element.ConvertedType = ConvertedType.Date;
                break;
            case LogicalKind.Time:
                element.LogicalType = MetaLogicalType.Time(logical.IsAdjustedToUtc, Unit(logical.Unit));
                // The legacy TIME_* types mean UTC-adjusted; a local time is annotated only the new way.
                element.ConvertedType = (logical.Unit, logical.IsAdjustedToUtc) switch
                {
                    (TimeUnit.Millis, true) => ConvertedType.TimeMillis,
                    (TimeUnit.Micros, true) => ConvertedType.TimeMicros,
                    _ => null,
                };
                break;
            case LogicalKind.Timestamp:
                element.LogicalType = MetaLogicalType.Timestamp(logical.IsAdjustedToUtc, Unit(logical.Unit));
                element.ConvertedType = (logical.Unit, logical.IsAdjustedToUtc) switch
                {
                    (TimeUnit.Millis, true) => ConvertedType.TimestampMillis,
                    (TimeUnit.Micros, true) => ConvertedType.TimestampMicros,
                    _ => null,
                };
                break;
            case LogicalKind.Integer:
                element.LogicalType = MetaLogicalType.Integer((sbyte)logical.BitWidth, logical.IsSigned);
                element.ConvertedType = (logical.BitWidth, logical.IsSigned) switch
                {
                    (8, true) => ConvertedType.Int8,
                    (16, true) => ConvertedType.Int16,
                    (32, true) => ConvertedType.Int32,
                    (64, true) => ConvertedType.Int64,
                    (8, false) => ConvertedType.Uint8,
                    (16, false) => ConvertedType.Uint16,
                    (32, false) => ConvertedType.Uint32,
                    _ => ConvertedType.Uint64,
                };
                break;
            default:
                throw new ParquetException($"logical type {logical} cannot be written");
        }

        return element;
    }

    private static MetaTimeUnit Unit(TimeUnit unit) => unit switch
    {
        TimeUnit.Millis => MetaTimeUnit.Millis,
        TimeUnit.Micros => MetaTimeUnit.Micros,
        _ => MetaTimeUnit.Nanos,
    };

    private static void ValidateLeaf(PrimitiveField field)
    {
        var physical = field.PhysicalType;
        if (!Enum.IsDefined(physical))
        {
            throw new ParquetException($"unknown physical type {(int)physical}");
        }

        if (field.LogicalType is not { } logical)
        {
            return;
        }

        var ok = logical.Kind switch
        {
            LogicalKind.String or LogicalKind.Enum or LogicalKind.Json or LogicalKind.Bson => physical == PhysicalType.ByteArray,
            LogicalKind.Uuid => physical == PhysicalType.FixedLenByteArray && field.TypeLength == 16,
            LogicalKind.Float16 => physical == PhysicalType.FixedLenByteArray && field.TypeLength == 2,
            LogicalKind.Interval => physical == PhysicalType.FixedLenByteArray && field.TypeLength == 12,
            LogicalKind.Date => physical == PhysicalType.Int32,
            LogicalKind.Time => logical.Unit == TimeUnit.Millis ? physical == PhysicalType.Int32 : physical == PhysicalType.Int64,
            LogicalKind.Timestamp => physical == PhysicalType.Int64,
            LogicalKind.Integer => logical.BitWidth == 64 ? physical == PhysicalType.Int64 : physical == PhysicalType.Int32,
            LogicalKind.Decimal => physical switch
            {
                PhysicalType.Int32 => logical.Precision <= 9,
                PhysicalType.Int64 => logical.Precision <= 18,
                PhysicalType.FixedLenByteArray => logical.Precision <= MaxDecimalDigits(field.TypeLength),
                PhysicalType.ByteArray => true,
                _ => false,
            },
            _ => false,
        };

        if (!ok)
        {
            var physicalName = physical == PhysicalType.FixedLenByteArray
                ? $"FIXED_LEN_BYTE_ARRAY({field.TypeLength})"
                : physical.ToString().ToUpperInvariant();
            throw new ParquetException($"logical type {logical} cannot annotate {physicalName}");
        }
    }

    /// <summary>Digits a signed two's-complement number of <paramref name="bytes"/> bytes always holds: floor(log10(2^(8n-1) - 1)).</summary>
    private static int MaxDecimalDigits(int bytes) =>
        bytes <= 0 ? 0 : (int)Math.Floor(Math.Log10(Math.Pow(2, (8.0 * bytes) - 1) - 1));
}
