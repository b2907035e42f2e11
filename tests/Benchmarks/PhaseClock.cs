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
    private double? _requested;
    private double? _lastFile;
    private double? _completed;
    private int _files;

    public double Elapsed => _watch.Elapsed.TotalSeconds;

    public void Report(MergeProgress value)
    {
        lock (_stages)
        {
            if (_stages.Count == 0 || _stages[^1].Stage != value.Stage)
            {
                _stages.Add((value.Stage, Elapsed));
            }
        }
    }

    public void OnStep(WriteStep step, string detail)
    {
        lock (_stages)
        {
            switch (step)
            {
                case WriteStep.Requested:
                    _requested ??= Elapsed;
                    break;
                case WriteStep.BaseFileWritten:
                    _files++;
                    _lastFile = Elapsed;
                    break;
                case WriteStep.Completed:
                    _completed ??= Elapsed;
                    break;
            }
        }
    }

    /// <summary>The profile in one line, as of now.</summary>
    public string Describe(double writeStart = 0)
    {
        var end = Elapsed;
        var text = new StringBuilder();
        lock (_stages)
        {
            for (var i = 0; i < _stages.Count; i++)
            {
                var until = i + 1 < _stages.Count ? _stages[i + 1].Start : end;
                text.Append(CultureInfo.InvariantCulture, $"{_stages[i].Stage} {until - _stages[i].Start:F1}s, ");
                if (_stages[i].Stage == "write")
                {
                    writeStart = _stages[i].Start;
                }
            }

            if (_requested is { } requested)
            {
                text.Append(CultureInfo.InvariantCulture, $"of the write: planning (recovery, index lookup) {requested - writeStart:F1}s, ");
                text.Append(CultureInfo.InvariantCulture, $"{_files} base files {(_lastFile ?? requested) - requested:F1}s, ");
                text.Append(CultureInfo.InvariantCulture, $"commit {(_completed ?? end) - (_lastFile ?? requested):F1}s; ");
            }
        }

        text.Append(CultureInfo.InvariantCulture,
            $"GC pauses {(GC.GetTotalPauseDuration() - _pausesAtStart).TotalSeconds:F1}s, {GC.CollectionCount(2) - _gen2AtStart} gen2 GCs, {(GC.GetTotalAllocatedBytes() - _allocatedAtStart) / (double)(1L << 30):F1} GiB allocated");
        return text.ToString();
    }
}
