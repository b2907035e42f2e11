// DuckDB oracle for CdcLake's tests: an independent reader/writer of Parquet that the C# side
// (tests/CdcLake.Testing/DuckDb.cs) drives as ONE long-lived child process.
//
// Protocol: line-delimited JSON (one UTF-8 JSON document per line) over stdin/stdout.
//   startup   -> {"ready":true,"duckdb":"v1.5.6","threads":2,"timeZone":"UTC"}
//   request   <- {"id":1,"sql":"SELECT ..."}
//   response  -> {"id":1,"columns":[{"name":"a","type":"DECIMAL(9,4)"}],"rows":[["123.4500"]]}
//   failure   -> {"id":1,"error":"Binder Error: ..."}
// Requests run one at a time, in arrival order, on one connection (so SET/CREATE persist).
// A request may hold several statements separated by ';': the result is the last one's.
// The process exits when stdin closes. Options: --threads N (default 2, or env
// CDCLAKE_DUCKDB_THREADS). The session TimeZone is always 'UTC'; extension auto-install is off
// (no network). Diagnostics go to stderr only.
//
// Column "type" is DuckDB's own type string (e.g. "DECIMAL(9,4)", "TIMESTAMP WITH TIME ZONE",
// "STRUCT(\"a\" INTEGER, \"b\" INTEGER[])"); an aliased type reports its alias (e.g. "JSON").
//
// CANONICAL VALUE FORMS — lossless, stable; tests compare against exactly these:
//   NULL (any type)                 null
//   BOOLEAN                         true / false
//   TINYINT..INTEGER, UTINYINT..UINTEGER, BIGINT, UBIGINT, HUGEINT, UHUGEINT, BIGNUM
//                                   JSON number written with its exact decimal digits, never an
//                                   exponent and never rounded: 9223372036854775807
//                                   (read it in C# with GetInt64()/GetUInt64() or
//                                   BigInteger.Parse(GetRawText()))
//   DECIMAL(w,s)                    string, exact, always exactly s fractional digits:
//                                   "123.4500", "-0.5000", "42" (s = 0)
//   DOUBLE                          JSON number, shortest text that round-trips to the same double
//                                   (JavaScript Number#toString): 0.1, 1e+300, 100, -0 (sign kept)
//   FLOAT                           JSON number, shortest text that round-trips to the same
//                                   float32 (1.1::FLOAT -> 1.1, not 1.100000023841858)
//   DOUBLE/FLOAT non-finite         strings "NaN", "Infinity", "-Infinity"
//   VARCHAR, ENUM, JSON             string (JSON values stay their text)
//   BLOB                            string, standard base64 with padding ("AP9hYg==")
//   BIT                             string of '0'/'1' ("101")
//   UUID                            string, lowercase 8-4-4-4-12 ("27211b33-5ffb-4c89-95c7-d5087ca50a9f")
//   DATE                            "YYYY-MM-DD" ("2024-01-02")
//   TIME                            "HH:mm:ss.ffffff", always 6 fractional digits ("03:04:05.123456";
//                                   DuckDB's end of day is "24:00:00.000000")
//   TIME_NS                         "HH:mm:ss.fffffffff", always 9 fractional digits
//   TIME WITH TIME ZONE             "HH:mm:ss.ffffff+HH:MM" ("03:04:05.000000+02:00")
//   TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS
//                                   "YYYY-MM-DDTHH:mm:ss.ffffff", no zone, always 6 fractional digits
//                                   ("2024-01-02T03:04:05.123456")
//   TIMESTAMP_NS                    "YYYY-MM-DDTHH:mm:ss.fffffffff", no zone, always 9 fractional
//                                   digits (nanoseconds are kept, so it stays lossless)
//   TIMESTAMP WITH TIME ZONE        instant in UTC: "YYYY-MM-DDTHH:mm:ss.ffffffZ"
//                                   ("2024-01-02T03:04:05.123456Z")
//   infinite DATE/TIMESTAMP*        "infinity" / "-infinity"
//   years outside 0001..9999        ISO 8601 expanded years, astronomical numbering (1 BC = 0000):
//                                   "-0043-03-15", "+10000-01-01"
//   INTERVAL                        {"months":1,"days":2,"micros":3000000} (micros an exact integer)
//   LIST, ARRAY                     JSON array of element forms
//   STRUCT                          JSON object, fields in the struct's declared order
//   MAP                             JSON array of {"key":<form>,"value":<form>} in map order
//   UNION                           {"tag":"name","value":<form>}
//   VARIANT                         the form of the value it holds
//   GEOMETRY                        string, base64 of the WKB bytes
import { createInterface } from 'node:readline';
import {
  DuckDBInstance,
  DuckDBTypeId,
  DuckDBArrayValue,
  DuckDBBitValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBGeometryValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimeNSValue,
  DuckDBTimeTZValue,
  DuckDBTimeValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUnionValue,
  DuckDBUUIDValue,
  DuckDBVariantValue,
  version,
} from '@duckdb/node-api';
// Not re-exported by the package's index; used only to type VARIANT leaves.
import { typeForValue } from '@duckdb/node-api/lib/typeForValue.js';

// ---------------------------------------------------------------------------------------------
// JSON writing. JSON.stringify cannot write a bigint, nor -0, so values are converted into a
// small tree whose leaves are either plain JS values or RawJson (already-final JSON text).

class RawJson {
  constructor(text) {
    this.text = text;
  }
}

function writeJson(v) {
  if (v === null || v === undefined) return 'null';
  if (v instanceof RawJson) return v.text;
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return v.toString();
    case 'number':
      if (Number.isNaN(v)) return '"NaN"';
      if (v === Infinity) return '"Infinity"';
      if (v === -Infinity) return '"-Infinity"';
      if (Object.is(v, -0)) return '-0';
      return String(v); // same text as JSON.stringify: shortest round-trip
    default:
      break;
  }
  if (Array.isArray(v)) return '[' + v.map(writeJson).join(',') + ']';
  const parts = [];
  for (const [k, x] of Object.entries(v)) parts.push(JSON.stringify(k) + ':' + writeJson(x));
  return '{' + parts.join(',') + '}';
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on bigint, proleptic Gregorian, valid over DuckDB's whole range.

const US_PER_DAY = 86_400_000_000n;
const NS_PER_DAY = 86_400_000_000_000n;

const floorDiv = (a, b) => {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
};
const pad = (n, width) => String(n).padStart(width, '0');

// days since 1970-01-01 -> {y, m, d} (H. Hinnant's civil_from_days).
function civilFromDays(days) {
  const z = BigInt(days) + 719_468n;
  const era = floorDiv(z, 146_097n);
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  return { y, m: Number(m), d: Number(d) };
}

function formatYear(y) {
  if (y < 0n) return '-' + pad(-y, 4);
  if (y > 9999n) return '+' + y.toString();
  return pad(y, 4);
}

function formatDays(days) {
  const { y, m, d } = civilFromDays(days);
  return `${formatYear(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

// sub-day units -> "HH:mm:ss.<digits>"; unitsPerSecond is 10^digits.
function formatTimeOfDay(units, digits) {
  const perSecond = 10n ** BigInt(digits);
  const frac = units % perSecond;
  const totalSeconds = units / perSecond;
  const h = totalSeconds / 3600n;
  const mi = (totalSeconds / 60n) % 60n;
  const s = totalSeconds % 60n;
  return `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(frac, digits)}`;
}

function formatMicrosTimestamp(micros, suffix) {
  const days = floorDiv(micros, US_PER_DAY);
  return `${formatDays(days)}T${formatTimeOfDay(micros - days * US_PER_DAY, 6)}${suffix}`;
}

function formatNanosTimestamp(nanos) {
  const days = floorDiv(nanos, NS_PER_DAY);
  return `${formatDays(days)}T${formatTimeOfDay(nanos - days * NS_PER_DAY, 9)}`;
}

function infinity(value) {
  // DuckDB's infinities are the extreme values of the underlying integer.
  return String(value).startsWith('-') ? '-infinity' : 'infinity';
}

// ---------------------------------------------------------------------------------------------
// Value conversion, directed by the column's DuckDB type.

function formatDecimal(value, scale) {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  if (scale === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(scale + 1, '0');
  const cut = padded.length - scale;
  return (negative ? '-' : '') + padded.slice(0, cut) + '.' + padded.slice(cut);
}

// Shortest decimal text that parses back to the same float32.
function float32Shortest(v) {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}

const base64 = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function expect(value, cls, type) {
  if (!(value instanceof cls)) {
    throw new Error(`oracle: expected ${cls.name} for ${type}, got ${value?.constructor?.name ?? typeof value}`);
  }
  return value;
}

function toIntegerJson(value, type) {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new Error(`oracle: expected an integer for ${type}, got ${typeof value} ${String(value)}`);
}

function convert(value, type) {
  if (value === null || value === undefined) return null;
  const T = DuckDBTypeId;
  switch (type.typeId) {
    case T.SQLNULL:
      return null;
    case T.BOOLEAN:
      return Boolean(value);
    case T.TINYINT:
    case T.SMALLINT:
    case T.INTEGER:
    case T.UTINYINT:
    case T.USMALLINT:
    case T.UINTEGER:
    case T.BIGINT:
    case T.UBIGINT:
    case T.HUGEINT:
    case T.UHUGEINT:
    case T.BIGNUM:
      return toIntegerJson(value, type);
    case T.FLOAT:
      return float32Shortest(Number(value));
    case T.DOUBLE:
      return Number(value);
    case T.DECIMAL: {
      const d = expect(value, DuckDBDecimalValue, type);
      return formatDecimal(d.value, d.scale);
    }
    case T.VARCHAR:
    case T.ENUM:
      return String(value);
    case T.BLOB:
      return base64(expect(value, DuckDBBlobValue, type).bytes);
    case T.GEOMETRY:
      return base64(expect(value, DuckDBGeometryValue, type).bytes);
    case T.BIT:
      return expect(value, DuckDBBitValue, type).toString();
    case T.UUID:
      return expect(value, DuckDBUUIDValue, type).toString().toLowerCase();
    case T.DATE: {
      const v = expect(value, DuckDBDateValue, type);
      return v.isFinite ? formatDays(v.days) : infinity(v.days);
    }
    case T.TIME:
      return formatTimeOfDay(expect(value, DuckDBTimeValue, type).micros, 6);
    case T.TIME_NS:
      return formatTimeOfDay(expect(value, DuckDBTimeNSValue, type).nanos, 9);
    case T.TIME_TZ: {
      const v = expect(value, DuckDBTimeTZValue, type);
      const sign = v.offset < 0 ? '-' : '+';
      const off = Math.abs(v.offset);
      const offText = `${sign}${pad(Math.floor(off / 3600), 2)}:${pad(Math.floor(off / 60) % 60, 2)}`;
      const secs = off % 60 === 0 ? '' : `:${pad(off % 60, 2)}`;
      return formatTimeOfDay(v.micros, 6) + offText + secs;
    }
    case T.TIMESTAMP: {
      const v = expect(value, DuckDBTimestampValue, type);
      return v.isFinite ? formatMicrosTimestamp(v.micros, '') : infinity(v.micros);
    }
    case T.TIMESTAMP_S: {
      const v = expect(value, DuckDBTimestampSecondsValue, type);
      return v.isFinite ? formatMicrosTimestamp(v.seconds * 1_000_000n, '') : infinity(v.seconds);
    }
    case T.TIMESTAMP_MS: {
      const v = expect(value, DuckDBTimestampMillisecondsValue, type);
      return v.isFinite ? formatMicrosTimestamp(v.millis * 1_000n, '') : infinity(v.millis);
    }
    case T.TIMESTAMP_NS: {
      const v = expect(value, DuckDBTimestampNanosecondsValue, type);
      return v.isFinite ? formatNanosTimestamp(v.nanos) : infinity(v.nanos);
    }
    case T.TIMESTAMP_TZ: {
      const v = expect(value, DuckDBTimestampTZValue, type);
      return v.isFinite ? formatMicrosTimestamp(v.micros, 'Z') : infinity(v.micros);
    }
    case T.INTERVAL: {
      const v = expect(value, DuckDBIntervalValue, type);
      return { months: v.months, days: v.days, micros: v.micros };
    }
    case T.LIST:
      return expect(value, DuckDBListValue, type).items.map((x) => convert(x, type.valueType));
    case T.ARRAY:
      return expect(value, DuckDBArrayValue, type).items.map((x) => convert(x, type.valueType));
    case T.STRUCT: {
      const v = expect(value, DuckDBStructValue, type);
      const out = {};
      for (let i = 0; i < type.entryNames.length; i++) {
        const name = type.entryNames[i];
        out[name] = convert(v.entries[name], type.entryTypes[i]);
      }
      return out;
    }
    case T.MAP:
      return expect(value, DuckDBMapValue, type).entries.map((e) => ({
        key: convert(e.key, type.keyType),
        value: convert(e.value, type.valueType),
      }));
    case T.UNION: {
      const v = expect(value, DuckDBUnionValue, type);
      return { tag: v.tag, value: convert(v.value, type.memberTypeForTag(v.tag)) };
    }
    case T.VARIANT:
      return convertVariant(value, undefined);
    default:
      throw new Error(`oracle: no canonical form for DuckDB type ${type}`);
  }
}

function convertVariant(value, hint) {
  if (value === null || value === undefined) return null;
  if (value instanceof DuckDBVariantValue) return convertVariant(value.value, value.type ?? hint);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    return value.items.map((x) => convertVariant(x, undefined));
  }
  if (value instanceof DuckDBStructValue) {
    const out = {};
    for (const k of Object.keys(value.entries)) out[k] = convertVariant(value.entries[k], undefined);
    return out;
  }
  if (value instanceof DuckDBMapValue) {
    return value.entries.map((e) => ({ key: convertVariant(e.key, undefined), value: convertVariant(e.value, undefined) }));
  }
  if (value instanceof DuckDBUnionValue) return { tag: value.tag, value: convertVariant(value.value, undefined) };
  if (typeof value === 'number' && Number.isInteger(value) && !hint) return value;
  return convert(value, hint ?? typeForValue(value));
}

const typeName = (type) => type.alias ?? type.toString();

// ---------------------------------------------------------------------------------------------
// Main loop.

function parseThreads() {
  const i = process.argv.indexOf('--threads');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.CDCLAKE_DUCKDB_THREADS;
  const n = raw === undefined || raw === '' ? 2 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`oracle: bad thread count '${raw}'`);
  return n;
}

const send = (text) => process.stdout.write(text + '\n');
// The parent went away: nothing left to answer.
process.stdout.on('error', () => process.exit(0));

async function main() {
  const threads = parseThreads();
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(threads),
    autoinstall_known_extensions: 'false',
  });
  const connection = await instance.connect();
  // ICU (and so TimeZone) is only available once the instance is up, hence SET, not a config key.
  await connection.run("SET TimeZone = 'UTC'");

  async function handle(line) {
    let id = null;
    try {
      const request = JSON.parse(line);
      id = request.id ?? null;
      if (typeof request.sql !== 'string') throw new Error('oracle: request has no "sql" string');
      const reader = await connection.runAndReadAll(request.sql);
      const types = reader.columnTypes();
      const columns = reader.columnNames().map((name, i) => ({ name, type: typeName(types[i]) }));
      const rows = reader.getRows().map((row) => row.map((v, i) => convert(v, types[i])));
      send(writeJson({ id: id === null ? null : new RawJson(JSON.stringify(id)), columns, rows }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      send(writeJson({ id: id === null ? null : new RawJson(JSON.stringify(id)), error: message }));
    }
  }

  let queue = Promise.resolve();
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on('line', (line) => {
    if (line.trim() === '') return;
    queue = queue.then(() => handle(line));
  });
  input.on('close', () => {
    queue.then(() => {
      connection.closeSync();
      instance.closeSync();
      process.exit(0);
    });
  });

  send(writeJson({ ready: true, duckdb: version(), threads, timeZone: 'UTC' }));
}

main().catch((err) => {
  process.stderr.write(`duckdb-oracle: ${err?.stack ?? err}\n`);
  process.exit(1);
});
