using System.CommandLine;
using System.Globalization;
using System.Text;
using CdcLake.Cdc;
using CdcLake.Cli.Output;
using CdcLake.Storage;

namespace CdcLake.Cli.Commands;

/// <summary>
/// <c>cdclake run PIPELINE.json</c> and <c>cdclake merge --source … --target …</c>: the merge job (DMS files into Hudi
/// tables, <see cref="MergeJob"/>), for the tables of a pipeline file or for one table given on the command line.
/// Both show progress on stderr, print a summary per table on stdout, write the summary as JSON with
/// <c>--summary</c>, and exit 0 when every table succeeded, 1 when any failed, 2 on usage and pipeline errors.
/// </summary>
public static class MergeCommands
{
    private const long BytesPerMegabyte = 1024 * 1024;

    public static Command Run()
    {
        var pipeline = CliOptions.File("PIPELINE", "The pipeline file (JSON; common/CdcLake.Cdc/PIPELINE.md).");
        var tables = new Option<string[]>("--table")
        {
            Description = "Only this table (the pipeline entry's table name); repeatable. Default: every table.",
            HelpName = "NAME",
            Arity = ArgumentArity.OneOrMore,
        };
        var job = new JobOptions();
        var command = new Command("run", "Merge the new DMS files of a pipeline's tables into their Hudi tables.")
        {
            pipeline,
            tables,
        };
        job.AddTo(command);
        command.SetGuardedAction((parse, context) =>
        {
            var file = parse.GetRequiredValue(pipeline);
            if (!File.Exists(file))
            {
                return Usage(context, $"{file}: no such pipeline file.");
            }

            context.File = file;
            IReadOnlyList<TableSpec> specs;
            try
            {
                specs = PipelineConfig.LoadAndResolve(file);
            }
            catch (PipelineConfigException e)
            {
                // One line per problem, each naming its field, so that every mistake can be fixed in one go.
                foreach (var error in e.Errors)
                {
                    context.Err.WriteLine($"{CommandRunner.Program}: {file}: {OneLine(error.ToString())}");
                }

                context.Err.Flush();
                return ExitCodes.UsageError;
            }

            var wanted = parse.GetValue(tables) ?? [];
            var unknown = wanted.Where(name => !specs.Any(s => s.Name == name)).ToList();
            if (unknown.Count > 0)
            {
                return Usage(context, $"--table {string.Join(", ", unknown)}: not in {file} (its tables: {string.Join(", ", specs.Select(s => s.Name))}).");
            }

            var selected = wanted.Length == 0 ? specs : [.. specs.Where(s => wanted.Contains(s.Name, StringComparer.Ordinal))];
            return RunJob(selected, job, parse, context);
        });
        return command;
    }

    public static Command Merge()
    {
        var source = new Option<string>("--source") { Description = "The DMS table folder …/<schema>/<table>/ (local path or s3://bucket/prefix).", HelpName = "DIR", Required = true };
        var target = new Option<string>("--target") { Description = "The Hudi table's root (local path or s3://bucket/prefix); created on the first run.", HelpName = "DIR", Required = true };
        var table = new Option<string>("--table") { Description = "The Hudi table name (hoodie.table.name).", HelpName = "NAME", Required = true };
        var database = new Option<string?>("--database") { Description = "The Hudi database (hoodie.database.name); default 'default'.", HelpName = "NAME" };
        var key = CliOptions.NameList("--key", "Record key columns, in key order.");
        key.Required = true;
        var order = CliOptions.NameList(
            "--order",
            "Ordering columns in priority order (change sequence, commit timestamp), e.g. AR_H_CHANGE_SEQ,DMS_TIMESTAMP. Default: AR_H_CHANGE_SEQ when the files have it.");
        var partition = CliOptions.NameList("--partition", "Partition columns, in path order.");
        var hiveStyle = new Option<bool>("--hive-style") { Description = "Partition folders named field=value." };
        var job = new JobOptions();
        var command = new Command("merge", "Merge the new DMS files of one table into its Hudi table, without a pipeline file.")
        {
            source,
            target,
            table,
            database,
            key,
            order,
            partition,
            hiveStyle,
        };
        job.AddTo(command);
        command.SetGuardedAction((parse, context) =>
        {
            // The pipeline's own validation, so that `merge` accepts exactly what a pipeline entry accepts; its
            // field paths are translated back to the options that set them.
            var entry = new PipelineTable
            {
                Table = parse.GetRequiredValue(table),
                Source = parse.GetRequiredValue(source),
                Target = parse.GetRequiredValue(target),
                Database = parse.GetValue(database),
                RecordKey = [.. parse.GetValue(key) ?? []],
                Ordering = parse.GetValue(order) is { } ordering ? [.. ordering] : null,
                PartitionBy = parse.GetValue(partition) is { } partitions ? [.. partitions] : null,
                HiveStylePartitioning = parse.GetValue(hiveStyle) ? true : null,
            };
            var errors = new PipelineConfig { Version = 1, Tables = [entry] }.Validate(Directory.GetCurrentDirectory());
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    context.Err.WriteLine($"{CommandRunner.Program}: {OptionOf(error.Path)}: {OneLine(error.Message)}");
                }

                context.Err.Flush();
                return ExitCodes.UsageError;
            }

            var spec = new PipelineConfig { Version = 1, Tables = [entry] }.Resolve(Directory.GetCurrentDirectory())[0];
            if (StorePath.TryParse(spec.Source, out var sourcePath) && sourcePath.IsLocal && !Directory.Exists(spec.Source))
            {
                return Usage(context, $"--source {parse.GetRequiredValue(source)}: no such folder.");
            }

            return RunJob([spec], job, parse, context);
        });
        return command;
    }

    private static int RunJob(IReadOnlyList<TableSpec> tables, JobOptions job, ParseResult parse, CommandContext context)
    {
        var dryRun = parse.GetValue(job.DryRun);
        var summaryFile = parse.GetValue(job.Summary);
        var options = MergeOptions.Default with { DryRun = dryRun };
        if (parse.GetValue(job.MemoryBudget) is { } megabytes)
        {
            options = options with { MemoryBudgetBytes = megabytes * BytesPerMegabyte };
        }

        RunSummary summary;
        using (var progress = new ProgressReporter(context.Err, interactive: ProgressReporter.IsTerminal(context.Err)))
        {
            options = options with { Progress = progress };
            context.File = tables.Count == 1 ? tables[0].Target : null;
            summary = MergeJob.RunAsync(tables, options).GetAwaiter().GetResult();
        }

        context.Out.Write(RunSummaryText.Render(summary, dryRun));
        context.Out.Flush();
        foreach (var failed in summary.Tables.Where(t => t.Status == MergeStatus.Failed))
        {
            context.Err.WriteLine($"{CommandRunner.Program}: {failed.Table}: {OneLine(failed.Error ?? "failed")}");
        }

        context.Err.Flush();
        if (summaryFile is not null)
        {
            context.File = summaryFile;
            WriteWhole(summaryFile, summary.ToJson() + "\n");
        }

        return summary.Succeeded ? ExitCodes.Success : ExitCodes.DataError;
    }

    /// <summary>Writes <paramref name="text"/> through a temporary file beside <paramref name="path"/> renamed over it when complete.</summary>
    private static void WriteWhole(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The option of <c>merge</c> that sets a pipeline field (<c>tables[0].recordKey[1]</c> → <c>--key</c>).</summary>
    private static string OptionOf(string fieldPath)
    {
        const string Entry = "tables[0].";
        if (!fieldPath.StartsWith(Entry, StringComparison.Ordinal))
        {
            return fieldPath;
        }

        var field = fieldPath[Entry.Length..];
        var name = field.Split('.', '[')[0];
        return name switch
        {
            "table" => "--table",
            "source" => "--source",
            "target" => "--target",
            "database" => "--database",
            "recordKey" => "--key",
            "ordering" => "--order",
            "partitionBy" => "--partition",
            "hiveStylePartitioning" => "--hive-style",
            _ => field,
        };
    }

    private static int Usage(CommandContext context, string message)
    {
        context.Err.WriteLine($"{CommandRunner.Program}: {message}");
        context.Err.Flush();
        return ExitCodes.UsageError;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>The options <c>run</c> and <c>merge</c> share.</summary>
    private sealed class JobOptions
    {
        public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Discover and read the new files and report what would be merged; write nothing." };

        public Option<string?> Summary { get; } = new("--summary") { Description = "Also write the summary as JSON to FILE (replaced once complete).", HelpName = "FILE" };

        public Option<long?> MemoryBudget { get; } = MegabyteOption();

        private static Option<long?> MegabyteOption()
        {
            var option = CliOptions.PositiveNumber(
                "--memory-budget",
                "Memory one table's changes may take, in MiB (default 1024); larger selections are merged in several commits.",
                max: long.MaxValue / BytesPerMegabyte);
            option.HelpName = "MB";
            return option;
        }

        public void AddTo(Command command)
        {
            command.Add(DryRun);
            command.Add(Summary);
            command.Add(MemoryBudget);
        }
    }
}
