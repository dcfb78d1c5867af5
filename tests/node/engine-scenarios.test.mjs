// The reconnect engine driven through the wasm build, as the SharedWorker hub
// will drive it: made-up times, the actions it answers, the events it lets
// through. The rules themselves are the C engine's (client/src/engine.c);
// these scenarios check that they survive the trip through wasm and JS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmCore } from './wasm-core.mjs';

const core = await loadWasmCore();
const enc = new TextEncoder();
const SSE = 'text/event-stream';

function newEngine(config = {}) {
  const seen = [];
  const engine = core.createEngine({
    seed: 7,
    ...config,
    onEvent: (type, data, id) => seen.push({ type, data, id }),
    onRetry: (retry) => seen.push({ retry }),
    onError: (code, message) => seen.push({ code, message }),
  });
  return { engine, seen };
}

function expectAction(action, kind, reason, what) {
  assert.equal(`${action.kind}/${action.reason}`, `${kind}/${reason}`,
    `${what}: expected action ${kind}/${reason}, got ${JSON.stringify(action)}`);
}

function open(engine, now) {
  expectAction(engine.onResponse(200, `${SSE}; charset=utf-8`, null, now), 'open', 'opened', 'a 200');
}

test('opens_and_delivers_events', () => {
  const { engine, seen } = newEngine();
  assert.equal(engine.state, 'idle');
  const connect = engine.start(0);
  expectAction(connect, 'connect', 'started', 'start');
  assert.equal(connect.lastEventId, '', 'a first connect sends no Last-Event-ID');
  assert.equal(engine.state, 'connecting');
  open(engine, 10);
  assert.equal(engine.state, 'open');
  assert.equal(engine.onBytes(enc.encode('event: goal\nid: 1\ndata: 1-0\n\ndata: x'), 20), 0);
  assert.equal(engine.onBytes(enc.encode('y\n\n'), 30), 0);
  assert.deepEqual(seen, [{ type: 'goal', data: '1-0', id: '1' }, { type: 'message', data: 'xy', id: '1' }]);
  assert.equal(engine.lastEventId, '1');
  // Open with no heartbeat known: the watchdog fires 45 s after the last bytes.
  assert.equal(engine.deadline, 30 + 45000, 'deadline = last bytes + default idle timeout');
  engine.free();
});

test('server_error_retries_after_jittered_delay_then_reconnects', () => {
  const { engine } = newEngine({ initialRetryMs: 2000 });
  engine.start(0);
  const retry = engine.onResponse(503, null, null, 100);
  expectAction(retry, 'retry', 'server_error', 'a 503');
  assert.ok(retry.delayMs >= 1000 && retry.delayMs <= 2000,
    `expected a first delay in [1000, 2000] ms (reconnection time, jittered), got ${retry.delayMs}`);
  assert.equal(engine.state, 'waiting');
  assert.equal(engine.deadline, 100 + retry.delayMs);
  expectAction(engine.onTimer(engine.deadline - 1), 'none', 'none', 'a timer before the deadline');
  expectAction(engine.onTimer(engine.deadline), 'connect', 'timer', 'the timer at the deadline');
  // A second failure in a row backs off further.
  const second = engine.onResponse(500, null, null, 5000);
  expectAction(second, 'retry', 'server_error', 'a second 500');
  assert.ok(second.delayMs >= 2000 && second.delayMs <= 4000,
    `expected the second delay in [2000, 4000] ms (doubled, jittered), got ${second.delayMs}`);
  engine.free();
});

test('retry_after_header_lengthens_the_delay', () => {
  const { engine } = newEngine();
  engine.start(0);
  const retryAfter = engine.parseRetryAfter('120');
  assert.equal(retryAfter, 120000, 'Retry-After: 120 is 120000 ms');
  const action = engine.onResponse(429, 'text/plain', retryAfter, 0);
  expectAction(action, 'retry', 'rate_limited', 'a 429');
  assert.equal(action.delayMs, 120000);
  assert.equal(engine.parseRetryAfter('soon'), null, 'an unparseable Retry-After');
  const date = engine.parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 7));
  assert.equal(date, 30000, 'an IMF-fixdate 30 s ahead');
  engine.free();
});

test('no_content_stops_for_good', () => {
  const { engine, seen } = newEngine();
  engine.start(0);
  expectAction(engine.onResponse(204, null, null, 5), 'stop', 'no_content', 'a 204');
  assert.equal(engine.state, 'closed');
  assert.equal(engine.deadline, -1, 'no timer once closed');
  expectAction(engine.start(10), 'none', 'none', 'start after stop');
  assert.equal(engine.onBytes(enc.encode('data: late\n\n'), 20), core.Status.CLOSED);
  assert.deepEqual(seen, [], 'no events after stop');
  engine.free();
});

test('wrong_content_type_stops', () => {
  const { engine } = newEngine();
  engine.start(0);
  expectAction(engine.onResponse(200, 'text/html', null, 5), 'stop', 'bad_content_type', 'text/html');
  engine.free();
});

test('long_content_type_goes_through_a_temporary_block', () => {
  const { engine } = newEngine({ inputBytes: 64 });
  engine.start(0);
  const long = `${SSE};${' '.repeat(200)}x=1`;
  expectAction(engine.onResponse(200, long, null, 5), 'open', 'opened', 'a 200 with a long Content-Type');
  engine.free();
});

test('reconnect_sends_last_event_id_and_drops_replayed_events', () => {
  const { engine, seen } = newEngine();
  engine.start(0);
  open(engine, 0);
  engine.onBytes(enc.encode('id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\nid: 4\ndata: d'), 10);
  const retry = engine.onClosed(20);
  expectAction(retry, 'retry', 'network_error', 'the stream ended');
  const connect = engine.onTimer(engine.deadline);
  expectAction(connect, 'connect', 'timer', 'the timer');
  assert.equal(connect.lastEventId, '3', 'Last-Event-ID is the last dispatched event\'s ID');
  open(engine, 5000);
  // The server replays from an older ID: 2 and 3 were delivered already.
  engine.onBytes(enc.encode('id: 2\ndata: b\n\nid: 3\ndata: c\n\nid: 4\ndata: d\n\n'), 5010);
  assert.deepEqual(seen.map((e) => e.id), ['1', '2', '3', '4'], 'each event once');
  assert.equal(engine.duplicatesDropped, 2);
  engine.free();
});

test('retry_field_sets_the_exact_first_delay', () => {
  const { engine, seen } = newEngine();
  engine.start(0);
  open(engine, 0);
  engine.onBytes(enc.encode('retry: 1234\n\n'), 1);
  assert.deepEqual(seen, [{ retry: 1234 }]);
  const action = engine.onClosed(2);
  expectAction(action, 'retry', 'network_error', 'the stream ended');
  assert.equal(action.delayMs, 1234, 'the server\'s reconnection time, not jittered');
  engine.free();
});

test('unauthorized_refreshes_the_credential_once', () => {
  const { engine } = newEngine();
  engine.start(0);
  expectAction(engine.onResponse(401, null, null, 1), 'refresh_credential', 'unauthorized', 'a 401');
  assert.equal(engine.state, 'authorizing');
  expectAction(engine.onCredential(true, 2), 'connect', 'credential_refreshed', 'a fresh credential');
  expectAction(engine.onResponse(403, null, null, 3), 'stop', 'unauthorized', 'a second refusal');
  engine.free();
});

test('silence_past_the_idle_timeout_reconnects', () => {
  const { engine } = newEngine();
  engine.start(0);
  open(engine, 0);
  engine.setHeartbeat(10000);
  assert.equal(engine.idleTimeoutMs, 25000, '2.5 heartbeats');
  engine.onBytes(enc.encode(':\n'), 1000);
  assert.equal(engine.deadline, 26000, 'a comment re-arms the watchdog');
  expectAction(engine.onTimer(25999), 'none', 'none', 'a timer just before the deadline');
  expectAction(engine.onTimer(26000), 'retry', 'heartbeat_lost', 'silence at the deadline');
  expectAction(engine.onOnline(26001), 'connect', 'online', 'the network came back');
  engine.free();
});

test('seeded_last_event_id_is_sent_on_connect', () => {
  const { engine } = newEngine();
  engine.setLastEventId('ab€');
  assert.equal(engine.start(0).lastEventId, 'ab€');
  assert.throws(() => engine.setLastEventId('x'.repeat((1 << 20) + 1)), (e) => e.code === core.Status.ID_TOO_LONG,
    'an ID past maxId (1 MiB by default) throws with code ID_TOO_LONG');
  // Longer than the 64 KiB input buffer: it goes through a block of its own.
  engine.setLastEventId('y'.repeat(100000));
  assert.equal(engine.onClosed(1).kind, 'retry');
  assert.equal(engine.onTimer(engine.deadline).lastEventId, 'y'.repeat(100000));
  engine.free();
});

test('close_from_a_callback_drops_the_rest_of_the_chunk', () => {
  const seen = [];
  const engine = core.createEngine({
    onEvent: (type, data) => {
      seen.push(data);
      expectAction(engine.close(), 'stop', 'closed_by_user', 'close()');
    },
  });
  engine.start(0);
  open(engine, 0);
  engine.onBytes(enc.encode('data: 1\n\ndata: 2\n\ndata: 3\n\n'), 1);
  assert.deepEqual(seen, ['1'], 'events after close() are not delivered');
  assert.equal(engine.state, 'closed');
  engine.free();
});

test('limit_errors_reach_onError_and_parsing_goes_on', () => {
  const { engine, seen } = newEngine({ maxData: 8 });
  engine.start(0);
  open(engine, 0);
  const status = engine.onBytes(enc.encode('data: 123456789\n\ndata: ok\n\n'), 1);
  assert.equal(status, core.Status.DATA_TOO_LARGE);
  assert.deepEqual(seen, [
    { code: core.Status.DATA_TOO_LARGE, message: core.strerror(core.Status.DATA_TOO_LARGE) },
    { type: 'message', data: 'ok', id: '' },
  ]);
  engine.free();
});

test('action_and_reason_names_match_the_typings', () => {
  // Every transition's names come from C (sse_action_kind_name and
  // sse_reason_name); ssemux-core.d.ts lists them as string unions.
  const { engine } = newEngine();
  const kinds = new Set();
  const reasons = new Set();
  const note = (a) => { kinds.add(a.kind); reasons.add(a.reason); return a; };
  note(engine.onTimer(0));
  note(engine.start(0));
  note(engine.onResponse(401, null, null, 0));
  note(engine.onCredential(true, 0));
  note(engine.onResponse(200, SSE, null, 0));
  note(engine.onClosed(0));
  note(engine.onTimer(engine.deadline));
  note(engine.onResponse(503, null, null, 0));
  note(engine.onOnline(1));
  note(engine.onResponse(429, null, null, 1));
  note(engine.onTimer(engine.deadline));
  note(engine.onResponse(200, SSE, null, 2));
  note(engine.onTimer(2 + 45000));
  note(engine.onTimer(engine.deadline));
  note(engine.close());
  for (const k of kinds) {
    assert.ok(['none', 'connect', 'open', 'retry', 'refresh_credential', 'stop'].includes(k),
      `action kind ${k} is not in ssemux-core.d.ts`);
  }
  for (const r of reasons) {
    assert.ok(['none', 'started', 'opened', 'network_error', 'heartbeat_lost', 'server_error',
      'rate_limited', 'unauthorized', 'no_content', 'bad_status', 'bad_content_type',
      'credential_failed', 'online', 'timer', 'closed_by_user', 'credential_refreshed'].includes(r),
    `reason ${r} is not in ssemux-core.d.ts`);
  }
  assert.equal(kinds.size, 6, `expected all 6 action kinds, saw ${[...kinds]}`);
  engine.free();
});
