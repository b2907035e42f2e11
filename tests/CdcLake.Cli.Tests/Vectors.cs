using System.Text;
using CdcLake.Cli.Output;
using CdcLake.Parquet;

namespace CdcLake.Cli.Tests;

/// <summary>Builds one-column vectors for formatter tests.</summary>
internal static class Vectors
{
    public static PrimitiveField Leaf(PhysicalType type, LogicalType? logical = null, int length = 0, string name = "v") =>
        new(name, type, logical, Repetition.Optional, length);

    public static PrimitiveVector<T> Of<T>(PrimitiveField field, params T?[] values)
        where T : unmanaged
    {
        var data = values.Select(v => v ?? default).ToArray();
        return new PrimitiveVector<T>(field, data, values.Length, Validity(values.Select(v => v.HasValue)));
    }

    public static BooleanVector Bools(PrimitiveField field, params bool?[] values) =>
        new(field, values.Select(v => v ?? false).ToArray(), values.Length, Validity(values.Select(v => v.HasValue)));

    public static BinaryVector Binary(PrimitiveField field, params byte[]?[] values)
    {
        var offsets = new int[values.Length + 1];
        var data = new List<byte>();
        for (var i = 0; i < values.Length; i++)
        {
            data.AddRange(values[i] ?? []);
            offsets[i + 1] = data.Count;
        }

        return new BinaryVector(field, offsets, [.. data], values.Length, Validity(values.Select(v => v is not null)));
    }

    public static BinaryVector Strings(PrimitiveField field, params string?[] values) =>
        Binary(field, values.Select(v => v is null ? null : Encoding.UTF8.GetBytes(v)).ToArray());

    /// <summary>A validity bitmap, or null when every slot is valid.</summary>
    public static byte[]? Validity(IEnumerable<bool> valid)
    {
        var bits = valid.ToArray();
        if (bits.All(b => b))
        {
            return null;
        }

        var bitmap = new byte[Bitmap.BytesFor(bits.Length)];
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                Bitmap.Set(bitmap, i);
            }
        }

        return bitmap;
    }

    public static byte[]? Validity(params bool[] valid) => Validity((IEnumerable<bool>)valid);

    /// <summary>Every slot of <paramref name="vector"/> as compact JSON.</summary>
    public static string[] Json(ColumnVector vector)
    {
        var formatter = new ValueFormatter();
        return Enumerable.Range(0, vector.Length).Select(i => formatter.ToJson(vector, i)).ToArray();
    }

    /// <summary>The single value of a one-element vector of <paramref name="field"/> as compact JSON.</summary>
    public static string Json<T>(PrimitiveField field, T value)
        where T : unmanaged => Json(Of<T>(field, value))[0];

    public static string JsonBytes(PrimitiveField field, byte[] value) => Json(Binary(field, value))[0];
}
