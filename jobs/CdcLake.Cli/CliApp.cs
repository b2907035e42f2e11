using System.CommandLine;
using CdcLake.Cli.Commands;

namespace CdcLake.Cli;

/// <summary>
/// The <c>cdclake</c> command tree and how it is run. Each command group lives in its own class under
/// Commands/ and is added here (<c>parquet</c>, <c>hudi</c>, <c>sample</c>, <c>run</c>, <c>merge</c>); the
/// rendering of values and metadata lives under Output/, shared by the groups.
/// </summary>
public static class CliApp
{
    public static RootCommand CreateRootCommand(ParquetIo? parquetIo = null, TableStores? tableStores = null)
    {
        var root = new RootCommand("CdcLake: merges AWS DMS change files into Apache Hudi tables; tools for the files involved.");
        root.Add(ParquetCommands.Create(parquetIo ?? ParquetIo.Default));
        var stores = tableStores ?? TableStores.Default;
        root.Add(HudiCommands.Create(stores));
        root.Add(SampleCommands.Create());
        root.Add(MergeCommands.Run(stores));
        root.Add(MergeCommands.Merge(stores));
        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command, writing to <paramref name="output"/> and
    /// <paramref name="error"/>. Returns <see cref="ExitCodes.UsageError"/> (2) for a command line that does not
    /// parse, after writing the errors and the command's usage to <paramref name="error"/>;
    /// otherwise the command's own exit code (0, or 1 for data and I/O errors). <paramref name="tableStores"/>
    /// opens table locations (default: S3 settings from the process environment).
    /// </summary>
    public static int Invoke(IReadOnlyList<string> args, TextWriter output, TextWriter error, ParquetIo? parquetIo = null, TableStores? tableStores = null)
    {
        var root = CreateRootCommand(parquetIo, tableStores);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            return UsageError(root, parse, error);
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static int UsageError(RootCommand root, ParseResult parse, TextWriter error)
    {
        foreach (var parseError in parse.Errors)
        {
            error.WriteLine($"{CommandRunner.Program}: {parseError.Message}");
        }

        error.WriteLine();

        // The usage of the innermost command that parsed: its help, sent to stderr.
        var path = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            path.Insert(0, result.Command.Name);
        }

        path.Add("--help");
        root.Parse(path).Invoke(new InvocationConfiguration { Output = error, Error = error });
        error.Flush();
        return ExitCodes.UsageError;
    }
}
