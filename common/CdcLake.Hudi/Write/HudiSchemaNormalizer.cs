using System.Numerics;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>
/// Turns a source schema (a DMS Parquet file's, say) into the one Spark's Hudi writer would store, and converts
/// the vectors to match: timestamps of any unit and INT96 become INT64 TIMESTAMP(MICROS) keeping the source's
/// UTC flag (INT96 is an instant: UTC); decimals become FIXED_LEN_BYTE_ARRAY of Spark's minimal width; signed
/// INT(8/16/32/64) annotations go (Spark's byte and short are Avro ints, written unannotated); list
/// elements are named <c>element</c> and map entries <c>key</c>/<c>value</c> (our writer's standard layout, so that
/// schemas read back from our base files compare equal). Meta columns in the input are dropped.
/// </summary>
public static class HudiSchemaNormalizer
{
    public static IReadOnlyList<Field> Normalize(IEnumerable<Field> fields) =>
        [.. fields.Where(f => !HoodieMetaFields.IsMetaField(f.Name)).Select(NormalizeField)];

    /// <summary>The batch with <see cref="Normalize"/>d fields and converted values.</summary>
    public static RecordBatch Normalize(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var columns = new List<ColumnVector>();
        for (var i = 0; i < batch.Columns.Count; i++)
        {
            if (!HoodieMetaFields.IsMetaField(batch.Schema.Fields[i].Name))
            {
                columns.Add(Convert(NormalizeField(batch.Schema.Fields[i]), batch.Columns[i]));
            }
        }

        return new RecordBatch(new ParquetSchema([.. columns.Select(c => c.Field)]), columns, batch.RowCount);
    }

    /// <summary>A comparable rendering of a field list (names, types, nullability).</summary>
    public static string Describe(IEnumerable<Field> fields) => new ParquetSchema([.. fields]).ToString();

    /// <summary>
    /// <see cref="Describe"/> without nullability: what must match for rows to go into a table's files. Nullability may
    /// differ: a legacy two-level list (Spark's files) cannot say its elements are nullable, so they read as required
    /// while the table's Avro schema says <c>["null", T]</c>.
    /// </summary>
    public static string Shape(IEnumerable<Field> fields) => Describe(fields).Replace(" not null", "", StringComparison.Ordinal);

    private static Field NormalizeField(Field field) => field switch
    {
        PrimitiveField { PhysicalType: PhysicalType.Int96 } p =>
            new PrimitiveField(p.Name, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true), p.Repetition, fieldId: p.FieldId),
        PrimitiveField { LogicalType: { Kind: LogicalKind.Timestamp } t } p when t.Unit != TimeUnit.Micros =>
            new PrimitiveField(p.Name, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, t.IsAdjustedToUtc), p.Repetition, fieldId: p.FieldId),
        PrimitiveField { LogicalType: { Kind: LogicalKind.Decimal } d } p
            when p.PhysicalType != PhysicalType.FixedLenByteArray || p.TypeLength != AvroSchema.DecimalFixedSize(d.Precision) =>
            new PrimitiveField(p.Name, PhysicalType.FixedLenByteArray, d, p.Repetition, AvroSchema.DecimalFixedSize(d.Precision), p.FieldId),
        // Spark's byte, short, int and long become Avro int/long, which parquet-avro writes without an annotation.
        PrimitiveField { LogicalType: { Kind: LogicalKind.Integer, IsSigned: true } i } p when (i.BitWidth <= 32 && p.PhysicalType == PhysicalType.Int32) || (i.BitWidth == 64 && p.PhysicalType == PhysicalType.Int64) =>
            new PrimitiveField(p.Name, p.PhysicalType, null, p.Repetition, fieldId: p.FieldId),
        PrimitiveField p => p,
        StructField s => new StructField(s.Name, [.. s.Children.Select(NormalizeField)], s.Repetition, s.FieldId),
        ListField l => new ListField(l.Name, NormalizeField(l.Element).WithName("element"), l.Repetition, l.FieldId),
        MapField m => new MapField(m.Name, NormalizeField(m.Key).WithName("key"), NormalizeField(m.Value).WithName("value"), m.Repetition, m.FieldId),
        _ => field,
    };

    private static ColumnVector Convert(Field target, ColumnVector vector)
    {
        switch (target, vector)
        {
            case (PrimitiveField { LogicalType.Kind: LogicalKind.Timestamp }, PrimitiveVector<Int96> int96):
                return new PrimitiveVector<long>(target, [.. int96.Values.Take(int96.Length).Select(v => v.ToUnixMicros())], int96.Length, int96.Validity);
            case (PrimitiveField { LogicalType.Kind: LogicalKind.Timestamp }, PrimitiveVector<long> longs)
                when ((PrimitiveField)vector.Field).LogicalType is { Kind: LogicalKind.Timestamp } source && source.Unit != TimeUnit.Micros:
                var values = new long[longs.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = source.Unit == TimeUnit.Millis ? checked(longs.Values[i] * 1000) : FloorDiv(longs.Values[i], 1000);
                }

                return new PrimitiveVector<long>(target, values, longs.Length, longs.Validity);
            case (PrimitiveField { LogicalType.Kind: LogicalKind.Decimal, PhysicalType: PhysicalType.FixedLenByteArray } p, _)
                when vector.Field is not PrimitiveField { PhysicalType: PhysicalType.FixedLenByteArray } || ((PrimitiveField)vector.Field).TypeLength != p.TypeLength:
                return ConvertDecimal(p, vector);
            case (PrimitiveField, _):
                return ReferenceEquals(target, vector.Field) ? vector : Relabel(target, vector);
            case (StructField s, StructVector sv):
                return new StructVector(s, [.. s.Children.Select((c, i) => Convert(c, sv.Children[i]))], sv.Length, sv.Validity);
            case (ListField l, ListVector lv):
                return new ListVector(l, lv.Offsets, Convert(l.Element, lv.Elements), lv.Length, lv.Validity);
            case (MapField m, MapVector mv):
                return new MapVector(m, mv.Offsets, Convert(m.Key, mv.Keys), Convert(m.Value, mv.Items), mv.Length, mv.Validity);
            default:
                throw new HudiException($"column '{target.Name}': cannot convert a {vector.GetType().Name} to {target.TypeName}");
        }
    }

    /// <summary>The same values under another field (a new name, nullability or annotation of the same physical type).</summary>
    internal static ColumnVector Relabel(Field target, ColumnVector vector) => vector switch
    {
        BooleanVector b => new BooleanVector(target, b.Values, b.Length, b.Validity),
        PrimitiveVector<int> p => new PrimitiveVector<int>(target, p.Values, p.Length, p.Validity),
        PrimitiveVector<long> p => new PrimitiveVector<long>(target, p.Values, p.Length, p.Validity),
        PrimitiveVector<float> p => new PrimitiveVector<float>(target, p.Values, p.Length, p.Validity),
        PrimitiveVector<double> p => new PrimitiveVector<double>(target, p.Values, p.Length, p.Validity),
        PrimitiveVector<Int96> p => new PrimitiveVector<Int96>(target, p.Values, p.Length, p.Validity),
        BinaryVector b => new BinaryVector(target, b.Offsets, b.Data, b.Length, b.Validity),
        _ => vector,
    };

    private static BinaryVector ConvertDecimal(PrimitiveField target, ColumnVector vector)
    {
        var width = target.TypeLength;
        var data = new byte[width * vector.Length];
        var offsets = new int[vector.Length + 1];
        for (var i = 0; i < vector.Length; i++)
        {
            offsets[i + 1] = (i + 1) * width;
            if (vector.IsNull(i))
            {
                continue;
            }

            var unscaled = Unscaled(target, vector, i);
            try
            {
                ParquetDecimal.WriteBigEndian(unscaled, data.AsSpan(i * width, width));
            }
            catch (OverflowException)
            {
                throw new HudiException($"column '{target.Name}': decimal {unscaled} does not fit DECIMAL({target.LogicalType!.Precision},{target.LogicalType.Scale})");
            }
        }

        return new BinaryVector(target, offsets, data, vector.Length, vector.Validity);
    }

    /// <summary>The unscaled value of a non-null decimal slot, stored as INT32, INT64 or big-endian bytes.</summary>
    internal static BigInteger Unscaled(Field target, ColumnVector vector, int i) => vector switch
    {
        PrimitiveVector<int> p => p.Values[i],
        PrimitiveVector<long> p => p.Values[i],
        BinaryVector b => ParquetDecimal.FromBigEndian(b.GetSpan(i), 0).Unscaled,
        _ => throw new HudiException($"column '{target.Name}': a decimal stored as {vector.GetType().Name} cannot be converted"),
    };

    private static long FloorDiv(long value, long divisor)
    {
        var q = Math.DivRem(value, divisor, out var r);
        return r < 0 ? q - 1 : q;
    }
}
