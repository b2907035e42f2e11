using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CdcLake.Cdc;
using CdcLake.Hudi;
using CdcLake.Parquet;
using CdcLake.Storage;
using CdcLake.Testing;

namespace CdcLake.Merge.Tests;

/// <summary>
/// What a merged Hudi table holds, read two independent ways: through <see cref="HudiTable"/> (our reader) and by
/// DuckDB over the latest base files. Rows are rendered as canonical JSON objects (the oracle's value forms),
/// columns sorted by name so that column order does not matter.
/// </summary>
public sealed class TableState
{
    private TableState(IReadOnlyList<string> rows, IReadOnlyList<string> dataRows, IReadOnlyList<string> basePaths, ParquetSchema? schema, string? checkpoint, IReadOnlyList<string> orders, IReadOnlyList<string> ordered)
    {
        Rows = rows;
        DataRowsWithOrder = ordered;
        DataRows = dataRows;
        BaseFiles = basePaths;
        Schema = schema;
        Checkpoint = checkpoint;
        CdcOrders = orders;
    }

    /// <summary>Every column, meta columns included.</summary>
    public IReadOnlyList<string> Rows { get; }

    /// <summary>Data columns only: no <c>_hoodie_*</c>, no <c>_cdc_order</c>.</summary>
    public IReadOnlyList<string> DataRows { get; }

    /// <summary>Data columns and <c>_cdc_order</c>.</summary>
    public IReadOnlyList<string> DataRowsWithOrder { get; }

    /// <summary>Absolute paths of the latest base files.</summary>
    public IReadOnlyList<string> BaseFiles { get; }

    public ParquetSchema? Schema { get; }

    /// <summary>The checkpoint in the last completed commit.</summary>
    public string? Checkpoint { get; }

    /// <summary>Every row's <c>_cdc_order</c>.</summary>
    public IReadOnlyList<string> CdcOrders { get; }

    public static bool IsData(string column) => !column.StartsWith("_hoodie_", StringComparison.Ordinal) && column != TableSpec.OrderColumn;

    /// <summary>An empty state for a target with no table yet.</summary>
    public static async Task<TableState> ReadAsync(string target)
    {
        if (!File.Exists(Path.Combine(target, ".hoodie", "hoodie.properties")))
        {
            return new TableState([], [], [], null, null, [], []);
        }

        using var store = ObjectStores.For(target);
        var table = await HudiTable.OpenAsync(store);
        var rows = new List<string>();
        var dataRows = new List<string>();
        var orders = new List<string>();
        var ordered = new List<string>();
        await foreach (var batch in table.ReadAsync(HudiQuery.Snapshot))
        {
            var order = batch.Schema.IndexOf(TableSpec.OrderColumn);
            for (var r = 0; r < batch.RowCount; r++)
            {
                var values = batch.Schema.Fields.Select((f, c) => (f.Name, Text: DuckCanonical.Render(batch.Columns[c], r))).ToList();
                rows.Add(Render(values));
                dataRows.Add(Render(values.Where(v => IsData(v.Name))));
                ordered.Add(Render(values.Where(v => IsData(v.Name) || v.Name == TableSpec.OrderColumn)));
                if (order >= 0)
                {
                    orders.Add(JsonSerializer.Deserialize<string>(values[order].Text)!);
                }
            }
        }

        var slices = await table.GetFileSlicesAsync();
        var paths = slices.Select(s => Path.Combine(target, s.BaseFile.Path)).Order(StringComparer.Ordinal).ToList();
        ParquetSchema? schema = null;
        if (slices.Count > 0)
        {
            schema = await table.GetSchemaAsync();
        }

        string? checkpoint = null;
        if (table.Timeline.LastCompletedWrite is { } last)
        {
            var metadata = await table.ReadCommitMetadataAsync(last);
            checkpoint = metadata.ExtraMetadata.GetValueOrDefault(CdcCheckpoint.ExtraMetadataKey);
        }

        rows.Sort(StringComparer.Ordinal);
        dataRows.Sort(StringComparer.Ordinal);
        ordered.Sort(StringComparer.Ordinal);
        return new TableState(rows, dataRows, paths, schema, checkpoint, orders, ordered);
    }

    /// <summary>DuckDB's reading of the latest base files, every column, rendered as <see cref="Rows"/>.</summary>
    public IReadOnlyList<string> DuckDbRows()
    {
        if (BaseFiles.Count == 0)
        {
            return [];
        }

        var result = DuckDb.Shared.Query($"SELECT * FROM read_parquet([{string.Join(", ", BaseFiles.Select(DuckDb.Literal))}])");
        return [.. result.Rows.Select(row => Render(result.Columns.Select((c, i) => (c.Name, Canonical.Render(row[i]))))).Order(StringComparer.Ordinal)];
    }

    /// <summary>Each latest base file's schema, as text (every one must equal the table's).</summary>
    public IReadOnlyList<string> BaseFileSchemas()
    {
        var schemas = new List<string>();
        foreach (var path in BaseFiles)
        {
            using var reader = ParquetReader.Open(path);
            schemas.Add(string.Join("; ", reader.Schema.Fields.Select(f => f.ToString())));
        }

        return schemas;
    }

    /// <summary>A row of (column, canonical JSON) as one JSON object with the columns in name order.</summary>
    public static string Render(IEnumerable<(string Name, string Json)> values)
    {
        var text = new StringBuilder("{");
        var first = true;
        foreach (var (name, json) in values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            text.Append(first ? "" : ",").Append(JsonSerializer.Serialize(name)).Append(':').Append(json);
            first = false;
        }

        return text.Append('}').ToString();
    }

    /// <summary>An expected row (hand-written JSON object) rendered as <see cref="Render"/> does, values in canonical form.</summary>
    public static string Render(JsonObject row, Func<string, bool>? keep = null) =>
        Render(row.Where(p => keep?.Invoke(p.Key) ?? true).Select(p => (p.Key, Canonical.Render(JsonSerializer.SerializeToElement(p.Value)))));

    /// <summary>Every file under the table with its SHA-256, the lock file aside: "nothing written" means these are equal.</summary>
    public static IReadOnlyDictionary<string, string> Fingerprint(string target)
    {
        if (!Directory.Exists(target))
        {
            return new Dictionary<string, string>();
        }

        return Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(target, f).Replace('\\', '/'))
            .Where(f => f != ".hoodie/lock")
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(target, f)))), StringComparer.Ordinal);
    }

    /// <summary>The completed instants on the timeline, by file name.</summary>
    public static IReadOnlyList<string> TimelineFiles(string target) =>
        Directory.Exists(Path.Combine(target, ".hoodie"))
            ? [.. Directory.EnumerateFiles(Path.Combine(target, ".hoodie")).Select(Path.GetFileName).Where(n => n!.Contains('.') && char.IsDigit(n[0])).Order(StringComparer.Ordinal)!]
            : [];
}
