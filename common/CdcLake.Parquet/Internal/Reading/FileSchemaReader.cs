using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet.Internal.Reading;

using MetaLogicalKind = CdcLake.Parquet.Meta.LogicalTypeKind;
using MetaLogicalType = CdcLake.Parquet.Meta.LogicalType;
using MetaPhysicalType = CdcLake.Parquet.Meta.PhysicalType;
using MetaTimeUnit = CdcLake.Parquet.Meta.TimeUnit;

/// <summary>
/// Turns the footer's flat, depth-first schema into the logical field tree and its levels. Lists and
/// maps are recognised in the standard layout and in the legacy ones real writers produce
/// (two-level lists, repeated fields without annotation, MAP_KEY_VALUE, maps with optional keys),
/// following the backward-compatibility rules of the Parquet format's LogicalTypes document.
/// </summary>
internal static class FileSchemaReader
{
    private const int MaxDepth = 64;

    public static ParquetSchema Read(IReadOnlyList<SchemaElement> elements)
    {
        if (elements.Count == 0)
        {
            throw new ParquetException("schema: the footer lists no schema elements");
        }

        var cursor = 1;
        var root = elements[0];
        var rawChildren = ReadChildren(elements, root, ref cursor, 1);
        if (cursor != elements.Count)
        {
            throw new ParquetException($"schema: {elements.Count - cursor} schema elements are not reachable from the root");
        }

        if (rawChildren.Count == 0)
        {
            throw new ParquetException("schema: the root has no fields");
        }

        var converter = new Converter();
        var nodes = rawChildren.Select(c => converter.Convert(c, 0, 0, [])).ToArray();
        var fields = nodes.Select(n => n.Field!).ToArray();
        return new ParquetSchema(fields, new SchemaNode(NodeKind.Root, null, 0, 0, nodes));
    }

    private static List<Raw> ReadChildren(IReadOnlyList<SchemaElement> elements, SchemaElement parent, ref int cursor, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ParquetException($"schema: nesting deeper than {MaxDepth} levels");
        }

        var count = parent.NumChildren ?? 0;
        if (count < 0 || count > elements.Count - cursor)
        {
            throw new ParquetException($"schema: '{parent.Name}' claims {count} children but only {elements.Count - cursor} elements follow");
        }

        var children = new List<Raw>(count);
        for (var i = 0; i < count; i++)
        {
            // The check above cannot see what nested groups before this child consume.
            if (cursor >= elements.Count)
            {
                throw new ParquetException($"schema: '{parent.Name}' claims {count} children but the schema ends after {i}");
            }

            var element = elements[cursor++];
            var isGroup = element.NumChildren is > 0 || element.Type is null;
            var grandChildren = isGroup ? ReadChildren(elements, element, ref cursor, depth + 1) : [];
            if (isGroup && grandChildren.Count == 0)
            {
                throw new ParquetException($"schema: group '{element.Name}' has no fields");
            }

            children.Add(new Raw(element, grandChildren));
        }

        return children;
    }

    private sealed record Raw(SchemaElement Element, List<Raw> Children)
    {
        public bool IsGroup => Children.Count > 0;

        public string Name => Element.Name;

        public FieldRepetitionType Repetition => Element.RepetitionType ?? FieldRepetitionType.Required;

        public bool IsAnnotated(ConvertedType converted, MetaLogicalKind logical) =>
            Element.ConvertedType == converted || Element.LogicalType?.Kind == logical;
    }

    private sealed class Converter
    {
        private int _leafIndex;

        public SchemaNode Convert(Raw raw, int parentDefined, int parentRepetition, string[] parentPath)
        {
            if (string.IsNullOrEmpty(raw.Name))
            {
                throw new ParquetException("schema: a field has an empty name");
            }

            var path = Append(parentPath, raw.Name);
            switch (raw.Repetition)
            {
                case FieldRepetitionType.Repeated:
                    // A repeated field outside a LIST/MAP group is a required list of required elements.
                    var elementLevel = parentDefined + 1;
                    var element = ConvertAsElement(raw, elementLevel, parentRepetition + 1, parentPath);
                    return ListNode(raw.Name, element, Repetition.Required, raw.Element.FieldId, parentDefined, parentRepetition);
                case FieldRepetitionType.Required or FieldRepetitionType.Optional:
                    break;
                default:
                    throw new ParquetException($"schema: field '{raw.Name}' has unsupported repetition {(int)raw.Repetition}");
            }

            var repetition = raw.Repetition == FieldRepetitionType.Optional ? Repetition.Optional : Repetition.Required;
            var defined = parentDefined + (repetition == Repetition.Optional ? 1 : 0);
            if (!raw.IsGroup)
            {
                return Leaf(raw, repetition, defined, parentRepetition, path);
            }

            if (raw.IsAnnotated(ConvertedType.List, MetaLogicalKind.List))
            {
                return ConvertList(raw, repetition, defined, parentRepetition, path);
            }

            if (raw.IsAnnotated(ConvertedType.Map, MetaLogicalKind.Map) || raw.Element.ConvertedType == ConvertedType.MapKeyValue)
            {
                return ConvertMap(raw, repetition, defined, parentRepetition, path);
            }

            return StructNode(raw, repetition, defined, parentRepetition, path);
        }

        private SchemaNode ConvertList(Raw raw, Repetition repetition, int defined, int parentRepetition, string[] path)
        {
            if (raw.Children.Count != 1 || raw.Children[0].Repetition != FieldRepetitionType.Repeated)
            {
                throw new ParquetException($"schema: list '{raw.Name}' must hold exactly one repeated field");
            }

            var repeated = raw.Children[0];
            var elementLevel = defined + 1;
            var elementRepetition = parentRepetition + 1;
            SchemaNode element;
            if (!repeated.IsGroup || repeated.Children.Count > 1 || repeated.Name == "array" || repeated.Name == raw.Name + "_tuple")
            {
                // Two-level layout: the repeated field is the element itself.
                element = ConvertAsElement(repeated, elementLevel, elementRepetition, path);
            }
            else
            {
                element = Convert(repeated.Children[0], elementLevel, elementRepetition, Append(path, repeated.Name));
            }

            return ListNode(raw.Name, element, repetition, raw.Element.FieldId, defined, parentRepetition);
        }

        private SchemaNode ConvertMap(Raw raw, Repetition repetition, int defined, int parentRepetition, string[] path)
        {
            var keyValue = raw.Children.Count == 1 ? raw.Children[0] : null;
            if (keyValue is null || keyValue.Repetition != FieldRepetitionType.Repeated || !keyValue.IsGroup || keyValue.Children.Count > 2)
            {
                throw new ParquetException($"schema: map '{raw.Name}' must hold one repeated group of a key and a value");
            }

            var elementLevel = defined + 1;
            var elementRepetition = parentRepetition + 1;
            var kvPath = Append(path, keyValue.Name);
            var key = Convert(keyValue.Children[0], elementLevel, elementRepetition, kvPath);
            if (keyValue.Children.Count == 1)
            {
                // A map without values is read as the list of its keys.
                return ListNode(raw.Name, key, repetition, raw.Element.FieldId, defined, parentRepetition);
            }

            var value = Convert(keyValue.Children[1], elementLevel, elementRepetition, kvPath);
            var field = new MapField(raw.Name, key.Field!, value.Field!, repetition, raw.Element.FieldId);
            return new SchemaNode(NodeKind.Map, field, defined, parentRepetition, [key, value])
            {
                ElementLevel = elementLevel,
                ElementRepetitionLevel = elementRepetition,
            };
        }

        /// <summary>A repeated field standing for the element of a list: required, at the list's element level.</summary>
        private SchemaNode ConvertAsElement(Raw raw, int elementLevel, int elementRepetition, string[] parentPath)
        {
            var path = Append(parentPath, raw.Name);
            if (!raw.IsGroup)
            {
                return Leaf(raw, Repetition.Required, elementLevel, elementRepetition, path);
            }

            // A legacy list of lists: the repeated element is itself an annotated list (or map) group.
            if (raw.IsAnnotated(ConvertedType.List, MetaLogicalKind.List))
            {
                return ConvertList(raw, Repetition.Required, elementLevel, elementRepetition, path);
            }

            if (raw.IsAnnotated(ConvertedType.Map, MetaLogicalKind.Map) || raw.Element.ConvertedType == ConvertedType.MapKeyValue)
            {
                return ConvertMap(raw, Repetition.Required, elementLevel, elementRepetition, path);
            }

            return StructNode(raw, Repetition.Required, elementLevel, elementRepetition, path);
        }

        private SchemaNode StructNode(Raw raw, Repetition repetition, int defined, int repetitionLevel, string[] path)
        {
            var members = raw.Children.Select(c => Convert(c, defined, repetitionLevel, path)).ToArray();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in members)
            {
                if (!names.Add(member.Field!.Name))
                {
                    throw new ParquetException($"schema: struct '{raw.Name}' has two fields named '{member.Field.Name}'");
                }
            }

            var field = new StructField(raw.Name, members.Select(m => m.Field!).ToArray(), repetition, raw.Element.FieldId);
            return new SchemaNode(NodeKind.Struct, field, defined, repetitionLevel, members);
        }

        private static SchemaNode ListNode(string name, SchemaNode element, Repetition repetition, int? fieldId, int defined, int repetitionLevel)
        {
            var field = new ListField(name, element.Field!, repetition, fieldId);
            return new SchemaNode(NodeKind.List, field, defined, repetitionLevel, [element])
            {
                ElementLevel = defined + 1,
                ElementRepetitionLevel = repetitionLevel + 1,
            };
        }

        private SchemaNode Leaf(Raw raw, Repetition repetition, int defined, int repetitionLevel, string[] path)
        {
            var element = raw.Element;
            var physical = element.Type switch
            {
                MetaPhysicalType.Boolean => PhysicalType.Boolean,
                MetaPhysicalType.Int32 => PhysicalType.Int32,
                MetaPhysicalType.Int64 => PhysicalType.Int64,
                MetaPhysicalType.Int96 => PhysicalType.Int96,
                MetaPhysicalType.Float => PhysicalType.Float,
                MetaPhysicalType.Double => PhysicalType.Double,
                MetaPhysicalType.ByteArray => PhysicalType.ByteArray,
                MetaPhysicalType.FixedLenByteArray => PhysicalType.FixedLenByteArray,
                var t => throw new ParquetException($"schema: column '{string.Join('.', path)}' has unknown physical type {(int?)t}"),
            };
            var length = element.TypeLength ?? 0;
            if (physical == PhysicalType.FixedLenByteArray && (length <= 0 || length > 1 << 20))
            {
                throw new ParquetException($"schema: column '{string.Join('.', path)}' has FIXED_LEN_BYTE_ARRAY length {length}");
            }

            var logical = LogicalTypeMapping.FromElement(element, physical, length, string.Join('.', path));
            var field = new PrimitiveField(raw.Name, physical, logical, repetition, length, element.FieldId);
            var column = new ColumnDescriptor(_leafIndex++, path, field, defined, repetitionLevel);
            return new SchemaNode(NodeKind.Leaf, field, defined, repetitionLevel, []) { Column = column };
        }

        private static string[] Append(string[] path, string name) => [.. path, name];
    }
}

/// <summary>Maps the footer's logical and legacy converted types onto <see cref="CdcLake.Parquet.LogicalType"/>.</summary>
internal static class LogicalTypeMapping
{
    /// <summary>
    /// The widest DECIMAL read. The format bounds precision only by the physical type, and not at all for
    /// BYTE_ARRAY; engines stop at 38 or 76 digits. Far above both, but bounded, so that a corrupt
    /// precision and scale cannot make rendering one value allocate gigabytes (the scale pads the digits).
    /// </summary>
    public const int MaxDecimalPrecision = 1000;

    public static CdcLake.Parquet.LogicalType? FromElement(SchemaElement element, PhysicalType physical, int length, string column)
    {
        var logical = element.LogicalType is { } l ? FromLogical(l) : FromConverted(element);
        if (logical is null || Fits(logical, physical, length))
        {
            return logical;
        }

        throw new ParquetException($"schema: column '{column}': {logical} cannot annotate {physical}{(length > 0 ? $"({length})" : "")}");
    }

    private static CdcLake.Parquet.LogicalType? FromLogical(MetaLogicalType l) => l.Kind switch
    {
        MetaLogicalKind.String => CdcLake.Parquet.LogicalType.String,
        MetaLogicalKind.Enum => CdcLake.Parquet.LogicalType.Enum,
        MetaLogicalKind.Json => CdcLake.Parquet.LogicalType.Json,
        MetaLogicalKind.Bson => CdcLake.Parquet.LogicalType.Bson,
        MetaLogicalKind.Uuid => CdcLake.Parquet.LogicalType.Uuid,
        MetaLogicalKind.Float16 => CdcLake.Parquet.LogicalType.Float16,
        MetaLogicalKind.Date => CdcLake.Parquet.LogicalType.Date,
        MetaLogicalKind.Decimal => CdcLake.Parquet.LogicalType.Decimal(l.Precision, l.Scale),
        MetaLogicalKind.Time => CdcLake.Parquet.LogicalType.Time(Unit(l.Unit), l.IsAdjustedToUtc),
        MetaLogicalKind.Timestamp => CdcLake.Parquet.LogicalType.Timestamp(Unit(l.Unit), l.IsAdjustedToUtc),
        MetaLogicalKind.Integer => CdcLake.Parquet.LogicalType.Integer(l.BitWidth, l.IsSigned),
        // Unknown (always null), types newer than this reader, and the geospatial/variant types are read by physical type.
        _ => null,
    };

    private static CdcLake.Parquet.LogicalType? FromConverted(SchemaElement e) => e.ConvertedType switch
    {
        ConvertedType.Utf8 => CdcLake.Parquet.LogicalType.String,
        ConvertedType.Enum => CdcLake.Parquet.LogicalType.Enum,
        ConvertedType.Json => CdcLake.Parquet.LogicalType.Json,
        ConvertedType.Bson => CdcLake.Parquet.LogicalType.Bson,
        ConvertedType.Decimal => CdcLake.Parquet.LogicalType.Decimal(e.Precision ?? 0, e.Scale ?? 0),
        ConvertedType.Date => CdcLake.Parquet.LogicalType.Date,
        ConvertedType.TimeMillis => CdcLake.Parquet.LogicalType.Time(CdcLake.Parquet.TimeUnit.Millis, true),
        ConvertedType.TimeMicros => CdcLake.Parquet.LogicalType.Time(CdcLake.Parquet.TimeUnit.Micros, true),
        // Spark and Hive read the legacy timestamp annotations as instants.
        ConvertedType.TimestampMillis => CdcLake.Parquet.LogicalType.Timestamp(CdcLake.Parquet.TimeUnit.Millis, true),
        ConvertedType.TimestampMicros => CdcLake.Parquet.LogicalType.Timestamp(CdcLake.Parquet.TimeUnit.Micros, true),
        ConvertedType.Uint8 => CdcLake.Parquet.LogicalType.Integer(8, false),
        ConvertedType.Uint16 => CdcLake.Parquet.LogicalType.Integer(16, false),
        ConvertedType.Uint32 => CdcLake.Parquet.LogicalType.Integer(32, false),
        ConvertedType.Uint64 => CdcLake.Parquet.LogicalType.Integer(64, false),
        ConvertedType.Int8 => CdcLake.Parquet.LogicalType.Integer(8, true),
        ConvertedType.Int16 => CdcLake.Parquet.LogicalType.Integer(16, true),
        ConvertedType.Int32 => CdcLake.Parquet.LogicalType.Integer(32, true),
        ConvertedType.Int64 => CdcLake.Parquet.LogicalType.Integer(64, true),
        ConvertedType.Interval => CdcLake.Parquet.LogicalType.Interval,
        _ => null,
    };

    private static CdcLake.Parquet.TimeUnit Unit(MetaTimeUnit unit) => unit switch
    {
        MetaTimeUnit.Millis => CdcLake.Parquet.TimeUnit.Millis,
        MetaTimeUnit.Micros => CdcLake.Parquet.TimeUnit.Micros,
        MetaTimeUnit.Nanos => CdcLake.Parquet.TimeUnit.Nanos,
        _ => throw new ParquetException($"unknown time unit {(int)unit}"),
    };

    private static bool Fits(CdcLake.Parquet.LogicalType logical, PhysicalType physical, int length) => logical.Kind switch
    {
        LogicalKind.String or LogicalKind.Enum or LogicalKind.Json or LogicalKind.Bson => physical == PhysicalType.ByteArray,
        LogicalKind.Uuid => physical == PhysicalType.FixedLenByteArray && length == 16,
        LogicalKind.Float16 => physical == PhysicalType.FixedLenByteArray && length == 2,
        LogicalKind.Interval => physical == PhysicalType.FixedLenByteArray && length == 12,
        LogicalKind.Date => physical == PhysicalType.Int32,
        LogicalKind.Time => logical.Unit == CdcLake.Parquet.TimeUnit.Millis ? physical == PhysicalType.Int32 : physical == PhysicalType.Int64,
        LogicalKind.Timestamp => physical == PhysicalType.Int64,
        LogicalKind.Integer => logical.BitWidth == 64 ? physical == PhysicalType.Int64 : physical == PhysicalType.Int32,
        LogicalKind.Decimal => logical.Precision <= MaxDecimalPrecision && physical switch
        {
            PhysicalType.Int32 => logical.Precision <= 9,
            PhysicalType.Int64 => logical.Precision <= 18,
            PhysicalType.FixedLenByteArray => logical.Precision <= (int)Math.Floor(Math.Log10(2) * ((8 * length) - 1)),
            PhysicalType.ByteArray => true,
            _ => false,
        },
        _ => true,
    };
}
