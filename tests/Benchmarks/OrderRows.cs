using System.Buffers.Binary;
using System.Buffers.Text;
using CdcLake.Parquet;

namespace CdcLake.Benchmarks;

/// <summary>
/// The rows of the Hudi and merge benchmarks: an orders-like table of ten columns (long key, strings, decimal,
/// int, double, timestamps), each value a function of the row's key and version, computed the same way by DuckDB
/// SQL (<see cref="Select"/>) and by C# (<see cref="Batches"/>). A new version changes status, amount, quantity,
/// price and updated_at, so a stale row left behind changes the table's fingerprint.
/// </summary>
internal static class OrderRows
{
    public const string Columns = "id, customer, email, city, status, amount, quantity, price, created_at, updated_at";

    private static readonly string[] Cities =
    [
        "Berlin", "Paris", "Madrid", "Rome", "Vienna", "Prague", "Warsaw", "Lisbon",
        "Dublin", "Oslo", "Helsinki", "Athens", "Budapest", "Brussels", "Amsterdam", "Copenhagen",
    ];

    private static readonly string[] Statuses = ["NEW", "PAID", "SHIPPED", "CANCELLED"];

    public static readonly ParquetSchema Schema = new(
    [
        new PrimitiveField("id", PhysicalType.Int64),
        new PrimitiveField("customer", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("email", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("city", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("status", PhysicalType.ByteArray, LogicalType.String),
        // Spark's (and Hudi's) decimal layout, so the writer has nothing to convert.
        new PrimitiveField("amount", PhysicalType.FixedLenByteArray, LogicalType.Decimal(18, 4), typeLength: 8),
        new PrimitiveField("quantity", PhysicalType.Int32),
        new PrimitiveField("price", PhysicalType.Double),
        new PrimitiveField("created_at", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: false)),
        new PrimitiveField("updated_at", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: false)),
    ]);

    /// <summary>
    /// The rows of <paramref name="keys"/>, a SQL query with BIGINT columns <c>id</c> and <c>v</c> (the version);
    /// <paramref name="leading"/> are more select expressions over it, put first.
    /// </summary>
    public static string Select(string keys, string leading = "") => $"""
        SELECT {leading} id::BIGINT AS id,
               'customer-' || (id % 1000003)::VARCHAR AS customer,
               'user' || id::VARCHAR || '@example.com' AS email,
               ([{string.Join(", ", Cities.Select(Sides.Quote))}])[id % 16 + 1] AS city,
               ([{string.Join(", ", Statuses.Select(Sides.Quote))}])[(id + v) % 4 + 1] AS status,
               (((id * 37 + v * 1000) % 1000000000)::DECIMAL(18,0) * 0.0001)::DECIMAL(18,4) AS amount,
               ((id + v) % 100)::INTEGER AS quantity,
               (id % 100000)::DOUBLE / 7.0 + v AS price,
               make_timestamp((1600000000000000 + id * 1000000)::BIGINT) AS created_at,
               make_timestamp((1700000000000000 + id * 1000 + v * 1000000000)::BIGINT) AS updated_at
        FROM ({keys})
        """;

    /// <summary>
    /// count, sum of keys and the sum of a hash of every column of every row: equal for two tables only when they
    /// hold the same rows (up to a hash collision), whatever their order.
    /// </summary>
    public static string Fingerprint(string from, string extraColumns = "") =>
        $"SELECT count(*)::BIGINT, sum(id)::HUGEINT, sum(hash({Columns}{extraColumns}))::HUGEINT, sum(amount)::DECIMAL(38,4)::VARCHAR FROM {from}";

    /// <summary>The rows <see cref="Select"/> computes for keys <c>idOf(0..count)</c> at <paramref name="version"/>, in batches.</summary>
    public static IEnumerable<RecordBatch> Batches(long count, Func<long, long> idOf, int version, int batchRows = 100_000)
    {
        var cities = Cities.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        var statuses = Statuses.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        for (long start = 0; start < count; start += batchRows)
        {
            var n = (int)Math.Min(batchRows, count - start);
            var id = new long[n];
            var quantity = new int[n];
            var price = new double[n];
            var created = new long[n];
            var updated = new long[n];
            var amount = new byte[n * 8];
            var amountOffsets = new int[n + 1];
            var customer = new Strings(n, 16);
            var email = new Strings(n, 28);
            var city = new Strings(n, 10);
            var status = new Strings(n, 9);
            for (var r = 0; r < n; r++)
            {
                var k = idOf(start + r);
                id[r] = k;
                customer.Append("customer-"u8, k % 1_000_003, default);
                email.Append("user"u8, k, "@example.com"u8);
                city.Append(cities[k % 16]);
                status.Append(statuses[(k + version) % 4]);
                BinaryPrimitives.WriteInt64BigEndian(amount.AsSpan(r * 8), ((k * 37) + (version * 1000L)) % 1_000_000_000);
                amountOffsets[r + 1] = (r + 1) * 8;
                quantity[r] = (int)((k + version) % 100);
                price[r] = ((k % 100_000) / 7.0) + version;
                created[r] = 1_600_000_000_000_000 + (k * 1_000_000);
                updated[r] = 1_700_000_000_000_000 + (k * 1000) + (version * 1_000_000_000L);
            }

            var f = Schema.Fields;
            yield return new RecordBatch(Schema,
            [
                new PrimitiveVector<long>(f[0], id, n),
                customer.Vector(f[1]),
                email.Vector(f[2]),
                city.Vector(f[3]),
                status.Vector(f[4]),
                new BinaryVector(f[5], amountOffsets, amount, n),
                new PrimitiveVector<int>(f[6], quantity, n),
                new PrimitiveVector<double>(f[7], price, n),
                new PrimitiveVector<long>(f[8], created, n),
                new PrimitiveVector<long>(f[9], updated, n),
            ], n);
        }
    }

    private sealed class Strings(int count, int averageBytes)
    {
        private readonly int[] _offsets = new int[count + 1];
        private byte[] _data = new byte[count * averageBytes];
        private int _rows;

        public void Append(ReadOnlySpan<byte> prefix, long number, ReadOnlySpan<byte> suffix)
        {
            Ensure(prefix.Length + 20 + suffix.Length);
            var used = _offsets[_rows];
            prefix.CopyTo(_data.AsSpan(used));
            Utf8Formatter.TryFormat(number, _data.AsSpan(used + prefix.Length), out var written);
            suffix.CopyTo(_data.AsSpan(used + prefix.Length + written));
            _offsets[++_rows] = used + prefix.Length + written + suffix.Length;
        }

        public void Append(ReadOnlySpan<byte> value)
        {
            Ensure(value.Length);
            var used = _offsets[_rows];
            value.CopyTo(_data.AsSpan(used));
            _offsets[++_rows] = used + value.Length;
        }

        public BinaryVector Vector(Field field) => new(field, _offsets, _data, _rows);

        private void Ensure(int bytes)
        {
            if (_offsets[_rows] + bytes > _data.Length)
            {
                Array.Resize(ref _data, Math.Max(_data.Length * 2, _offsets[_rows] + bytes));
            }
        }
    }
}
