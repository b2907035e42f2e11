using System.Text.RegularExpressions;
using CdcLake.Storage;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// Checks a <see cref="PipelineConfig"/> field by field and merges the defaults into each table. Every problem
/// is collected (not just the first) and named by the field it is in: a value set in <c>defaults</c> is
/// reported there, a value a table sets (or misses) under <c>tables[i]</c>.
/// </summary>
internal static partial class PipelineValidator
{
    private const string Reserved = "_hoodie_";

    public static (IReadOnlyList<TableSpec> Tables, IReadOnlyList<PipelineConfigError> Errors) Resolve(PipelineConfig config, string? baseDirectory)
    {
        var errors = new List<PipelineConfigError>();
        if (config.Version is { } version && version != 1)
        {
            errors.Add(new("version", $"unsupported version {version}; only 1 exists"));
        }

        var defaults = config.Defaults ?? new TableSettings();
        CheckSettings(defaults, "defaults", errors);

        var specs = new List<TableSpec>();
        if (config.Tables is null)
        {
            errors.Add(new("tables", "required"));
            return (specs, errors);
        }

        if (config.Tables.Count == 0)
        {
            errors.Add(new("tables", "must hold at least one table"));
        }

        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var targets = new Dictionary<StorePath, int>();
        var lockItems = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < config.Tables.Count; i++)
        {
            var path = $"tables[{i}]";
            var table = config.Tables[i];
            if (table is null)
            {
                errors.Add(new(path, "expected an object, got null"));
                continue;
            }

            var before = errors.Count;
            CheckSettings(table, path, errors);
            var spec = Merge(table, defaults, path, baseDirectory, errors);
            if (spec is not null && table.Table is { } name && names.TryGetValue(name, out var first))
            {
                errors.Add(new($"{path}.table", $"'{name}' is already the name of tables[{first}] (names must be unique, ignoring case)"));
            }
            else if (table.Table is { } unique)
            {
                names[unique] = i;
            }

            if (spec is not null && StorePath.TryParse(spec.Target, out var target))
            {
                if (targets.TryGetValue(target, out var other))
                {
                    errors.Add(new($"{path}.target", $"'{spec.Target}' is already the target of tables[{other}]"));
                }
                else
                {
                    targets[target] = i;
                }
            }

            if (spec?.Lock is { Provider: LockProviderKind.DynamoDb } dynamo)
            {
                // Two tables on one lock item would each see the other's run as a holder of their own lock.
                var item = $"{dynamo.EndpointUrl}|{dynamo.Region}|{dynamo.DynamoDbTable}|{dynamo.PartitionKey}";
                if (lockItems.TryGetValue(item, out var other))
                {
                    errors.Add(new($"{path}.lock.partitionKey", $"'{dynamo.PartitionKey}' is already the lock item of tables[{other}] in DynamoDB table '{dynamo.DynamoDbTable}'; each table needs a lock of its own"));
                }
                else
                {
                    lockItems[item] = i;
                }
            }

            if (spec is not null && errors.Count == before)
            {
                specs.Add(spec);
            }
        }

        return (specs, errors);
    }

    /// <summary>Checks the values a settings object holds, whether defaults or a table, without merging.</summary>
    private static void CheckSettings(TableSettings settings, string path, List<PipelineConfigError> errors)
    {
        if (settings.Database is { } database && !IdentifierPattern().IsMatch(database))
        {
            errors.Add(new($"{path}.database", $"'{database}' is not a valid name (letters, digits and _, not starting with a digit)"));
        }

        CheckColumnList(settings.RecordKey, $"{path}.recordKey", errors, allowEmpty: false);
        CheckColumnList(settings.Ordering, $"{path}.ordering", errors, allowEmpty: true);
        CheckColumnList(settings.PartitionBy, $"{path}.partitionBy", errors, allowEmpty: true);
        CheckColumnList(settings.DropColumns, $"{path}.dropColumns", errors, allowEmpty: true);
        if (settings.RenameColumns is { } renames)
        {
            var targets = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (source, target) in renames)
            {
                var at = $"{path}.renameColumns.{source}";
                CheckColumnName(source, at, errors, "source column");
                CheckColumnName(target, at, errors, "new name");
                if (targets.TryGetValue(target, out var other))
                {
                    errors.Add(new(at, $"'{other}' is renamed to '{target}' too"));
                }
                else
                {
                    targets[target] = source;
                }

                if (settings.DropColumns?.Contains(source, StringComparer.Ordinal) == true)
                {
                    errors.Add(new(at, $"'{source}' is in dropColumns too"));
                }
            }
        }

        if (settings.DatePartition is { } date)
        {
            var at = $"{path}.datePartition";
            if (date.Column is null)
            {
                errors.Add(new($"{at}.column", "required"));
            }
            else
            {
                CheckColumnName(date.Column, $"{at}.column", errors);
            }

            if (date.Source is null)
            {
                errors.Add(new($"{at}.source", "required"));
            }
            else
            {
                CheckColumnName(date.Source, $"{at}.source", errors);
            }

            if (date.Granularity is { } granularity && ParseGranularity(granularity) is null)
            {
                errors.Add(new($"{at}.granularity", $"'{granularity}' is not one of year, month, day, hour"));
            }

            if (date.Column is not null && date.Column == date.Source)
            {
                errors.Add(new($"{at}.column", $"'{date.Column}' is also the source column; the derived column needs a name of its own"));
            }
        }

        if (settings.Write is { } write)
        {
            var at = $"{path}.write";
            if (write.MaxFileSizeBytes is <= 0)
            {
                errors.Add(new($"{at}.maxFileSizeBytes", $"must be positive, got {write.MaxFileSizeBytes}"));
            }

            if (write.SmallFileLimitBytes is < 0)
            {
                errors.Add(new($"{at}.smallFileLimitBytes", $"must be 0 or more, got {write.SmallFileLimitBytes}"));
            }

            if (write.Codec is { } codec && !WriteSpec.Codecs.Contains(codec, StringComparer.Ordinal))
            {
                errors.Add(new($"{at}.codec", $"'{codec}' is not one of {string.Join(", ", WriteSpec.Codecs)}"));
            }

            if (write.CleanRetainCommits is < 1)
            {
                errors.Add(new($"{at}.cleanRetainCommits", $"must be at least 1, got {write.CleanRetainCommits}"));
            }
        }

        if (settings.BeforeImageKey is { } beforeImage)
        {
            var at = $"{path}.beforeImageKey";
            if ((beforeImage.Prefix is null) == (beforeImage.Columns is null))
            {
                errors.Add(new(at, "give exactly one of prefix and columns"));
            }

            if (beforeImage.Prefix is { Length: 0 })
            {
                errors.Add(new($"{at}.prefix", "must not be empty"));
            }

            CheckColumnList(beforeImage.Columns, $"{at}.columns", errors, allowEmpty: false);
        }

        if (settings.Lock is { } lockSettings)
        {
            CheckLock(lockSettings, $"{path}.lock", inDefaults: path == "defaults", errors);
        }

        if (settings.TombstoneRetentionDays is { } days && (days < 0 || !double.IsFinite(days) || days > 36500))
        {
            errors.Add(new($"{path}.tombstoneRetentionDays", $"must be from 0 to 36500 days, got {days}"));
        }

        if (settings.LateFileWindowMinutes is { } minutes && (minutes < 0 || !double.IsFinite(minutes) || minutes > 525600))
        {
            errors.Add(new($"{path}.lateFileWindowMinutes", $"must be from 0 to 525600 minutes, got {minutes}"));
        }
    }

    /// <summary>The table with defaults merged in, checked as a whole; null when required identity fields are missing.</summary>
    private static TableSpec? Merge(PipelineTable table, TableSettings defaults, string path, string? baseDirectory, List<PipelineConfigError> errors)
    {
        var ok = true;
        if (string.IsNullOrEmpty(table.Table))
        {
            errors.Add(new($"{path}.table", "required"));
            ok = false;
        }
        else if (!IdentifierPattern().IsMatch(table.Table))
        {
            errors.Add(new($"{path}.table", $"'{table.Table}' is not a valid name (letters, digits and _, not starting with a digit)"));
            ok = false;
        }

        var source = Location(table.Source, $"{path}.source", baseDirectory, errors);
        var target = Location(table.Target, $"{path}.target", baseDirectory, errors);
        if (source is not null && target is not null && StorePath.Parse(source) == StorePath.Parse(target))
        {
            errors.Add(new($"{path}.target", "must differ from source"));
        }

        var recordKey = table.RecordKey ?? defaults.RecordKey;
        if (recordKey is null)
        {
            errors.Add(new($"{path}.recordKey", "required"));
            ok = false;
        }

        if (!ok || source is null || target is null || recordKey is null)
        {
            return null;
        }

        var keyPath = table.RecordKey is null ? "defaults.recordKey" : $"{path}.recordKey";
        var datePartition = ResolveDatePartition(table.DatePartition ?? defaults.DatePartition);
        var partitionBy = table.PartitionBy ?? defaults.PartitionBy
            ?? (datePartition is null ? [] : [datePartition.Column]);
        var drops = new HashSet<string>(table.DropColumns ?? defaults.DropColumns ?? [], StringComparer.Ordinal);
        var renames = new Dictionary<string, string>(table.RenameColumns ?? defaults.RenameColumns ?? [], StringComparer.Ordinal);
        var defaultWrite = defaults.Write;
        var spec = new TableSpec
        {
            Name = table.Table!,
            Database = table.Database ?? defaults.Database ?? "default",
            Source = source,
            Target = target,
            RecordKey = [.. recordKey],
            Ordering = (table.Ordering ?? defaults.Ordering) is { } ordering ? [.. ordering] : null,
            PartitionBy = [.. partitionBy],
            DatePartition = datePartition,
            HiveStylePartitioning = table.HiveStylePartitioning ?? defaults.HiveStylePartitioning ?? false,
            Enabled = table.Enabled ?? defaults.Enabled ?? true,
            Write = new WriteSpec(
                table.Write?.MaxFileSizeBytes ?? defaultWrite?.MaxFileSizeBytes ?? WriteSpec.Default.MaxFileSizeBytes,
                table.Write?.SmallFileLimitBytes ?? defaultWrite?.SmallFileLimitBytes ?? WriteSpec.Default.SmallFileLimitBytes,
                table.Write?.Codec ?? defaultWrite?.Codec ?? WriteSpec.Default.Codec,
                table.Write?.CleanRetainCommits ?? defaultWrite?.CleanRetainCommits ?? WriteSpec.Default.CleanRetainCommits),
            DropColumns = drops,
            RenameColumns = renames,
            Quarantine = table.Quarantine ?? defaults.Quarantine ?? false,
            TombstoneRetention = TimeSpan.FromDays(table.TombstoneRetentionDays ?? defaults.TombstoneRetentionDays ?? 7),
            LateFileWindow = TimeSpan.FromMinutes(table.LateFileWindowMinutes ?? defaults.LateFileWindowMinutes ?? 60),
        };
        spec = spec with
        {
            BeforeImageKeyColumns = ResolveBeforeImage(table, defaults, spec, path, errors),
            Lock = ResolveLock(table, defaults, spec, path, errors),
        };
        CheckCrossFields(spec, table, path, keyPath, errors);
        return spec;
    }

    private static IReadOnlyList<string>? ResolveBeforeImage(PipelineTable table, TableSettings defaults, TableSpec spec, string path, List<PipelineConfigError> errors)
    {
        var settings = table.BeforeImageKey ?? defaults.BeforeImageKey;
        if (settings is null)
        {
            return null;
        }

        var at = table.BeforeImageKey is null ? "defaults.beforeImageKey" : $"{path}.beforeImageKey";
        if (settings.Prefix is { Length: > 0 } prefix && settings.Columns is null)
        {
            // The prefix goes before the SOURCE name: DMS names before-image columns after the source columns.
            return [.. spec.RecordKey.Select(k => prefix + spec.SourceColumnOf(k))];
        }

        if (settings.Columns is { } columns && settings.Prefix is null)
        {
            if (columns.Count != spec.RecordKey.Count)
            {
                errors.Add(new($"{at}.columns", $"needs one column per record key column ({spec.RecordKey.Count}: {string.Join(", ", spec.RecordKey)}), got {columns.Count}"));
                return null;
            }

            return [.. columns];
        }

        return null; // reported by CheckSettings
    }

    private static void CheckCrossFields(TableSpec spec, PipelineTable table, string path, string keyPath, List<PipelineConfigError> errors)
    {
        // Columns the table is keyed, ordered and partitioned by must survive the drops; drops name source columns.
        var dropped = spec.DropColumns;
        foreach (var key in spec.RecordKey)
        {
            if (dropped.Contains(spec.SourceColumnOf(key)))
            {
                errors.Add(new(keyPath, $"'{key}' is in dropColumns"));
            }
        }

        var partitionPath = table.PartitionBy is null ? (table.DatePartition is null ? "defaults.partitionBy" : $"{path}.datePartition") : $"{path}.partitionBy";
        foreach (var column in spec.PartitionBy)
        {
            if (dropped.Contains(spec.SourceColumnOf(column)) && column != spec.DatePartition?.Column)
            {
                errors.Add(new(partitionPath, $"'{column}' is in dropColumns"));
            }
        }

        if (spec.Ordering is { } ordering)
        {
            var orderingPath = table.Ordering is null ? "defaults.ordering" : $"{path}.ordering";
            foreach (var column in ordering)
            {
                if (spec.RecordKey.Contains(column, StringComparer.Ordinal))
                {
                    errors.Add(new(orderingPath, $"'{column}' is a record key column; ordering columns say when a change happened"));
                }
            }
        }

        if (spec.DatePartition is { } date)
        {
            var datePath = table.DatePartition is null ? "defaults.datePartition" : $"{path}.datePartition";
            if (spec.RecordKey.Contains(date.Column, StringComparer.Ordinal))
            {
                errors.Add(new($"{datePath}.column", $"'{date.Column}' is a record key column"));
            }

            if (dropped.Contains(spec.SourceColumnOf(date.Source)))
            {
                errors.Add(new($"{datePath}.source", $"'{date.Source}' is in dropColumns"));
            }

            if (spec.RenameColumns.Values.Contains(date.Column, StringComparer.Ordinal))
            {
                errors.Add(new($"{datePath}.column", $"'{date.Column}' is also the new name of a renamed column"));
            }
        }
    }

    private static readonly string[] s_lockProviders = ["auto", "local", "dynamodb"];

    private static readonly string[] s_billingModes = ["PAY_PER_REQUEST", "PROVISIONED"];

    /// <summary>The values of one lock object, defaults or a table's, each on its own.</summary>
    private static void CheckLock(LockSettings settings, string at, bool inDefaults, List<PipelineConfigError> errors)
    {
        if (settings.Provider is { } provider && !s_lockProviders.Contains(provider, StringComparer.Ordinal))
        {
            errors.Add(new($"{at}.provider", $"'{provider}' is not one of {string.Join(", ", s_lockProviders)}"));
        }

        if (settings.Table is { } table && !DynamoTableName().IsMatch(table))
        {
            errors.Add(new($"{at}.table", $"'{table}' is not a DynamoDB table name (3 to 255 of letters, digits, '_', '-', '.')"));
        }

        if (settings.PartitionKey is { } key)
        {
            if (inDefaults)
            {
                errors.Add(new($"{at}.partitionKey", "set it per table: tables sharing one partition key would share one lock"));
            }
            else if (string.IsNullOrWhiteSpace(key) || key.Length > 2048)
            {
                errors.Add(new($"{at}.partitionKey", "must be 1 to 2048 characters, not blank"));
            }
        }

        if (settings.Region is { } region && !RegionName().IsMatch(region))
        {
            errors.Add(new($"{at}.region", $"'{region}' is not an AWS region name (like eu-west-1)"));
        }

        if (settings.EndpointUrl is { } endpoint
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0))
        {
            errors.Add(new($"{at}.endpointUrl", $"'{endpoint}' is not an http:// or https:// URL"));
        }

        if (settings.BillingMode is { } billing && !s_billingModes.Contains(billing, StringComparer.Ordinal))
        {
            errors.Add(new($"{at}.billingMode", $"'{billing}' is not one of {string.Join(", ", s_billingModes)}"));
        }

        if (settings.ReadCapacity is < 1)
        {
            errors.Add(new($"{at}.readCapacity", $"must be at least 1, got {settings.ReadCapacity}"));
        }

        if (settings.WriteCapacity is < 1)
        {
            errors.Add(new($"{at}.writeCapacity", $"must be at least 1, got {settings.WriteCapacity}"));
        }

        CheckSeconds(settings.TableCreationTimeoutSeconds, $"{at}.tableCreationTimeoutSeconds", 1, 3600, errors);

        // The lease is renewed every third of it: below 10 ms the heartbeat cannot keep up.
        CheckSeconds(settings.LeaseSeconds, $"{at}.leaseSeconds", 0.01, 86400, errors);
        CheckSeconds(settings.AcquireWaitSeconds, $"{at}.acquireWaitSeconds", 0, 86400, errors);

        if (settings.Provider == "local")
        {
            foreach (var (field, set) in DynamoDbFields(settings))
            {
                if (set)
                {
                    errors.Add(new($"{at}.{field}", "is a DynamoDB setting, and provider is 'local'"));
                }
            }
        }
    }

    private static IEnumerable<(string Field, bool Set)> DynamoDbFields(LockSettings s) =>
    [
        ("table", s.Table is not null), ("partitionKey", s.PartitionKey is not null), ("region", s.Region is not null),
        ("endpointUrl", s.EndpointUrl is not null), ("createTable", s.CreateTable is not null), ("billingMode", s.BillingMode is not null),
        ("readCapacity", s.ReadCapacity is not null), ("writeCapacity", s.WriteCapacity is not null),
        ("tableCreationTimeoutSeconds", s.TableCreationTimeoutSeconds is not null),
    ];

    private static void CheckSeconds(double? value, string at, double min, double max, List<PipelineConfigError> errors)
    {
        if (value is { } seconds && (!double.IsFinite(seconds) || seconds < min || seconds > max))
        {
            errors.Add(new(at, $"must be from {min} to {max} seconds, got {seconds}"));
        }
    }

    /// <summary>
    /// The table's lock, its settings merged field by field over the defaults. <c>auto</c> (or nothing) is the local
    /// lock file for a local target; a target on S3 must name its provider, since the lock file cannot work there.
    /// </summary>
    private static LockSpec? ResolveLock(PipelineTable table, TableSettings defaults, TableSpec spec, string path, List<PipelineConfigError> errors)
    {
        var own = table.Lock;
        var inherited = defaults.Lock;
        var provider = own?.Provider ?? inherited?.Provider ?? "auto";
        var onS3 = StorePath.TryParse(spec.Target, out var target) && target.IsS3;
        if (provider == "auto")
        {
            var dynamoSet = DynamoDbFields(own ?? new LockSettings()).Concat(DynamoDbFields(inherited ?? new LockSettings())).Where(f => f.Set).Select(f => f.Field).Distinct().ToList();
            if (dynamoSet.Count > 0)
            {
                errors.Add(new($"{path}.lock.provider", $"DynamoDB settings are given ({string.Join(", ", dynamoSet)}) but no provider: set it to 'dynamodb' (here or in defaults.lock)"));
                return null;
            }

            if (onS3)
            {
                errors.Add(new($"{path}.lock.provider", $"required for a target on S3 ({spec.Target}): set it to 'dynamodb' (here or in defaults.lock); the local lock file only works on a local file system"));
                return null;
            }

            provider = "local";
        }

        if (provider == "local" && onS3)
        {
            errors.Add(new($"{path}.lock.provider", $"'local'{(own?.Provider is null ? " (from defaults.lock.provider)" : "")} only works on a local file system, and the target {spec.Target} is on S3: use 'dynamodb'"));
            return null;
        }

        if (!s_lockProviders.Contains(provider, StringComparer.Ordinal))
        {
            return null; // reported by CheckLock
        }

        var lease = own?.LeaseSeconds ?? inherited?.LeaseSeconds;
        var wait = own?.AcquireWaitSeconds ?? inherited?.AcquireWaitSeconds;
        var resolved = new LockSpec
        {
            Provider = provider == "local" ? LockProviderKind.Local : LockProviderKind.DynamoDb,
            LeaseDuration = lease is { } l && double.IsFinite(l) && l > 0 ? TimeSpan.FromSeconds(l) : LockSpec.DefaultLease,
            AcquireWait = wait is { } w && double.IsFinite(w) && w >= 0 ? TimeSpan.FromSeconds(w) : TimeSpan.Zero,
        };
        if (resolved.Provider == LockProviderKind.Local)
        {
            return resolved;
        }

        var timeout = own?.TableCreationTimeoutSeconds ?? inherited?.TableCreationTimeoutSeconds;
        return resolved with
        {
            DynamoDbTable = own?.Table ?? inherited?.Table ?? resolved.DynamoDbTable,
            PartitionKey = own?.PartitionKey ?? spec.Name,
            Region = own?.Region ?? inherited?.Region,
            EndpointUrl = own?.EndpointUrl ?? inherited?.EndpointUrl,
            CreateTable = own?.CreateTable ?? inherited?.CreateTable ?? true,
            BillingMode = own?.BillingMode ?? inherited?.BillingMode ?? resolved.BillingMode,
            ReadCapacity = own?.ReadCapacity ?? inherited?.ReadCapacity ?? resolved.ReadCapacity,
            WriteCapacity = own?.WriteCapacity ?? inherited?.WriteCapacity ?? resolved.WriteCapacity,
            TableCreationTimeout = timeout is { } t && double.IsFinite(t) && t > 0 ? TimeSpan.FromSeconds(t) : resolved.TableCreationTimeout,
        };
    }

    private static DatePartitionSpec? ResolveDatePartition(DatePartitionSettings? settings) =>
        settings is { Column: { } column, Source: { } source }
            ? new DatePartitionSpec(column, source, ParseGranularity(settings.Granularity ?? "day") ?? DateGranularity.Day)
            : null;

    private static DateGranularity? ParseGranularity(string text) => text switch
    {
        "year" => DateGranularity.Year,
        "month" => DateGranularity.Month,
        "day" => DateGranularity.Day,
        "hour" => DateGranularity.Hour,
        _ => null,
    };

    /// <summary>The location as written for s3://, or made absolute against <paramref name="baseDirectory"/> for local paths.</summary>
    private static string? Location(string? text, string path, string? baseDirectory, List<PipelineConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new(path, "required"));
            return null;
        }

        var resolved = text;
        if (!text.Contains("://", StringComparison.Ordinal) && !text.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && !Path.IsPathRooted(text))
        {
            resolved = Path.GetFullPath(Path.Combine(baseDirectory ?? Directory.GetCurrentDirectory(), text));
        }

        if (!StorePath.TryParse(resolved, out var parsed))
        {
            try
            {
                StorePath.Parse(resolved);
            }
            catch (FormatException e)
            {
                errors.Add(new(path, e.Message));
            }

            return null;
        }

        return parsed.IsS3 ? parsed.ToString() : parsed.LocalPath;
    }

    private static void CheckColumnList(List<string>? columns, string path, List<PipelineConfigError> errors, bool allowEmpty)
    {
        if (columns is null)
        {
            return;
        }

        if (columns.Count == 0 && !allowEmpty)
        {
            errors.Add(new(path, "must name at least one column"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            CheckColumnName(columns[i], $"{path}[{i}]", errors);
            if (columns[i] is not null && !seen.Add(columns[i]))
            {
                errors.Add(new($"{path}[{i}]", $"'{columns[i]}' is listed twice"));
            }
        }
    }

    private static void CheckColumnName(string? name, string path, List<PipelineConfigError> errors, string what = "column name")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new(path, $"{what} must not be empty"));
        }
        else if (name.IndexOfAny(['.', ',', '/']) >= 0)
        {
            errors.Add(new(path, $"{what} '{name}' must not contain '.', ',' or '/'"));
        }
        else if (name.StartsWith(Reserved, StringComparison.Ordinal) || name == CdcOrder.ColumnName)
        {
            errors.Add(new(path, $"{what} '{name}' is reserved for Hudi and CdcLake"));
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$")]
    private static partial Regex DynamoTableName();

    [GeneratedRegex("^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$")]
    private static partial Regex RegionName();
}
