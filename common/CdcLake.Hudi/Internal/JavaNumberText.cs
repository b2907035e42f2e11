using System.Globalization;
using System.Numerics;
using System.Text;

namespace CdcLake.Hudi.Internal;

/// <summary>
/// Java's toString of numbers, which Hudi's keys and configs are made of: Double/Float.toString (shortest
/// round-trip digits, as Java 19+ prints them; plain between 10^-3 and 10^7, else d.dddE±n) and
/// BigDecimal.toString (plain unless the exponent is below −6 or the scale negative).
/// </summary>
internal static class JavaNumberText
{
    public static string Double(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        return FromShortest(value.ToString("R", CultureInfo.InvariantCulture), value == 0 && double.IsNegative(value), Math.Abs(value));
    }

    public static string Float(float value)
    {
        if (float.IsNaN(value))
        {
            return "NaN";
        }

        if (float.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        return FromShortest(value.ToString("R", CultureInfo.InvariantCulture), value == 0 && float.IsNegative(value), Math.Abs(value));
    }

    /// <summary>java.math.BigDecimal.toString of unscaled × 10^−scale.</summary>
    public static string BigDecimal(BigInteger unscaled, int scale)
    {
        var digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture);
        var sign = unscaled.Sign < 0 ? "-" : "";
        if (scale == 0)
        {
            return sign + digits;
        }

        var adjusted = -(long)scale + (digits.Length - 1);
        if (scale > 0 && adjusted >= -6)
        {
            if (digits.Length > scale)
            {
                return sign + digits[..^scale] + "." + digits[^scale..];
            }

            return sign + "0." + new string('0', scale - digits.Length) + digits;
        }

        var sb = new StringBuilder(sign);
        sb.Append(digits[0]);
        if (digits.Length > 1)
        {
            sb.Append('.').Append(digits, 1, digits.Length - 1);
        }

        sb.Append('E');
        if (adjusted > 0)
        {
            sb.Append('+');
        }

        sb.Append(adjusted.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>java.math.BigDecimal.toString of a .NET decimal (its scale is kept: 1.50m → "1.50").</summary>
    public static string BigDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        var scale = (bits[3] >> 16) & 0xFF;
        return BigDecimal(bits[3] < 0 ? -magnitude : magnitude, scale);
    }

    // Re-lays .NET's shortest round-trip digits ("1.2345E-05", "123.45", "1E+16") the way Java does.
    private static string FromShortest(string roundTrip, bool negativeZero, double magnitude)
    {
        var negative = roundTrip.StartsWith('-') || negativeZero;
        var text = roundTrip.TrimStart('-');
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? text : text.Remove(point, 1);
        var intDigits = (point < 0 ? text.Length : point) + exponent;

        // Normalise: no leading zeros (keep one digit for zero), no trailing zeros.
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
            intDigits--;
        }

        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0)
        {
            return (negative ? "-" : "") + "0.0";
        }

        var sb = new StringBuilder(negative ? "-" : "");
        if (magnitude >= 1e-3 && magnitude < 1e7)
        {
            if (intDigits <= 0)
            {
                sb.Append("0.").Append('0', -intDigits).Append(digits);
            }
            else if (intDigits >= digits.Length)
            {
                sb.Append(digits).Append('0', intDigits - digits.Length).Append(".0");
            }
            else
            {
                sb.Append(digits, 0, intDigits).Append('.').Append(digits, intDigits, digits.Length - intDigits);
            }
        }
        else
        {
            sb.Append(digits[0]).Append('.');
            sb.Append(digits.Length > 1 ? digits[1..] : "0");
            sb.Append('E').Append((intDigits - 1).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
