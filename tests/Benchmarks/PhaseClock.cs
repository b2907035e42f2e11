using System.Diagnostics;
using System.Globalization;
using System.Text;
using CdcLake.Cdc;
using CdcLake.Hudi;

namespace CdcLake.Benchmarks;

/// <summary>
/// A quick profile of one of our runs: the merge job's stages (its progress reports), the Hudi write's protocol steps
/// (planning — recovery, index lookup, routing — ends when the instant is requested; then the file groups are
/// written; then the commit), and the garbage collector's share.
/// </summary>
internal sealed class PhaseClock : IProgress<MergeProgress>, IWriteObserver
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<(string Stage, double Start)> _stages = [];
    private readonly TimeSpan _pausesAtStart = GC.GetTotalPauseDuration();
    private readonly int _gen2AtStart = GC.CollectionCount(2);
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes();
    private readonly List<(double Planning, double Files, double Commit)> _commits = [];
    private double _segmentStart;
    private double? _requested;
    private double? _lastFile;
    private int _files;

    public double Elapsed => _watch.Elapsed.TotalSeconds;

    public void Report(MergeProgress value)
    {
        lock (_stages)
        {
            if (_stages.Count == 0 || _stages[^1].Stage != value.Stage)
            {
                _stages.Add((value.Stage, Elapsed));
                if (value.Stage == "write" && _requested is null)
                {
                    _segmentStart = _stages[^1].Start;
                }
            }
        }
    }

    /// <remarks>
    /// Per commit: planning from the start of the write stage (or the previous commit) until the instant is requested,
    /// base files until the last is written, then the commit. A run may make several commits.
    /// </remarks>
    public void OnStep(WriteStep step, string detail)
    {
        lock (_stages)
        {
            var now = Elapsed;
            switch (step)
            {
                case WriteStep.Requested when _requested is null:
                    _requested = now;
                    break;
                case WriteStep.BaseFileWritten:
                    _files++;
                    _lastFile = now;
                    break;
                case WriteStep.Completed when _requested is { } requested:
                    var files = _lastFile ?? requested;
                    _commits.Add((requested - _segmentStart, files - requested, now - files));
                    (_segmentStart, _requested, _lastFile) = (now, null, null);
                    break;
            }
        }
    }

    /// <summary>The profile in one line, as of now.</summary>
    public string Describe()
    {
        var end = Elapsed;
        var text = new StringBuilder();
        lock (_stages)
        {
            for (var i = 0; i < _stages.Count; i++)
            {
                var until = i + 1 < _stages.Count ? _stages[i + 1].Start : end;
                text.Append(CultureInfo.InvariantCulture, $"{_stages[i].Stage} {until - _stages[i].Start:F1}s, ");
            }

            if (_commits.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"of the write{(_commits.Count > 1 ? $" ({_commits.Count} commits)" : "")}: ");
                text.Append(CultureInfo.InvariantCulture, $"planning (recovery, index lookup) {string.Join(" + ", _commits.Select(c => c.Planning.ToString("F1", CultureInfo.InvariantCulture)))}s, ");
                text.Append(CultureInfo.InvariantCulture, $"{_files} base files {string.Join(" + ", _commits.Select(c => c.Files.ToString("F1", CultureInfo.InvariantCulture)))}s, ");
                text.Append(CultureInfo.InvariantCulture, $"commit {_commits.Sum(c => c.Commit):F1}s; ");
            }
        }

        text.Append(CultureInfo.InvariantCulture,
            $"GC pauses {(GC.GetTotalPauseDuration() - _pausesAtStart).TotalSeconds:F1}s, {GC.CollectionCount(2) - _gen2AtStart} gen2 GCs, {(GC.GetTotalAllocatedBytes() - _allocatedAtStart) / (double)(1L << 30):F1} GiB allocated");
        return text.ToString();
    }
}
