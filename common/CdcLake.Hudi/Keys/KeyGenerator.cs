using System.Text;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>A record's key and partition path, as stored in _hoodie_record_key and _hoodie_partition_path.</summary>
public readonly record struct HoodieKey(string RecordKey, string PartitionPath);

/// <summary>Options of key generation that hoodie.properties does not record.</summary>
public sealed record KeyGeneratorOptions
{
    /// <summary>hoodie.datasource.write.keygenerator.consistent.logical.timestamp.enabled (default false).</summary>
    public bool ConsistentLogicalTimestamp { get; init; }

    /// <summary>
    /// ComplexKeyGenerator with one record key field: true writes <c>field:value</c> (Hudi before 0.14.1 and
    /// after 1.0.2, and hoodie.write.complex.keygen.new.encoding=false), false the bare value (0.14.1–1.0.2).
    /// A table keyed this way must match the release that will write it next; prefer SimpleKeyGenerator.
    /// </summary>
    public bool ComplexKeySingleFieldPrefixed { get; init; } = true;

    public static KeyGeneratorOptions Default { get; } = new();
}

/// <summary>
/// Hudi's built-in key generators (Simple, Complex, Nonpartitioned): the record key and partition path of
/// a record, computed as Hudi's Spark writer computes them. A record is read through a function from a
/// field name (dotted for nested fields, e.g. <c>a.b</c>) to its value.
/// </summary>
public abstract class KeyGenerator
{
    /// <summary>Separates the fields of a composite key: <c>f1:v1,f2:v2</c>.</summary>
    public const char RecordKeyPartsSeparator = ',';

    /// <summary>Separates a field's name from its value in a composite key.</summary>
    public const char CompositeKeyValueSeparator = ':';

    /// <summary>Stands for a null value in a composite key.</summary>
    public const string NullRecordKeyPlaceholder = "__null__";

    /// <summary>Stands for an empty value in a composite key.</summary>
    public const string EmptyRecordKeyPlaceholder = "__empty__";

    private protected KeyGenerator(
        string className,
        IReadOnlyList<string> recordKeyFields,
        IReadOnlyList<string> partitionPathFields,
        bool hiveStylePartitioning,
        bool urlEncodePartitioning,
        KeyGeneratorOptions options)
    {
        ClassName = className;
        RecordKeyFields = recordKeyFields;
        PartitionPathFields = partitionPathFields;
        HiveStylePartitioning = hiveStylePartitioning;
        UrlEncodePartitioning = urlEncodePartitioning;
        Options = options;
        if (recordKeyFields.Count == 0)
        {
            throw new HudiConfigException($"{ShortName} needs at least one record key field");
        }
    }

    /// <summary>The Java class this generator reproduces, as hoodie.table.keygenerator.class names it.</summary>
    public string ClassName { get; }

    public IReadOnlyList<string> RecordKeyFields { get; }

    public IReadOnlyList<string> PartitionPathFields { get; }

    public bool HiveStylePartitioning { get; }

    public bool UrlEncodePartitioning { get; }

    public KeyGeneratorOptions Options { get; }

    private protected string ShortName => ClassName[(ClassName.LastIndexOf('.') + 1)..];

    /// <exception cref="HoodieKeyException">The key is null or empty, or a value cannot be key text.</exception>
    public abstract string GetRecordKey(Func<string, object?> getField);

    /// <exception cref="HoodieKeyException">A value cannot be key text, or the path has a ".." segment.</exception>
    public abstract string GetPartitionPath(Func<string, object?> getField);

    public HoodieKey GetKey(Func<string, object?> getField) => new(GetRecordKey(getField), GetPartitionPath(getField));

    /// <summary>Reads the fields of one row of a batch, following dotted names into structs.</summary>
    public HoodieKey GetKey(RowView row) => GetKey(FieldReader(row));

    /// <summary>A field reader over a batch row: <c>a.b</c> reads field b of struct a (null when a is null).</summary>
    /// <exception cref="HoodieKeyException">A named field is not in the row.</exception>
    public static Func<string, object?> FieldReader(RowView row) => path =>
    {
        var parts = path.Split('.');
        object? value;
        try
        {
            value = row[parts[0]];
        }
        catch (ParquetException e)
        {
            throw new HoodieKeyException($"key field '{path}' is not in the record: {e.Message}", e);
        }

        for (var i = 1; i < parts.Length && value is not null; i++)
        {
            if (value is not IReadOnlyDictionary<string, object?> fields || !fields.TryGetValue(parts[i], out value))
            {
                throw new HoodieKeyException($"key field '{path}': '{string.Join('.', parts[..i])}' has no field '{parts[i]}'");
            }
        }

        return value;
    };

    /// <summary>
    /// The record key from a single field (Hudi's KeyGenUtils.getRecordKey with one field): its bare text.
    /// </summary>
    private protected string SingleFieldRecordKey(Func<string, object?> getField, string field)
    {
        var text = KeyValueText.Format(getField(field), Options.ConsistentLogicalTimestamp);
        if (string.IsNullOrEmpty(text))
        {
            throw new HoodieKeyException($"recordKey value: \"{text ?? "null"}\" for field: \"{field}\" cannot be null or empty.");
        }

        return text;
    }

    /// <summary><c>f1:v1,f2:v2</c>, null and empty values as placeholders; not all of them null or empty.</summary>
    private protected string CompositeRecordKey(Func<string, object?> getField)
    {
        var sb = new StringBuilder();
        var allNullOrEmpty = true;
        foreach (var field in RecordKeyFields)
        {
            var text = KeyValueText.Format(getField(field), Options.ConsistentLogicalTimestamp);
            if (sb.Length > 0)
            {
                sb.Append(RecordKeyPartsSeparator);
            }

            sb.Append(field).Append(CompositeKeyValueSeparator);
            if (text is null)
            {
                sb.Append(NullRecordKeyPlaceholder);
            }
            else if (text.Length == 0)
            {
                sb.Append(EmptyRecordKeyPlaceholder);
            }
            else
            {
                sb.Append(text);
                allNullOrEmpty = false;
            }
        }

        if (allNullOrEmpty)
        {
            throw new HoodieKeyException(
                $"recordKey values: \"{sb}\" for fields: [{string.Join(", ", RecordKeyFields)}] cannot be entirely null or empty.");
        }

        return sb.ToString();
    }

    /// <summary>The segments of every partition field joined by '/'; "" without partition fields.</summary>
    private protected string JoinedPartitionPath(Func<string, object?> getField)
    {
        var segments = PartitionPathFields.Select(field => PartitionPaths.Segment(
            field,
            KeyValueText.Format(getField(field), Options.ConsistentLogicalTimestamp),
            HiveStylePartitioning,
            UrlEncodePartitioning));
        return PartitionPaths.RequireNoTraversal(string.Join('/', segments));
    }
}

/// <summary>org.apache.hudi.keygen.SimpleKeyGenerator: one record key field (bare value), one partition field.</summary>
public sealed class SimpleKeyGenerator : KeyGenerator
{
    public SimpleKeyGenerator(string recordKeyField, string partitionPathField, bool hiveStylePartitioning, bool urlEncodePartitioning, KeyGeneratorOptions? options = null)
        : base(KeyGeneratorClasses.Simple, [recordKeyField], [partitionPathField], hiveStylePartitioning, urlEncodePartitioning, options ?? KeyGeneratorOptions.Default)
    {
    }

    public override string GetRecordKey(Func<string, object?> getField) => SingleFieldRecordKey(getField, RecordKeyFields[0]);

    public override string GetPartitionPath(Func<string, object?> getField) => JoinedPartitionPath(getField);
}

/// <summary>
/// org.apache.hudi.keygen.ComplexKeyGenerator: record key <c>f1:v1,f2:v2</c> (one field: see
/// <see cref="KeyGeneratorOptions.ComplexKeySingleFieldPrefixed"/>), partition path of several fields.
/// </summary>
public sealed class ComplexKeyGenerator : KeyGenerator
{
    public ComplexKeyGenerator(IReadOnlyList<string> recordKeyFields, IReadOnlyList<string> partitionPathFields, bool hiveStylePartitioning, bool urlEncodePartitioning, KeyGeneratorOptions? options = null)
        : base(KeyGeneratorClasses.Complex, recordKeyFields, partitionPathFields, hiveStylePartitioning, urlEncodePartitioning, options ?? KeyGeneratorOptions.Default)
    {
    }

    public override string GetRecordKey(Func<string, object?> getField) =>
        RecordKeyFields.Count == 1 && !Options.ComplexKeySingleFieldPrefixed
            ? SingleFieldRecordKey(getField, RecordKeyFields[0])
            : CompositeRecordKey(getField);

    public override string GetPartitionPath(Func<string, object?> getField) => JoinedPartitionPath(getField);
}

/// <summary>
/// org.apache.hudi.keygen.NonpartitionedKeyGenerator: partition path "", record key bare for one field and
/// <c>f1:v1,f2:v2</c> for several.
/// </summary>
public sealed class NonpartitionedKeyGenerator : KeyGenerator
{
    public NonpartitionedKeyGenerator(IReadOnlyList<string> recordKeyFields, KeyGeneratorOptions? options = null)
        : base(KeyGeneratorClasses.Nonpartitioned, recordKeyFields, [], false, false, options ?? KeyGeneratorOptions.Default)
    {
    }

    public override string GetRecordKey(Func<string, object?> getField) =>
        RecordKeyFields.Count == 1 ? SingleFieldRecordKey(getField, RecordKeyFields[0]) : CompositeRecordKey(getField);

    public override string GetPartitionPath(Func<string, object?> getField) => "";
}

/// <summary>Key generator class names as hoodie.properties stores them.</summary>
public static class KeyGeneratorClasses
{
    public const string Simple = "org.apache.hudi.keygen.SimpleKeyGenerator";
    public const string Complex = "org.apache.hudi.keygen.ComplexKeyGenerator";
    public const string Nonpartitioned = "org.apache.hudi.keygen.NonpartitionedKeyGenerator";
    public const string SimpleAvro = "org.apache.hudi.keygen.SimpleAvroKeyGenerator";
    public const string ComplexAvro = "org.apache.hudi.keygen.ComplexAvroKeyGenerator";
    public const string NonpartitionedAvro = "org.apache.hudi.keygen.NonpartitionedAvroKeyGenerator";
    public const string Custom = "org.apache.hudi.keygen.CustomKeyGenerator";
    public const string TimestampBased = "org.apache.hudi.keygen.TimestampBasedKeyGenerator";
    public const string GlobalDelete = "org.apache.hudi.keygen.GlobalDeleteKeyGenerator";

    /// <summary>Hudi's choice when none is configured: no partition fields → Nonpartitioned; 1 and 1 → Simple; else Complex.</summary>
    public static string Infer(int recordKeyFieldCount, int partitionFieldCount) =>
        partitionFieldCount == 0 ? Nonpartitioned
        : recordKeyFieldCount == 1 && partitionFieldCount == 1 ? Simple
        : Complex;
}

/// <summary>Makes the key generator a table's hoodie.properties names.</summary>
public static class KeyGeneratorFactory
{
    /// <exception cref="HudiConfigException">An unsupported key generator, or fields it cannot use.</exception>
    public static KeyGenerator Create(TableConfig table, KeyGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var className = table.KeyGeneratorClass ?? table.KeyGeneratorType switch
        {
            KeyGeneratorType.Simple or KeyGeneratorType.SimpleAvro => KeyGeneratorClasses.Simple,
            KeyGeneratorType.Complex or KeyGeneratorType.ComplexAvro => KeyGeneratorClasses.Complex,
            KeyGeneratorType.NonPartition or KeyGeneratorType.NonPartitionAvro => KeyGeneratorClasses.Nonpartitioned,
            null => KeyGeneratorClasses.Infer(table.RecordKeyFields.Count, table.PartitionFields.Count),
            var other => throw new HudiConfigException($"key generator type {HoodieTableConfig.KeyGeneratorTypeKey.Format(other.Value)} is not supported (SIMPLE, COMPLEX, NON_PARTITION are)"),
        };
        return Create(className, table.RecordKeyFields, table.PartitionFields, table.HiveStylePartitioning, table.UrlEncodePartitioning, options);
    }

    /// <exception cref="HudiConfigException">An unsupported key generator, or fields it cannot use.</exception>
    public static KeyGenerator Create(
        string className,
        IReadOnlyList<string> recordKeyFields,
        IReadOnlyList<string> partitionPathFields,
        bool hiveStylePartitioning,
        bool urlEncodePartitioning,
        KeyGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(recordKeyFields);
        ArgumentNullException.ThrowIfNull(partitionPathFields);
        switch (className)
        {
            case KeyGeneratorClasses.Simple or KeyGeneratorClasses.SimpleAvro:
                if (recordKeyFields.Count != 1 || partitionPathFields.Count != 1)
                {
                    throw new HudiConfigException(
                        $"SimpleKeyGenerator takes one record key field and one partition field, got [{string.Join(",", recordKeyFields)}] " +
                        $"and [{string.Join(",", partitionPathFields)}]; use ComplexKeyGenerator or NonpartitionedKeyGenerator");
                }

                return new SimpleKeyGenerator(recordKeyFields[0], partitionPathFields[0], hiveStylePartitioning, urlEncodePartitioning, options);
            case KeyGeneratorClasses.Complex or KeyGeneratorClasses.ComplexAvro:
                return new ComplexKeyGenerator(recordKeyFields, partitionPathFields, hiveStylePartitioning, urlEncodePartitioning, options);
            case KeyGeneratorClasses.Nonpartitioned or KeyGeneratorClasses.NonpartitionedAvro:
                if (partitionPathFields.Count != 0)
                {
                    throw new HudiConfigException(
                        $"NonpartitionedKeyGenerator takes no partition fields, got [{string.Join(",", partitionPathFields)}]");
                }

                return new NonpartitionedKeyGenerator(recordKeyFields, options);
            default:
                throw new HudiConfigException(
                    $"key generator {className} is not supported; use {KeyGeneratorClasses.Simple}, {KeyGeneratorClasses.Complex} or {KeyGeneratorClasses.Nonpartitioned}");
        }
    }
}
