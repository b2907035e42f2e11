using System.Globalization;
using CdcLake.Hudi;
using CdcLake.Parquet;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// Turns one row group of a DMS file into a <see cref="ChangeBatch"/>: converts the columns to the table's types,
/// derives the date column, and per row reads the key, Op, ordering values and before-image key. Bad rows are
/// recorded (quarantine), or the first of them is thrown, naming the file, row and column.
/// </summary>
internal sealed class ChangeBatchBuilder
{
    private static readonly string[] s_dateFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "yyyy-MM-dd",
    ];

    private readonly TableSpec _spec;
    private readonly ChangeSchema _schema;
    private readonly KeyGenerator _keys;
    private readonly DmsFile _file;
    private readonly FileLayout _layout;
    private readonly bool _collect;
    private readonly int[] _keyFields;
    private readonly int _dateSource;
    private OrderColumn? _orderColumn;

    public ChangeBatchBuilder(TableSpec spec, ChangeSchema schema, KeyGenerator keys, DmsFile file, FileLayout layout, bool collect)
    {
        _spec = spec;
        _schema = schema;
        _keys = keys;
        _file = file;
        _layout = layout;
        _collect = collect;
        _keyFields = [.. spec.RecordKey.Select(schema.Schema.IndexOf)];
        _dateSource = spec.DatePartition is { } date ? schema.Schema.IndexOf(date.Source) : -1;
    }

    public ChangeBatch Build(RecordBatch raw, long firstRow)
    {
        var rows = raw.RowCount;
        var fields = _schema.Schema.Fields;
        var vectors = new ColumnVector[fields.Count];
        for (var i = 0; i < _schema.DataFieldCount; i++)
        {
            var at = _layout.Payload[i];
            vectors[i] = at < 0 ? VectorConversion.Nulls(fields[i], rows) : Convert(raw.Columns[at], fields[i], firstRow);
        }

        // Most batches have no bad row: the arrays are made by the first.
        string?[]? bad = null;
        string?[]? badColumn = null;
        var badRows = new List<BadRow>();
        void Bad(int row, string? column, string reason)
        {
            bad ??= new string?[rows];
            badColumn ??= new string?[rows];
            if (bad[row] is not null)
            {
                return;
            }

            bad[row] = reason;
            badColumn[row] = column;
        }

        if (_spec.DatePartition is { } date)
        {
            vectors[_schema.DataFieldCount] = DerivedDates(vectors[_dateSource], fields[_schema.DataFieldCount], date, Bad);
        }

        // Keys first: a row without its key is bad whatever else it holds.
        for (var k = 0; k < _keyFields.Length; k++)
        {
            var vector = vectors[_keyFields[k]];
            if (vector.NullCount == 0)
            {
                continue;
            }

            for (var row = 0; row < rows; row++)
            {
                if (vector.IsNull(row))
                {
                    Bad(row, _layout.KeySources[k], "the record key is null");
                }
            }
        }

        var ops = ReadOps(raw, rows, Bad);
        var orders = ReadOrders(raw, rows, firstRow, Bad);

        var named = new Dictionary<string, ColumnVector>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count - 1; i++)
        {
            named[fields[i].Name] = vectors[i];
        }

        // Keys of the common shapes are made for the whole column as UTF-8; the others, and rows the fast path
        // gives no key (its generator says why), row by row.
        var fastKeys = _keyFields.Length == 1 && vectors[_keyFields[0]] is { } keyVector
            ? RecordKeyColumn.TryBuild(_keys, new RecordBatch(new ParquetSchema([fields[_keyFields[0]]]), [keyVector], rows))
            : null;
        var keys = fastKeys is null ? new string?[rows] : null;
        var partitions = new string?[rows];
        var partitioned = _spec.PartitionBy.Count > 0;
        var row0 = 0;
        object? Get(string name) => named.TryGetValue(name, out var v) ? v.GetValue(row0) : null;
        for (var row = 0; row < rows; row++)
        {
            if (bad?[row] is not null)
            {
                continue;
            }

            row0 = row;
            if (fastKeys is null || fastKeys.IsNull(row))
            {
                try
                {
                    var key = _keys.GetRecordKey(Get);
                    if (keys is not null)
                    {
                        keys[row] = key;
                    }
                    else
                    {
                        Bad(row, _layout.KeySources[0], "no record key: the key column's value gives none");
                        continue;
                    }
                }
                catch (HoodieKeyException e)
                {
                    Bad(row, _layout.KeySources[0], $"no record key: {e.Message}");
                    continue;
                }
            }

            if (ops[row] == ChangeOp.Delete)
            {
                continue;
            }

            if (!partitioned)
            {
                partitions[row] = "";
                continue;
            }

            try
            {
                partitions[row] = _keys.GetPartitionPath(Get);
            }
            catch (HoodieKeyException e)
            {
                Bad(row, _spec.SourceColumnOf(_spec.PartitionBy[0]), $"no partition path: {e.Message}");
            }
        }

        var keyField = new PrimitiveField(HoodieMetaFields.RecordKey, PhysicalType.ByteArray, LogicalType.String);
        var keyColumn = WithoutBadRows(fastKeys ?? VectorConversion.Strings(keyField, keys!), bad);
        var beforeKeys = ReadBeforeImageKeys(raw, rows, ops, keyColumn, firstRow);
        for (var row = 0; bad is not null && row < rows; row++)
        {
            if (bad[row] is { } reason)
            {
                badRows.Add(new BadRow(_file.Path, firstRow + row, badColumn![row], reason));
            }
        }

        if (!_collect && badRows.Count > 0)
        {
            // Checks run column by column; report the first bad row of the batch, as a reader would meet it.
            var first = badRows[0];
            throw new CdcDataException(first.File, first.Row, first.Column, first.Reason);
        }

        _orderColumn ??= new OrderColumn(_file.OrderKey, _layout.Ordering.Length);
        vectors[^1] = orders is CdcOrder[] cdc ? _orderColumn.Build(fields[^1], cdc) : _orderColumn.BuildLoad(fields[^1], firstRow, rows);
        var payload = new RecordBatch(_schema.Schema, vectors, rows);
        return new ChangeBatch(_file, firstRow, payload, keyColumn, ops, orders, beforeKeys, partitions, badRows);
    }

    /// <summary>The key column with bad rows null (their key, if any, is not to be used).</summary>
    private static BinaryVector WithoutBadRows(BinaryVector keys, string?[]? bad)
    {
        if (bad is null)
        {
            return keys;
        }

        byte[]? validity = null;
        for (var row = 0; row < bad.Length; row++)
        {
            if (bad[row] is not null && !keys.IsNull(row))
            {
                validity ??= keys.Validity is { } v ? (byte[])v.Clone() : Bitmap.AllSet(bad.Length);
                Bitmap.Clear(validity, row);
            }
        }

        return validity is null ? keys : new BinaryVector(keys.Field, keys.Offsets, keys.Data, keys.Length, validity);
    }

    private ColumnVector Convert(ColumnVector source, Field target, long firstRow)
    {
        try
        {
            return VectorConversion.Convert(source, target);
        }
        catch (OverflowException e)
        {
            throw new CdcDataException(_file.Path, firstRow, source.Field.Name, $"a value does not fit the table type {DmsTypes.Describe(target)}: {e.Message}", e);
        }
    }

    private ChangeOp[] ReadOps(RecordBatch raw, int rows, Action<int, string?, string> bad)
    {
        var ops = new ChangeOp[rows];
        if (_layout.Op < 0)
        {
            // No Op column: a full load without IncludeOpForFullLoad, or a CdcInsertsOnly task.
            Array.Fill(ops, ChangeOp.Insert);
            return ops;
        }

        var vector = (BinaryVector)raw.Columns[_layout.Op];
        Span<char> chars = stackalloc char[8];
        for (var row = 0; row < rows; row++)
        {
            var isNull = vector.IsNull(row);
            var bytes = isNull ? default : vector.GetSpan(row);
            var text = bytes.Length <= chars.Length ? chars[..System.Text.Encoding.UTF8.GetChars(bytes, chars)] : default;
            if (bytes.Length > chars.Length || !DmsOp.TryParse(text, isNull, out ops[row]))
            {
                bad(row, DmsOp.Column, $"unknown Op '{Shorten(System.Text.Encoding.UTF8.GetString(bytes))}' (DMS writes I, U or D)");
            }
        }

        return ops;
    }

    private IReadOnlyList<CdcOrder> ReadOrders(RecordBatch raw, int rows, long firstRow, Action<int, string?, string> bad)
    {
        if (_file.Kind == DmsFileKind.Load)
        {
            // LOAD orders are the file's and the row's: made when asked for, not held per row.
            return new LoadOrders(_file.OrderKey, firstRow, rows);
        }

        var orders = new CdcOrder[rows];

        var count = _layout.Ordering.Length;
        var values = new UInt128[rows * count];
        for (var c = 0; c < count; c++)
        {
            var at = _layout.Ordering[c];
            if (at < 0)
            {
                continue; // the file predates the column: 0, before every file that has it
            }

            var vector = raw.Columns[at];
            for (var row = 0; row < rows; row++)
            {
                if (!OrderValueReader.TryRead(vector, row, out var value, out var empty, out var error))
                {
                    bad(row, vector.Field.Name, $"ordering value {error}");
                }
                else if (empty && c == _layout.PrimaryOrdering)
                {
                    bad(row, vector.Field.Name, "the ordering column is empty: a CDC change cannot be ordered without it");
                }

                values[(row * count) + c] = value;
            }
        }

        var memory = new ReadOnlyMemory<UInt128>(values);
        for (var row = 0; row < rows; row++)
        {
            orders[row] = new CdcOrder(_file.OrderKey, firstRow + row, memory.Slice(row * count, count));
        }

        return orders;
    }

    private string?[]? ReadBeforeImageKeys(RecordBatch raw, int rows, ChangeOp[] ops, BinaryVector keys, long firstRow)
    {
        if (_layout.BeforeImage is not { } columns)
        {
            return null;
        }

        var named = new Dictionary<string, ColumnVector>(StringComparer.Ordinal);
        for (var k = 0; k < columns.Length; k++)
        {
            // In the key column's table type, so the key text is formatted as the key's is.
            var keyField = _schema.Schema.Fields[_keyFields[k]];
            named[keyField.Name] = Convert(raw.Columns[columns[k]], keyField, firstRow);
        }

        var result = new string?[rows];
        var row0 = 0;
        object? Get(string name) => named.TryGetValue(name, out var v) ? v.GetValue(row0) : null;
        for (var row = 0; row < rows; row++)
        {
            if (ops[row] != ChangeOp.Update || keys.IsNull(row) || named.Values.All(v => v.IsNull(row)))
            {
                continue;
            }

            row0 = row;
            try
            {
                var before = _keys.GetRecordKey(Get);
                result[row] = keys.GetSpan(row).SequenceEqual(System.Text.Encoding.UTF8.GetBytes(before)) ? null : before;
            }
            catch (HoodieKeyException)
            {
                // A before image without a usable key names no old row.
            }
        }

        return result;
    }

    private BinaryVector DerivedDates(ColumnVector source, Field target, DatePartitionSpec date, Action<int, string?, string> bad)
    {
        var values = new string?[source.Length];
        var format = date.Format;
        for (var row = 0; row < source.Length; row++)
        {
            var value = source.GetValue(row);
            DateTime? time = value switch
            {
                null => null,
                DateTime t => t,
                DateOnly d => d.ToDateTime(TimeOnly.MinValue),
                string s when DateTime.TryParseExact(s, s_dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
                string s => Invalid(row, s),
                _ => null,
            };
            values[row] = time?.ToString(format, CultureInfo.InvariantCulture);
        }

        return VectorConversion.Strings(target, values);

        DateTime? Invalid(int row, string text)
        {
            bad(row, _spec.SourceColumnOf(date.Source), $"'{Shorten(text)}' is not a timestamp (yyyy-MM-dd[ HH:mm:ss[.ffffff]]), so the derived column '{date.Column}' has no value");
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}

/// <summary>The orders of a LOAD batch's rows: its file's, at each row's position (made when read).</summary>
internal sealed class LoadOrders(FileOrderKey file, long firstRow, int count) : IReadOnlyList<CdcOrder>
{
    public int Count => count;

    public CdcOrder this[int index] => (uint)index < (uint)count
        ? new CdcOrder(file, firstRow + index)
        : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<CdcOrder> GetEnumerator()
    {
        for (var i = 0; i < count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
