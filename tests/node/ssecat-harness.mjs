// What every ssecat test file needs: the binary, a runner that watches its
// stdout live, and a scripted real node HTTP server on a free 127.x port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = process.env.SSEMUX_BUILD_DIR ?? join(repo, 'build');
const ssecatPath = join(buildDir, 'bin', 'ssecat');
if (!existsSync(ssecatPath)) {
  throw new Error(`ssecat not found at ${ssecatPath}: build it first, or set SSEMUX_BUILD_DIR`);
}

// A sanitizer build is slow to start; every run still ends within this.
const RUN_LIMIT_MS = 20000;

/** A 'data' listener that hands `onLine` each complete line. */
function lineSplitter(onLine) {
  let pending = '';
  return (text) => {
    pending += text;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      onLine?.(line);
    }
  };
}

/** Runs ssecat to completion. `onStdoutLine`/`onStderrLine` may act on the live process. */
export function runSsecat(args, { input, onStdoutLine, onStderrLine } = {}) {
  return new Promise((resolveRun, rejectRun) => {
    const started = performance.now();
    const child = spawn(ssecatPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text) => { stdout += text; });
    child.stderr.on('data', (text) => { stderr += text; });
    child.stdout.on('data', lineSplitter((line) => onStdoutLine?.(line, child)));
    child.stderr.on('data', lineSplitter((line) => onStderrLine?.(line, child)));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      rejectRun(new Error(`ssecat ${args.join(' ')} still running after ${RUN_LIMIT_MS} ms; ` +
        `stdout: ${JSON.stringify(stdout)} stderr: ${JSON.stringify(stderr)}`));
    }, RUN_LIMIT_MS);
    child.on('error', rejectRun);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolveRun({ code, signal, stdout, stderr, elapsed: performance.now() - started,
        lines: stdout.split('\n').filter((l) => l !== '') });
    });
    child.stdin.on('error', () => {}); // ssecat may exit before reading everything
    child.stdin.end(input ?? '');
  });
}

/**
 * A real HTTP server on `host` (any 127.x address; another address or port
 * is another origin). `handler(req, res, record)` runs once the request body
 * is in: record.n counts from 1 and record has method, path, headers, body.
 */
export async function startServer(handler, { host = '127.0.0.1' } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const record = { n: requests.length + 1, at: performance.now(), method: req.method,
      path: req.url, headers: req.headers, body: '' };
    requests.push(record);
    // When the response was fully handed to the socket, for delay measurements.
    res.on('finish', () => { record.endedAt = performance.now(); });
    // A request without a body is handled at once, as the timing tests expect.
    const length = req.headers['content-length'];
    if (!req.headers['transfer-encoding'] && (length === undefined || length === '0')) {
      handler(req, res, record);
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      record.body = Buffer.concat(chunks).toString('utf8');
      handler(req, res, record);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, host, ok);
  });
  const { port } = server.address();
  return {
    origin: `http://${host}:${port}`,
    url: `http://${host}:${port}/stream`,
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((ok) => server.close(ok));
    },
  };
}

/** Runs `body(server)` against a fresh server and always closes it. */
export async function withServer(handler, body, options) {
  const server = await startServer(handler, options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

export function startEventStream(res) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
}

export const eventLine = (data, id = '', type = 'message') => JSON.stringify({ type, data, id });

/** Fails with what was expected and what came, plus ssecat's stderr for context. */
export function expectEqual(got, expected, what, run) {
  assert.deepStrictEqual(got, expected,
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}` +
    (run ? `\n  ssecat exit ${run.code}, stderr:\n${run.stderr}` : ''));
}

export function expectMatch(text, pattern, what, run) {
  assert.match(text, pattern,
    `${what}: expected something matching ${pattern}, got ${JSON.stringify(text)}` +
    (run ? ` (ssecat exit ${run.code})` : ''));
}

export function expectBetween(value, low, high, what, run) {
  assert.ok(value >= low && value <= high,
    `${what}: expected between ${low} and ${high}, got ${Math.round(value)}` +
    (run ? `\n  ssecat stderr:\n${run.stderr}` : ''));
}

