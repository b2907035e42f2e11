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
