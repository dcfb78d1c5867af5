// One upstream event stream: the wasm engine decides (reconnect, backoff,
// Retry-After, credential refresh, heartbeat watchdog, dedupe of replayed
// IDs); this file only performs its actions with fetch() and timers, and
// switches the topic set make-before-break.
import { openConnection, requestHeaders, utf8BinaryString } from './connection.js';
import { resumeRequest } from './resume.js';
import { upstreamUrl, sameTopics } from './stream-key.js';
import { TypeRouter } from './route.js';
import { STREAM_STATE } from '../messages.js';

export class Upstream {
  /**
   * options: core (loadCore()), stream (describeStream()), topics (Set|null),
   * lastEventId, fetch, origin (the hub's, or null: resume.js), clock { now,
   * setTimeout, clearTimeout }, engineConfig,
   * hasTokenProvider(), requestToken() -> Promise<string|null>, and the
   * reports onEvent(topic, type, data, id), onStatus({ state, reason, delayMs }),
   * onRefused(topics) (the server answered 403 to added topics), onDropped(code)
   * (an event broke a limit: an sse_status code).
   */
  constructor(options) {
    this.o = options;
    this.stream = options.stream;
    this.clock = options.clock;
    this.engine = options.core.createEngine({
      ...options.engineConfig,
      onEvent: (type, data, id) => this.dispatch(type, data, id),
      onRetry: (ms) => { this.counters.retryMs = ms; },
      onError: (code) => { this.counters.discarded++; this.o.onDropped(code); },
    });
    if (options.lastEventId) {
      try {
        this.engine.setLastEventId(options.lastEventId);
      } catch {
        // An ID the parser could never have produced (too long, NUL): start fresh.
      }
    }
    this.wantedTopics = options.topics;
    this.liveTopics = options.topics; // the topics of the connection being read
    this.router = new TypeRouter(this.liveTopics);
    this.conn = null; // the connection the engine reads
    this.candidate = null; // a connection with the new topic set, not answered yet
    this.token = null;
    this.tokenFresh = false; // a token just refreshed on 401: no need to ask again
    this.headerRefused = false; // a request carrying Last-Event-ID failed CORS (resume.js)
    this.attempt = 0; // bumped to invalidate async work (token waits) of older attempts
    this.timer = null;
    this.timerAt = -1;
    this.closed = false;
    this.state = STREAM_STATE.CONNECTING;
    this.origin = null; // of the response being read (null: the request's own)
    this.reason = 'started';
    this.delayMs = 0;
    this.counters = { events: 0, bytes: 0, reconnects: 0, topicSwitches: 0, discarded: 0,
      retryMs: 0, duplicates: 0 };
  }

  start() {
    this.perform(this.engine.start(this.clock.now()));
  }

  /** The subscriptions now want `topics` (null for a plain stream). */
  setTopics(topics) {
    this.wantedTopics = topics;
    if (this.closed) return;
    if (sameTopics(topics, this.liveTopics)) {
      this.dropCandidate();
      return;
    }
    // While connecting or waiting, the next request carries the new set.
    if (this.engine.state === 'open' && this.conn !== null) this.startCandidate();
  }

  /** Stops for good (the hub closes it when no tab is left). */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.attempt++;
    this.dropConnections();
    this.clearTimer();
    this.counters.duplicates = this.engine.duplicatesDropped;
    this.engine.close();
    this.engine.free();
  }

  get lastEventId() {
    return this.closed ? '' : this.engine.lastEventId;
  }

  snapshot() {
    if (!this.closed) this.counters.duplicates = this.engine.duplicatesDropped;
    return { ...this.counters };
  }

  // ---- performing the engine's actions ------------------------------------

  perform(action) {
    if (this.closed) return;
    switch (action.kind) {
      case 'connect':
        this.dropConnections();
        this.connect(action);
        break;
      case 'open':
        this.report(STREAM_STATE.OPEN, action.reason, 0);
        break;
      case 'retry':
        this.dropConnections();
        this.report(STREAM_STATE.RETRYING, action.reason, action.delayMs);
        break;
      case 'refresh_credential':
        this.dropConnections();
        this.report(STREAM_STATE.CONNECTING, action.reason, 0);
        this.refreshCredential();
        break;
      case 'stop':
        this.dropConnections();
        this.report(STREAM_STATE.CLOSED, action.reason, 0);
        break;
      default:
        break;
    }
    this.armTimer();
  }

  report(state, reason, delayMs) {
    this.state = state;
    this.reason = reason;
    this.delayMs = delayMs;
    this.o.onStatus({ state, reason, delayMs });
  }

  async connect(action) {
    const attempt = ++this.attempt;
    if (action.reason !== 'started') this.counters.reconnects++;
    this.report(STREAM_STATE.CONNECTING, action.reason, 0);
    if (this.tokenFresh) {
      this.tokenFresh = false;
    } else if (this.o.hasTokenProvider()) {
      // getToken() runs before each (re)connect, so a token that expired
      // while we waited is replaced without a wasted 401.
      const token = await this.o.requestToken();
      if (attempt !== this.attempt || this.closed) return;
      if (token !== null) this.token = token;
    }
    this.openMain(action.lastEventId);
  }

  async refreshCredential() {
    const attempt = ++this.attempt;
    const token = await this.o.requestToken();
    if (attempt !== this.attempt || this.closed) return;
    if (token !== null) {
      this.token = token;
      this.tokenFresh = true;
    }
    this.perform(this.engine.onCredential(token !== null, this.clock.now()));
  }

  openMain(lastEventId) {
    const topics = this.wantedTopics;
    this.conn = this.request(topics, lastEventId, (response, conn) => this.onMainResponse(conn, response, topics));
  }

  // onResponse(response, connection) -> true to read the body.
  request(topics, lastEventId, onResponse) {
    const resume = resumeRequest({
      url: upstreamUrl(this.stream, topics),
      headers: requestHeaders(this.stream.headers, this.token),
      lastEventId,
      idHeader: lastEventId === '' ? '' : utf8BinaryString(lastEventId),
      origin: this.o.origin ?? null,
      headerRefused: this.headerRefused,
    });
    const conn = openConnection({
      fetch: this.o.fetch,
      url: resume.url,
      sameOrigin: resume.sameOrigin,
      headers: resume.headers,
      withCredentials: this.stream.withCredentials,
      onResponse: (response) => onResponse(response, conn),
      onChunk: (bytes) => this.onChunk(conn, bytes),
      onEnd: (error, refused) => this.onEnd(conn, refused),
    });
    conn.resend = () => this.request(topics, lastEventId, onResponse);
    conn.carriesHeader = resume.carriesHeader;
    return conn;
  }

  respond(response) {
    const retryAfterHeader = response.headers.get('retry-after');
    const retryAfter = retryAfterHeader === null ? null
      : this.engine.parseRetryAfter(retryAfterHeader, Date.now());
    return this.engine.onResponse(response.status, response.headers.get('content-type'),
      retryAfter, this.clock.now());
  }

  onMainResponse(conn, response, topics) {
    if (conn !== this.conn || this.closed) return false;
    return this.adopt(response, topics);
  }

  // Hands the response of this.conn to the engine; returns true when the
  // body is to be read. An "open" (again, after a switch) lets the
  // subscriptions now covered hear it.
  adopt(response, topics) {
    const action = this.respond(response);
    if (action.kind !== 'open') {
      this.conn = null;
      this.perform(action);
      return false;
    }
    // MessageEvent.origin is the origin of the URL the stream came from,
    // after redirects (HTML, "event stream interpretation").
    if (response.url) this.origin = new URL(response.url).origin;
    if (topics !== this.liveTopics) {
      this.liveTopics = topics;
      this.router = new TypeRouter(topics);
    }
    this.perform(action);
    // The topic set changed while this request was out.
    if (!sameTopics(topics, this.wantedTopics)) this.startCandidate();
    return true;
  }

  onChunk(conn, bytes) {
    if (conn !== this.conn || this.closed) return;
    this.counters.bytes += bytes.length;
    this.engine.onBytes(bytes, this.clock.now());
  }

  onEnd(conn, refused) {
    if (this.closed) return;
    if (refused && conn === this.conn) {
      this.refused(conn);
      return;
    }
    if (conn === this.candidate) {
      // The new topic set could not even be requested: let the engine treat
      // it as the stream failing (its backoff), reconnecting with the new set.
      this.candidate = null;
    } else if (conn === this.conn) {
      this.conn = null;
    } else {
      return;
    }
    this.perform(this.engine.onClosed(this.clock.now()));
  }

  // The browser refused the response (CORS): a native EventSource fails the
  // connection for good. Unless the refusal may be the Last-Event-ID header's
  // (a preflight that does not allow it): then the same request goes again
  // at once with the ID in the query instead (resume.js), once per stream.
  refused(conn) {
    if (conn.carriesHeader && !this.headerRefused) {
      this.headerRefused = true;
      this.conn = conn.resend();
      return;
    }
    this.conn = null;
    this.dropConnections();
    this.clearTimer();
    this.report(STREAM_STATE.CLOSED, 'cors', 0);
  }

  dispatch(type, data, id) {
    this.counters.events++;
    const route = this.router.route(type);
    this.o.onEvent(route[0], route[1], data, id);
  }

  // ---- topic-set change, make-before-break ---------------------------------

  // A second request with the new topic set and Last-Event-ID = the last
  // event delivered. The old connection keeps delivering until the new one
  // answers; then the old one is dropped and the engine reads the new one.
  // Events the old one delivered meanwhile come again on the new one (the
  // server replays after that ID): the engine drops those replayed IDs.
  startCandidate() {
    this.dropCandidate();
    const topics = this.wantedTopics;
    this.candidate = this.request(topics, this.engine.lastEventId,
      (response, candidate) => this.onCandidateResponse(candidate, response, topics));
  }

  onCandidateResponse(candidate, response, topics) {
    if (candidate !== this.candidate || this.closed) return false;
    this.candidate = null;
    if (response.status === 403 && this.liveTopics !== null && topics !== null) {
      // The server refuses a topic (docs/auth.md: 403 = topic not allowed).
      // Keep the old connection: only the tabs that asked for it lose out.
      const added = [...topics].filter((t) => !this.liveTopics.has(t));
      if (added.length > 0) {
        this.o.onRefused(added);
        return false;
      }
    }
    if (this.engine.state !== 'open' || this.conn === null) return false;
    const old = this.conn;
    this.conn = candidate;
    old.abort();
    // Tell the engine the connection was replaced on purpose (not a failure,
    // so the backoff streak is untouched), then hand it the new response.
    // For the tabs the stream never stopped, so no status is reported.
    const now = this.clock.now();
    this.engine.replace(now);
    this.counters.topicSwitches++;
    return this.adopt(response, topics);
  }

  dropCandidate() {
    if (this.candidate !== null) {
      this.candidate.abort();
      this.candidate = null;
    }
  }

  dropConnections() {
    this.dropCandidate();
    if (this.conn !== null) {
      this.conn.abort();
      this.conn = null;
    }
  }

  // ---- the engine's timer (reconnect delay, heartbeat watchdog) ----------

  armTimer() {
    if (this.closed) return;
    const deadline = this.engine.deadline;
    if (deadline < 0) {
      this.clearTimer();
      return;
    }
    if (this.timer !== null && this.timerAt === deadline) return;
    this.clearTimer();
    this.timerAt = deadline;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.closed) return;
      const action = this.engine.onTimer(this.clock.now());
      // While open the deadline moves with every chunk: a timer that fired
      // early just re-arms for the current one.
      if (action.kind === 'none') this.armTimer();
      else this.perform(action);
    }, Math.max(0, deadline - this.clock.now()));
  }

  clearTimer() {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
