using System.Text.Unicode;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>
/// The record keys of a whole batch as one UTF-8 column, for the key shapes most tables have: a single key field,
/// written bare (Simple, Nonpartitioned, or Complex without the field-name prefix), holding signed integers or
/// strings. The bytes are those of <see cref="KeyGenerator.GetRecordKey"/>'s text for each row, made without a .NET
/// string or a boxed value per row; other shapes return null and are keyed row by row.
/// </summary>
public static class RecordKeyColumn
{
    /// <summary>
    /// The keys of <paramref name="batch"/>, or null when this generator's keys of this batch are not of a shape
    /// built here. A row whose key field is null or an empty string is null in the result: it has no record key (the
    /// row-by-row generator says why).
    /// </summary>
    public static BinaryVector? TryBuild(KeyGenerator generator, RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(batch);
        if (BareKeyField(generator) is not { } name || batch.Schema.IndexOf(name) is not (var at and >= 0))
        {
            return null;
        }

        var field = new PrimitiveField(HoodieMetaFields.RecordKey, PhysicalType.ByteArray, LogicalType.String);
        var keyField = batch.Schema.Fields[at];
        return batch.Columns[at] switch
        {
            PrimitiveVector<long> v when IsSignedInteger(keyField) => Integers(field, v, v.Values),
            PrimitiveVector<int> v when IsSignedInteger(keyField) => Integers(field, v, v.Values),
            BinaryVector v when keyField is PrimitiveField { PhysicalType: PhysicalType.ByteArray, LogicalType.Kind: LogicalKind.String } => Strings(field, v),
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="field"/> holds signed integers (INT32/INT64, plain or signed INT(n)): their key text is their decimal text.</summary>
    public static bool IsSignedInteger(Field field) =>
        field is PrimitiveField { PhysicalType: PhysicalType.Int32 or PhysicalType.Int64, LogicalType: null or { Kind: LogicalKind.Integer, IsSigned: true } };

    /// <summary>
    /// The one field whose value, as is, is the record key (Simple, Nonpartitioned with one field, Complex with one
    /// field unprefixed); null for composite or prefixed keys and nested fields. Every row stored by this library or by
    /// Hudi got its key from its fields, so a stored row's key is this field's text (the index relies on it).
    /// </summary>
    public static string? BareKeyField(KeyGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (generator.RecordKeyFields.Count != 1 || generator.RecordKeyFields[0].Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        return generator switch
        {
            SimpleKeyGenerator or NonpartitionedKeyGenerator => generator.RecordKeyFields[0],
            ComplexKeyGenerator when !generator.Options.ComplexKeySingleFieldPrefixed => generator.RecordKeyFields[0],
            _ => null,
        };
    }

    private static BinaryVector Integers<T>(Field field, ColumnVector vector, T[] values)
        where T : struct, IUtf8SpanFormattable
    {
        var n = vector.Length;
        var offsets = new int[n + 1];
        var data = new byte[n * 20];
        var at = 0;
        for (var i = 0; i < n; i++)
        {
            offsets[i] = at;
            if (!vector.IsNull(i))
            {
                values[i].TryFormat(data.AsSpan(at), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
                at += written;
            }
        }

        offsets[n] = at;
        return new BinaryVector(field, offsets, data, n, vector.NullCount == 0 ? null : (byte[])vector.Validity!.Clone());
    }

    private static BinaryVector? Strings(Field field, BinaryVector vector)
    {
        var n = vector.Length;
        byte[]? validity = vector.NullCount == 0 ? null : (byte[])vector.Validity!.Clone();
        for (var i = 0; i < n; i++)
        {
            if (vector.IsNull(i))
            {
                continue;
            }

            var value = vector.GetSpan(i);
            if (value.Length == 0)
            {
                // No key: the row-by-row generator names the field.
                validity ??= Bitmap.AllSet(n);
                Bitmap.Clear(validity, i);
            }
            else if (!Utf8.IsValid(value))
            {
                // Read as a .NET string, invalid bytes become U+FFFD: leave such batches to the row-by-row path.
                return null;
            }
        }

        return new BinaryVector(field, vector.Offsets, vector.Data, n, validity);
    }
}
