using System.Collections;
using System.Globalization;
using System.Text;

namespace CdcLake.Hudi;

/// <summary>
/// A Java <c>.properties</c> file, read and written the way <c>java.util.Properties</c> does it
/// (<c>load(InputStream)</c> / <c>store(OutputStream, comments)</c>), since Hudi's hoodie.properties
/// and .hoodie_partition_metadata are read by Java. Keys keep the order they were first added:
/// Java writes its hash order instead, which no reader depends on.
/// </summary>
public sealed class JavaProperties : IEnumerable<KeyValuePair<string, string>>
{
    private static readonly Encoding s_latin1 = Encoding.Latin1;
    private readonly OrderedDictionary<string, string> _entries;

    public JavaProperties()
    {
        _entries = new OrderedDictionary<string, string>(StringComparer.Ordinal);
    }

    public JavaProperties(IEnumerable<KeyValuePair<string, string>> entries)
        : this()
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, value) in entries)
        {
            Set(key, value);
        }
    }

    public int Count => _entries.Count;

    public IEnumerable<string> Keys => _entries.Keys;

    /// <summary>The value of <paramref name="key"/>, or null when absent. Setting adds the key at the end, or replaces in place.</summary>
    public string? this[string key]
    {
        get => _entries.TryGetValue(key, out var value) ? value : null;
        set
        {
            if (value is null)
            {
                Remove(key);
            }
            else
            {
                Set(key, value);
            }
        }
    }

    /// <summary>Reads bytes as Java's <c>Properties.load(InputStream)</c> does: ISO-8859-1 with <c>\uXXXX</c> escapes.</summary>
    public static JavaProperties Load(ReadOnlySpan<byte> bytes) => Parse(s_latin1.GetString(bytes));

    /// <summary>Reads the rest of <paramref name="stream"/> as ISO-8859-1 properties text.</summary>
    public static JavaProperties Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Load(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>
    /// Parses already-decoded text (Java's <c>load(Reader)</c>): <c>#</c> and <c>!</c> comment lines,
    /// <c>key=value</c>, <c>key:value</c> and <c>key value</c>, backslash line continuations and escapes.
    /// </summary>
    /// <exception cref="FormatException">A malformed <c>\uXXXX</c> escape.</exception>
    public static JavaProperties Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new JavaProperties();
        var reader = new LineReader(text);
        while (reader.ReadLogicalLine() is { } line)
        {
            var (key, value) = SplitKeyValue(line, reader.LineNumber);
            result.Set(key, value);
        }

        return result;
    }

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public bool TryGetValue(string key, out string value)
    {
        if (_entries.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = "";
        return false;
    }

    public void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _entries[key] = value;
    }

    public bool Remove(string key) => _entries.Remove(key);

    public JavaProperties Clone() => new(_entries);

    /// <summary>
    /// Writes as Java's <c>store(OutputStream, comments)</c>: the comment lines, a date line, then one
    /// <c>key=value</c> line per entry, ISO-8859-1, every character outside 0x20–0x7E as <c>\uXXXX</c>.
    /// </summary>
    /// <param name="savedAt">The date line's instant (Java writes the current time); printed in UTC.</param>
    public void Store(Stream stream, string? comments = null, DateTimeOffset? savedAt = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = ToBytes(comments, savedAt);
        stream.Write(bytes);
    }

    /// <inheritdoc cref="Store"/>
    public byte[] ToBytes(string? comments = null, DateTimeOffset? savedAt = null) =>
        s_latin1.GetBytes(ToText(comments, savedAt, escapeUnicode: true));

    /// <summary>
    /// The text Java writes. With <paramref name="escapeUnicode"/> (as <c>store(OutputStream)</c>) every
    /// character outside 0x20–0x7E in keys and values becomes <c>\uXXXX</c> of its UTF-16 code unit; without it
    /// (as <c>store(Writer)</c>) they stay as they are. Lines end with <c>\n</c>, as on Linux.
    /// </summary>
    public string ToText(string? comments = null, DateTimeOffset? savedAt = null, bool escapeUnicode = true)
    {
        var sb = new StringBuilder();
        if (comments is not null)
        {
            WriteComments(sb, comments);
        }

        sb.Append('#').Append(FormatJavaDate(savedAt ?? DateTimeOffset.UtcNow)).Append('\n');
        foreach (var (key, value) in _entries)
        {
            SaveConvert(sb, key, escapeSpace: true, escapeUnicode);
            sb.Append('=');
            SaveConvert(sb, value, escapeSpace: false, escapeUnicode);
            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary><c>java.util.Date.toString()</c> in UTC: <c>Sun Jul 13 01:05:35 UTC 2025</c>.</summary>
    public static string FormatJavaDate(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => ToText(savedAt: DateTimeOffset.UnixEpoch, escapeUnicode: false);

    private static (string Key, string Value) SplitKeyValue(string line, int lineNumber)
    {
        var limit = line.Length;
        var keyLen = 0;
        var valueStart = limit;
        var hasSeparator = false;
        var precedingBackslash = false;
        while (keyLen < limit)
        {
            var c = line[keyLen];
            if ((c == '=' || c == ':') && !precedingBackslash)
            {
                valueStart = keyLen + 1;
                hasSeparator = true;
                break;
            }

            if (IsWhitespace(c) && !precedingBackslash)
            {
                valueStart = keyLen + 1;
                break;
            }

            precedingBackslash = c == '\\' && !precedingBackslash;
            keyLen++;
        }

        // After a whitespace separator, one '=' or ':' may still follow ("key = value").
        while (valueStart < limit)
        {
            var c = line[valueStart];
            if (!IsWhitespace(c))
            {
                if (!hasSeparator && (c == '=' || c == ':'))
                {
                    hasSeparator = true;
                }
                else
                {
                    break;
                }
            }

            valueStart++;
        }

        return (LoadConvert(line, 0, keyLen, lineNumber), LoadConvert(line, valueStart, limit - valueStart, lineNumber));
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\f';

    private static string LoadConvert(string s, int offset, int length, int lineNumber)
    {
        var end = offset + length;
        var sb = new StringBuilder(length);
        var i = offset;
        while (i < end)
        {
            var c = s[i++];
            if (c != '\\' || i >= end)
            {
                sb.Append(c);
                continue;
            }

            c = s[i++];
            switch (c)
            {
                case 'u':
                    if (i + 4 > end || !ushort.TryParse(s.AsSpan(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new FormatException($"Malformed \\uxxxx encoding in properties line {lineNumber}: '{s}'.");
                    }

                    sb.Append((char)code);
                    i += 4;
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 'f':
                    sb.Append('\f');
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    // java.util.Properties.saveConvert: keys escape every space, values only a leading one.
    private static void SaveConvert(StringBuilder sb, string text, bool escapeSpace, bool escapeUnicode)
    {
        for (var x = 0; x < text.Length; x++)
        {
            var c = text[x];
            if (c > 61 && c < 127)
            {
                if (c == '\\')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case ' ':
                    if (x == 0 || escapeSpace)
                    {
                        sb.Append('\\');
                    }

                    sb.Append(' ');
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '=' or ':' or '#' or '!':
                    sb.Append('\\').Append(c);
                    break;
                default:
                    if ((c < 0x20 || c > 0x7E) && escapeUnicode)
                    {
                        AppendUnicodeEscape(sb, c);
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }
    }

    // java.util.Properties.writeComments: characters above 0xFF become \uXXXX; a line break starts a new
    // comment line unless the next line already starts with '#' or '!'.
    private static void WriteComments(StringBuilder sb, string comments)
    {
        sb.Append('#');
        var len = comments.Length;
        var last = 0;
        for (var current = 0; current < len; current++)
        {
            var c = comments[current];
            if (c <= 0xFF && c != '\n' && c != '\r')
            {
                continue;
            }

            sb.Append(comments, last, current - last);
            if (c > 0xFF)
            {
                AppendUnicodeEscape(sb, c);
            }
            else
            {
                sb.Append('\n');
                if (c == '\r' && current != len - 1 && comments[current + 1] == '\n')
                {
                    current++;
                }

                if (current == len - 1 || (comments[current + 1] != '#' && comments[current + 1] != '!'))
                {
                    sb.Append('#');
                }
            }

            last = current + 1;
        }

        sb.Append(comments, last, len - last).Append('\n');
    }

    private static void AppendUnicodeEscape(StringBuilder sb, char c) =>
        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));

    /// <summary>Java's Properties.LineReader: yields logical lines (continuations joined, comments and blanks skipped).</summary>
    private sealed class LineReader(string text)
    {
        private readonly StringBuilder _line = new();
        private int _pos;

        public int LineNumber { get; private set; }

        public string? ReadLogicalLine()
        {
            _line.Clear();
            var skipWhitespace = true;
            var isCommentLine = false;
            var isNewLine = true;
            var appendedLineBegin = false;
            var precedingBackslash = false;
            var skipLf = false;
            while (true)
            {
                if (_pos >= text.Length)
                {
                    if (_line.Length == 0 || isCommentLine)
                    {
                        return null;
                    }

                    // A backslash on the last line continues into nothing: Java drops it.
                    if (precedingBackslash)
                    {
                        _line.Length--;
                    }

                    return _line.ToString();
                }

                var c = text[_pos++];
                if (skipLf)
                {
                    skipLf = false;
                    if (c == '\n')
                    {
                        continue;
                    }
                }

                if (skipWhitespace)
                {
                    if (IsWhitespace(c))
                    {
                        continue;
                    }

                    if (!appendedLineBegin && (c == '\r' || c == '\n'))
                    {
                        CountLineBreak(c);
                        continue;
                    }

                    skipWhitespace = false;
                    appendedLineBegin = false;
                }

                if (isNewLine)
                {
                    isNewLine = false;
                    if (c == '#' || c == '!')
                    {
                        isCommentLine = true;
                        continue;
                    }
                }

                if (c != '\n' && c != '\r')
                {
                    if (!isCommentLine)
                    {
                        _line.Append(c);
                        precedingBackslash = c == '\\' && !precedingBackslash;
                    }

                    continue;
                }

                CountLineBreak(c);
                if (isCommentLine || _line.Length == 0)
                {
                    isCommentLine = false;
                    isNewLine = true;
                    skipWhitespace = true;
                    precedingBackslash = false;
                    _line.Clear();
                    continue;
                }

                if (!precedingBackslash)
                {
                    // "\r\n" ends one line: the '\n' is skipped by the next call's leading-blank rule.
                    return _line.ToString();
                }

                _line.Length--;
                skipWhitespace = true;
                appendedLineBegin = true;
                precedingBackslash = false;
                if (c == '\r')
                {
                    skipLf = true;
                }
            }
        }

        private void CountLineBreak(char c)
        {
            if (c == '\n' && _pos >= 2 && text[_pos - 2] == '\r')
            {
                return;
            }

            LineNumber++;
        }
    }
}
