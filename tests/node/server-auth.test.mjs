// Tokens and CORS: JWT HS256 from the Authorization header, the
// access_token parameter or the ssemux_token cookie; 401 for a missing,
// malformed, expired or forged token, 403 for a topic it does not grant;
// CORS (preflight included) for the configured origins. Tokens are made
// here with node:crypto, independently of the server's own signer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import {
  startServer, publishRaw, readStream, parseStream, metrics, within, tempDir, removeDir,
  rawExchange, statusOf, WAIT_LIMIT_MS,
} from './server-harness.mjs';

const SECRET = 'test secret, not for production';
const ORIGIN = 'https://app.example';
let server;

const b64url = (buf) => Buffer.from(buf).toString('base64url');
function sign(claims, { secret = SECRET, alg = 'HS256' } = {}) {
  const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = alg === 'none' ? '' : b64url(createHmac('sha256', secret).update(`${head}.${body}`).digest());
  return `${head}.${body}.${sig}`;
}
const now = () => Math.floor(Date.now() / 1000);
const token = (grants, exp = now() + 600) => sign({ exp, ssemux: grants });
const reader = token({ subscribe: ['scores', 'chat.*'] });

before(async () => {
  server = await startServer(['--cors-origins', `${ORIGIN}, http://localhost:5173`,
    '--heartbeat-ms', '500'], { env: { SSEMUX_JWT_SECRET: SECRET } });
});
after(async () => { await server?.stop(); });

/** Opens /events and returns the status (closing the stream if it opened). */
async function openStatus(path, headers = {}) {
  const c = new AbortController();
  const res = await within(WAIT_LIMIT_MS, fetch(server.url(path), { headers, signal: c.signal }), path);
  const body = res.status === 200 ? '' : await res.text();
  c.abort();
  return { status: res.status, body, headers: res.headers };
}

test('opens_streams_with_a_token_from_header_query_or_cookie', async () => {
  assert.equal((await openStatus('/events?topic=scores', { authorization: `Bearer ${reader}` })).status, 200);
  assert.equal((await openStatus(`/events?topic=scores&access_token=${reader}`)).status, 200);
  assert.equal((await openStatus('/events?topic=chat.room1', { cookie: `theme=dark; ssemux_token=${reader}` })).status, 200);
});

test('answers_401_for_missing_malformed_forged_expired_or_unsigned_tokens', async () => {
  const cases = [
    ['no token', {}, 'token missing'],
    ['not a JWT', { authorization: 'Bearer abc' }, 'token malformed'],
    ['not Bearer', { authorization: `Basic ${reader}` }, 'token malformed'],
    ['wrong secret', { authorization: `Bearer ${sign({ exp: now() + 60, ssemux: { subscribe: ['scores'] } }, { secret: 'guess' })}` }, 'token signature invalid'],
    ['expired', { authorization: `Bearer ${token({ subscribe: ['scores'] }, now() - 5)}` }, 'token expired'],
    ['alg none', { authorization: `Bearer ${sign({ exp: now() + 60, ssemux: { subscribe: ['scores'] } }, { alg: 'none' })}` }, 'token algorithm is not HS256'],
  ];
  const wrong = [];
  for (const [what, headers, error] of cases) {
    const res = await openStatus('/events?topic=scores', headers);
    if (res.status !== 401 || JSON.parse(res.body).error !== error ||
        res.headers.get('www-authenticate') !== 'Bearer') {
      wrong.push(`${what}: expected 401 "${error}" with WWW-Authenticate, got ${res.status} ${res.body}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('answers_403_for_a_topic_the_token_does_not_grant', async () => {
  for (const topic of ['chat', 'chatty', 'scores2']) {
    const res = await openStatus(`/events?topic=scores&topic=${topic}`, { authorization: `Bearer ${reader}` });
    assert.equal(res.status, 403, `topic ${topic}: ${res.body}`);
    assert.deepEqual(JSON.parse(res.body), { error: 'topic not granted' });
  }
});

// docs/auth.md: the first place that has a token is the only one checked;
// one there that is empty, too long, not Bearer or given twice is a 401,
// never passed over for a valid token in a later place.
test('checks_only_the_first_place_that_has_a_token', async () => {
  const junk = 'x'.repeat(5000);
  const cases = [
    ['header before query and cookie', { authorization: `Bearer ${reader}` }, `&access_token=${junk}`, 'ssemux_token=garbage', 200],
    ['query before cookie', {}, `&access_token=${reader}`, `ssemux_token=${junk}`, 200],
    ['cookie when nothing comes before it', {}, '', `theme=dark; ssemux_token=${reader}`, 200],
    ['a bad header hides a good query and cookie', { authorization: 'Bearer not.a.token' }, `&access_token=${reader}`, `ssemux_token=${reader}`, 'token malformed'],
    ['a Basic header is a header too', { authorization: `Basic ${reader}` }, `&access_token=${reader}`, '', 'token malformed'],
    ['a 5,000-character query token hides a good cookie', {}, `&access_token=${junk}`, `ssemux_token=${reader}`, 'token malformed'],
    ['a short junk query token hides a good cookie', {}, '&access_token=garbage', `ssemux_token=${reader}`, 'token malformed'],
    ['an empty query token hides a good cookie', {}, '&access_token=', `ssemux_token=${reader}`, 'token malformed'],
    ['a bare access_token hides a good cookie', {}, '&access_token', `ssemux_token=${reader}`, 'token malformed'],
    ['a query token given twice', {}, `&access_token=${reader}&access_token=${reader}`, '', 'token given more than once'],
    ['a cookie given twice', {}, '', `ssemux_token=${reader}; ssemux_token=x`, 'token given more than once'],
    ['a 5,000-character cookie', {}, '', `ssemux_token=${junk}`, 'token malformed'],
    ['an empty cookie', {}, '', 'ssemux_token=', 'token malformed'],
    ['a lookalike cookie is not ours', {}, '', `old_ssemux_token=${reader}`, 'token missing'],
    ['a lookalike cookie next to ours', {}, '', `old_ssemux_token=x; ssemux_token=${reader}`, 200],
  ];
  const wrong = [];
  for (const [what, headers, query, cookie, want] of cases) {
    const res = await openStatus(`/events?topic=scores${query}`, cookie ? { ...headers, cookie } : headers);
    const got = res.status === 200 ? 200 : `${res.status} ${res.body.trim()}`;
    const expected = want === 200 ? 200 : `401 ${JSON.stringify({ error: want })}`;
    if (got !== expected) wrong.push(`${what}: expected ${expected}, got ${got}`);
  }
  assert.deepEqual(wrong, []);
});

// What fetch cannot send: an empty Authorization header, and a header or
// a cookie header twice (HTTP/2 sends each cookie in a header of its own).
test('counts_empty_and_repeated_headers_as_present', async () => {
  const get = (lines) => `GET /events?topic=scores HTTP/1.1\r\nHost: x\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
  const cases = [
    ['an empty Authorization header', ['Authorization:', `Cookie: ssemux_token=${reader}`], 'token malformed'],
    ['Authorization twice', [`Authorization: Bearer ${reader}`, `Authorization: Bearer ${reader}`], 'token given more than once'],
    ['ssemux_token in two Cookie headers', [`Cookie: ssemux_token=${reader}`, `Cookie: ssemux_token=${reader}`], 'token given more than once'],
    ['ours in the second Cookie header', ['Cookie: theme=dark', `Cookie: ssemux_token=${reader}`], 200],
  ];
  const wrong = [];
  for (const [what, lines, want] of cases) {
    const reply = await rawExchange(server, get(lines), { endAfterMs: 500 });
    const ok = want === 200 ? statusOf(reply) === 200
      : statusOf(reply) === 401 && reply.includes(JSON.stringify({ error: want }));
    if (!ok) wrong.push(`${what}: expected ${want}, got ${reply.slice(0, 300)}`);
  }
  assert.deepEqual(wrong, []);
});

test('publish_reads_the_token_by_the_same_rules', async () => {
  const writer = token({ publish: ['scores'] });
  const res = await within(WAIT_LIMIT_MS, fetch(server.url(`/publish?access_token=${'x'.repeat(5000)}`), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ssemux_token=${writer}` },
    body: 'topic=scores&data=x',
  }), 'POST /publish');
  assert.equal(res.status, 401, await res.text());
});

test('checks_publish_grants_separately_from_subscribe_grants', async () => {
  const writer = token({ subscribe: [], publish: ['scores'] });
  const ok = await publishRaw(server, { topic: 'scores', data: '1:0' }, { headers: { authorization: `Bearer ${writer}` } });
  assert.equal(ok.status, 200, ok.body);
  const other = await publishRaw(server, { topic: 'chat.room1', data: 'x' }, { headers: { authorization: `Bearer ${writer}` } });
  assert.equal(other.status, 403, other.body);
  const readerOnly = await publishRaw(server, { topic: 'scores', data: 'x' }, { headers: { authorization: `Bearer ${reader}` } });
  assert.equal(readerOnly.status, 403, readerOnly.body);
  const anonymous = await publishRaw(server, { topic: 'scores', data: 'x' });
  assert.equal(anonymous.status, 401, anonymous.body);
});

test('answers_the_cors_preflight_that_fetch_with_authorization_triggers', async () => {
  const res = await fetch(server.url('/events?topic=scores'), {
    method: 'OPTIONS',
    headers: { origin: ORIGIN, 'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization,last-event-id' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  const allowHeaders = res.headers.get('access-control-allow-headers').toLowerCase();
  for (const h of ['authorization', 'last-event-id', 'content-type']) {
    assert.ok(allowHeaders.includes(h), `allow-headers should include ${h}: ${allowHeaders}`);
  }
  assert.match(res.headers.get('access-control-allow-methods'), /GET/);
  assert.match(res.headers.get('vary'), /Origin/);

  const refused = await fetch(server.url('/events?topic=scores'), {
    method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
});

test('sends_cors_headers_on_the_stream_itself_for_allowed_origins_only', async () => {
  const allowed = await openStatus('/events?topic=scores', { authorization: `Bearer ${reader}`, origin: ORIGIN });
  assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(allowed.headers.get('access-control-expose-headers'), /X-SSE-Heartbeat/);
  const other = await openStatus('/events?topic=scores', { authorization: `Bearer ${reader}`, origin: 'https://evil.example' });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});

test('eventsource_package_streams_with_a_bearer_token', async () => {
  const writer = token({ publish: ['scores'] });
  const es = new EventSource(server.url('/events?topic=scores'), {
    fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${reader}` } }),
  });
  try {
    await within(WAIT_LIMIT_MS, new Promise((ok, fail) => {
      es.onopen = ok;
      es.onerror = (e) => fail(new Error(`EventSource error ${e.code ?? ''} ${e.message ?? ''}`));
    }), 'EventSource to open');
    const got = within(WAIT_LIMIT_MS, new Promise((ok) => { es.onmessage = (e) => ok(e); }), 'an event');
    const pub = await publishRaw(server, { topic: 'scores', data: '2:0' }, { headers: { authorization: `Bearer ${writer}` } });
    const e = await got;
    assert.equal(e.data, '2:0');
    assert.equal(e.lastEventId, JSON.parse(pub.body).id);
  } finally {
    es.close();
  }
});

test('closes_a_stream_when_its_token_expires_with_a_retry_hint', async () => {
  const shortLived = token({ subscribe: ['scores'] }, now() + 2);
  const before = (await metrics(server)).ssemux_expired_token_disconnects_total;
  const res = await readStream(server.url('/events?topic=scores'), {
    headers: { authorization: `Bearer ${shortLived}` }, untilEnd: true, limit: 8000,
  });
  assert.equal(res.status, 200);
  assert.deepEqual(parseStream(res.text).retries, [3000, 3000],
    `expected the open hint and the closing hint: ${JSON.stringify(res.text)}`);
  assert.equal((await metrics(server)).ssemux_expired_token_disconnects_total, before + 1);
});

test('reads_the_secret_from_a_file_and_warns_when_running_open', async () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
    const fromFile = await startServer(['--jwt-secret-file', join(dir, 'secret')]);
    try {
      const ok = await fetch(fromFile.url('/events?topic=scores'), { headers: { authorization: `Bearer ${reader}` } });
      assert.equal(ok.status, 200);
      await ok.body.cancel();
      const no = await fetch(fromFile.url('/events?topic=scores'));
      assert.equal(no.status, 401);
      assert.doesNotMatch(fromFile.stderr(), /no JWT secret/);
    } finally {
      await fromFile.stop();
    }
    const open = await startServer([]);
    try {
      assert.match(open.stderr(), /no JWT secret: anyone who can reach this port may subscribe and publish/);
    } finally {
      await open.stop();
    }
  } finally {
    removeDir(dir);
  }
});
