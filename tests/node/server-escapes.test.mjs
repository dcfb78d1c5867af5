// What %XX in a URL and \uXXXX in a JSON body may and may not do, against
// the real binary: a %0D or %0A cannot end the request line and inject a
// header (400, then close; libwebsockets 4.1.6 would cut the line there),
// and a publish body takes every RFC 8259 escape, surrogate pairs as
// Python's json.dumps writes them included, refusing a lone half.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, readStream, parseStream, rawExchange, statusOf, tempDir, removeDir, within,
  WAIT_LIMIT_MS,
} from './server-harness.mjs';

let server;
let dir;
before(async () => {
  dir = tempDir();
  writeFileSync(join(dir, 'index.html'), 'home');
  server = await startServer(['--static', dir]);
});
after(async () => {
  await server?.stop();
  if (dir) removeDir(dir);
});

const CUT = 'the request line ends too early: a %0D or %0A in the URL, or no HTTP version';

test('refuses_a_cr_or_lf_in_the_url_instead_of_ending_the_request_line_there', async () => {
  const cases = [
    ['subscribe with an injected Last-Event-ID', 'GET /events?topic=inj%0D%0ALast-Event-ID:%201-1 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['subscribe with a bare %0D', 'GET /events?topic=inj%0Dx HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['subscribe with a bare %0A', 'GET /events?topic=inj%0Ax HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a publish smuggling a Content-Length', 'POST /publish?a=%0AContent-Length:5 HTTP/1.1\r\nHost: x\r\n' +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 19\r\n\r\ntopic=t&data=x12345'],
    ['a static file', 'GET /index.html%0D%0AX HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['the query of a static file', 'GET /index.html?v=%0D%0A HTTP/1.1\r\nHost: x\r\n\r\n'],
  ];
  const wrong = [];
  for (const [what, bytes] of cases) {
    const reply = await rawExchange(server, bytes);
    if (statusOf(reply) !== 400 || !reply.endsWith(`${JSON.stringify({ error: CUT })}\n`)) {
      wrong.push(`${what}: expected 400 "${CUT}" and the end of the connection, got ${JSON.stringify(reply.slice(0, 300))}`);
    }
  }
  assert.deepEqual(wrong, []);
  // No version at all never reaches lws: the request gate refuses it.
  assert.equal(statusOf(await rawExchange(server, 'GET /healthz\r\n\r\n')), 400);
});

test('still_answers_requests_whose_urls_are_ordinary', async () => {
  const reply = await rawExchange(server, 'GET /healthz HTTP/1.0\r\n\r\n');
  assert.equal(statusOf(reply), 200, reply);
  const names = await within(WAIT_LIMIT_MS, fetch(server.url('/events?topic=a.b_c:d-E9&topic=%41')), 'stream');
  assert.equal(names.status, 200);
  await names.body.cancel();
  const file = await fetch(server.url('/index.html?v=1%202&w=%C3%A9'));
  assert.equal(`${file.status} ${await file.text()}`, '200 home', 'other escapes after the ? of a file');
  const bad = await fetch(server.url('/events?topic=a%20b'));
  assert.equal(bad.status, 400, 'a topic name outside [A-Za-z0-9._:-] is refused as in publish');
});

/** POSTs a JSON text exactly as given. */
async function publishJson(text) {
  const res = await within(WAIT_LIMIT_MS, fetch(server.url('/publish'), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: text,
  }), 'POST /publish');
  return { status: res.status, body: await res.text() };
}

test('delivers_every_json_escape_as_the_character_it_stands_for', async () => {
  // Each body as Python's json.dumps writes it (ensure_ascii: the default).
  const bodies = [
    ['{"topic": "esc", "data": "smile \\ud83d\\ude00"}', 'smile \u{1F600}'],
    ['{"topic": "esc", "data": "\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u20ac \\udbff\\udfff"}',
      '" \\ / \b \f \n \r \t \u00e9 \u20ac \u{10FFFF}'],
    ['{"topic": "esc", "type": "\\ud83c\\udfc6", "data": "nul \\u0000 inside"}', 'nul \u0000 inside'],
  ];
  const ids = [];
  const res = await readStream(server.url('/events?topic=esc'), {
    onOpen: async () => {
      for (const [body] of bodies) {
        const r = await publishJson(body);
        assert.equal(r.status, 200, `${body}: ${r.body}`);
        ids.push(JSON.parse(r.body).id);
      }
    },
    untilIds: bodies.length,
  });
  const events = parseStream(res.text).events;
  // An SSE stream splits data at line breaks: \r and \n come back as lines.
  const wire = (data) => data.split(/\r\n|\r|\n/).join('\n');
  assert.deepEqual(events.map((e) => [e.id, e.data]), bodies.map(([, data], i) => [ids[i], wire(data)]));
  assert.equal(events[2].event, '\u{1F3C6}');
});

test('refuses_a_lone_or_reversed_surrogate_with_a_clear_message', async () => {
  const message = 'a surrogate escape (\\uD800 to \\uDFFF) must be half of a pair, high then low';
  for (const body of ['{"topic":"esc","data":"\\ud83d"}', '{"topic":"esc","data":"\\ude00\\ud83d"}',
    '{"topic":"esc","data":"x","note":"\\udc00"}']) {
    const r = await publishJson(body);
    assert.equal(r.status, 400, body);
    assert.deepEqual(JSON.parse(r.body), { error: message }, body);
  }
  const raw = await fetch(server.url('/publish'), {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"topic":"esc","data":"\xff"}', 'latin1'),
  });
  assert.deepEqual([raw.status, await raw.json()], [400, { error: 'a JSON body must be UTF-8' }]);
});
