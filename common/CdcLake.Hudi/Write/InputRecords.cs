using CdcLake.Hudi.Internal;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>One input row: where it is, its key, and whether it deletes the key (<see cref="HudiWriteOptions.DeleteMarkerField"/>).</summary>
internal readonly record struct InputRow(int Batch, int Row, string Key, string Partition, bool IsDelete = false);

/// <summary>
/// Prepares a write's input batches one at a time: normalized to Hudi's types, the delete marker column taken out,
/// checked to share one schema, reconciled with the table's columns (schema evolution, on the first batch) and
/// converted to the columns the commit writes.
/// </summary>
internal sealed class InputBatches(IReadOnlyList<Field>? tableFields, string? deleteMarkerField, string location)
{
    private string? _described;
    private string? _target;

    /// <summary>The columns the commit writes (null until the first non-empty batch).</summary>
    public IReadOnlyList<Field>? Fields { get; private set; }

    /// <summary>The reconciliation with the table's columns; null when the table has no schema yet.</summary>
    public SchemaMerge? Schema { get; private set; }

    /// <summary>
    /// The batch as the commit writes it, and per row whether the delete marker is set (null: no marker column).
    /// </summary>
    /// <exception cref="HudiException">A schema other than the first batch's, or one the table cannot evolve to.</exception>
    public (RecordBatch Batch, bool[]? Deletes) Prepare(RecordBatch raw) => Prepare(raw, out _);

    /// <summary>
    /// Like <see cref="Prepare(RecordBatch)"/>; an input column <c>_hoodie_record_key</c> (string) gives rows their
    /// record key as is (null: computed from the key fields) and is taken out. A caller that knows a key the row's own
    /// fields do not hold — the old key of a primary-key update it deletes — names it so.
    /// </summary>
    public (RecordBatch Batch, bool[]? Deletes) Prepare(RecordBatch raw, out string?[]? recordKeys)
    {
        recordKeys = null;
        if (raw.Schema.IndexOf(HoodieMetaFields.RecordKey) is var keyColumn and >= 0)
        {
            if (raw.Columns[keyColumn] is not BinaryVector keys)
            {
                throw new HudiException($"{location}: input column '{HoodieMetaFields.RecordKey}' must be a string, not {raw.Schema.Fields[keyColumn].TypeName}");
            }

            recordKeys = new string?[raw.RowCount];
            for (var i = 0; i < recordKeys.Length; i++)
            {
                recordKeys[i] = keys.IsNull(i) ? null : keys.GetString(i);
            }

            var rest = Enumerable.Range(0, raw.Columns.Count).Where(c => c != keyColumn).ToArray();
            raw = new RecordBatch(new ParquetSchema([.. rest.Select(c => raw.Schema.Fields[c])]), [.. rest.Select(c => raw.Columns[c])], raw.RowCount);
        }

        var batch = HudiSchemaNormalizer.Normalize(raw);
        bool[]? deletes = null;
        if (deleteMarkerField is not null && batch.Schema.IndexOf(deleteMarkerField) is var marker and >= 0)
        {
            if (batch.Columns[marker] is not BooleanVector flags || batch.Schema.Fields[marker] is not PrimitiveField { LogicalType: null })
            {
                throw new HudiException($"{location}: column '{deleteMarkerField}' is the delete marker and must be BOOLEAN, not {batch.Schema.Fields[marker].TypeName}");
            }

            deletes = new bool[batch.RowCount];
            for (var i = 0; i < deletes.Length; i++)
            {
                deletes[i] = !flags.IsNull(i) && flags.Values[i];
            }

            var keep = Enumerable.Range(0, batch.Columns.Count).Where(c => c != marker).ToArray();
            batch = new RecordBatch(new ParquetSchema([.. keep.Select(c => batch.Schema.Fields[c])]), [.. keep.Select(c => batch.Columns[c])], batch.RowCount);
        }

        if (batch.RowCount == 0)
        {
            return (batch, deletes);
        }

        var text = HudiSchemaNormalizer.Describe(batch.Schema.Fields);
        if (_described is null)
        {
            _described = text;
            if (tableFields is not null)
            {
                Schema = SchemaEvolution.Merge(tableFields, batch.Schema.Fields, location);
                Fields = Schema.Fields;
            }
            else
            {
                Fields = batch.Schema.Fields;
            }

            _target = HudiSchemaNormalizer.Describe(Fields);
        }
        else if (text != _described)
        {
            throw new HudiException($"the input batches do not share one schema:\n{_described}\nvs\n{text}");
        }

        return (_target == text ? batch : SchemaEvolution.Conform(batch, Fields!), deletes);
    }

    /// <summary>Refuses rows that would be written without a value for a required column the input lacks.</summary>
    public void CheckRequired(bool anyRowWritten)
    {
        if (anyRowWritten && Schema is { MissingRequired.Count: > 0 } schema)
        {
            throw new HudiException($"{location}: the input lacks the required column{(schema.MissingRequired.Count > 1 ? "s" : "")} " +
                $"{string.Join(", ", schema.MissingRequired.Select(c => $"'{c}'"))} (only nullable columns may be left out)");
        }
    }
}

/// <summary>
/// The rows of one write, normalized to the table's schema, keyed, and combined so that each key appears once
/// (the row the ordering ranks newest wins, a delete like any other version; on a tie the later input row). Held in
/// memory: a write's input is bounded by the caller (one batch of CDC changes), unlike the table.
/// </summary>
internal sealed class InputRecords
{
    private InputRecords(List<RecordBatch> batches, IReadOnlyList<Field> fields, List<InputRow> rows, Dictionary<string, int> identities, Dictionary<long, int>? integerIdentities, bool keyOnly, long combinedAway, SchemaMerge? schema)
    {
        KeyOnlyIdentities = keyOnly;
        IntegerIdentities = integerIdentities;
        Batches = batches;
        Identities = identities;
        Fields = fields;
        Rows = rows;
        CombinedAway = combinedAway;
        Schema = schema;
    }

    public static InputRecords Empty => new([], [], [], new(StringComparer.Ordinal), null, true, 0, null);

    public List<RecordBatch> Batches { get; }

    /// <summary>The columns the commit writes, without meta fields; empty for a delete given keys only.</summary>
    public IReadOnlyList<Field> Fields { get; }

    /// <summary>One row per key, in input order.</summary>
    public List<InputRow> Rows { get; }

    /// <summary>
    /// The index in <see cref="Rows"/> of each key's row, by identity: the key alone when keys are global or the
    /// table has no partitions (<see cref="KeyOnlyIdentity"/>), else partition path, U+0000, key. Not the keys in
    /// <see cref="IntegerIdentities"/>.
    /// </summary>
    public Dictionary<string, int> Identities { get; }

    /// <summary>
    /// With identities by key alone and a bare integer key field (<see cref="RecordKeyColumn.BareKeyField"/>): the
    /// index in <see cref="Rows"/> of each key that is an integer's canonical text (<see cref="RecordIndex.TryParseCanonical(ReadOnlySpan{char}, out long)"/>),
    /// by the integer; other keys are in <see cref="Identities"/>. Null otherwise.
    /// </summary>
    public Dictionary<long, int>? IntegerIdentities { get; }

    public bool KeyOnlyIdentities { get; }

    public long CombinedAway { get; }

    /// <summary>The input's columns reconciled with the table's (null: keys only, or a table without a schema yet).</summary>
    public SchemaMerge? Schema { get; }

    /// <summary>Whether <see cref="Identities"/> are keys alone: global keys, or a table whose partition path is always "".</summary>
    public static bool KeyOnlyIdentity(bool globalKeys, KeyGenerator keyGenerator) => globalKeys || keyGenerator is NonpartitionedKeyGenerator;

    public RowView View(InputRow row) => Batches[row.Batch].GetRow(row.Row);

    /// <summary>
    /// Reads, normalizes, keys and combines <paramref name="source"/>. With <paramref name="globalKeys"/> a key is one
    /// record whatever its partition; otherwise (partition, key) is.
    /// </summary>
    /// <param name="prepare">Normalizes and checks each batch; null: the batches are used as they are (a delete's keys).</param>
    public static InputRecords Load(
        IEnumerable<RecordBatch> source,
        KeyGenerator keyGenerator,
        IRecordOrdering? ordering,
        bool globalKeys,
        InputBatches? prepare,
        bool recordKeyOnly = false)
    {
        var batches = new List<RecordBatch>();
        IReadOnlyList<Field>? fields = null;
        string? described = null;
        var rows = new List<InputRow>();
        var byIdentity = new Dictionary<string, int>(StringComparer.Ordinal);
        long combinedAway = 0;
        var nonpartitioned = keyGenerator is NonpartitionedKeyGenerator;
        var keyOnlyIdentity = KeyOnlyIdentity(globalKeys, keyGenerator);
        var integerKeyField = RecordKeyColumn.BareKeyField(keyGenerator);
        var byInteger = keyOnlyIdentity && integerKeyField is not null ? new Dictionary<long, int>() : null;
        foreach (var raw in source)
        {
            string?[]? recordKeys = null;
            var (batch, deletes) = prepare is null ? (raw, null) : prepare.Prepare(raw, out recordKeys);
            if (batch.RowCount == 0)
            {
                continue;
            }

            if (prepare is null)
            {
                var text = HudiSchemaNormalizer.Describe(batch.Schema.Fields);
                described ??= text;
                if (text != described)
                {
                    throw new HudiException($"the input batches do not share one schema:\n{described}\nvs\n{text}");
                }
            }

            fields ??= prepare?.Fields ?? batch.Schema.Fields;
            var b = batches.Count;
            batches.Add(batch);
            var integerKeys = IntegerKeyColumn.Of(batch, integerKeyField);
            foreach (var view in batch.Rows())
            {
                var isDelete = deletes?[view.Index] == true;

                // A global delete names records by key alone: its rows need not carry the partition fields.
                var given = recordKeys?[view.Index];
                HoodieKey key;
                long? integer = null;
                if (recordKeyOnly || (isDelete && globalKeys))
                {
                    key = new HoodieKey(given ?? keyGenerator.GetRecordKey(KeyGenerator.FieldReader(view)), "");
                }
                else if (integerKeys is { } integers && integers.TryGet(view.Index, out var value))
                {
                    // The key is the integer's text: a given key is checked against the value without making the text.
                    var recordKey = given is not null && RecordIndex.TryParseCanonical(given, out var parsed) && parsed == value
                        ? given
                        : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    key = new HoodieKey(recordKey, nonpartitioned ? "" : keyGenerator.GetPartitionPath(KeyGenerator.FieldReader(view)));
                    integer = value;
                }
                else
                {
                    key = keyGenerator.GetKey(view);
                }

                if (given is not null && key.RecordKey != given)
                {
                    // Only a delete may name a key its fields do not give: a stored row's key is its fields' key, as
                    // in Hudi, which the index relies on (RecordKeyColumn.BareKeyField).
                    if (!isDelete)
                    {
                        throw new HudiException($"input batch {b}, row {view.Index}: '{HoodieMetaFields.RecordKey}' is \"{given}\" but the row's key fields give \"{key.RecordKey}\"; only a row marked deleted may name another key");
                    }

                    key = new HoodieKey(given, key.PartitionPath);
                    integer = null;
                }

                if (byInteger is not null && integer is null && RecordIndex.TryParseCanonical(key.RecordKey, out var canonical))
                {
                    integer = canonical;
                }

                var row = new InputRow(b, view.Index, key.RecordKey, key.PartitionPath, isDelete);
                bool seen;
                ref var at = ref byInteger is not null && integer is { } number
                    ? ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(byInteger, number, out seen)
                    : ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(byIdentity, keyOnlyIdentity ? key.RecordKey : key.PartitionPath + "\0" + key.RecordKey, out seen);
                if (seen)
                {
                    combinedAway++;
                    var existing = rows[at];
                    if (ordering is null || ordering.Compare(batch, view.Index, batches[existing.Batch], existing.Row) >= 0)
                    {
                        rows[at] = row;
                    }
                }
                else
                {
                    at = rows.Count;
                    rows.Add(row);
                }
            }
        }

        prepare?.CheckRequired(rows.Exists(r => !r.IsDelete));
        return new InputRecords(batches, fields ?? [], rows, byIdentity, byInteger, keyOnlyIdentity, combinedAway, prepare?.Schema);
    }

    /// <summary>Rows per batch <see cref="Slices"/> gathers: enough that a writer's per-batch costs vanish.</summary>
    private const int SliceRows = 1 << 16;

    /// <summary>
    /// The table columns of <paramref name="rows"/>, in the order given, with their keys: gathered from the input
    /// batches they come from (however many) into batches of at most <see cref="SliceRows"/> rows.
    /// </summary>
    public IEnumerable<(RecordBatch Data, string[] Keys)> Slices(IReadOnlyList<InputRow> rows)
    {
        var names = Fields.Select(f => f.Name).ToArray();
        var schema = new ParquetSchema(Fields);
        for (var start = 0; start < rows.Count; start += SliceRows)
        {
            var n = Math.Min(SliceRows, rows.Count - start);
            var batches = new int[n];
            var positions = new int[n];
            var keys = new string[n];
            for (var i = 0; i < n; i++)
            {
                var row = rows[start + i];
                (batches[i], positions[i], keys[i]) = (row.Batch, row.Row, row.Key);
            }

            var data = RowSelection.Gather(Batches, batches, positions, names);
            yield return (new RecordBatch(schema, data.Columns, n), keys);
        }
    }
}
