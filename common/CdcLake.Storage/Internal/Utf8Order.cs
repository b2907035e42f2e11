namespace CdcLake.Storage.Internal;

/// <summary>
/// Orders strings as their UTF-8 bytes compare, which is how S3 orders keys, so a local listing comes
/// back in the same order. UTF-16 ordinal order differs only where a surrogate pair meets a character
/// in U+E000..U+FFFF; the fix-up below moves surrogates above that range.
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            int a = x[i], b = y[i];
            if (a != b)
            {
                return Fix(a) - Fix(b);
            }
        }

        return x.Length - y.Length;
    }

    private static int Fix(int c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;
}
