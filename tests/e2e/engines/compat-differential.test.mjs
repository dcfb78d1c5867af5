// EventSource compatibility measured against the browser itself: every
// scenario of compat-scenarios.mjs runs once with the engine's native
// EventSource and once with SharedEventSource, side by side in one page,
// against the same scripted server, and must observe the same thing:
// constructor result, events (type, data, lastEventId, origin), the
// readyState at each, open/error, the final readyState, and the requests
// the server saw. Deliberate differences are asserted as such. The engine
// is SSEMUX_E2E_ENGINE (chromium, firefox, webkit); docs/compatibility.md
// holds the results.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { clearArtifacts } from '../lib/browser.mjs';
import { engineName, launchEngine } from '../lib/engines/index.mjs';
import { startScriptedServer } from '../lib/scripted-server.mjs';
import { hubMissingReason, stageSite } from '../lib/site.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { hubOnlyScenarios, requestLines, scenarios } from './compat-scenarios.mjs';

const engine = engineName();
const skip = hubMissingReason() ?? false;
const SETTLE_MS = 300; // late events or requests after the condition held
const COOKIE = 'ssemux-compat=1';
let site;
let server;
let browser;
let page;
let runs = 0;

before(async () => {
  if (skip) return;
  site = stageSite();
  server = await startScriptedServer({ staticDir: site.dir });
  browser = await launchEngine(engine);
  page = await browser.newTab(`${server.origins.a}/pages/compat.html`);
  await page.waitForFunction(() => Boolean(window.compat), null, { timeout: 20_000 });
  await page.evaluate((cookie) => window.compat.setCookie(`${cookie}; path=/`), COOKIE);
});

after(async () => {
  await browser?.close();
  await server?.close();
  site?.remove();
});

// The script with the run's key in its redirect targets.
function scriptFor(scenario, key) {
  const fill = (r) => {
    if (typeof r.location === 'string') return { ...r, location: r.location.replace('KEY', key) };
    if (r.location) return { ...r, location: { ...r.location, path: r.location.path.replace('KEY', key) } };
    return r;
  };
  return { responses: scenario.responses.map(fill), preflight: scenario.preflight };
}

function done(until, log, startedAt) {
  if (log.thrown !== null) return true;
  if (until === 'closed') return log.readyState === 2;
  if (until === 'thrown') return false;
  if (until.delayMs !== undefined) return Date.now() - startedAt >= until.delayMs;
  return log.entries.some((e) => e.data === until.data);
}

// One run of a scenario: opens each kind (both at once by default), waits
// for the end condition, records the requests, closes, reads the logs.
async function runScenario(scenario, kinds = ['native', 'shared']) {
  const n = ++runs;
  const keys = Object.fromEntries(kinds.map((kind) => [kind, `${scenario.name}-${kind[0]}${n}`]));
  const index = {};
  for (const kind of kinds) {
    server.script(keys[kind], scriptFor(scenario, keys[kind]));
    const args = [kind, scenario.url(keys[kind], server.origins), { types: scenario.types, init: scenario.init }];
    index[kind] = await page.evaluate(([k, u, o]) => window.compat.open(k, u, o), args);
  }
  const logs = {};
  const readLogs = async () => {
    for (const kind of kinds) logs[kind] = await page.evaluate((i) => window.compat.log(i), index[kind]);
    return logs;
  };
  const waitAll = (accept, what) => waitFor(readLogs, (l) => kinds.every((kind) => accept(l[kind])),
    { timeoutMs: 20_000, intervalMs: 100, what }).catch((err) => {
    err.message += kinds.map((kind) => `\n${kind}: ${JSON.stringify(logs[kind])}`).join('');
    throw err;
  });
  if (scenario.stopAfter !== undefined) {
    await waitAll((log) => log.entries.some((e) => e.data === scenario.stopAfter), `every source to get ${scenario.stopAfter}`);
    await page.evaluate(() => window.compat.stop());
  }
  const startedAt = Date.now();
  await waitAll((log) => done(scenario.until, log, startedAt), `every source to reach ${JSON.stringify(scenario.until)}`);
  await sleep(SETTLE_MS);
  const requests = Object.fromEntries(kinds.map((kind) => [kind, [...server.requests(keys[kind])]]));
  for (const kind of kinds) {
    await page.evaluate((i) => window.compat.close(i), index[kind]);
    server.retire(keys[kind]);
  }
  await readLogs();
  // Whatever a browser keeps open (a hub in its grace period, a socket an
  // engine keeps after close()) must not use up the next scenario's
  // connections per host.
  server.dropStreams();
  return Object.fromEntries(kinds.map((kind) => [kind, { log: logs[kind], requests: requests[kind], key: keys[kind] }]));
}

// What a page observes, without isTrusted (asserted apart) and with the
// run's key replaced, so the two runs compare equal.
function observed({ log, key }) {
  const text = JSON.stringify({ ...log, kind: undefined, entries: log.entries.map(({ isTrusted, ...e }) => e) });
  return JSON.parse(text.replaceAll(key, 'KEY'));
}

function expectSame(label, native, shared) {
  assert.deepEqual(shared, native, `${label}: SharedEventSource differs from native EventSource in ${engine}\n  native: ${JSON.stringify(native)}\n  shared: ${JSON.stringify(shared)}`);
}

// A failed scenario leaves the page's screenshot and console in
// build/e2e-artifacts/<test name>/ (a to-do one too: it says why it differs).
function scenarioTest(name, options, fn) {
  test(name, options, async (t) => {
    clearArtifacts(t.name);
    try {
      await fn(t);
    } catch (err) {
      const dir = await browser.saveArtifacts(t.name).catch((e) => `(could not save artifacts: ${e.message})`);
      err.message += `\n(${engine}: screenshot and console: ${dir})`;
      throw err;
    }
  });
}

for (const scenario of skip ? [] : scenarios({ a: 'http://origin-a', b: 'http://origin-b' })) {
  scenarioTest(`${engine}: ${scenario.name}`, { skip, todo: scenario.todo, timeout: 60_000 }, async () => {
    // The origins are only known once the server runs: rebuild the scenario with them.
    const live = scenarios(server.origins).find((s) => s.name === scenario.name);
    const { native, shared } = await runScenario(live);
    const bug = live.nativeBugs?.[engine];
    if (bug) {
      // The engine's EventSource departs from the spec here and ours does
      // not: the difference must be exactly that one.
      assert.notDeepEqual(observed(shared), observed(native), `${bug.why}: expected still, but native now behaves like SharedEventSource (remove this nativeBugs entry)`);
      expectSame(`what the page observed, with ${engine}'s bug applied to ours (${bug.why})`, observed(native), bug.apply(observed(shared)));
    } else if (!live.observedDiffers) {
      expectSame('what the page observed', observed(native), observed(shared));
    }
    // Deliberate: events a script dispatches are never trusted (docs/compatibility.md).
    assert.ok(native.log.entries.every((e) => e.isTrusted), 'native events are trusted');
    assert.ok(shared.log.entries.every((e) => !e.isTrusted), 'SharedEventSource events are script-dispatched');
    if (live.differs) {
      const compared = live.differs(native, shared) ?? null;
      if (compared !== null) expectSame('the requests the server saw (deliberate difference removed)', requestLines(compared.native, native.key), requestLines(compared.shared, shared.key));
    } else {
      expectSame('the requests the server saw', requestLines(native.requests, native.key), requestLines(shared.requests, shared.key));
    }
  });
}

// What native EventSource cannot do, in the same engine and server: a
// SharedEventSource with a header of its own is preflighted anyway, so its
// resume carries Last-Event-ID when the server allows it, and falls back to
// the query parameter at once when the preflight refuses it.
for (const scenario of skip ? [] : hubOnlyScenarios({ a: 'http://origin-a', b: 'http://origin-b' })) {
  scenarioTest(`${engine}: ${scenario.name}`, { skip, timeout: 60_000 }, async () => {
    const live = hubOnlyScenarios(server.origins).find((s) => s.name === scenario.name);
    const { shared } = await runScenario(live, ['shared']);
    live.expect(shared);
  });
}
