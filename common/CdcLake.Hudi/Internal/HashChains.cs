using System.Runtime.Intrinsics;

namespace CdcLake.Hudi.Internal;

/// <summary>
/// Hadoop hash chains (<see cref="BitRow.HashChain"/>) of eight keys of one length at once, one key per vector
/// lane. A chain is 30 murmur hashes each seeded with the one before, so a single key's chain is a long run of
/// dependent multiplications; eight independent chains side by side keep the multiplier busy. The key words are
/// mixed once for the whole chain: in Murmur only the running hash depends on the seed.
/// </summary>
internal static class HashChains
{
    public const int Lanes = 8;

    private const int M = 0x5bd1e995;

    /// <summary>Whether <see cref="TryEight"/> can run on vector hardware.</summary>
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    /// <summary>
    /// The chains of the eight keys <c>data[offsets[j]..offsets[j + 1]]</c>, j = 0..7, into
    /// <c>chains[i * 8 + j]</c> for hash i; false (nothing written) unless the keys share one non-zero length.
    /// </summary>
    public static bool TryEight(ReadOnlySpan<byte> data, ReadOnlySpan<int> offsets, int hashCount, Span<int> chains)
    {
        var length = offsets[1] - offsets[0];
        if (length == 0 || length > 64)
        {
            return false;
        }

        for (var j = 1; j < Lanes; j++)
        {
            if (offsets[j + 1] - offsets[j] != length)
            {
                return false;
            }
        }

        unchecked
        {
            var groups = length >> 2;
            Span<Vector256<int>> words = stackalloc Vector256<int>[16];
            Span<int> lane = stackalloc int[Lanes];
            var m = Vector256.Create(M);
            for (var g = 0; g < groups; g++)
            {
                for (var j = 0; j < Lanes; j++)
                {
                    var at = offsets[j] + (g << 2);
                    lane[j] = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24);
                }

                var k = Vector256.Create<int>(lane) * m;
                k ^= Vector256.ShiftRightLogical(k, 24);
                words[g] = k * m;
            }

            var left = length & 3;
            var tail = Vector256<int>.Zero;
            if (left != 0)
            {
                for (var j = 0; j < Lanes; j++)
                {
                    var at = offsets[j] + (groups << 2);
                    var t = 0;
                    if (left >= 3)
                    {
                        t ^= (sbyte)data[at + 2] << 16;
                    }

                    if (left >= 2)
                    {
                        t ^= (sbyte)data[at + 1] << 8;
                    }

                    lane[j] = t ^ (sbyte)data[at];
                }

                tail = Vector256.Create<int>(lane);
            }

            var len = Vector256.Create(length);
            var seed = Vector256<int>.Zero;
            for (var i = 0; i < hashCount; i++)
            {
                var h = seed ^ len;
                for (var g = 0; g < groups; g++)
                {
                    h = (h * m) ^ words[g];
                }

                if (left != 0)
                {
                    h = (h ^ tail) * m;
                }

                h ^= Vector256.ShiftRightLogical(h, 13);
                h *= m;
                h ^= Vector256.ShiftRightLogical(h, 15);
                h.CopyTo(chains.Slice(i * Lanes, Lanes));
                seed = h;
            }
        }

        return true;
    }
}
