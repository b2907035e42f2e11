using System.Runtime.CompilerServices;
using CdcLake.Hudi.Internal;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Hudi;

/// <summary>
/// A Hudi copy-on-write table on an <see cref="IObjectStore"/>, as of the moment it was opened: its
/// <c>hoodie.properties</c> (<see cref="Config"/>), its active <see cref="Timeline"/>, and reads of its
/// file slices. Reads table version 6 (timeline layout 1, instants in <c>.hoodie/</c>) fully and version 8
/// (layout 2, <c>.hoodie/timeline/</c>) for snapshot reads; other versions are refused with
/// <see cref="UnsupportedTableVersionException"/> rather than misread.
/// </summary>
/// <remarks>
/// An instance is an immutable snapshot of the table's metadata: <see cref="RefreshAsync"/> gives a new one
/// after the table changed. The class is partial so that the writer can add its operations (creating a
/// table, committing) in its own file, on top of <see cref="Store"/>, <see cref="BasePath"/>,
/// <see cref="PathOf"/> and the read-side building blocks here.
/// </remarks>
public sealed partial class HudiTable
{
    /// <summary>The folder of a table's metadata, under its root.</summary>
    public const string MetaFolderName = ".hoodie";

    /// <summary>Written by Java while it rewrites hoodie.properties; read when hoodie.properties is missing, as Java does.</summary>
    public const string PropertiesBackupFileName = "hoodie.properties.backup";

    /// <summary>Table versions this library reads.</summary>
    public static IReadOnlyList<int> ReadableTableVersions { get; } = [6, 8];

    private readonly object _gate = new();
    private Task<FileSystemView>? _view;
    private Task<IReadOnlyDictionary<FileGroupId, string>>? _replaced;

    private HudiTable(IObjectStore store, string basePath, TableConfig config, HoodieTimeline timeline, IReadOnlyList<StoreEntry> timelineFiles)
    {
        Store = store;
        BasePath = basePath;
        Config = config;
        Timeline = timeline;
        TimelineFiles = timelineFiles;
    }

    /// <summary>The store the table is read through (not owned: the caller disposes it).</summary>
    public IObjectStore Store { get; }

    /// <summary>The table root relative to <see cref="Store"/>'s root ("" when the store is rooted at the table).</summary>
    public string BasePath { get; }

    /// <summary>The table root's full address.</summary>
    public StorePath Location => Store.PathOf(BasePath);

    public TableConfig Config { get; }

    public string Name => Config.TableName;

    public TimelineLayout Layout => Timeline.Layout;

    /// <summary>The active timeline as listed when the table was opened.</summary>
    public HoodieTimeline Timeline { get; }

    /// <summary>The instant files of the timeline folder (paths relative to the store's root), with sizes and times.</summary>
    public IReadOnlyList<StoreEntry> TimelineFiles { get; }

    /// <summary>The timeline folder relative to the table root: <c>.hoodie</c> (version 6) or <c>.hoodie/timeline</c> (version 8).</summary>
    public string TimelineFolder => Layout.TimelinePathFromTableRoot.TrimEnd('/');

    /// <summary>
    /// Opens the table rooted at <paramref name="tablePath"/> (relative to <paramref name="store"/>'s root; ""
    /// for the root itself): loads and checks hoodie.properties (required keys, checksum), the table version
    /// and layout, and lists the timeline.
    /// </summary>
    /// <exception cref="HudiException">No hoodie.properties: not a Hudi table.</exception>
    /// <exception cref="HudiConfigException">hoodie.properties is invalid (a missing key, a wrong checksum).</exception>
    /// <exception cref="UnsupportedTableVersionException">A table version other than 6 and 8, or a layout that does not fit it.</exception>
    public static Task<HudiTable> OpenAsync(IObjectStore store, string tablePath = "", CancellationToken cancellationToken = default) =>
        OpenAsync(store, tablePath, configOverride: null, cancellationToken);

    /// <summary>Opens the table at <paramref name="location"/>, which must lie inside <paramref name="store"/>'s root.</summary>
    public static Task<HudiTable> OpenAsync(IObjectStore store, StorePath location, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(location);
        var relative = location.GetRelativePath(store.Root)
            ?? throw new ArgumentException($"{location} is not inside the store rooted at {store.Root}", nameof(location));
        return OpenAsync(store, relative, cancellationToken);
    }

    /// <summary>The same table with its timeline listed again (after a write).</summary>
    public Task<HudiTable> RefreshAsync(CancellationToken cancellationToken = default) =>
        OpenAsync(Store, BasePath, configOverride: null, cancellationToken);

    /// <summary>A path relative to the table root, made relative to the store's root.</summary>
    public string PathOf(string pathFromTableRoot)
    {
        ArgumentNullException.ThrowIfNull(pathFromTableRoot);
        return BasePath.Length == 0 ? pathFromTableRoot
            : pathFromTableRoot.Length == 0 ? BasePath
            : BasePath + "/" + pathFromTableRoot;
    }

    /// <summary>The table's partitions and base files, listed once per instance.</summary>
    public Task<FileSystemView> GetFileSystemViewAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_view is null || _view.IsFaulted || _view.IsCanceled)
            {
                _view = FileSystemView.LoadAsync(Store, BasePath, Config, cancellationToken);
            }

            return _view;
        }
    }

    /// <summary>The content of a completed (or inflight) commit, delta commit or replace commit.</summary>
    /// <exception cref="UnsupportedTableVersionException">The instant holds Avro (table version 8): not read.</exception>
    public async Task<HoodieCommitMetadata> ReadCommitMetadataAsync(HoodieInstant instant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instant);
        var path = PathOf($"{TimelineFolder}/{instant.FileName(Layout)}");
        var bytes = await Store.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return HoodieCommitMetadata.Parse(bytes);
        }
        catch (UnsupportedTableVersionException)
        {
            throw;
        }
        catch (HudiException e)
        {
            throw new HudiException($"{Store.PathOf(path)}: {e.Message}", e);
        }
    }

    /// <summary>
    /// File groups replaced by completed replace commits (insert_overwrite, clustering), each with the
    /// instant that replaced it. A file group replaced at or before the instant a query reads as of is out of it.
    /// </summary>
    public Task<IReadOnlyDictionary<FileGroupId, string>> GetReplacedFileGroupsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_replaced is null || _replaced.IsFaulted || _replaced.IsCanceled)
            {
                _replaced = LoadReplacedAsync(cancellationToken);
            }

            return _replaced;
        }
    }

    /// <summary>
    /// The file slices <paramref name="query"/> reads: the latest committed slice of every file group not
    /// replaced as of the query's instant, in the partitions it keeps; for an incremental query only those
    /// written after its <see cref="HudiQuery.SinceInstant"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An instant that is not an instant time, or since after as-of.</exception>
    /// <exception cref="UnsupportedTableVersionException">Time travel or incremental on a version 8 table.</exception>
    /// <exception cref="HudiException">An incremental query on a table without meta fields.</exception>
    public async Task<IReadOnlyList<FileSlice>> GetFileSlicesAsync(HudiQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= HudiQuery.Snapshot;
        CheckQuery(query);
        var view = await GetFileSystemViewAsync(cancellationToken).ConfigureAwait(false);
        var replaced = await GetReplacedFileGroupsAsync(cancellationToken).ConfigureAwait(false);
        var asOf = query.AsOfInstant;
        var excluded = replaced
            .Where(r => asOf is null || string.CompareOrdinal(r.Value, asOf) <= 0)
            .Select(r => r.Key)
            .ToHashSet();
        var slices = view.GetLatestFileSlices(Timeline, asOf, excluded, query.PartitionFilter);
        return query.SinceInstant is { } since
            ? [.. slices.Where(s => string.CompareOrdinal(s.BaseInstantTime, since) > 0)]
            : slices;
    }

    /// <summary>
    /// The schema of what <paramref name="query"/> returns: the newest base file's (the table's current schema
    /// as written), else the schema the table was created with plus the meta columns; projected to
    /// <see cref="HudiQuery.Columns"/>.
    /// </summary>
    /// <exception cref="HudiException">A projected column the table does not have.</exception>
    public async Task<ParquetSchema> GetSchemaAsync(HudiQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= HudiQuery.Snapshot;
        CheckQuery(query); // fail before a caller starts writing output, not at the first row
        var slices = await GetFileSlicesAsync(query with { SinceInstant = null, PartitionFilter = null }, cancellationToken).ConfigureAwait(false);
        ParquetSchema schema;
        string source;
        if (slices.MaxBy(s => s.BaseInstantTime, StringComparer.Ordinal) is { } newest)
        {
            using var file = await StoreRandomAccessFile.OpenAsync(Store, PathOf(newest.BaseFile.Path), cancellationToken).ConfigureAwait(false);
            using var reader = new ParquetReader(file);
            schema = reader.Schema;
            source = reader.Name;
        }
        else if (Config.CreateSchema is { } createSchema)
        {
            var fields = AvroSchema.Parse(createSchema).Fields;
            schema = new ParquetSchema([.. HoodieMetaFields.All.Select(MetaField), .. fields.Where(f => !HoodieMetaFields.IsMetaField(f.Name))]);
            source = Store.PathOf(PathOf($"{MetaFolderName}/{HoodieTableConfig.FileName}")).ToString();
        }
        else
        {
            throw new HudiException($"{Location}: the table has no base files and no {HoodieTableConfig.CreateSchema.Key}: its schema is unknown");
        }

        if (query.Columns is not { } columns)
        {
            return schema;
        }

        var missing = columns.Where(c => schema.IndexOf(c) < 0).ToArray();
        if (missing.Length > 0)
        {
            throw new HudiException($"{source}: no column named {string.Join(", ", missing.Select(c => $"'{c}'"))}; the table has {string.Join(", ", schema.Fields.Select(f => f.Name))}");
        }

        return new ParquetSchema([.. columns.Select(c => schema[c])]);
    }

    /// <summary>
    /// Streams the rows of <paramref name="query"/>, one batch per row group of each file slice in turn, so
    /// memory stays bounded by one row group. Rows come in no particular order. Empty batches are skipped.
    /// Every batch has the columns of the query's newest base file (<see cref="GetSchemaAsync"/>): an older base file
    /// written before the table's columns evolved is read as them (columns it lacks are null, widened types converted).
    /// </summary>
    /// <exception cref="HudiException">A projected column the table lacks, or a base file whose columns cannot be read as the newest one's.</exception>
    /// <exception cref="ParquetException">A base file that cannot be decoded.</exception>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(
        HudiQuery? query = null,
        ParquetReadOptions? parquetOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= HudiQuery.Snapshot;
        var slices = await GetFileSlicesAsync(query, cancellationToken).ConfigureAwait(false);

        // The newest slice first: its columns are the ones every batch gets.
        var newest = slices.MaxBy(s => s.BaseInstantTime, StringComparer.Ordinal);
        ParquetSchema? target = null;
        foreach (var slice in slices.Where(s => s == newest).Concat(slices.Where(s => s != newest)))
        {
            var file = await StoreRandomAccessFile.OpenAsync(Store, PathOf(slice.BaseFile.Path), cancellationToken).ConfigureAwait(false);
            using var reader = new ParquetReader(file, parquetOptions);
            target ??= reader.Schema;
            foreach (var batch in ReadSlice(reader, query, target))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return batch;
            }
        }
    }

    /// <summary>The rows of one base file that <paramref name="query"/> keeps (its columns, its commit range).</summary>
    public IEnumerable<RecordBatch> ReadSlice(ParquetReader reader, HudiQuery query) => ReadSlice(reader, query, null);

    /// <summary>
    /// The rows of one base file that <paramref name="query"/> keeps, read as the columns of <paramref name="target"/>
    /// (a newer base file's schema; null: the file's own) when the file's differ: schema evolution.
    /// </summary>
    public IEnumerable<RecordBatch> ReadSlice(ParquetReader reader, HudiQuery query, ParquetSchema? target)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(query);
        if (target is null || SchemaEvolution.SameShape(reader.Schema.Fields, target.Fields))
        {
            return ReadColumns(reader, query, query.Columns ?? [.. reader.Schema.Fields.Select(f => f.Name)]);
        }

        var columns = query.Columns ?? [.. target.Fields.Select(f => f.Name)];
        var unknown = columns.Where(c => target.IndexOf(c) < 0 && reader.Schema.IndexOf(c) < 0).ToArray();
        if (unknown.Length > 0)
        {
            throw new HudiException($"{reader.Name}: the table has no column {string.Join(", ", unknown.Select(c => $"'{c}'"))}");
        }

        var fields = columns.Select(c => target.IndexOf(c) >= 0 ? target[c] : reader.Schema[c]).ToList();
        var present = columns.Where(c => reader.Schema.IndexOf(c) >= 0).ToList();
        return ReadColumns(reader, query, present).Select(batch =>
        {
            try
            {
                return SchemaEvolution.Conform(batch, fields);
            }
            catch (HudiException e)
            {
                throw new HudiException($"{reader.Name}: {e.Message}", e);
            }
        });
    }

    private IEnumerable<RecordBatch> ReadColumns(ParquetReader reader, HudiQuery query, IReadOnlyList<string> columns)
    {
        var missing = columns.Where(c => reader.Schema.IndexOf(c) < 0).ToArray();
        if (missing.Length > 0)
        {
            throw new HudiException(
                $"{reader.Name}: the base file has no column {string.Join(", ", missing.Select(c => $"'{c}'"))}");
        }

        if (query.SinceInstant is not { } since)
        {
            foreach (var batch in reader.ReadBatches(columns))
            {
                if (batch.RowCount > 0)
                {
                    yield return batch;
                }
            }

            yield break;
        }

        var until = query.AsOfInstant;
        var commitTime = reader.Schema.IndexOf(HoodieMetaFields.CommitTime);
        if (commitTime < 0)
        {
            throw new HudiException($"{reader.Name}: the base file has no {HoodieMetaFields.CommitTime} column, which an incremental read filters on");
        }

        var readColumns = columns.Contains(HoodieMetaFields.CommitTime, StringComparer.Ordinal) ? columns : [.. columns, HoodieMetaFields.CommitTime];
        var commitColumn = reader.Schema.Columns.First(c => c.Path.Count == 1 && c.Path[0] == HoodieMetaFields.CommitTime);
        foreach (var batch in reader.ReadBatches(readColumns, rowGroup => MayHoldCommitsIn(rowGroup, commitColumn, since, until)))
        {
            var times = batch[HoodieMetaFields.CommitTime];
            var rows = new List<int>(batch.RowCount);
            for (var i = 0; i < batch.RowCount; i++)
            {
                if (times.GetValue(i) is string time && string.CompareOrdinal(time, since) > 0 && (until is null || string.CompareOrdinal(time, until) <= 0))
                {
                    rows.Add(i);
                }
            }

            if (rows.Count == batch.RowCount)
            {
                yield return RowSelection.Project(batch, columns);
            }
            else if (rows.Count > 0)
            {
                yield return RowSelection.Take(batch, [.. rows], columns);
            }
        }
    }

    /// <summary>Opens a base file of this table for reading.</summary>
    public async Task<ParquetReader> OpenBaseFileAsync(BaseFile baseFile, ParquetReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseFile);
        var file = await StoreRandomAccessFile.OpenAsync(Store, PathOf(baseFile.Path), cancellationToken).ConfigureAwait(false);
        return new ParquetReader(file, options);
    }

    public override string ToString() => $"{Name} at {Location} (version {Config.TableVersion})";

    /// <summary>
    /// Opens with the given config instead of the one on storage: the validator uses it to go on checking a
    /// table whose hoodie.properties it has already reported on (a wrong checksum, say).
    /// </summary>
    internal static async Task<HudiTable> OpenAsync(IObjectStore store, string tablePath, TableConfig? configOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tablePath);
        var basePath = tablePath.Trim('/');
        var config = configOverride ?? await LoadConfigAsync(store, basePath, cancellationToken).ConfigureAwait(false);
        var layout = CheckReadable(store, basePath, config);

        var metaFolder = Join(basePath, MetaFolderName);
        if (layout.LayoutVersion == 1)
        {
            // A version 6 table whose instants sit in .hoodie/timeline/ is half-way through an upgrade (or a
            // downgrade): reading its old-layout instants alone would miss writes.
            var v8Folder = Join(metaFolder, TimelineLayout.V8.TimelineFolder);
            if (await HasInstantFilesAsync(store, v8Folder, cancellationToken).ConfigureAwait(false))
            {
                throw new UnsupportedTableVersionException(
                    config.TableVersion,
                    $"{store.PathOf(v8Folder)} holds instants of the version 8 layout while hoodie.properties says version {config.TableVersion}: " +
                    "the table is part-way through an upgrade");
            }
        }

        var timelineFolder = Join(basePath, layout.TimelinePathFromTableRoot.TrimEnd('/'));
        var files = new List<StoreEntry>();
        await foreach (var entry in store.ListAsync(timelineFolder, recursive: false, cancellationToken).ConfigureAwait(false))
        {
            if (HoodieInstant.TryParseFileName(entry.Name, out _))
            {
                files.Add(entry);
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var timeline = HoodieTimeline.FromFileNames(files.Select(f => f.Name), layout);
        return new HudiTable(store, basePath, config, timeline, files);
    }

    /// <summary>Reads hoodie.properties (or, when it is missing, the backup Java leaves while rewriting it).</summary>
    internal static async Task<TableConfig> LoadConfigAsync(IObjectStore store, string basePath, CancellationToken cancellationToken)
    {
        var bytes = await ReadPropertiesAsync(store, basePath, cancellationToken).ConfigureAwait(false);
        try
        {
            return TableConfig.Parse(bytes.Content);
        }
        catch (HudiConfigException e)
        {
            throw new HudiConfigException($"{bytes.Location}: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new HudiConfigException($"{bytes.Location}: {e.Message}", e);
        }
    }

    internal static async Task<(byte[] Content, StorePath Location)> ReadPropertiesAsync(IObjectStore store, string basePath, CancellationToken cancellationToken)
    {
        var path = Join(basePath, $"{MetaFolderName}/{HoodieTableConfig.FileName}");
        try
        {
            return (await store.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), store.PathOf(path));
        }
        catch (ObjectNotFoundException)
        {
            var backup = Join(basePath, $"{MetaFolderName}/{PropertiesBackupFileName}");
            try
            {
                return (await store.ReadAllBytesAsync(backup, cancellationToken).ConfigureAwait(false), store.PathOf(backup));
            }
            catch (ObjectNotFoundException)
            {
                throw new HudiException($"{store.PathOf(basePath)}: not a Hudi table: {store.PathOf(path)} does not exist");
            }
        }
    }

    internal static TimelineLayout CheckReadable(IObjectStore store, string basePath, TableConfig config)
    {
        if (!ReadableTableVersions.Contains(config.TableVersion))
        {
            throw new UnsupportedTableVersionException(
                config.TableVersion,
                $"{store.PathOf(basePath)}: this library reads table versions 6 (Hudi 0.14-0.15) and 8 (Hudi 1.0)" +
                (config.TableVersion < 6 ? "; upgrade the table with Hudi 0.14 or later" : ""));
        }

        var layout = config.TimelineLayout;
        if (config.TableType != HoodieTableType.CopyOnWrite)
        {
            throw new HudiConfigException(
                $"{store.PathOf(basePath)}: a {HoodieTableConfig.TableType.Format(config.TableType)} table: only COPY_ON_WRITE tables are read " +
                "(reading the base files of a merge-on-read table alone would miss the changes in its log files)");
        }

        if (config.BaseFileFormat != HoodieFileFormat.Parquet)
        {
            throw new HudiConfigException($"{store.PathOf(basePath)}: base file format {HoodieTableConfig.BaseFileFormat.Format(config.BaseFileFormat)}: only PARQUET is read");
        }

        return layout;
    }

    private void CheckQuery(HudiQuery query)
    {
        foreach (var (name, instant) in new[] { ("as-of", query.AsOfInstant), ("since", query.SinceInstant) })
        {
            if (instant is not null && !InstantTime.IsValid(instant))
            {
                throw new ArgumentException($"the {name} instant '{instant}' is not an instant time (yyyyMMddHHmmssSSS)", nameof(query));
            }
        }

        if (query.SinceInstant is { } since && query.AsOfInstant is { } asOf && string.CompareOrdinal(since, asOf) > 0)
        {
            throw new ArgumentException($"the since instant {since} is after the as-of instant {asOf}", nameof(query));
        }

        if (Layout.LayoutVersion >= 2 && (query.AsOfInstant is not null || query.SinceInstant is not null))
        {
            // Hudi 1.x orders time travel and incremental reads by completion time, not by the instant in the
            // file names; reading by instant time would give wrong answers once writes overlap.
            throw new UnsupportedTableVersionException(
                Config.TableVersion,
                $"{Location}: time travel and incremental reads of a version {Config.TableVersion} table are not supported (only snapshot reads): " +
                "Hudi 1.x orders them by completion time");
        }

        if (query.IsIncremental && !Config.PopulateMetaFields)
        {
            throw new HudiException(
                $"{Location}: an incremental read filters on {HoodieMetaFields.CommitTime}, which this table does not fill " +
                $"({HoodieTableConfig.PopulateMetaFields.Key}=false)");
        }
    }

    private async Task<IReadOnlyDictionary<FileGroupId, string>> LoadReplacedAsync(CancellationToken cancellationToken)
    {
        var replaced = new Dictionary<FileGroupId, string>();
        foreach (var instant in Timeline.Completed.Where(i => i.Action == HoodieActions.ReplaceCommit))
        {
            var metadata = await ReadCommitMetadataAsync(instant, cancellationToken).ConfigureAwait(false);
            foreach (var (partition, fileIds) in metadata.PartitionToReplaceFileIds ?? [])
            {
                foreach (var fileId in fileIds)
                {
                    replaced.TryAdd(new FileGroupId(partition, fileId), instant.Time);
                }
            }
        }

        return replaced;
    }

    private static async Task<bool> HasInstantFilesAsync(IObjectStore store, string folder, CancellationToken cancellationToken)
    {
        await foreach (var entry in store.ListAsync(folder, recursive: false, cancellationToken).ConfigureAwait(false))
        {
            if (HoodieInstant.TryParseFileName(entry.Name, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static PrimitiveField MetaField(string name) => new(name, PhysicalType.ByteArray, LogicalType.String);

    private static string Join(string basePath, string relative) => basePath.Length == 0 ? relative : basePath + "/" + relative;

    private static bool MayHoldCommitsIn(RowGroupInfo rowGroup, ColumnDescriptor commitColumn, string since, string? until)
    {
        var stats = rowGroup.Columns.FirstOrDefault(c => c.Column.Index == commitColumn.Index)?.Statistics;
        if (stats is not { Min: string min, Max: string max })
        {
            return true;
        }

        // Statistics bound the values even when truncated, so a row group entirely outside (since, until] is skipped.
        return string.CompareOrdinal(max, since) > 0 && (until is null || string.CompareOrdinal(min, until) <= 0);
    }
}
