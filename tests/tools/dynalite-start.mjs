// A local DynamoDB protocol server (dynalite, pinned in package.json) for CdcLake's lock tests,
// driven by tests/CdcLake.Testing/DynamoDbServer.cs as one child process per fixture.
//
// Usage: node dynalite-start.mjs [--address 127.0.0.1] [--port 0] [--create-table-ms 0]
//   --port 0 (the default) lets the OS pick a free port, so parallel fixtures never collide.
//   dynalite's own CLI cannot do that: it reads `--port 0` as "no port" and listens on 4567.
//   --create-table-ms is how long a new table stays CREATING (dynalite's default is 500 ms; tests that
//   check the wait for ACTIVE set it higher).
// The data lives in memory (dynalite's default without --path) and dies with the process.
// Once listening it prints ONE line to stdout:
//   {"ready":true,"address":"127.0.0.1","port":40123}
// and then nothing else on stdout (errors go to stderr).
// The process exits when stdin closes, so a test host that dies without disposing the fixture
// does not leave a server behind.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite');

const options = { address: '127.0.0.1', port: 0, createTableMs: 0 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const value = argv[i + 1];
  switch (argv[i]) {
    case '--address': options.address = value; i++; break;
    case '--port': options.port = Number(value); i++; break;
    case '--create-table-ms': options.createTableMs = Number(value); i++; break;
    default:
      console.error(`dynalite-start: unknown argument '${argv[i]}'`);
      process.exit(2);
  }
}

const server = dynalite({
  createTableMs: options.createTableMs,
  deleteTableMs: 0,
  updateTableMs: 0,
});

let closing = false;
function shutdown(code) {
  if (closing) return;
  closing = true;
  // dynalite's close waits for the store to shut; do not let a stuck close keep the process.
  const timer = setTimeout(() => process.exit(code), 2000);
  timer.unref();
  try {
    server.close(() => process.exit(code));
  } catch {
    process.exit(code);
  }
}

process.stdin.on('end', () => shutdown(0));
process.stdin.on('error', () => shutdown(0));
process.stdin.resume();
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));

server.on('error', err => {
  console.error(`dynalite-start: could not start: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});

server.listen(options.port, options.address, () => {
  const { address, port } = server.address();
  process.stdout.write(JSON.stringify({ ready: true, address, port }) + '\n');
});
