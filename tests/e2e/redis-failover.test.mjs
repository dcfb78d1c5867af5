// Two ssemux-server instances on one Redis behind nginx (round-robin, no
// sticky sessions), the page and the API on nginx's origin. Tabs share one
// upstream through the SharedWorker hub; the instance holding that upstream
// is killed (SIGKILL) mid-publishing and NOT restarted: the hub must resume
// through the balancer on the other instance, with Last-Event-ID, and every
// tab must end with every event exactly once, in order.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { missing, startNginx, startRedis, freePort } from '../node/redis-services.mjs';
import { withBrowser, clearArtifacts } from './lib/browser.mjs';
import { cServerBin } from './lib/paths.mjs';
import { hubMissingReason, stageSite } from './lib/site.mjs';
import { eventsOf, expectExactDelivery, isOpened, openClientTabs, openShared, waitForAllTabs } from './lib/tabs.mjs';
import { sleep, waitFor } from './lib/wait.mjs';

const TABS = 4;
const TOPIC = 'failover';
const EVENTS = 50;
const KILL_AFTER = 15;
const PUBLISH_EVERY_MS = 40;
const HUB = { transport: 'shared-worker', types: ['tick'] };
const skip = hubMissingReason() ?? missing('redis-server', 'nginx');

// One instance: the real binary, --redis, serving the staged site.
async function startInstance(redisUrl, staticDir) {
  const port = await freePort();
  const child = spawn(cServerBin, ['--host', '127.0.0.1', '--port', String(port), '--static', staticDir,
    '--redis', redisUrl, '--retry-ms', '1000', '--heartbeat-ms', '2000', '--drain-ms', '200'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (t) => { log += t; });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    try {
      return (await (await fetch(`${base}/healthz`)).json()).redis;
    } catch {
      if (child.exitCode !== null) throw new Error(`ssemux-server exited: ${log}`);
      return null;
    }
  }, (state) => state === 'up', { what: `instance on ${port} healthy with redis up`, timeoutMs: 15_000 });
  return {
    port,
    base,
    log: () => log,
    async streams() {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/^ssemux_connections (\d+)$/m.exec(text)[1]);
    },
    kill() {
      if (child.exitCode !== null || child.signalCode) return Promise.resolve();
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGKILL');
      return exited;
    },
  };
}

async function publish(origin, data) {
  const res = await fetch(`${origin}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ topic: TOPIC, type: 'tick', data }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  assert.equal(res.status, 200, `publish ${data} through nginx: expected 200, got ${res.status} ${body}`);
  return JSON.parse(body).id;
}

test('tabs_resume_through_the_other_instance_after_theirs_is_killed', { skip, timeout: 180_000 }, async (t) => {
  clearArtifacts(t.name);
  const site = stageSite();
  const cleanups = [() => site.remove()];
  try {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const instances = [await startInstance(redis.url, site.dir), await startInstance(redis.url, site.dir)];
    cleanups.push(() => Promise.all(instances.map((i) => i.kill())));
    const nginx = await startNginx(instances.map((i) => i.port));
    cleanups.push(() => nginx.stop());

    await withBrowser(t, async (browser) => {
      const pages = await openClientTabs(browser, nginx.base, TABS);
      for (const page of pages) await openShared(page, `/events?topic=${TOPIC}`, HUB);
      await waitForAllTabs(pages, (snap) => isOpened(snap), { what: 'SharedEventSource open', timeoutMs: 20_000 });
      // One hub, one upstream: on one instance or the other.
      const holder = await waitFor(async () => Promise.all(instances.map((i) => i.streams())),
        (counts) => counts[0] + counts[1] === 1, { what: 'the hub upstream on one instance', timeoutMs: 10_000 });
      const victim = holder[0] === 1 ? 0 : 1;
      const survivor = 1 - victim;

      const ids = [];
      for (let i = 0; i < EVENTS; i++) {
        if (i === KILL_AFTER) await instances[victim].kill();
        ids.push(await publish(nginx.base, `e${i}`));
        await sleep(PUBLISH_EVERY_MS);
      }
      const expected = ids.map((id, i) => `${id} e${i}`);
      await expectExactDelivery(pages, {
        itemsOf: (snap) => eventsOf(snap, 0, 'tick').map((e) => `${e.lastEventId} ${e.data}`),
        expectedFor: () => expected,
        what: `${EVENTS} events across the instance kill`,
        timeoutMs: 30_000,
      });
      assert.equal(await instances[survivor].streams(), 1,
        'the hub should now hold its one upstream on the surviving instance');
    });
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
});
