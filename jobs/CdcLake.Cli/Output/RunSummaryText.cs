using System.Globalization;
using System.Text;
using CdcLake.Cdc;

namespace CdcLake.Cli.Output;

/// <summary>
/// The merge job's summary as text: one aligned row per table (the counts of <see cref="TableSummary"/>), then each
/// table's error and warnings on their own lines, then a one-line total. The JSON form is
/// <see cref="RunSummary.ToJson"/>.
/// </summary>
public static class RunSummaryText
{
    private static readonly string[] Header =
    [
        "table", "status", "files", "rows_read", "inserts", "updates", "deletes", "stale", "quarantined", "tombstones",
        "written", "rewritten", "bytes", "seconds",
    ];

    public static string Render(RunSummary summary, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var rows = new List<string[]> { Header };
        foreach (var t in summary.Tables)
        {
            rows.Add(
            [
                t.Database == "default" ? t.Table : $"{t.Database}.{t.Table}",
                Status(t.Status),
                N(t.Files), N(t.RowsRead), N(t.Inserts), N(t.Updates), N(t.Deletes), N(t.StaleIgnored), N(t.Quarantined), N(t.Tombstones),
                N(t.FilesWritten), N(t.FilesRewritten), Bytes(t.BytesWritten),
                t.Seconds.ToString("0.00", CultureInfo.InvariantCulture),
            ]);
        }

        var widths = Enumerable.Range(0, Header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                // Names and statuses left-aligned, numbers right-aligned.
                var cell = c < 2 ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]);
                text.Append(c == 0 ? "" : "  ").Append(c == row.Length - 1 ? cell.TrimEnd() : cell);
            }

            text.Append('\n');
        }

        foreach (var t in summary.Tables)
        {
            if (t.Error is not null)
            {
                text.Append(t.Table).Append(": error: ").Append(t.Error.ReplaceLineEndings(" ").Trim()).Append('\n');
            }

            if (t.FullReload)
            {
                text.Append(t.Table).Append(": full reload: the table's contents were replaced by the new full load\n");
            }

            foreach (var warning in t.Warnings)
            {
                text.Append(t.Table).Append(": warning: ").Append(warning.ReplaceLineEndings(" ").Trim()).Append('\n');
            }

            if (t.Commits.Count > 0)
            {
                text.Append(t.Table).Append(": commits ").AppendJoin(' ', t.Commits).Append(" → ").Append(t.Target).Append('\n');
            }
        }

        var counts = summary.Tables.GroupBy(t => t.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Status(g.Key)}");
        text.Append(CultureInfo.InvariantCulture, $"{summary.Tables.Count} table{(summary.Tables.Count == 1 ? "" : "s")}: {string.Join(", ", counts)}")
            .Append(dryRun ? " (dry run: nothing written)" : "")
            .Append('\n');
        return text.ToString();
    }

    /// <summary>The status as the summary prints it: <c>merged</c>, <c>up-to-date</c>, <c>planned</c>, <c>disabled</c>, <c>FAILED</c>.</summary>
    public static string Status(MergeStatus status) => status switch
    {
        MergeStatus.Merged => "merged",
        MergeStatus.UpToDate => "up-to-date",
        MergeStatus.Planned => "planned",
        MergeStatus.Disabled => "disabled",
        MergeStatus.Failed => "FAILED",
        _ => status.ToString(),
    };

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Bytes in binary units with one decimal (<c>512 B</c>, <c>1.5 KiB</c>, <c>120.0 MiB</c>).</summary>
    internal static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }

        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        var value = bytes / 1024.0;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
