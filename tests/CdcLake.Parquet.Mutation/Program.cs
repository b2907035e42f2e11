using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CdcLake.Testing;

namespace CdcLake.Parquet.Mutation;

/// <summary>
/// Mutation test of the Parquet reader. Usage:
/// <code>
/// dotnet CdcLake.Parquet.Mutation.dll [--seed N] [--variants N] [--timeout-seconds N] [--json PATH]
///     [--log PATH] [--save-dir DIR] [--only ID,ID...] [--max-source-bytes N] [--strict] [--duckdb DIR] [FILE|DIR ...]
/// </code>
/// Without FILE/DIR it mutates the valid fixtures in ../shared/fixtures/parquet (not bad_data/, not the
/// *corrupt-checksum* files). <c>--duckdb DIR</c> also writes a few files with DuckDB (the test oracle, so
/// node and tests/tools must be installed) into DIR and mutates them too. Variant i mutates source i mod (source count) with an RNG seeded from
/// (seed, i), so <c>--only i</c> replays one variant exactly. Each variant is read fully from memory and
/// ends as <c>ok</c>, <c>refused</c> (ParquetException), <c>crash</c> (any other exception) or <c>oom</c>
/// (OutOfMemoryException: run with DOTNET_GCHeapHardLimit, e.g. 0x60000000, so that a runaway allocation
/// hits the cap). A watchdog ends the run when one variant takes longer than the timeout (a hang).
/// A refusal whose inner exception is a .NET invariant failure (IndexOutOfRange, NullReference, Argument...,
/// InvalidOperation, InvalidCast, Overflow) was caught by the reader's safety net rather than by a check of
/// its own: it is counted as <c>wrapped</c>, and with --strict fails the run like a crash.
/// <c>--dump-layout FILE</c> prints the footer and page-header integers the mutations target.
/// Exit codes: 0 clean, 1 crash/oom (or wrapped with --strict), 2 usage or sources unusable, 3 hang.
/// </summary>
public static partial class Program
{
    private const int ExitClean = 0;
    private const int ExitFailures = 1;
    private const int ExitUsage = 2;
    private const int ExitHang = 3;

    private static readonly object s_outputLock = new();

    public static int Main(string[] args)
    {
        if (args is ["--dump-layout", var layoutPath])
        {
            // The structures the mutations target, for writing a variant by hand.
            var source = SourceFile.Load(layoutPath);
            Console.WriteLine(F($"footer at {source.FooterOffset}, {source.FooterLength} bytes{(source.LayoutNote is null ? "" : "; " + source.LayoutNote)}"));
            foreach (var t in source.FooterTokens)
            {
                Console.WriteLine(F($"  footer {t.Path} {t.Kind} @{t.Offset}+{t.Length} = {t.Value}"));
            }

            foreach (var page in source.Pages)
            {
                Console.WriteLine(F($"page header @{page.HeaderOffset}+{page.HeaderLength}, payload @{page.PayloadOffset}+{page.PayloadLength}"));
                foreach (var t in page.Tokens)
                {
                    Console.WriteLine(F($"  {t.Path} {t.Kind} @{t.Offset}+{t.Length} = {t.Value}"));
                }
            }

            return ExitClean;
        }

        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"usage error: {e.Message}");
            return ExitUsage;
        }

        return new Run(options).Execute();
    }

    internal sealed class Options
    {
        public long Seed { get; private set; } = 20261122;
        public int Variants { get; private set; } = 6000;
        public double TimeoutSeconds { get; private set; } = 10;
        public string? JsonPath { get; private set; }
        public string? LogPath { get; private set; }
        public string? SaveDir { get; private set; }
        public HashSet<int>? Only { get; private set; }
        public long MaxSourceBytes { get; private set; } = 1 << 20;
        public bool Strict { get; private set; }
        public string? DuckDbDir { get; private set; }
        public List<string> Inputs { get; } = [];

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--seed": o.Seed = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--variants": o.Variants = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--timeout-seconds": o.TimeoutSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--json": o.JsonPath = Next(); break;
                    case "--log": o.LogPath = Next(); break;
                    case "--save-dir": o.SaveDir = Next(); break;
                    case "--only": o.Only = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToHashSet(); break;
                    case "--max-source-bytes": o.MaxSourceBytes = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--strict": o.Strict = true; break;
                    case "--duckdb": o.DuckDbDir = Next(); break;
                    case var a when a.StartsWith("--", StringComparison.Ordinal): throw new ArgumentException($"unknown option {a}");
                    default: o.Inputs.Add(args[i]); break;
                }
            }

            if (o.Variants < 0 || o.TimeoutSeconds <= 0)
            {
                throw new ArgumentException("--variants must be >= 0 and --timeout-seconds > 0");
            }

            return o;
        }
    }

    private sealed record Failure(int Id, string File, string Kind, string Description, string Outcome, string ExceptionType, string Message, string Stack, long AllocatedBytes);

    private sealed class KindCounts
    {
        public int Total { get; set; }
        public int Ok { get; set; }
        public int Refused { get; set; }
        public int Wrapped { get; set; }
        public int Crash { get; set; }
        public int Oom { get; set; }
    }

    private sealed partial class Run(Options options)
    {
        private readonly Dictionary<string, KindCounts> _kinds = Mutator.Kinds.ToDictionary(k => k, _ => new KindCounts());
        private readonly List<Failure> _failures = [];
        private readonly Dictionary<string, int> _refusalReasons = new(StringComparer.Ordinal);
        private readonly List<(long Value, int Id, string Description)> _topAllocations = [];
        private readonly List<(long Value, int Id, string Description)> _slowest = [];
        private readonly List<string> _sourceNotes = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private List<SourceFile> _sources = [];
        private StreamWriter? _log;
        private int _done;
        private int _ok;
        private int _refused;
        private int _wrapped;
        private int _crash;
        private int _oom;
        private long _valueRefusals;
        private long _rows;
        private volatile Variant? _current;
        private long _currentStart;
        private bool _finished;

        public int Execute()
        {
            if (!string.IsNullOrEmpty(options.LogPath))
            {
                _log = new StreamWriter(options.LogPath, append: false) { AutoFlush = true };
            }

            try
            {
                if (!LoadSources())
                {
                    return ExitUsage;
                }

                var heapLimit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
                Console.WriteLine(F($"mutation: seed {options.Seed}, {options.Variants} variants over {_sources.Count} source files, per-variant timeout {options.TimeoutSeconds}s, GC heap limit {heapLimit / (1 << 20)} MiB (DOTNET_GCHeapHardLimit={Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") ?? "unset"})"));
                var watchdog = new Thread(Watchdog) { IsBackground = true, Name = "mutation-watchdog" };
                watchdog.Start();
                var readOptions = new ParquetReadOptions();
                for (var id = 0; id < options.Variants; id++)
                {
                    if (options.Only is not null && !options.Only.Contains(id))
                    {
                        continue;
                    }

                    RunVariant(id, readOptions);
                    if ((id + 1) % 1000 == 0 && options.Only is null)
                    {
                        Print(F($"  {id + 1} variants, {_clock.Elapsed.TotalSeconds:F1}s: ok {_ok}, refused {_refused} (wrapped {_wrapped}), crash {_crash}, oom {_oom}"));
                    }
                }

                lock (s_outputLock)
                {
                    _finished = true;
                    _current = null;
                }

                var failed = _crash + _oom + (options.Strict ? _wrapped : 0);
                Report(hang: null);
                return failed > 0 ? ExitFailures : ExitClean;
            }
            finally
            {
                _log?.Dispose();
            }
        }

        private bool LoadSources()
        {
            var inputs = options.Inputs.Count > 0 ? options.Inputs : [Path.Combine(RepoPaths.SharedFixtures, "parquet")];
            var paths = new List<string>();
            if (options.DuckDbDir is not null)
            {
                paths.AddRange(DuckDbSources.Generate(options.DuckDbDir, _sourceNotes));
            }

            foreach (var input in inputs)
            {
                if (Directory.Exists(input))
                {
                    paths.AddRange(Directory.GetFiles(input, "*.parquet", SearchOption.TopDirectoryOnly));
                }
                else if (File.Exists(input))
                {
                    paths.Add(input);
                }
                else
                {
                    Console.Error.WriteLine($"mutation: no such file or directory: {input}");
                    return false;
                }
            }

            foreach (var path in paths.Distinct().OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal).ThenBy(p => p, StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                if (name.Contains("corrupt-checksum", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var size = new FileInfo(path).Length;
                if (size > options.MaxSourceBytes)
                {
                    _sourceNotes.Add(F($"{name}: skipped, {size} bytes > --max-source-bytes {options.MaxSourceBytes}"));
                    continue;
                }

                SourceFile source;
                try
                {
                    source = SourceFile.Load(path);
                    var baseline = VariantReader.Read(source.Bytes, name, new ParquetReadOptions());
                    if (baseline.Refusal is not null)
                    {
                        _sourceNotes.Add($"{name}: skipped, the unmutated file does not read: {baseline.Refusal.Message}");
                        continue;
                    }
                }
                catch (Exception e) when (e is FormatException or IOException)
                {
                    _sourceNotes.Add($"{name}: skipped, {e.Message}");
                    continue;
                }

                if (source.LayoutNote is not null)
                {
                    _sourceNotes.Add($"{name}: page walk incomplete ({source.LayoutNote}); header-targeted mutations use the pages found");
                }

                _sources.Add(source);
            }

            foreach (var note in _sourceNotes)
            {
                Console.WriteLine($"  source {note}");
            }

            if (_sources.Count == 0)
            {
                Console.Error.WriteLine("mutation: no usable source files");
                return false;
            }

            _sources = [.. _sources];
            return true;
        }

        private void RunVariant(int id, ParquetReadOptions readOptions)
        {
            var source = _sources[id % _sources.Count];
            var variant = Mutator.Create(id, source, new Random(VariantSeed(options.Seed, id)));
            var counts = _kinds[variant.Kind];
            counts.Total++;
            _log?.WriteLine(F($"#{id} {source.Name} {variant.Kind}: {variant.Description}"));
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            Interlocked.Exchange(ref _currentStart, Stopwatch.GetTimestamp());
            _current = variant;
            string outcome;
            Exception? error = null;
            ReadResult? result = null;
            try
            {
                result = VariantReader.Read(variant.Bytes, F($"variant-{id}"), readOptions);
                outcome = result.Refusal is null ? "ok" : IsMaskedBug(result.Refusal) ? "wrapped" : "refused";
            }
            catch (Exception e) when (e is OutOfMemoryException || e is AggregateException a && a.Flatten().InnerExceptions.Any(i => i is OutOfMemoryException))
            {
                outcome = "oom";
                error = e;
            }
            catch (ParquetException e)
            {
                // Escaped the reader's own handling (e.g. from the schema): still the documented exception.
                outcome = IsMaskedBug(e) ? "wrapped" : "refused";
                result = new ReadResult { Refusal = e };
            }
            catch (Exception e)
            {
                outcome = "crash";
                error = e;
            }

            lock (s_outputLock)
            {
                _current = null;
            }

            var elapsed = Stopwatch.GetElapsedTime(Interlocked.Read(ref _currentStart));
            var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
            TrackTop(_topAllocations, allocated, id, F($"{source.Name} {variant.Kind}: {variant.Description}"));
            TrackTop(_slowest, elapsed.Ticks, id, F($"{source.Name} {variant.Kind}: {variant.Description}"));
            _done++;
            if (result is not null)
            {
                _valueRefusals += result.ValueRefusals;
                _rows += result.Rows;
            }

            switch (outcome)
            {
                case "ok": _ok++; counts.Ok++; break;
                case "refused": _refused++; counts.Refused++; break;
                case "wrapped": _refused++; _wrapped++; counts.Refused++; counts.Wrapped++; break;
                case "crash": _crash++; counts.Crash++; break;
                default: _oom++; counts.Oom++; break;
            }

            if (result?.Refusal is { } refusal)
            {
                var reason = Normalize(refusal.Reason);
                _refusalReasons[reason] = _refusalReasons.GetValueOrDefault(reason) + 1;
            }

            _log?.WriteLine(F($"#{id} -> {outcome}{(result?.Refusal is { } r ? ": " + r.Message : error is not null ? ": " + error.GetType().Name + ": " + error.Message : "")}"));
            if (outcome is "crash" or "oom" or "wrapped")
            {
                var shown = error ?? result!.Refusal!;
                var cause = outcome == "wrapped" ? InnermostBug(shown)! : shown;
                var failure = new Failure(id, source.Name, variant.Kind, variant.Description, outcome, cause.GetType().FullName!, shown.Message, cause.ToString(), allocated);
                _failures.Add(failure);
                SaveVariant(variant);
                if (outcome != "wrapped" || options.Strict || options.Only is not null)
                {
                    Print($"{outcome.ToUpperInvariant()} #{id} {source.Name} [{variant.Kind}] {variant.Description}\n    {cause}");
                }
            }
            else if (options.Only is not null)
            {
                Print(F($"#{id} {source.Name} [{variant.Kind}] {variant.Description}\n    -> {outcome}{(result?.Refusal is { } rr ? ": " + rr.Message : "")} (rows {result?.Rows}, values {result?.Values}, value refusals {result?.ValueRefusals})"));
            }
        }

        private void SaveVariant(Variant variant)
        {
            if (options.SaveDir is null)
            {
                return;
            }

            Directory.CreateDirectory(options.SaveDir);
            File.WriteAllBytes(Path.Combine(options.SaveDir, F($"variant-{variant.Id}.parquet")), variant.Bytes);
        }

        private static void TrackTop(List<(long Value, int Id, string Description)> top, long value, int id, string description)
        {
            top.Add((value, id, description));
            if (top.Count > 20)
            {
                top.Sort((a, b) => b.Value.CompareTo(a.Value));
                top.RemoveRange(5, top.Count - 5);
            }
        }

        private void Watchdog()
        {
            var limit = TimeSpan.FromSeconds(options.TimeoutSeconds);
            while (true)
            {
                Thread.Sleep(100);
                lock (s_outputLock)
                {
                    if (_finished)
                    {
                        return;
                    }

                    var variant = _current;
                    if (variant is null)
                    {
                        continue;
                    }

                    var elapsed = Stopwatch.GetElapsedTime(Interlocked.Read(ref _currentStart));
                    if (elapsed < limit)
                    {
                        continue;
                    }

                    Console.WriteLine(F($"HANG #{variant.Id} {variant.Source.Name} [{variant.Kind}] {variant.Description}: still running after {elapsed.TotalSeconds:F1}s"));
                    _failures.Add(new Failure(variant.Id, variant.Source.Name, variant.Kind, variant.Description, "hang", "", F($"still running after {elapsed.TotalSeconds:F1}s"), "", 0));
                    SaveVariant(variant);
                    _log?.WriteLine(F($"#{variant.Id} -> hang"));
                    try
                    {
                        Report(hang: variant);
                    }
                    finally
                    {
                        Console.Out.Flush();
                        Environment.Exit(ExitHang);
                    }
                }
            }
        }

        private void Report(Variant? hang)
        {
            var elapsed = _clock.Elapsed.TotalSeconds;
            Console.WriteLine(F($"per mutation kind (total ok refused wrapped crash oom):"));
            foreach (var (kind, c) in _kinds)
            {
                Console.WriteLine(F($"  {kind,-16} {c.Total,6} {c.Ok,6} {c.Refused,6} {c.Wrapped,6} {c.Crash,6} {c.Oom,6}"));
            }

            var wrappedGroups = _failures.Where(f => f.Outcome == "wrapped").GroupBy(f => Signature(f.Stack, f.ExceptionType)).ToArray();
            if (wrappedGroups.Length > 0)
            {
                Console.WriteLine($"refusals raised by the reader's safety net, not by a check of its own ({wrappedGroups.Length} distinct):");
                foreach (var g in wrappedGroups)
                {
                    Console.WriteLine(F($"  {g.Count(),5}x {g.Key} e.g. #{g.First().Id} {g.First().File} [{g.First().Kind}] {g.First().Description}"));
                }
            }

            Console.WriteLine("largest allocations per variant:");
            foreach (var (bytes, id, description) in _topAllocations.OrderByDescending(a => a.Value).Take(5))
            {
                Console.WriteLine(F($"  {bytes / (1 << 20),6} MiB #{id} {description}"));
            }

            Console.WriteLine("slowest variants:");
            foreach (var (ticks, id, description) in _slowest.OrderByDescending(a => a.Value).Take(5))
            {
                Console.WriteLine(F($"  {TimeSpan.FromTicks(ticks).TotalMilliseconds,6:F0} ms #{id} {description}"));
            }

            var status = hang is not null ? "HANG" : _crash + _oom > 0 || (options.Strict && _wrapped > 0) ? "FAILED" : "PASSED";
            Console.WriteLine(F($"mutation summary: {status} seed={options.Seed} variants={_done} ok={_ok} refused={_refused} wrapped={_wrapped} crash={_crash} oom={_oom} hang={(hang is null ? 0 : 1)} sources={_sources.Count} rows={_rows} valueRefusals={_valueRefusals} elapsed={elapsed:F1}s"));
            if (options.JsonPath is not null)
            {
                var summary = new
                {
                    status,
                    seed = options.Seed,
                    requestedVariants = options.Variants,
                    variants = _done,
                    ok = _ok,
                    refused = _refused,
                    wrapped = _wrapped,
                    crash = _crash,
                    oom = _oom,
                    hang = hang is null ? 0 : 1,
                    strict = options.Strict,
                    elapsedSeconds = Math.Round(elapsed, 1),
                    timeoutSeconds = options.TimeoutSeconds,
                    heapLimitBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
                    rows = _rows,
                    valueRefusals = _valueRefusals,
                    sources = _sources.Select(s => new { s.Name, bytes = s.Bytes.Length, pages = s.Pages.Count, footerTokens = s.FooterTokens.Count }),
                    sourceNotes = _sourceNotes,
                    kinds = _kinds.ToDictionary(kv => kv.Key, kv => kv.Value),
                    failures = _failures,
                    topRefusalReasons = _refusalReasons.OrderByDescending(kv => kv.Value).Take(40).ToDictionary(kv => kv.Key, kv => kv.Value),
                    distinctRefusalReasons = _refusalReasons.Count,
                    largestAllocations = _topAllocations.OrderByDescending(a => a.Value).Take(5).Select(a => new { a.Id, Bytes = a.Value, a.Description }),
                    slowest = _slowest.OrderByDescending(a => a.Value).Take(5).Select(a => new { a.Id, Milliseconds = Math.Round(TimeSpan.FromTicks(a.Value).TotalMilliseconds, 1), a.Description }),
                };
                File.WriteAllText(options.JsonPath, JsonSerializer.Serialize(summary, s_json));
            }
        }

        private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

        private static void Print(string line)
        {
            lock (s_outputLock)
            {
                Console.WriteLine(line);
            }
        }

        private static string Normalize(string reason) => Digits().Replace(reason, "N");

        private static string Signature(string stack, string type)
        {
            var frame = stack.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at CdcLake.Parquet.", StringComparison.Ordinal) && !l.Contains(".Mutation.", StringComparison.Ordinal)) ?? "?";
            var cut = frame.IndexOf(" in ", StringComparison.Ordinal);
            return $"{type} {(cut > 0 ? frame[..cut] : frame)}";
        }

        [GeneratedRegex(@"-?\d+")]
        private static partial Regex Digits();
    }

    /// <summary>
    /// True when the reader's safety net turned a .NET invariant failure into the refusal: the codec did not
    /// check the condition itself, which may hide a genuine bug.
    /// </summary>
    private static bool IsMaskedBug(ParquetException e) => InnermostBug(e) is not null;

    private static Exception? InnermostBug(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is IndexOutOfRangeException or ArgumentException or NullReferenceException or InvalidOperationException
                or InvalidCastException or OverflowException or FormatException)
            {
                return inner;
            }
        }

        return null;
    }

    /// <summary>SplitMix64 of (seed, id): independent, reproducible RNG streams per variant.</summary>
    private static int VariantSeed(long seed, int id)
    {
        unchecked
        {
            var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)id + 1;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFFFFFF);
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
