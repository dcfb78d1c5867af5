// A TLS-only Redis reached through stunnel, as docs/deployment.md ("Redis
// over TLS") says: hiredis 0.14 has no TLS, so a local stunnel in client
// mode carries the plain-text side. Real parts throughout: redis-server
// with --port 0 --tls-port (no plain-text port at all), a password and
// client certificates; certificates made by openssl now; the stunnel
// configuration taken from the docs with only ports and paths swapped.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  missing, startRedis, startRedisServerWithEnv, makeTlsCerts, startStunnel,
} from './redis-harness.mjs';
import { readStream, parseStream, publish, run, serverPath } from './server-harness.mjs';

const skip = missing('redis-server', 'stunnel4');
const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const PASSWORD = 'tls:pw@%/1';
const DOCS_HOST = 'redis.example.internal';

/** The fenced block of docs/deployment.md that starts with `firstLine`. */
function docsBlock(firstLine) {
  const docs = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs',
    'deployment.md'), 'utf8');
  const at = docs.indexOf(`\n${firstLine}\n`);
  assert.ok(at >= 0, `docs/deployment.md has a block starting "${firstLine}"`);
  const end = docs.indexOf('\n```', at);
  return docs.slice(at + 1, end + 1);
}

/**
 * The docs' stunnel file with the test's ports and certificate paths
 * (`ca`: the CA stunnel trusts, certs.ca unless a test says otherwise).
 */
function stunnelConfig(recipe, redisPort, certs, { ca = certs.ca, host = DOCS_HOST } = {}) {
  return (acceptPort) => {
    const swaps = [
      ['accept = 127.0.0.1:6380', `accept = 127.0.0.1:${acceptPort}`],
      [`connect = ${DOCS_HOST}:6379`, `connect = 127.0.0.1:${redisPort}`],
      [`checkHost = ${DOCS_HOST}`, `checkHost = ${host}`],
      ['/etc/ssl/redis/ca.crt', ca],
      ['/etc/ssl/redis/client.crt', certs.clientCert],
      ['/etc/ssl/redis/client.key', certs.clientKey],
    ];
    let text = recipe;
    for (const [from, to] of swaps) {
      assert.ok(text.includes(from), `the docs' stunnel recipe has "${from}"`);
      text = text.replace(from, to);
    }
    return text;
  };
}

const url = (port) => `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/4`;
const recipe = () => docsBlock('; /etc/stunnel/redis.conf, run by: systemctl enable --now stunnel@redis');

/** Runs ssemux-server on `port` to its exit: it must not start. */
function startExpectingFailure(port) {
  return run('env', [`SSEMUX_REDIS=${url(port)}`, serverPath, '--port', '0'], { limit: 60000 });
}

test('tls_only_redis_through_the_documented_stunnel_serves_publish_subscribe_and_replay',
  { skip, timeout: 90000 }, async () => {
    // The server certificate names the docs' host, so checkHost is the
    // docs' line unchanged.
    const certs = makeTlsCerts(DOCS_HOST);
    cleanups.push(() => certs.remove());
    const redis = await startRedis({
      tls: certs, args: ['--requirepass', PASSWORD], auth: { password: PASSWORD },
    });
    cleanups.push(() => redis.stop());
    const tunnel = await startStunnel(stunnelConfig(recipe(), redis.port, certs));
    cleanups.push(() => tunnel.stop());

    // Straight at the TLS port, plain text gets nowhere: the tunnel is needed.
    const direct = await startExpectingFailure(redis.port);
    assert.equal(direct.code, 1, `a server pointed at the TLS port must not start: ${direct.stderr}`);
    assert.match(direct.stderr, /cannot open the Redis store/);

    const a = await startRedisServerWithEnv(url(tunnel.port));
    const b = await startRedisServerWithEnv(url(tunnel.port));
    cleanups.push(() => a.stop('SIGKILL'), () => b.stop('SIGKILL'));
    const first = await publish(a, 'tls', 'over-tls-1');
    // b follows a's publishes live through its own tunnelled connections.
    const live = await readStream(b.url('/events?topic=tls&lastEventId=0-0'), {
      untilIds: 2,
      onOpen: () => publish(a, 'tls', 'over-tls-2'),
    });
    assert.deepEqual(parseStream(live.text).events.map((e) => e.data), ['over-tls-1', 'over-tls-2']);
    // An instance started now loads the history through the tunnel.
    const c = await startRedisServerWithEnv(url(tunnel.port));
    cleanups.push(() => c.stop('SIGKILL'));
    const replay = await readStream(c.url('/events?topic=tls&lastEventId=0-0'), { untilIds: 2 });
    const events = parseStream(replay.text).events;
    assert.equal(events[0].id, first);
    assert.deepEqual(events.map((e) => e.data), ['over-tls-1', 'over-tls-2']);
    // And Redis has them, in database 4 (redis-cli over TLS).
    assert.equal(redis.cli('-n', '4', 'XLEN', 'ssemux:t:tls'), '2');
    for (const s of [a, b, c]) assert.ok(!s.stderr().includes(PASSWORD), 'no password in logs');
  });

test('the_documented_stunnel_refuses_a_redis_it_cannot_verify', { skip, timeout: 90000 },
  async () => {
    const certs = makeTlsCerts(DOCS_HOST);
    const stranger = makeTlsCerts(DOCS_HOST); // another CA, same host name
    cleanups.push(() => certs.remove(), () => stranger.remove());
    const redis = await startRedis({
      tls: certs, args: ['--requirepass', PASSWORD], auth: { password: PASSWORD },
    });
    cleanups.push(() => redis.stop());
    const cases = [
      { name: 'a certificate from another CA', options: { ca: stranger.ca } },
      { name: 'a certificate for another host', options: { host: 'other.example.internal' } },
    ];
    for (const c of cases) {
      const tunnel = await startStunnel(stunnelConfig(recipe(), redis.port, certs, c.options));
      cleanups.push(() => tunnel.stop());
      const r = await startExpectingFailure(tunnel.port);
      assert.equal(r.code, 1, `${c.name}: the server must not start; stderr: ${r.stderr}`);
      assert.match(r.stderr, /cannot open the Redis store/, c.name);
      assert.match(tunnel.log(), /certificate verify failed/, `${c.name}: stunnel says why: ${tunnel.log()}`);
    }
  });
