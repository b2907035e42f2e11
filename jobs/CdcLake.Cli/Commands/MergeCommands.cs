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

    public static Command Run(TableStores stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
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
            return RunJob(selected, stores, job, parse, context);
        });
        return command;
    }

    public static Command Merge(TableStores stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
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
        var lockOptions = new LockOptions();
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
        lockOptions.AddTo(command);
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
                Lock = lockOptions.Settings(parse),
            };
            var errors = new PipelineConfig { Version = 1, Tables = [entry] }.Validate(Directory.GetCurrentDirectory());
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    context.Err.WriteLine($"{CommandRunner.Program}: {OptionOf(error.Path)}: {OneLine(OptionMessage(error))}");
                }

                context.Err.Flush();
                return ExitCodes.UsageError;
            }

            var spec = new PipelineConfig { Version = 1, Tables = [entry] }.Resolve(Directory.GetCurrentDirectory())[0];
            if (StorePath.TryParse(spec.Source, out var sourcePath) && sourcePath.IsLocal && !Directory.Exists(spec.Source))
            {
                return Usage(context, $"--source {parse.GetRequiredValue(source)}: no such folder.");
            }

            return RunJob([spec], stores, job, parse, context);
        });
        return command;
    }

    private static int RunJob(IReadOnlyList<TableSpec> tables, TableStores stores, JobOptions job, ParseResult parse, CommandContext context)
    {
        var dryRun = parse.GetValue(job.DryRun);
        var summaryFile = parse.GetValue(job.Summary);
        var options = MergeOptions.Default with
        {
            DryRun = dryRun,
            S3 = stores.S3Options(),
            ConfigureDynamoDbLock = stores.ConfigureDynamoDbLock,
        };
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

    /// <summary>A pipeline error's message in the terms of <c>merge</c>'s options: the provider is chosen by <c>--lock-table</c>.</summary>
    private static string OptionMessage(PipelineConfigError error) =>
        error.Path == "tables[0].lock.provider"
            ? error.Message.Replace("set it to 'dynamodb' (here or in defaults.lock)", "give --lock-table NAME (Hudi's default lock table is hudi_locks)", StringComparison.Ordinal)
            : error.Message;

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
            "lock" => field.Split('.').ElementAtOrDefault(1) switch
            {
                "table" or "provider" => "--lock-table",
                "partitionKey" => "--lock-key",
                "region" => "--lock-region",
                "endpointUrl" => "--lock-endpoint",
                "acquireWaitSeconds" => "--lock-wait",
                _ => field,
            },
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

    /// <summary>
    /// <c>merge</c>'s lock: <c>--lock-table</c> picks Hudi's DynamoDB lock (needed for a target on S3) and the others
    /// refine it; none of them: the local lock file. They set the pipeline entry's <c>lock</c> fields.
    /// </summary>
    private sealed class LockOptions
    {
        private readonly Option<string?> _table = new("--lock-table")
        {
            Description = "Take the table lock in this DynamoDB table (Hudi's DynamoDB lock, hoodie.write.lock.dynamodb.table; created when missing). Needed for a target on S3.",
            HelpName = "NAME",
        };

        private readonly Option<string?> _key = new("--lock-key")
        {
            Description = "The lock item's partition key (hoodie.write.lock.dynamodb.partition_key); default the table name.",
            HelpName = "VALUE",
        };

        private readonly Option<string?> _region = new("--lock-region") { Description = "The lock table's region; default AWS_REGION.", HelpName = "REGION" };

        private readonly Option<string?> _endpoint = new("--lock-endpoint")
        {
            Description = "DynamoDB endpoint override, e.g. a local stand-in; default AWS_ENDPOINT_URL_DYNAMODB.",
            HelpName = "URL",
        };

        private readonly Option<double?> _wait = new("--lock-wait")
        {
            Description = "Seconds to wait for a lock another writer holds (default 0: fail at once, naming the holder).",
            HelpName = "SECONDS",
        };

        public void AddTo(Command command)
        {
            command.Add(_table);
            command.Add(_key);
            command.Add(_region);
            command.Add(_endpoint);
            command.Add(_wait);
        }

        public LockSettings? Settings(ParseResult parse)
        {
            var settings = new LockSettings
            {
                Provider = parse.GetValue(_table) is null ? null : "dynamodb",
                Table = parse.GetValue(_table),
                PartitionKey = parse.GetValue(_key),
                Region = parse.GetValue(_region),
                EndpointUrl = parse.GetValue(_endpoint),
                AcquireWaitSeconds = parse.GetValue(_wait),
            };
            return settings is { Provider: null, PartitionKey: null, Region: null, EndpointUrl: null, AcquireWaitSeconds: null } ? null : settings;
        }
    }

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
