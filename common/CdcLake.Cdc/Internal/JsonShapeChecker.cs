using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// Checks a JSON document against a serializable model's metadata before it is deserialized, collecting
/// every unknown field, duplicate field and value of the wrong JSON type with its path
/// (<c>tables[2].recordKey</c>), where the serializer would stop at the first with a message about .NET types.
/// JSON null is accepted everywhere: every member of the pipeline model is optional at this stage.
/// </summary>
internal static class JsonShapeChecker
{
    public static void Check(JsonElement element, JsonTypeInfo info, string path, List<PipelineConfigError> errors)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                CheckObject(element, info, path, errors);
                break;
            case JsonTypeInfoKind.Enumerable:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    errors.Add(new(Display(path), $"expected an array of {Plural(info.ElementType!)}, got {Describe(element)}"));
                    return;
                }

                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        errors.Add(new($"{Display(path)}[{index}]", $"expected {Singular(info.ElementType!)}, got null"));
                    }
                    else
                    {
                        Check(item, info.Options.GetTypeInfo(info.ElementType!), $"{path}[{index}]", errors);
                    }

                    index++;
                }

                break;
            case JsonTypeInfoKind.Dictionary:
                if (element.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new(Display(path), $"expected an object of {Plural(info.ElementType!)}, got {Describe(element)}"));
                    return;
                }

                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var child = Join(path, property.Name);
                    if (!seen.Add(property.Name))
                    {
                        errors.Add(new(child, "duplicate field"));
                    }
                    else if (property.Value.ValueKind == JsonValueKind.Null)
                    {
                        errors.Add(new(child, $"expected {Singular(info.ElementType!)}, got null"));
                    }
                    else
                    {
                        Check(property.Value, info.Options.GetTypeInfo(info.ElementType!), child, errors);
                    }
                }

                break;
            default:
                CheckValue(element, type, path, errors);
                break;
        }
    }

    private static void CheckObject(JsonElement element, JsonTypeInfo info, string path, List<PipelineConfigError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(Display(path), $"expected an object, got {Describe(element)}"));
            return;
        }

        var properties = info.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var child = Join(path, property.Name);
            if (!seen.Add(property.Name))
            {
                errors.Add(new(child, "duplicate field"));
                continue;
            }

            if (!properties.TryGetValue(property.Name, out var member))
            {
                var near = properties.Keys.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
                errors.Add(new(child, near is null
                    ? $"unknown field (known: {string.Join(", ", properties.Keys)})"
                    : $"unknown field; did you mean '{near}'? (names are case-sensitive)"));
                continue;
            }

            Check(property.Value, info.Options.GetTypeInfo(member.PropertyType), child, errors);
        }
    }

    private static void CheckValue(JsonElement element, Type type, string path, List<PipelineConfigError> errors)
    {
        var ok = Type.GetTypeCode(type) switch
        {
            TypeCode.String => element.ValueKind == JsonValueKind.String,
            TypeCode.Boolean => element.ValueKind is JsonValueKind.True or JsonValueKind.False,
            TypeCode.Int32 => element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out _),
            TypeCode.Int64 => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out _),
            TypeCode.Double => element.ValueKind == JsonValueKind.Number,
            _ => true,
        };
        if (!ok)
        {
            errors.Add(new(Display(path), $"expected {Singular(type)}, got {Describe(element)}"));
        }
    }

    private static string Singular(Type type) => Type.GetTypeCode(Nullable.GetUnderlyingType(type) ?? type) switch
    {
        TypeCode.String => "a string",
        TypeCode.Boolean => "true or false",
        TypeCode.Int32 or TypeCode.Int64 => "a whole number",
        TypeCode.Double => "a number",
        _ => "an object",
    };

    private static string Plural(Type type) => Type.GetTypeCode(Nullable.GetUnderlyingType(type) ?? type) switch
    {
        TypeCode.String => "strings",
        TypeCode.Boolean => "booleans",
        TypeCode.Int32 or TypeCode.Int64 or TypeCode.Double => "numbers",
        _ => "objects",
    };

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string {Shorten(element.GetRawText())}",
        JsonValueKind.Number => $"the number {Shorten(element.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Display(string path) => path.Length == 0 ? "$" : path;
}
