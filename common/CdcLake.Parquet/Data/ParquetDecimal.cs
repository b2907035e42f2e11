using System.Globalization;
using System.Numerics;

namespace CdcLake.Parquet;

/// <summary>An exact decimal of any precision: <c>Unscaled × 10^-Scale</c>. System.Decimal stops at 28 digits.</summary>
public readonly record struct ParquetDecimal(BigInteger Unscaled, int Scale)
{
    /// <summary>Reads the big-endian two's-complement bytes that BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY decimals hold.</summary>
    public static ParquetDecimal FromBigEndian(ReadOnlySpan<byte> bytes, int scale) =>
        new(bytes.IsEmpty ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: false, isBigEndian: true), scale);

    /// <summary>Writes <paramref name="unscaled"/> as those bytes, sign-extended to fill <paramref name="slot"/> (a FIXED_LEN_BYTE_ARRAY value).</summary>
    /// <exception cref="OverflowException">The value needs more bytes than the slot has.</exception>
    public static void WriteBigEndian(BigInteger unscaled, Span<byte> slot)
    {
        var count = unscaled.GetByteCount(isUnsigned: false);
        if (count > slot.Length)
        {
            throw new OverflowException($"decimal {unscaled} does not fit {slot.Length} bytes");
        }

        slot.Fill(unscaled.Sign < 0 ? (byte)0xFF : (byte)0);
        unscaled.TryWriteBytes(slot[(slot.Length - count)..], out _, isUnsigned: false, isBigEndian: true);
    }

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
