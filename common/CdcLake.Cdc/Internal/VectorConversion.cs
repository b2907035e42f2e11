using System.Numerics;
using CdcLake.Parquet;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// Converts a column as a DMS file stores it into the table's type (<see cref="DmsTypes"/>), sharing buffers
/// where the bytes already fit: timestamps to microseconds, INT96 to microseconds, decimals to the table's
/// FIXED_LEN_BYTE_ARRAY width and scale, integers and floats widened. A column a file lacks becomes all null.
/// </summary>
internal static class VectorConversion
{
    /// <exception cref="OverflowException">A value does not fit the table type (a timestamp past year 294247).</exception>
    public static ColumnVector Convert(ColumnVector source, Field target)
    {
        var length = source.Length;
        var validity = source.Validity;
        if (target is not PrimitiveField to)
        {
            return Rewrap(source, target);
        }

        var from = (PrimitiveField)source.Field;
        switch (to.PhysicalType)
        {
            case PhysicalType.Int64 when source is PrimitiveVector<Int96> int96:
            {
                var values = new long[length];
                for (var i = 0; i < length; i++)
                {
                    values[i] = int96.Values[i].ToUnixMicros();
                }

                return new PrimitiveVector<long>(to, values, length, validity);
            }

            case PhysicalType.Int64 when from.LogicalType is { Kind: LogicalKind.Timestamp, Unit: TimeUnit.Millis } && source is PrimitiveVector<long> millis:
            {
                var values = new long[length];
                for (var i = 0; i < length; i++)
                {
                    values[i] = checked(millis.Values[i] * 1000);
                }

                return new PrimitiveVector<long>(to, values, length, validity);
            }

            case PhysicalType.Int64 when source is PrimitiveVector<int> ints:
            {
                var values = new long[length];
                for (var i = 0; i < length; i++)
                {
                    values[i] = ints.Values[i];
                }

                return new PrimitiveVector<long>(to, values, length, validity);
            }

            case PhysicalType.Double when source is PrimitiveVector<float> floats:
            {
                var values = new double[length];
                for (var i = 0; i < length; i++)
                {
                    values[i] = floats.Values[i];
                }

                return new PrimitiveVector<double>(to, values, length, validity);
            }

            case PhysicalType.FixedLenByteArray when to.LogicalType?.Kind == LogicalKind.Decimal:
                return ToDecimal(source, from, to);
            default:
                return Rewrap(source, target);
        }
    }

    /// <summary>A vector of <paramref name="length"/> nulls of <paramref name="target"/>'s type.</summary>
    public static ColumnVector Nulls(Field target, int length)
    {
        var validity = new byte[Bitmap.BytesFor(length)];
        return target switch
        {
            PrimitiveField p => p.PhysicalType switch
            {
                PhysicalType.Boolean => new BooleanVector(p, new bool[length], length, validity),
                PhysicalType.Int32 => new PrimitiveVector<int>(p, new int[length], length, validity),
                PhysicalType.Int64 => new PrimitiveVector<long>(p, new long[length], length, validity),
                PhysicalType.Int96 => new PrimitiveVector<Int96>(p, new Int96[length], length, validity),
                PhysicalType.Float => new PrimitiveVector<float>(p, new float[length], length, validity),
                PhysicalType.Double => new PrimitiveVector<double>(p, new double[length], length, validity),
                PhysicalType.FixedLenByteArray => new BinaryVector(p, FixedOffsets(length, p.TypeLength), new byte[length * p.TypeLength], length, validity),
                _ => new BinaryVector(p, new int[length + 1], [], length, validity),
            },
            StructField s => new StructVector(s, s.Children.Select(c => Nulls(c, length)).ToArray(), length, validity),
            ListField l => new ListVector(l, new int[length + 1], Nulls(l.Element, 0), length, validity),
            MapField m => new MapVector(m, new int[length + 1], Nulls(m.Key, 0), Nulls(m.Value, 0), length, validity),
            _ => throw new NotSupportedException($"field kind {target.GetType().Name}"),
        };
    }

    /// <summary>A string column built from <paramref name="values"/> (null entries are null).</summary>
    public static BinaryVector Strings(Field field, IReadOnlyList<string?> values)
    {
        var length = values.Count;
        var offsets = new int[length + 1];
        var total = 0;
        var hasNull = false;
        for (var i = 0; i < length; i++)
        {
            if (values[i] is { } s)
            {
                total += System.Text.Encoding.UTF8.GetByteCount(s);
            }
            else
            {
                hasNull = true;
            }
        }

        var validity = hasNull ? new byte[Bitmap.BytesFor(length)] : null;
        var data = new byte[total];
        var at = 0;
        for (var i = 0; i < length; i++)
        {
            if (values[i] is { } s)
            {
                at += System.Text.Encoding.UTF8.GetBytes(s, data.AsSpan(at));
                if (validity is not null)
                {
                    Bitmap.Set(validity, i);
                }
            }

            offsets[i + 1] = at;
        }

        return new BinaryVector(field, offsets, data, length, validity);
    }

    private static ColumnVector Rewrap(ColumnVector source, Field target) => source switch
    {
        BooleanVector b => new BooleanVector(target, b.Values, b.Length, b.Validity),
        PrimitiveVector<int> v => new PrimitiveVector<int>(target, v.Values, v.Length, v.Validity),
        PrimitiveVector<long> v => new PrimitiveVector<long>(target, v.Values, v.Length, v.Validity),
        PrimitiveVector<float> v => new PrimitiveVector<float>(target, v.Values, v.Length, v.Validity),
        PrimitiveVector<double> v => new PrimitiveVector<double>(target, v.Values, v.Length, v.Validity),
        PrimitiveVector<Int96> v => new PrimitiveVector<Int96>(target, v.Values, v.Length, v.Validity),
        BinaryVector v => new BinaryVector(target, v.Offsets, v.Data, v.Length, v.Validity),
        StructVector v => new StructVector(target, v.Children, v.Length, v.Validity),
        ListVector v => new ListVector(target, v.Offsets, v.Elements, v.Length, v.Validity),
        MapVector v => new MapVector(target, v.Offsets, v.Keys, v.Items, v.Length, v.Validity),
        _ => throw new NotSupportedException($"vector kind {source.GetType().Name}"),
    };

    private static ColumnVector ToDecimal(ColumnVector source, PrimitiveField from, PrimitiveField to)
    {
        var length = source.Length;
        var width = to.TypeLength;
        var scaleUp = to.LogicalType!.Scale - from.LogicalType!.Scale;
        if (scaleUp == 0 && source is BinaryVector same && from.PhysicalType == PhysicalType.FixedLenByteArray && from.TypeLength == width)
        {
            return new BinaryVector(to, same.Offsets, same.Data, length, same.Validity);
        }

        var factor = BigInteger.Pow(10, scaleUp);
        var data = new byte[length * width];
        for (var i = 0; i < length; i++)
        {
            if (source.IsNull(i))
            {
                continue;
            }

            BigInteger unscaled = source switch
            {
                PrimitiveVector<int> v => v.Values[i],
                PrimitiveVector<long> v => v.Values[i],
                BinaryVector v => v.GetSpan(i).IsEmpty ? BigInteger.Zero : new BigInteger(v.GetSpan(i), isUnsigned: false, isBigEndian: true),
                _ => throw new NotSupportedException($"decimal stored as {source.GetType().Name}"),
            };
            unscaled *= factor;
            ParquetDecimal.WriteBigEndian(unscaled, data.AsSpan(i * width, width));
        }

        return new BinaryVector(to, FixedOffsets(length, width), data, length, source.Validity);
    }

    private static int[] FixedOffsets(int length, int width)
    {
        var offsets = new int[length + 1];
        for (var i = 1; i <= length; i++)
        {
            offsets[i] = i * width;
        }

        return offsets;
    }
}
