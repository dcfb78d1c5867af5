#!/usr/bin/env node
// A small, real SSE server for the browser tests, used only where the C
// server (build/bin/ssemux-server) is not available. It speaks the subset
// of the C server's interface the hub relies on (issue 4), so the same tests
// run against either:
//
//   GET  /events?topic=A&topic=B[&route=type][&lastEventId=ID]
//          text/event-stream; "retry: N" first; every event has
//          id "<ms>-<seq>" (strictly increasing), event: its type (or
//          "<topic>/<type>" with route=type, the hub's routing protocol),
//          data lines; ": heartbeat" comments; Last-Event-ID (header, else
//          the lastEventId argument) replays retained events after that ID.
//   POST /publish   form or JSON {topic, type, data} -> {"id": "..."}
//   GET  /healthz, /metrics (ssemux_connections), static files (--static)
//   GET  /debug/streams       {"streams": open now, "opened_total": n}
//   GET  /debug/last-headers  {"url", "headers"} of the newest GET /events
//
// With --data-dir, events are appended to events.jsonl before the publish is
// acknowledged, so a SIGKILL and restart keeps history and ID order.
//
// Usage: node sse-test-server.mjs [--host 127.0.0.1] [--port 0] [--static DIR]
//          [--data-dir DIR] [--retry-ms 3000] [--heartbeat-ms 15000] [--history 1000]
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const TOPIC_NAME = /^[A-Za-z0-9._:-]{1,64}$/;
const EVENT_ID = /^(\d{1,20})-(\d{1,20})$/;
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

function parseOptions(argv) {
  const opts = { host: '127.0.0.1', port: 0, static: null, dataDir: null, retryMs: 3000, heartbeatMs: 15000, history: 1000 };
  const names = { '--host': 'host', '--port': 'port', '--static': 'static', '--data-dir': 'dataDir', '--retry-ms': 'retryMs', '--heartbeat-ms': 'heartbeatMs', '--history': 'history' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`unknown or incomplete option ${argv[i]}`);
    opts[key] = typeof opts[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return opts;
}

const parseId = (text) => {
  const m = EVENT_ID.exec(text);
  return m ? [BigInt(m[1]), BigInt(m[2])] : null;
};
const idAfter = (a, b) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

// Retained events in ID order, per-topic capped, optionally logged to disk.
class EventStore {
  constructor(dataDir, history) {
    this.history = history;
    this.events = [];
    this.perTopic = new Map();
    this.last = [0n, 0n];
    this.logPath = null;
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      this.logPath = join(dataDir, 'events.jsonl');
      if (existsSync(this.logPath)) this.load();
    }
  }

  load() {
    for (const line of readFileSync(this.logPath, 'utf8').split('\n')) {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        continue; // empty or torn last line after a kill: never acknowledged
      }
      this.retain(event);
    }
  }

  retain(event) {
    const id = parseId(event.id);
    if (idAfter(id, this.last)) this.last = id;
    this.events.push(event);
    const count = (this.perTopic.get(event.topic) ?? 0) + 1;
    this.perTopic.set(event.topic, count);
    if (count > this.history) {
      const oldest = this.events.findIndex((e) => e.topic === event.topic);
      this.events.splice(oldest, 1);
      this.perTopic.set(event.topic, count - 1);
    }
  }

  append(topic, type, data) {
    const now = BigInt(Date.now());
    const id = now > this.last[0] ? [now, 0n] : [this.last[0], this.last[1] + 1n];
    const event = { id: `${id[0]}-${id[1]}`, topic, type, data };
    if (this.logPath) appendFileSync(this.logPath, `${JSON.stringify(event)}\n`);
    this.retain(event);
    return event;
  }

  // Without a Last-Event-ID a stream starts live, as on the C server.
  after(lastId, topics) {
    if (!lastId) return [];
    return this.events.filter((e) => topics.has(e.topic) && idAfter(parseId(e.id), lastId));
  }
}

function frame(event, route) {
  const name = route ? `${event.topic}/${event.type}` : event.type;
  const data = event.data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');
  return `id: ${event.id}\nevent: ${name}\n${data}\n`;
}

function reply(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req, limit = 65536) {
  return new Promise((resolvePromise, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) reject(Object.assign(new Error('body too large'), { status: 413 }));
      else chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function startSseTestServer(opts) {
  const store = new EventStore(opts.dataDir, opts.history);
  const streams = new Set();
  let openedTotal = 0;
  let lastEventsRequest = null;

  function openStream(req, res, url) {
    const topics = new Set(url.searchParams.getAll('topic'));
    if (topics.size === 0 || [...topics].some((t) => !TOPIC_NAME.test(t)))
      return reply(res, 400, { error: 'name topics: /events?topic=NAME (A-Z a-z 0-9 . _ : -)' });
    const lastText = req.headers['last-event-id'] || url.searchParams.get('lastEventId') || '';
    const lastId = lastText ? parseId(lastText) : null;
    if (lastText && !lastId) return reply(res, 400, { error: 'Last-Event-ID is not an ID this server issued' });
    lastEventsRequest = { url: req.url, headers: req.headers };

    const stream = { res, topics, route: url.searchParams.get('route') === 'type' };
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.socket.setNoDelay(true);
    // Replay and join the live set in one turn of the event loop: nothing
    // published in between can be missed or sent twice.
    res.write(`retry: ${opts.retryMs}\n\n${store.after(lastId, topics).map((e) => frame(e, stream.route)).join('')}`);
    streams.add(stream);
    openedTotal++;
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), opts.heartbeatMs);
    res.on('close', () => {
      clearInterval(heartbeat);
      streams.delete(stream);
    });
  }

  async function publish(req, res) {
    let fields;
    try {
      const body = await readBody(req);
      fields = (req.headers['content-type'] || '').startsWith('application/json')
        ? JSON.parse(body)
        : Object.fromEntries(new URLSearchParams(body));
    } catch (err) {
      return reply(res, err.status ?? 400, { error: err.message });
    }
    const { topic, type = 'message', data = '' } = fields;
    if (!TOPIC_NAME.test(topic ?? '')) return reply(res, 400, { error: 'bad topic' });
    if (/[\r\n]/.test(type) || type === '') return reply(res, 400, { error: 'bad type' });
    const event = store.append(topic, String(type), String(data));
    for (const stream of streams) if (stream.topics.has(topic)) stream.res.write(frame(event, stream.route));
    reply(res, 200, { id: event.id });
  }

  function serveStatic(res, pathname) {
    if (!opts.static) return reply(res, 404, { error: 'not found' });
    const root = resolve(opts.static);
    let path = normalize(join(root, decodeURIComponent(pathname)));
    if (path !== root && !path.startsWith(root + sep)) return reply(res, 404, { error: 'not found' });
    try {
      if (statSync(path).isDirectory()) path = join(path, 'index.html');
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store', 'content-length': body.length });
      res.end(body);
    } catch {
      reply(res, 404, { error: 'not found' });
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /events') return openStream(req, res, url);
    if (route === 'POST /publish') return publish(req, res);
    if (route === 'GET /healthz') return reply(res, 200, { status: 'ok' });
    if (route === 'GET /metrics') return reply(res, 200, `ssemux_connections ${streams.size}\n`, 'text/plain; version=0.0.4');
    if (route === 'GET /debug/streams') return reply(res, 200, { streams: streams.size, opened_total: openedTotal });
    if (route === 'GET /debug/last-headers') return reply(res, 200, lastEventsRequest ?? {});
    if (req.method === 'GET') return serveStatic(res, url.pathname);
    reply(res, 405, { error: 'method not allowed' });
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolvePromise(server));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const opts = parseOptions(process.argv.slice(2));
  const server = await startSseTestServer(opts);
  process.stderr.write(`sse-test-server: listening on http://${opts.host}:${server.address().port}\n`);
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
}
