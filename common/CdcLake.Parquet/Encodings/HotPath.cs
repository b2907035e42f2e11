using System.Runtime.CompilerServices;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// For the few kernels that run once per page (or per column chunk) over a million values: compiled
/// fully optimized on first call instead of starting as unoptimized tier-0 code. Such a method is called
/// too few times for call counting to promote it, so a run spends its first pages in tier-0 code, whose
/// helper calls (the width-specialised extractors of the bit unpacker, for instance) are not inlined,
/// until on-stack replacement catches up; a short process, such as one reading or writing a file once,
/// pays that on every page it reads before then. The price is no profile-guided re-optimization of
/// these methods, which are simple loops.
/// </summary>
internal static class HotPath
{
    public const MethodImplOptions Options = MethodImplOptions.AggressiveOptimization;
}
