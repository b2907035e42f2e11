using System.Globalization;
using CdcLake.Hudi.Internal;

namespace CdcLake.Hudi;

/// <summary>A Hudi setting: its exact <c>hoodie.*</c> key, default and documentation, without its type.</summary>
public interface IConfigKey
{
    string Key { get; }

    /// <summary>The default as Java writes it, or null when the key has none.</summary>
    string? DefaultText { get; }

    string Doc { get; }

    /// <summary>Older names Hudi still reads for this key.</summary>
    IReadOnlyList<string> Alternatives { get; }
}

/// <summary>
/// A typed Hudi setting. Values are strings on disk; <see cref="Parse"/> reads them as Java does, except
/// that booleans must be <c>true</c>/<c>false</c> (Java silently reads any other text as false) and enum
/// names must match exactly (Java's <c>valueOf</c> is case-sensitive).
/// </summary>
public sealed class ConfigKey<T> : IConfigKey
    where T : notnull
{
    private readonly T? _default;

    public ConfigKey(string key, string doc, params string[] alternatives)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Key = key;
        Doc = doc;
        Alternatives = alternatives;
    }

    public ConfigKey(string key, T defaultValue, string doc, params string[] alternatives)
        : this(key, doc, alternatives)
    {
        _default = defaultValue;
        HasDefault = true;
    }

    public string Key { get; }

    public string Doc { get; }

    public IReadOnlyList<string> Alternatives { get; }

    public bool HasDefault { get; }

    /// <summary>The default; throws for a key without one.</summary>
    public T Default => HasDefault ? _default! : throw new InvalidOperationException($"{Key} has no default");

    public string? DefaultText => HasDefault ? Format(_default!) : null;

    /// <exception cref="HudiConfigException">The text is not a valid value of this key.</exception>
    public T Parse(string text) => ConfigValues.Parse<T>(Key, text);

    public string Format(T value) => ConfigValues.Format(value);

    /// <summary>The value in <paramref name="properties"/> (or under an alternative key), else the default, else null.</summary>
    public T? Get(JavaProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return FindText(properties) is { } text ? Parse(text) : HasDefault ? _default : default;
    }

    /// <summary>The raw text stored under the key or one of its alternatives, or null.</summary>
    public string? FindText(JavaProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (properties[Key] is { } text)
        {
            return text;
        }

        foreach (var alternative in Alternatives)
        {
            if (properties[alternative] is { } alt)
            {
                return alt;
            }
        }

        return null;
    }

    public override string ToString() => DefaultText is null ? Key : $"{Key} (default {DefaultText})";
}

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
