// ssemux in bundled apps (docs/bundlers.md): for each bundler, app/ is built
// for production with the recipe in recipes.mjs, against the packed npm
// tarball installed in tests/bundlers/node_modules (tests/bundlers/run.sh),
// served by the real ssemux-server --static, and opened in 3 Chromium tabs:
//   - every tab gets every event in order, the server has ONE stream, and
//     every tab reports the SharedWorker as its transport (status and stats);
//   - with the built ssemux.wasm truncated, every tab gets "error" and a
//     closed status naming the wasm, through the SharedWorker and through
//     the leader-tab fallback (SharedWorker removed before the page runs);
//   - (esbuild) with the worker script deleted, every tab falls back to the
//     leader, says so (status reason + one console warning), gets the events.
// SSEMUX_BUNDLERS=vite,webpack runs some of them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { artifactDirFor, clearArtifacts, withBrowser } from '../e2e/lib/browser.mjs';
import { repoRoot } from '../e2e/lib/paths.mjs';
import { startServer } from '../e2e/lib/server.mjs';
import { sequenceMismatch } from '../e2e/lib/tabs.mjs';
import { waitFor } from '../e2e/lib/wait.mjs';
import { RECIPES } from './recipes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outRoot = resolve(repoRoot, 'build/bundlers');
const TABS = 3;
const EVENTS = 20;
const TOPIC = 'bundled';
const TRUNCATED_BYTES = 1000;
const wanted = process.env.SSEMUX_BUNDLERS ? process.env.SSEMUX_BUNDLERS.split(',') : Object.keys(RECIPES);

// Runs the recipe; resolves with its output folder and what it printed.
async function build(name) {
  const out = join(outRoot, name);
  rmSync(out, { recursive: true, force: true });
  const env = { ...process.env, OUT: out, PATH: `${join(here, 'node_modules/.bin')}:${process.env.PATH}` };
  let output;
  try {
    const { stdout, stderr } = await promisify(execFile)('sh', ['-c', RECIPES[name].build],
      { cwd: here, env, timeout: 180_000, maxBuffer: 16 << 20 });
    output = stdout + stderr;
  } catch (err) {
    throw new Error(`expected "${RECIPES[name].build}" to build app/, it failed: ${err.message}\n${err.stdout}${err.stderr}`);
  }
  if (RECIPES[name].page === 'copied') cpSync(join(here, 'app/index.html'), join(out, 'index.html'));
  return { out, output };
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

// A copy of the build whose every .wasm is cut short: the core cannot compile.
function withTruncatedWasm(out) {
  const dir = mkdtempSync(join(tmpdir(), 'ssemux-bundled-broken-'));
  cpSync(out, dir, { recursive: true });
  const wasm = filesUnder(dir).filter((f) => f.endsWith('.wasm'));
  assert.ok(wasm.length > 0, `expected the build in ${out} to hold a .wasm file, found none`);
  for (const file of wasm) truncateSync(file, TRUNCATED_BYTES);
  return dir;
}

const snapshotOf = (page) => page.evaluate(() => window.ssemuxApp.snapshot());

async function openTabs(browser, origin) {
  const pages = [];
  for (let i = 0; i < TABS; i++) {
    const page = await browser.newTab(`${origin}/index.html`);
    await page.waitForFunction(() => window.ssemuxApp !== undefined, null, { timeout: 15_000 });
    pages.push(page);
  }
  return pages;
}

async function waitForTabs(pages, accept, what, timeoutMs = 20_000) {
  let snaps = [];
  try {
    return await waitFor(async () => (snaps = await Promise.all(pages.map(snapshotOf))),
      (all) => all.every(accept), { what, timeoutMs, intervalMs: 100 });
  } catch (err) {
    const tabs = snaps.map((s, i) => `  tab ${i + 1}: readyState ${s.readyState}, errors ${s.errors}, ` +
      `${s.events.length} events, statuses ${JSON.stringify(s.statuses)}`);
    throw new Error(`expected ${what} in all ${pages.length} tabs, got:\n${tabs.join('\n')}`, { cause: err });
  }
}

// serve(dir) then fn({ server, browser }); the server log joins the
// artifacts of a failure.
async function served(t, dir, fn) {
  const server = await startServer({ kind: 'c', staticDir: dir });
  try {
    return await withBrowser(t, (browser) => fn({ server, browser }));
  } catch (err) {
    writeFileSync(join(artifactDirFor(t.name), 'server.log'), server.log());
    throw err;
  } finally {
    await server.stop();
  }
}

async function everyTabGetsEveryEventOverOneSharedWorker(t, out) {
  await served(t, out, async ({ server, browser }) => {
    const pages = await openTabs(browser, server.origin);
    await waitForTabs(pages, (s) => s.readyState === 1, 'an open SharedEventSource');
    await server.waitForStreams(1, { what: `one upstream stream for ${TABS} tabs` });
    const expected = [];
    for (let i = 0; i < EVENTS; i++) expected.push(`${await server.publish(TOPIC, 'tick', `e${i}`)} e${i}`);
    const snaps = await waitForTabs(pages, (s) => s.events.length >= EVENTS, `${EVENTS} events`);
    const problems = snaps.map((s, i) => sequenceMismatch(`tab ${i + 1}`, s.events, expected)).filter(Boolean);
    assert.deepEqual(problems, [], 'every tab should get every event once, in order');
    assert.equal(await server.streamCount(), 1, `/metrics should count one stream for ${TABS} tabs`);
    for (const [i, s] of snaps.entries()) {
      assert.equal(s.status.transport, 'shared-worker', `tab ${i + 1}: status.transport`);
      assert.ok(!s.statuses.some((st) => st.reason === 'shared-worker-failed'),
        `tab ${i + 1} fell back from the SharedWorker: ${JSON.stringify(s.statuses)}`);
    }
    const stats = await pages[0].evaluate(() => window.ssemuxApp.stats());
    assert.deepEqual(stats.map((s) => s.transport), ['shared-worker'], 'getStats(): one stream, over the SharedWorker');
  });
}

async function brokenWasmClosesEveryTab(t, out, transport) {
  const broken = withTruncatedWasm(out);
  try {
    await served(t, broken, async ({ server, browser }) => {
      if (transport === 'leader') {
        await browser.context.addInitScript(() => { delete window.SharedWorker; });
      }
      const pages = await openTabs(browser, server.origin);
      const snaps = await waitForTabs(pages, (s) => s.readyState === 2 && s.errors > 0,
        'readyState CLOSED after an "error" event');
      for (const [i, s] of snaps.entries()) {
        assert.equal(s.status.state, 'closed', `tab ${i + 1}: status.state`);
        assert.match(s.status.reason, /wasm core failed to load/, `tab ${i + 1}: status.reason`);
        assert.equal(s.status.transport, transport, `tab ${i + 1}: status.transport`);
      }
    });
  } finally {
    rmSync(broken, { recursive: true, force: true });
  }
}

assert.ok(existsSync(join(here, 'node_modules/ssemux/package.json')),
  'no tests/bundlers/node_modules/ssemux: run bash tests/bundlers/run.sh (it packs and installs the tarball)');

// The worker script gone (a 404): the SharedWorker fires "error", every tab
// falls back to the leader and says so (a status with reason
// shared-worker-failed, ONE console warning), and still gets every event.
async function missingWorkerFallsBackAndSaysSo(t, out) {
  const dir = mkdtempSync(join(tmpdir(), 'ssemux-bundled-no-worker-'));
  try {
    cpSync(out, dir, { recursive: true });
    rmSync(join(dir, 'ssemux-worker.js'));
    await served(t, dir, async ({ server, browser }) => {
      const pages = await openTabs(browser, server.origin);
      await waitForTabs(pages, (s) => s.readyState === 1, 'an open SharedEventSource through the fallback');
      const expected = [`${await server.publish(TOPIC, 'tick', 'after-fallback')} after-fallback`];
      const snaps = await waitForTabs(pages, (s) => s.events.length >= 1, 'the event through the fallback');
      for (const [i, s] of snaps.entries()) {
        assert.deepEqual(s.events, expected, `tab ${i + 1}: events`);
        assert.equal(s.status.transport, 'leader', `tab ${i + 1}: status.transport`);
        assert.ok(s.statuses.some((st) => st.reason === 'shared-worker-failed'),
          `tab ${i + 1}: expected a status with reason shared-worker-failed, got ${JSON.stringify(s.statuses)}`);
        const warnings = browser.tabs[i].console.filter((line) => line.startsWith('warning: ssemux: the SharedWorker did not start'));
        assert.equal(warnings.length, 1, `tab ${i + 1}: console warnings about the fallback: ${JSON.stringify(browser.tabs[i].console)}`);
      }
      assert.equal(await server.streamCount(), 1, `/metrics should count one stream (the leader's) for ${TABS} tabs`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const name of wanted) {
  assert.ok(RECIPES[name], `SSEMUX_BUNDLERS names "${name}"; known: ${Object.keys(RECIPES).join(', ')}`);
  test(`${name}_production_build_shares_one_stream_through_a_shared_worker`, async (t) => {
    clearArtifacts(t.name);
    const { out, output } = await build(name);
    for (const warning of [/externalized for browser compatibility/, /Critical dependency/]) {
      assert.doesNotMatch(output, warning, `the ${name} build should not warn ${warning}`);
    }
    await t.test(`${name}_every_tab_gets_every_event_over_one_shared_worker`, (st) => everyTabGetsEveryEventOverOneSharedWorker(st, out));
    await t.test(`${name}_truncated_wasm_closes_every_tab_through_the_shared_worker`, (st) => brokenWasmClosesEveryTab(st, out, 'shared-worker'));
    await t.test(`${name}_truncated_wasm_closes_every_tab_through_the_leader_fallback`, (st) => brokenWasmClosesEveryTab(st, out, 'leader'));
    // One bundler is enough: what is checked is ssemux.js, not the bundling.
    if (name === 'esbuild') {
      await t.test(`${name}_missing_worker_script_falls_back_to_the_leader_and_says_so`, (st) => missingWorkerFallsBackAndSaysSo(st, out));
    }
  });
}
