using System.Text;
using Encoding = CdcLake.Parquet.Meta.Encoding;
using CdcLake.Parquet.Meta;
using CdcLake.Testing;

namespace CdcLake.Parquet.Tests;

/// <summary>One page of a column chunk as its header describes it.</summary>
internal sealed record PageSummary(PageType Type, Encoding? Encoding, int Values);

/// <summary>One column chunk: where it is, its codec and its pages.</summary>
internal sealed record ChunkSummary(int RowGroup, string Column, CompressionCodec Codec, IReadOnlyList<PageSummary> Pages);

/// <summary>
/// Shared steps of the compatibility tests: what the footer says beyond the public schema (for DuckDB's
/// type derivation and for checking that writer options had their effect), reading a whole file, and
/// comparing our reading with DuckDB's.
/// </summary>
internal static class CompatibilitySupport
{
    /// <summary>The footer as stored.</summary>
    public static FileMetaData ReadFooter(string path) => ParquetFooter.ParseFile(File.ReadAllBytes(path));

    /// <summary>Which annotations each leaf carried in the footer, keyed by the reader's own leaf fields.</summary>
    public static DuckReadHints Hints(ParquetSchema schema, FileMetaData footer)
    {
        var leaves = footer.Schema.Skip(1).Where(e => e.Type is not null).ToList();
        if (leaves.Count != schema.Columns.Count)
        {
            throw new InvalidOperationException($"footer lists {leaves.Count} leaves, the schema {schema.Columns.Count}");
        }

        return new DuckReadHints(schema.Columns.Select((c, i) => new KeyValuePair<PrimitiveField, LeafAnnotation>(
            c.Field,
            new LeafAnnotation(
                HasLogicalType: leaves[i].LogicalType is not null && c.Field.LogicalType is not null,
                HasConvertedType: leaves[i].ConvertedType is not null))));
    }

    /// <summary>Walks the page headers of every column chunk (headers only; pages are not decoded).</summary>
    public static IReadOnlyList<ChunkSummary> Pages(string path, FileMetaData footer)
    {
        var bytes = File.ReadAllBytes(path);
        var result = new List<ChunkSummary>();
        for (var g = 0; g < footer.RowGroups.Count; g++)
        {
            foreach (var chunk in footer.RowGroups[g].Columns)
            {
                var meta = chunk.MetaData!;
                var data = bytes.AsSpan((int)meta.FirstPageOffset, (int)meta.TotalCompressedSize);
                var pages = new List<PageSummary>();
                var position = 0;
                while (position < data.Length)
                {
                    var header = PageHeader.Read(data[position..], out var headerLength);
                    position += headerLength + header.CompressedPageSize;
                    pages.Add(header.Type switch
                    {
                        PageType.DataPage => new PageSummary(header.Type, header.DataPageHeader!.Encoding, header.DataPageHeader.NumValues),
                        PageType.DataPageV2 => new PageSummary(header.Type, header.DataPageHeaderV2!.Encoding, header.DataPageHeaderV2.NumValues),
                        PageType.DictionaryPage => new PageSummary(header.Type, header.DictionaryPageHeader!.Encoding, header.DictionaryPageHeader.NumValues),
                        _ => new PageSummary(header.Type, null, 0),
                    });
                }

                result.Add(new ChunkSummary(g, string.Join('.', meta.PathInSchema), meta.Codec, pages));
            }
        }

        return result;
    }

    /// <summary>Every row group of the file, read with our reader.</summary>
    public static (ParquetSchema Schema, List<RecordBatch> Batches, DuckReadHints Hints) ReadAll(string path, ParquetReadOptions? options = null)
    {
        using var reader = ParquetReader.Open(path, options);
        var batches = reader.ReadBatches().ToList();
        var total = batches.Sum(b => (long)b.RowCount);
        if (total != reader.RowCount)
        {
            throw new InvalidOperationException($"{path}: batches hold {total} rows, the reader says {reader.RowCount}");
        }

        return (reader.Schema, batches, Hints(reader.Schema, ReadFooter(path)));
    }

    /// <summary>DuckDB's own reading of the file, in file order (hive partition columns are not added).</summary>
    public static DuckResult DuckRead(string path) =>
        DuckDb.Shared.Query($"SELECT * FROM read_parquet({DuckDb.Literal(path)}, hive_partitioning = false)");

    /// <summary>
    /// Compares our reading of a file with <paramref name="duck"/>: column names, DuckDB types (the ones
    /// <see cref="DuckCanonical.DuckTypeOf"/> predicts for our fields) and every value of every row.
    /// Returns a description of the differences (empty when equal).
    /// </summary>
    public static string Differences(ParquetSchema schema, IReadOnlyList<RecordBatch> batches, DuckReadHints hints, DuckResult duck, int maxReported = 12)
    {
        var report = new StringBuilder();
        var ourNames = schema.Fields.Select(f => f.Name).ToArray();
        var duckNames = duck.Columns.Select(c => c.Name).ToArray();
        if (!ourNames.SequenceEqual(duckNames))
        {
            report.AppendLine($"column names differ:\n  ours:   {string.Join(", ", ourNames)}\n  duckdb: {string.Join(", ", duckNames)}");
            return report.ToString();
        }

        for (var c = 0; c < schema.Fields.Count; c++)
        {
            var expected = DuckCanonical.DuckTypeOf(schema.Fields[c], hints);
            if (expected != duck.Columns[c].Type)
            {
                report.AppendLine($"column '{ourNames[c]}': our {schema.Fields[c].TypeName} maps to {expected}, DuckDB reads {duck.Columns[c].Type}");
            }
        }

        var ourRows = batches.Sum(b => b.RowCount);
        if (ourRows != duck.Rows.Count)
        {
            report.AppendLine($"we read {ourRows} rows, DuckDB {duck.Rows.Count}");
            return report.ToString();
        }

        var row = 0;
        var reported = 0;
        var total = 0;
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.RowCount; i++, row++)
            {
                for (var c = 0; c < batch.Columns.Count; c++)
                {
                    var ours = DuckCanonical.Render(batch.Columns[c], i, hints);
                    var theirs = Canonical.Render(duck.Rows[row][c]);
                    if (ours != theirs)
                    {
                        total++;
                        if (reported++ < maxReported)
                        {
                            report.AppendLine($"row {row}, column '{ourNames[c]}':\n  ours:   {Clip(ours)}\n  duckdb: {Clip(theirs)}");
                        }
                    }
                }
            }
        }

        if (total > maxReported)
        {
            report.AppendLine($"... {total} differing values in all");
        }

        return report.ToString();
    }

    private static string Clip(string s) => s.Length <= 400 ? s : s[..400] + "…";
}
