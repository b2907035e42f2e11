namespace CdcLake.Parquet.Internal.Writing;

/// <summary>
/// Chosen rows of a batch copied into buffers kept from call to call, for <see cref="ParquetWriter.Write(RecordBatch, ReadOnlySpan{int})"/>:
/// the writer encodes what it is given before it returns, so one set of buffers serves every batch, and writing part
/// of each of many large batches allocates (and leaves for the collector) nothing per batch. Runs of consecutive rows
/// are copied as blocks. Nested columns are taken with <see cref="RowSelection.Take(ColumnVector, int[])"/>.
/// </summary>
internal sealed class SelectionBuffers
{
    private readonly List<Slot> _slots = [];

    /// <summary>The rows as a batch over these buffers, valid until the next call.</summary>
    public RecordBatch Take(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        while (_slots.Count < batch.Columns.Count)
        {
            _slots.Add(new Slot());
        }

        var columns = new ColumnVector[batch.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = _slots[c].Take(batch.Columns[c], rows);
        }

        return new RecordBatch(batch.Schema, columns, rows.Length);
    }

    /// <summary>The buffers of one column.</summary>
    private sealed class Slot
    {
        private Array? _values;
        private int[] _offsets = [];
        private byte[] _data = [];
        private byte[] _validity = [];

        public ColumnVector Take(ColumnVector vector, ReadOnlySpan<int> rows)
        {
            var validity = Validity(vector, rows);
            return vector switch
            {
                BooleanVector b => new BooleanVector(b.Field, Values(b.Values, rows), rows.Length, validity),
                PrimitiveVector<int> p => new PrimitiveVector<int>(p.Field, Values(p.Values, rows), rows.Length, validity),
                PrimitiveVector<long> p => new PrimitiveVector<long>(p.Field, Values(p.Values, rows), rows.Length, validity),
                PrimitiveVector<float> p => new PrimitiveVector<float>(p.Field, Values(p.Values, rows), rows.Length, validity),
                PrimitiveVector<double> p => new PrimitiveVector<double>(p.Field, Values(p.Values, rows), rows.Length, validity),
                PrimitiveVector<Int96> p => new PrimitiveVector<Int96>(p.Field, Values(p.Values, rows), rows.Length, validity),
                BinaryVector b => Binary(b, rows, validity),
                _ => RowSelection.Take(vector, rows.ToArray()),
            };
        }

        private T[] Values<T>(T[] source, ReadOnlySpan<int> rows)
        {
            if (_values is not T[] values || values.Length < rows.Length)
            {
                _values = values = new T[Math.Max(rows.Length, (_values?.Length ?? 0) * 5 / 4)];
            }

            for (var i = 0; i < rows.Length;)
            {
                var run = Run(rows, i);
                source.AsSpan(rows[i], run).CopyTo(values.AsSpan(i));
                i += run;
            }

            return values;
        }

        private BinaryVector Binary(BinaryVector source, ReadOnlySpan<int> rows, byte[]? validity)
        {
            Grow(ref _offsets, rows.Length + 1);
            var from = source.Offsets;
            long size = 0;
            for (var i = 0; i < rows.Length;)
            {
                var run = Run(rows, i);
                size += from[rows[i] + run] - from[rows[i]];
                i += run;
            }

            if (size > Array.MaxLength)
            {
                throw new ParquetException($"column '{source.Field.Name}': the rows chosen hold more than 2 GiB of values");
            }

            Grow(ref _data, (int)size);
            var at = 0;
            for (var i = 0; i < rows.Length;)
            {
                var run = Run(rows, i);
                var first = rows[i];
                var shift = at - from[first];
                for (var k = 0; k < run; k++)
                {
                    _offsets[i + k] = from[first + k] + shift;
                }

                var bytes = from[first + run] - from[first];
                source.Data.AsSpan(from[first], bytes).CopyTo(_data.AsSpan(at));
                at += bytes;
                i += run;
            }

            _offsets[rows.Length] = at;
            return new BinaryVector(source.Field, _offsets, _data, rows.Length, validity);
        }

        private byte[]? Validity(ColumnVector vector, ReadOnlySpan<int> rows)
        {
            if (vector.Validity is null || vector is StructVector or ListVector or MapVector)
            {
                return null;
            }

            Grow(ref _validity, Bitmap.BytesFor(rows.Length));
            _validity.AsSpan(0, Bitmap.BytesFor(rows.Length)).Clear();
            for (var i = 0; i < rows.Length; i++)
            {
                if (!vector.IsNull(rows[i]))
                {
                    Bitmap.Set(_validity, i);
                }
            }

            return _validity;
        }

        private static void Grow<T>(ref T[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new T[Math.Max(length, buffer.Length * 5 / 4)];
            }
        }

        /// <summary>The length of the run of consecutive rows starting at <paramref name="i"/>.</summary>
        private static int Run(ReadOnlySpan<int> rows, int i)
        {
            var run = 1;
            while (i + run < rows.Length && rows[i + run] == rows[i] + run)
            {
                run++;
            }

            return run;
        }
    }
}
