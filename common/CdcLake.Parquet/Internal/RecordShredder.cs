namespace CdcLake.Parquet.Internal;

/// <summary>One leaf column of a batch, ready to be paged: levels and which leaf-vector slots hold values.</summary>
internal sealed class ShreddedLeaf
{
    public ShreddedLeaf(ColumnDescriptor column, ColumnVector leaf, int levelCount, int[]? definitionLevels, int[]? repetitionLevels, int[]? valueSlots)
    {
        Column = column;
        Leaf = leaf;
        LevelCount = levelCount;
        DefinitionLevels = definitionLevels;
        RepetitionLevels = repetitionLevels;
        ValueSlots = valueSlots;
    }

    public ColumnDescriptor Column { get; }

    /// <summary>The vector the values come from (for nested columns, the innermost one).</summary>
    public ColumnVector Leaf { get; }

    public int LevelCount { get; }

    /// <summary>Null when the column's maximum definition level is 0.</summary>
    public int[]? DefinitionLevels { get; }

    /// <summary>Null when the column's maximum repetition level is 0.</summary>
    public int[]? RepetitionLevels { get; }

    /// <summary>Slots of <see cref="Leaf"/> to write, in order; null means every non-null slot in order.</summary>
    public int[]? ValueSlots { get; }

    /// <summary>Level positions where a new row starts (all positions for flat columns).</summary>
    public bool StartsRow(int position) => RepetitionLevels is null || RepetitionLevels[position] == 0;
}

/// <summary>Turns (possibly nested) vectors into the levels and values of their leaf columns (Dremel shredding).</summary>
internal static class RecordShredder
{
    public static ShreddedLeaf[] Shred(ParquetSchema schema, IReadOnlyList<ColumnVector> columns)
    {
        var result = new ShreddedLeaf[schema.Columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var node = schema.Root.Children[i];
            var column = columns[i];
            if (node.Kind == NodeKind.Leaf)
            {
                result[node.FirstLeaf] = ShredFlat(node.Column!, column);
                continue;
            }

            foreach (var leaf in ShredField(schema, i, column))
            {
                result[leaf.Column.Index] = leaf;
            }
        }

        return result;
    }

    /// <summary>
    /// Shreds one top-level field that is not a plain leaf (a struct, list or map): the leaves under it, in
    /// schema order. The writer calls this for nested fields only and pages flat columns straight from their vectors.
    /// </summary>
    public static ShreddedLeaf[] ShredField(ParquetSchema schema, int fieldIndex, ColumnVector column)
    {
        var node = schema.Root.Children[fieldIndex];
        var sinks = new LeafSink[node.LeafCount];
        for (var s = 0; s < sinks.Length; s++)
        {
            sinks[s] = new LeafSink(schema.Columns[node.FirstLeaf + s]);
        }

        for (var row = 0; row < column.Length; row++)
        {
            Emit(node, column, row, 0, sinks, node.FirstLeaf);
        }

        var leaves = new ShreddedLeaf[sinks.Length];
        for (var s = 0; s < sinks.Length; s++)
        {
            leaves[s] = sinks[s].ToShredded();
        }

        return leaves;
    }

    private static ShreddedLeaf ShredFlat(ColumnDescriptor column, ColumnVector vector)
    {
        if (column.MaxDefinitionLevel == 0)
        {
            if (vector.NullCount > 0)
            {
                throw new ParquetException($"required column holds {vector.NullCount} nulls");
            }

            return new ShreddedLeaf(column, vector, vector.Length, null, null, null);
        }

        var def = new int[vector.Length];
        if (vector.Validity is { } validity)
        {
            for (var i = 0; i < def.Length; i++)
            {
                def[i] = Bitmap.Get(validity, i) ? 1 : 0;
            }
        }
        else
        {
            def.AsSpan().Fill(1);
        }

        return new ShreddedLeaf(column, vector, vector.Length, def, null, null);
    }

    /// <summary>Writes the levels of slot <paramref name="index"/> of <paramref name="vector"/> into every leaf under <paramref name="node"/>.</summary>
    private static void Emit(SchemaNode node, ColumnVector vector, int index, int rep, LeafSink[] sinks, int sinkBase)
    {
        if (vector.IsNull(index))
        {
            if (!node.Field!.IsNullable)
            {
                throw new ParquetException($"'{node.Field.Name}' is required but slot {index} is null");
            }

            EmitAll(node, node.DefinedLevel - 1, rep, sinks, sinkBase);
            return;
        }

        switch (node.Kind)
        {
            case NodeKind.Leaf:
                sinks[node.FirstLeaf - sinkBase].Add(node.DefinedLevel, rep, vector, index);
                break;
            case NodeKind.Struct:
                var members = ((StructVector)vector).Children;
                for (var i = 0; i < node.Children.Length; i++)
                {
                    Emit(node.Children[i], members[i], index, rep, sinks, sinkBase);
                }

                break;
            case NodeKind.List:
                var list = (ListVector)vector;
                EmitElements(node, list.Offsets, index, rep, sinks, sinkBase, [list.Elements]);
                break;
            default:
                var map = (MapVector)vector;
                EmitElements(node, map.Offsets, index, rep, sinks, sinkBase, [map.Keys, map.Items]);
                break;
        }
    }

    private static void EmitElements(SchemaNode node, int[] offsets, int index, int rep, LeafSink[] sinks, int sinkBase, ColumnVector[] parts)
    {
        var start = offsets[index];
        var end = offsets[index + 1];
        if (start == end)
        {
            EmitAll(node, node.DefinedLevel, rep, sinks, sinkBase);
            return;
        }

        for (var e = start; e < end; e++)
        {
            var elementRep = e == start ? rep : node.ElementRepetitionLevel;
            for (var p = 0; p < parts.Length; p++)
            {
                Emit(node.Children[p], parts[p], e, elementRep, sinks, sinkBase);
            }
        }
    }

    private static void EmitAll(SchemaNode node, int def, int rep, LeafSink[] sinks, int sinkBase)
    {
        for (var leaf = node.FirstLeaf; leaf < node.FirstLeaf + node.LeafCount; leaf++)
        {
            sinks[leaf - sinkBase].AddEmpty(def, rep);
        }
    }

    private sealed class LeafSink(ColumnDescriptor column)
    {
        private readonly List<int> _def = [];
        private readonly List<int> _rep = [];
        private readonly List<int> _slots = [];
        private ColumnVector? _leaf;

        public ColumnDescriptor Column => column;

        public void Add(int def, int rep, ColumnVector leaf, int slot)
        {
            if (_leaf is not null && !ReferenceEquals(_leaf, leaf))
            {
                throw new InvalidOperationException("one leaf column fed from two vectors");
            }

            _leaf = leaf;
            _def.Add(def);
            _rep.Add(rep);
            _slots.Add(slot);
        }

        public void AddEmpty(int def, int rep)
        {
            _def.Add(def);
            _rep.Add(rep);
        }

        public ShreddedLeaf ToShredded()
        {
            var leaf = _leaf ?? EmptyLeaf(column.Field);
            return new ShreddedLeaf(
                column,
                leaf,
                _def.Count,
                column.MaxDefinitionLevel == 0 ? null : [.. _def],
                column.MaxRepetitionLevel == 0 ? null : [.. _rep],
                [.. _slots]);
        }

        private static ColumnVector EmptyLeaf(PrimitiveField field) => field.PhysicalType switch
        {
            PhysicalType.Boolean => new BooleanVector(field, [], 0),
            PhysicalType.Int32 => new PrimitiveVector<int>(field, [], 0),
            PhysicalType.Int64 => new PrimitiveVector<long>(field, [], 0),
            PhysicalType.Int96 => new PrimitiveVector<Int96>(field, [], 0),
            PhysicalType.Float => new PrimitiveVector<float>(field, [], 0),
            PhysicalType.Double => new PrimitiveVector<double>(field, [], 0),
            _ => new BinaryVector(field, [0], [], 0),
        };
    }
}
