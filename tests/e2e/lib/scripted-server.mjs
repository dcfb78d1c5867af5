// The differential suite's server (tests/e2e/engines/compat-differential):
// node http on two loopback ports, i.e. two origins ("a" serves the test
// page, "b" is the other origin), real sockets. A test scripts what the
// stream at /s/<key> answers, request by request, and reads back every
// request the server saw there (OPTIONS preflights and HEAD probes too).
// The page and the shipped SharedEventSource come from a staged site.
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };
// The request headers a test may compare (the rest differ between engines
// and between EventSource and fetch without meaning anything).
const RECORDED = ['last-event-id', 'cookie', 'origin', 'access-control-request-method', 'access-control-request-headers', 'x-client'];

/**
 * A script: { responses: [response...], preflight(headers) -> response }.
 * The n-th GET (or HEAD) of a key gets responses[n]; past the list, and
 * after retire(key), a 204 (which stops EventSource for good). A response: { status = 200, headers = {}, body = '' | [chunks]
 * (strings or Buffers, written one by one; { waitMs } pauses), end = true, location: path or
 * { origin: 'a'|'b', path }, hang }. end false keeps the stream open;
 * hang true never answers.
 */
export async function startScriptedServer({ staticDir }) {
  const scripts = new Map();
  const seen = new Map(); // key -> requests
  const open = new Set();
  const origins = {};

  function serveStatic(res, pathname) {
    const root = resolve(staticDir);
    let path = normalize(join(root, decodeURIComponent(pathname)));
    if (path !== root && !path.startsWith(root + sep)) return answer(res, 404);
    try {
      if (statSync(path).isDirectory()) path = join(path, 'index.html');
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      answer(res, 404);
    }
  }

  function answer(res, status) {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(String(status));
  }

  function respond(req, res, response) {
    const { status = 200, headers = {}, body = '', end = true, location, hang = false } = response;
    if (hang) return; // never answered (the client gives up)
    const head = { 'cache-control': 'no-store', ...headers };
    if (location !== undefined) {
      head.location = typeof location === 'string' ? location : `${origins[location.origin]}${location.path}`;
    }
    res.writeHead(status, head);
    if (req.method === 'HEAD') return res.end();
    res.socket.setNoDelay(true);
    const chunks = Array.isArray(body) ? body : [body];
    (async () => {
      for (const chunk of chunks) {
        if (res.destroyed) return;
        if (chunk.waitMs !== undefined) {
          await new Promise((r) => setTimeout(r, chunk.waitMs));
          continue;
        }
        if (chunk.length > 0) res.write(chunk);
        // Separate TCP writes, so that a split really reaches the browser split.
        if (chunks.length > 1) await new Promise((r) => setTimeout(r, 20));
      }
      if (end) res.end();
    })();
  }

  const handler = (name) => (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith('/s/')) {
      if (req.method === 'GET') return serveStatic(res, url.pathname);
      return answer(res, 405);
    }
    const key = url.pathname.slice(3).split('/')[0];
    const headers = {};
    for (const h of RECORDED) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
    const requests = seen.get(key) ?? [];
    seen.set(key, requests);
    requests.push({ server: name, method: req.method, path: url.pathname.slice(3 + key.length) || '/', query: url.search, headers });
    const script = scripts.get(key);
    if (script === undefined) return answer(res, 404);
    if (script.retired) return respond(req, res, { status: 204, headers: script.responses[0]?.headers });
    open.add(res);
    res.on('close', () => open.delete(res));
    if (req.method === 'OPTIONS') return respond(req, res, script.preflight ? script.preflight(req.headers) : { status: 405 });
    const n = requests.filter((r) => r.method === req.method).length - 1;
    return respond(req, res, script.responses[n] ?? { status: 204, headers: script.responses[0]?.headers });
  };

  const servers = [];
  for (const name of ['a', 'b']) {
    const server = createServer(handler(name));
    await new Promise((r, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', r);
    });
    origins[name] = `http://127.0.0.1:${server.address().port}`;
    servers.push(server);
  }

  return {
    origins,
    /** Scripts the stream at /s/<key>. */
    script(key, script) {
      scripts.set(key, script);
      seen.set(key, []);
    },
    /** From now on /s/<key> answers 204 (a test is over). */
    retire(key) {
      const script = scripts.get(key);
      if (script !== undefined) script.retired = true;
    },
    /** Every request to /s/<key>, in arrival order. */
    requests: (key) => seen.get(key) ?? [],
    /** Ends every open response (a test's streams must not outlive it). */
    dropStreams() {
      for (const res of open) res.destroy();
    },
    async close() {
      for (const res of open) res.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
    },
  };
}
