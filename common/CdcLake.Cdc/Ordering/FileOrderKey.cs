using System.Text;

namespace CdcLake.Cdc;

/// <summary>Whether a change comes from the full load or from CDC: every LOAD row precedes every CDC change.</summary>
public enum ChangePhase : byte
{
    Load = 0,
    Cdc = 1,
}

/// <summary>
/// A DMS file's place in the total order, computed from its path alone so that it is the same on every run and
/// on every host (ORDERING.md). LOAD files: segment, then hex counter. CDC files: the time in the file name,
/// then a hash of the path (two files with one time: only when two layouts or tasks share a folder).
/// </summary>
public readonly record struct FileOrderKey : IComparable<FileOrderKey>
{
    private FileOrderKey(ChangePhase phase, byte segmentClass, ulong segment, uint counter, long timeTicks, uint pathHash)
    {
        Phase = phase;
        SegmentClass = segmentClass;
        Segment = segment;
        Counter = counter;
        TimeTicks = timeTicks;
        PathHash = pathHash;
    }

    public ChangePhase Phase { get; }

    /// <summary>LOAD: 0 unsegmented, 1 a <c>SEGMENTn_</c> prefix in the table folder, 2 a parallel-load subfolder.</summary>
    public byte SegmentClass { get; }

    /// <summary>LOAD: 0, the segment number n, or the FNV-1a 64 hash of the segment label.</summary>
    public ulong Segment { get; }

    /// <summary>LOAD: the file's hex counter (<c>LOAD0000000A</c> → 10).</summary>
    public uint Counter { get; }

    /// <summary>CDC: the file name's UTC time in ticks (100 ns), e.g. <c>20221023-013830913</c>.</summary>
    public long TimeTicks { get; }

    /// <summary>CDC: FNV-1a 32 of the path relative to the table folder.</summary>
    public uint PathHash { get; }

    public DateTime Time => new(TimeTicks, DateTimeKind.Utc);

    public static FileOrderKey Load(byte segmentClass, ulong segment, uint counter)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentClass, (byte)2);
        return new(ChangePhase.Load, segmentClass, segment, counter, 0, 0);
    }

    public static FileOrderKey Cdc(DateTime time, string relativePath) =>
        new(ChangePhase.Cdc, 0, 0, 0, time.Ticks, PathHashOf(relativePath));

    public static FileOrderKey Cdc(long timeTicks, uint pathHash) =>
        new(ChangePhase.Cdc, 0, 0, 0, timeTicks, pathHash);

    /// <summary>FNV-1a 32 over the UTF-8 bytes of <paramref name="relativePath"/> (<c>/</c>-separated, relative to the table folder).</summary>
    public static uint PathHashOf(string relativePath)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(relativePath))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    /// <summary>FNV-1a 64 over the UTF-8 bytes of <paramref name="text"/>: a parallel-load segment's label.</summary>
    public static ulong SegmentHashOf(string text)
    {
        var hash = 14695981039346656037ul;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211ul;
        }

        return hash;
    }

    public int CompareTo(FileOrderKey other)
    {
        var c = Phase.CompareTo(other.Phase);
        if (c != 0)
        {
            return c;
        }

        if (Phase == ChangePhase.Load)
        {
            c = SegmentClass.CompareTo(other.SegmentClass);
            if (c == 0)
            {
                c = Segment.CompareTo(other.Segment);
            }

            return c != 0 ? c : Counter.CompareTo(other.Counter);
        }

        c = TimeTicks.CompareTo(other.TimeTicks);
        return c != 0 ? c : PathHash.CompareTo(other.PathHash);
    }

    public static bool operator <(FileOrderKey left, FileOrderKey right) => left.CompareTo(right) < 0;

    public static bool operator >(FileOrderKey left, FileOrderKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(FileOrderKey left, FileOrderKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(FileOrderKey left, FileOrderKey right) => left.CompareTo(right) >= 0;
}
