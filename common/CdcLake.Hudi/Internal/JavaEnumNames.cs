using System.Collections.Concurrent;
using System.Text;

namespace CdcLake.Hudi.Internal;

/// <summary>
/// Maps our PascalCase enum members to the UPPER_SNAKE names Java writes (CopyOnWrite ↔ COPY_ON_WRITE).
/// A member can override the derived name with <see cref="JavaNameAttribute"/>.
/// </summary>
internal static class JavaEnumNames
{
    private static readonly ConcurrentDictionary<Type, (Dictionary<string, object> ByName, Dictionary<object, string> ByValue)> s_cache = new();

    public static string NameOf(Enum value) => Tables(value.GetType()).ByValue[value];

    public static object? Parse(Type enumType, string text) =>
        Tables(enumType).ByName.TryGetValue(text, out var value) ? value : null;

    public static IEnumerable<string> All(Type enumType) => Tables(enumType).ByName.Keys;

    private static (Dictionary<string, object> ByName, Dictionary<object, string> ByValue) Tables(Type enumType) =>
        s_cache.GetOrAdd(enumType, static type =>
        {
            var byName = new Dictionary<string, object>(StringComparer.Ordinal);
            var byValue = new Dictionary<object, string>();
            foreach (var field in type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            {
                var value = field.GetValue(null)!;
                var name = field.GetCustomAttributes(typeof(JavaNameAttribute), false) is [JavaNameAttribute attr, ..]
                    ? attr.Name
                    : ToUpperSnake(field.Name);
                byName[name] = value;
                byValue[value] = name;
            }

            return (byName, byValue);
        });

    private static string ToUpperSnake(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (i > 0 && char.IsUpper(c))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(c));
        }

        return sb.ToString();
    }
}

/// <summary>The Java name of an enum member when it is not the UPPER_SNAKE form of the C# name.</summary>
[AttributeUsage(AttributeTargets.Field)]
internal sealed class JavaNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
