using System.Globalization;

namespace CdcLake.Hudi.Internal;

/// <summary>Parses and prints config values as Hudi's Java code does (see <see cref="ConfigKey{T}"/>).</summary>
internal static class ConfigValues
{
    public static T Parse<T>(string key, string text)
        where T : notnull
    {
        object value;
        if (typeof(T) == typeof(string))
        {
            value = text;
        }
        else if (typeof(T) == typeof(bool))
        {
            value = text.Trim().ToUpperInvariant() switch
            {
                "TRUE" => true,
                "FALSE" => false,
                _ => throw new HudiConfigException($"{key}={text}: expected true or false"),
            };
        }
        else if (typeof(T) == typeof(int))
        {
            value = int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
                ? i
                : throw new HudiConfigException($"{key}={text}: expected a 32-bit integer");
        }
        else if (typeof(T) == typeof(long))
        {
            value = long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? l
                : throw new HudiConfigException($"{key}={text}: expected a 64-bit integer");
        }
        else if (typeof(T) == typeof(double))
        {
            value = double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw new HudiConfigException($"{key}={text}: expected a number");
        }
        else if (typeof(T).IsEnum)
        {
            value = JavaEnumNames.Parse(typeof(T), text)
                ?? throw new HudiConfigException(
                    $"{key}={text}: expected one of {string.Join(", ", JavaEnumNames.All(typeof(T)))} " +
                    "(Java reads enum names case-sensitively)");
        }
        else
        {
            throw new NotSupportedException($"config values of type {typeof(T).Name}");
        }

        return (T)value;
    }

    public static string Format<T>(T value)
        where T : notnull => value switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            double d => JavaNumberText.Double(d),
            Enum e => JavaEnumNames.NameOf(e),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
}
