// --redis with credentials and a database, against a real redis-server:
// requirepass and an ACL user (the least-privilege rule from
// docs/deployment.md), passwords that need percent-encoding, a wrong
// password at startup, a password changed under running instances (logged,
// retried with backoff, recovered with nothing lost), and two databases of
// one Redis that never see each other's events. The password must never
// show in anything the server prints or serves.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  missing, startRedis, startRedisServerWithEnv, steadyPublisher, subscriber, checkDelivery,
  sleep, tryPublish, startServer,
} from './redis-harness.mjs';
import {
  eventually, metrics, readStream, parseStream, publish, run, serverPath,
} from './server-harness.mjs';

const skip = missing('redis-server');
const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

// What real passwords contain: every character the URL must encode.
const PASSWORD = 'p:a@s%s/w #1?';
const ACL_PASSWORD = 'acl:@%/pw';
const enc = encodeURIComponent;
const docs = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs',
  'deployment.md'), 'utf8');

async function redisWithPassword(password = PASSWORD) {
  const redis = await startRedis({ args: ['--requirepass', password], auth: { password } });
  cleanups.push(() => redis.stop());
  return redis;
}

function urlFor(redis, { user = '', password = PASSWORD, db = 0 } = {}) {
  return `redis://${enc(user)}:${enc(password)}@127.0.0.1:${redis.port}/${db}`;
}

async function serverOn(url, args = []) {
  const s = await startRedisServerWithEnv(url, args);
  cleanups.push(() => s.stop('SIGKILL'));
  return s;
}

/** Everything the server printed or serves, checked for any secret. */
async function assertNoSecret(server, secrets) {
  const texts = {
    stderr: server.stderr(),
    metrics: await (await fetch(server.url('/metrics'))).text(),
    healthz: await (await fetch(server.url('/healthz'))).text(),
  };
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of secrets.flatMap((p) => [p, enc(p)])) {
      assert.ok(!text.includes(secret), `the password shows in ${where}: ${text}`);
    }
  }
}

/** Runs the binary to its exit (it must not start); resolves {code, stderr}. */
function startExpectingFailure(url) {
  return run('env', [`SSEMUX_REDIS=${url}`, serverPath, '--port', '0'], { limit: 20000 });
}

/** Auth failures Redis logged (ACL LOG groups repeats and counts them). */
function authFailures(redis) {
  const lines = redis.cli('ACL', 'LOG').split('\n');
  let n = 0;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i] === 'count') n += Number(lines[i + 1]);
  }
  return n;
}

test('requirepass_in_the_url_authenticates_and_selects_the_database', { skip, timeout: 60000 },
  async () => {
    const redis = await redisWithPassword();
    const a = await serverOn(urlFor(redis, { db: 1 }));
    const id = await publish(a, 'auth', 'first');
    const res = await readStream(a.url('/events?topic=auth&lastEventId=0-0'), {
      untilIds: 2,
      onOpen: () => publish(a, 'auth', 'second'),
    });
    assert.deepEqual(parseStream(res.text).events.map((e) => e.data), ['first', 'second']);
    assert.equal(redis.cli('-n', '1', 'XLEN', 'ssemux:t:auth'), '2', 'the events are in database 1');
    assert.equal(redis.cli('-n', '0', 'DBSIZE'), '0', 'nothing went to database 0');
    // A second instance loads the history from database 1 at startup.
    const b = await serverOn(urlFor(redis, { db: 1 }));
    const replay = await readStream(b.url('/events?topic=auth&lastEventId=0-0'), { untilIds: 2 });
    assert.equal(parseStream(replay.text).events[0].id, id);
    assert.match(a.stderr(), /redis 127\.0\.0\.1:\d+\/1 prefix/);
    await assertNoSecret(a, [PASSWORD]);
  });

test('acl_user_with_the_documented_rule_publishes_follows_and_replays', { skip, timeout: 60000 },
  async () => {
    // The default user has another password: only the ACL user gets in.
    const redis = await redisWithPassword();
    const rule = docs.split('\n').find((l) => l.startsWith('ACL SETUSER ssemux '));
    assert.ok(rule, 'docs/deployment.md has the ACL SETUSER line');
    const words = rule.split(' ').map((w) => (w === '>PASSWORD' ? `>${ACL_PASSWORD}` : w));
    assert.equal(redis.cli(...words), 'OK', `redis-cli ${rule}`);
    const url = urlFor(redis, { user: 'ssemux', password: ACL_PASSWORD, db: 2 });
    const a = await serverOn(url);
    const first = await publish(a, 'acl', 'one');
    const b = await serverOn(url);
    const res = await readStream(b.url('/events?topic=acl&lastEventId=0-0'), {
      untilIds: 2,
      onOpen: () => publish(a, 'acl', 'two'),
    });
    const events = parseStream(res.text).events;
    assert.deepEqual(events.map((e) => e.data), ['one', 'two'],
      'b replays a\'s first event from Redis and follows its second live');
    assert.equal(events[0].id, first);
    assert.match(a.stderr(), /as user "ssemux"/);
    // The rule confines the user to its prefix.
    assert.match(redis.cli('--user', 'ssemux', '-a', ACL_PASSWORD, '--no-auth-warning', '-n', '2',
      'GET', 'other:key'), /NOPERM/);
    for (const s of [a, b]) await assertNoSecret(s, [ACL_PASSWORD, PASSWORD]);
  });

test('wrong_or_missing_credentials_stop_the_start_with_a_clear_error', { skip, timeout: 90000 },
  async () => {
    const redis = await redisWithPassword();
    assert.equal(redis.cli('ACL', 'SETUSER', 'app', 'on', `>${ACL_PASSWORD}`, '~*', '+@all'), 'OK');
    const cases = [
      { name: 'wrong password', url: urlFor(redis, { password: 'not-it:@%' }), says: /authentication failed: WRONGPASS/ },
      { name: 'no password', url: `redis://127.0.0.1:${redis.port}/0`, says: /authentication failed: NOAUTH.*redis:\/\/:PASSWORD@HOST/ },
      { name: 'wrong ACL password', url: urlFor(redis, { user: 'app', password: PASSWORD }), says: /authentication failed as user "app": WRONGPASS/ },
      { name: 'unknown ACL user', url: urlFor(redis, { user: 'nobody', password: ACL_PASSWORD }), says: /authentication failed as user "nobody": WRONGPASS/ },
      { name: 'database out of range', url: urlFor(redis, { db: 999 }), says: /SELECT: ERR DB index is out of range/ },
    ];
    for (const c of cases) {
      const r = await startExpectingFailure(c.url);
      assert.equal(r.code, 1, `${c.name}: exit status; stderr: ${r.stderr}`);
      assert.match(r.stderr, /cannot open the Redis store: /, c.name);
      assert.match(r.stderr, c.says, c.name);
      for (const secret of [PASSWORD, ACL_PASSWORD, 'not-it:@%']) {
        assert.ok(!r.stderr.includes(secret) && !r.stderr.includes(enc(secret)),
          `${c.name}: the password shows in ${r.stderr}`);
      }
    }
  });

test('rediss_and_malformed_credentials_are_refused_without_echoing_them', { timeout: 30000 },
  async () => {
    const cases = [
      { url: 'rediss://:tls-secret@127.0.0.1:6379/0', says: /rediss:\/\/ \(TLS\) is not supported.*stunnel.*docs\/deployment\.md/ },
      { url: 'redis://:bad%zzsecret@127.0.0.1:6379/0', says: /bad password/ },
      { url: 'redis://onlysecret@127.0.0.1:6379/0', says: /USER:PASSWORD@ .* :PASSWORD@/ },
      { url: 'redis://user:forgot-the-at-secret', says: /bad port/ },
      { url: 'redis://:@127.0.0.1:6379/0', says: /empty password/ },
    ];
    for (const c of cases) {
      const r = await startExpectingFailure(c.url);
      assert.equal(r.code, 1, `${c.url}: exit status; stderr: ${r.stderr}`);
      assert.match(r.stderr, c.says, c.url);
      assert.ok(!/secret/.test(r.stderr), `${c.url}: the password shows in ${r.stderr}`);
    }
    const help = await run(serverPath, ['--help']);
    assert.match(help.stdout + help.stderr, /redis:\/\/\[USER:PASSWORD@\]HOST/);
  });

test('password_changed_under_running_servers_is_logged_retried_and_recovers_losing_nothing',
  { skip, timeout: 180000 }, async () => {
    const NEW_PASSWORD = 'rotated:@%/2';
    const redis = await redisWithPassword();
    const url = urlFor(redis, { db: 3 });
    const a = await serverOn(url, ['--history', '100000']);
    const b = await serverOn(url, ['--history', '100000']);
    const subs = [a, b].map((s) => subscriber(s.url('/events?topic=pw')));
    cleanups.push(() => subs.forEach((s) => s.close()));
    await eventually(() => subs.every((s) => s.opens() >= 1), 'every subscriber to connect');
    const publisher = steadyPublisher(() => [a.base, b.base], 'pw', { pauseMs: 10 });
    await eventually(() => publisher.acked.length >= 20, 'publishing to start');

    // Redis comes back from a restart with another password.
    await redis.kill();
    await redis.restart({ args: ['--requirepass', NEW_PASSWORD], auth: { password: NEW_PASSWORD } });
    for (const s of [a, b]) {
      for (const conn of ['feed', 'publish']) {
        await eventually(() => new RegExp(`redis ${conn} connection refused, retrying with backoff: `
          + 'authentication failed: WRONGPASS').test(s.stderr()),
        `the ${conn} connection to log the refused password`, 20000);
      }
    }
    const during = await tryPublish(a.base, 'pw', 'refused');
    assert.equal(during.status, 503, `publish while Redis refuses the password: ${during.body}`);
    assert.deepEqual(await (await fetch(b.url('/healthz'))).json(), { status: 'degraded', redis: 'down' });
    assert.equal((await metrics(a)).ssemux_redis_up, 0);

    // Backoff, not a tight loop: 4 connections, retries doubling to 5 s.
    redis.cli('ACL', 'LOG', 'RESET');
    const windowMs = 6000;
    await sleep(windowMs);
    const attempts = authFailures(redis);
    const bound = 4 * (2 + windowMs / 5000 + Math.log2(5000 / 100));
    assert.ok(attempts <= bound,
      `${attempts} refused AUTHs in ${windowMs} ms: more than ${bound}, the retries do not back off`);
    for (const s of [a, b]) {
      const lines = s.stderr().split('\n').filter((l) => l.includes('authentication failed'));
      assert.equal(lines.length, 2, `one line per connection while it keeps failing: ${lines.join('\n')}`);
    }

    // The password is put right in Redis: the servers get in by themselves.
    redis.cli('CONFIG', 'SET', 'requirepass', PASSWORD);
    redis.useAuth({ password: PASSWORD });
    for (const s of [a, b]) {
      await eventually(async () => (await metrics(s)).ssemux_redis_up === 1,
        'the server to reconnect once the password is right', 20000);
      assert.match(s.stderr(), /redis feed connection back/);
      assert.match(s.stderr(), /redis publish connection back/);
    }
    const ackedBefore = publisher.acked.length;
    await eventually(() => publisher.acked.length > ackedBefore + 20,
      'publishing to succeed again', 20000);
    await publisher.stop();

    const last = publisher.acked[publisher.acked.length - 1].id;
    await eventually(() => subs.every((s) => s.has(last)), `every subscriber to reach ${last}`, 60000);
    const problems = subs.map((s, i) => checkDelivery(`subscriber ${i}`, s, publisher)).filter(Boolean);
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.ok(subs.every((s) => s.opens() === 1),
      `subscribers stay connected through the refusal; opens: ${subs.map((s) => s.opens())}`);
    // SELECT again on reconnect: the new events are in database 3 too.
    assert.match(redis.cli('-n', '3', 'XRANGE', 'ssemux:t:pw', last, last), new RegExp(last));
    assert.equal(redis.cli('-n', '0', 'DBSIZE'), '0', 'nothing went to database 0');
    for (const s of [a, b]) await assertNoSecret(s, [PASSWORD, NEW_PASSWORD]);
    console.log(`password change run: ${publisher.acked.length} acknowledged, `
      + `${publisher.refused.length} refused, ${attempts} refused AUTHs in ${windowMs} ms`);
  });

test('two_databases_of_one_redis_do_not_see_each_other', { skip, timeout: 60000 }, async () => {
  const redis = await redisWithPassword();
  const one = await serverOn(urlFor(redis, { db: 1 }));
  const two = await serverOn(urlFor(redis, { db: 2 }));
  // Interleaved: with one shared database, "two-a" would sit between
  // "one-a" and "one-b" in one's global order.
  await publish(one, 'iso', 'one-a');
  await publish(two, 'iso', 'two-a');
  await publish(one, 'iso', 'one-b');
  await publish(two, 'iso', 'two-b');
  const read = async (s) => parseStream((await readStream(
    s.url('/events?topic=iso&lastEventId=0-0'), { untilIds: 2 })).text).events.map((e) => e.data);
  assert.deepEqual(await read(one), ['one-a', 'one-b']);
  assert.deepEqual(await read(two), ['two-a', 'two-b']);
  // Live as well, and from history at startup.
  const live = readStream(one.url('/events?topic=iso&lastEventId=0-0'), {
    untilIds: 3, onOpen: async () => { await publish(two, 'iso', 'two-c'); await publish(one, 'iso', 'one-c'); },
  });
  assert.deepEqual(parseStream((await live).text).events.map((e) => e.data), ['one-a', 'one-b', 'one-c']);
  const late = await serverOn(urlFor(redis, { db: 2 }));
  assert.deepEqual(await read(late).then((d) => d.slice(0, 2)), ['two-a', 'two-b']);
  assert.equal(redis.cli('-n', '1', 'XLEN', 'ssemux:t:iso'), '3');
  assert.equal(redis.cli('-n', '2', 'XLEN', 'ssemux:t:iso'), '3');
});
