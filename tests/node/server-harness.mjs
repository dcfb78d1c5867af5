// Helpers for the ssemux-server tests: start the real binary on a free
// loopback port, publish, read streams (fetch and curl), parse SSE with a
// parser nobody here wrote (eventsource-parser), and bound every wait.
// Run the tests: node --test tests/node/server-*.test.mjs
//   (SSEMUX_BUILD_DIR=/path/to/build if not ./build)
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = process.env.SSEMUX_BUILD_DIR ?? join(repo, 'build');
export const serverPath = join(buildDir, 'bin', 'ssemux-server');
if (!existsSync(serverPath)) {
  throw new Error(`ssemux-server not found at ${serverPath}: build it first, or set SSEMUX_BUILD_DIR`);
}

// Sanitizer builds start slowly; everything still ends within these.
export const START_LIMIT_MS = 10000;
export const WAIT_LIMIT_MS = 10000;

/** Rejects with `what` if `promise` takes longer than `ms`. */
export function within(ms, promise, what) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

export function tempDir(prefix = 'ssemux-server-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts ssemux-server with `args` (plus --port 0 unless given) and resolves
 * once it prints its port. The result stops it in `after` hooks.
 */
export async function startServer(args = [], { env = {} } = {}) {
  const fullArgs = args.includes('--port') ? args : ['--port', '0', ...args];
  const child = spawn(serverPath, fullArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  const exited = new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  child.stderr.setEncoding('utf8');
  const port = await within(START_LIMIT_MS, new Promise((ok, fail) => {
    child.stderr.on('data', (text) => {
      stderr += text;
      const m = /listening on (https?):\/\/[^ ]*:(\d+)/.exec(stderr);
      if (m) ok(Number(m[2]));
    });
    child.on('exit', (code) => fail(new Error(`ssemux-server exited (${code}) before listening: ${stderr}`)));
  }), `ssemux-server ${fullArgs.join(' ')} to listen`);
  const scheme = args.includes('--tls-cert') ? 'https' : 'http';
  const base = `${scheme}://127.0.0.1:${port}`;
  let running = true;
  exited.then(() => { running = false; });
  return {
    port,
    base,
    child,
    exited,
    stderr: () => stderr,
    url: (path) => `${base}${path}`,
    /** Sends `signal` and waits for the exit (SIGKILL after the limit). */
    async stop(signal = 'SIGTERM') {
      if (!running) return exited;
      child.kill(signal);
      try {
        return await within(WAIT_LIMIT_MS, exited, `ssemux-server to exit on ${signal}`);
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      }
    },
  };
}

/** POST /publish as a form; resolves {status, body}. */
export async function publishRaw(server, fields, { headers = {}, json = false } = {}) {
  const body = json ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
  const res = await within(WAIT_LIMIT_MS, fetch(server.url('/publish'), {
    method: 'POST',
    headers: {
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      ...headers,
    },
    body,
  }), 'POST /publish');
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Publishes one event and returns its ID (asserting 200). */
export async function publish(server, topic, data, type, options = {}) {
  const fields = { topic, data };
  if (type !== undefined) fields.type = type;
  const res = await publishRaw(server, fields, options);
  if (res.status !== 200) {
    throw new Error(`publish to ${topic}: expected 200, got ${res.status} ${res.body}`);
  }
  return JSON.parse(res.body).id;
}

/** Parses a text/event-stream text into {events, retries, comments}. */
export function parseStream(text) {
  const events = [];
  const retries = [];
  const comments = [];
  const parser = createParser({
    onEvent: (e) => events.push({ id: e.id, event: e.event ?? 'message', data: e.data }),
    onRetry: (ms) => retries.push(ms),
    onComment: (c) => comments.push(c),
  });
  parser.feed(text);
  return { events, retries, comments };
}

/**
 * Opens a stream with fetch and reads until `until(text)` is true, or the
 * stream ends (when `untilEnd`). `onOpen` runs once the response headers
 * are in: the server has subscribed the stream by then; it is awaited
 * before this resolves. Resolves
 * {status, headers, text}; rejects after `limit` ms with what was read.
 */
export async function readStream(url, { headers = {}, until, untilIds, untilEnd = false,
  limit = WAIT_LIMIT_MS, onOpen } = {}) {
  const controller = new AbortController();
  let text = '';
  // untilIds: stop after that many "id:" lines, counted as chunks arrive
  // (re-scanning megabytes of text per chunk would be quadratic).
  let ids = 0;
  let counted = 0; // length of text already searched
  const countNewIds = () => {
    // Streams start with "retry:", so every id line follows a newline. A
    // match ending past `counted` was not (fully) seen before.
    let at = text.indexOf('\nid: ', Math.max(0, counted - 4));
    while (at >= 0) {
      if (at + 5 > counted) ids++;
      at = text.indexOf('\nid: ', at + 1);
    }
    counted = text.length;
  };
  // The n-th id line may have arrived without the rest of its frame.
  const done = () => (untilIds !== undefined ? ids >= untilIds && text.endsWith('\n\n')
    : (until ? until(text) : false));
  let openFailure = null;
  let opened = Promise.resolve();
  const work = (async () => {
    const res = await fetch(url, { headers, signal: controller.signal });
    if (res.status !== 200) {
      return { status: res.status, headers: res.headers, text: await res.text() };
    }
    if (onOpen) {
      opened = Promise.resolve().then(onOpen);
      opened.catch((err) => { openFailure = err; controller.abort(); });
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      if (!untilEnd && done()) break;
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
      if (untilIds !== undefined) countNewIds();
      if (!untilEnd && done()) break;
    }
    controller.abort();
    // The stream may have seen what onOpen published before its answer.
    await opened;
    return { status: res.status, headers: res.headers, text };
  })();
  try {
    return await within(limit, work, `reading ${url}`);
  } catch (err) {
    controller.abort();
    if (openFailure) throw openFailure;
    err.message += `; read so far (${text.length} chars): ${abbreviate(text)}`;
    throw err;
  }
}

/** A long text as its head and tail, for failure messages. */
export function abbreviate(text, keep = 300) {
  if (text.length <= 2 * keep) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, keep))} ... ${JSON.stringify(text.slice(-keep))}`;
}

/** Counts complete events ("\n\n"-terminated frames with an id). */
export function countIds(text) {
  return parseStream(text).events.filter((e) => e.id).length;
}

/**
 * Opens a stream over a raw socket and stops reading once the response
 * headers are in: a client that went silent. `drain()` reads the rest.
 */
export function stalledStream(server, path) {
  return within(WAIT_LIMIT_MS, new Promise((ok, fail) => {
    const socket = connect(server.port, '127.0.0.1');
    const chunks = [];
    let headersIn = false;
    let closed = false;
    const ended = new Promise((done) => socket.on('close', () => { closed = true; done(); }));
    socket.on('error', () => {}); // a reset after the cut is fine
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (!headersIn && Buffer.concat(chunks).includes('\r\n\r\n')) {
        headersIn = true;
        socket.pause();
        ok({
          socket,
          ended,
          isClosed: () => closed,
          /** Reads whatever is left until the server closes the socket. */
          async drain() {
            socket.resume();
            await within(WAIT_LIMIT_MS, ended, 'the cut stream to close');
            return Buffer.concat(chunks).toString('utf8');
          },
        });
      }
    });
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    socket.on('close', () => fail(new Error('closed before the headers')));
  }), 'stalled stream headers');
}

/** Runs a command; resolves {code, signal, stdout, stderr}. Killed at `limit`. */
export function run(cmd, args, { limit = WAIT_LIMIT_MS, input } = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (t) => { stdout += t; });
    child.stderr.on('data', (t) => { stderr += t; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${cmd} ${args.join(' ')} still running after ${limit} ms; stdout ${JSON.stringify(stdout)}`));
    }, limit);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ok({ code, signal, stdout, stderr });
    });
    // A command that exits before reading its input (curl that could not
    // connect) closes the pipe: its exit code says what happened, so the
    // EPIPE must not become an uncaught exception that fails the whole file.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Reads /metrics into {name: number} (labels kept in the name). */
export async function metrics(server) {
  const res = await within(WAIT_LIMIT_MS, fetch(server.url('/metrics')), 'GET /metrics');
  const out = {};
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}

/** Polls `check()` until it returns truthy; rejects with `what` at the limit. */
export async function eventually(check, what, limit = WAIT_LIMIT_MS) {
  const start = Date.now();
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() - start > limit) throw new Error(`${what}: not true after ${limit} ms (last: ${JSON.stringify(last)})`);
    await sleep(20);
  }
}

/**
 * Sends raw bytes on a fresh connection; resolves with everything the server
 * answered before it closed, or before `endAfterMs` (a server that keeps the
 * connection open after answering).
 */
export function rawExchange(server, bytes, { limit = WAIT_LIMIT_MS, endAfterMs = 1000 } = {}) {
  return within(limit, new Promise((ok, fail) => {
    const socket = connect(server.port, '127.0.0.1');
    let reply = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { reply += d; });
    socket.on('error', (err) => (err.code === 'ECONNRESET' ? ok(reply) : fail(err)));
    socket.on('close', () => ok(reply));
    socket.on('connect', () => socket.write(bytes));
    setTimeout(() => { socket.destroy(); ok(reply); }, endAfterMs);
  }), 'raw exchange');
}

/** The status code of a raw HTTP/1.x reply, 0 when there is none. */
export const statusOf = (reply) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
