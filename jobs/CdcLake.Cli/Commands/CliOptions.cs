using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace CdcLake.Cli.Commands;

/// <summary>Option and argument shapes shared by the command groups.</summary>
public static class CliOptions
{
    /// <summary>An optional positive whole number (<c>--limit 10</c>); 0, negatives and non-numbers are usage errors.</summary>
    public static Option<long?> PositiveNumber(string name, string description, long max = long.MaxValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= max)
            {
                return value;
            }

            result.AddError(max == long.MaxValue
                ? $"{name} must be a positive whole number, got '{text}'."
                : $"{name} must be a whole number from 1 to {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'.");
            return null;
        },
    };

    /// <summary>One of <paramref name="choices"/>, the first being the default.</summary>
    public static Option<string> Choice(string name, string description, params string[] choices)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join('|', choices),
            DefaultValueFactory = _ => choices[0],
        };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }

    /// <summary>
    /// A comma-separated list of names (<c>--columns a,b</c>), given once; duplicates are dropped, blank
    /// entries are usage errors.
    /// </summary>
    public static Option<IReadOnlyList<string>?> NameList(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "a,b,…",
        Arity = ArgumentArity.ExactlyOne,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var names = new List<string>();
            foreach (var token in result.Tokens)
            {
                foreach (var part in token.Value.Split(','))
                {
                    var trimmed = part.Trim();
                    if (trimmed.Length == 0)
                    {
                        result.AddError($"{name} takes comma-separated names without blanks, got '{token.Value}'.");
                        return null;
                    }

                    if (!names.Contains(trimmed, StringComparer.Ordinal))
                    {
                        names.Add(trimmed);
                    }
                }
            }

            return names;
        },
    };

    public static Argument<string> File(string name, string description) => new(name) { Description = description };
}
