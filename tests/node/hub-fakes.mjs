// Fakes for the hub tests (tests/node/hub-*.test.mjs): a manual clock, port
// pairs that count their listeners, a fetch whose streaming bodies the test
// writes, and a tab that speaks the hub protocol. The hub and the wasm core
// are the real ones, loaded from the build ($SSEMUX_WEB_DIR, what ships).
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadWasmCore, webDir } from './wasm-core.mjs';

export const core = await loadWasmCore();
const load = (rel) => import(pathToFileURL(path.join(webDir, rel)).href);
export const { Hub } = await load('hub/hub.js');
export const { TO_HUB, TO_TAB } = await load('messages.js');

/** Lets every pending promise, microtask and stream read run. */
export async function settle(rounds = 8) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

// ---- clock ---------------------------------------------------------------------

export class FakeClock {
  constructor() {
    this.t = 1000;
    this.timers = new Map();
    this.nextId = 1;
    this.now = () => this.t;
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
      return id;
    };
    this.clearTimeout = (id) => this.timers.delete(id);
  }

  get pendingTimers() {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order, settling after each. */
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === null || timer.at < next[1].at)) next = [id, timer];
      }
      if (next === null) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
      await settle(2);
    }
    this.t = end;
    await settle();
  }
}

// ---- ports ---------------------------------------------------------------------

/** A MessagePort stand-in that counts its listeners and whether it was closed. */
export class FakePort {
  constructor() {
    this.listeners = new Set();
    this.other = null;
    this.closed = false;
    this.started = false;
  }

  addEventListener(type, fn) {
    if (type === 'message') this.listeners.add(fn);
  }

  removeEventListener(type, fn) {
    if (type === 'message') this.listeners.delete(fn);
  }

  start() {
    this.started = true;
  }

  close() {
    this.closed = true;
  }

  postMessage(data) {
    if (this.closed || this.other === null || this.other.closed) return;
    // Structured clone, asynchronously, as a real port does.
    const copy = structuredClone(data);
    const target = this.other;
    queueMicrotask(() => {
      for (const fn of [...target.listeners]) fn({ data: copy });
    });
  }
}

export function fakePortPair() {
  const a = new FakePort();
  const b = new FakePort();
  a.other = b;
  b.other = a;
  return [a, b];
}

// ---- fetch ---------------------------------------------------------------------

const encoder = new TextEncoder();

/** A request the hub made; the test answers it and writes its body. */
class FakeRequest {
  constructor(server, url, init) {
    this.server = server;
    this.url = new URL(url);
    this.headers = new Headers(init.headers); // what fetch would validate and send
    this.init = init;
    this.signal = init.signal;
    this.controller = null; // the body's stream controller once answered
    this.bodyOpen = false;
    this.aborted = false;
    this.settle = null;
    this.responded = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    this.onAbort = () => {
      this.aborted = true;
      this.settle.reject(new DOMException('The operation was aborted.', 'AbortError'));
      if (this.bodyOpen) {
        this.bodyOpen = false;
        try {
          this.controller.error(new DOMException('The operation was aborted.', 'AbortError'));
        } catch {
          // already closed
        }
      }
    };
    this.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get topics() {
    return this.url.searchParams.getAll('topic');
  }

  /** The Last-Event-ID header decoded from its UTF-8 bytes, or null. */
  get lastEventId() {
    const raw = this.headers.get('last-event-id');
    if (raw === null) return null;
    return new TextDecoder().decode(Uint8Array.from(raw, (c) => c.charCodeAt(0)));
  }

  /** Answers with a status; a 200 gets an event-stream body the test writes. */
  respond(status = 200, headers = { 'content-type': 'text/event-stream' }) {
    if (this.aborted) return this;
    const stream = new ReadableStream({
      start: (controller) => { this.controller = controller; },
      cancel: () => { this.bodyOpen = false; },
    });
    this.bodyOpen = true;
    this.server.bodies.add(this);
    this.settle.resolve(new Response(stream, { status, headers }));
    return this;
  }

  /** fetch() rejects, as for a network failure or a response the browser refused (CORS). */
  reject() {
    if (!this.aborted) this.settle.reject(new TypeError('Failed to fetch'));
    return this;
  }

  /** What a fetch with redirect: 'manual' gets for a redirect (the hub's same-origin probe). */
  respondOpaqueRedirect() {
    if (!this.aborted) this.settle.resolve({ type: 'opaqueredirect', status: 0, body: null, headers: new Headers() });
    return this;
  }

  /** The hub's HEAD probe after a failed request (connection.js). */
  get isProbe() {
    return this.init.method === 'HEAD';
  }

  /** Writes raw text to the body. */
  write(text) {
    if (!this.bodyOpen) return false;
    this.controller.enqueue(encoder.encode(text));
    return true;
  }

  /** Writes events { id, event, data } (data may hold newlines). */
  send(...events) {
    return this.write(events.map(formatEvent).join(''));
  }

  /** Ends the body (the server closed the stream). */
  end() {
    if (!this.bodyOpen) return;
    this.bodyOpen = false;
    this.controller.close();
  }

  /** The connection breaks. */
  fail() {
    if (!this.bodyOpen) return;
    this.bodyOpen = false;
    this.controller.error(new TypeError('network error'));
  }

  get open() {
    return this.bodyOpen && !this.aborted;
  }
}

export function formatEvent({ id, event, data = '' }) {
  let out = '';
  if (event !== undefined) out += `event: ${event}\n`;
  for (const line of String(data).split('\n')) out += `data: ${line}\n`;
  if (id !== undefined) out += `id: ${id}\n`;
  return `${out}\n`;
}

/** fetch() replacement: every call becomes a FakeRequest in `requests`. */
export class FakeServer {
  constructor() {
    this.requests = [];
    this.bodies = new Set();
    this.waiters = [];
    this.fetch = (url, init) => {
      const request = new FakeRequest(this, url, init);
      this.requests.push(request);
      for (const w of this.waiters.splice(0)) w();
      return request.responded;
    };
  }

  /** The requests whose body is still open (a reader may hold it). */
  get openBodies() {
    return [...this.bodies].filter((r) => r.open);
  }

  /** Requests not yet answered nor aborted. */
  get pending() {
    return this.requests.filter((r) => r.controller === null && !r.aborted);
  }

  get last() {
    return this.requests[this.requests.length - 1];
  }

  /** The n-th request (0-based), waiting for it if needed. */
  async request(n) {
    for (let i = 0; i < 50 && this.requests.length <= n; i++) await settle(1);
    assert.ok(this.requests.length > n,
      `expected request #${n + 1} to the server, got ${this.requests.length} request(s)`);
    return this.requests[n];
  }
}

// ---- a tab ---------------------------------------------------------------------

/** Speaks the hub protocol over a fake port pair and records what it hears. */
export class FakeTab {
  constructor(hub, id, { hidden = false, lock = null } = {}) {
    this.id = id;
    [this.port, this.hubPort] = fakePortPair();
    this.heard = [];
    this.port.addEventListener('message', (e) => this.heard.push(e.data));
    this.tokenAnswer = null;
    hub.connect(this.hubPort);
    this.post({ type: TO_HUB.HELLO, tab: id, hidden, protocol: 1, lock });
  }

  post(message) {
    this.port.postMessage(message);
  }

  subscribe(sub, url, extra = {}) {
    this.post({ type: TO_HUB.SUBSCRIBE, sub, url, headers: {}, withCredentials: false, credentialKey: null,
      hasTokenProvider: false, lastEventId: '', lastEventAt: 0, recent: 0, ...extra });
  }

  unsubscribe(sub) {
    this.post({ type: TO_HUB.UNSUBSCRIBE, sub });
  }

  bye() {
    this.post({ type: TO_HUB.BYE });
  }

  /** Events heard for `sub` as "type:data#id" strings, in order. */
  events(sub = null) {
    const out = [];
    for (const m of this.heard) {
      if (m.type !== TO_TAB.EVENTS) continue;
      for (let i = 0; i < m.items.length; i += 4) {
        if (sub === null || m.items[i] === sub) out.push(`${m.items[i + 1]}:${m.items[i + 2]}#${m.items[i + 3]}`);
      }
    }
    return out;
  }

  /** States told to `sub`, in order. */
  states(sub) {
    return this.heard.filter((m) => m.type === TO_TAB.STATUS && m.sub === sub).map((m) => m.state);
  }

  batches() {
    return this.heard.filter((m) => m.type === TO_TAB.EVENTS);
  }
}

export function newHub(options = {}) {
  const clock = new FakeClock();
  const server = new FakeServer();
  // fanoutWindowMs 0: events go out after each task, so a test that does not
  // move the fake clock still sees them; tests of the window set it.
  const hub = new Hub({ core, fetch: server.fetch, clock, graceMs: 3000, settleMs: 10,
    fanoutWindowMs: 0, engineConfig: { seed: 1 }, ...options });
  return { hub, clock, server };
}

export function expectEqual(got, expected, what) {
  assert.deepEqual(got, expected, `${what}:\n  expected ${JSON.stringify(expected)}\n  got      ${JSON.stringify(got)}`);
}

// ---- Web Locks -----------------------------------------------------------------

/** navigator.locks for one process: exclusive locks granted in request order. */
export class FakeLocks {
  constructor() {
    this.queues = new Map(); // name -> [{ run }], the head holds the lock
  }

  request(name, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(name) ?? [];
      this.queues.set(name, queue);
      const entry = {};
      entry.run = async () => {
        try {
          resolve(await callback({ name }));
        } catch (e) {
          reject(e);
        } finally {
          queue.shift();
          if (queue.length > 0) queue[0].run();
          else this.queues.delete(name);
        }
      };
      options.signal?.addEventListener('abort', () => {
        const i = queue.indexOf(entry);
        if (i > 0) {
          queue.splice(i, 1);
          reject(new DOMException('The request was aborted.', 'AbortError'));
        }
      });
      queue.push(entry);
      if (queue.length === 1) queueMicrotask(entry.run);
    });
  }

  isHeld(name) {
    return this.queues.has(name);
  }
}
