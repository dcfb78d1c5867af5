// A hub whose wasm core does not load must close every tab's source with an
// "error" event and a closed status naming the wasm, on every transport, and
// never leave a tab in CONNECTING (Chromium covers the SharedWorker and the
// leader tab with a bundled app: tests/bundlers/). Also: getToken without
// credentialKey warns once per page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { webDir } from './wasm-core.mjs';
import { FakeLocks, settle, expectEqual } from './hub-fakes.mjs';

globalThis.navigator = { locks: new FakeLocks() };
const { SharedEventSource } = await import(pathToFileURL(path.join(webDir, 'ssemux.js')).href);
const { loadHubCore } = await import(pathToFileURL(path.join(webDir, 'load-hub-core.js')).href);
const BASE = 'http://app.test/events';
// The start of a real ssemux.wasm: a valid header, then nothing.
const TRUNCATED_WASM = readFileSync(path.join(webDir, 'ssemux.wasm')).subarray(0, 1000);

async function until(what, predicate) {
  for (let i = 0; i < 400 && !predicate(); i++) await settle(1);
  assert.ok(predicate(), `timed out waiting for ${what}`);
}

function watch(source) {
  const seen = { errors: 0, statuses: [] };
  source.addEventListener('error', () => seen.errors++);
  source.addEventListener('ssemux-status', (e) => seen.statuses.push(e.detail.state));
  return seen;
}

function expectClosedByCore(source, seen, transport, what) {
  expectEqual({ readyState: source.readyState, state: source.status.state, transport: source.status.transport,
    errors: seen.errors > 0 },
  { readyState: 2, state: 'closed', transport, errors: true }, what);
  assert.match(source.status.reason, /^wasm core failed to load: /, `${what}: status.reason`);
}

test('in_page_hub_without_a_core_closes_the_source_with_an_error', async () => {
  const hubOptions = { wasmUrl: TRUNCATED_WASM };
  const source = new SharedEventSource(`${BASE}?topic=a`, { transport: 'in-page', hubOptions, workerUrl: 'http://app.test/in-page.js' });
  const seen = watch(source);
  await until('the source to close', () => source.readyState === 2);
  expectClosedByCore(source, seen, 'in-page', 'in-page source after a truncated wasm');
});

test('leader_hub_without_a_core_closes_the_sources_of_every_tab', async () => {
  const hubOptions = { wasmUrl: TRUNCATED_WASM, scope: 'core-failure' };
  // Two pages: two page-level clients (distinct workerUrl) on one channel.
  const pageA = new SharedEventSource(`${BASE}?topic=a`, { transport: 'leader', hubOptions, workerUrl: 'http://app.test/a.js' });
  const pageB = new SharedEventSource(`${BASE}?topic=b`, { transport: 'leader', hubOptions, workerUrl: 'http://app.test/b.js' });
  const seenA = watch(pageA);
  const seenB = watch(pageB);
  await until('both sources to close', () => pageA.readyState === 2 && pageB.readyState === 2);
  expectClosedByCore(pageA, seenA, 'leader', 'page A after the leader found the wasm truncated');
  expectClosedByCore(pageB, seenB, 'leader', 'page B after the leader found the wasm truncated');
});

test('a_core_that_never_arrives_fails_at_the_deadline', async () => {
  const never = new Promise(() => {});
  await assert.rejects(loadHubCore(never, 50), /^Error: wasm core failed to load: not loaded within 50 ms$/);
});

test('get_token_without_credential_key_warns_once_per_page', async () => {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  try {
    const options = { transport: 'in-page', hubOptions: { wasmUrl: TRUNCATED_WASM }, workerUrl: 'http://app.test/token.js' };
    const a = new SharedEventSource(`${BASE}?topic=a`, { ...options, getToken: () => 't' });
    const b = new SharedEventSource(`${BASE}?topic=b`, { ...options, getToken: () => 't' });
    const keyed = new SharedEventSource(`${BASE}?topic=c`, { ...options, getToken: () => 't', credentialKey: 'u1' });
    for (const s of [a, b, keyed]) s.close();
  } finally {
    console.warn = warn;
  }
  const about = warnings.filter((w) => w.includes('credentialKey'));
  expectEqual(about.length, 1, `warnings about credentialKey (all: ${JSON.stringify(warnings)})`);
  assert.match(about[0], /docs\/auth\.md/, 'the warning points at docs/auth.md');
});
