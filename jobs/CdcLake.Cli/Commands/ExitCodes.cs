namespace CdcLake.Cli.Commands;

/// <summary>The exit codes of every cdclake command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Bad or unreadable data, or an I/O failure: one line on stderr naming the file.</summary>
    public const int DataError = 1;

    /// <summary>The command line itself is wrong: the errors, then the command's usage, on stderr.</summary>
    public const int UsageError = 2;
}
