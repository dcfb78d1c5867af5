// SIGHUP makes ssecat drop its connection and reconnect at once, with
// Last-Event-ID, the method and the body. Run: node --test tests/node/ssecat-restart.test.mjs
import { test } from 'node:test';
import {
  runSsecat, withServer, startEventStream, eventLine, expectEqual, expectMatch, expectBetween,
} from './ssecat-harness.mjs';

/** A resuming server: events `from`..`to`, each ID once, from Last-Event-ID + 1. */
function writeEvents(res, from, to) {
  for (let id = from; id <= to; id++) res.write(`id: ${id}\ndata: event ${id}\n\n`);
}

test('sighup_mid_stream_reconnects_at_once_with_nothing_lost_or_repeated', async () => {
  let hupSentAt;
  await withServer((req, res, record) => {
    startEventStream(res);
    if (record.n === 1) {
      // Three whole events and half of the fourth; the socket stays open.
      writeEvents(res, 1, 3);
      res.write('id: 4\ndata: event 4 is half');
      return;
    }
    writeEvents(res, Number(req.headers['last-event-id']) + 1, 6);
  }, async (server) => {
    // --retry 30000: only an immediate reconnect finishes within the run limit.
    const run = await runSsecat(['-X', 'REPORT', '-d', 'topics=scores', '--retry', '30000',
      '--max-events', '6', server.url], {
      onStdoutLine: (line, child) => {
        if (line === eventLine('event 3', '3')) {
          hupSentAt = performance.now();
          child.kill('SIGHUP');
        }
      },
    });
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [1, 2, 3, 4, 5, 6].map((id) => eventLine(`event ${id}`, String(id))),
      'every event once, the half one whole after the reconnect', run);
    expectEqual(server.requests.map((r) => [r.method, r.body, r.headers['last-event-id']]), [
      ['REPORT', 'topics=scores', undefined],
      ['REPORT', 'topics=scores', '3'],
    ], 'requests: method, body and Last-Event-ID', run);
    expectBetween(server.requests[1].at - hupSentAt, 0, 5000,
      'ms from SIGHUP to the new request (--retry is 30000)', run);
    expectMatch(run.stderr, /reconnecting now \(SIGHUP\)/, 'status line', run);
  });
});

test('sighup_while_waiting_to_reconnect_connects_at_once', async () => {
  await withServer((req, res, record) => {
    startEventStream(res);
    if (record.n === 1) {
      res.end('retry: 60000\nid: 1\ndata: first\n\n');
      return;
    }
    writeEvents(res, 2, 2);
  }, async (server) => {
    const run = await runSsecat(['--max-events', '2', server.url], {
      onStderrLine: (line, child) => {
        if (/reconnecting in 60000 ms/.test(line)) child.kill('SIGHUP');
      },
    });
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('first', '1'), eventLine('event 2', '2')], 'stdout', run);
    expectEqual(server.requests[1]?.headers['last-event-id'], '1', 'Last-Event-ID', run);
    expectBetween(run.elapsed, 0, 15000, 'ms for the whole run (retry: 60000 was not waited)', run);
  });
});
