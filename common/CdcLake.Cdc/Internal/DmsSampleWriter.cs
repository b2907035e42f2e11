using System.Globalization;
using System.Numerics;
using CdcLake.Parquet;

namespace CdcLake.Cdc.Internal;

/// <summary>The generator behind <see cref="DmsSample"/>: a little OLTP history replayed into DMS-shaped files.</summary>
internal sealed class DmsSampleWriter
{
    private const string Ts = "DMS_TIMESTAMP";
    private const string Seq = ChangeSchema.ChangeSequenceColumn;
    private static readonly DateTime LoadStart = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "an", "el", "or"];
    private static readonly string[] Statuses = ["new", "paid", "shipped", "delivered", "cancelled"];
    private static readonly string[] Products = ["kettle", "teapot", "mug", "saucer", "spoon", "tray", "strainer", "cosy"];
    private static readonly string[] Tiers = ["bronze", "silver", "gold"];

    private readonly string _root;
    private readonly DmsSampleOptions _options;
    private readonly SplitMix64 _random;
    private readonly SampleTable _customers;
    private readonly SampleTable _orders;
    private readonly SampleTable _lines;
    private long _sequence;

    public DmsSampleWriter(string root, DmsSampleOptions options)
    {
        _root = root;
        _options = options;
        _random = new SplitMix64((ulong)options.Seed);
        _customers = new SampleTable(
            "customers",
            ["customer_id"],
            [
                Long("customer_id"), Text("name"), Text("email"), Dec("balance", 15, 2), Stamp("created_at"), new PrimitiveField("is_active", PhysicalType.Boolean),
                new PrimitiveField("age", PhysicalType.Int32, LogicalType.Integer(16, true)), Text("loyalty_tier"),
            ])
        {
            AddedColumn = "loyalty_tier",
            CdcCodec = ParquetCodec.Gzip,
        };
        _orders = new SampleTable(
            "orders",
            ["order_id"],
            [Long("order_id"), Long("customer_id"), Text("status"), Dec("total", 38, 4), Stamp("ordered_at"), Text("note")])
        {
            DateFolders = true,
            CdcCodec = ParquetCodec.Gzip,
            CdcDictionary = false,
        };
        _lines = new SampleTable(
            "order_lines",
            ["order_id", "line_no"],
            [Long("order_id"), new PrimitiveField("line_no", PhysicalType.Int32), Text("product"), new PrimitiveField("quantity", PhysicalType.Int32, LogicalType.Integer(16, true)), Dec("unit_price", 15, 2)])
        {
            BeforeImagePrefix = "BI_",
            CdcCodec = ParquetCodec.None,
        };
    }

    private IEnumerable<SampleTable> Tables => [_customers, _orders, _lines];

    public DmsSampleResult Write()
    {
        foreach (var table in Tables)
        {
            var folder = FolderOf(table);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
        }

        FullLoad();
        var addedAt = _options.Batches <= 1 ? 1 : (_options.Batches / 2) + 1;
        for (var batch = 1; batch <= _options.Batches; batch++)
        {
            _customers.HasAddedColumn = batch >= addedAt;
            CdcBatch(batch);
        }

        var pipeline = WritePipeline();
        return new DmsSampleResult(
            _root,
            pipeline,
            [.. Tables.Select(t => new DmsSampleTable(t.Name, FolderOf(t), t.LoadFiles, t.CdcFiles, t.LoadRows, t.CdcRows))]);
    }

    private void FullLoad()
    {
        var rows = _options.Rows;
        for (var id = 1L; id <= rows; id++)
        {
            _customers.Set(Key(id), NewCustomer(id, withTier: false));
        }

        for (var id = 1L; id <= rows; id++)
        {
            _orders.Set(Key(id), NewOrder(id));
            var lines = 1 + _random.Next(3);
            for (var line = 1; line <= lines; line++)
            {
                _lines.Set(Key(id, line), NewLine(id, line));
            }
        }

        _customers.MaxId = rows;
        _orders.MaxId = rows;

        // DMS_TIMESTAMP of a full-load row is when DMS transferred it: spread over the load's ten minutes.
        var transferred = 0;
        var total = _customers.State.Count + _orders.State.Count + _lines.State.Count;
        foreach (var (table, files) in new[] { (_customers, 3), (_orders, 11), (_lines, 2) })
        {
            var rowsOfTable = table.State.Values.ToList();
            var counter = 1u;
            for (var file = 0; file < files; file++)
            {
                // Exactly `files` files (fewer only for tiny loads), so orders' counters pass 9 into A and B.
                var from = rowsOfTable.Count * file / files;
                var to = rowsOfTable.Count * (file + 1) / files;
                if (to == from)
                {
                    continue;
                }

                var chunk = rowsOfTable.Skip(from).Take(to - from).Select(data =>
                {
                    var time = LoadStart.AddTicks(TimeSpan.TicksPerMinute * 10 * transferred++ / Math.Max(1, total));
                    return new ChangeRow(null, time, "", data, null);
                }).ToList();
                var path = Path.Combine(FolderOf(table), DmsFileNames.LoadName(counter++));
                WriteFile(table, path, chunk, load: true);
                File.SetLastWriteTimeUtc(path, LoadStart.AddMinutes(10).AddSeconds(counter));
                table.LoadFiles++;
                table.LoadRows += chunk.Count;
            }
        }
    }

    private void CdcBatch(int batch)
    {
        // Batches of nine hours from two minutes into the full load: the first commits predate the last
        // full-load rows' DMS_TIMESTAMP, and later batches cross midnight into new date folders.
        var start = LoadStart.AddMinutes(2).AddHours(9 * (batch - 1));
        var span = TimeSpan.FromHours(9);
        var transactions = Math.Max(12, _options.Rows / 8);
        var times = Enumerable.Range(0, transactions).Select(_ => start.AddTicks((long)(_random.NextDouble() * span.Ticks))).Order().ToList();
        foreach (var commit in times)
        {
            // Microseconds, as DMS_TIMESTAMP carries them.
            var time = new DateTime(commit.Ticks - (commit.Ticks % 10), DateTimeKind.Utc);
            Transaction(time);
        }

        foreach (var table in Tables)
        {
            var changes = table.Pending;
            table.Pending = [];
            if (changes.Count == 0)
            {
                continue;
            }

            // Two files per batch, cut by time, as DMS cuts them by CdcMaxBatchInterval.
            var half = (changes.Count + 1) / 2;
            foreach (var part in new[] { changes.Take(half).ToList(), changes.Skip(half).ToList() })
            {
                if (part.Count == 0)
                {
                    continue;
                }

                var fileTime = part[^1].Time.AddMilliseconds(40 + _random.Next(900));
                fileTime = new DateTime(fileTime.Ticks - (fileTime.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
                var folder = table.DateFolders
                    ? Path.Combine(FolderOf(table), DatePartitionFolder.Format(fileTime, DatePartitionSequence.YYYYMMDD, DatePartitionDelimiter.Slash))
                    : FolderOf(table);
                Directory.CreateDirectory(folder);
                var path = Path.Combine(folder, DmsFileNames.CdcName(fileTime));
                WriteFile(table, path, part, load: false);
                File.SetLastWriteTimeUtc(path, fileTime.AddSeconds(2));
                table.CdcFiles++;
                table.CdcRows += part.Count;
            }
        }
    }

    /// <summary>One source transaction: a few changes sharing a commit time (DMS_TIMESTAMP), each with its own sequence.</summary>
    private void Transaction(DateTime time)
    {
        var kind = _random.Next(100);
        switch (kind)
        {
            case < 12:
            {
                // A new customer with a first order and its lines.
                var customer = NextId(_customers);
                Change(_customers, time, "I", NewCustomer(customer, _customers.HasAddedColumn));
                var order = NextId(_orders);
                var row = NewOrder(order);
                row[1] = customer;
                Change(_orders, time, "I", row);
                for (var line = 1; line <= 1 + _random.Next(3); line++)
                {
                    Change(_lines, time, "I", NewLine(order, line));
                }

                break;
            }

            case < 30:
            {
                // Updates; now and then the same row twice in one transaction (a tie on DMS_TIMESTAMP).
                var table = Pick([_customers, _orders]);
                if (Existing(table) is not { } key)
                {
                    break;
                }

                var times = _random.Next(4) == 0 ? 2 : 1;
                for (var i = 0; i < times; i++)
                {
                    Change(table, time, "U", Updated(table, table.State[key]));
                }

                break;
            }

            case < 40:
                if (Existing(_orders) is { } status)
                {
                    var row = (object?[])_orders.State[status].Clone();
                    row[2] = Pick(Statuses);
                    Change(_orders, time, "U", row);
                    row = (object?[])row.Clone();
                    row[2] = Pick(Statuses);
                    row[5] = $"status changed twice at {time:HH:mm:ss}";
                    Change(_orders, time, "U", row);
                }

                break;
            case < 55:
                if (Existing(_lines) is { } lineKey)
                {
                    Change(_lines, time, "U", Updated(_lines, _lines.State[lineKey]));
                }

                break;
            case < 63:
                if (Existing(_lines) is { } moved)
                {
                    // A primary-key update: the line is renumbered; BI_ columns carry the old key.
                    var row = (object?[])_lines.State[moved].Clone();
                    var orderId = (long)row[0]!;
                    var newNo = Enumerable.Range(10, 90).First(n => !_lines.State.ContainsKey(Key(orderId, n)));
                    row[1] = newNo;
                    Change(_lines, time, "U", row, beforeKey: [row[0], _lines.State[moved][1]]);
                }

                break;
            case < 78:
            {
                // Key-only deletes (PostgreSQL without REPLICA IDENTITY FULL), sometimes two tables in one transaction.
                var table = Pick([_customers, _orders, _lines]);
                if (Existing(table) is { } key)
                {
                    Delete(table, time, key);
                    if (table == _orders && _random.Next(2) == 0)
                    {
                        // The order's lines: numbered 1-3 at first, 10-99 once renumbered.
                        var orderId = long.Parse(key, CultureInfo.InvariantCulture);
                        foreach (var n in Enumerable.Range(1, 99))
                        {
                            if (_lines.State.ContainsKey(Key(orderId, n)))
                            {
                                Delete(_lines, time, Key(orderId, n));
                            }
                        }
                    }
                }

                break;
            }

            case < 90:
            {
                // A deleted key comes back: perhaps in the same batch, perhaps in the same transaction.
                var table = Pick([_customers, _orders, _lines]);
                if (table.Deleted.Count == 0)
                {
                    break;
                }

                var at = _random.Next(table.Deleted.Count);
                var key = table.Deleted[at];
                table.Deleted[at] = table.Deleted[^1];
                table.Deleted.RemoveAt(table.Deleted.Count - 1);
                if (table.State.ContainsKey(key))
                {
                    break; // the key was taken again meanwhile (a renumbered line)
                }

                var parts = key.Split('/');
                var id = long.Parse(parts[0], CultureInfo.InvariantCulture);
                var row = table == _customers ? NewCustomer(id, _customers.HasAddedColumn)
                    : table == _orders ? NewOrder(id)
                    : NewLine(id, int.Parse(parts[1], CultureInfo.InvariantCulture));
                Change(table, time, "I", row);
                break;
            }

            default:
            {
                // Delete then re-insert in one transaction.
                var table = Pick([_customers, _lines]);
                if (Existing(table) is { } key)
                {
                    var row = (object?[])table.State[key].Clone();
                    Delete(table, time, key);
                    table.Deleted.RemoveAt(table.Deleted.Count - 1); // the key just deleted: it is back at once
                    Change(table, time, "I", Updated(table, row));
                }

                break;
            }
        }
    }

    private void Change(SampleTable table, DateTime time, string op, object?[] data, object?[]? beforeKey = null)
    {
        _sequence++;
        var sequence = time.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)
            + (time.Millisecond / 10).ToString("D2", CultureInfo.InvariantCulture)
            + _sequence.ToString("D19", CultureInfo.InvariantCulture);
        var key = table.KeyOf(data);
        if (beforeKey is not null)
        {
            table.Remove(table.KeyOf(beforeKey));
        }
        else if (table.BeforeImagePrefix is not null && op == "U")
        {
            beforeKey = table.KeyColumns.Select(c => data[c]).ToArray();
        }

        table.Set(key, data);
        table.Pending.Add(new ChangeRow(op, time, sequence, data, beforeKey));
    }

    private void Delete(SampleTable table, DateTime time, string key)
    {
        var full = table.State[key];
        var keyOnly = new object?[full.Length];
        foreach (var c in table.KeyColumns)
        {
            keyOnly[c] = full[c];
        }

        _sequence++;
        var sequence = time.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)
            + (time.Millisecond / 10).ToString("D2", CultureInfo.InvariantCulture)
            + _sequence.ToString("D19", CultureInfo.InvariantCulture);
        var before = table.BeforeImagePrefix is null ? null : table.KeyColumns.Select(c => full[c]).ToArray();
        table.Remove(key);
        table.Deleted.Add(key);
        table.Pending.Add(new ChangeRow("D", time, sequence, keyOnly, before));
    }

    private object?[] Updated(SampleTable table, object?[] current)
    {
        var row = (object?[])current.Clone();
        if (table == _customers)
        {
            row[2] = $"{row[1]}.{_random.Next(100)}@example.org";
            row[3] = Money(2);
            row[5] = _random.Next(5) != 0;
            if (_customers.HasAddedColumn)
            {
                row[7] = Pick(Tiers);
            }
        }
        else if (table == _orders)
        {
            row[2] = Pick(Statuses);
            row[3] = Money(4);
        }
        else
        {
            row[3] = (short)(1 + _random.Next(20));
            row[4] = Money(2);
        }

        return row;
    }

    private object?[] NewCustomer(long id, bool withTier)
    {
        var name = Name();
        return
        [
            id,
            name,
            $"{name}{id.ToString(CultureInfo.InvariantCulture)}@example.com",
            Money(2),
            LoadStart.AddDays(-_random.Next(900)).AddMilliseconds(_random.Next(86_400_000)),
            _random.Next(6) != 0,
            (short)(18 + _random.Next(70)),
            withTier ? Pick(Tiers) : null,
        ];
    }

    private object?[] NewOrder(long id) =>
    [
        id,
        1L + _random.Next(Math.Max(1, _options.Rows)),
        Pick(Statuses),
        Money(4),
        // Orders of the last three months: the month partitions 2024-01 to 2024-03.
        LoadStart.AddDays(-_random.Next(75)).AddMilliseconds(_random.Next(86_400_000)),
        _random.Next(3) == 0 ? $"deliver to door {_random.Next(200)}" : null,
    ];

    private object?[] NewLine(long order, int line) =>
        [order, line, Pick(Products), (short)(1 + _random.Next(9)), Money(2)];

    private decimal Money(int scale) => Math.Round((decimal)_random.Next(1, 10_000_000) / 100m * (scale == 4 ? 1.0001m : 1m), scale);

    private string Name() => string.Concat(Enumerable.Range(0, 2 + _random.Next(2)).Select(_ => Pick(Syllables)));

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private string? Existing(SampleTable table) =>
        table.Keys.Count == 0 ? null : table.Keys[_random.Next(table.Keys.Count)];

    private static long NextId(SampleTable table) => ++table.MaxId;

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Key(long id, int line) => $"{id.ToString(CultureInfo.InvariantCulture)}/{line.ToString(CultureInfo.InvariantCulture)}";

    private string FolderOf(SampleTable table) => Path.Combine(_root, "dms", DmsSample.Database, DmsSample.SourceSchema, table.Name);

    private void WriteFile(SampleTable table, string path, List<ChangeRow> rows, bool load)
    {
        var fields = new List<Field>();
        var columns = new List<Func<ChangeRow, object?>>();
        if (!load)
        {
            fields.Add(Text(DmsOp.Column));
            columns.Add(r => r.Op);
        }

        fields.Add(new PrimitiveField(Ts, PhysicalType.ByteArray, LogicalType.String, Repetition.Required));
        columns.Add(r => r.Time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        for (var i = 0; i < table.Fields.Count; i++)
        {
            if (table.Fields[i].Name == table.AddedColumn && (load || !table.HasAddedColumn))
            {
                continue;
            }

            var at = i;
            fields.Add(table.Fields[i]);
            columns.Add(r => r.Data[at]);
        }

        fields.Add(Text(Seq));
        columns.Add(r => r.Sequence);
        if (!load && table.BeforeImagePrefix is { } prefix)
        {
            for (var k = 0; k < table.KeyColumns.Length; k++)
            {
                var at = k;
                var keyField = (PrimitiveField)table.Fields[table.KeyColumns[k]];
                fields.Add(new PrimitiveField(prefix + keyField.Name, keyField.PhysicalType, keyField.LogicalType));
                columns.Add(r => r.BeforeKey?[at]);
            }
        }

        var schema = new ParquetSchema(fields);
        var vectors = fields.Select((f, i) => Column((PrimitiveField)f, rows.Select(columns[i]).ToList())).ToArray();
        var options = new ParquetWriteOptions
        {
            Codec = load ? ParquetCodec.None : table.CdcCodec,
            EnableDictionary = !load && table.CdcDictionary,
            RowGroupRows = 10_000,
            MaxDegreeOfParallelism = 1,
        };
        using var writer = ParquetWriter.Create(path, schema, options);
        writer.Write(new RecordBatch(schema, vectors, rows.Count));
        writer.Close();
    }

    private static ColumnVector Column(PrimitiveField field, List<object?> values)
    {
        var length = values.Count;
        var validity = new byte[Bitmap.BytesFor(length)];
        for (var i = 0; i < length; i++)
        {
            if (values[i] is not null)
            {
                Bitmap.Set(validity, i);
            }
        }

        switch (field.PhysicalType)
        {
            case PhysicalType.Boolean:
                return new BooleanVector(field, [.. values.Select(v => v is true)], length, validity);
            case PhysicalType.Int32:
                return new PrimitiveVector<int>(field, [.. values.Select(v => v is null ? 0 : System.Convert.ToInt32(v, CultureInfo.InvariantCulture))], length, validity);
            case PhysicalType.Int64 when field.LogicalType?.Kind == LogicalKind.Timestamp:
                return new PrimitiveVector<long>(field, [.. values.Select(v => v is DateTime t ? (t.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond : 0)], length, validity);
            case PhysicalType.Int64:
                return new PrimitiveVector<long>(field, [.. values.Select(v => v is null ? 0 : System.Convert.ToInt64(v, CultureInfo.InvariantCulture))], length, validity);
            case PhysicalType.FixedLenByteArray:
            {
                var width = field.TypeLength;
                var data = new byte[length * width];
                var offsets = new int[length + 1];
                for (var i = 0; i < length; i++)
                {
                    offsets[i + 1] = (i + 1) * width;
                    if (values[i] is decimal d)
                    {
                        ParquetDecimal.WriteBigEndian(new BigInteger(decimal.Round(d * Pow10(field.LogicalType!.Scale))), data.AsSpan(i * width, width));
                    }
                }

                return new BinaryVector(field, offsets, data, length, validity);
            }

            default:
                return VectorConversion.Strings(field, [.. values.Select(v => (string?)v)]);
        }
    }

    private static decimal Pow10(int scale) => scale == 4 ? 10_000m : 100m;

    private static PrimitiveField Long(string name) => new(name, PhysicalType.Int64);

    private static PrimitiveField Text(string name) => new(name, PhysicalType.ByteArray, LogicalType.String);

    private static PrimitiveField Stamp(string name) => new(name, PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, adjustedToUtc: true));

    private static PrimitiveField Dec(string name, int precision, int scale) => DmsTypes.Decimal(name, precision, scale);

    private string WritePipeline()
    {
        var config = new PipelineConfig
        {
            Version = 1,
            Defaults = new TableSettings
            {
                Database = DmsSample.Database,
                Ordering = [Seq, Ts],
                HiveStylePartitioning = true,
            },
            Tables =
            [
                Entry(_customers),
                Entry(_orders, t =>
                {
                    t.DatePartition = new DatePartitionSettings { Column = "order_month", Source = "ordered_at", Granularity = "month" };
                    t.PartitionBy = ["order_month"];
                }),
                Entry(_lines, t => t.BeforeImageKey = new BeforeImageSettings { Prefix = "BI_" }),
            ],
        };
        var path = Path.Combine(_root, "pipeline.json");
        File.WriteAllText(path, config.ToJson() + "\n");
        return path;
    }

    private static PipelineTable Entry(SampleTable table, Action<PipelineTable>? configure = null)
    {
        var entry = new PipelineTable
        {
            Table = table.Name,
            Source = $"dms/{DmsSample.Database}/{DmsSample.SourceSchema}/{table.Name}",
            Target = $"lake/{DmsSample.Database}/{table.Name}",
            RecordKey = [.. table.KeyColumns.Select(c => table.Fields[c].Name)],
        };
        configure?.Invoke(entry);
        return entry;
    }

    private sealed record ChangeRow(string? Op, DateTime Time, string Sequence, object?[] Data, object?[]? BeforeKey);

    private sealed class SampleTable(string name, string[] keyColumns, IReadOnlyList<Field> fields)
    {
        private readonly Dictionary<string, object?[]> _state = new(StringComparer.Ordinal);
        private readonly List<string> _keys = [];
        private readonly Dictionary<string, int> _keyIndex = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public IReadOnlyList<Field> Fields { get; } = fields;

        public int[] KeyColumns { get; } = [.. keyColumns.Select(k => fields.Select(f => f.Name).ToList().IndexOf(k))];

        /// <summary>Current rows by key text.</summary>
        public IReadOnlyDictionary<string, object?[]> State => _state;

        /// <summary>The keys of <see cref="State"/> in a list, so a random one is picked in constant time.</summary>
        public IReadOnlyList<string> Keys => _keys;

        public List<string> Deleted { get; } = [];

        public List<ChangeRow> Pending { get; set; } = [];

        public string? AddedColumn { get; init; }

        public bool HasAddedColumn { get; set; }

        public bool DateFolders { get; init; }

        public string? BeforeImagePrefix { get; init; }

        public ParquetCodec CdcCodec { get; init; } = ParquetCodec.Gzip;

        public bool CdcDictionary { get; init; } = true;

        public long MaxId { get; set; }

        public int LoadFiles { get; set; }

        public int CdcFiles { get; set; }

        public long LoadRows { get; set; }

        public long CdcRows { get; set; }

        public void Set(string key, object?[] row)
        {
            if (_state.TryAdd(key, row))
            {
                _keyIndex[key] = _keys.Count;
                _keys.Add(key);
            }
            else
            {
                _state[key] = row;
            }
        }

        public void Remove(string key)
        {
            if (!_state.Remove(key))
            {
                return;
            }

            // Swap-remove: O(1), and still deterministic.
            var at = _keyIndex[key];
            var last = _keys[^1];
            _keys[at] = last;
            _keyIndex[last] = at;
            _keys.RemoveAt(_keys.Count - 1);
            _keyIndex.Remove(key);
        }

        public string KeyOf(object?[] row) => string.Join('/', KeyColumns.Select(c => System.Convert.ToString(row[c], CultureInfo.InvariantCulture)));
    }

    /// <summary>A small seeded generator whose sequence is fixed by its algorithm, not by the runtime's Random.</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public int Next(int maxExclusive) => maxExclusive <= 1 ? 0 : (int)(NextUInt64() % (ulong)maxExclusive);

        public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        private ulong NextUInt64()
        {
            var z = _state += 0x9E3779B97F4A7C15ul;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
            return z ^ (z >> 31);
        }
    }
}
