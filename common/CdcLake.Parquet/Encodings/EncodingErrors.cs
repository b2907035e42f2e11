using System.Diagnostics.CodeAnalysis;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// Throw sites kept out of line so the decoders' hot loops stay small enough to inline and register-allocate well.
/// </summary>
internal static class EncodingErrors
{
    [DoesNotReturn]
    public static void Throw(string reason) => throw new ParquetException(reason);

    [DoesNotReturn]
    public static T Throw<T>(string reason) => throw new ParquetException(reason);

    [DoesNotReturn]
    public static void TooShort(string encoding, string what, long needed, long available) =>
        throw new ParquetException($"{encoding}: {what} needs {needed} bytes but only {available} remain");

    [DoesNotReturn]
    public static void NegativeCount(string encoding, int count) =>
        throw new ParquetException($"{encoding}: value count {count} is negative");
}
