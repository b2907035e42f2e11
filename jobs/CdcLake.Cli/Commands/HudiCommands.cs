using System.CommandLine;
using System.Globalization;
using System.Text;
using CdcLake.Cli.Output;
using CdcLake.Hudi;
using CdcLake.Storage;

namespace CdcLake.Cli.Commands;

/// <summary>
/// <c>cdclake hudi show|timeline|validate TABLE</c>: read, inspect and check Hudi copy-on-write tables, given as a
/// local folder or an <c>s3://bucket/prefix</c> URI (S3 settings from the environment, see <see cref="TableStores"/>).
/// </summary>
public static class HudiCommands
{
    private static readonly string[] s_instantFormats =
    [
        "yyyy-MM-dd HH:mm:ss.fff", "yyyy-MM-dd'T'HH:mm:ss.fff", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd",
    ];

    public static Command Create(TableStores stores)
    {
        var hudi = new Command("hudi", "Read, inspect and validate Apache Hudi copy-on-write tables (local folder or s3:// URI).");
        hudi.Add(Show(stores));
        hudi.Add(Timeline(stores));
        hudi.Add(Validate(stores));
        return hudi;
    }

    private static Command Show(TableStores stores)
    {
        var table = TableArgument();
        var asOf = InstantOption("--as-of", "Time travel: the table as of this instant (inclusive). With --since: the upper bound of the increment.");
        var since = InstantOption("--since", "Incremental: only rows committed after this instant (exclusive).");
        var columns = CliOptions.NameList("--columns", "These top-level columns, in this order, after the five _hoodie_* meta columns (always included).");
        var format = CliOptions.Choice("--format", "Output format: JSON Lines, CSV with a header row, or one Parquet file.", "jsonl", "csv", "parquet");
        var output = new Option<string?>("--out") { Description = "Write to FILE (replaced once complete) instead of standard output.", HelpName = "FILE" };
        var partitions = new Option<string[]>("--partition")
        {
            Description = "Only partitions whose FIELD has VALUE (repeatable; several values of one field: any of them).",
            HelpName = "FIELD=VALUE",
            Arity = ArgumentArity.OneOrMore,
        };
        partitions.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.IndexOf('=', StringComparison.Ordinal) <= 0))
            {
                result.AddError($"--partition takes FIELD=VALUE, got '{token.Value}'.");
            }
        });
        var command = new Command("show", "Print the rows of the table's latest snapshot, of a past instant (--as-of), or committed after an instant (--since), in no particular order.")
        {
            table,
            asOf,
            since,
            columns,
            format,
            output,
            partitions,
        };
        command.SetGuardedAction((parse, context) =>
        {
            var location = ParseLocation(parse.GetRequiredValue(table), context);
            if (location is null)
            {
                return ExitCodes.UsageError;
            }

            var (asOfInstant, sinceInstant) = (parse.GetValue(asOf), parse.GetValue(since));
            if (asOfInstant is not null && sinceInstant is not null && string.CompareOrdinal(sinceInstant, asOfInstant) > 0)
            {
                return Usage(context, $"--since {sinceInstant} is after --as-of {asOfInstant}.");
            }

            context.File = location.ToString();
            using var store = stores.Open(location);
            var hudi = Wait(HudiTable.OpenAsync(store));
            var filter = PartitionFilter(parse.GetValue(partitions) ?? [], hudi.Config, out var badField);
            if (badField is not null)
            {
                return Usage(context, $"--partition {badField}: the table's partition fields are {(hudi.Config.PartitionFields.Count == 0 ? "none" : string.Join(", ", hudi.Config.PartitionFields))}.");
            }

            var userColumns = parse.GetValue(columns);
            var query = new HudiQuery
            {
                AsOfInstant = asOfInstant,
                SinceInstant = sinceInstant,
                Columns = userColumns is null ? null : [.. HoodieMetaFields.All, .. userColumns.Where(c => !HoodieMetaFields.IsMetaField(c))],
                PartitionFilter = filter,
            };

            // One column list for every file, so that CSV has one header and every JSON line the same keys.
            var schema = Wait(hudi.GetSchemaAsync(query));
            query = query with { Columns = [.. schema.Fields.Select(f => f.Name)] };
            if (parse.GetValue(format) == "parquet")
            {
                var target = parse.GetValue(output);
                if (target is null)
                {
                    return Usage(context, "--format parquet writes a file: give it with --out FILE.");
                }

                WriteParquet(hudi, query, schema, target);
                return ExitCodes.Success;
            }

            var rowFormat = parse.GetValue(format) == "csv" ? RowFormat.Csv : RowFormat.Jsonl;
            WriteRows(context, parse.GetValue(output), rowFormat, query.Columns, writer =>
            {
                foreach (var batch in hudi.ReadAsync(query).ToBlockingEnumerable())
                {
                    writer.WriteBatch(batch);
                }
            });
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One Parquet file with the query's schema (meta columns included), replacing <paramref name="target"/> only once complete.</summary>
    private static void WriteParquet(HudiTable hudi, HudiQuery query, CdcLake.Parquet.ParquetSchema schema, string target)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var writer = CdcLake.Parquet.ParquetWriter.Create(temporary, schema))
            {
                foreach (var batch in hudi.ReadAsync(query).ToBlockingEnumerable())
                {
                    writer.Write(batch);
                }
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static Command Timeline(TableStores stores)
    {
        var table = TableArgument();
        var command = new Command("timeline", "Print the active timeline: per instant its time, action, state, completion time (version 8) and when each state's file was written.")
        {
            table,
        };
        command.SetGuardedAction((parse, context) =>
        {
            var location = ParseLocation(parse.GetRequiredValue(table), context);
            if (location is null)
            {
                return ExitCodes.UsageError;
            }

            context.File = location.ToString();
            using var store = stores.Open(location);
            var hudi = Wait(HudiTable.OpenAsync(store));
            context.Out.Write(TimelineText(hudi));
            context.Out.Flush();
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Validate(TableStores stores)
    {
        var table = TableArgument();
        var command = new Command(
            "validate",
            "Check a version 6 table: hoodie.properties, timeline, commits' files, partition metadata, base file names, schemas, footers, bloom filters, orphans. " +
            "Prints one line per problem and exits 1 when there are any.")
        {
            table,
        };
        command.SetGuardedAction((parse, context) =>
        {
            var location = ParseLocation(parse.GetRequiredValue(table), context);
            if (location is null)
            {
                return ExitCodes.UsageError;
            }

            context.File = location.ToString();
            using var store = stores.Open(location);
            var report = Wait(HudiTableValidator.ValidateAsync(store));
            foreach (var problem in report.Problems)
            {
                context.Out.WriteLine(problem.ToString());
            }

            context.Out.Flush();
            if (!report.IsValid)
            {
                context.Err.WriteLine($"{CommandRunner.Program}: {location}: {report.Problems.Count} problem{(report.Problems.Count == 1 ? "" : "s")}");
                context.Err.Flush();
                return ExitCodes.DataError;
            }

            context.Err.WriteLine(
                $"{CommandRunner.Program}: {location}: valid ({Count(report.Instants, "instant")}, {Count(report.Partitions, "partition")}, {Count(report.BaseFilesChecked, "base file")} checked)");
            context.Err.Flush();
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The timeline as aligned columns, one instant per line after a header.</summary>
    internal static string TimelineText(HudiTable hudi)
    {
        var rows = new List<string[]> { new[] { "instant", "action", "state", "completion", "requested_at", "inflight_at", "completed_at" } };
        var files = hudi.TimelineFiles
            .Select(f => (Entry: f, Parsed: HoodieInstant.TryParseFileName(f.Name, out var i) ? i : null))
            .Where(f => f.Parsed is not null)
            .ToList();
        foreach (var instant in hudi.Timeline.Instants)
        {
            var mine = files.Where(f => f.Parsed!.Time == instant.Time && HoodieActions.CompletedAction(f.Parsed.Action) == HoodieActions.CompletedAction(instant.Action)).ToList();
            string At(InstantState state) =>
                mine.FirstOrDefault(f => f.Parsed!.State == state).Entry is { } entry
                    ? entry.LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
                    : "-";
            rows.Add(
            [
                instant.Time, instant.Action, instant.State.ToString().ToUpperInvariant(), instant.CompletionTime ?? "-",
                At(InstantState.Requested), At(InstantState.Inflight), At(InstantState.Completed),
            ]);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).Append('\n');
        }

        return text.ToString();
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static Argument<string> TableArgument() =>
        CliOptions.File("TABLE", "The table's root folder (holding .hoodie/): a local path or s3://bucket/prefix.");

    private static Option<string?> InstantOption(string name, string description) => new(name)
    {
        Description = description + " yyyyMMddHHmmssSSS, or yyyy-MM-dd[ HH:mm:ss[.SSS]].",
        HelpName = "INSTANT",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result =>
        {
            var text = string.Join(' ', result.Tokens.Select(t => t.Value));
            if (text.All(char.IsAsciiDigit) && InstantTime.IsValid(text))
            {
                return text;
            }

            if (DateTime.TryParseExact(text, s_instantFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                return InstantTime.Format(time);
            }

            result.AddError($"{name} takes an instant time (yyyyMMddHHmmssSSS, or yyyy-MM-dd[ HH:mm:ss[.SSS]]), got '{text}'.");
            return null;
        },
    };

    private static StorePath? ParseLocation(string text, CommandContext context)
    {
        if (StorePath.TryParse(text, out var location))
        {
            return location;
        }

        Usage(context, $"'{text}' is not a table location (a local path or s3://bucket/prefix).");
        return null;
    }

    private static int Usage(CommandContext context, string message)
    {
        context.Err.WriteLine($"{CommandRunner.Program}: {message}");
        context.Err.Flush();
        return ExitCodes.UsageError;
    }

    /// <summary>A filter from FIELD=VALUE pairs: every named field must have one of its values. Null when there are none.</summary>
    private static Func<HudiPartition, bool>? PartitionFilter(IReadOnlyList<string> pairs, TableConfig config, out string? badField)
    {
        badField = null;
        if (pairs.Count == 0)
        {
            return null;
        }

        var wanted = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (field, value) = (pair[..eq], pair[(eq + 1)..]);
            if (!config.PartitionFields.Contains(field, StringComparer.Ordinal))
            {
                badField = pair;
                return null;
            }

            if (!wanted.TryGetValue(field, out var values))
            {
                values = new HashSet<string>(StringComparer.Ordinal);
                wanted[field] = values;
            }

            values.Add(value);
        }

        return partition => wanted.All(w => w.Value.Contains(partition[w.Key] ?? PartitionPaths.DefaultPartition));
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a row writer to standard output, or to <paramref name="outFile"/> through a
    /// temporary file beside it that replaces it only once complete.
    /// </summary>
    private static void WriteRows(CommandContext context, string? outFile, RowFormat format, IReadOnlyList<string> columns, Action<IRowWriter> write)
    {
        if (outFile is null)
        {
            using var writer = RowWriters.Create(format, context.Out, columns);
            write(writer);
            return;
        }

        var full = Path.GetFullPath(outFile);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16))
            using (var writer = RowWriters.Create(format, text, columns))
            {
                write(writer);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    // The command actions are synchronous (CommandRunner's policy wraps them); the table API is asynchronous.
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
