namespace CdcLake.Parquet.Internal;

/// <summary>
/// Rebuilds nested vectors from the levels of leaf columns (Dremel record assembly).
/// A node's "slots" are the level positions, in its first leaf, where one of its values starts:
/// top-level slots are the positions with repetition level 0; a list's element slots are the positions
/// of its present, non-empty slots plus every later position repeating at the list's own level.
/// Struct members share their parent's slots. Each subtree recomputes its slots in its own first leaf,
/// because sibling leaves under different lists have different level positions.
/// </summary>
internal static class RecordAssembler
{
    /// <param name="leaves">Indexed by column index; entries for columns outside the projection are null.</param>
    public static ColumnVector[] Assemble(IReadOnlyList<SchemaNode> fields, LeafChunk?[] leaves, int rowCount)
    {
        var result = new ColumnVector[fields.Count];
        var ancestors = new List<SchemaNode>();
        for (var i = 0; i < fields.Count; i++)
        {
            result[i] = Build(fields[i], ancestors, leaves);
            if (result[i].Length != rowCount)
            {
                throw new ParquetException($"column '{fields[i].Field!.Name}' holds {result[i].Length} rows, the row group declares {rowCount}");
            }
        }

        return result;
    }

    private static ColumnVector Build(SchemaNode node, List<SchemaNode> ancestors, LeafChunk?[] leaves)
    {
        var leaf = leaves[node.FirstLeaf] ?? throw new InvalidOperationException($"leaf {node.FirstLeaf} was not decoded");
        var slots = SlotsOf(ancestors, leaf);
        var length = slots?.Length ?? leaf.LevelCount;
        var field = node.Field!;
        switch (node.Kind)
        {
            case NodeKind.Leaf:
                var validity = Validity(leaf, slots, length, node.DefinedLevel);
                var present = validity is null ? length : Bitmap.CountSet(validity, length);
                if (present != leaf.Values.Count)
                {
                    throw new ParquetException($"levels define {present} values but the pages hold {leaf.Values.Count}");
                }

                return leaf.Values.Expand(field, length, validity);

            case NodeKind.Struct:
                ancestors.Add(node);
                var members = new ColumnVector[node.Children.Length];
                for (var i = 0; i < members.Length; i++)
                {
                    members[i] = Build(node.Children[i], ancestors, leaves);

                    // Each member counts its slots in its own first leaf; corrupt level counts can disagree.
                    if (members[i].Length != length)
                    {
                        throw new ParquetException($"struct '{field.Name}' member '{members[i].Field.Name}' holds {members[i].Length} values where the struct has {length}");
                    }
                }

                ancestors.RemoveAt(ancestors.Count - 1);
                return new StructVector(field, members, length, Validity(leaf, slots, length, node.DefinedLevel));

            default:
                var listValidity = Validity(leaf, slots, length, node.DefinedLevel);
                var offsets = ElementOffsets(node, leaf, slots, length);
                ancestors.Add(node);
                var children = node.Children.Select(c => Build(c, ancestors, leaves)).ToArray();
                ancestors.RemoveAt(ancestors.Count - 1);
                foreach (var child in children)
                {
                    if (child.Length != offsets[length])
                    {
                        throw new ParquetException($"'{child.Field.Name}' holds {child.Length} entries where '{field.Name}' needs {offsets[length]}");
                    }
                }

                return node.Kind == NodeKind.List
                    ? new ListVector(field, offsets, children[0], length, listValidity)
                    : new MapVector(field, offsets, children[0], children[1], length, listValidity);
        }
    }

    /// <summary>Slot positions of a node under <paramref name="ancestors"/> in <paramref name="leaf"/>; null means every position.</summary>
    private static int[]? SlotsOf(List<SchemaNode> ancestors, LeafChunk leaf)
    {
        var rep = leaf.RepetitionLevels;
        if (rep is null)
        {
            return null;
        }

        var slots = new List<int>();
        for (var p = 0; p < leaf.LevelCount; p++)
        {
            if (rep[p] == 0)
            {
                slots.Add(p);
            }
        }

        var current = slots.ToArray();
        foreach (var ancestor in ancestors)
        {
            if (ancestor.Kind is NodeKind.List or NodeKind.Map)
            {
                current = ElementSlots(ancestor, leaf, current);
            }
        }

        return current;
    }

    private static int[] ElementSlots(SchemaNode list, LeafChunk leaf, int[] slots)
    {
        var def = leaf.DefinitionLevels!;
        var rep = leaf.RepetitionLevels!;
        var elements = new List<int>(slots.Length);
        var next = 0;
        for (var p = 0; p < leaf.LevelCount; p++)
        {
            if (next < slots.Length && slots[next] == p)
            {
                next++;
                if (def[p] >= list.ElementLevel)
                {
                    elements.Add(p);
                }
            }
            else if (rep[p] == list.ElementRepetitionLevel)
            {
                elements.Add(p);
            }
        }

        return elements.ToArray();
    }

    private static int[] ElementOffsets(SchemaNode list, LeafChunk leaf, int[]? slots, int length)
    {
        var def = leaf.DefinitionLevels;
        var rep = leaf.RepetitionLevels;
        if (def is null || rep is null || slots is null)
        {
            throw new ParquetException($"list '{list.Field!.Name}' has no repetition levels");
        }

        var offsets = new int[length + 1];
        var count = 0;
        var slot = -1;
        for (var p = 0; p < leaf.LevelCount; p++)
        {
            if (slot + 1 < length && slots[slot + 1] == p)
            {
                offsets[++slot] = count;
                if (def[p] >= list.ElementLevel)
                {
                    count++;
                }
            }
            else if (rep[p] == list.ElementRepetitionLevel)
            {
                if (slot < 0)
                {
                    throw new ParquetException($"list '{list.Field!.Name}': the first level repeats an element that never started");
                }

                count++;
            }
        }

        while (slot + 1 < length)
        {
            offsets[++slot] = count;
        }

        offsets[length] = count;
        return offsets;
    }

    /// <summary>
    /// Validity from definition levels. Required nodes get one too when an optional ancestor is null,
    /// since their slots under a null parent hold nothing.
    /// </summary>
    private static byte[]? Validity(LeafChunk leaf, int[]? slots, int length, int definedLevel)
    {
        if (leaf.DefinedAsBitmap)
        {
            // Maximum level 1 and no repetition: the decoded bitmap is the validity of every node that
            // becomes defined at level 1, slot for slot.
            return definedLevel == 0 ? null : leaf.TakeDefinedBits();
        }

        var def = leaf.DefinitionLevels;
        if (def is null || definedLevel == 0)
        {
            return null;
        }

        var validity = new byte[Bitmap.BytesFor(length)];
        var allValid = true;
        for (var s = 0; s < length; s++)
        {
            if (def[slots?[s] ?? s] >= definedLevel)
            {
                Bitmap.Set(validity, s);
            }
            else
            {
                allValid = false;
            }
        }

        return allValid ? null : validity;
    }
}
