using System.Globalization;
using System.Numerics;

namespace CdcLake.Parquet;

/// <summary>An exact decimal of any precision: <c>Unscaled × 10^-Scale</c>. System.Decimal stops at 28 digits.</summary>
public readonly record struct ParquetDecimal(BigInteger Unscaled, int Scale)
{
    /// <summary>Reads the big-endian two's-complement bytes that BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY decimals hold.</summary>
    public static ParquetDecimal FromBigEndian(ReadOnlySpan<byte> bytes, int scale) =>
        new(bytes.IsEmpty ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: false, isBigEndian: true), scale);

    public decimal ToDecimal() => (decimal)Unscaled / (decimal)BigInteger.Pow(10, Scale);

    /// <summary>Plain notation with exactly <see cref="Scale"/> fractional digits, e.g. <c>-0.0100</c>.</summary>
    public override string ToString()
    {
        var digits = BigInteger.Abs(Unscaled).ToString(CultureInfo.InvariantCulture);
        var sign = Unscaled.Sign < 0 ? "-" : "";
        if (Scale <= 0)
        {
            return sign + digits + new string('0', -Scale);
        }

        digits = digits.PadLeft(Scale + 1, '0');
        return $"{sign}{digits[..^Scale]}.{digits[^Scale..]}";
    }
}
