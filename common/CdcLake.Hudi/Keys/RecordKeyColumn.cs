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
        return (batch.Schema.Fields[at], batch.Columns[at]) switch
        {
            (PrimitiveField { LogicalType: null or { Kind: LogicalKind.Integer, IsSigned: true } }, PrimitiveVector<long> v) => Integers(field, v, v.Values),
            (PrimitiveField { LogicalType: null or { Kind: LogicalKind.Integer, IsSigned: true } }, PrimitiveVector<int> v) => Integers(field, v, v.Values),
            (PrimitiveField { PhysicalType: PhysicalType.ByteArray, LogicalType.Kind: LogicalKind.String }, BinaryVector v) => Strings(field, v),
            _ => null,
        };
    }

    /// <summary>The one field whose value, as is, is the record key; null for composite or prefixed keys and nested fields.</summary>
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
                validity ??= AllValid(n);
                Bitmap.Clear(validity, i);
            }
            else if (!Utf8.IsValid(value))
            {
                // Read as a .NET string, invalid bytes become U+FFFD: leave such batches to the row-by-row path.
                return null;
            }
        }

        if (vector.Offsets[0] == 0)
        {
            return new BinaryVector(field, vector.Offsets, vector.Data, n, validity);
        }

        var start = vector.Offsets[0];
        var offsets = new int[n + 1];
        for (var i = 0; i <= n; i++)
        {
            offsets[i] = vector.Offsets[i] - start;
        }

        return new BinaryVector(field, offsets, vector.Data.AsSpan(start, vector.Offsets[n] - start).ToArray(), n, validity);
    }

    private static byte[] AllValid(int n)
    {
        var bits = new byte[Bitmap.BytesFor(n)];
        bits.AsSpan().Fill(0xFF);
        return bits;
    }
}
