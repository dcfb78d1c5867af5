// SIGTERM drains: stop accepting, tell every stream to come back soon
// (a short retry: hint), flush, exit 0, all within --drain-ms.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import {
  startServer, publish, readStream, parseStream, metrics, eventually, within, stalledStream,
  WAIT_LIMIT_MS,
} from './server-harness.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.stop('SIGKILL'); });

async function server(args) {
  const s = await startServer(args);
  servers.push(s);
  return s;
}

/** 10 MB for `topic`: more than a stalled reader's socket buffers hold. */
async function fillPastSocketBuffers(s, topic) {
  const data = 'y'.repeat(250 * 1024);
  for (let i = 0; i < 40; i++) await publish(s, topic, data);
}

test('drain_sends_every_stream_a_short_retry_then_closes_it_and_exits_0', async () => {
  const s = await server(['--drain-retry-ms', '250']);
  const streams = ['d1', 'd2'].map((topic) => readStream(s.url(`/events?topic=${topic}`), {
    untilEnd: true,
  }));
  await eventually(async () => (await metrics(s)).ssemux_connections === 2, 'two open streams');
  const id1 = await publish(s, 'd1', 'before shutdown');
  const id2 = await publish(s, 'd2', 'also before');
  s.child.kill('SIGTERM');
  const [a, b] = await Promise.all(streams);
  const exit = await within(WAIT_LIMIT_MS, s.exited, 'exit after SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${s.stderr()}`);
  for (const [res, id] of [[a, id1], [b, id2]]) {
    const { events, retries } = parseStream(res.text);
    assert.deepEqual(events.map((e) => e.id), [id], 'every event delivered before the close');
    assert.deepEqual(retries, [3000, 250], `expected the open hint then the drain hint: ${res.text}`);
    assert.ok(res.text.endsWith('retry: 250\n\n'), `the stream should end with the hint: ${res.text}`);
  }
  assert.match(s.stderr(), /draining 2 streams/);
});

test('drain_flushes_a_long_replay_before_closing', async () => {
  // 10 MB of history replayed to a reader that is slow at SIGTERM time:
  // the drain keeps writing as it reads, then ends the stream.
  const s = await server(['--drain-ms', '20000', '--max-body-bytes', '300000']);
  const ids = [];
  const data = 'r'.repeat(250 * 1024);
  for (let i = 0; i < 40; i++) ids.push(await publish(s, 'replay', `${i}:${data}`));
  const reader = await stalledStream(s, '/events?topic=replay&lastEventId=0-0');
  s.child.kill('SIGTERM');
  await eventually(() => /draining 1 streams/.test(s.stderr()), 'the drain to start');
  const text = await reader.drain();
  const { events, retries } = parseStream(text.slice(text.indexOf('\r\n\r\n') + 4));
  assert.deepEqual(events.filter((e) => e.id).map((e) => e.id), ids, 'every pending event flushed');
  assert.ok(retries.includes(250), `the drain hint was sent: ${retries}`);
  const exit = await within(WAIT_LIMIT_MS, s.exited, 'exit after SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${s.stderr()}`);
});

test('drain_stops_accepting_and_ends_within_drain_ms_despite_a_stuck_client', async () => {
  const s = await server(['--drain-ms', '1500', '--max-body-bytes', '300000',
    '--max-backlog-bytes', '1073741824']);
  // A client that stopped reading, with more queued than the socket holds,
  // can never be flushed: the drain must give up on it in time.
  const stuck = await stalledStream(s, '/events?topic=stuck');
  await fillPastSocketBuffers(s, 'stuck');

  const started = Date.now();
  s.child.kill('SIGTERM');
  const refused = await eventually(() => new Promise((ok) => {
    const probe = connect(s.port, '127.0.0.1');
    probe.on('connect', () => { probe.destroy(); ok(false); });
    probe.on('error', (err) => ok(err.code === 'ECONNREFUSED'));
  }), 'new connections to be refused while draining', 3000);
  assert.ok(refused);
  const exit = await within(WAIT_LIMIT_MS, s.exited, 'exit after SIGTERM');
  const took = Date.now() - started;
  assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${s.stderr()}`);
  assert.ok(took < 1500 + 3000, `drain should end near --drain-ms (1500), took ${took} ms`);
  stuck.socket.destroy();
});

test('healthz_reports_draining_to_load_balancers', async () => {
  // While a drain waits on a stuck stream, existing keep-alive clients see 503.
  const s = await server(['--drain-ms', '2000', '--max-body-bytes', '300000',
    '--max-backlog-bytes', '1073741824']);
  const agentSocket = connect(s.port, '127.0.0.1');
  agentSocket.setEncoding('latin1');
  await new Promise((ok) => agentSocket.on('connect', ok));
  const stuck = await stalledStream(s, '/events?topic=stuck2');
  await fillPastSocketBuffers(s, 'stuck2');

  s.child.kill('SIGTERM');
  await eventually(() => /draining/.test(s.stderr()), 'the drain to start');
  const reply = await within(WAIT_LIMIT_MS, new Promise((ok) => {
    let text = '';
    agentSocket.on('data', (d) => {
      text += d;
      if (text.includes('\r\n\r\n') && text.includes('}')) ok(text);
    });
    agentSocket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  }), 'healthz during the drain');
  assert.match(reply, /^HTTP\/1\.1 503/);
  assert.match(reply, /"status":"draining"/);
  agentSocket.destroy();
  stuck.socket.destroy();
  await within(WAIT_LIMIT_MS, s.exited, 'exit after SIGTERM');
});
