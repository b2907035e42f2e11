using System.Diagnostics;
using System.Globalization;
using CdcLake.Cdc;

namespace CdcLake.Cli.Output;

/// <summary>
/// Shows the merge job's progress on stderr. On a terminal: one status line rewritten in place (at most ten times a
/// second) and cleared at the end. Otherwise (a pipe, a log file, a test): plain lines that a log keeps readable —
/// one when a table enters a stage, and while reading at most one every <see cref="PlainInterval"/>.
/// Called from the job's threads: every report is taken under one lock, and written synchronously.
/// </summary>
public sealed class ProgressReporter(TextWriter error, bool interactive) : IProgress<MergeProgress>, IDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private (string Table, string Stage)? _last;
    private TimeSpan _lastWrite = TimeSpan.MinValue;
    private int _lineWidth;
    private bool _finishedShown;

    /// <summary>True when <paramref name="writer"/> is the process's stderr and that is a terminal.</summary>
    public static bool IsTerminal(TextWriter writer) =>
        ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    public void Report(MergeProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            var now = _clock.Elapsed;
            var newStage = _last != (value.Table, value.Stage);
            // The last file of a stage is shown once, however often the job reports it.
            var finished = value.FilesTotal > 0 && value.FilesDone == value.FilesTotal && (newStage || !_finishedShown);
            var interval = interactive ? TerminalInterval : PlainInterval;
            if (!newStage && !finished && now - _lastWrite < interval)
            {
                return;
            }

            _finishedShown = finished || (!newStage && _finishedShown);
            _last = (value.Table, value.Stage);
            _lastWrite = now;
            var line = Describe(value);
            if (interactive)
            {
                error.Write("\r" + line.PadRight(_lineWidth));
                _lineWidth = line.Length;
            }
            else
            {
                error.WriteLine(line);
            }

            error.Flush();
        }
    }

    /// <summary>Clears the terminal's status line, so that what follows starts on a clean line.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (interactive && _lineWidth > 0)
            {
                error.Write("\r" + new string(' ', _lineWidth) + "\r");
                error.Flush();
                _lineWidth = 0;
            }
        }
    }

    internal static string Describe(MergeProgress value)
    {
        var text = $"{value.Table}: {value.Stage}";
        if (value.FilesTotal > 0 || value.RowsRead > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" {value.FilesDone}/{value.FilesTotal} files, {value.RowsRead:N0} rows read");
        }

        return text;
    }
}
