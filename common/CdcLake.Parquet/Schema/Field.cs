using System.Text;

namespace CdcLake.Parquet;

/// <summary>
/// A node of the logical schema: a leaf, a struct, a list or a map. Lists and maps are always
/// presented this way, whichever of the standard or legacy layouts the file used.
/// </summary>
public abstract class Field
{
    protected Field(string name, Repetition repetition, int? fieldId)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Repetition = repetition;
        FieldId = fieldId;
    }

    public string Name { get; }

    /// <summary>Required or optional; repeated only for the element of a legacy list while reading.</summary>
    public Repetition Repetition { get; }

    public bool IsNullable => Repetition == Repetition.Optional;

    public int? FieldId { get; }

    public abstract Field WithName(string name);

    public abstract Field WithRepetition(Repetition repetition);

    /// <summary>A one-line type description such as <c>list&lt;int64&gt;</c>, used by the CLI and in errors.</summary>
    public abstract string TypeName { get; }

    public override string ToString() => $"{Name}: {TypeName}{(IsNullable ? "" : " not null")}";

    internal virtual void Describe(StringBuilder sb, int indent)
    {
        sb.Append(' ', indent).Append(Name).Append(": ").Append(TypeName);
        if (!IsNullable)
        {
            sb.Append(" not null");
        }

        sb.AppendLine();
    }
}

public sealed class PrimitiveField : Field
{
    public PrimitiveField(
        string name,
        PhysicalType physicalType,
        LogicalType? logicalType = null,
        Repetition repetition = Repetition.Optional,
        int typeLength = 0,
        int? fieldId = null)
        : base(name, repetition, fieldId)
    {
        if (physicalType == PhysicalType.FixedLenByteArray && typeLength <= 0)
        {
            throw new ParquetException($"field '{name}': FIXED_LEN_BYTE_ARRAY needs a positive length, got {typeLength}");
        }

        PhysicalType = physicalType;
        LogicalType = logicalType;
        TypeLength = physicalType == PhysicalType.FixedLenByteArray ? typeLength : 0;
    }

    public PhysicalType PhysicalType { get; }

    public LogicalType? LogicalType { get; }

    /// <summary>Byte width of FIXED_LEN_BYTE_ARRAY values; 0 for every other type.</summary>
    public int TypeLength { get; }

    public override string TypeName
    {
        get
        {
            var physical = PhysicalType switch
            {
                PhysicalType.FixedLenByteArray => $"fixed_len_byte_array({TypeLength})",
                _ => PhysicalType.ToString().ToLowerInvariant() switch
                {
                    "bytearray" => "byte_array",
                    var s => s,
                },
            };
            return LogicalType is null ? physical : $"{physical} {LogicalType}";
        }
    }

    public override Field WithName(string name) => new PrimitiveField(name, PhysicalType, LogicalType, Repetition, TypeLength, FieldId);

    public override Field WithRepetition(Repetition repetition) => new PrimitiveField(Name, PhysicalType, LogicalType, repetition, TypeLength, FieldId);
}

public sealed class StructField : Field
{
    public StructField(string name, IReadOnlyList<Field> children, Repetition repetition = Repetition.Optional, int? fieldId = null)
        : base(name, repetition, fieldId)
    {
        if (children.Count == 0)
        {
            throw new ParquetException($"struct '{name}' has no fields");
        }

        Children = children;
    }

    public IReadOnlyList<Field> Children { get; }

    public override string TypeName => "struct";

    public override Field WithName(string name) => new StructField(name, Children, Repetition, FieldId);

    public override Field WithRepetition(Repetition repetition) => new StructField(Name, Children, repetition, FieldId);

    internal override void Describe(StringBuilder sb, int indent)
    {
        base.Describe(sb, indent);
        foreach (var child in Children)
        {
            child.Describe(sb, indent + 2);
        }
    }
}

public sealed class ListField : Field
{
    public ListField(string name, Field element, Repetition repetition = Repetition.Optional, int? fieldId = null)
        : base(name, repetition, fieldId)
    {
        Element = element;
    }

    public Field Element { get; }

    public override string TypeName => "list";

    public override Field WithName(string name) => new ListField(name, Element, Repetition, FieldId);

    public override Field WithRepetition(Repetition repetition) => new ListField(Name, Element, repetition, FieldId);

    internal override void Describe(StringBuilder sb, int indent)
    {
        base.Describe(sb, indent);
        Element.Describe(sb, indent + 2);
    }
}

public sealed class MapField : Field
{
    public MapField(string name, Field key, Field value, Repetition repetition = Repetition.Optional, int? fieldId = null)
        : base(name, repetition, fieldId)
    {
        Key = key;
        Value = value;
    }

    /// <summary>Map keys; legacy files may mark them optional, and null keys are read as they are.</summary>
    public Field Key { get; }

    public Field Value { get; }

    public override string TypeName => "map";

    public override Field WithName(string name) => new MapField(name, Key, Value, Repetition, FieldId);

    public override Field WithRepetition(Repetition repetition) => new MapField(Name, Key, Value, repetition, FieldId);

    internal override void Describe(StringBuilder sb, int indent)
    {
        base.Describe(sb, indent);
        Key.Describe(sb, indent + 2);
        Value.Describe(sb, indent + 2);
    }
}
