using System.Text;
using CdcLake.Cdc;
using CdcLake.Hudi;
using CdcLake.Storage;
using CdcLake.Testing;

namespace CdcLake.Merge.CrashTests;

/// <summary>
/// What two runs that merged the same files must agree on: the rows (every column but the instant and file name,
/// rendered canonically, sorted), the record keys, the number of completed writes and the last commit's checkpoint.
/// </summary>
internal sealed record TableState(bool Exists, IReadOnlyList<string> Rows, IReadOnlyList<string> Keys, int CompletedWrites, string? Checkpoint)
{
    /// <summary>Columns that differ between two runs writing the same rows.</summary>
    private static readonly HashSet<string> s_runSpecific = ["_hoodie_commit_time", "_hoodie_commit_seqno", "_hoodie_file_name"];

    public static TableState Empty { get; } = new(false, [], [], 0, null);

    /// <summary>The state of the table at <paramref name="tableDir"/> (empty when it was never created).</summary>
    public static async Task<TableState> ReadAsync(string tableDir)
    {
        if (!File.Exists(Path.Combine(tableDir, ".hoodie", "hoodie.properties")))
        {
            return Empty;
        }

        using var store = ObjectStores.For(tableDir);
        var table = await HudiTable.OpenAsync(store);
        var rows = new List<string>();
        var keys = new List<string>();
        await foreach (var batch in table.ReadAsync(new HudiQuery()))
        {
            // By name, sorted: base files written before a column was added may lack it (null).
            var columns = batch.Schema.Fields.Select(f => f.Name).Where(c => !s_runSpecific.Contains(c)).Order(StringComparer.Ordinal).ToList();
            for (var row = 0; row < batch.RowCount; row++)
            {
                var text = new StringBuilder("{");
                foreach (var column in columns)
                {
                    var value = DuckCanonical.Render(batch[column], row);
                    if (value != "null")
                    {
                        text.Append('"').Append(column).Append("\":").Append(value).Append(',');
                    }
                }

                rows.Add(text.Append('}').ToString());
                keys.Add(DuckCanonical.Render(batch[HoodieMetaFields.RecordKey], row));
            }
        }

        string? checkpoint = null;
        if (table.Timeline.LastCompletedWrite is { } last)
        {
            var metadata = await table.ReadCommitMetadataAsync(last);
            checkpoint = metadata.ExtraMetadata.GetValueOrDefault(CdcCheckpoint.ExtraMetadataKey);
        }

        return new TableState(true, [.. rows.Order(StringComparer.Ordinal)], keys, table.Timeline.CompletedWrites.Count(), checkpoint);
    }
}
