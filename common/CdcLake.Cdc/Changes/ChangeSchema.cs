using CdcLake.Cdc.Internal;
using CdcLake.Parquet;

namespace CdcLake.Cdc;

/// <summary>
/// The columns changes carry, the same for every file of a read: the union of the files' columns (and of the
/// table's, when given) after drops and renames, without <c>Op</c> and before-image columns, each in its table
/// type (<see cref="DmsTypes"/>); then the derived date column, when configured; then <c>_cdc_order</c>. A
/// column a file lacks is null in its rows. Built before any row is read, so a type conflict stops the table
/// before anything is merged.
/// </summary>
public sealed class ChangeSchema
{
    /// <summary>The change sequence column DMS adds with <c>$AR_H_CHANGE_SEQ</c>: the default ordering column.</summary>
    public const string ChangeSequenceColumn = "AR_H_CHANGE_SEQ";

    private readonly TableSpec _spec;
    private readonly Dictionary<ParquetSchema, FileLayout> _layouts = new(ReferenceEqualityComparer.Instance);

    private ChangeSchema(TableSpec spec, ParquetSchema schema, int dataFields, IReadOnlyList<string> ordering, IReadOnlyList<string> added, IReadOnlyList<string> widened, IReadOnlyList<string> warnings)
    {
        _spec = spec;
        Schema = schema;
        DataFieldCount = dataFields;
        Ordering = ordering;
        AddedColumns = added;
        WidenedColumns = widened;
        Warnings = warnings;
    }

    /// <summary>The payload schema: data columns, then the derived date column (if any), then <c>_cdc_order</c>.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>The data columns (the union), before the derived and order columns.</summary>
    public int DataFieldCount { get; }

    /// <summary>The ordering columns in use (table names, priority order): the table's, or AR_H_CHANGE_SEQ by default.</summary>
    public IReadOnlyList<string> Ordering { get; }

    /// <summary>Columns the files have that the table schema given did not.</summary>
    public IReadOnlyList<string> AddedColumns { get; }

    /// <summary>Columns whose type is wider than in the table schema given (int → long, float → double, more decimal digits).</summary>
    public IReadOnlyList<string> WidenedColumns { get; }

    /// <summary>Harmless oddities, e.g. a CDC file without the before-image columns configured.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// The schema for <paramref name="spec"/> over the schemas of <paramref name="files"/> (in read order), starting
    /// from <paramref name="tableSchema"/> (the table's current columns; <c>_hoodie_*</c> and derived columns are
    /// ignored) when the table exists.
    /// </summary>
    /// <exception cref="CdcDataException">A type conflict, a missing key column, or an unusable ordering or Op column; names the file and column.</exception>
    public static ChangeSchema Build(TableSpec spec, IReadOnlyList<(DmsFile File, ParquetSchema Schema)> files, ParquetSchema? tableSchema = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(files);
        var fields = new List<Field>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var initial = new Dictionary<string, Field>(StringComparer.Ordinal);
        var derived = spec.DatePartition?.Column;
        if (tableSchema is not null)
        {
            foreach (var field in tableSchema.Fields)
            {
                if (field.Name.StartsWith("_hoodie_", StringComparison.Ordinal) || field.Name == CdcOrder.ColumnName || field.Name == derived)
                {
                    continue;
                }

                var normalized = DmsTypes.Normalize(field, field.Name);
                index[field.Name] = fields.Count;
                fields.Add(normalized);
                initial[field.Name] = normalized;
            }
        }

        var beforeImage = new HashSet<string>(spec.BeforeImageKeyColumns ?? [], StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (var (file, schema) in files)
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in schema.Fields)
            {
                var source = field.Name;
                if (source == DmsOp.Column)
                {
                    if (field is not PrimitiveField { PhysicalType: PhysicalType.ByteArray })
                    {
                        throw new CdcDataException(file.Path, null, source, $"the Op column must be a string, but it is {field.TypeName}");
                    }

                    continue;
                }

                if (beforeImage.Contains(source) || spec.DropColumns.Contains(source))
                {
                    continue;
                }

                var name = spec.RenameColumns.GetValueOrDefault(source, source);
                if (name.StartsWith("_hoodie_", StringComparison.Ordinal) || name == CdcOrder.ColumnName)
                {
                    throw new CdcDataException(file.Path, null, source, $"the name '{name}' is reserved for Hudi and CdcLake; rename or drop the column");
                }

                if (name == derived)
                {
                    throw new CdcDataException(file.Path, null, source, $"the file has a column named like the derived date column '{derived}'; rename it or the derived column");
                }

                if (!seen.TryAdd(name, source))
                {
                    throw new CdcDataException(file.Path, null, source, $"columns '{seen[name]}' and '{source}' would both be called '{name}'");
                }

                var normalized = DmsTypes.Normalize(field, name);
                if (!index.TryGetValue(name, out var at))
                {
                    index[name] = fields.Count;
                    fields.Add(normalized);
                    continue;
                }

                var union = DmsTypes.Union(fields[at], normalized)
                    ?? throw new CdcDataException(file.Path, null, source,
                        $"type {DmsTypes.Describe(normalized)} conflicts with {DmsTypes.Describe(fields[at])} {(initial.ContainsKey(name) ? "in the table" : "in earlier files")}");
                fields[at] = union;
            }

            foreach (var key in spec.RecordKey)
            {
                var source = spec.SourceColumnOf(key);
                if (schema.IndexOf(source) < 0)
                {
                    throw new CdcDataException(file.Path, null, source, "the record key column is missing from the file");
                }
            }

            if (file.Kind == DmsFileKind.Cdc && spec.BeforeImageKeyColumns is { } bi && bi.Any(c => schema.IndexOf(c) < 0))
            {
                warnings.Add($"{file.Path}: no before-image key columns ({string.Join(", ", bi)}): a primary-key update in it leaves the old key behind");
            }
        }

        foreach (var key in spec.RecordKey)
        {
            if (!index.ContainsKey(key))
            {
                throw new CdcDataException(files.Count > 0 ? files[0].File.Path : spec.Source, null, spec.SourceColumnOf(key), "the record key column is missing");
            }
        }

        var ordering = ResolveOrdering(spec, files);
        CheckOrderingTypes(spec, ordering, files);

        var data = fields.Count;
        if (spec.DatePartition is { } date)
        {
            if (!index.TryGetValue(date.Source, out var at))
            {
                throw new CdcDataException(files.Count > 0 ? files[0].File.Path : spec.Source, null, spec.SourceColumnOf(date.Source), $"the source of the derived date column '{date.Column}' is missing");
            }

            if (!DateSource(fields[at]))
            {
                throw new CdcDataException(files.Count > 0 ? files[0].File.Path : spec.Source, null, spec.SourceColumnOf(date.Source),
                    $"the derived date column '{date.Column}' needs a timestamp, date or timestamp-text column, but it is {DmsTypes.Describe(fields[at])}");
            }

            fields.Add(new PrimitiveField(date.Column, PhysicalType.ByteArray, LogicalType.String));
        }

        foreach (var partition in spec.PartitionBy)
        {
            if (!index.ContainsKey(partition) && partition != derived)
            {
                throw new CdcDataException(files.Count > 0 ? files[0].File.Path : spec.Source, null, spec.SourceColumnOf(partition), "the partition column is missing");
            }
        }

        fields.Add(new PrimitiveField(CdcOrder.ColumnName, PhysicalType.ByteArray, LogicalType.String, Repetition.Required));
        var added = fields.Take(data).Where(f => tableSchema is not null && !initial.ContainsKey(f.Name)).Select(f => f.Name).ToList();
        var widened = fields.Take(data).Where(f => initial.TryGetValue(f.Name, out var before) && !DmsTypes.Same(before, f)).Select(f => f.Name).ToList();
        return new ChangeSchema(spec, new ParquetSchema(fields), data, ordering, added, widened, warnings);
    }

    /// <summary>Where this schema's columns are in a file of schema <paramref name="fileSchema"/>.</summary>
    internal FileLayout LayoutOf(ParquetSchema fileSchema)
    {
        lock (_layouts)
        {
            if (!_layouts.TryGetValue(fileSchema, out var layout))
            {
                layout = FileLayout.Create(this, _spec, fileSchema);
                _layouts[fileSchema] = layout;
            }

            return layout;
        }
    }

    private static IReadOnlyList<string> ResolveOrdering(TableSpec spec, IReadOnlyList<(DmsFile File, ParquetSchema Schema)> files)
    {
        if (spec.Ordering is { } configured)
        {
            return configured;
        }

        var cdc = files.Where(f => f.File.Kind == DmsFileKind.Cdc).ToList();
        if (cdc.Count == 0 || files.Any(f => f.Schema.IndexOf(spec.SourceColumnOf(ChangeSequenceColumn)) >= 0))
        {
            return [ChangeSequenceColumn];
        }

        throw new CdcDataException(cdc[0].File.Path, null, null,
            $"no ordering columns are configured and the files have no {ChangeSequenceColumn}: name the change-sequence or commit-timestamp columns (pipeline 'ordering', or --order), e.g. DMS_TIMESTAMP");
    }

    private static void CheckOrderingTypes(TableSpec spec, IReadOnlyList<string> ordering, IReadOnlyList<(DmsFile File, ParquetSchema Schema)> files)
    {
        foreach (var (file, schema) in files)
        {
            foreach (var column in ordering)
            {
                var source = spec.SourceColumnOf(column);
                var at = schema.IndexOf(source);
                if (at >= 0 && !OrderingType(schema.Fields[at]))
                {
                    throw new CdcDataException(file.Path, null, source,
                        $"an ordering column must be a string (change sequence or timestamp text), timestamp, date or integer, but it is {schema.Fields[at].TypeName}");
                }
            }
        }
    }

    private static bool OrderingType(Field field) => field is PrimitiveField p && (p.PhysicalType, p.LogicalType?.Kind) switch
    {
        (PhysicalType.ByteArray, LogicalKind.String or null) => true,
        (PhysicalType.Int64, LogicalKind.Timestamp or LogicalKind.Integer or null) => true,
        (PhysicalType.Int32, LogicalKind.Date or LogicalKind.Integer or null) => true,
        (PhysicalType.Int96, null) => true,
        _ => false,
    };

    private static bool DateSource(Field field) => field is PrimitiveField p && (p.LogicalType?.Kind is LogicalKind.Timestamp or LogicalKind.Date
        || (p.PhysicalType == PhysicalType.ByteArray && p.LogicalType?.Kind == LogicalKind.String));
}
