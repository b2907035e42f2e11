using System.CommandLine;
using System.Globalization;
using CdcLake.Cdc;

namespace CdcLake.Cli.Commands;

/// <summary>
/// <c>cdclake sample --out DIR</c>: writes a realistic DMS bucket (full load, then CDC batches of three related
/// tables) and a ready pipeline file, to try the job on and to test it with (see <see cref="DmsSample"/>).
/// </summary>
public static class SampleCommands
{
    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "The folder to write into: DIR/dms/sales/public/<table>/ and DIR/pipeline.json (targets DIR/lake/sales/<table>).",
            HelpName = "DIR",
            Required = true,
        };
        var rows = CliOptions.PositiveNumber("--rows", "Rows of the main tables' full load (default 1000).", max: 10_000_000);
        var batches = WholeNumber("--batches", "K", "CDC batches after the full load (default 5).", max: 1000);
        var seed = WholeNumber("--seed", "S", "The same seed writes the same files (default 1).", max: int.MaxValue);
        var command = new Command("sample", "Write a sample DMS bucket (customers, orders, order_lines: a full load, then CDC batches) and a pipeline file for it.")
        {
            output,
            rows,
            batches,
            seed,
        };
        command.SetGuardedAction((parse, context) =>
        {
            var folder = parse.GetRequiredValue(output);
            var options = new DmsSampleOptions
            {
                Rows = (int)(parse.GetValue(rows) ?? 1000),
                Batches = (int)(parse.GetValue(batches) ?? 5),
                Seed = (int)(parse.GetValue(seed) ?? 1),
            };
            context.File = folder;
            var result = DmsSample.Write(folder, options);
            var o = context.Out;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sample DMS bucket in {result.Root} (seed {options.Seed}, {options.Rows} rows, {options.Batches} CDC batches):"));
            foreach (var table in result.Tables)
            {
                o.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {table.Name,-12} {Path.GetRelativePath(result.Root, table.Folder).Replace('\\', '/'),-32} {table.LoadFiles,3} LOAD files ({table.LoadRows} rows), {table.CdcFiles,3} CDC files ({table.CdcRows} changes)"));
            }

            o.WriteLine($"pipeline: {result.PipelineFile}");
            o.Flush();
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>An optional whole number from 0 to <paramref name="max"/>; anything else is a usage error.</summary>
    private static Option<long?> WholeNumber(string name, string helpName, string description, long max) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result =>
        {
            var text = string.Join(' ', result.Tokens.Select(t => t.Value));
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= max)
            {
                return value;
            }

            result.AddError($"{name} must be a whole number from 0 to {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'.");
            return null;
        },
    };
}
