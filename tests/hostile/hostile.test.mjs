// The server against hostile clients (issue: "the server holds against any
// client"): every case in cases.mjs gets exactly its answer while 20 honest
// subscribers stream and a keep-alive publisher publishes. Then 10,000
// connections that send half a head must not delay an honest request, and
// at the end every honest subscriber has every acknowledged event exactly
// once, in order, no honest stream went silent for 2 heartbeats, and the
// server's memory stayed bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

import { startServer, eventually, sleep } from '../node/server-harness.mjs';
import { exchange } from './raw-http.mjs';
import { cases, SECRET, token, slowHead } from './cases.mjs';
import { subscriber, publisher } from './honest.mjs';

const HEARTBEAT_MS = 1500;
const HEADER_TIMEOUT_MS = 3000;
const SUBSCRIBERS = 20;
const HALF_OPEN = Number(process.env.SSEMUX_HOSTILE_HALF_OPEN ?? 10000);
const RSS_LIMIT_KIB = 192 * 1024;

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

function checkCase(c, got) {
  const where = `${c.name}: got ${JSON.stringify(got.responses.map((r) => [r.status, r.headers?.allow, r.body?.slice(0, 80)]))}, closed=${got.closed}`;
  assert.equal(got.responses.length, c.expect.length, `answers: ${where}`);
  c.expect.forEach((e, i) => {
    const r = got.responses[i];
    assert.equal(r.status, e.status, `status of answer ${i + 1}: ${where}`);
    if (e.allow) assert.equal(r.headers.allow, e.allow, `Allow: ${where}`);
    if (e.body) assert.match(r.body, e.body, `body: ${where}`);
    if (e.head) assert.equal(r.body, '', `a HEAD answer has no body: ${where}`);
  });
  assert.equal(got.rest, 0, `bytes after the last answer (a desynchronised connection): ${where}`);
  assert.equal(got.closed, c.closed, `closed: ${where}`);
  if (c.closed && c.expect.at(-1).status >= 400) {
    assert.equal(got.responses.at(-1).headers.connection, 'close', `Connection: close: ${where}`);
  }
}

async function healthzLatencyMs(port) {
  const start = process.hrtime.bigint();
  const got = await exchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { waitMs: 5000 });
  assert.equal(got.responses[0]?.status, 200, 'healthz answered');
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Opens `n` sockets that each send half a request head and wait. */
async function halfOpen(port, n) {
  const socks = [];
  for (let i = 0; i < n; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, n - i) }, () => new Promise((ok) => {
      const s = connect(port, '127.0.0.1', () => { s.write(slowHead); ok(); });
      s.on('error', () => ok());
      s.on('close', () => { s.gone = true; });
      s.resume(); // read (and drop) the 408 so the close is seen
      socks.push(s);
    })));
  }
  return socks;
}

test('the server answers every hostile request correctly while honest clients lose nothing', { timeout: 300000 }, async () => {
  const server = await startServer(['--jwt-secret', SECRET, '--heartbeat-ms', String(HEARTBEAT_MS),
    '--header-timeout-ms', String(HEADER_TIMEOUT_MS), '--retry-ms', '300']);
  const pid = server.child.pid;
  let maxRss = 0;
  const rssTimer = setInterval(() => { maxRss = Math.max(maxRss, rssKiB(pid)); }, 200);
  const subs = Array.from({ length: SUBSCRIBERS }, () => subscriber(server.port, 'honest', token));
  const pub = publisher(server.port, 'honest', token);
  try {
    await eventually(() => pub.acked.length >= 5 && subs.every((s) => s.ids.length > 0), 'honest traffic to flow');

    for (const c of cases) {
      const got = await exchange(server.port, Array.isArray(c.send) ? c.send : [c.send],
        { heads: c.expect.map((e) => !!e.head), gapMs: c.gapMs ?? 0 });
      checkCase(c, got);
    }

    // Slowloris: a head that never completes is answered 408 and closed.
    const slow = await exchange(server.port, [slowHead], { waitMs: HEADER_TIMEOUT_MS + 3000 });
    assert.equal(slow.responses[0]?.status, 408, 'a head slower than --header-timeout-ms gets 408');
    assert.ok(slow.closed, 'and is closed');
    // Half a head then a half-close: no answer owed, the socket is closed.
    const gone = await exchange(server.port, [slowHead], { halfClose: true, waitMs: 2000 });
    assert.ok(gone.closed && gone.responses.length === 0, 'half a head then EOF: closed without an answer');

    const before = await healthzLatencyMs(server.port);
    const socks = await halfOpen(server.port, HALF_OPEN);
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await healthzLatencyMs(server.port));
    during.sort((a, b) => a - b);
    console.log(`healthz with ${HALF_OPEN} half-open connections: median ${during[2].toFixed(1)} ms (before: ${before.toFixed(1)} ms)`);
    assert.ok(during[2] < 250, `a new request waited ${during[2].toFixed(1)} ms behind ${HALF_OPEN} half-open connections`);
    // They all get their 408 and go away.
    await eventually(() => socks.every((s) => s.gone), 'half-open connections closed by the deadline', HEADER_TIMEOUT_MS + 15000);
    socks.forEach((s) => s.destroy());

    await pub.stop();
    assert.equal(pub.errors, 0, 'the honest publisher never lost its connection');
    assert.equal(pub.refused, 0, 'the honest publisher was never refused');
    const acked = pub.acked;
    await eventually(() => subs.every((s) => s.ids.length >= acked.length), 'every subscriber to catch up', 15000);
    for (const [i, s] of subs.entries()) {
      assert.deepEqual(s.ids, acked, `subscriber ${i}: every acknowledged event exactly once, in order`);
      assert.ok(s.maxGapMs < 2 * HEARTBEAT_MS, `subscriber ${i}: silent for ${s.maxGapMs} ms (heartbeat ${HEARTBEAT_MS} ms)`);
    }
    console.log(`${cases.length} hostile cases; ${acked.length} events to ${SUBSCRIBERS} subscribers; longest silence ${Math.max(...subs.map((s) => s.maxGapMs))} ms; max RSS ${(maxRss / 1024).toFixed(1)} MiB`);
    assert.ok(maxRss < RSS_LIMIT_KIB, `server RSS reached ${maxRss} KiB`);
  } finally {
    clearInterval(rssTimer);
    subs.forEach((s) => s.stop());
    await pub.stop();
    // SIGTERM works at all times: a clean, prompt exit.
    const { code } = await server.stop('SIGTERM');
    assert.equal(code, 0, 'exit status after SIGTERM');
  }
});
