namespace CdcLake.Parquet.Internal.Writing;

/// <summary>
/// Checks, before anything of a batch is written, that its vectors fit the schema: the vector class and
/// element type each field needs, buffer lengths, offsets, FIXED_LEN_BYTE_ARRAY widths and nulls in required
/// fields. A batch that fails is rejected whole, so the writer stays usable. Errors name the column by its
/// dotted path in the file (e.g. <c>tags.list.element</c>).
/// </summary>
internal static class BatchValidator
{
    public static void Validate(Field field, ColumnVector vector, string path)
    {
        // Nulls in a required field are found here while every ancestor is required and not repeated (slot i
        // is then row i); deeper down the shredder finds them, as only it knows which parent slots are present.
        Validate(field, vector, path, checkRequired: true);
    }

    private static void Validate(Field field, ColumnVector vector, string path, bool checkRequired)
    {
        if (checkRequired && !field.IsNullable && vector.NullCount > 0)
        {
            throw Error(path, $"required field holds {vector.NullCount} null(s)");
        }

        var stillRequired = checkRequired && !field.IsNullable;
        switch (field)
        {
            case PrimitiveField primitive:
                ValidateLeaf(primitive, vector, path);
                break;
            case StructField structField:
                if (vector is not StructVector structVector)
                {
                    throw WrongVector(path, field, "StructVector", vector);
                }

                if (structVector.Children.Count != structField.Children.Count)
                {
                    throw Error(path, $"struct has {structField.Children.Count} fields but the vector has {structVector.Children.Count} children");
                }

                for (var i = 0; i < structField.Children.Count; i++)
                {
                    var child = structField.Children[i];
                    var childVector = structVector.Children[i];
                    var childPath = $"{path}.{child.Name}";
                    if (childVector.Length < structVector.Length)
                    {
                        throw Error(childPath, $"child vector has {childVector.Length} slots, its struct {structVector.Length}");
                    }

                    Validate(child, childVector, childPath, stillRequired);
                }

                break;
            case ListField list:
                if (vector is not ListVector listVector)
                {
                    throw WrongVector(path, field, "ListVector", vector);
                }

                CheckOffsets(listVector.Offsets, listVector.Length, listVector.Elements.Length, path, "elements");
                Validate(list.Element.WithName("element"), listVector.Elements, $"{path}.list.element", false);
                break;
            case MapField map:
                if (vector is not MapVector mapVector)
                {
                    throw WrongVector(path, field, "MapVector", vector);
                }

                CheckOffsets(mapVector.Offsets, mapVector.Length, Math.Min(mapVector.Keys.Length, mapVector.Items.Length), path, "entries");
                Validate(map.Key.WithName("key"), mapVector.Keys, $"{path}.key_value.key", false);
                Validate(map.Value.WithName("value"), mapVector.Items, $"{path}.key_value.value", false);
                break;
            default:
                throw Error(path, $"unsupported field kind {field.GetType().Name}");
        }
    }

    private static void ValidateLeaf(PrimitiveField field, ColumnVector vector, string path)
    {
        var length = vector.Length;
        switch (field.PhysicalType)
        {
            case PhysicalType.Boolean:
                var booleans = vector as BooleanVector ?? throw WrongVector(path, field, "BooleanVector", vector);
                CheckValues(booleans.Values.Length, length, path);
                break;
            case PhysicalType.Int32:
                CheckValues((vector as PrimitiveVector<int> ?? throw WrongVector(path, field, "PrimitiveVector<int>", vector)).Values.Length, length, path);
                break;
            case PhysicalType.Int64:
                CheckValues((vector as PrimitiveVector<long> ?? throw WrongVector(path, field, "PrimitiveVector<long>", vector)).Values.Length, length, path);
                break;
            case PhysicalType.Int96:
                CheckValues((vector as PrimitiveVector<Int96> ?? throw WrongVector(path, field, "PrimitiveVector<Int96>", vector)).Values.Length, length, path);
                break;
            case PhysicalType.Float:
                CheckValues((vector as PrimitiveVector<float> ?? throw WrongVector(path, field, "PrimitiveVector<float>", vector)).Values.Length, length, path);
                break;
            case PhysicalType.Double:
                CheckValues((vector as PrimitiveVector<double> ?? throw WrongVector(path, field, "PrimitiveVector<double>", vector)).Values.Length, length, path);
                break;
            case PhysicalType.ByteArray:
            case PhysicalType.FixedLenByteArray:
                var binary = vector as BinaryVector ?? throw WrongVector(path, field, "BinaryVector", vector);
                CheckOffsets(binary.Offsets, length, binary.Data.Length, path, "bytes");
                if (field.PhysicalType == PhysicalType.FixedLenByteArray)
                {
                    CheckWidths(binary, field.TypeLength, path);
                }

                break;
            default:
                throw Error(path, $"unsupported physical type {field.PhysicalType}");
        }
    }

    private static void CheckValues(int available, int length, string path)
    {
        if (available < length)
        {
            throw Error(path, $"vector of {length} slots has only {available} values");
        }
    }

    private static void CheckOffsets(int[] offsets, int length, int limit, string path, string what)
    {
        if (offsets.Length < length + 1)
        {
            throw Error(path, $"{offsets.Length} offsets cannot delimit {length} slots");
        }

        var previous = offsets[0];
        if (previous < 0)
        {
            throw Error(path, $"first offset {previous} is negative");
        }

        for (var i = 1; i <= length; i++)
        {
            var next = offsets[i];
            if (next < previous)
            {
                throw Error(path, $"offset {i} ({next}) is below offset {i - 1} ({previous})");
            }

            previous = next;
        }

        if (previous > limit)
        {
            throw Error(path, $"offsets reach {previous} but there are only {limit} {what}");
        }
    }

    private static void CheckWidths(BinaryVector vector, int width, string path)
    {
        var offsets = vector.Offsets;
        var validity = vector.Validity;
        for (var i = 0; i < vector.Length; i++)
        {
            var length = offsets[i + 1] - offsets[i];
            if (length != width && (validity is null || Bitmap.Get(validity, i)))
            {
                throw Error(path, $"slot {i} holds {length} bytes; FIXED_LEN_BYTE_ARRAY({width}) values must have exactly {width}");
            }
        }
    }

    private static ParquetException WrongVector(string path, Field field, string expected, ColumnVector actual) =>
        Error(path, $"a {field.TypeName} field needs a {expected}, not a {Describe(actual)}");

    private static ParquetException Error(string path, string reason) => new ParquetException(reason).WithContext(null, path);

    private static string Describe(ColumnVector vector)
    {
        var type = vector.GetType();
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var argument = type.GetGenericArguments()[0];
        var name = Type.GetTypeCode(argument) switch
        {
            TypeCode.Int32 => "int",
            TypeCode.Int64 => "long",
            TypeCode.Single => "float",
            TypeCode.Double => "double",
            TypeCode.Byte => "byte",
            TypeCode.SByte => "sbyte",
            TypeCode.Int16 => "short",
            TypeCode.UInt16 => "ushort",
            TypeCode.UInt32 => "uint",
            TypeCode.UInt64 => "ulong",
            _ => argument.Name,
        };
        return $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{name}>";
    }
}
