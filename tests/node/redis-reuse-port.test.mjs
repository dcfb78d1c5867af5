// --reuse-port: several instances listen on one port (SO_REUSEPORT) and, with
// --suite.redis, serve one event stream through it, one core each. Without the
// flag a second instance cannot take the port; with it, the port keeps
// serving the same stream after one instance stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { publish, readStream, parseStream, startServer } from './server-harness.mjs';
import { sharedRedis, startRedisServer } from './redis-harness.mjs';

const suite = sharedRedis();
const { skip, cleanups } = suite;

async function instance(args) {
  const s = await startRedisServer(suite.redis, args);
  cleanups.push(() => s.stop('SIGKILL'));
  return s;
}

const dataOf = (text) => parseStream(text).events.filter((e) => e.id).map((e) => e.data);

test('without_reuse_port_a_second_instance_cannot_take_the_port', { skip }, async () => {
  const a = await instance(['--port', '0']);
  await assert.rejects(instance(['--port', String(a.port)]), /cannot listen/,
    'a second instance on a taken port must fail to start without --reuse-port');
});

test('instances_with_reuse_port_share_one_port_and_one_stream', { skip }, async () => {
  const a = await instance(['--reuse-port', '--port', '0']);
  const b = await instance(['--reuse-port', '--port', String(a.port)]);
  assert.equal(b.port, a.port, 'both instances listen on the same port');
  // Every request below goes to the shared port; the kernel picks the instance.
  const first = await publish(a, 'shared', 'before');
  await a.stop('SIGTERM');
  // Only B is left on the port: it resumes after A's event and carries on.
  const res = await readStream(b.url('/events?topic=shared'), {
    headers: { 'last-event-id': first },
    untilIds: 2,
    onOpen: async () => {
      await publish(b, 'shared', 'after-1');
      await publish(b, 'shared', 'after-2');
    },
  });
  assert.deepEqual(dataOf(res.text), ['after-1', 'after-2'],
    `the port should keep serving the shared stream after A stopped; got ${res.text}`);
});

test('reuse_port_works_without_redis_too', async () => {
  const a = await startServer(['--reuse-port', '--port', '0']);
  cleanups.push(() => a.stop('SIGKILL'));
  const b = await startServer(['--reuse-port', '--port', String(a.port)]);
  cleanups.push(() => b.stop('SIGKILL'));
  assert.equal(b.port, a.port, 'a rolling restart can start the new instance beside the old');
});
