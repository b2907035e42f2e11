using System.CommandLine;
using CdcLake.Cli.Output;
using CdcLake.Hudi;
using CdcLake.Parquet;

namespace CdcLake.Cli.Commands;

/// <summary>What a command's body works with: its output streams, and the file it is busy with (named in errors).</summary>
public sealed class CommandContext(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;

    public TextWriter Err { get; } = error;

    /// <summary>The file being read or written now; errors that do not name a file are reported against it.</summary>
    public string? File { get; set; }
}

/// <summary>
/// Runs command bodies under the CLI's error policy, so every command group reports alike: expected
/// failures (<see cref="ParquetException"/>, <see cref="HudiException"/>, <see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>)
/// become ONE line <c>cdclake: FILE: message</c> on stderr and exit code 1, without a stack trace.
/// A consumer closing the pipe (<c>… | head</c>) ends the command quietly with 0. Anything else is a
/// bug: it is reported with its stack trace (exit code 1).
/// </summary>
public static class CommandRunner
{
    public const string Program = "cdclake";

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/> run under <see cref="Run"/>.</summary>
    public static void SetGuardedAction(this Command command, Func<ParseResult, CommandContext, int> body) =>
        command.SetAction(parse => Run(parse, body));

    public static int Run(ParseResult parse, Func<ParseResult, CommandContext, int> body)
    {
        var context = new CommandContext(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        try
        {
            return body(parse, context);
        }
        catch (OutputWriteException e) when (e.IsBrokenPipe)
        {
            return ExitCodes.Success;
        }
        catch (OutputWriteException e)
        {
            return Fail(context, $"<stdout>: {e.Message}");
        }
        catch (ParquetException e)
        {
            return Fail(context, e.File is null && context.File is not null ? e.WithContext(context.File).Message : e.Message);
        }
        catch (HudiException e)
        {
            // Hudi's messages name the table or file they are about already.
            return Fail(context, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(context, context.File is null ? e.Message : $"{context.File}: {e.Message}");
        }
        catch (Exception e)
        {
            context.Err.WriteLine($"{Program}: {context.File ?? "?"}: internal error: {e}");
            context.Err.Flush();
            return ExitCodes.DataError;
        }
    }

    private static int Fail(CommandContext context, string message)
    {
        context.Err.WriteLine($"{Program}: {OneLine(message)}");
        context.Err.Flush();
        return ExitCodes.DataError;
    }

    private static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();
}
