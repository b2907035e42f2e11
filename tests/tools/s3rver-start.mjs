// A local S3 protocol server (s3rver, pinned in package.json) for CdcLake's storage tests,
// driven by tests/CdcLake.Testing/S3Server.cs as one child process per fixture.
//
// Usage: node s3rver-start.mjs --directory DIR [--address 127.0.0.1] [--port 0] [--bucket NAME]...
//   --port 0 (the default) lets the OS pick a free port, so parallel fixtures never collide.
// Once listening it prints ONE line to stdout:
//   {"ready":true,"address":"127.0.0.1","port":40123}
// and then nothing else on stdout (s3rver's own log is silenced; errors go to stderr).
// The process exits when stdin closes, so a test host that dies without disposing the fixture
// does not leave a server behind.
//
// Known gaps of s3rver 3.7.1 that the tests work around (see S3StoreTests):
//   - PUT ignores If-None-Match: it cannot stand in for S3's conditional create.
//   - aws-chunked request bodies are stored undecoded: clients must send plain bodies.
//   - AbortMultipartUpload (DELETE ?uploadId) answers 405 MethodNotAllowed.
//   - Listings come in folder-walk order, not S3's UTF-8 byte order of keys.
//   - A delimited listing reports a common prefix only if an object lies at most one folder below it.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

const options = { directory: null, address: '127.0.0.1', port: 0, buckets: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const value = argv[i + 1];
  switch (argv[i]) {
    case '--directory': options.directory = value; i++; break;
    case '--address': options.address = value; i++; break;
    case '--port': options.port = Number(value); i++; break;
    case '--bucket': options.buckets.push(value); i++; break;
    default:
      console.error(`s3rver-start: unknown argument '${argv[i]}'`);
      process.exit(2);
  }
}
if (!options.directory) {
  console.error('s3rver-start: --directory is required');
  process.exit(2);
}
mkdirSync(options.directory, { recursive: true });

const server = new S3rver({
  directory: options.directory,
  address: options.address,
  port: options.port,
  silent: true,
  // Path-style only: the tests address 127.0.0.1, never bucket.host names.
  vhostBuckets: false,
  configureBuckets: options.buckets.map(name => ({ name, configs: [] })),
});

let closing = false;
async function shutdown(code) {
  if (closing) return;
  closing = true;
  try {
    await server.close();
  } catch {
    // not running yet, or already closed
  }
  process.exit(code);
}

process.stdin.on('end', () => shutdown(0));
process.stdin.on('error', () => shutdown(0));
process.stdin.resume();
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));

try {
  const { address, port } = await server.run();
  process.stdout.write(JSON.stringify({ ready: true, address, port }) + '\n');
} catch (err) {
  console.error(`s3rver-start: could not start: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
}
