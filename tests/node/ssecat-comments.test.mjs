// ssecat --comments: comment lines as {"comment":"TEXT"} in stream order with
// the events, in both modes. Run: node --test tests/node/ssecat-comments.test.mjs
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  runSsecat, withServer, startEventStream, eventLine, expectEqual, expectMatch,
} from './ssecat-harness.mjs';

const commentLine = (text) => JSON.stringify({ comment: text });

// Comments before, between, inside and after events; one leading space is
// removed (only one), an empty comment is a heartbeat, CRLF and CR end lines.
const stream = Buffer.from([
  ':hello\n',
  'data: one\n\n',
  ': beat\r\n',
  'data: two\n:  inside two\ndata: more\n\n',
  ':\n',
  ': ünïcödé ✓\r',
  'id: 3\ndata: three\n\n',
  ':after\n',
].join(''));

const expected = [
  commentLine('hello'),
  eventLine('one'),
  commentLine('beat'),
  commentLine(' inside two'),
  eventLine('two\nmore'),
  commentLine(''),
  commentLine('ünïcödé ✓'),
  eventLine('three', '3'),
  commentLine('after'),
];

test('parse_mode_prints_comments_in_stream_order_for_any_split', async () => {
  for (const chunk of [[], ['--chunk', '1'], ['--chunk', '3']]) {
    const run = await runSsecat(['--parse', '--comments', ...chunk], { input: stream });
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, expected, `ssecat --parse --comments ${chunk.join(' ')}`, run);
  }
});

test('without_the_flag_the_output_is_events_only_as_before', async () => {
  const run = await runSsecat(['--parse'], { input: stream });
  expectEqual(run.lines, expected.filter((l) => !l.startsWith('{"comment"')), '--parse output', run);
});

test('url_mode_prints_comments_interleaved_with_events_as_they_arrive', async () => {
  await withServer(async (req, res) => {
    startEventStream(res);
    // Separate writes, with pauses, so ssecat reads a comment split in pieces.
    for (const piece of [':hel', 'lo\ndata: one\n', '\n: be', 'at\r\n', 'data: two\n:  inside two\ndata: more\n\n',
      ':\n: ünïcödé ✓\rid: 3\ndata: three\n\n:after\n']) {
      if (res.destroyed) return;
      res.write(piece);
      await sleep(30);
    }
  }, async (server) => {
    const seen = [];
    const run = await runSsecat(['--comments', server.url], {
      onStdoutLine: (line, child) => {
        seen.push(line);
        if (seen.length === expected.length) child.kill('SIGTERM');
      },
    });
    expectEqual(run.code, 0, 'exit code after SIGTERM', run);
    expectEqual(run.lines, expected, 'stdout', run);
  });
});

test('a_comment_cut_off_by_a_lost_connection_is_not_printed', async () => {
  await withServer((req, res, record) => {
    startEventStream(res);
    if (record.n === 1) {
      res.write('retry: 50\n: whole\n: cut off in the midd');
      setTimeout(() => res.socket.destroy(), 50);
      return;
    }
    res.write(': next stream\ndata: done\n\n');
  }, async (server) => {
    const run = await runSsecat(['--comments', '--max-events', '1', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [commentLine('whole'), commentLine('next stream'), eventLine('done')],
      'stdout', run);
  });
});

test('a_comment_past_the_data_limit_is_dropped_and_reported', async () => {
  const input = ': short\n: this comment is longer than sixteen bytes\n: ok again\n';
  for (const chunk of [[], ['--chunk', '1']]) {
    const run = await runSsecat(['--parse', '--comments', '--max-data', '16', ...chunk], { input });
    expectEqual(run.lines, [commentLine('short'), commentLine('ok again')], 'stdout', run);
    expectMatch(run.stderr, /comment longer than the data limit/, 'stderr', run);
  }
});
