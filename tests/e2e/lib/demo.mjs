// The live demo under test: its page staged with the shipped
// SharedEventSource files, the real feed (demo/feed.mjs) as a child process,
// the server's replay of the topic as the record, and what each tab shows,
// compared against that record.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { skipWhenMissing } from '../../lib/prerequisites.mjs';
import { artifactDirFor, clearArtifacts, withBrowser } from './browser.mjs';
import { cServerBin, repoRoot, webDir } from './paths.mjs';
import { chooseServerKind, startServer } from './server.mjs';
import { sleep, waitFor, withTimeout } from './wait.mjs';

export const DEMO_PAGE_DIR = resolve(repoRoot, 'demo/page');
export const FEED_SCRIPT = resolve(repoRoot, 'demo/feed.mjs');
export const TOPIC = 'scores';
// The types the feed publishes and the page listens to (demo/page/scoreboard.js).
const FEED_TYPES = new Set(['snapshot', 'clock', 'status', 'goal', 'card', 'sub']);
// Published by the tests after the feed stopped: the end of the record. The
// page has no listener for it.
const END_TYPE = 'test-end';

// A throw-away copy of the demo site, as demo/run.sh lays it out.
export function stageDemoSite() {
  const dir = mkdtempSync(join(tmpdir(), 'ssemux-e2e-demo-'));
  cpSync(DEMO_PAGE_DIR, dir, { recursive: true, dereference: true });
  if (existsSync(webDir)) cpSync(webDir, join(dir, 'ssemux'), { recursive: true, dereference: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// demo/feed.mjs publishing to origin; stop() ends it with SIGTERM.
export function startFeed(origin, { minuteMs = 200, matches = 4, seed = 20261126, snapshotMs = 2000 } = {}) {
  const child = spawn(process.execPath, [FEED_SCRIPT, '--url', origin, '--minute-ms', String(minuteMs),
    '--matches', String(matches), '--seed', String(seed), '--snapshot-ms', String(snapshotMs), '--quiet'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  process.on('exit', () => child.kill('SIGKILL'));
  return {
    log: () => log,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      try {
        return await withTimeout(exited, 10_000, 'feed exit after SIGTERM');
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      }
    },
  };
}

// Parses text/event-stream frames (the server's own output: one field per
// line, LF line ends).
function parseFrames(text) {
  const events = [];
  for (const frame of text.split('\n\n')) {
    const event = { id: null, type: 'message', data: [] };
    for (const line of frame.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.type = value;
      else if (field === 'data') event.data.push(value);
    }
    if (event.id) events.push({ ...event, data: event.data.join('\n') });
  }
  return events;
}

// The record: every retained event of the topic, replayed by the server
// from the start (Last-Event-ID 0-0), up to a marker published now. Call it
// once the feed has stopped.
export async function readRecord(server, { timeoutMs = 20_000 } = {}) {
  const endId = await server.publish(TOPIC, END_TYPE, 'end of the record');
  const text = await withTimeout(new Promise((ok, fail) => {
    const req = request(`${server.origin}/events?topic=${TOPIC}`, { headers: { 'last-event-id': '0-0', accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return fail(new Error(`expected 200 for the replay, got ${res.statusCode}`));
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
        if (body.includes(`id: ${endId}\n`) && body.endsWith('\n\n')) {
          req.destroy();
          ok(body);
        }
      });
      res.on('end', () => fail(new Error(`the replay ended before ${endId}`)));
    });
    req.on('error', fail);
    req.end();
  }), timeoutMs, 'reading the record (replay of the topic)');
  const all = parseFrames(text);
  const gap = all.find((e) => e.type === 'ssemux-gap');
  return { events: all.filter((e) => FEED_TYPES.has(e.type)).map((e) => ({ ...e, match: JSON.parse(e.data) })), gap };
}

const matchLine = (m) => `slot ${m.slot}: ${m.id} v${m.v} ${m.home.name} ${m.score[0]}-${m.score[1]} ${m.away.name} (${m.minute}', ${m.phase})`;

// What the record says the page must show, written without the page's code:
// per slot the newest match, at its highest version.
export function expectedFromRecord(record) {
  const slots = new Map();
  for (const { match } of record.events) {
    const cur = slots.get(match.slot);
    if (!cur || (cur.id === match.id ? match.v > cur.v : match.startedAt > cur.startedAt)) slots.set(match.slot, match);
  }
  const newest = [...slots.values()].sort((a, b) => a.slot - b.slot);
  return { matches: newest.map(matchLine), drawn: newest.map((m) => `slot ${m.slot}: ${m.id} ${m.score[0]}-${m.score[1]}`) };
}

// The goals a tab that received the record from `firstId` on must list: each
// goal once, the first copy when the feed had to publish it again (its
// answer was lost with a killed server).
export function expectedGoalIds(record, firstId) {
  const start = record.events.findIndex((e) => e.id === firstId);
  const seen = new Set();
  const ids = [];
  for (const e of record.events.slice(start)) {
    const key = `${e.match.id} v${e.match.v}`;
    if (e.type === 'goal' && !seen.has(key)) ids.push(e.id);
    seen.add(key);
  }
  return ids;
}

// Loads the demo in n tabs, one after another.
export async function openDemoTabs(browser, origin, n) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await browser.newTab(`${origin}/`);
    await page.waitForFunction(() => window.demo, null, { timeout: 15_000 });
    pages.push(page);
  }
  return pages;
}

// What one tab shows: its model, what is drawn, and every ID it received.
export function tabView(page) {
  return page.evaluate(() => {
    const line = (m) => `slot ${m.slot}: ${m.id} v${m.v} ${m.home.name} ${m.score[0]}-${m.score[1]} ${m.away.name} (${m.minute}', ${m.phase})`;
    return {
      matches: window.demo.matches().map(line),
      drawn: [...document.querySelectorAll('#matches .match')].map((c) => `slot ${c.dataset.slot}: ${c.dataset.match} ${c.dataset.score}`),
      eventIds: window.demo.eventIds(),
      goalIds: window.demo.goalIds(),
      state: window.demo.status().state,
      pill: document.querySelector('#connection').textContent.trim(),
      tabs: Number(document.querySelector('#sharing').dataset.tabs),
    };
  });
}

export const allViews = (pages) => Promise.all(pages.map(tabView));

// Waits until every tab is open and shows at least `minMatches` matches.
export function waitForLiveTabs(pages, { minMatches = 1, timeoutMs = 30_000 } = {}) {
  return waitFor(() => allViews(pages), (views) => views.every((v) => v.state === 'open' && v.matches.length >= minMatches), {
    what: `all ${pages.length} tabs live with ${minMatches}+ matches`, timeoutMs, intervalMs: 200,
  });
}

// Differences between a tab and the record; empty when it matches exactly.
export function compareTab(view, record, expected) {
  const problems = [];
  if (JSON.stringify(view.matches) !== JSON.stringify(expected.matches)) problems.push(`matches: expected ${JSON.stringify(expected.matches)}, got ${JSON.stringify(view.matches)}`);
  if (JSON.stringify(view.drawn) !== JSON.stringify(expected.drawn)) problems.push(`drawn cards: expected ${JSON.stringify(expected.drawn)}, got ${JSON.stringify(view.drawn)}`);
  const ids = record.events.map((e) => e.id);
  const start = ids.indexOf(view.eventIds[0]);
  if (start < 0) {
    problems.push(`its first event ${view.eventIds[0]} is not in the record (${record.gap ? 'history was trimmed' : 'unknown ID'})`);
  } else {
    const want = ids.slice(start);
    const dup = view.eventIds.filter((id, i) => view.eventIds.indexOf(id) !== i);
    const missing = want.filter((id) => !view.eventIds.includes(id));
    if (JSON.stringify(view.eventIds) !== JSON.stringify(want)) {
      problems.push(`events: expected the record's ${want.length} events from ${view.eventIds[0]} on, in order, once; got ${view.eventIds.length}, missing ${JSON.stringify(missing.slice(0, 10))}, duplicated ${JSON.stringify(dup.slice(0, 10))}`);
    }
    const goals = expectedGoalIds(record, view.eventIds[0]);
    if (JSON.stringify(view.goalIds) !== JSON.stringify(goals)) problems.push(`goals: expected ${JSON.stringify(goals)}, got ${JSON.stringify(view.goalIds)}`);
  }
  return problems;
}

// Every tab converges on the record (bounded wait), then must equal it.
export async function expectTabsMatchRecord(pages, record, { timeoutMs = 20_000 } = {}) {
  const expected = expectedFromRecord(record);
  let views = [];
  try {
    await waitFor(async () => (views = await allViews(pages)), (vs) => vs.every((v) => compareTab(v, record, expected).length === 0), {
      what: 'every tab to show the record', timeoutMs, intervalMs: 250,
    });
  } catch {
    // reported below, tab by tab
  }
  await sleep(300); // a late duplicate would show up now
  views = await allViews(pages);
  const problems = views.flatMap((v, i) => compareTab(v, record, expected).map((p) => `tab ${i + 1}: ${p}`));
  if (problems.length) throw new Error(`expected every tab to show the server's record:\n${problems.join('\n')}`);
  return { views, expected };
}

// The server's variables for the demo tests: --demo, and history enough
// that the record (the replay from 0-0) still holds every tab's first event.
const DEMO_SERVER_ENV = { SSEMUX_DEMO: '1', SSEMUX_HISTORY: '100000' };

// The frame of every demo test: the staged demo site served by the C server
// in demo mode, the feed publishing to it, a fresh Chromium. On failure the
// server's and the feed's logs join the screenshots; everything is torn
// down whatever happened.
export async function withDemo(t, { retryMs = 1000, feed: feedOptions = {} } = {}, fn) {
  clearArtifacts(t.name);
  const site = stageDemoSite();
  let server = null;
  let feed = null;
  // startServer passes our environment on to the server.
  const saved = Object.fromEntries(Object.keys(DEMO_SERVER_ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, DEMO_SERVER_ENV);
  try {
    server = await startServer({ kind: 'c', staticDir: site.dir, retryMs });
    feed = startFeed(server.origin, feedOptions);
    return await withBrowser(t, (browser) => fn({ server, feed, browser }));
  } catch (err) {
    const dir = artifactDirFor(t.name);
    if (server) writeFileSync(join(dir, 'c-server.log'), server.log());
    if (feed) writeFileSync(join(dir, 'feed.log'), feed.log());
    throw err;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await feed?.stop().catch(() => {});
    await server?.stop();
    site.remove();
  }
}

// Why the demo tests cannot run here (said loudly; under CI a failure), or false.
export function demoSkipReason() {
  return skipWhenMissing(demoMissing());
}

function demoMissing() {
  if (!existsSync(join(webDir, 'ssemux.js'))) return `${webDir}/ssemux.js not found: build first (cmake --build build) or set SSEMUX_E2E_WEB_DIR`;
  if (chooseServerKind() !== 'c') return 'the demo needs the C server, and SSEMUX_E2E_SERVER=node asks for the stand-in';
  if (!execFileSync(cServerBin, ['--help'], { encoding: 'utf8', timeout: 5000 }).includes('--demo')) return `${cServerBin} has no --demo: rebuild it`;
  return null;
}

// Goals every tab has shown so far (the fewest of any tab).
export async function fewestGoals(pages) {
  return Math.min(...(await allViews(pages)).map((v) => v.goalIds.length));
}

// n demo tabs, loaded, live, sharing one server stream.
export async function openLiveDemoTabs(server, browser, n, { minMatches = 1 } = {}) {
  const pages = await openDemoTabs(browser, server.origin, n);
  await waitForLiveTabs(pages, { minMatches });
  await server.waitForStreams(1);
  return pages;
}

// Waits until every tab has shown more than `goals` goals.
export function waitForGoalsAfter(pages, goals, what) {
  return waitFor(() => fewestGoals(pages), (n) => n > goals, { what, timeoutMs: 60_000, intervalMs: 250 });
}

// The end of every demo test: the feed stops, the server must have seen
// `streams` ({ open, openedTotal }) before the record is read (reading it
// is a stream of its own), and every tab must show the record.
export async function stopFeedAndCompare(server, feed, pages, streams, why) {
  await feed.stop();
  const stats = await server.streamStats();
  if (stats.open !== streams.open || stats.openedTotal !== streams.openedTotal) {
    throw new Error(`expected ${JSON.stringify(streams)} event streams on the server (${why}), got ${JSON.stringify(stats)}`);
  }
  const record = await readRecord(server);
  return { record, ...(await expectTabsMatchRecord(pages, record)) };
}
