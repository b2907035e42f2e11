namespace CdcLake.Parquet;

/// <summary>
/// Copies chosen rows of a batch into a new one (Arrow's "take"), nested columns included: an incremental read
/// keeps the rows of the commits it was asked for, a merge the rows that win.
/// </summary>
public static class RowSelection
{
    /// <summary>Rows <paramref name="rows"/> (ascending indices) of <paramref name="batch"/>, columns <paramref name="keep"/> only.</summary>
    public static RecordBatch Take(this RecordBatch batch, int[] rows, IReadOnlyList<string> keep)
    {
        var vectors = keep.Select(name => Take(batch[name], rows)).ToArray();
        return new RecordBatch(new ParquetSchema([.. vectors.Select(v => v.Field)]), vectors, rows.Length);
    }

    /// <summary>
    /// Rows picked from several batches of one schema into one batch, in the order given: row <c>i</c> is row
    /// <paramref name="rows"/>[i] of <paramref name="sources"/>[<paramref name="batches"/>[i]], columns <paramref name="keep"/>
    /// only (Arrow's "take" over a chunked array). One copy, however many batches the rows come from.
    /// </summary>
    public static RecordBatch Gather(IReadOnlyList<RecordBatch> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows, IReadOnlyList<string> keep)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(keep);
        if (batches.Length != rows.Length)
        {
            throw new ArgumentException($"{batches.Length} batch indices for {rows.Length} rows", nameof(batches));
        }

        var vectors = new ColumnVector[keep.Count];
        var columns = new ColumnVector[sources.Count];
        for (var c = 0; c < keep.Count; c++)
        {
            for (var b = 0; b < sources.Count; b++)
            {
                columns[b] = sources[b][keep[c]];
            }

            vectors[c] = Gather(columns, batches, rows);
        }

        return new RecordBatch(new ParquetSchema([.. vectors.Select(v => v.Field)]), vectors, rows.Length);
    }

    /// <summary>Slot <c>i</c> is slot <paramref name="rows"/>[i] of <paramref name="sources"/>[<paramref name="batches"/>[i]]; the sources share one field.</summary>
    public static ColumnVector Gather(IReadOnlyList<ColumnVector> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            throw new ArgumentException("no source vectors to gather from", nameof(sources));
        }

        return sources[0] switch
        {
            BooleanVector => GatherBooleans(sources, batches, rows),
            PrimitiveVector<int> => GatherPrimitive<int>(sources, batches, rows),
            PrimitiveVector<long> => GatherPrimitive<long>(sources, batches, rows),
            PrimitiveVector<float> => GatherPrimitive<float>(sources, batches, rows),
            PrimitiveVector<double> => GatherPrimitive<double>(sources, batches, rows),
            PrimitiveVector<Int96> => GatherPrimitive<Int96>(sources, batches, rows),
            BinaryVector => GatherBinary(sources, batches, rows),
            StructVector s => GatherStruct(s.Field, sources, batches, rows),
            ListVector l => GatherList(l.Field, sources, batches, rows),
            MapVector m => GatherMap(m.Field, sources, batches, rows),
            var other => throw new NotSupportedException($"column '{other.Field.Name}': cannot select rows of a {other.GetType().Name}"),
        };
    }

    /// <summary>The same columns, <paramref name="keep"/> only, without copying rows.</summary>
    public static RecordBatch Project(this RecordBatch batch, IReadOnlyList<string> keep)
    {
        if (keep.Count == batch.Columns.Count && keep.Select((name, i) => batch.Schema.Fields[i].Name == name).All(same => same))
        {
            return batch;
        }

        var vectors = keep.Select(name => batch[name]).ToArray();
        return new RecordBatch(new ParquetSchema([.. vectors.Select(v => v.Field)]), vectors, batch.RowCount);
    }

    public static ColumnVector Take(ColumnVector vector, int[] rows) => vector switch
    {
        BooleanVector b => new BooleanVector(b.Field, [.. rows.Select(r => b.Values[r])], rows.Length, Validity(b, rows)),
        PrimitiveVector<int> p => TakePrimitive(p, rows),
        PrimitiveVector<long> p => TakePrimitive(p, rows),
        PrimitiveVector<float> p => TakePrimitive(p, rows),
        PrimitiveVector<double> p => TakePrimitive(p, rows),
        PrimitiveVector<Int96> p => TakePrimitive(p, rows),
        BinaryVector b => TakeBinary(b, rows),
        StructVector s => new StructVector(s.Field, [.. s.Children.Select(c => Take(c, rows))], rows.Length, Validity(s, rows)),
        ListVector l => TakeList(l, rows),
        MapVector m => TakeMap(m, rows),
        _ => throw new NotSupportedException($"column '{vector.Field.Name}': cannot select rows of a {vector.GetType().Name}"),
    };

    private static PrimitiveVector<T> TakePrimitive<T>(PrimitiveVector<T> vector, int[] rows)
        where T : unmanaged
    {
        var values = new T[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = vector.Values[rows[i]];
        }

        return new PrimitiveVector<T>(vector.Field, values, rows.Length, Validity(vector, rows));
    }

    private static BinaryVector TakeBinary(BinaryVector vector, int[] rows)
    {
        var offsets = new int[rows.Length + 1];
        var size = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            size += vector.Offsets[rows[i] + 1] - vector.Offsets[rows[i]];
            offsets[i + 1] = size;
        }

        var data = new byte[size];
        for (var i = 0; i < rows.Length; i++)
        {
            vector.GetSpan(rows[i]).CopyTo(data.AsSpan(offsets[i]));
        }

        return new BinaryVector(vector.Field, offsets, data, rows.Length, Validity(vector, rows));
    }

    private static ListVector TakeList(ListVector vector, int[] rows)
    {
        var (offsets, elements) = Ranges(vector.Offsets, rows);
        return new ListVector(vector.Field, offsets, Take(vector.Elements, elements), rows.Length, Validity(vector, rows));
    }

    private static MapVector TakeMap(MapVector vector, int[] rows)
    {
        var (offsets, entries) = Ranges(vector.Offsets, rows);
        return new MapVector(vector.Field, offsets, Take(vector.Keys, entries), Take(vector.Items, entries), rows.Length, Validity(vector, rows));
    }

    // The new offsets of the chosen slots, and the child indices they cover, in order.
    private static (int[] Offsets, int[] Children) Ranges(int[] offsets, int[] rows)
    {
        var newOffsets = new int[rows.Length + 1];
        var children = new List<int>();
        for (var i = 0; i < rows.Length; i++)
        {
            for (var c = offsets[rows[i]]; c < offsets[rows[i] + 1]; c++)
            {
                children.Add(c);
            }

            newOffsets[i + 1] = children.Count;
        }

        return (newOffsets, [.. children]);
    }

    private static T Source<T>(IReadOnlyList<ColumnVector> sources, int batch)
        where T : ColumnVector => sources[batch] as T
        ?? throw new ArgumentException($"column '{sources[0].Field.Name}': batch {batch} holds a {sources[batch].GetType().Name}, batch 0 a {sources[0].GetType().Name}");

    private static BooleanVector GatherBooleans(IReadOnlyList<ColumnVector> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
    {
        var typed = sources.Select((_, b) => Source<BooleanVector>(sources, b).Values).ToArray();
        var values = new bool[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = typed[batches[i]][rows[i]];
        }

        return new BooleanVector(sources[0].Field, values, rows.Length, Validity(sources, batches, rows));
    }

    private static PrimitiveVector<T> GatherPrimitive<T>(IReadOnlyList<ColumnVector> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
        where T : unmanaged
    {
        var typed = sources.Select((_, b) => Source<PrimitiveVector<T>>(sources, b).Values).ToArray();
        var values = new T[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = typed[batches[i]][rows[i]];
        }

        return new PrimitiveVector<T>(sources[0].Field, values, rows.Length, Validity(sources, batches, rows));
    }

    private static BinaryVector GatherBinary(IReadOnlyList<ColumnVector> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
    {
        var typed = sources.Select((_, b) => Source<BinaryVector>(sources, b)).ToArray();
        var offsets = new int[rows.Length + 1];
        long size = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var from = typed[batches[i]].Offsets;
            size += from[rows[i] + 1] - from[rows[i]];
            offsets[i + 1] = size <= int.MaxValue ? (int)size : throw new ArgumentException($"column '{sources[0].Field.Name}': the rows hold more than 2 GiB of values");
        }

        var data = new byte[size];
        for (var i = 0; i < rows.Length; i++)
        {
            typed[batches[i]].GetSpan(rows[i]).CopyTo(data.AsSpan(offsets[i]));
        }

        return new BinaryVector(sources[0].Field, offsets, data, rows.Length, Validity(sources, batches, rows));
    }

    private static StructVector GatherStruct(Field field, IReadOnlyList<ColumnVector> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
    {
        var typed = sources.Select((_, b) => Source<StructVector>(sources, b)).ToArray();
        var children = new ColumnVector[typed[0].Children.Count];
        for (var c = 0; c < children.Length; c++)
        {
            children[c] = Gather([.. typed.Select(v => v.Children[c])], batches, rows);
        }

        return new StructVector(field, children, rows.Length, Validity(sources, batches, rows));
    }

    private static ListVector GatherList(Field field, IReadOnlyList<ColumnVector> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
    {
        var typed = sources.Select((_, b) => Source<ListVector>(sources, b)).ToArray();
        var (offsets, childBatches, childRows) = Ranges(typed.Select(l => l.Offsets).ToArray(), batches, rows);
        return new ListVector(field, offsets, Gather([.. typed.Select(l => l.Elements)], childBatches, childRows), rows.Length, Validity(sources, batches, rows));
    }

    private static MapVector GatherMap(Field field, IReadOnlyList<ColumnVector> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
    {
        var typed = sources.Select((_, b) => Source<MapVector>(sources, b)).ToArray();
        var (offsets, childBatches, childRows) = Ranges(typed.Select(m => m.Offsets).ToArray(), batches, rows);
        return new MapVector(
            field,
            offsets,
            Gather([.. typed.Select(m => m.Keys)], childBatches, childRows),
            Gather([.. typed.Select(m => m.Items)], childBatches, childRows),
            rows.Length,
            Validity(sources, batches, rows));
    }

    // The new offsets of the chosen slots, and the (source, child index) pairs they cover, in order.
    private static (int[] Offsets, int[] Batches, int[] Rows) Ranges(int[][] offsets, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
    {
        var newOffsets = new int[rows.Length + 1];
        for (var i = 0; i < rows.Length; i++)
        {
            var from = offsets[batches[i]];
            newOffsets[i + 1] = newOffsets[i] + from[rows[i] + 1] - from[rows[i]];
        }

        var childBatches = new int[newOffsets[^1]];
        var childRows = new int[newOffsets[^1]];
        for (var i = 0; i < rows.Length; i++)
        {
            var from = offsets[batches[i]];
            for (int c = from[rows[i]], at = newOffsets[i]; c < from[rows[i] + 1]; c++, at++)
            {
                (childBatches[at], childRows[at]) = (batches[i], c);
            }
        }

        return (newOffsets, childBatches, childRows);
    }

    private static byte[]? Validity(IReadOnlyList<ColumnVector> sources, ReadOnlySpan<int> batches, ReadOnlySpan<int> rows)
    {
        if (sources.All(s => s.Validity is null))
        {
            return null;
        }

        var validity = new byte[Bitmap.BytesFor(rows.Length)];
        for (var i = 0; i < rows.Length; i++)
        {
            if (!sources[batches[i]].IsNull(rows[i]))
            {
                Bitmap.Set(validity, i);
            }
        }

        return validity;
    }

    private static byte[]? Validity(ColumnVector vector, int[] rows)
    {
        if (vector.Validity is null)
        {
            return null;
        }

        var validity = new byte[Bitmap.BytesFor(rows.Length)];
        for (var i = 0; i < rows.Length; i++)
        {
            if (!vector.IsNull(rows[i]))
            {
                Bitmap.Set(validity, i);
            }
        }

        return validity;
    }
}
