// ssecat -X / -d: the method and body go out on the first request and again
// on every reconnect, against a real node HTTP server on 127.0.0.1.
// Run: node --test tests/node/ssecat-method-body.test.mjs
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  runSsecat, withServer, startEventStream, eventLine, expectEqual, expectMatch,
} from './ssecat-harness.mjs';

/** First connection: one event, then the TCP connection is cut mid-stream. */
function cutAfterFirstEvent(req, res, record) {
  startEventStream(res);
  if (record.n === 1) {
    res.write('retry: 50\nid: 1\ndata: before the cut\n\n');
    setTimeout(() => res.socket.destroy(), 50);
    return;
  }
  res.write('id: 2\ndata: after the cut\n\n');
}

const asSent = (r) => ({ method: r.method, body: r.body, type: r.headers['content-type'],
  length: r.headers['content-length'], lastId: r.headers['last-event-id'] });

test('post_body_is_sent_again_after_a_cut_connection', async () => {
  const body = '{"topics":["scores"],"since":null}';
  await withServer(cutAfterFirstEvent, async (server) => {
    const run = await runSsecat(['-d', body, '-H', 'Content-Type: application/json',
      '--max-events', '2', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('before the cut', '1'), eventLine('after the cut', '2')],
      'events across the cut', run);
    const length = String(Buffer.byteLength(body));
    expectEqual(server.requests.map(asSent), [
      { method: 'POST', body, type: 'application/json', length, lastId: undefined },
      { method: 'POST', body, type: 'application/json', length, lastId: '1' },
    ], 'both requests', run);
  });
});

test('report_body_from_a_file_is_sent_again_after_a_cut_connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssecat-body-'));
  // Line breaks and non-ASCII bytes are sent as they are (unlike curl -d @FILE).
  const body = '<query>\n  <team>Öster</team>\r\n</query>\n';
  const file = join(dir, 'query.xml');
  writeFileSync(file, body);
  try {
    await withServer(cutAfterFirstEvent, async (server) => {
      const run = await runSsecat(['-X', 'REPORT', '--data', `@${file}`, '--max-events', '2',
        server.url]);
      expectEqual(run.code, 0, 'exit code', run);
      expectEqual(run.lines.length, 2, 'events across the cut', run);
      // No -H Content-Type: what fetch() sends with a string body.
      const type = 'text/plain;charset=UTF-8';
      const length = String(Buffer.byteLength(body));
      expectEqual(server.requests.map(asSent), [
        { method: 'REPORT', body, type, length, lastId: undefined },
        { method: 'REPORT', body, type, length, lastId: '1' },
      ], 'both requests', run);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('body_can_come_from_stdin', async () => {
  await withServer((req, res) => {
    startEventStream(res);
    res.write('data: got it\n\n');
  }, async (server) => {
    const run = await runSsecat(['--method', 'put', '-d', '@-', '--max-events', '1', server.url],
      { input: 'from a pipe' });
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual([server.requests[0].method, server.requests[0].body], ['PUT', 'from a pipe'],
      'method (normalised like fetch) and body', run);
  });
});

test('method_without_body_sends_what_fetch_sends', async () => {
  for (const [method, expected] of [
    ['post', { method: 'POST', body: '', type: undefined, length: '0', lastId: undefined }],
    ['DELETE', { method: 'DELETE', body: '', type: undefined, length: undefined, lastId: undefined }],
    ['GET', { method: 'GET', body: '', type: undefined, length: undefined, lastId: undefined }],
  ]) {
    await withServer((req, res) => {
      startEventStream(res);
      res.write('data: ok\n\n');
    }, async (server) => {
      const run = await runSsecat(['-X', method, '--max-events', '1', server.url]);
      expectEqual(run.code, 0, `exit code for -X ${method}`, run);
      expectEqual(asSent(server.requests[0]), expected, `request for -X ${method}`, run);
    });
  }
});

test('bad_method_or_body_options_exit_2_before_connecting', async () => {
  const url = 'http://127.0.0.1:9/never';
  for (const [args, why] of [
    [['-X', 'GET', '-d', 'x', url], /GET request cannot have a body/],
    [['-X', 'HEAD', url], /HEAD response has no stream/],
    [['-X', 'BAD METHOD', url], /not an HTTP method token/],
    [['-X', 'connect', url], /forbids/],
    [['-d', '@/nonexistent/body.json', url], /No such file/],
    [['-d', 'a', '-d', 'b', url], /give -d once/],
    [['--max-redirs', '-1', url], /--max-redirs wants a count/],
    [['--parse', '-d', 'x'], /only apply to URL mode/],
  ]) {
    const run = await runSsecat(args);
    expectEqual(run.code, 2, `exit code for ssecat ${args.join(' ')}`, run);
    expectMatch(run.stderr, why, `stderr for ssecat ${args.join(' ')}`, run);
  }
});
