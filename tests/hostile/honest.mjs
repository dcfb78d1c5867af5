// The honest side of the hostile suite: subscribers that must get every
// acknowledged event exactly once, in order, and a keep-alive publisher.
import http from 'node:http';
import { createParser } from 'eventsource-parser';

/**
 * One subscriber to `topic`: reconnects (with Last-Event-ID) whenever its
 * stream ends, records every event and the longest silence between any two
 * arrivals (events or heartbeat comments) on a live stream.
 */
export function subscriber(port, topic, token) {
  const state = { ids: [], data: [], maxGapMs: 0, reconnects: 0, stopped: false, lastId: '' };
  let req;
  const open = () => {
    if (state.stopped) return;
    const headers = { authorization: `Bearer ${token}` };
    if (state.lastId) headers['last-event-id'] = state.lastId;
    req = http.get({ host: '127.0.0.1', port, path: `/events?topic=${topic}`, headers, agent: false }, (res) => {
      let last = Date.now();
      const parser = createParser({
        onEvent: (e) => {
          if (e.event === 'ssemux-gap') return;
          state.ids.push(e.id);
          state.data.push(e.data);
          state.lastId = e.id;
        },
      });
      res.setEncoding('utf8');
      res.on('data', (text) => {
        const now = Date.now();
        state.maxGapMs = Math.max(state.maxGapMs, now - last);
        last = now;
        parser.feed(text);
      });
      res.on('end', () => { state.reconnects++; setTimeout(open, 100); });
      res.on('error', () => {});
    });
    req.on('error', () => { if (!state.stopped) { state.reconnects++; setTimeout(open, 100); } });
  };
  open();
  state.stop = () => { state.stopped = true; req?.destroy(); };
  return state;
}

/** Publishes `data-N` to `topic` every `everyMs` on one keep-alive connection. */
export function publisher(port, topic, token, everyMs = 25) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const state = { acked: [], refused: 0, errors: 0, stopped: false };
  let n = 0;
  const once = () => new Promise((done) => {
    const body = new URLSearchParams({ topic, data: `data-${n++}` }).toString();
    const req = http.request({ host: '127.0.0.1', port, path: '/publish', method: 'POST', agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        if (res.statusCode === 200) state.acked.push(JSON.parse(text).id); else state.refused++;
        done();
      });
    });
    req.on('error', () => { state.errors++; done(); });
    // A frozen server must fail the suite, not hang it.
    req.setTimeout(10000, () => req.destroy(new Error('no answer in 10 s')));
    req.end(body);
  });
  state.done = (async () => {
    while (!state.stopped) {
      await once();
      await new Promise((ok) => setTimeout(ok, everyMs));
    }
    agent.destroy();
  })();
  state.stop = () => { state.stopped = true; return state.done; };
  return state;
}
