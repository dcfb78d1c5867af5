// Starts the SSE server the browser tests talk to, as a real child process
// on a free 127.0.0.1 port: the C server (build/bin/ssemux-server, or
// SSEMUX_E2E_SERVER_BIN). Only SSEMUX_E2E_SERVER=node swaps in the
// JavaScript stand-in, tests/e2e/lib/sse-test-server.mjs; a missing or stale
// C server is an error, never a quiet swap. Both are driven the same way:
// publish over HTTP, count open event streams, SIGKILL and restart on the
// same port with the same data dir.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cServerBin, testServerScript } from './paths.mjs';
import { sleep, waitFor, withTimeout } from './wait.mjs';

const LOG_LIMIT = 64 * 1024;
const running = new Set();
// A test that throws past its cleanup must not leave a server behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

// Why the C server cannot serve the tests, or null.
function cServerUnusable() {
  if (!existsSync(cServerBin)) return `${cServerBin} not found: build it (cmake --build build) or set SSEMUX_E2E_SERVER_BIN`;
  try {
    const help = execFileSync(cServerBin, ['--help'], { timeout: 5000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return help.includes('--static') ? null : `${cServerBin} has no --static: rebuild it`;
  } catch (err) {
    return `${cServerBin} --help failed: ${err.message}`;
  }
}

export function chooseServerKind() {
  const wanted = process.env.SSEMUX_E2E_SERVER || 'c';
  if (wanted === 'node') return wanted;
  if (wanted !== 'c') throw new Error(`SSEMUX_E2E_SERVER must be "c" or "node", got "${wanted}"`);
  const why = cServerUnusable();
  if (why) throw new Error(`${why} (SSEMUX_E2E_SERVER=node runs the JavaScript stand-in instead)`);
  return wanted;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// One HTTP request over a keep-alive agent; resolves {status, headers, body}.
function httpRequest(agent, url, { method = 'GET', headers = {}, body, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export class TestServer {
  constructor({ kind, port, staticDir, dataDir, ownsDataDir, retryMs, heartbeatMs, jwtSecret, corsOrigins }) {
    Object.assign(this, { kind, port, staticDir, dataDir, ownsDataDir, retryMs, heartbeatMs, jwtSecret, corsOrigins });
    this.origin = `http://127.0.0.1:${port}`;
    this.agent = new Agent({ keepAlive: true, maxSockets: 8 });
    this.child = null;
    this.logText = '';
  }

  get supportsJwt() {
    return this.kind === 'c';
  }

  // Only the node server can show the request headers it received.
  get recordsHeaders() {
    return this.kind === 'node';
  }

  command() {
    const common = ['--host', '127.0.0.1', '--port', String(this.port), '--data-dir', this.dataDir,
      '--retry-ms', String(this.retryMs), '--heartbeat-ms', String(this.heartbeatMs)];
    if (this.staticDir) common.push('--static', this.staticDir);
    // Pages on other origins (the C server only).
    if (this.corsOrigins) common.push('--cors-origins', this.corsOrigins);
    // A short drain keeps stop() quick; the tests never measure the drain.
    if (this.kind === 'c') return { file: cServerBin, args: [...common, '--drain-ms', '200'] };
    return { file: process.execPath, args: [testServerScript, ...common] };
  }

  async start({ timeoutMs = 10_000 } = {}) {
    const { file, args } = this.command();
    const env = { ...process.env };
    delete env.SSEMUX_JWT_SECRET;
    if (this.jwtSecret) env.SSEMUX_JWT_SECRET = this.jwtSecret;
    // A port freed by SIGKILL a moment ago can still refuse a bind briefly.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      child.exited = exited;
      running.add(child);
      exited.then(() => running.delete(child));
      const capture = (chunk) => {
        this.logText = (this.logText + chunk.toString()).slice(-LOG_LIMIT);
      };
      child.stdout.on('data', capture);
      child.stderr.on('data', capture);
      this.child = child;
      const ready = this.waitHealthy(child, deadline);
      const outcome = await Promise.race([ready.then(() => 'ready', (err) => err), exited.then((status) => status)]);
      if (outcome === 'ready') return this;
      child.kill('SIGKILL');
      await exited;
      if (Date.now() >= deadline || outcome instanceof Error)
        throw new Error(`expected ${this.kind} server to serve ${this.origin}/healthz, got ${outcome instanceof Error ? outcome.message : `exit ${JSON.stringify(outcome)}`}\n--- server log ---\n${this.logText}`);
      await sleep(100);
    }
  }

  async waitHealthy(child, deadline) {
    while (child.exitCode === null && child.signalCode === null) {
      try {
        const res = await httpRequest(this.agent, `${this.origin}/healthz`, { timeoutMs: 1000 });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() >= deadline) throw new Error(`no 200 from /healthz within the deadline`);
      await sleep(50);
    }
    throw new Error('server exited before it was healthy');
  }

  log() {
    return this.logText;
  }

  // { open: event streams open now, openedTotal: streams this process accepted }.
  async streamStats() {
    if (this.kind === 'node') {
      const res = await httpRequest(this.agent, `${this.origin}/debug/streams`);
      const { streams, opened_total: openedTotal } = JSON.parse(res.body);
      return { open: streams, openedTotal };
    }
    const res = await httpRequest(this.agent, `${this.origin}/metrics`);
    const metric = (name) => {
      const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(res.body);
      if (!match) throw new Error(`no ${name} line in /metrics: ${res.body.slice(0, 200)}`);
      return Number(match[1]);
    };
    return { open: metric('ssemux_connections'), openedTotal: metric('ssemux_streams_opened_total') };
  }

  async streamCount() {
    return (await this.streamStats()).open;
  }

  // The default deadline covers a heartbeat or two, see HEARTBEAT_MS.
  waitForStreams(expected, { timeoutMs = 2 * this.heartbeatMs + 5000, what } = {}) {
    return waitFor(() => this.streamCount(), (n) => n === expected, {
      timeoutMs,
      what: what ?? `${expected} open event stream(s) on the server`,
    });
  }

  // Publishes one event; resolves with the ID the server assigned.
  async publish(topic, type, data, { token } = {}) {
    const body = new URLSearchParams({ topic, type, data }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await httpRequest(this.agent, `${this.origin}/publish`, { method: 'POST', headers, body });
    if (res.status !== 200) throw new Error(`expected 200 from POST /publish ${body}, got ${res.status} ${res.body}`);
    return JSON.parse(res.body).id;
  }

  // URL and headers of the newest GET /events (node server only).
  async lastEventsRequest() {
    if (!this.recordsHeaders) throw new Error('the C server does not expose request headers');
    const res = await httpRequest(this.agent, `${this.origin}/debug/last-headers`);
    return JSON.parse(res.body);
  }

  async kill(signal = 'SIGKILL') {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await withTimeout(child.exited, 5000, `${this.kind} server exit after ${signal}`);
    this.agent.destroy();
    this.agent = new Agent({ keepAlive: true, maxSockets: 8 });
  }

  // Same port, same data dir, same flags: what a supervisor would do.
  restart() {
    return this.start();
  }

  async stop() {
    if (this.child) {
      this.child.kill('SIGTERM');
      try {
        await withTimeout(this.child.exited, 3000, 'server exit after SIGTERM');
      } catch {
        await this.kill('SIGKILL');
      }
    }
    this.agent.destroy();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// retryMs is the server's retry: hint. The short heartbeat bounds how long a
// server that notices a vanished client only when a write fails (the C
// server, as of this writing) keeps counting its stream.
export const HEARTBEAT_MS = 2000;

export async function startServer({ kind = chooseServerKind(), staticDir, dataDir, retryMs = 3000, heartbeatMs = HEARTBEAT_MS, jwtSecret, corsOrigins } = {}) {
  const ownsDataDir = !dataDir;
  const server = new TestServer({
    kind,
    port: await freePort(),
    staticDir,
    dataDir: dataDir ?? mkdtempSync(join(tmpdir(), 'ssemux-e2e-data-')),
    ownsDataDir,
    retryMs,
    heartbeatMs,
    jwtSecret,
    corsOrigins,
  });
  try {
    return await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
}
