using System.Numerics;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>The table's columns reconciled with a write's input (see <see cref="SchemaEvolution.Merge"/>).</summary>
/// <param name="Fields">The columns the commit writes, in table order, new columns where the input puts them.</param>
/// <param name="Evolved">True when <paramref name="Fields"/> differ from the table's: every file group must be rewritten.</param>
/// <param name="MissingRequired">Required table columns the input lacks (an error unless no row of the input is written).</param>
internal sealed record SchemaMerge(IReadOnlyList<Field> Fields, bool Evolved, IReadOnlyList<string> MissingRequired);

/// <summary>
/// The schema evolution the writer allows, and the conversion of rows between compatible schemas. Allowed: new
/// nullable columns, a column made nullable, INT32 to INT64, FLOAT to DOUBLE, and DECIMAL(p,s) to DECIMAL(p',s')
/// that holds every old value exactly (p' - s' &gt;= p - s, s' &gt;= s); input columns missing are null. Everything else
/// (another type, a narrower one) is refused: old rows could not be read as the new type, or not exactly.
/// </summary>
internal static class SchemaEvolution
{
    /// <summary>
    /// Reconciles <paramref name="table"/> (the last commit's columns, normalized) with <paramref name="input"/>
    /// (the write's, normalized). Types are compared as Hudi stores them (their Avro type), so annotations Avro does
    /// not keep (JSON, ENUM on strings) are no change.
    /// </summary>
    /// <exception cref="HudiException">An incompatible change, naming the column and both types.</exception>
    public static SchemaMerge Merge(IReadOnlyList<Field> table, IReadOnlyList<Field> input, string location)
    {
        var missing = new List<string>();
        var merged = MergeFields(table, input, "", location, missing);
        var evolved = Avro(merged) != Avro(table);
        return new SchemaMerge(merged, evolved, missing);
    }

    /// <summary>
    /// The columns of <paramref name="batch"/> after the first <paramref name="keep"/> (kept as they are) converted
    /// to <paramref name="target"/>: matched by name, widened exactly, absent ones null.
    /// </summary>
    public static RecordBatch Conform(RecordBatch batch, IReadOnlyList<Field> target, int keep = 0)
    {
        var columns = new List<ColumnVector>(keep + target.Count);
        var fields = new List<Field>(keep + target.Count);
        for (var i = 0; i < keep; i++)
        {
            columns.Add(batch.Columns[i]);
            fields.Add(batch.Schema.Fields[i]);
        }

        foreach (var field in target)
        {
            var at = batch.Schema.IndexOf(field.Name);
            columns.Add(at < keep ? Nulls(field, batch.RowCount) : Convert(field, batch.Columns[at]));
            fields.Add(field);
        }

        return new RecordBatch(new ParquetSchema(fields), columns, batch.RowCount);
    }

    /// <summary>Whether rows of <paramref name="a"/> go into files of <paramref name="b"/> as they are (nullability aside).</summary>
    public static bool SameShape(IReadOnlyList<Field> a, IReadOnlyList<Field> b) =>
        HudiSchemaNormalizer.Shape(a) == HudiSchemaNormalizer.Shape(b);

    /// <summary>A column of <paramref name="length"/> nulls of <paramref name="field"/>'s type.</summary>
    public static ColumnVector Nulls(Field field, int length)
    {
        var none = new byte[Bitmap.BytesFor(length)];
        switch (field)
        {
            case PrimitiveField p:
                return p.PhysicalType switch
                {
                    PhysicalType.Boolean => new BooleanVector(field, new bool[length], length, none),
                    PhysicalType.Int32 => new PrimitiveVector<int>(field, new int[length], length, none),
                    PhysicalType.Int64 => new PrimitiveVector<long>(field, new long[length], length, none),
                    PhysicalType.Float => new PrimitiveVector<float>(field, new float[length], length, none),
                    PhysicalType.Double => new PrimitiveVector<double>(field, new double[length], length, none),
                    PhysicalType.Int96 => new PrimitiveVector<Int96>(field, new Int96[length], length, none),
                    // Fixed-width values keep their width even in null slots.
                    PhysicalType.FixedLenByteArray => new BinaryVector(field, [.. Enumerable.Range(0, length + 1).Select(i => i * p.TypeLength)], new byte[length * p.TypeLength], length, none),
                    _ => new BinaryVector(field, new int[length + 1], [], length, none),
                };
            case StructField s:
                return new StructVector(field, [.. s.Children.Select(c => Nulls(c, length))], length, none);
            case ListField l:
                return new ListVector(field, new int[length + 1], Nulls(l.Element, 0), length, none);
            case MapField m:
                return new MapVector(field, new int[length + 1], Nulls(m.Key, 0), Nulls(m.Value, 0), length, none);
            default:
                throw new HudiException($"column '{field.Name}': unknown field kind {field.GetType().Name}");
        }
    }

    private static List<Field> MergeFields(IReadOnlyList<Field> table, IReadOnlyList<Field> input, string prefix, string location, List<string> missingRequired)
    {
        var byName = input.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var merged = new List<Field>(table.Count + input.Count);
        foreach (var t in table)
        {
            if (byName.TryGetValue(t.Name, out var i))
            {
                merged.Add(MergeField(t, i, prefix + t.Name, location, missingRequired));
            }
            else if (t.IsNullable)
            {
                merged.Add(t);
            }
            else if (prefix.Length == 0)
            {
                missingRequired.Add(t.Name);
                merged.Add(t);
            }
            else
            {
                throw new HudiException($"{location}: column '{prefix}{t.Name}' ({t.TypeName} not null) is missing from the input, and it is required");
            }
        }

        // New columns go after the input column they follow (at the start when they lead).
        var known = table.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        for (var n = 0; n < input.Count; n++)
        {
            var field = input[n];
            if (known.Contains(field.Name))
            {
                continue;
            }

            if (!field.IsNullable)
            {
                throw new HudiException($"{location}: column '{prefix}{field.Name}' ({field.TypeName} not null) is new and required; the table's existing rows have no value for it (a new column must be nullable)");
            }

            var after = -1;
            for (var back = n - 1; back >= 0 && after < 0; back--)
            {
                after = merged.FindIndex(f => f.Name == input[back].Name);
            }

            merged.Insert(after + 1, field);
            known.Add(field.Name);
        }

        return merged;
    }

    private static Field MergeField(Field t, Field i, string path, string location, List<string> missingRequired)
    {
        var repetition = t.IsNullable || i.IsNullable ? Repetition.Optional : Repetition.Required;
        switch (t, i)
        {
            case (PrimitiveField tp, PrimitiveField ip):
                if (Avro(tp) == Avro(ip) || IsWidening(tp, ip))
                {
                    return ip.WithRepetition(repetition);
                }

                break;
            case (StructField ts, StructField @is):
                return new StructField(i.Name, MergeFields(ts.Children, @is.Children, path + ".", location, missingRequired), repetition, i.FieldId);
            case (ListField tl, ListField il):
                return new ListField(i.Name, MergeField(tl.Element, il.Element, path + ".element", location, missingRequired), repetition, i.FieldId);
            case (MapField tm, MapField im):
                return new MapField(
                    i.Name,
                    MergeField(tm.Key, im.Key, path + ".key", location, missingRequired),
                    MergeField(tm.Value, im.Value, path + ".value", location, missingRequired),
                    repetition,
                    i.FieldId);
        }

        throw new HudiException($"{location}: column '{path}' cannot change from {t.TypeName} (the table's) to {i.TypeName} (the input's): " +
            "only new nullable columns, INT32 to INT64, FLOAT to DOUBLE, a wider DECIMAL and a column made nullable are allowed");
    }

    private static bool IsWidening(PrimitiveField from, PrimitiveField to) => (from, to) switch
    {
        ({ PhysicalType: PhysicalType.Int32, LogicalType: null }, { PhysicalType: PhysicalType.Int64, LogicalType: null }) => true,
        ({ PhysicalType: PhysicalType.Float, LogicalType: null }, { PhysicalType: PhysicalType.Double, LogicalType: null }) => true,
        ({ LogicalType: { Kind: LogicalKind.Decimal } d }, { LogicalType: { Kind: LogicalKind.Decimal } e }) =>
            e.Scale >= d.Scale && e.Precision - e.Scale >= d.Precision - d.Scale && (e.Precision, e.Scale) != (d.Precision, d.Scale),
        _ => false,
    };

    /// <summary>How Hudi records the type (the Avro schema), which is what "the same type" means to a table.</summary>
    private static string Avro(PrimitiveField field) =>
        AvroSchema.ToJson("t", [field.WithName("f").WithRepetition(Repetition.Required)]);

    private static string Avro(IReadOnlyList<Field> fields) => AvroSchema.ToJson("t", fields);

    private static ColumnVector Convert(Field target, ColumnVector vector)
    {
        switch (target, vector)
        {
            case (PrimitiveField t, _) when vector.Field is PrimitiveField s && s.PhysicalType == t.PhysicalType
                && (s.LogicalType == t.LogicalType || Avro(s) == Avro(t)) && s.TypeLength == t.TypeLength:
                return ReferenceEquals(s, t) ? vector : HudiSchemaNormalizer.Relabel(t, vector);
            case (PrimitiveField { PhysicalType: PhysicalType.Int64, LogicalType: null }, PrimitiveVector<int> { Field: PrimitiveField { LogicalType: null } } ints):
                var longs = new long[ints.Length];
                for (var n = 0; n < longs.Length; n++)
                {
                    longs[n] = ints.Values[n];
                }

                return new PrimitiveVector<long>(target, longs, ints.Length, ints.Validity);
            case (PrimitiveField { PhysicalType: PhysicalType.Double, LogicalType: null }, PrimitiveVector<float> { Field: PrimitiveField { LogicalType: null } } floats):
                var doubles = new double[floats.Length];
                for (var n = 0; n < doubles.Length; n++)
                {
                    doubles[n] = floats.Values[n];
                }

                return new PrimitiveVector<double>(target, doubles, floats.Length, floats.Validity);
            case (PrimitiveField { LogicalType.Kind: LogicalKind.Decimal } t, _)
                when vector.Field is PrimitiveField { LogicalType.Kind: LogicalKind.Decimal } s && s.LogicalType!.Scale <= t.LogicalType!.Scale:
                return Rescale(t, s.LogicalType!.Scale, vector);
            case (StructField s, StructVector sv):
                var children = s.Children.Select(c =>
                {
                    var at = sv.Children.Select(v => v.Field.Name).ToList().IndexOf(c.Name);
                    return at < 0 ? Nulls(c, sv.Length) : Convert(c, sv.Children[at]);
                });
                return new StructVector(s, [.. children], sv.Length, sv.Validity);
            case (ListField l, ListVector lv):
                return new ListVector(l, lv.Offsets, Convert(l.Element, lv.Elements), lv.Length, lv.Validity);
            case (MapField m, MapVector mv):
                return new MapVector(m, mv.Offsets, Convert(m.Key, mv.Keys), Convert(m.Value, mv.Items), mv.Length, mv.Validity);
            default:
                throw new HudiException($"column '{target.Name}': values of {vector.Field.TypeName} cannot be read as {target.TypeName}");
        }
    }

    /// <summary>Decimal values at <paramref name="fromScale"/> as <paramref name="target"/>'s fixed-width two's complement (exact: the scale only grows).</summary>
    private static BinaryVector Rescale(PrimitiveField target, int fromScale, ColumnVector vector)
    {
        var logical = target.LogicalType!;
        var factor = BigInteger.Pow(10, logical.Scale - fromScale);
        var width = target.PhysicalType == PhysicalType.FixedLenByteArray ? target.TypeLength : 0;
        var values = new byte[vector.Length][];
        for (var i = 0; i < vector.Length; i++)
        {
            var unscaled = vector.IsNull(i) ? BigInteger.Zero : HudiSchemaNormalizer.Unscaled(target, vector, i);
            var bytes = (unscaled * factor).ToByteArray(isUnsigned: false, isBigEndian: true);
            if (width > 0 && bytes.Length > width)
            {
                throw new HudiException($"column '{target.Name}': decimal {unscaled} does not fit {target.TypeName}");
            }

            if (width > 0)
            {
                var slot = new byte[width];
                slot.AsSpan(0, width - bytes.Length).Fill(unscaled.Sign < 0 ? (byte)0xFF : (byte)0);
                bytes.CopyTo(slot, width - bytes.Length);
                bytes = slot;
            }

            values[i] = bytes;
        }

        if (width == 0 && target.PhysicalType != PhysicalType.ByteArray)
        {
            throw new HudiException($"column '{target.Name}': decimals are rescaled into FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY only, not {target.TypeName}");
        }

        var offsets = new int[vector.Length + 1];
        for (var i = 0; i < values.Length; i++)
        {
            offsets[i + 1] = offsets[i] + values[i].Length;
        }

        var data = new byte[offsets[^1]];
        for (var i = 0; i < values.Length; i++)
        {
            values[i].CopyTo(data, offsets[i]);
        }

        return new BinaryVector(target, offsets, data, vector.Length, vector.Validity);
    }
}
