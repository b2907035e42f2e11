using System.Text;
using System.Text.RegularExpressions;

namespace CdcLake.Testing;

/// <summary>What the expected final state of one DMS table folder is computed from.</summary>
public sealed record ExpectedStateSpec
{
    /// <summary>The DMS table folder (local): LOAD and CDC files, flat or in date or segment folders.</summary>
    public required string Folder { get; init; }

    /// <summary>Record key columns (as the files name them).</summary>
    public required IReadOnlyList<string> RecordKey { get; init; }

    /// <summary>
    /// Ordering columns in priority order: strings of digits (a change sequence) or DMS timestamp text, compared
    /// left-padded with '0' to 35 characters; a column missing from a file or empty sorts first.
    /// </summary>
    public IReadOnlyList<string> Ordering { get; init; } = ["AR_H_CHANGE_SEQ"];

    /// <summary>Before-image columns, one per record key column: a U whose before image differs deletes the old key.</summary>
    public IReadOnlyList<string>? BeforeImageKey { get; init; }

    /// <summary>Columns of the result, in order; default: every column of the files but Op and the before-image columns.</summary>
    public IReadOnlyList<string>? Columns { get; init; }
}

/// <summary>
/// The final state of a table after merging a DMS folder, computed by DuckDB SQL over the files — independently of
/// the merge code, from the rules in ../shared/docs/dms-s3-parquet.md ("What correct means"): every LOAD row before
/// every CDC change; CDC changes by the ordering columns, then by file (the time in its name), then by row
/// position; per key the last change wins; Op D (any case) deletes, anything else upserts; a U whose before-image
/// key differs also deletes the old key. <see cref="Sql"/> is the statement, for the conformance suite to reuse.
/// </summary>
public static partial class ExpectedState
{
    /// <summary>The expected rows, ordered by the record key.</summary>
    public static DuckResult Query(DuckDb db, ExpectedStateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Query(Sql(db, spec));
    }

    /// <summary>The SQL for <paramref name="spec"/>; asks DuckDB for the files' columns first.</summary>
    public static string Sql(DuckDb db, ExpectedStateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(spec);
        var files = DataFiles(spec.Folder);
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"no DMS data files under {spec.Folder}");
        }

        var source = $"read_parquet([{string.Join(", ", files.Select(DuckDb.Literal))}], union_by_name = true, filename = true, file_row_number = true)";
        var present = db.Query($"DESCRIBE SELECT * FROM {source}").Column("column_name").Select(c => c.GetString()!).ToList();
        var beforeImage = spec.BeforeImageKey ?? [];
        var columns = spec.Columns
            ?? [.. present.Where(c => c is not ("Op" or "filename" or "file_row_number") && !beforeImage.Contains(c))];
        var hasOp = present.Contains("Op");
        var hasBeforeImage = beforeImage.Count > 0 && beforeImage.All(present.Contains);

        string Q(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var orderExpressions = spec.Ordering.Select((c, i) =>
            present.Contains(c) ? $"lpad(coalesce(CAST({Q(c)} AS VARCHAR), ''), 35, '0') AS _o{i}" : $"lpad('', 35, '0') AS _o{i}").ToList();
        var orderColumns = string.Join(", ", spec.Ordering.Select((_, i) => $"_o{i}"));
        var carried = string.Join(", ", columns.Select(Q));
        var sql = new StringBuilder();
        sql.Append("WITH src AS (SELECT *, regexp_extract(filename, '[^/]+$') AS _name FROM ").Append(source).Append("),\n");
        sql.Append("ch AS (SELECT ").Append(carried)
            .Append(", ").Append(hasOp ? "upper(coalesce(\"Op\", ''))" : "''").Append(" AS _op")
            .Append(", CASE WHEN regexp_matches(_name, '^(SEGMENT[0-9]+_)?LOAD') THEN 0 ELSE 1 END AS _phase");
        foreach (var expression in orderExpressions)
        {
            sql.Append(", ").Append(expression);
        }

        // A CDC file's place: the time in its name (yyyyMMdd-HHmmss + fraction), the fraction padded to 9 digits.
        sql.Append(", CASE WHEN regexp_matches(_name, '^[0-9]{8}-') THEN rpad(regexp_replace(regexp_extract(_name, '^([0-9]{8}-[0-9]+)', 1), '-', ''), 23, '0') ELSE _name END AS _file_order")
            .Append(", filename AS _file, file_row_number AS _row");
        if (hasBeforeImage)
        {
            for (var k = 0; k < beforeImage.Count; k++)
            {
                sql.Append(", ").Append(Q(beforeImage[k])).Append($" AS _bi{k}");
            }
        }

        sql.Append(" FROM src),\n");
        sql.Append("all_changes AS (SELECT ").Append(carried).Append(", _op, _phase, ").Append(orderColumns.Length == 0 ? "" : orderColumns + ", ")
            .Append("_file_order, _file, _row FROM ch");
        if (hasBeforeImage)
        {
            var keyOf = string.Join(", ", columns.Select(c => spec.RecordKey.ToList().IndexOf(c) is var k and >= 0 ? $"_bi{k} AS {Q(c)}" : $"NULL AS {Q(c)}"));
            var anyBefore = string.Join(" OR ", Enumerable.Range(0, beforeImage.Count).Select(k => $"_bi{k} IS NOT NULL"));
            var same = string.Join(" AND ", spec.RecordKey.Select((c, k) => $"_bi{k} IS NOT DISTINCT FROM {Q(c)}"));
            sql.Append("\n  UNION ALL SELECT ").Append(keyOf).Append(", 'D', _phase, ").Append(orderColumns.Length == 0 ? "" : orderColumns + ", ")
                .Append("_file_order, _file, _row FROM ch WHERE _op = 'U' AND (").Append(anyBefore).Append(") AND NOT (").Append(same).Append(')');
        }

        sql.Append("),\n");
        var keys = string.Join(", ", spec.RecordKey.Select(Q));
        var descending = string.Join(", ", spec.Ordering.Select((_, i) => $"_o{i} DESC"));
        sql.Append("ranked AS (SELECT *, row_number() OVER (PARTITION BY ").Append(keys)
            .Append(" ORDER BY _phase DESC, ").Append(descending.Length == 0 ? "" : descending + ", ")
            .Append("_file_order DESC, _file DESC, _row DESC) AS _rn FROM all_changes)\n");
        sql.Append("SELECT ").Append(carried).Append(" FROM ranked WHERE _rn = 1 AND _op <> 'D' ORDER BY ").Append(keys);
        return sql.ToString();
    }

    /// <summary>
    /// The DMS data files under a folder, by name alone (written apart from the product's discovery): LOAD and
    /// CDC names, not under a folder starting with '.' or '_'.
    /// </summary>
    public static IReadOnlyList<string> DataFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories)
            .Where(f => DataName().IsMatch(Path.GetFileName(f)))
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(s => s.StartsWith('.') || s.StartsWith('_')))
            .Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"^((SEGMENT[0-9]+_)?LOAD[0-9A-F]{8}|[0-9]{8}-[0-9]{6,15})\.parquet$")]
    private static partial Regex DataName();
}
