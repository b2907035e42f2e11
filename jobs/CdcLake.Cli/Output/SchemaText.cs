using System.Text;
using CdcLake.Parquet;

namespace CdcLake.Cli.Output;

/// <summary>Human-readable descriptions of schemas and types.</summary>
public static class SchemaText
{
    /// <summary>
    /// The logical schema as an indented tree, one field per line, children two spaces deeper:
    /// <c>price: decimal(10,2)</c>, <c>tags: list</c> then its element, <c>id: int64 not null</c>,
    /// with <c>(field_id=N)</c> when the file gives one.
    /// </summary>
    public static string Tree(ParquetSchema schema)
    {
        var sb = new StringBuilder();
        foreach (var field in schema.Fields)
        {
            AppendTree(sb, field, 0);
        }

        return sb.ToString();
    }

    /// <summary>
    /// One row per leaf column: index, dotted path as stored, physical type, logical type, and the
    /// maximum definition and repetition levels, in aligned columns under a header.
    /// </summary>
    public static string LeafTable(ParquetSchema schema)
    {
        var rows = new List<string[]> { new[] { "#", "path", "physical", "logical", "max_def", "max_rep" } };
        foreach (var column in schema.Columns)
        {
            rows.Add([
                column.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                column.DottedPath,
                PhysicalName(column.Field),
                LogicalName(column.Field.LogicalType),
                column.MaxDefinitionLevel.ToString(System.Globalization.CultureInfo.InvariantCulture),
                column.MaxRepetitionLevel.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ]);
        }

        return Table(rows);
    }

    /// <summary>The Parquet name of a leaf's storage type: <c>INT64</c>, <c>FIXED_LEN_BYTE_ARRAY(16)</c>.</summary>
    public static string PhysicalName(PrimitiveField field) => field.PhysicalType switch
    {
        PhysicalType.Boolean => "BOOLEAN",
        PhysicalType.Int32 => "INT32",
        PhysicalType.Int64 => "INT64",
        PhysicalType.Int96 => "INT96",
        PhysicalType.Float => "FLOAT",
        PhysicalType.Double => "DOUBLE",
        PhysicalType.ByteArray => "BYTE_ARRAY",
        PhysicalType.FixedLenByteArray => $"FIXED_LEN_BYTE_ARRAY({field.TypeLength})",
        var other => other.ToString().ToUpperInvariant(),
    };

    /// <summary>The Parquet spelling of a logical type (<c>DECIMAL(9,2)</c>, <c>TIMESTAMP(MILLIS,UTC)</c>), or <c>-</c>.</summary>
    public static string LogicalName(LogicalType? logical) => logical?.ToString() ?? "-";

    /// <summary>A short type for the tree: the logical type when there is one, else the physical type.</summary>
    public static string ShortType(Field field) => field switch
    {
        PrimitiveField p => ShortType(p),
        ListField => "list",
        MapField => "map",
        _ => "struct",
    };

    private static string ShortType(PrimitiveField field)
    {
        var logical = field.LogicalType;
        if (logical is null)
        {
            return field.PhysicalType switch
            {
                PhysicalType.ByteArray => "binary",
                PhysicalType.FixedLenByteArray => $"fixed_len_byte_array({field.TypeLength})",
                var p => p.ToString().ToLowerInvariant(),
            };
        }

        return logical.Kind switch
        {
            LogicalKind.Integer => $"{(logical.IsSigned ? "int" : "uint")}{logical.BitWidth}",
            LogicalKind.Decimal => $"decimal({logical.Precision},{logical.Scale})",
            LogicalKind.Time or LogicalKind.Timestamp =>
                $"{logical.Kind.ToString().ToLowerInvariant()}({logical.Unit.ToString().ToLowerInvariant()}, {(logical.IsAdjustedToUtc ? "utc" : "local")})",
            _ => logical.Kind.ToString().ToLowerInvariant(),
        };
    }

    private static void AppendTree(StringBuilder sb, Field field, int indent)
    {
        sb.Append(' ', indent).Append(field.Name).Append(": ").Append(ShortType(field));
        if (field.Repetition == Repetition.Required)
        {
            sb.Append(" not null");
        }
        else if (field.Repetition == Repetition.Repeated)
        {
            sb.Append(" repeated");
        }

        if (field.FieldId is { } id)
        {
            sb.Append(" (field_id=").Append(id).Append(')');
        }

        sb.Append('\n');
        switch (field)
        {
            case StructField s:
                foreach (var child in s.Children)
                {
                    AppendTree(sb, child, indent + 2);
                }

                break;
            case ListField l:
                AppendTree(sb, l.Element, indent + 2);
                break;
            case MapField m:
                AppendTree(sb, m.Key, indent + 2);
                AppendTree(sb, m.Value, indent + 2);
                break;
        }
    }

    /// <summary>Rows of cells, left-aligned in columns two spaces apart, each line ending in <c>\n</c>.</summary>
    public static string Table(IReadOnlyList<string[]> rows)
    {
        var widths = new int[rows.Max(r => r.Length)];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i == row.Length - 1)
                {
                    sb.Append(row[i]);
                }
                else
                {
                    sb.Append(row[i].PadRight(widths[i] + 2));
                }
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
