// Runs one timed DuckDB statement in a fresh process and reports its time and this process's peak
// memory, so the benchmark can set DuckDB beside CdcLake doing the same work in the same run.
//   node duckdb-bench.mjs <threads> <setup-sql or ""> <timed-sql>
// Prints one JSON line: {"seconds":…, "cpuSeconds":…, "peakBytes":…, "rows":[[…]…]} (cpuSeconds: user + system
// time of the timed statement, all threads: a measure less skewed than wall time when other work shares the cores).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [threads, setupSql, timedSql] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
if (setupSql) {
  await connection.run(setupSql);
}

const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
const reader = await connection.runAndReadAll(timedSql);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const status = readFileSync('/proc/self/status', 'utf8');
const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)[1]);
const rows = reader.getRowsJson();
console.log(JSON.stringify({ seconds, cpuSeconds, peakBytes: peakKb * 1024, rows }));
