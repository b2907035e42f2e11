using System.Globalization;
using System.Text.Json;
using CdcLake.Parquet;
using CdcLake.Testing;

namespace CdcLake.Cli.Tests;

/// <summary>
/// Compares one jsonl value of ours with DuckDB's canonical form of the same value, directed by our
/// schema. Only differences that are legitimate are normalized:
/// <list type="bullet">
/// <item>FLOAT/DOUBLE: compared as numbers of their width (DuckDB writes <c>1e+300</c>, .NET <c>1E+300</c>).</item>
/// <item>FLOAT16: DuckDB reads it as FLOAT, so its text is the float32 shortest form; compared as halves.</item>
/// <item>TIMESTAMP(NANOS) and TIME(NANOS): DuckDB keeps 9 digits, we truncate to 6.</item>
/// <item>TIME adjusted to UTC: DuckDB reads TIME WITH TIME ZONE and appends <c>+00:00</c>.</item>
/// <item>Timestamps from the legacy TIMESTAMP_MILLIS/MICROS converted types, and INT96: the schema layer
///   treats them as UTC instants (as Spark does) so we write <c>Z</c>; DuckDB reads them as plain
///   TIMESTAMP. Only for these columns may our <c>Z</c> be missing on DuckDB's side; elsewhere the
///   presence of <c>Z</c> must agree with DuckDB's TIMESTAMP vs TIMESTAMP WITH TIME ZONE.</item>
/// <item>INTERVAL: we print the 12 stored bytes as base64; DuckDB an object of months, days, micros.</item>
/// </list>
/// </summary>
internal sealed class OracleComparison(ISet<string> legacyUtcLeafNames)
{
    private readonly List<string> _differences = [];

    public IReadOnlyList<string> Differences => _differences;

    public void Compare(string where, JsonElement ours, JsonElement duck, Field field)
    {
        if (_differences.Count >= 20)
        {
            return;
        }

        if (ours.ValueKind == JsonValueKind.Null || duck.ValueKind == JsonValueKind.Null)
        {
            if (ours.ValueKind != duck.ValueKind)
            {
                Differ(where, ours, duck);
            }

            return;
        }

        switch (field)
        {
            case StructField s:
                if (ours.ValueKind != JsonValueKind.Object || duck.ValueKind != JsonValueKind.Object)
                {
                    Differ(where, ours, duck);
                    return;
                }

                var ourNames = ours.EnumerateObject().Select(p => p.Name).ToArray();
                var duckNames = duck.EnumerateObject().Select(p => p.Name).ToArray();
                if (!ourNames.SequenceEqual(duckNames) || !ourNames.SequenceEqual(s.Children.Select(c => c.Name)))
                {
                    _differences.Add($"{where}: fields [{string.Join(",", ourNames)}] vs DuckDB [{string.Join(",", duckNames)}]");
                    return;
                }

                foreach (var child in s.Children)
                {
                    Compare($"{where}.{child.Name}", ours.GetProperty(child.Name), duck.GetProperty(child.Name), child);
                }

                return;
            case ListField l:
                CompareArrays(where, ours, duck, (i, o, d) => Compare($"{where}[{i}]", o, d, l.Element));
                return;
            case MapField m:
                CompareArrays(where, ours, duck, (i, o, d) =>
                {
                    Compare($"{where}[{i}].key", o.GetProperty("key"), d.GetProperty("key"), m.Key);
                    Compare($"{where}[{i}].value", o.GetProperty("value"), d.GetProperty("value"), m.Value);
                });
                return;
            case PrimitiveField p:
                ComparePrimitive(where, ours, duck, p);
                return;
        }
    }

    private void ComparePrimitive(string where, JsonElement ours, JsonElement duck, PrimitiveField field)
    {
        var logical = field.LogicalType;
        if (ours.ValueKind == JsonValueKind.Number && duck.ValueKind == JsonValueKind.Number)
        {
            var same = field.PhysicalType switch
            {
                PhysicalType.Double => Bits(ours) == Bits(duck),
                PhysicalType.Float => (float)ours.GetDouble() == (float)duck.GetDouble() && double.IsNegative(ours.GetDouble()) == double.IsNegative(duck.GetDouble()),
                _ when logical?.Kind == LogicalKind.Float16 => (Half)ours.GetDouble() == (Half)duck.GetDouble(),
                _ => ours.GetRawText() == duck.GetRawText(),
            };
            if (!same)
            {
                Differ(where, ours, duck);
            }

            return;
        }

        if (ours.ValueKind == JsonValueKind.String && duck.ValueKind == JsonValueKind.String)
        {
            var o = ours.GetString()!;
            var d = duck.GetString()!;
            if (logical?.Kind == LogicalKind.Timestamp || field.PhysicalType == PhysicalType.Int96)
            {
                d = TruncateFraction(d);
                if (o.EndsWith('Z') && !d.EndsWith('Z') && (field.PhysicalType == PhysicalType.Int96 || legacyUtcLeafNames.Contains(field.Name)))
                {
                    d += "Z";
                }
            }
            else if (logical?.Kind == LogicalKind.Time)
            {
                d = TruncateFraction(d.EndsWith("+00:00", StringComparison.Ordinal) && logical.IsAdjustedToUtc ? d[..^6] : d);
            }

            if (o != d)
            {
                Differ(where, ours, duck);
            }

            return;
        }

        if (logical?.Kind == LogicalKind.Interval && ours.ValueKind == JsonValueKind.String && duck.ValueKind == JsonValueKind.Object)
        {
            var bytes = Convert.FromBase64String(ours.GetString()!);
            var expected = $"{{\"months\":{BitConverter.ToUInt32(bytes, 0)},\"days\":{BitConverter.ToUInt32(bytes, 4)},\"micros\":{BitConverter.ToUInt32(bytes, 8) * 1000L}}}";
            if (Canonical.Render(duck) != expected)
            {
                Differ(where, ours, duck);
            }

            return;
        }

        if (Canonical.Render(ours) != Canonical.Render(duck))
        {
            Differ(where, ours, duck);
        }
    }

    private void CompareArrays(string where, JsonElement ours, JsonElement duck, Action<int, JsonElement, JsonElement> compareItem)
    {
        if (ours.ValueKind != JsonValueKind.Array || duck.ValueKind != JsonValueKind.Array || ours.GetArrayLength() != duck.GetArrayLength())
        {
            Differ(where, ours, duck);
            return;
        }

        for (var i = 0; i < ours.GetArrayLength(); i++)
        {
            compareItem(i, ours[i], duck[i]);
        }
    }

    // "…:05.123456789" -> "…:05.123456"; the fraction is non-negative in this form, so this is a floor.
    private static string TruncateFraction(string text)
    {
        var dot = text.LastIndexOf('.');
        if (dot < 0)
        {
            return text;
        }

        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end - dot - 1 > 6 ? text[..(dot + 7)] + text[end..] : text;
    }

    private static long Bits(JsonElement number) => BitConverter.DoubleToInt64Bits(double.Parse(number.GetRawText(), CultureInfo.InvariantCulture));

    private void Differ(string where, JsonElement ours, JsonElement duck) =>
        _differences.Add($"{where}: ours {Canonical.Render(ours)} vs DuckDB {Canonical.Render(duck)}");
}
