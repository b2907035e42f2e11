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
