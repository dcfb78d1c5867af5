// A client that stops reading is cut once it falls --max-backlog-bytes
// behind, resumes by ID and loses nothing, and nobody else notices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, publish, readStream, parseStream, metrics, eventually, stalledStream,
} from './server-harness.mjs';

let server;
before(async () => {
  server = await startServer(['--max-body-bytes', '300000', '--max-backlog-bytes', '1048576',
    '--history', '1000']);
});
after(async () => { await server?.stop(); });

test('cuts_a_stalled_reader_which_then_resumes_by_id_without_loss', async () => {
  // 10 MB in all: more than the socket buffers (wmem max 4 MB here; a
  // paused reader's receive window does not grow) plus --max-backlog-bytes.
  const total = 40;
  const data = 'x'.repeat(250 * 1024);
  const slow = await stalledStream(server, '/events?topic=slow');
  const ids = [];
  const healthy = readStream(server.url('/events?topic=slow'), {
    onOpen: async () => {
      for (let i = 0; i < total; i++) ids.push(await publish(server, 'slow', `${i}:${data}`));
    },
    untilIds: total,
    limit: 30000,
  });
  const healthyRes = await healthy;
  assert.deepEqual(parseStream(healthyRes.text).events.map((e) => e.id), ids,
    'a reading client gets every event while another one stalls');

  await eventually(async () => (await metrics(server)).ssemux_slow_consumer_disconnects_total >= 1,
    'the stalled stream to be counted as a slow consumer');

  const partial = parseStream(await slow.drain()).events.filter((e) => e.id);
  assert.ok(partial.length < total, `the stalled stream should have been cut short, got ${partial.length}`);
  const resumeFrom = partial.length ? partial.at(-1).id : undefined;
  const rest = await readStream(server.url('/events?topic=slow'), {
    headers: resumeFrom ? { 'Last-Event-ID': resumeFrom } : {},
    untilIds: total - partial.length,
    limit: 30000,
  });
  const got = [...partial, ...parseStream(rest.text).events].map((e) => e.id);
  assert.deepEqual(got, ids, 'cut + resumed must be every event exactly once, in order');
  assert.ok(partial.every((e, i) => e.data.startsWith(`${i}:`)), 'data intact up to the cut');
});

test('keeps_serving_after_the_cut', async () => {
  const res = await fetch(server.url('/healthz'));
  assert.equal(res.status, 200);
  const m = await metrics(server);
  assert.equal(m.ssemux_slow_consumer_disconnects_total, 1);
});
