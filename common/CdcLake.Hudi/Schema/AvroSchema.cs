using System.Text.Json;
using CdcLake.Hudi.Internal;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>How nullable types are written.</summary>
public enum AvroNullableStyle
{
    /// <summary>
    /// <c>["null", T]</c> with <c>"default": null</c> on fields: what Hudi writes in commit files and base file
    /// footers (AvroConversionUtils adds the defaults to Spark's schema).
    /// </summary>
    NullFirstWithDefault,

    /// <summary><c>[T, "null"]</c> without defaults: Spark's own conversion, found in hoodie.table.create.schema.</summary>
    SparkNullLast,
}

public sealed record AvroSchemaOptions
{
    /// <summary>Put the five _hoodie_* fields first (as in base file footers). Meta fields in the input are always dropped first.</summary>
    public bool IncludeMetaFields { get; init; }

    public AvroNullableStyle NullableStyle { get; init; } = AvroNullableStyle.NullFirstWithDefault;

    /// <summary>
    /// Declare every array's items nullable, as Spark does for its usual containsNull=true. Needed for the
    /// schema of a Parquet file with legacy two-level lists (what Spark's Hudi writer produces): that layout
    /// cannot record element nullability, so CdcLake.Parquet reads such elements as required, while the
    /// Avro schema the file was written with says <c>["null", T]</c>.
    /// </summary>
    public bool NullableListItems { get; init; }

    public static AvroSchemaOptions Default { get; } = new();

    public static AvroSchemaOptions WithMetaFields { get; } = new() { IncludeMetaFields = true };
}

/// <summary>A parsed Avro record schema: its name, namespace and fields as a CdcLake.Parquet field tree.</summary>
public sealed record AvroRecordSchema(string Name, string? Namespace, IReadOnlyList<Field> Fields)
{
    public string FullName => string.IsNullOrEmpty(Namespace) ? Name : $"{Namespace}.{Name}";

    public ParquetSchema ToParquetSchema() => new(Fields);
}

/// <summary>
/// Converts between our Parquet field trees and the Avro schema JSON Hudi's Spark writer produces
/// (Spark's SchemaConverters.toAvroType, then Hudi's null-first unions with null defaults): record
/// <c>&lt;table&gt;_record</c> in namespace <c>hoodie.&lt;table&gt;</c>; nested records named after their field in
/// namespace <c>&lt;parent namespace&gt;.&lt;parent name&gt;</c>; decimals as fixed <c>fixed</c> of Spark's minimal
/// size; dates <c>date</c>; timestamps <c>timestamp-micros</c> (<c>local-timestamp-micros</c> when not UTC).
/// The JSON is compact and laid out as Avro's Schema.toString, so it compares equal as text.
/// </summary>
public static class AvroSchema
{
    private const string NullType = "null";

    /// <summary>Hudi's Avro record name for a table: <c>&lt;table&gt;_record</c>.</summary>
    public static string RecordName(string tableName) => tableName + "_record";

    /// <summary>Hudi's Avro namespace for a table: <c>hoodie.&lt;table&gt;</c>.</summary>
    public static string RecordNamespace(string tableName) => "hoodie." + tableName;

    /// <summary>The Avro schema JSON of a table with these fields.</summary>
    /// <exception cref="HudiException">A name Avro refuses, a map with non-string keys, or another type Spark cannot write.</exception>
    public static string ToJson(string tableName, IEnumerable<Field> fields, AvroSchemaOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        return ToJson(RecordName(tableName), RecordNamespace(tableName), fields, options);
    }

    /// <inheritdoc cref="ToJson(string, IEnumerable{Field}, AvroSchemaOptions?)"/>
    public static string ToJson(string tableName, ParquetSchema schema, AvroSchemaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return ToJson(tableName, schema.Fields, options);
    }

    /// <summary>The Avro schema JSON of a record named <paramref name="recordName"/> in <paramref name="recordNamespace"/>.</summary>
    public static string ToJson(string recordName, string? recordNamespace, IEnumerable<Field> fields, AvroSchemaOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordName);
        ArgumentNullException.ThrowIfNull(fields);
        options ??= AvroSchemaOptions.Default;
        var userFields = fields.Where(f => !HoodieMetaFields.IsMetaField(f.Name)).ToList();
        var writer = new Writer(options.NullableStyle, options.NullableListItems);
        writer.TopRecord(recordName, recordNamespace ?? "", userFields, options.IncludeMetaFields);
        return writer.ToString();
    }

    /// <summary>Parses an Avro record schema (as in a footer's parquet.avro.schema or a commit's schema).</summary>
    /// <exception cref="HudiException">Not JSON, not a record, or a union of several non-null types.</exception>
    public static AvroRecordSchema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return new Reader().TopRecord(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new HudiException($"the Avro schema is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Spark's smallest FIXED size for a decimal precision: the least n with 2^(8n−1) ≥ 10^precision.</summary>
    public static int DecimalFixedSize(int precision)
    {
        var bytes = 1;
        while (Math.Pow(2.0, (8 * bytes) - 1) < Math.Pow(10.0, precision))
        {
            bytes++;
        }

        return bytes;
    }

    private sealed class Writer(AvroNullableStyle style, bool nullableListItems)
    {
        private readonly JacksonWriter _w = new(pretty: false);
        private readonly HashSet<string> _defined = new(StringComparer.Ordinal);

        // Avro writes a named type's namespace only when it differs from that of the nearest enclosing record.
        private string _space = "";

        public void TopRecord(string name, string space, IReadOnlyList<Field> fields, bool metaFields)
        {
            CheckName(name);
            _w.StartObject();
            _w.Name("type");
            _w.String("record");
            WriteName(name, space);
            var saved = _space;
            _space = space;
            _w.Name("fields");
            _w.StartArray();
            if (metaFields)
            {
                foreach (var meta in HoodieMetaFields.All)
                {
                    _w.StartObject();
                    _w.Name("name");
                    _w.String(meta);
                    _w.Name("type");
                    _w.StartArray();
                    _w.String(NullType);
                    _w.String("string");
                    _w.EndArray();
                    _w.Name("doc");
                    _w.String("");
                    _w.Name("default");
                    _w.Null();
                    _w.EndObject();
                }
            }

            var childSpace = ChildSpace(space, name);
            foreach (var field in fields)
            {
                RecordField(field, childSpace);
            }

            _w.EndArray();
            _space = saved;
            _w.EndObject();
        }

        public override string ToString() => _w.ToString();

        private static string ChildSpace(string space, string name) => space.Length == 0 ? name : $"{space}.{name}";

        private static bool IsNullable(Field field) => field.Repetition != Repetition.Required;

        private void RecordField(Field field, string space)
        {
            CheckName(field.Name);
            _w.StartObject();
            _w.Name("name");
            _w.String(field.Name);
            _w.Name("type");
            var nullable = IsNullable(field);
            Type(field, nullable, field.Name, space);
            if (nullable && style == AvroNullableStyle.NullFirstWithDefault)
            {
                _w.Name("default");
                _w.Null();
            }

            _w.EndObject();
        }

        // Spark's toAvroType(type, nullable, recordName, nameSpace): array elements and map values take the
        // name and namespace of the field that holds them.
        private void Type(Field field, bool nullable, string recordName, string space)
        {
            if (nullable)
            {
                _w.StartArray();
                if (style == AvroNullableStyle.NullFirstWithDefault)
                {
                    _w.String(NullType);
                }
            }

            switch (field)
            {
                case PrimitiveField p:
                    Primitive(p, recordName, space);
                    break;
                case StructField s:
                    NestedRecord(s, recordName, space);
                    break;
                case ListField l:
                    _w.StartObject();
                    _w.Name("type");
                    _w.String("array");
                    _w.Name("items");
                    Type(l.Element, nullableListItems || IsNullable(l.Element), recordName, space);
                    _w.EndObject();
                    break;
                case MapField m:
                    if (m.Key is not PrimitiveField { LogicalType.Kind: LogicalKind.String or LogicalKind.Enum or LogicalKind.Json })
                    {
                        throw new HudiException($"map '{m.Name}' has {m.Key.TypeName} keys; Avro (and so Hudi) maps need string keys");
                    }

                    _w.StartObject();
                    _w.Name("type");
                    _w.String("map");
                    _w.Name("values");
                    Type(m.Value, IsNullable(m.Value), recordName, space);
                    _w.EndObject();
                    break;
                default:
                    throw new HudiException($"field '{field.Name}' has an unknown field kind {field.GetType().Name}");
            }

            if (nullable)
            {
                if (style == AvroNullableStyle.SparkNullLast)
                {
                    _w.String(NullType);
                }

                _w.EndArray();
            }
        }

        private void NestedRecord(StructField s, string name, string space)
        {
            if (Reference(name, space))
            {
                return;
            }

            _w.StartObject();
            _w.Name("type");
            _w.String("record");
            WriteName(name, space);
            var saved = _space;
            _space = space;
            _w.Name("fields");
            _w.StartArray();
            var childSpace = ChildSpace(space, name);
            foreach (var child in s.Children)
            {
                RecordField(child, childSpace);
            }

            _w.EndArray();
            _space = saved;
            _w.EndObject();
        }

        private void Primitive(PrimitiveField p, string recordName, string space)
        {
            var logical = p.LogicalType;
            switch (p.PhysicalType)
            {
                case PhysicalType.Boolean:
                    _w.String("boolean");
                    return;
                case PhysicalType.Float:
                    _w.String("float");
                    return;
                case PhysicalType.Double:
                    _w.String("double");
                    return;
                case PhysicalType.Int96:
                    Logical("long", "timestamp-micros");
                    return;
            }

            switch (logical?.Kind)
            {
                case LogicalKind.Decimal:
                    Decimal(logical.Precision, logical.Scale, recordName, space);
                    return;
                case LogicalKind.String or LogicalKind.Enum or LogicalKind.Json:
                    _w.String("string");
                    return;
                case LogicalKind.Uuid:
                    Logical("string", "uuid");
                    return;
                case LogicalKind.Date:
                    Logical("int", "date");
                    return;
                case LogicalKind.Timestamp:
                    Logical("long", logical.IsAdjustedToUtc ? "timestamp-micros" : "local-timestamp-micros");
                    return;
                case LogicalKind.Time:
                    if (logical.Unit == TimeUnit.Millis)
                    {
                        Logical("int", "time-millis");
                    }
                    else
                    {
                        Logical("long", "time-micros");
                    }

                    return;
                case LogicalKind.Float16:
                    _w.String("float");
                    return;
                case LogicalKind.Integer when logical.BitWidth == 64 && !logical.IsSigned:
                    Decimal(20, 0, recordName, space); // Spark reads UINT_64 as DECIMAL(20,0)
                    return;
                case LogicalKind.Integer when logical.BitWidth == 32 && !logical.IsSigned:
                    _w.String("long"); // Spark reads UINT_32 as LongType
                    return;
            }

            _w.String(p.PhysicalType switch
            {
                PhysicalType.Int32 => "int",
                PhysicalType.Int64 => "long",
                _ => "bytes",
            });
        }

        private void Decimal(int precision, int scale, string recordName, string space)
        {
            // Spark names decimal fixeds "<namespace>.<field>.fixed" so that two decimal fields never clash.
            var fixedSpace = ChildSpace(space, recordName);
            if (Reference("fixed", fixedSpace))
            {
                return;
            }

            _w.StartObject();
            _w.Name("type");
            _w.String("fixed");
            WriteName("fixed", fixedSpace);
            _w.Name("size");
            _w.Number(DecimalFixedSize(precision));
            _w.Name("logicalType");
            _w.String("decimal");
            _w.Name("precision");
            _w.Number(precision);
            _w.Name("scale");
            _w.Number(scale);
            _w.EndObject();
        }

        private void Logical(string type, string logicalType)
        {
            _w.StartObject();
            _w.Name("type");
            _w.String(type);
            _w.Name("logicalType");
            _w.String(logicalType);
            _w.EndObject();
        }

        private void WriteName(string name, string space)
        {
            CheckName(name);
            _defined.Add(ChildSpace(space, name));
            _w.Name("name");
            _w.String(name);
            if (space.Length > 0 && space != _space)
            {
                _w.Name("namespace");
                _w.String(space);
            }
        }

        // A named type defined earlier in the schema is written as its name, as Avro does.
        private bool Reference(string name, string space)
        {
            var full = ChildSpace(space, name);
            if (!_defined.Contains(full))
            {
                return false;
            }

            _w.String(space == _space ? name : full);
            return true;
        }

        private static void CheckName(string name)
        {
            var valid = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
                && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
            if (!valid)
            {
                throw new HudiException($"'{name}' is not a valid Avro name ([A-Za-z_][A-Za-z0-9_]*); Spark's Hudi writer refuses it too. Rename the column.");
            }
        }
    }

    private sealed class Reader
    {
        private readonly Dictionary<string, Func<string, Repetition, Field>> _named = new(StringComparer.Ordinal);

        public AvroRecordSchema TopRecord(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object || Str(root, "type") != "record")
            {
                throw new HudiException("the Avro schema is not a record");
            }

            var name = Str(root, "name") ?? throw new HudiException("the Avro record has no name");
            var space = Str(root, "namespace");
            var (simple, ns) = SplitName(name, space);
            var fields = Fields(root, ns);
            return new AvroRecordSchema(simple, string.IsNullOrEmpty(ns) ? null : ns, fields);
        }

        private static (string Name, string Space) SplitName(string name, string? space)
        {
            var dot = name.LastIndexOf('.');
            return dot >= 0 ? (name[(dot + 1)..], name[..dot]) : (name, space ?? "");
        }

        private static string? Str(JsonElement e, string property) =>
            e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static int Int(JsonElement e, string property) =>
            e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

        private List<Field> Fields(JsonElement record, string space)
        {
            if (!record.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
            {
                throw new HudiException($"Avro record '{Str(record, "name")}' has no fields array");
            }

            var result = new List<Field>();
            foreach (var f in fields.EnumerateArray())
            {
                var name = Str(f, "name") ?? throw new HudiException("an Avro field has no name");
                if (!f.TryGetProperty("type", out var type))
                {
                    throw new HudiException($"Avro field '{name}' has no type");
                }

                result.Add(FieldOf(name, type, space));
            }

            return result;
        }

        private Field FieldOf(string name, JsonElement type, string space)
        {
            var repetition = Repetition.Required;
            if (type.ValueKind == JsonValueKind.Array)
            {
                var branches = type.EnumerateArray().ToList();
                var nonNull = branches.Where(b => !(b.ValueKind == JsonValueKind.String && b.GetString() == NullType)).ToList();
                if (nonNull.Count != 1)
                {
                    throw new HudiException($"Avro field '{name}' is a union of {nonNull.Count} non-null types; only [\"null\", T] unions are supported");
                }

                repetition = branches.Count > 1 ? Repetition.Optional : Repetition.Required;
                type = nonNull[0];
            }

            return TypeOf(name, type, repetition, space);
        }

        private Field TypeOf(string name, JsonElement type, Repetition repetition, string space)
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                var typeName = type.GetString()!;
                return typeName switch
                {
                    "boolean" => new PrimitiveField(name, PhysicalType.Boolean, null, repetition),
                    "int" => new PrimitiveField(name, PhysicalType.Int32, null, repetition),
                    "long" => new PrimitiveField(name, PhysicalType.Int64, null, repetition),
                    "float" => new PrimitiveField(name, PhysicalType.Float, null, repetition),
                    "double" => new PrimitiveField(name, PhysicalType.Double, null, repetition),
                    "bytes" => new PrimitiveField(name, PhysicalType.ByteArray, null, repetition),
                    "string" => new PrimitiveField(name, PhysicalType.ByteArray, LogicalType.String, repetition),
                    _ => _named.TryGetValue(typeName.Contains('.', StringComparison.Ordinal) ? typeName : $"{space}.{typeName}", out var make)
                        || _named.TryGetValue(typeName, out make)
                        ? make(name, repetition)
                        : throw new HudiException($"Avro field '{name}' has unknown type '{typeName}'"),
                };
            }

            if (type.ValueKind == JsonValueKind.Array)
            {
                return FieldOf(name, type, space);
            }

            if (type.ValueKind != JsonValueKind.Object)
            {
                throw new HudiException($"Avro field '{name}' has a malformed type");
            }

            var kind = Str(type, "type");
            var logical = Str(type, "logicalType");
            switch (kind)
            {
                case "record":
                {
                    var (recordName, recordSpace) = SplitName(Str(type, "name") ?? name, Str(type, "namespace") ?? space);
                    var children = Fields(type, recordSpace);
                    _named[$"{recordSpace}.{recordName}"] = (n, r) => new StructField(n, children, r);
                    return new StructField(name, children, repetition);
                }

                case "array":
                {
                    if (!type.TryGetProperty("items", out var items))
                    {
                        throw new HudiException($"Avro array '{name}' has no items");
                    }

                    return new ListField(name, FieldOf("element", items, space), repetition);
                }

                case "map":
                {
                    if (!type.TryGetProperty("values", out var values))
                    {
                        throw new HudiException($"Avro map '{name}' has no values");
                    }

                    var key = new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required);
                    return new MapField(name, key, FieldOf("value", values, space), repetition);
                }

                case "enum":
                {
                    var (enumName, enumSpace) = SplitName(Str(type, "name") ?? name, Str(type, "namespace") ?? space);
                    _named[$"{enumSpace}.{enumName}"] = (n, r) => new PrimitiveField(n, PhysicalType.ByteArray, LogicalType.Enum, r);
                    return new PrimitiveField(name, PhysicalType.ByteArray, LogicalType.Enum, repetition);
                }

                case "fixed":
                {
                    var (fixedName, fixedSpace) = SplitName(Str(type, "name") ?? name, Str(type, "namespace") ?? space);
                    var size = Int(type, "size");
                    LogicalType? fixedLogical = logical switch
                    {
                        "decimal" => LogicalType.Decimal(Int(type, "precision"), Int(type, "scale")),
                        "duration" => LogicalType.Interval,
                        _ => null,
                    };
                    _named[$"{fixedSpace}.{fixedName}"] = (n, r) => new PrimitiveField(n, PhysicalType.FixedLenByteArray, fixedLogical, r, size);
                    return new PrimitiveField(name, PhysicalType.FixedLenByteArray, fixedLogical, repetition, size);
                }

                case "int":
                    return new PrimitiveField(name, PhysicalType.Int32, logical switch
                    {
                        "date" => LogicalType.Date,
                        "time-millis" => LogicalType.Time(TimeUnit.Millis, true),
                        _ => null,
                    }, repetition);
                case "long":
                    return new PrimitiveField(name, PhysicalType.Int64, logical switch
                    {
                        "timestamp-millis" => LogicalType.Timestamp(TimeUnit.Millis, true),
                        "timestamp-micros" => LogicalType.Timestamp(TimeUnit.Micros, true),
                        "timestamp-nanos" => LogicalType.Timestamp(TimeUnit.Nanos, true),
                        "local-timestamp-millis" => LogicalType.Timestamp(TimeUnit.Millis, false),
                        "local-timestamp-micros" => LogicalType.Timestamp(TimeUnit.Micros, false),
                        "local-timestamp-nanos" => LogicalType.Timestamp(TimeUnit.Nanos, false),
                        "time-micros" => LogicalType.Time(TimeUnit.Micros, true),
                        _ => null,
                    }, repetition);
                case "string":
                    return logical == "uuid"
                        ? new PrimitiveField(name, PhysicalType.FixedLenByteArray, LogicalType.Uuid, repetition, 16)
                        : new PrimitiveField(name, PhysicalType.ByteArray, LogicalType.String, repetition);
                case "bytes":
                    return new PrimitiveField(
                        name,
                        PhysicalType.ByteArray,
                        logical == "decimal" ? LogicalType.Decimal(Int(type, "precision"), Int(type, "scale")) : null,
                        repetition);
                case "boolean" or "float" or "double":
                    return TypeOf(name, JsonDocument.Parse($"\"{kind}\"").RootElement.Clone(), repetition, space);
                default:
                    throw new HudiException($"Avro field '{name}' has unsupported type '{kind}'");
            }
        }
    }
}
