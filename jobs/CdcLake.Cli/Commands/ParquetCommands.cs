using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CdcLake.Cli.Output;
using CdcLake.Parquet;

namespace CdcLake.Cli.Commands;

/// <summary><c>cdclake parquet schema|cat|meta|convert</c>: inspect and rewrite single Parquet files.</summary>
public static class ParquetCommands
{
    public static Command Create(ParquetIo io)
    {
        var parquet = new Command("parquet", "Inspect and rewrite Parquet files.");
        parquet.Add(Schema(io));
        parquet.Add(Cat(io));
        parquet.Add(Meta(io));
        parquet.Add(Convert(io));
        return parquet;
    }

    private static Command Schema(ParquetIo io)
    {
        var file = CliOptions.File("FILE", "The Parquet file.");
        var command = new Command("schema", "Print the logical schema as a tree, then each leaf column's path, physical and logical type, and max definition/repetition levels.")
        {
            file,
        };
        command.SetGuardedAction((parse, context) =>
        {
            var path = parse.GetRequiredValue(file);
            context.File = path;
            using var input = io.Open(path);
            var tree = SchemaText.Tree(input.Schema);
            var table = SchemaText.LeafTable(input.Schema);
            context.Out.Write($"fields:\n{Indent(tree)}\ncolumns:\n{Indent(table)}");
            context.Out.Flush();
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Cat(ParquetIo io)
    {
        var file = CliOptions.File("FILE", "The Parquet file.");
        var format = CliOptions.Choice("--format", "Output format: JSON Lines (one object per row) or CSV with a header row.", "jsonl", "csv");
        var limit = CliOptions.PositiveNumber("--limit", "Stop after N rows.");
        var columns = CliOptions.NameList("--columns", "Only these top-level columns, in this order (comma-separated).");
        var command = new Command("cat", "Print the rows, row group by row group, as JSON Lines or CSV.")
        {
            file,
            format,
            limit,
            columns,
        };
        command.SetGuardedAction((parse, context) =>
        {
            var path = parse.GetRequiredValue(file);
            var rowFormat = parse.GetValue(format) == "csv" ? RowFormat.Csv : RowFormat.Jsonl;
            var remaining = parse.GetValue(limit) ?? long.MaxValue;
            var projection = parse.GetValue(columns);
            context.File = path;
            using var input = io.Open(path);
            if (projection is not null)
            {
                CheckColumns(input, projection);
            }

            var names = projection ?? input.Schema.Fields.Select(f => f.Name).ToArray();
            using var writer = RowWriters.Create(rowFormat, context.Out, names);
            foreach (var batch in input.ReadBatches(projection))
            {
                var vectors = projection is null ? batch.Columns : projection.Select(name => batch[name]).ToArray();
                var count = (int)Math.Min(batch.RowCount, remaining);
                writer.WriteRows(vectors, 0, count);
                remaining -= count;
                if (remaining == 0)
                {
                    break; // before the next row group is read
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Meta(ParquetIo io)
    {
        var file = CliOptions.File("FILE", "The Parquet file.");
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text." };
        var command = new Command("meta", "Print the footer: version, writer, rows, key/value metadata, and per row group and column chunk: codec, encodings, sizes, page offsets, statistics, bloom filters.")
        {
            file,
            json,
        };
        command.SetGuardedAction((parse, context) =>
        {
            var path = parse.GetRequiredValue(file);
            context.File = path;
            using var input = io.Open(path);
            var info = input.Info;
            if (parse.GetValue(json))
            {
                var sink = new Utf8TextSink(context.Out);
                var buffer = new ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer, ValueFormatter.JsonOptions with { Indented = true }))
                {
                    MetadataText.WriteJson(writer, path, info);
                }

                buffer.Write("\n"u8);
                sink.Write(buffer.WrittenSpan);
                sink.Flush();
            }
            else
            {
                context.Out.Write(MetadataText.Render(path, info));
                context.Out.Flush();
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Convert(ParquetIo io)
    {
        var inFile = CliOptions.File("IN", "The Parquet file to read.");
        var outFile = CliOptions.File("OUT", "The Parquet file to write (replaced if it exists).");
        var codec = CliOptions.Choice("--codec", "Compression of the written pages.", "snappy", "none", "gzip", "zstd", "brotli", "lz4_raw");
        var rowGroupRows = CliOptions.PositiveNumber("--row-group-rows", "Rows per written row group (default: the writer's).", int.MaxValue);
        var command = new Command("convert", "Rewrite a Parquet file with the same schema, another codec or row group size; prints the rows written.")
        {
            inFile,
            outFile,
            codec,
            rowGroupRows,
        };
        command.SetGuardedAction((parse, context) =>
        {
            var source = parse.GetRequiredValue(inFile);
            var target = parse.GetRequiredValue(outFile);
            var rows = ConvertFile(io, context, source, target, CodecOf(parse.GetValue(codec)), (int?)parse.GetValue(rowGroupRows));
            context.Out.WriteLine($"wrote {rows.ToString(CultureInfo.InvariantCulture)} rows to {target}");
            context.Out.Flush();
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Copies every row group of <paramref name="source"/> to <paramref name="target"/> through a temporary
    /// file beside it, renamed over the target only once complete: a failure leaves no half-written
    /// target, and <c>IN</c> may equal <c>OUT</c>. File and column key/value metadata are carried over.
    /// </summary>
    private static long ConvertFile(ParquetIo io, CommandContext context, string source, string target, ParquetCodec codec, int? rowGroupRows)
    {
        var full = Path.GetFullPath(target);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        long rows = 0;
        try
        {
            context.File = source;
            using (var input = io.Open(source))
            {
                var options = WriteOptions(codec, rowGroupRows, input.Info);
                context.File = target;
                using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                using (var output = io.Create(stream, input.Schema, options, target))
                {
                    context.File = source;
                    using var batches = input.ReadBatches().GetEnumerator();
                    while (batches.MoveNext())
                    {
                        context.File = target;
                        output.Write(batches.Current);
                        rows += batches.Current.RowCount;
                        context.File = source;
                    }

                    context.File = target; // disposing writes the footer
                }
            }

            context.File = target;
            File.Move(temp, full, overwrite: true);
            return rows;
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static ParquetCodec CodecOf(string? name) => name switch
    {
        "none" => ParquetCodec.None,
        "gzip" => ParquetCodec.Gzip,
        "zstd" => ParquetCodec.Zstd,
        "brotli" => ParquetCodec.Brotli,
        "lz4_raw" => ParquetCodec.Lz4Raw,
        _ => ParquetCodec.Snappy,
    };

    /// <summary>The writer's defaults, with the chosen codec and row group size and the source's key/value metadata.</summary>
    private static ParquetWriteOptions WriteOptions(ParquetCodec codec, int? rowGroupRows, ParquetFileInfo source)
    {
        var columnMetadata = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var chunk in source.RowGroups.Count > 0 ? source.RowGroups[0].Columns : [])
        {
            if (chunk.KeyValueMetadata.Count > 0)
            {
                columnMetadata[chunk.Column.DottedPath] = NonNull(chunk.KeyValueMetadata);
            }
        }

        return new ParquetWriteOptions
        {
            Codec = codec,
            RowGroupRows = rowGroupRows ?? ParquetWriteOptions.Default.RowGroupRows,
            KeyValueMetadata = NonNull(source.KeyValueMetadata),
            ColumnKeyValueMetadata = columnMetadata,
        };
    }

    // A key stored without a value keeps its key, with an empty value.
    private static Dictionary<string, string> NonNull(IReadOnlyDictionary<string, string?> pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value ?? "", StringComparer.Ordinal);

    private static void CheckColumns(IParquetInput input, IReadOnlyList<string> names)
    {
        var missing = names.Where(n => input.Schema.IndexOf(n) < 0).ToArray();
        if (missing.Length > 0)
        {
            throw new ParquetException(
                $"no column named {string.Join(", ", missing.Select(n => $"'{n}'"))}; the file has {string.Join(", ", input.Schema.Fields.Select(f => f.Name))}")
                .WithContext(input.Name);
        }
    }

    private static string Indent(string lines) =>
        string.Concat(lines.Split('\n').Select(line => line.Length == 0 ? "" : "  " + line + "\n"));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
