// Failing where native EventSource fails, and resuming across origins
// without a preflight it would not cause (docs/compatibility.md): non-http
// URLs, a refused response (CORS) told from a network failure by the hub's
// no-cors probe, and where the last event ID goes (header or query).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { newHub, FakeTab, settle, expectEqual, TO_TAB } from './hub-fakes.mjs';
import { webDir } from './wasm-core.mjs';

const { needsPreflight } = await import(pathToFileURL(path.join(webDir, 'hub/resume.js')).href);

const PAGE = 'http://page.test';
const STREAM = 'http://app.test/events?topic=scores';

// A stream that delivered event 1 and broke: returns the reconnect request.
async function reconnectAfterEvent(server, clock, n = 1) {
  const first = (await server.request(0)).respond();
  await settle();
  first.write('retry: 100\n\n');
  first.send({ id: '1', event: 'scores/goal', data: 'a' });
  await settle();
  first.fail();
  await settle();
  await clock.advance(100);
  return server.request(n);
}

function statuses(tab, sub) {
  return tab.heard.filter((m) => m.type === TO_TAB.STATUS && m.sub === sub).map((m) => `${m.state}/${m.reason}`);
}

test('a_non_http_url_closes_at_once_without_a_request', async () => {
  const { hub, clock, server } = newHub({ origin: PAGE });
  const tab = new FakeTab(hub, 'a');
  for (const [i, url] of ['ftp://app.test/x', 'about:blank', 'mailto:a@app.test', 'javascript:void(0)'].entries()) tab.subscribe(i + 1, url);
  await settle();
  await clock.advance(20);
  expectEqual(server.requests.length, 0, 'requests');
  for (let i = 1; i <= 4; i++) expectEqual(statuses(tab, i), ['closed/bad_url'], `status of subscription ${i}`);
  hub.close();
});

// The reconnect request of a stream opened by a hub on `origin`.
async function resumeFrom(origin, extra = {}) {
  const { hub, clock, server } = newHub({ origin });
  new FakeTab(hub, 'a').subscribe(1, STREAM, extra);
  await settle();
  await clock.advance(20);
  const again = await reconnectAfterEvent(server, clock);
  hub.close();
  return { header: again.lastEventId, query: again.url.searchParams.get('lastEventId') };
}

test('cross_origin_resume_sends_the_id_in_the_query_and_no_header', async () => {
  expectEqual(await resumeFrom(PAGE), { header: null, query: '1' },
    'Last-Event-ID header (it would cause a preflight) and lastEventId query parameter');
});

test('same_origin_resume_sends_the_header_as_native_does', async () => {
  expectEqual(await resumeFrom('http://app.test'), { header: '1', query: null }, 'Last-Event-ID header and query parameter');
});

test('a_request_preflighted_anyway_carries_the_header', async () => {
  expectEqual(await resumeFrom(PAGE, { headers: { authorization: 'Bearer t' } }), { header: '1', query: null },
    'Last-Event-ID header (the preflight is there for Authorization anyway) and query parameter');
});

test('a_refused_header_is_replaced_by_the_query_at_once_and_nothing_is_lost', async () => {
  const { hub, clock, server } = newHub({ origin: PAGE });
  const tab = new FakeTab(hub, 'a');
  tab.subscribe(1, STREAM, { headers: { 'x-client': 'demo' } });
  await settle();
  await clock.advance(20);
  const withHeader = await reconnectAfterEvent(server, clock);
  expectEqual(withHeader.lastEventId, '1', 'first resume: the header');
  withHeader.reject(); // the preflight did not allow last-event-id
  const probe = await server.request(2);
  assert.ok(probe.isProbe, `expected the no-cors HEAD probe, got ${probe.init.method} ${probe.init.mode}`);
  probe.respond(200, {});
  const withQuery = await server.request(3);
  expectEqual([withQuery.lastEventId, withQuery.url.searchParams.get('lastEventId')], [null, '1'], 'the same resume by the query');
  withQuery.respond().send({ id: '2', event: 'scores/goal', data: 'b' });
  await settle();
  expectEqual(tab.events(1), ['goal:a#1', 'goal:b#2'], 'events');
  assert.ok(!statuses(tab, 1).some((s) => s.startsWith('closed')), `expected no close, got ${statuses(tab, 1)}`);
  hub.close();
});

// A stream whose first request fetch() rejects; the probe that follows
// answers (the server is there: CORS refused it) or fails too (network).
async function firstRequestRejected(serverAnswersProbe, origin = PAGE) {
  const { hub, clock, server } = newHub({ origin });
  const tab = new FakeTab(hub, 'a');
  tab.subscribe(1, STREAM);
  await settle();
  await clock.advance(20);
  (await server.request(0)).reject();
  const probe = await server.request(1);
  assert.ok(probe.isProbe, `expected the HEAD probe, got ${probe.init.method} ${probe.init.mode}`);
  if (serverAnswersProbe === 'redirect') probe.respondOpaqueRedirect();
  else if (serverAnswersProbe) probe.respond(200, {});
  else probe.reject();
  await settle();
  return { hub, clock, server, tab };
}

test('a_refused_response_closes_the_stream_like_native', async () => {
  const { hub, clock, server, tab } = await firstRequestRejected(true);
  expectEqual(statuses(tab, 1), ['connecting/started', 'closed/cors'], 'statuses');
  await clock.advance(60_000);
  expectEqual(server.requests.length, 2, 'requests (no retry after a CORS failure)');
  hub.close();
});

test('a_network_failure_keeps_retrying', async () => {
  const { hub, clock, server, tab } = await firstRequestRejected(false);
  expectEqual(statuses(tab, 1).map((s) => s.split('/')[0]), ['connecting', 'retrying'], 'states');
  await clock.advance(10_000);
  const retry = await server.request(2);
  assert.ok(!retry.isProbe, 'the retry is a real request');
  hub.close();
});

test('same_origin_a_refusal_needs_a_redirect_else_it_is_a_network_failure', async () => {
  // Same origin: no CORS unless a redirect led elsewhere. The probe does not
  // follow redirects; an answer without one means the server dropped the
  // connection (retry), an opaque redirect means CORS refused the target.
  const plain = await firstRequestRejected(true, 'http://app.test');
  expectEqual(plain.server.requests[1].init.redirect, 'manual', 'redirect mode of the same-origin probe');
  expectEqual(statuses(plain.tab, 1).map((s) => s.split('/')[0]), ['connecting', 'retrying'], 'states after a plain answer');
  plain.hub.close();
  const redirected = await firstRequestRejected('redirect', 'http://app.test');
  expectEqual(statuses(redirected.tab, 1), ['connecting/started', 'closed/cors'], 'statuses after a redirect');
  redirected.hub.close();
});

test('needs_preflight_follows_the_fetch_safelist', () => {
  const cases = [
    [{}, false],
    [{ accept: 'text/event-stream' }, false],
    [{ 'accept-language': 'en-US,en;q=0.9' }, false],
    [{ 'content-type': 'text/plain; charset=utf-8' }, false],
    [{ 'content-type': 'application/json' }, true],
    [{ accept: 'x'.repeat(129) }, true],
    [{ accept: 'text/(event-stream)' }, true],
    [{ authorization: 'Bearer t' }, true],
    [{ 'x-client': 'demo' }, true],
    [{ 'last-event-id': '7' }, true],
  ];
  expectEqual(cases.map(([h]) => needsPreflight(h)), cases.map(([, want]) => want),
    `needsPreflight of ${JSON.stringify(cases.map(([h]) => h))}`);
});
