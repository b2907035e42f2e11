using System.Text;
using CdcLake.Parquet.Internal;

namespace CdcLake.Parquet;

/// <summary>
/// The logical schema of a file: top-level fields, and the leaf columns they are stored as, each with
/// its definition and repetition levels.
/// </summary>
public sealed class ParquetSchema
{
    private readonly Dictionary<string, int> _fieldIndex;

    public ParquetSchema(IReadOnlyList<Field> fields)
        : this(fields, SchemaNode.FromFields(fields))
    {
        IsStandardLayout = true;
    }

    /// <param name="reindex">
    /// False for a projection of another schema: its nodes keep the leaf numbering of the file they came from.
    /// </param>
    internal ParquetSchema(IReadOnlyList<Field> fields, SchemaNode root, bool reindex = true)
    {
        Fields = fields;
        Root = root;
        var leaves = new List<ColumnDescriptor>();
        if (reindex)
        {
            root.CollectLeaves(leaves);
        }
        else
        {
            foreach (var child in root.Children)
            {
                leaves.AddRange(Enumerable.Range(0, child.LeafCount).Select(i => child.FirstLeaf + i).Select(i => FindLeaf(child, i)));
            }
        }

        Columns = leaves;
        _fieldIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            if (!_fieldIndex.TryAdd(fields[i].Name, i))
            {
                throw new ParquetException($"schema has two fields named '{fields[i].Name}'");
            }
        }
    }

    public IReadOnlyList<Field> Fields { get; }

    private static ColumnDescriptor FindLeaf(SchemaNode node, int index) =>
        node.Column is { } c && c.Index == index ? c : FindLeaf(node.Children.Last(ch => ch.FirstLeaf <= index), index);

    /// <summary>The leaf columns in file order.</summary>
    public IReadOnlyList<ColumnDescriptor> Columns { get; }

    internal SchemaNode Root { get; }

    /// <summary>
    /// True when the levels and paths are those of the standard layout the writer emits; false for a
    /// schema read from a file, which may use legacy list and map layouts.
    /// </summary>
    internal bool IsStandardLayout { get; }

    /// <summary>The same fields in the standard layout.</summary>
    internal ParquetSchema ToStandardLayout() => IsStandardLayout ? this : new ParquetSchema(Fields);

    /// <summary>The same fields in the layout a writer emits: standard, or with two-level (legacy) lists.</summary>
    internal ParquetSchema ToWriteLayout(bool legacyLists) =>
        legacyLists ? new ParquetSchema(Fields, SchemaNode.FromFields(Fields, legacyLists: true)) { UsesLegacyLists = true } : ToStandardLayout();

    /// <summary>Whether a writer lays lists out in two levels (see <see cref="ParquetWriteOptions.LegacyListLayout"/>).</summary>
    internal bool UsesLegacyLists { get; private init; }

    public int IndexOf(string fieldName) => _fieldIndex.TryGetValue(fieldName, out var i) ? i : -1;

    public Field this[string fieldName] =>
        IndexOf(fieldName) is var i and >= 0 ? Fields[i] : throw new ParquetException($"no field named '{fieldName}'");

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var field in Fields)
        {
            field.Describe(sb, 0);
        }

        return sb.ToString();
    }
}

/// <summary>A leaf column as stored: its path in the file and the levels its values carry.</summary>
public sealed class ColumnDescriptor
{
    internal ColumnDescriptor(int index, IReadOnlyList<string> path, PrimitiveField field, int maxDefinitionLevel, int maxRepetitionLevel)
    {
        Index = index;
        Path = path;
        Field = field;
        MaxDefinitionLevel = maxDefinitionLevel;
        MaxRepetitionLevel = maxRepetitionLevel;
        DottedPath = string.Join('.', path);
    }

    /// <summary>Position among the file's leaf columns.</summary>
    public int Index { get; }

    /// <summary>Names from the top-level field down to the leaf, as stored (including list/map wrapper groups).</summary>
    public IReadOnlyList<string> Path { get; }

    public string DottedPath { get; }

    public PrimitiveField Field { get; }

    public int MaxDefinitionLevel { get; }

    public int MaxRepetitionLevel { get; }

    public override string ToString() => DottedPath;
}
