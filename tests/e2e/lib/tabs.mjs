// Test tabs running pages/client.html, and the checks the e2e tests make on
// what each tab recorded. Failure messages name the tab and show expected
// vs got.
import { waitFor } from './wait.mjs';

export const CLIENT_PAGE = '/pages/client.html';
const CONNECTING = 0;

// Loads the client page in n new tabs, one after another: a tab's page load
// needs a free HTTP/1.1 socket, so load every page before any stream opens.
export async function openClientTabs(browser, origin, n) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await browser.newTab(`${origin}${CLIENT_PAGE}`);
    await page.waitForFunction(() => Boolean(window.ssemuxTest), null, { timeout: 10_000 });
    pages.push(page);
  }
  return pages;
}

export const openNative = (page, url, options = {}) =>
  page.evaluate(([u, o]) => window.ssemuxTest.openNative(u, o), [url, options]);

export const openShared = (page, url, options = {}) =>
  page.evaluate(([u, o]) => window.ssemuxTest.openShared(u, o), [url, options]);

export const snapshot = (page) => page.evaluate(() => window.ssemuxTest.snapshot());

export function eventsOf(snap, client = 0, type) {
  return snap.records.filter((r) => r.client === client && r.kind === 'event' && (!type || r.type === type));
}

// Waits until accept(snapshot, tabIndex) holds in every tab; resolves with
// the snapshots. On timeout the error shows each tab's clients.
export async function waitForAllTabs(pages, accept, { what, timeoutMs = 10_000, intervalMs = 100 }) {
  let snaps = [];
  try {
    return await waitFor(
      async () => (snaps = await Promise.all(pages.map((page) => snapshot(page)))),
      (all) => all.every((snap, i) => accept(snap, i)),
      { what, timeoutMs, intervalMs },
    );
  } catch (err) {
    const tabs = snaps.map((snap, i) => `  tab ${i + 1}${accept(snap, i) ? '' : ' (not yet)'}: ${describeClients(snap)}`);
    throw new Error(`expected ${what} in all ${pages.length} tabs within ${timeoutMs} ms, got:\n${tabs.join('\n')}`, { cause: err });
  }
}

export function describeClients(snap) {
  return snap.clients.map((c) => `${c.kind} readyState=${c.readyState} opened=${c.opened} events=${c.events} errors=${c.errors}`).join('; ') || 'no clients';
}

export const isOpened = (snap, client = 0) => snap.clients[client]?.opened === true;
export const isConnecting = (snap, client = 0) => snap.clients[client]?.readyState === CONNECTING;

// Compares what a tab received with what was published, in order and once.
// Returns null when equal, else a message with the first difference and
// which items are missing or repeated.
export function sequenceMismatch(label, got, expected) {
  if (got.length === expected.length && got.every((v, i) => v === expected[i])) return null;
  const seen = new Map();
  for (const v of got) seen.set(v, (seen.get(v) ?? 0) + 1);
  const missing = expected.filter((v) => !seen.has(v));
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([v]) => v);
  const expectedSet = new Set(expected);
  const unexpected = got.filter((v) => !expectedSet.has(v));
  const at = got.findIndex((v, i) => v !== expected[i]);
  const first = at < 0 ? expected.length : at;
  return `${label}: expected ${expected.length} events in order exactly once, got ${got.length}; ` +
    `first difference at index ${first} (expected ${JSON.stringify(expected[first])}, got ${JSON.stringify(got[first])}); ` +
    `missing ${JSON.stringify(missing.slice(0, 20))}${missing.length > 20 ? '...' : ''}, ` +
    `duplicated ${JSON.stringify(duplicated.slice(0, 20))}, unexpected ${JSON.stringify(unexpected.slice(0, 20))}`;
}

// Waits (bounded) until every tab holds as many items as it should, gives
// late duplicates SETTLE_MS to show up, then requires exactly the expected
// sequence in each tab. itemsOf(snap) and expectedFor(tabIndex) return lists
// of strings; labelOf(tabIndex) names a tab in the message. Resolves with the
// final snapshots; throws one error listing every tab that differs.
const SETTLE_MS = 300;
export async function expectExactDelivery(pages, { itemsOf, expectedFor, labelOf = (i) => `tab ${i + 1}`, what, timeoutMs = 15_000, hint = '' }) {
  // A timeout is not reported here: the exact comparison below says more.
  await waitForAllTabs(pages, (snap, i) => itemsOf(snap).length >= expectedFor(i).length, { what, timeoutMs }).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const snaps = await Promise.all(pages.map(snapshot));
  const problems = snaps.map((snap, i) => sequenceMismatch(labelOf(i), itemsOf(snap), expectedFor(i))).filter(Boolean);
  if (problems.length > 0) throw new Error(`${problems.join('\n')}${hint}`);
  return snaps;
}
