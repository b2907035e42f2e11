using System.Globalization;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>
/// Checks that a version-6 copy-on-write table is one that Spark, Athena and hudi-rs all read as meant, and
/// reports every broken rule as one <see cref="HudiProblem"/>:
/// <list type="bullet">
/// <item>hoodie.properties: present, the keys readers require, a checksum that is present and right;</item>
/// <item>the timeline: every file of <c>.hoodie/</c> (but hoodie.properties and hidden files) names an instant;</item>
/// <item>every completed commit's write stats: name an existing base file of their own file id, instant and partition
///   (a file an ensuing clean removed, having been superseded, is fine);</item>
/// <item>partitions: every folder with base files has a well-formed <c>.hoodie_partition_metadata</c>;</item>
/// <item>base files: a valid name; written by a completed instant (else an orphan, or debris of a pending one);
///   the five meta columns first, as optional strings; <c>parquet.avro.schema</c> in the footer; with meta fields on,
///   a bloom filter that holds every <c>_hoodie_record_key</c> of the file, <c>hoodie_min/max_record_key</c> equal to
///   the smallest and largest key, and meta columns that agree with the file (its name, partition and instant).</item>
/// <item>latest base files (the snapshot a reader sees): every column of the schema of the last completed write that
///   recorded one reads from the file's Parquet columns and its <c>parquet.avro.schema</c>: the same type (nullability
///   aside) or one Hudi widens to it, or absent and nullable — readers read every file with that schema.</item>
/// </list>
/// Files that are not Hudi's (.DS_Store, _SUCCESS, checksums) are ignored.
/// </summary>
public static class HudiTableValidator
{
    private static readonly string[] s_metaColumnsRead =
        [HoodieMetaFields.CommitTime, HoodieMetaFields.RecordKey, HoodieMetaFields.PartitionPath, HoodieMetaFields.FileName];

    /// <summary>Validates the table rooted at <paramref name="tablePath"/> (relative to the store's root).</summary>
    /// <exception cref="UnsupportedTableVersionException">Not a version 6 table: only those are validated.</exception>
    /// <exception cref="StorageException">The store failed (not: a file is missing, which is a problem).</exception>
    public static async Task<HudiValidationReport> ValidateAsync(IObjectStore store, string tablePath = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tablePath);
        var basePath = tablePath.Trim('/');
        var problems = new List<HudiProblem>();
        var config = await CheckConfigAsync(store, basePath, problems, cancellationToken).ConfigureAwait(false);
        if (config is null)
        {
            return new HudiValidationReport(problems, 0, 0, 0);
        }

        if (config.TableVersion != TableConfig.WritableTableVersion)
        {
            HudiTable.CheckReadable(store, basePath, config);
            throw new UnsupportedTableVersionException(
                config.TableVersion,
                $"{store.PathOf(basePath)}: validation checks version 6 tables only (a version {config.TableVersion} table's instants are Avro)");
        }

        var table = await HudiTable.OpenAsync(store, basePath, config, cancellationToken).ConfigureAwait(false);
        await CheckTimelineNamesAsync(table, problems, cancellationToken).ConfigureAwait(false);
        var view = await table.GetFileSystemViewAsync(cancellationToken).ConfigureAwait(false);
        await CheckPartitionsAsync(table, view, problems, cancellationToken).ConfigureAwait(false);
        var commitSchema = await CheckCommitsAsync(table, view, problems, cancellationToken).ConfigureAwait(false);
        var latest = commitSchema is null
            ? []
            : (await table.GetFileSlicesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Select(s => s.BaseFile.Path).ToHashSet(StringComparer.Ordinal);

        foreach (var entry in view.InvalidBaseFileNames)
        {
            problems.Add(new HudiProblem(
                HudiProblemKind.BaseFileName,
                entry.Path,
                "not a base file name (<fileId>_<writeToken>_<instantTime>.parquet): Hudi's readers ignore the file"));
        }

        var checkedFiles = 0;
        foreach (var file in view.BaseFiles)
        {
            switch (FileSystemView.StateOf(file.InstantTime, table.Timeline))
            {
                case BaseFileState.Pending:
                    var pending = table.Timeline.Instants.First(i => i.Time == file.InstantTime && i.IsPending);
                    problems.Add(new HudiProblem(
                        HudiProblemKind.PendingFile,
                        file.Path,
                        $"debris of pending instant {pending.Time} ({pending.Action}, {pending.State.ToString().ToLowerInvariant()}): " +
                        "a write in progress, or a failed one to roll back (readers that ignore the timeline, like hudi-rs, would read it)"));
                    break;
                case BaseFileState.Orphan:
                    problems.Add(new HudiProblem(
                        HudiProblemKind.OrphanFile,
                        file.Path,
                        $"orphan: instant {file.InstantTime} is not a completed write on the timeline (nor older than it); " +
                        "Java's readers skip the file, readers that ignore the timeline (hudi-rs) would read it"));
                    break;
                default:
                    await CheckBaseFileAsync(table, file, latest.Contains(file.Path) ? commitSchema : null, problems, cancellationToken).ConfigureAwait(false);
                    checkedFiles++;
                    break;
            }
        }

        return new HudiValidationReport(problems, table.Timeline.Instants.Count, view.Partitions.Count, checkedFiles);
    }

    private static async Task<TableConfig?> CheckConfigAsync(IObjectStore store, string basePath, List<HudiProblem> problems, CancellationToken cancellationToken)
    {
        var propertiesPath = $"{HudiTable.MetaFolderName}/{HoodieTableConfig.FileName}";
        byte[] bytes;
        try
        {
            (bytes, _) = await HudiTable.ReadPropertiesAsync(store, basePath, cancellationToken).ConfigureAwait(false);
        }
        catch (HudiException e)
        {
            problems.Add(new HudiProblem(HudiProblemKind.TableConfig, propertiesPath, e.Message));
            return null;
        }

        if (!await store.ExistsAsync(Join(basePath, propertiesPath), cancellationToken).ConfigureAwait(false))
        {
            problems.Add(new HudiProblem(HudiProblemKind.TableConfig, propertiesPath, $"missing (only {HudiTable.PropertiesBackupFileName} is there: a rewrite did not finish)"));
        }

        JavaProperties properties;
        try
        {
            properties = JavaProperties.Load(bytes);
        }
        catch (FormatException e)
        {
            problems.Add(new HudiProblem(HudiProblemKind.TableConfig, propertiesPath, $"not a Java properties file: {e.Message}"));
            return null;
        }

        var required = new IConfigKey[] { HoodieTableConfig.Name, HoodieTableConfig.TableType, HoodieTableConfig.TableVersion, HoodieTableConfig.TimelineLayoutVersion };
        var missing = required.Where(k => string.IsNullOrEmpty(properties[k.Key])).ToArray();
        foreach (var key in missing)
        {
            problems.Add(new HudiProblem(HudiProblemKind.TableConfig, propertiesPath, $"lacks the required key {key.Key}"));
        }

        if (missing.Length > 0)
        {
            return null;
        }

        var name = properties[HoodieTableConfig.Name.Key]!;
        var database = properties[HoodieTableConfig.DatabaseName.Key];
        var expected = TableConfig.ComputeChecksum(database, name).ToString(CultureInfo.InvariantCulture);
        var checksum = properties[HoodieTableConfig.Checksum.Key];
        if (checksum is null)
        {
            problems.Add(new HudiProblem(HudiProblemKind.TableConfig, propertiesPath, $"lacks {HoodieTableConfig.Checksum.Key} (expected {expected})"));
        }
        else if (checksum != expected)
        {
            problems.Add(new HudiProblem(
                HudiProblemKind.TableConfig,
                propertiesPath,
                $"{HoodieTableConfig.Checksum.Key}={checksum} is wrong: CRC32 of \"{database}.{name}\" is {expected} (Java refuses to load the table)"));
        }

        try
        {
            var withoutChecksum = properties.Clone();
            withoutChecksum.Remove(HoodieTableConfig.Checksum.Key);
            return TableConfig.FromProperties(withoutChecksum);
        }
        catch (Exception e) when (e is HudiConfigException or FormatException or ArgumentException)
        {
            problems.Add(new HudiProblem(HudiProblemKind.TableConfig, propertiesPath, e.Message));
            return null;
        }
    }

    private static async Task CheckTimelineNamesAsync(HudiTable table, List<HudiProblem> problems, CancellationToken cancellationToken)
    {
        var folder = table.PathOf(table.TimelineFolder);
        await foreach (var entry in table.Store.ListAsync(folder, recursive: false, cancellationToken).ConfigureAwait(false))
        {
            var name = entry.Name;
            // "lock" is where Hudi's FileSystemBasedLockProvider (and our LocalFileLockProvider) keeps the table lock,
            // "lock.guard" the latter's flock guard beside it: not instants, and not debris.
            if (name is HoodieTableConfig.FileName or HudiTable.PropertiesBackupFileName or "lock" or "lock.guard" || name.StartsWith('.'))
            {
                continue;
            }

            var path = $"{table.TimelineFolder}/{name}";
            if (!HoodieInstant.TryParseFileName(name, out var instant))
            {
                problems.Add(new HudiProblem(HudiProblemKind.Timeline, path, "not an instant file name (<instant>.<action>[.requested|.inflight])"));
            }
            else if (!InstantTime.IsValid(instant.Time))
            {
                problems.Add(new HudiProblem(HudiProblemKind.Timeline, path, $"'{instant.Time}' is not an instant time (yyyyMMddHHmmssSSS)"));
            }
        }
    }

    private static async Task CheckPartitionsAsync(HudiTable table, FileSystemView view, List<HudiProblem> problems, CancellationToken cancellationToken)
    {
        foreach (var entry in view.PartitionMetadataFiles.Where(e => e.Name == HoodiePartitionMetadata.FileName))
        {
            var partition = FileSystemView.FolderOf(entry.Path);
            try
            {
                var bytes = await table.Store.ReadAllBytesAsync(table.PathOf(entry.Path), cancellationToken).ConfigureAwait(false);
                var metadata = HoodiePartitionMetadata.Parse(bytes);
                var depth = PartitionPaths.Depth(partition);
                if (metadata.PartitionDepth != depth)
                {
                    problems.Add(new HudiProblem(HudiProblemKind.PartitionMetadata, entry.Path, $"partitionDepth={metadata.PartitionDepth}, but the partition is {depth} levels below the table root"));
                }

                if (!InstantTime.IsValid(metadata.CommitTime))
                {
                    problems.Add(new HudiProblem(HudiProblemKind.PartitionMetadata, entry.Path, $"commitTime={metadata.CommitTime} is not an instant time"));
                }
            }
            catch (Exception e) when (e is HudiConfigException or FormatException)
            {
                problems.Add(new HudiProblem(HudiProblemKind.PartitionMetadata, entry.Path, e.Message));
            }
        }

        foreach (var folder in view.StrayBaseFiles.GroupBy(e => FileSystemView.FolderOf(e.Path)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            problems.Add(new HudiProblem(
                HudiProblemKind.PartitionMetadata,
                folder.Key,
                $"holds {folder.Count()} base file(s) but no {HoodiePartitionMetadata.FileName}: Hudi's writers and readers do not see the partition"));
        }
    }

    /// <summary>Checks every completed write's write stats; returns the schema of the last one that recorded a readable schema.</summary>
    private static async Task<CommitSchema?> CheckCommitsAsync(HudiTable table, FileSystemView view, List<HudiProblem> problems, CancellationToken cancellationToken)
    {
        CommitSchema? latestSchema = null;
        var present = view.BaseFiles.Select(f => f.Path).Concat(view.StrayBaseFiles.Select(e => e.Path)).ToHashSet(StringComparer.Ordinal);
        var replaced = await table.GetReplacedFileGroupsAsync(cancellationToken).ConfigureAwait(false);
        var timeline = table.Timeline;
        foreach (var instant in timeline.CompletedWrites)
        {
            var instantFile = $"{table.TimelineFolder}/{instant.FileName(table.Layout)}";
            HoodieCommitMetadata metadata;
            try
            {
                metadata = await table.ReadCommitMetadataAsync(instant, cancellationToken).ConfigureAwait(false);
            }
            catch (HudiException e)
            {
                problems.Add(new HudiProblem(HudiProblemKind.CommitMetadata, instantFile, e.Message));
                continue;
            }

            if (!string.IsNullOrEmpty(metadata.Schema))
            {
                try
                {
                    latestSchema = new CommitSchema(instant.Time, AvroSchema.Parse(metadata.Schema).Fields);
                }
                catch (HudiException e)
                {
                    problems.Add(new HudiProblem(HudiProblemKind.CommitMetadata, instantFile, $"its schema cannot be read: {e.Message}"));
                }
            }

            foreach (var (partition, stats) in metadata.PartitionToWriteStats)
            {
                foreach (var stat in stats.Where(s => !string.IsNullOrEmpty(s.Path)))
                {
                    var path = stat.Path!;
                    var slash = path.LastIndexOf('/');
                    if (!BaseFileName.TryParse(path[(slash + 1)..], out var name))
                    {
                        problems.Add(new HudiProblem(HudiProblemKind.CommitMetadata, instantFile, $"write stat path '{path}' is not a base file name"));
                        continue;
                    }

                    var folder = slash < 0 ? "" : path[..slash];
                    if (name.InstantTime != instant.Time || name.FileId != stat.FileId || folder != partition || (stat.PartitionPath is { } statPartition && statPartition != partition))
                    {
                        problems.Add(new HudiProblem(
                            HudiProblemKind.CommitMetadata,
                            instantFile,
                            $"write stat of '{path}' disagrees with itself: fileId {stat.FileId}, partitionPath {stat.PartitionPath ?? "null"}, " +
                            $"listed under partition '{partition}' by instant {instant.Time}"));
                    }

                    if (!present.Contains(path) && !WasCleaned(new FileGroupId(partition, name.FileId), instant.Time, view, timeline, replaced))
                    {
                        problems.Add(new HudiProblem(HudiProblemKind.MissingFile, path, $"written by completed instant {instant.Time} ({instant.Action}) but missing from storage"));
                    }
                }
            }
        }

        return latestSchema;
    }

    /// <summary>
    /// A missing file is explained when a completed clean ran after the commit that wrote it and its file group
    /// has moved on (a newer committed slice, or the group was replaced): the cleaner deletes such old versions.
    /// </summary>
    private static bool WasCleaned(FileGroupId group, string writtenBy, FileSystemView view, HoodieTimeline timeline, IReadOnlyDictionary<FileGroupId, string> replaced)
    {
        if (!timeline.Completed.Any(i => i.Action == HoodieActions.Clean && string.CompareOrdinal(i.Time, writtenBy) > 0))
        {
            return false;
        }

        return replaced.ContainsKey(group)
            || view.FindFileGroup(group)?.Slices.Any(s =>
                string.CompareOrdinal(s.BaseInstantTime, writtenBy) > 0
                && FileSystemView.StateOf(s.BaseInstantTime, timeline) is BaseFileState.Committed or BaseFileState.Archived) == true;
    }

    private static async Task CheckBaseFileAsync(HudiTable table, BaseFile file, CommitSchema? commitSchema, List<HudiProblem> problems, CancellationToken cancellationToken)
    {
        var metaFieldsOn = table.Config.PopulateMetaFields;
        ParquetReader reader;
        try
        {
            reader = await table.OpenBaseFileAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ParquetException e)
        {
            problems.Add(new HudiProblem(HudiProblemKind.BaseFileContent, file.Path, $"not a readable Parquet file: {e.Message}"));
            return;
        }

        using (reader)
        {
            var fields = reader.Schema.Fields;
            for (var i = 0; i < HoodieMetaFields.All.Count; i++)
            {
                var expected = HoodieMetaFields.All[i];
                if (i >= fields.Count || fields[i].Name != expected)
                {
                    problems.Add(new HudiProblem(
                        HudiProblemKind.BaseFileContent,
                        file.Path,
                        $"column {i + 1} is {(i < fields.Count ? $"'{fields[i].Name}'" : "missing")}, expected meta column '{expected}' (the five meta columns lead every base file)"));
                    return;
                }

                if (fields[i] is not PrimitiveField { PhysicalType: PhysicalType.ByteArray, LogicalType.Kind: LogicalKind.String, IsNullable: true })
                {
                    problems.Add(new HudiProblem(HudiProblemKind.BaseFileContent, file.Path, $"meta column '{expected}' is {fields[i].TypeName}, expected an optional string"));
                }
            }

            var footer = reader.Info.KeyValueMetadata;
            if (!footer.TryGetValue(HoodieFooterKeys.AvroSchema, out var avroSchema) || string.IsNullOrEmpty(avroSchema))
            {
                problems.Add(new HudiProblem(HudiProblemKind.BaseFileContent, file.Path, $"the footer lacks {HoodieFooterKeys.AvroSchema}"));
            }

            if (commitSchema is not null)
            {
                CheckAgainstCommitSchema(file, "Parquet columns", fields, commitSchema, problems);
                if (!string.IsNullOrEmpty(avroSchema))
                {
                    try
                    {
                        CheckAgainstCommitSchema(file, HoodieFooterKeys.AvroSchema, AvroSchema.Parse(avroSchema).Fields, commitSchema, problems);
                    }
                    catch (HudiException e)
                    {
                        problems.Add(new HudiProblem(HudiProblemKind.BaseFileContent, file.Path, $"the footer's {HoodieFooterKeys.AvroSchema} cannot be read: {e.Message}"));
                    }
                }
            }

            HoodieBloomFilter? bloom = null;
            if (metaFieldsOn)
            {
                try
                {
                    bloom = HoodieBloomFilter.FromFooter(footer);
                    if (bloom is null)
                    {
                        problems.Add(new HudiProblem(HudiProblemKind.BloomFilter, file.Path, $"the footer lacks {HoodieFooterKeys.BloomFilter} (Hudi's default bloom index fails on such a file)"));
                    }
                }
                catch (HudiException e)
                {
                    problems.Add(new HudiProblem(HudiProblemKind.BloomFilter, file.Path, $"the footer's bloom filter cannot be read: {e.Message}"));
                }
            }

            var rows = new RowFindings();
            foreach (var batch in reader.ReadBatches(s_metaColumnsRead))
            {
                cancellationToken.ThrowIfCancellationRequested();
                rows.Scan(batch, file, bloom, metaFieldsOn);
            }

            rows.Report(file, footer, bloom is not null, metaFieldsOn, problems);
        }
    }

    /// <summary>
    /// Readers read every latest base file with the commit's schema, so each of its columns must be one the file can
    /// be read as: present with the same type (nullability aside: Spark's legacy two-level lists cannot record nullable
    /// elements) or a type Hudi promotes it to (int to long, float to double, a wider decimal), or absent and nullable
    /// (a column added without rewriting old files reads as null). Columns the file has beyond the schema are not checked.
    /// </summary>
    private static void CheckAgainstCommitSchema(BaseFile file, string what, IReadOnlyList<Field> fields, CommitSchema commit, List<HudiProblem> problems)
    {
        var byName = new Dictionary<string, Field>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            byName.TryAdd(field.Name, field);
        }

        foreach (var expected in commit.Fields.Where(f => !HoodieMetaFields.IsMetaField(f.Name)))
        {
            if (!byName.TryGetValue(expected.Name, out var actual))
            {
                if (!expected.IsNullable)
                {
                    problems.Add(new HudiProblem(
                        HudiProblemKind.BaseFileSchema,
                        file.Path,
                        $"column '{expected.Name}' ({expected.TypeName} not null) of the schema of commit {commit.Instant} is missing from the file's {what}"));
                }
            }
            else if (!ReadableAs(actual, expected))
            {
                problems.Add(new HudiProblem(
                    HudiProblemKind.BaseFileSchema,
                    file.Path,
                    $"column '{expected.Name}' is {actual.TypeName} in the file's {what}, {expected.TypeName} in the schema of commit {commit.Instant}"));
            }
        }
    }

    /// <summary>Whether a column stored as <paramref name="actual"/> reads as <paramref name="expected"/>: the same type, or one the schema evolution rules widen to it.</summary>
    private static bool ReadableAs(Field actual, Field expected)
    {
        var stored = HudiSchemaNormalizer.Normalize([actual]);
        var wanted = HudiSchemaNormalizer.Normalize([expected]);
        if (HudiSchemaNormalizer.Shape(stored) == HudiSchemaNormalizer.Shape(wanted))
        {
            return true;
        }

        try
        {
            _ = SchemaEvolution.Merge(stored, wanted, "");
            return true;
        }
        catch (HudiException)
        {
            return false;
        }
    }

    private static string Join(string basePath, string relative) => basePath.Length == 0 ? relative : basePath + "/" + relative;

    /// <summary>The schema a completed write recorded (its Avro <c>schema</c>), as fields.</summary>
    private sealed record CommitSchema(string Instant, IReadOnlyList<Field> Fields);

    /// <summary>What the rows of one base file say, summed up so that each rule yields at most one problem per file.</summary>
    private sealed class RowFindings
    {
        private long _rows;
        private string? _minKey;
        private string? _maxKey;
        private long _nullKeys;
        private long _notInBloom;
        private string? _firstNotInBloom;
        private long _wrongFileName;
        private string? _firstWrongFileName;
        private long _wrongPartition;
        private string? _firstWrongPartition;
        private long _laterCommit;
        private string? _firstLaterCommit;

        public void Scan(RecordBatch batch, BaseFile file, HoodieBloomFilter? bloom, bool metaFieldsOn)
        {
            var keys = batch[HoodieMetaFields.RecordKey];
            var names = batch[HoodieMetaFields.FileName];
            var partitions = batch[HoodieMetaFields.PartitionPath];
            var commits = batch[HoodieMetaFields.CommitTime];
            for (var i = 0; i < batch.RowCount; i++)
            {
                _rows++;

                // Java writes the file's own name into every row, meta fields on or off; a copied-through row
                // gets the new file's name.
                var name = names.GetValue(i) as string;
                if ((name is null && metaFieldsOn) || (name is not null && name != file.FileName))
                {
                    _wrongFileName++;
                    _firstWrongFileName ??= name ?? "null";
                }

                if (!metaFieldsOn)
                {
                    continue;
                }

                if (keys.GetValue(i) is not string key)
                {
                    _nullKeys++;
                }
                else
                {
                    if (_minKey is null || string.CompareOrdinal(key, _minKey) < 0)
                    {
                        _minKey = key;
                    }

                    if (_maxKey is null || string.CompareOrdinal(key, _maxKey) > 0)
                    {
                        _maxKey = key;
                    }

                    if (bloom is not null && (key.Length == 0 || !bloom.MightContain(key)))
                    {
                        _notInBloom++;
                        _firstNotInBloom ??= key;
                    }
                }

                var partition = partitions.GetValue(i) as string;
                if (partition != file.PartitionPath)
                {
                    _wrongPartition++;
                    _firstWrongPartition ??= partition ?? "null";
                }

                var commit = commits.GetValue(i) as string;
                if (commit is null || string.CompareOrdinal(commit, file.InstantTime) > 0)
                {
                    _laterCommit++;
                    _firstLaterCommit ??= commit ?? "null";
                }
            }
        }

        public void Report(BaseFile file, IReadOnlyDictionary<string, string?> footer, bool hasBloom, bool metaFieldsOn, List<HudiProblem> problems)
        {
            if (_wrongFileName > 0)
            {
                problems.Add(new HudiProblem(
                    HudiProblemKind.MetaColumns,
                    file.Path,
                    $"{HoodieMetaFields.FileName} differs from the file's name in {Rows(_wrongFileName)}, e.g. '{_firstWrongFileName}'"));
            }

            if (!metaFieldsOn)
            {
                return;
            }

            if (_nullKeys > 0)
            {
                problems.Add(new HudiProblem(HudiProblemKind.MetaColumns, file.Path, $"{HoodieMetaFields.RecordKey} is null in {Rows(_nullKeys)}"));
            }

            if (_wrongPartition > 0)
            {
                problems.Add(new HudiProblem(
                    HudiProblemKind.MetaColumns,
                    file.Path,
                    $"{HoodieMetaFields.PartitionPath} differs from the file's partition '{file.PartitionPath}' in {Rows(_wrongPartition)}, e.g. '{_firstWrongPartition}'"));
            }

            if (_laterCommit > 0)
            {
                problems.Add(new HudiProblem(
                    HudiProblemKind.MetaColumns,
                    file.Path,
                    $"{HoodieMetaFields.CommitTime} is null or after the file's instant {file.InstantTime} in {Rows(_laterCommit)}, e.g. '{_firstLaterCommit}'"));
            }

            if (hasBloom && _notInBloom > 0)
            {
                problems.Add(new HudiProblem(
                    HudiProblemKind.BloomFilter,
                    file.Path,
                    $"the bloom filter lacks {_notInBloom} of the file's {_rows} record keys, e.g. '{_firstNotInBloom}' (Hudi's bloom index would miss their updates)"));
            }

            CheckKeyBound(file, footer, HoodieFooterKeys.MinRecordKey, _minKey, problems);
            CheckKeyBound(file, footer, HoodieFooterKeys.MaxRecordKey, _maxKey, problems);
        }

        private static void CheckKeyBound(BaseFile file, IReadOnlyDictionary<string, string?> footer, string key, string? actual, List<HudiProblem> problems)
        {
            var stored = footer.GetValueOrDefault(key);
            if (actual is null && stored is null)
            {
                return;
            }

            if (stored is null)
            {
                problems.Add(new HudiProblem(HudiProblemKind.BaseFileContent, file.Path, $"the footer lacks {key} (expected '{actual}')"));
            }
            else if (stored != actual)
            {
                problems.Add(new HudiProblem(HudiProblemKind.BaseFileContent, file.Path, $"the footer's {key} is '{stored}', but the file's keys give '{actual ?? "none"}'"));
            }
        }

        private static string Rows(long count) => count == 1 ? "1 row" : $"{count} rows";
    }
}
