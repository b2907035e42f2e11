using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CdcLake.Hudi.Internal;

/// <summary>
/// A small Avro codec for the timeline's Avro instants (rollback and clean plans and metadata): an Avro
/// object container file with one block of one record, uncompressed (Hudi's
/// TimelineMetadataUtils.serializeAvroMetadata writes exactly that with Avro's DataFileWriter).
/// </summary>
/// <remarks>
/// Values are plain .NET objects: null, bool, int, long, float, double, string, byte[],
/// <see cref="IReadOnlyDictionary{TKey,TValue}"/> of string to object for records and maps, and
/// <see cref="System.Collections.IEnumerable"/> for arrays. A union takes the first branch the value fits.
/// Decoding gives back <see cref="Dictionary{TKey,TValue}"/> for records and maps and <see cref="List{T}"/> for arrays.
/// Java reads such a file with its own reader schema, resolving fields by name: fields it lacks are skipped,
/// fields we lack need a default there, so we write every field of the newest schema we know.
/// </remarks>
internal static class AvroContainer
{
    private static readonly byte[] s_magic = [(byte)'O', (byte)'b', (byte)'j', 1];

    public static byte[] Write(string schemaJson, object? record)
    {
        var schema = AvroNode.Parse(schemaJson);
        var body = new MemoryStream();
        Encode(schema, record, body);
        var sync = RandomNumberGenerator.GetBytes(16);

        var file = new MemoryStream();
        file.Write(s_magic);
        // File metadata: a map of bytes (one block of two entries, then the end-of-map zero).
        WriteLong(file, 2);
        WriteString(file, "avro.schema");
        WriteBytes(file, Encoding.UTF8.GetBytes(schemaJson));
        WriteString(file, "avro.codec");
        WriteBytes(file, "null"u8.ToArray());
        WriteLong(file, 0);
        file.Write(sync);
        WriteLong(file, 1);
        WriteLong(file, body.Length);
        body.Position = 0;
        body.CopyTo(file);
        file.Write(sync);
        return file.ToArray();
    }

    /// <summary>The records of a container file, decoded with the schema the file carries.</summary>
    /// <exception cref="HudiException">Not an Avro container file, a codec other than null, or truncated data.</exception>
    public static List<object?> Read(ReadOnlySpan<byte> content)
    {
        if (!content.StartsWith(s_magic))
        {
            throw new HudiException("not an Avro object container file");
        }

        var reader = new Reader(content.ToArray(), s_magic.Length);
        var meta = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var count = reader.Long(); count != 0; count = reader.Long())
        {
            if (count < 0)
            {
                count = -count;
                reader.Long();
            }

            for (var i = 0; i < count; i++)
            {
                var key = reader.String();
                meta[key] = reader.Bytes();
            }
        }

        if (meta.TryGetValue("avro.codec", out var codec) && Encoding.UTF8.GetString(codec) != "null")
        {
            throw new HudiException($"Avro codec '{Encoding.UTF8.GetString(codec)}' is not supported (only null)");
        }

        var schema = AvroNode.Parse(Encoding.UTF8.GetString(meta.GetValueOrDefault("avro.schema") ?? throw new HudiException("the Avro file has no schema")));
        var sync = reader.Take(16);
        var records = new List<object?>();
        while (!reader.AtEnd)
        {
            var n = reader.Long();
            reader.Long();
            for (var i = 0; i < n; i++)
            {
                records.Add(Decode(schema, ref reader));
            }

            if (!reader.Take(16).SequenceEqual(sync))
            {
                throw new HudiException("the Avro file's block does not end with its sync marker");
            }
        }

        return records;
    }

    private static void Encode(AvroNode node, object? value, Stream output)
    {
        switch (node.Kind)
        {
            case "null":
                break;
            case "boolean":
                output.WriteByte((bool)value! ? (byte)1 : (byte)0);
                break;
            case "int":
                WriteLong(output, Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "long":
                WriteLong(output, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "float":
                Span<byte> f = stackalloc byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(f, Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture));
                output.Write(f);
                break;
            case "double":
                Span<byte> d = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleLittleEndian(d, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                output.Write(d);
                break;
            case "string":
                WriteString(output, (string)value!);
                break;
            case "bytes":
                WriteBytes(output, (byte[])value!);
                break;
            case "record":
                var fields = value as IReadOnlyDictionary<string, object?> ?? throw new HudiException($"Avro record {node.Name} needs a dictionary value");
                foreach (var field in node.Fields)
                {
                    Encode(field.Type, fields.GetValueOrDefault(field.Name), output);
                }

                break;
            case "array":
                var items = ((System.Collections.IEnumerable)value!).Cast<object?>().ToList();
                if (items.Count > 0)
                {
                    WriteLong(output, items.Count);
                    foreach (var item in items)
                    {
                        Encode(node.Items!, item, output);
                    }
                }

                WriteLong(output, 0);
                break;
            case "map":
                var entries = (IReadOnlyDictionary<string, object?>)value!;
                if (entries.Count > 0)
                {
                    WriteLong(output, entries.Count);
                    foreach (var (key, item) in entries)
                    {
                        WriteString(output, key);
                        Encode(node.Items!, item, output);
                    }
                }

                WriteLong(output, 0);
                break;
            case "union":
                var branch = node.Branches.FindIndex(b => Fits(b, value));
                if (branch < 0)
                {
                    throw new HudiException($"no branch of a union fits a {value?.GetType().Name ?? "null"}");
                }

                WriteLong(output, branch);
                Encode(node.Branches[branch], value, output);
                break;
            default:
                throw new HudiException($"Avro type '{node.Kind}' is not supported here");
        }
    }

    private static bool Fits(AvroNode node, object? value) => node.Kind switch
    {
        "null" => value is null,
        "boolean" => value is bool,
        "int" => value is int,
        "long" => value is long or int,
        "float" => value is float,
        "double" => value is double or float,
        "string" => value is string,
        "bytes" => value is byte[],
        "record" or "map" => value is IReadOnlyDictionary<string, object?>,
        "array" => value is System.Collections.IEnumerable and not string and not IReadOnlyDictionary<string, object?>,
        _ => false,
    };

    private static object? Decode(AvroNode node, ref Reader reader)
    {
        switch (node.Kind)
        {
            case "null": return null;
            case "boolean": return reader.Take(1)[0] != 0;
            case "int": return (int)reader.Long();
            case "long": return reader.Long();
            case "float": return BinaryPrimitives.ReadSingleLittleEndian(reader.Take(4));
            case "double": return BinaryPrimitives.ReadDoubleLittleEndian(reader.Take(8));
            case "string": return reader.String();
            case "bytes": return reader.Bytes();
            case "record":
                var record = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var field in node.Fields)
                {
                    record[field.Name] = Decode(field.Type, ref reader);
                }

                return record;
            case "array":
                var list = new List<object?>();
                for (var count = reader.Long(); count != 0; count = reader.Long())
                {
                    if (count < 0)
                    {
                        count = -count;
                        reader.Long();
                    }

                    for (var i = 0; i < count; i++)
                    {
                        list.Add(Decode(node.Items!, ref reader));
                    }
                }

                return list;
            case "map":
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (var count = reader.Long(); count != 0; count = reader.Long())
                {
                    if (count < 0)
                    {
                        count = -count;
                        reader.Long();
                    }

                    for (var i = 0; i < count; i++)
                    {
                        var key = reader.String();
                        map[key] = Decode(node.Items!, ref reader);
                    }
                }

                return map;
            case "union":
                var index = (int)reader.Long();
                if ((uint)index >= (uint)node.Branches.Count)
                {
                    throw new HudiException($"union branch {index} out of range");
                }

                return Decode(node.Branches[index], ref reader);
            default:
                throw new HudiException($"Avro type '{node.Kind}' is not supported here");
        }
    }

    private static void WriteLong(Stream output, long value)
    {
        var n = (ulong)((value << 1) ^ (value >> 63));
        while (n >= 0x80)
        {
            output.WriteByte((byte)(n | 0x80));
            n >>= 7;
        }

        output.WriteByte((byte)n);
    }

    private static void WriteString(Stream output, string value) => WriteBytes(output, Encoding.UTF8.GetBytes(value));

    private static void WriteBytes(Stream output, byte[] value)
    {
        WriteLong(output, value.Length);
        output.Write(value);
    }

    private ref struct Reader(byte[] data, int position)
    {
        private readonly byte[] _data = data;
        private int _position = position;

        public readonly bool AtEnd => _position >= _data.Length;

        public long Long()
        {
            ulong n = 0;
            var shift = 0;
            while (true)
            {
                var b = Take(1)[0];
                n |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }

                shift += 7;
                if (shift > 63)
                {
                    throw new HudiException("malformed Avro varint");
                }
            }

            return (long)(n >> 1) ^ -(long)(n & 1);
        }

        public string String() => Encoding.UTF8.GetString(Bytes());

        public byte[] Bytes()
        {
            var length = Long();
            if (length < 0 || length > _data.Length - _position)
            {
                throw new HudiException("truncated Avro data");
            }

            return Take((int)length).ToArray();
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            if (count > _data.Length - _position)
            {
                throw new HudiException("truncated Avro data");
            }

            var span = _data.AsSpan(_position, count);
            _position += count;
            return span;
        }
    }

    /// <summary>A parsed Avro schema node; named types are resolved by (full or short) name.</summary>
    private sealed class AvroNode
    {
        public string Kind { get; private init; } = "";

        public string? Name { get; private init; }

        public List<(string Name, AvroNode Type)> Fields { get; } = [];

        public AvroNode? Items { get; private set; }

        public List<AvroNode> Branches { get; } = [];

        public static AvroNode Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement, new Dictionary<string, AvroNode>(StringComparer.Ordinal), "");
        }

        private static AvroNode Parse(JsonElement element, Dictionary<string, AvroNode> named, string space)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    var name = element.GetString()!;
                    if (name is "null" or "boolean" or "int" or "long" or "float" or "double" or "string" or "bytes")
                    {
                        return new AvroNode { Kind = name };
                    }

                    return named.GetValueOrDefault(name)
                        ?? named.GetValueOrDefault(space.Length == 0 ? name : $"{space}.{name}")
                        ?? throw new HudiException($"Avro schema refers to unknown type '{name}'");
                case JsonValueKind.Array:
                    var union = new AvroNode { Kind = "union" };
                    foreach (var branch in element.EnumerateArray())
                    {
                        union.Branches.Add(Parse(branch, named, space));
                    }

                    return union;
                case JsonValueKind.Object:
                    var type = element.GetProperty("type");
                    if (type.ValueKind != JsonValueKind.String)
                    {
                        return Parse(type, named, space);
                    }

                    switch (type.GetString())
                    {
                        case "record":
                            var recordName = element.GetProperty("name").GetString()!;
                            var recordSpace = element.TryGetProperty("namespace", out var ns) ? ns.GetString() ?? "" : space;
                            var record = new AvroNode { Kind = "record", Name = recordName };
                            named[recordName] = record;
                            named[recordSpace.Length == 0 ? recordName : $"{recordSpace}.{recordName}"] = record;
                            foreach (var field in element.GetProperty("fields").EnumerateArray())
                            {
                                record.Fields.Add((field.GetProperty("name").GetString()!, Parse(field.GetProperty("type"), named, recordSpace)));
                            }

                            return record;
                        case "array":
                            var array = new AvroNode { Kind = "array" };
                            array.Items = Parse(element.GetProperty("items"), named, space);
                            return array;
                        case "map":
                            var map = new AvroNode { Kind = "map" };
                            map.Items = Parse(element.GetProperty("values"), named, space);
                            return map;
                        default:
                            return Parse(type, named, space);
                    }

                default:
                    throw new HudiException($"unexpected Avro schema element {element.ValueKind}");
            }
        }
    }
}
