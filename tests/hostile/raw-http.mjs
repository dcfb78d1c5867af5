// Raw-socket HTTP/1.1 for hostile tests: write exact bytes (in one write or
// in pieces), then read back every response in order, framed the way a
// strict client frames them (Content-Length; no body for HEAD, 204, 304).
import { connect } from 'node:net';

/** Splits `buf` into complete responses; `heads[i]` marks a HEAD reply. */
export function parseResponses(buf, heads = []) {
  const out = [];
  let pos = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', pos, 'latin1');
    if (end < 0) break;
    const lines = buf.toString('latin1', pos, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!m) { out.push({ status: 0, garbage: buf.toString('latin1', pos) }); break; }
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const status = Number(m[1]);
    const bodyless = heads[out.length] || status === 204 || status === 304;
    const len = bodyless ? 0 : Number(headers['content-length'] ?? -1);
    if (len < 0) { // close-delimited (an event stream): the rest
      out.push({ status, headers, body: buf.toString('utf8', end + 4) });
      break;
    }
    if (buf.length < end + 4 + len) break;
    out.push({ status, headers, body: buf.toString('utf8', end + 4, end + 4 + len) });
    pos = end + 4 + len;
  }
  return { responses: out, rest: buf.length - pos };
}

/**
 * Sends `pieces` (strings or Buffers, `gapMs` apart) on one connection and
 * collects what comes back until the server closes or `waitMs` passes
 * after the last piece. Resolves {responses, closed, reset, raw, rest}.
 */
export function exchange(port, pieces, { heads = [], waitMs = 1500, gapMs = 0, halfClose = false } = {}) {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const chunks = [];
    let closed = false;
    let reset = false;
    let timer;
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks);
      resolve({ ...parseResponses(raw, heads), closed, reset, raw });
    };
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e) => { if (e.code === 'ECONNRESET') reset = true; });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('connect', async () => {
      for (const [i, p] of pieces.entries()) {
        if (i && gapMs) await new Promise((ok) => setTimeout(ok, gapMs));
        if (!sock.destroyed) sock.write(p);
      }
      if (halfClose) sock.end();
      timer = setTimeout(finish, waitMs);
    });
  });
}
