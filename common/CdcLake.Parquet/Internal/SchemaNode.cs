namespace CdcLake.Parquet.Internal;

internal enum NodeKind
{
    Root,
    Leaf,
    Struct,
    List,
    Map,
}

/// <summary>
/// A logical field together with the levels that encode it. Record assembly and shredding are driven by
/// these numbers alone, so legacy list/map layouts and the standard ones share one code path.
/// </summary>
internal sealed class SchemaNode
{
    /// <summary>The repeated element's name in parquet-avro's two-level lists.</summary>
    public const string LegacyListElementName = "array";

    public SchemaNode(NodeKind kind, Field? field, int definedLevel, int repetitionLevel, SchemaNode[] children)
    {
        Kind = kind;
        Field = field;
        DefinedLevel = definedLevel;
        RepetitionLevel = repetitionLevel;
        Children = children;
    }

    public NodeKind Kind { get; }

    /// <summary>The logical field; null for the root.</summary>
    public Field? Field { get; }

    /// <summary>A definition level at or above this means the node's value is present (not null).</summary>
    public int DefinedLevel { get; }

    /// <summary>Repetition level of the innermost repeated ancestor (0 at top level).</summary>
    public int RepetitionLevel { get; }

    /// <summary>For lists and maps: a definition level at or above this means at least one element.</summary>
    public int ElementLevel { get; init; }

    /// <summary>For lists and maps: the repetition level that starts a further element of this node.</summary>
    public int ElementRepetitionLevel { get; init; }

    /// <summary>Struct fields; the list element; or the map key and value.</summary>
    public SchemaNode[] Children { get; }

    /// <summary>Set on leaves.</summary>
    public ColumnDescriptor? Column { get; init; }

    public int FirstLeaf { get; private set; }

    public int LeafCount { get; private set; }

    public void CollectLeaves(List<ColumnDescriptor> leaves)
    {
        FirstLeaf = leaves.Count;
        if (Column is not null)
        {
            leaves.Add(Column);
        }

        foreach (var child in Children)
        {
            child.CollectLeaves(leaves);
        }

        LeafCount = leaves.Count - FirstLeaf;
    }

    /// <summary>
    /// Builds the node tree for the standard (three-level list, key_value map) layout the writer emits, or with
    /// <paramref name="legacyLists"/> the two-level list layout of parquet-avro (<c>repeated &lt;element&gt; array</c>
    /// right under the LIST group: the repeated level is the element, which therefore cannot be null).
    /// </summary>
    public static SchemaNode FromFields(IReadOnlyList<Field> fields, bool legacyLists = false)
    {
        var leafIndex = 0;
        var children = fields.Select(f => Build(f, 0, 0, [], ref leafIndex, legacyLists)).ToArray();
        return new SchemaNode(NodeKind.Root, null, 0, 0, children);
    }

    private static SchemaNode Build(Field field, int parentDefined, int parentRepetition, string[] parentPath, ref int leafIndex, bool legacyLists)
    {
        if (field.Repetition == Repetition.Repeated)
        {
            throw new ParquetException($"field '{field.Name}': use a list field instead of a repeated field");
        }

        var defined = parentDefined + (field.IsNullable ? 1 : 0);
        string[] path = [.. parentPath, field.Name];
        switch (field)
        {
            case PrimitiveField primitive:
                var column = new ColumnDescriptor(leafIndex++, path, primitive, defined, parentRepetition);
                return new SchemaNode(NodeKind.Leaf, field, defined, parentRepetition, []) { Column = column };
            case StructField s:
                var members = new SchemaNode[s.Children.Count];
                for (var i = 0; i < members.Length; i++)
                {
                    members[i] = Build(s.Children[i], defined, parentRepetition, path, ref leafIndex, legacyLists);
                }

                return new SchemaNode(NodeKind.Struct, field, defined, parentRepetition, members);
            case ListField list when legacyLists:
                var legacyElement = Build(list.Element.WithName(LegacyListElementName).WithRepetition(Repetition.Required), defined + 1, parentRepetition + 1, path, ref leafIndex, legacyLists);
                return new SchemaNode(NodeKind.List, field, defined, parentRepetition, [legacyElement])
                {
                    ElementLevel = defined + 1,
                    ElementRepetitionLevel = parentRepetition + 1,
                };
            case ListField list:
                var element = Build(list.Element.WithName("element"), defined + 1, parentRepetition + 1, [.. path, "list"], ref leafIndex, legacyLists);
                return new SchemaNode(NodeKind.List, field, defined, parentRepetition, [element])
                {
                    ElementLevel = defined + 1,
                    ElementRepetitionLevel = parentRepetition + 1,
                };
            case MapField map:
                string[] kvPath = [.. path, "key_value"];
                var key = Build(map.Key.WithName("key"), defined + 1, parentRepetition + 1, kvPath, ref leafIndex, legacyLists);
                var value = Build(map.Value.WithName("value"), defined + 1, parentRepetition + 1, kvPath, ref leafIndex, legacyLists);
                return new SchemaNode(NodeKind.Map, field, defined, parentRepetition, [key, value])
                {
                    ElementLevel = defined + 1,
                    ElementRepetitionLevel = parentRepetition + 1,
                };
            default:
                throw new ParquetException($"field '{field.Name}': unsupported field kind {field.GetType().Name}");
        }
    }
}
