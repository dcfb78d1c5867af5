// POST /publish that outlives the server: a refused connection, a timeout
// or a 5xx is retried until it succeeds (or the feed is stopped), so a
// killed and restarted server misses no event of the feed. Events go out
// one at a time, in order.
const RETRY_EVERY_MS = 250;
const REQUEST_TIMEOUT_MS = 5000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Publisher {
  constructor({ origin, topic, log = () => {} }) {
    this.url = new URL('/publish', origin).href;
    this.topic = topic;
    this.log = log;
    this.stopped = false;
    this.published = 0;
    this.lastId = null;
  }

  stop() {
    this.stopped = true;
  }

  // Resolves with the event's ID, or null if stopped before it got in.
  // A 4xx is a bug in the feed, not an outage: it throws.
  async publish(type, data) {
    const body = JSON.stringify({ topic: this.topic, type, data: JSON.stringify(data) });
    let failingSince = 0;
    while (!this.stopped) {
      let problem;
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        if (res.ok) {
          if (failingSince) this.log(`server back after ${Date.now() - failingSince} ms`);
          this.published++;
          this.lastId = JSON.parse(text).id;
          return this.lastId;
        }
        if (res.status < 500) throw new Error(`POST /publish ${type}: ${res.status} ${text}`);
        problem = `${res.status} ${text.trim()}`;
      } catch (err) {
        if (err.message.startsWith('POST /publish')) throw err;
        problem = err.cause?.code ?? err.name ?? err.message;
      }
      if (!failingSince) {
        failingSince = Date.now();
        this.log(`cannot publish (${problem}); retrying every ${RETRY_EVERY_MS} ms`);
      }
      await sleep(RETRY_EVERY_MS);
    }
    return null;
  }
}
