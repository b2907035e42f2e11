namespace CdcLake.Parquet;

/// <summary>Validity bits, least significant bit first, as in Arrow: a set bit means the slot holds a value.</summary>
public static class Bitmap
{
    public static int BytesFor(int bits) => (int)(((uint)bits + 7) >> 3);

    /// <summary>A bitmap of <paramref name="bits"/> slots, all holding a value (to clear some of).</summary>
    public static byte[] AllSet(int bits)
    {
        var bitmap = new byte[BytesFor(bits)];
        bitmap.AsSpan().Fill(0xFF);
        return bitmap;
    }

    public static bool Get(ReadOnlySpan<byte> bitmap, int index) => (bitmap[index >> 3] & (1 << (index & 7))) != 0;

    public static void Set(Span<byte> bitmap, int index) => bitmap[index >> 3] |= (byte)(1 << (index & 7));

    public static void Clear(Span<byte> bitmap, int index) => bitmap[index >> 3] &= (byte)~(1 << (index & 7));

    public static int CountSet(ReadOnlySpan<byte> bitmap, int length)
    {
        var count = 0;
        var whole = length >> 3;
        for (var i = 0; i < whole; i++)
        {
            count += System.Numerics.BitOperations.PopCount(bitmap[i]);
        }

        for (var i = whole << 3; i < length; i++)
        {
            if (Get(bitmap, i))
            {
                count++;
            }
        }

        return count;
    }
}
