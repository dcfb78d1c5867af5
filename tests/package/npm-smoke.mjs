// Run by tests/package/npm.sh from inside a scratch project that installed
// the packed `ssemux` tarball: everything is imported by the package's name,
// so what is checked is the installed copy and its "exports", not worker/src.
// Exits nonzero, naming what was expected and what came instead, on any failure.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const installed = path.resolve('node_modules', 'ssemux');
const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));

function ok(what) {
  console.log(`ok   ${what}`);
}

function resolvedFile(specifier) {
  const file = fileURLToPath(import.meta.resolve(specifier));
  assert.ok(file.startsWith(installed + path.sep),
    `${specifier} should resolve inside ${installed}, resolved to ${file}`);
  assert.ok(existsSync(file), `${specifier} resolves to ${file}, which does not exist`);
  return file;
}

// Every subpath in "exports", and every "types" condition, is a real file.
const subpaths = Object.keys(pkg.exports);
for (const subpath of subpaths) {
  resolvedFile(subpath === '.' ? 'ssemux' : `ssemux/${subpath.slice(2)}`);
  const target = pkg.exports[subpath];
  if (typeof target === 'object' && target.types) {
    assert.ok(existsSync(path.join(installed, target.types)),
      `exports["${subpath}"].types names ${target.types}, which is not in the package`);
  }
}
assert.ok(pkg.types && existsSync(path.join(installed, pkg.types)),
  `"types" should name a shipped .d.ts, got ${pkg.types}`);
ok(`every "exports" entry resolves to a shipped file (${subpaths.join(', ')}), and its types too`);

// What a bundler for the browser picks: "." has types, browser and import
// conditions, the package says which file has side effects, and no module
// reachable from the browser entry imports a Node-only module (a bundler
// would warn, or fail, on it).
for (const condition of ['types', 'browser', 'import']) {
  assert.ok(pkg.exports['.'][condition], `exports["."] should have a "${condition}" condition, has ${Object.keys(pkg.exports['.'])}`);
}
assert.ok(Array.isArray(pkg.sideEffects) || pkg.sideEffects === false, `"sideEffects" should be set, got ${pkg.sideEffects}`);
assert.ok(pkg.license && existsSync(path.join(installed, 'LICENSE')), 'the package should name its license and ship LICENSE');
const browserGraph = new Set();
const pending = [path.join(installed, pkg.exports['.'].browser)];
while (pending.length > 0) {
  const file = pending.pop();
  if (browserGraph.has(file)) continue;
  browserGraph.add(file);
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, ''); // code, not comments
  // Static and dynamic imports with a literal specifier, and workers/assets
  // named by new URL('...', import.meta.url): what a bundler follows.
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)'([^']+)'/g)].map((m) => m[1]);
  const nodeOnly = /['"`]node:[\w/]+['"`]/.exec(text);
  assert.equal(nodeOnly, null, `${path.relative(installed, file)} names the Node-only module ${nodeOnly}`);
  for (const specifier of specifiers) {
    assert.ok(specifier.startsWith('./') || specifier.startsWith('../'),
      `${path.relative(installed, file)} imports "${specifier}": the browser graph must use only the package's own files`);
    if (specifier.endsWith('.js')) pending.push(path.resolve(path.dirname(file), specifier));
  }
}
assert.ok(browserGraph.has(path.join(installed, 'src/ssemux-worker.js')) && browserGraph.has(path.join(installed, 'src/ssemux-core.js')),
  `the browser graph should reach the worker and the core, reached ${[...browserGraph].map((f) => path.relative(installed, f))}`);
ok(`exports["."] has types/browser/import; the browser graph (${browserGraph.size} modules, worker and core included) imports nothing outside the package`);

// The .d.ts files declare what the modules export.
const mainTypes = readFileSync(path.join(installed, pkg.exports['.'].types), 'utf8');
assert.match(mainTypes, /export declare class SharedEventSource\b|export class SharedEventSource\b/,
  'ssemux.d.ts should declare SharedEventSource');
const coreTypes = readFileSync(path.join(installed, pkg.exports['./core'].types), 'utf8');
assert.match(coreTypes, /export declare function loadCore\b/, 'ssemux-core.d.ts should declare loadCore');
ok('ssemux.d.ts declares SharedEventSource, ssemux-core.d.ts declares loadCore');

// The main entry imports in Node (no browser globals touched at load time).
const main = await import('ssemux');
assert.equal(typeof main.SharedEventSource, 'function',
  `import('ssemux').SharedEventSource should be a class, got ${typeof main.SharedEventSource}`);
assert.equal(main.SharedEventSource.OPEN, 1, 'SharedEventSource.OPEN should be 1, as EventSource.OPEN');
ok("import { SharedEventSource } from 'ssemux'");

// The wasm core from the package: loadCore() with no argument finds the
// ssemux.wasm shipped next to ssemux-core.js.
const { loadCore, Status } = await import('ssemux/core');
assert.equal(Status.OK, 0, 'Status.OK should be 0');
const core = await loadCore();
ok("loadCore() from 'ssemux/core' instantiates the packaged ssemux.wasm");

// A stream cut at every byte, as the network may deliver it: the WHATWG rules
// (BOM, CRLF, comments, multi-line data, id carried over, retry:) in one go.
const stream = '\uFEFFid: 7\r\nevent: goal\r\ndata: 1:0\r\n\r\n: heartbeat\n' +
  'data: line one\ndata: line two\n\nretry: 2500\nid\nevent: card\ndata: yellow #7\n\n';
const bytes = new TextEncoder().encode(stream);
const seen = [];
const parser = core.createParser({
  onEvent: (type, data, id) => seen.push(['event', type, data, id]),
  onRetry: (ms) => seen.push(['retry', ms]),
  onError: (code, message) => seen.push(['error', code, message]),
});
try {
  for (let i = 0; i < bytes.length; i++) {
    const status = parser.feed(bytes.subarray(i, i + 1));
    assert.equal(status, Status.OK, `feed() of byte ${i} returned ${status}`);
  }
  assert.equal(parser.lastEventId, '', 'the final empty id: line should reset lastEventId to ""');
} finally {
  parser.free();
}
assert.deepEqual(seen, [
  ['event', 'goal', '1:0', '7'],
  ['event', 'message', 'line one\nline two', '7'],
  ['retry', 2500],
  ['event', 'card', 'yellow #7', ''],
], 'events parsed by the installed wasm core, byte by byte');
ok('the installed wasm core parses a stream fed one byte at a time (4 dispatches, ids, retry)');

// The engine half of the core: connect, open, an event, a drop, and the
// reconnect that carries the event's ID as Last-Event-ID.
const engineEvents = [];
const engine = core.createEngine({ seed: 1, onEvent: (type, data, id) => engineEvents.push([type, data, id]) });
try {
  let action = engine.start(0);
  assert.equal(action.kind, 'connect', `start() should ask to connect, got ${action.kind}`);
  action = engine.onResponse(200, 'text/event-stream', null, 1);
  assert.equal(action.kind, 'open', `a 200 text/event-stream should open, got ${action.kind}`);
  assert.equal(engine.onBytes(new TextEncoder().encode('retry: 40\nid: 5\ndata: x\n\n'), 2), Status.OK);
  assert.deepEqual(engineEvents, [['message', 'x', '5']], 'the engine should deliver the event');
  action = engine.onClosed(3);
  assert.equal(action.kind, 'retry', `a dropped stream should wait and retry, got ${action.kind}`);
  assert.ok(action.delayMs > 0, `the retry should wait, delayMs = ${action.delayMs}`);
  action = engine.onTimer(engine.deadline);
  assert.equal(action.kind, 'connect', `the timer should reconnect, got ${action.kind}`);
  assert.equal(action.lastEventId, '5', `the reconnect should send Last-Event-ID 5, got "${action.lastEventId}"`);
} finally {
  engine.free();
}
ok('the installed engine reconnects after a drop with Last-Event-ID 5');
