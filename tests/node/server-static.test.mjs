// --static DIR: files with the MIME types browsers insist on (modules and
// wasm streaming are refused otherwise), next to the API on one origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import {
  startServer, publish, readStream, parseStream, tempDir, removeDir, within, run, serverPath,
  WAIT_LIMIT_MS,
} from './server-harness.mjs';

let server;
let dir;
let outside; // a directory next to the root, with a file nobody may read
const wasm = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

before(async () => {
  dir = tempDir();
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(dir, 'app.js'), 'export const x = 1;');
  writeFileSync(join(dir, 'worker.mjs'), 'export const y = 2;');
  writeFileSync(join(dir, 'core.wasm'), wasm);
  writeFileSync(join(dir, 'style.css'), 'body{}');
  writeFileSync(join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, 'data.json'), '{"a":1}');
  writeFileSync(join(dir, 'blob.xyz'), 'whatever');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'index.html'), '<p>sub</p>');
  outside = tempDir();
  writeFileSync(join(outside, 'secret.txt'), 'secret outside');
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'abs-out'));
  symlinkSync(relative(dir, join(outside, 'secret.txt')), join(dir, 'rel-out'));
  symlinkSync('rel-out', join(dir, 'chain'));
  symlinkSync('..', join(dir, 'up'));
  symlinkSync(outside, join(dir, 'dir-out'));
  symlinkSync('sub/index.html', join(dir, 'in-rel'));
  symlinkSync('sub', join(dir, 'in-dir'));
  server = await startServer(['--static', dir]);
});
after(async () => {
  await server?.stop();
  if (dir) removeDir(dir);
  if (outside) removeDir(outside);
});

const expectations = [
  ['/', 'text/html; charset=utf-8', '<!doctype html><title>home</title>'],
  ['/index.html', 'text/html; charset=utf-8', '<!doctype html><title>home</title>'],
  ['/app.js', 'text/javascript; charset=utf-8', 'export const x = 1;'],
  ['/worker.mjs', 'text/javascript; charset=utf-8', 'export const y = 2;'],
  ['/style.css', 'text/css; charset=utf-8', 'body{}'],
  ['/logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
  ['/data.json', 'application/json', '{"a":1}'],
  ['/blob.xyz', 'application/octet-stream', 'whatever'],
  ['/sub/', 'text/html; charset=utf-8', '<p>sub</p>'],
];

test('serves_files_with_the_mime_types_browsers_require', async () => {
  const wrong = [];
  for (const [path, type, body] of expectations) {
    const res = await within(WAIT_LIMIT_MS, fetch(server.url(path)), path);
    const text = await res.text();
    if (res.status !== 200 || res.headers.get('content-type') !== type || text !== body) {
      wrong.push(`${path}: expected 200 ${type} ${JSON.stringify(body)}, ` +
        `got ${res.status} ${res.headers.get('content-type')} ${JSON.stringify(text)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('serves_wasm_as_application_wasm_byte_for_byte', async () => {
  const res = await fetch(server.url('/core.wasm'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), wasm);
});

test('answers_404_for_missing_files', async () => {
  const res = await fetch(server.url('/missing.js'));
  assert.equal(res.status, 404);
});

test('refuses_paths_that_climb_out_of_the_directory', async () => {
  const reply = await within(WAIT_LIMIT_MS, new Promise((ok) => {
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { text += d; });
    socket.on('close', () => ok(text));
    socket.on('error', () => ok(text));
    socket.on('connect', () => socket.write('GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
  }), 'traversal attempt');
  assert.ok(!reply.includes('root:'), `must not serve files outside --static: ${reply.slice(0, 200)}`);
  assert.ok(!/^HTTP\/1\.1 200/.test(reply), reply.slice(0, 200));
});

test('keeps_the_api_next_to_the_files', async () => {
  let id;
  const res = await readStream(server.url('/events?topic=static'), {
    onOpen: async () => { id = await publish(server, 'static', 'same origin'); },
    until: (text) => text.includes('data: same origin\n\n'),
  });
  assert.deepEqual(parseStream(res.text).events.map((e) => e.id), [id]);
  const health = await fetch(server.url('/healthz'));
  assert.equal(health.status, 200);
  const metricsRes = await fetch(server.url('/metrics'));
  assert.match(await metricsRes.text(), /ssemux_connections/);
});

test('never_serves_a_file_whose_real_path_is_outside_the_root', async () => {
  const paths = ['/abs-out', '/rel-out', '/chain', `/up/${basename(outside)}/secret.txt`,
    '/dir-out/secret.txt', '/dir-out/', `/in-dir/../up/${basename(outside)}/secret.txt`];
  const wrong = [];
  for (const path of paths) {
    const res = await within(WAIT_LIMIT_MS, fetch(server.url(path)), path);
    const text = await res.text();
    if (res.status !== 404 || text.includes('secret outside')) wrong.push(`${path}: expected 404, got ${res.status} ${text.slice(0, 80)}`);
  }
  assert.deepEqual(wrong, []);
});

test('serves_symlinks_that_stay_inside_the_root', async () => {
  for (const path of ['/in-rel', '/in-dir/', '/in-dir/index.html']) {
    const res = await within(WAIT_LIMIT_MS, fetch(server.url(path)), path);
    assert.equal(`${res.status} ${await res.text()}`, '200 <p>sub</p>', path);
  }
});

test('refuses_to_start_with_a_static_root_that_is_not_a_directory', async () => {
  for (const [root, why] of [['/nonexistent-ssemux-root', 'No such file or directory'],
    [join(dir, 'index.html'), 'not a directory'], ['/', 'refusing to serve the whole file system']]) {
    const res = await run(serverPath, ['--port', '0', '--static', root]);
    assert.notEqual(res.code, 0, `--static ${root} must not start`);
    assert.match(res.stderr, new RegExp(`--static ${root}: ${why}`));
  }
});
