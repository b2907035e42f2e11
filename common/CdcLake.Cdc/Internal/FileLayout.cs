using CdcLake.Parquet;

namespace CdcLake.Cdc.Internal;

/// <summary>Where the columns a change needs are in one file schema (indexes into its top-level fields; -1: absent).</summary>
internal sealed class FileLayout
{
    private FileLayout(int op, int[] payload, int[]? beforeImage, int[] ordering, int primaryOrdering, string[] keySources)
    {
        Op = op;
        Payload = payload;
        BeforeImage = beforeImage;
        Ordering = ordering;
        PrimaryOrdering = primaryOrdering;
        KeySources = keySources;
    }

    /// <summary>The Op column, or -1 (a full load without IncludeOpForFullLoad, or CdcInsertsOnly).</summary>
    public int Op { get; }

    /// <summary>Per data column of the change schema: its column in the file, or -1 when the file lacks it.</summary>
    public int[] Payload { get; }

    /// <summary>Per record key column: its before-image column in the file; null when not configured or incomplete.</summary>
    public int[]? BeforeImage { get; }

    /// <summary>Per ordering column: its column in the file, or -1 (ordering value 0).</summary>
    public int[] Ordering { get; }

    /// <summary>The first ordering column the file has (index into <see cref="Ordering"/>), or -1: a CDC row must have a value there.</summary>
    public int PrimaryOrdering { get; }

    /// <summary>The source names of the record key columns, for messages.</summary>
    public string[] KeySources { get; }

    public static FileLayout Create(ChangeSchema changes, TableSpec spec, ParquetSchema file)
    {
        var payload = new int[changes.DataFieldCount];
        var sourceOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < file.Fields.Count; i++)
        {
            var name = file.Fields[i].Name;
            if (name == DmsOp.Column || spec.DropColumns.Contains(name) || spec.BeforeImageKeyColumns?.Contains(name) == true)
            {
                continue;
            }

            sourceOf[spec.RenameColumns.GetValueOrDefault(name, name)] = i;
        }

        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = sourceOf.GetValueOrDefault(changes.Schema.Fields[i].Name, -1);
        }

        int[]? beforeImage = null;
        if (spec.BeforeImageKeyColumns is { } columns)
        {
            beforeImage = [.. columns.Select(file.IndexOf)];
            if (beforeImage.Any(i => i < 0))
            {
                beforeImage = null;
            }
        }

        var ordering = changes.Ordering.Select(c => file.IndexOf(spec.SourceColumnOf(c))).ToArray();
        var primary = Array.FindIndex(ordering, i => i >= 0);
        return new FileLayout(file.IndexOf(DmsOp.Column), payload, beforeImage, ordering, primary, [.. spec.RecordKey.Select(spec.SourceColumnOf)]);
    }
}
