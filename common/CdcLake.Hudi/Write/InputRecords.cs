using CdcLake.Hudi.Internal;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>One input row: where it is, and its key.</summary>
internal readonly record struct InputRow(int Batch, int Row, string Key, string Partition);

/// <summary>
/// The rows of one write, normalized to the table's schema, keyed, and combined so that each key appears once
/// (the row the ordering ranks newest wins; on a tie the later input row). Held in memory: a write's input is
/// bounded by the caller (one batch of CDC changes), unlike the table.
/// </summary>
internal sealed class InputRecords
{
    private InputRecords(List<RecordBatch> batches, IReadOnlyList<Field> fields, List<InputRow> rows, long combinedAway)
    {
        Batches = batches;
        Fields = fields;
        Rows = rows;
        CombinedAway = combinedAway;
    }

    public static InputRecords Empty => new([], [], [], 0);

    public List<RecordBatch> Batches { get; }

    /// <summary>The table's (normalized) fields, without meta fields; empty for a delete given keys only.</summary>
    public IReadOnlyList<Field> Fields { get; }

    /// <summary>One row per key, in input order.</summary>
    public List<InputRow> Rows { get; }

    public long CombinedAway { get; }

    public RowView View(InputRow row) => Batches[row.Batch].GetRow(row.Row);

    /// <summary>
    /// Reads, normalizes, keys and combines <paramref name="source"/>. With <paramref name="globalKeys"/> a key is one
    /// record whatever its partition; otherwise (partition, key) is.
    /// </summary>
    public static InputRecords Load(
        IEnumerable<RecordBatch> source,
        KeyGenerator keyGenerator,
        IRecordOrdering? ordering,
        bool globalKeys,
        bool normalize,
        bool recordKeyOnly = false)
    {
        var batches = new List<RecordBatch>();
        IReadOnlyList<Field>? fields = null;
        string? described = null;
        var rows = new List<InputRow>();
        var byIdentity = new Dictionary<string, int>(StringComparer.Ordinal);
        long combinedAway = 0;
        foreach (var raw in source)
        {
            var batch = normalize ? HudiSchemaNormalizer.Normalize(raw) : raw;
            if (batch.RowCount == 0)
            {
                continue;
            }

            var text = HudiSchemaNormalizer.Describe(batch.Schema.Fields);
            if (described is null)
            {
                fields = batch.Schema.Fields;
                described = text;
            }
            else if (text != described)
            {
                throw new HudiException($"the input batches do not share one schema:\n{described}\nvs\n{text}");
            }

            var b = batches.Count;
            batches.Add(batch);
            foreach (var view in batch.Rows())
            {
                // A global delete names records by key alone: its rows need not carry the partition fields.
                var key = recordKeyOnly
                    ? new HoodieKey(keyGenerator.GetRecordKey(KeyGenerator.FieldReader(view)), "")
                    : keyGenerator.GetKey(view);
                var row = new InputRow(b, view.Index, key.RecordKey, key.PartitionPath);
                var identity = globalKeys ? key.RecordKey : key.PartitionPath + "\0" + key.RecordKey;
                if (byIdentity.TryGetValue(identity, out var at))
                {
                    combinedAway++;
                    var existing = rows[at];
                    if (ordering is null || ordering.Compare(view, batches[existing.Batch].GetRow(existing.Row)) >= 0)
                    {
                        rows[at] = row;
                    }
                }
                else
                {
                    byIdentity[identity] = rows.Count;
                    rows.Add(row);
                }
            }
        }

        return new InputRecords(batches, fields ?? [], rows, combinedAway);
    }

    /// <summary>The table columns of <paramref name="rows"/>, one batch per input batch they come from, with their keys.</summary>
    public IEnumerable<(RecordBatch Data, string[] Keys)> Slices(IEnumerable<InputRow> rows)
    {
        var names = Fields.Select(f => f.Name).ToArray();
        foreach (var group in rows.GroupBy(r => r.Batch).OrderBy(g => g.Key))
        {
            var ordered = group.OrderBy(r => r.Row).ToArray();
            var data = RowSelection.Take(Batches[group.Key], [.. ordered.Select(r => r.Row)], names);
            yield return (new RecordBatch(new ParquetSchema(Fields), data.Columns, data.RowCount), [.. ordered.Select(r => r.Key)]);
        }
    }
}
