using System.Runtime.CompilerServices;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// Resolves dictionary indices (decoded by <see cref="RleBitPackedHybrid.DecodeDictionaryIndices"/>) to values,
/// checking every index: the indices come from the file and nothing else stands between them and the dictionary.
/// </summary>
internal static class DictionaryGather
{
    /// <summary>Writes <c>dictionary[indices[i]]</c> to <c>output[i]</c> for every index.</summary>
    // Runs once per page over many values: compiled fully optimized on first use (see HotPath.cs).
    [MethodImpl(HotPath.Options)]
    public static void Gather<T>(ReadOnlySpan<T> dictionary, ReadOnlySpan<int> indices, Span<T> output)
    {
        if (output.Length < indices.Length)
        {
            throw new ArgumentException($"output holds {output.Length} values, {indices.Length} needed", nameof(output));
        }

        uint size = (uint)dictionary.Length;
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= size)
            {
                OutOfRange(index, i, dictionary.Length);
            }

            output[i] = dictionary[index];
        }
    }

    /// <summary>Appends <c>dictionary[indices[i]]</c> for every index to <paramref name="output"/>.</summary>
    // Runs once per page over many values: compiled fully optimized on first use (see HotPath.cs).
    [MethodImpl(HotPath.Options)]
    public static void Gather(ByteArraySpan dictionary, ReadOnlySpan<int> indices, ByteArrayBuilder output)
    {
        dictionary.Validate("dictionary");
        ReadOnlySpan<int> offsets = dictionary.Offsets;
        int size = dictionary.Count;

        // Check and size in one pass so the copy loop grows the output at most once.
        long total = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)size)
            {
                OutOfRange(index, i, size);
            }

            total += offsets[index + 1] - offsets[index];
        }

        output.AppendGathered(dictionary, indices, total);
    }

    private static void OutOfRange(int index, int position, int size) =>
        EncodingErrors.Throw($"dictionary index {index} at position {position} is out of range for a dictionary of {size} values");
}
