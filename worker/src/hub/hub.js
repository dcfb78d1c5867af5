// The hub: tabs subscribe to event streams; the hub keeps ONE upstream per
// origin + endpoint + credential identity, carrying the union of the tabs'
// topics, and fans each event out to the tabs that asked for its topic.
// It runs in the SharedWorker (ssemux-worker.js), in the leader tab of the
// Web Locks fallback, or in the page (the last resort). No window/document.
import { TO_HUB, TO_TAB, STREAM_STATE } from '../messages.js';
import { describeStream } from './stream-key.js';
import { wants } from './route.js';
import { RecentEvents } from './recent.js';
import { TabRegistry } from './tabs.js';
import { Fanout } from './fanout.js';
import { Upstream } from './upstream.js';
import { stateFor, statusMessage, streamStats } from './status.js';

export const HUB_DEFAULTS = Object.freeze({
  graceMs: 3000, // last tab gone -> close the upstream after this (a reload must not reconnect)
  settleMs: 15, // coalesce subscriptions arriving together into one request / topic switch
  livenessTimeoutMs: 130000, // a tab silent this long is gone (hidden tabs ping once a minute)
  recentLimit: 64, // events remembered per topic for late joiners
  tokenTimeoutMs: 10000, // getToken() in a tab must answer within this
  fanoutWindowMs: 4, // a steady stream reaches each tab in batches at most this often (fanout.js)
  fanoutMessagesPerSecond: 5000, // ... and the window widens so all tabs together get at most this many
  fanoutMaxWindowMs: 16, // ... up to this window
  pauseWhenHidden: false, // close the upstream while every tab is hidden
  engineConfig: {}, // wasm engine config (initialRetryMs, maxRetryMs, ...)
});

const systemClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t),
};

export class Hub {
  /**
   * options: core (from loadCore()), fetch, clock, locks (navigator.locks or
   * null), hubId, origin (the pages' origin; default location.origin), and
   * any of HUB_DEFAULTS.
   */
  constructor(options) {
    this.o = { ...HUB_DEFAULTS, ...options };
    this.core = options.core;
    this.fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.clock = options.clock ?? systemClock;
    this.hubId = options.hubId ?? randomId();
    // Requests to other origins resume without a preflight (resume.js).
    this.origin = options.origin !== undefined ? options.origin : (globalThis.location?.origin ?? null);
    this.streams = new Map(); // stream key -> entry
    this.tokenRequests = new Map(); // request id -> { tab, resolve, timer }
    this.nextRequest = 1;
    this.tabs = new TabRegistry({
      clock: this.clock,
      fanout: new Fanout({ clock: this.clock, windowMs: this.o.fanoutWindowMs,
        messagesPerSecond: this.o.fanoutMessagesPerSecond, maxWindowMs: this.o.fanoutMaxWindowMs }),
      locks: options.locks ?? null,
      livenessTimeoutMs: this.o.livenessTimeoutMs,
      hubId: this.hubId,
      onMessage: (tab, message) => this.receive(tab, message),
      onGone: (tab) => this.tabGone(tab),
    });
  }

  /** A tab's port: SharedWorker "connect", or a fallback's virtual port. */
  connect(port) {
    this.tabs.attach(port);
  }

  /** Closes every upstream and port (fallback leader stepping down, tests). */
  close() {
    this.tabs.clear();
    for (const entry of [...this.streams.values()]) this.dropStream(entry);
  }

  stats() {
    return [...this.streams.values()].map(streamStats);
  }

  receive(tab, message) {
    switch (message.type) {
      case TO_HUB.SUBSCRIBE:
        this.subscribe(tab, message);
        break;
      case TO_HUB.UNSUBSCRIBE:
        this.unsubscribe(tab, message.sub);
        break;
      case TO_HUB.VISIBILITY:
        if (this.o.pauseWhenHidden) for (const entry of this.streams.values()) this.review(entry);
        break;
      case TO_HUB.TOKEN:
        this.tokenAnswered(message);
        break;
      case TO_HUB.GET_STATS:
        tab.outbox.message({ type: TO_TAB.STATS, request: message.request, streams: this.stats() });
        break;
      default:
        break; // unknown types are ignored: a newer tab may speak to an older hub
    }
  }

  // ---- subscriptions ------------------------------------------------------

  subscribe(tab, message) {
    // The same subscription again on the same port (the tab said HELLO
    // twice): events may be in flight to it, so it is not caught up.
    const again = tab.subs.has(message.sub);
    if (again) this.unsubscribe(tab, message.sub);
    let stream;
    try {
      stream = describeStream(message.url, message);
    } catch {
      tab.outbox.message({ type: TO_TAB.STATUS, sub: message.sub, state: STREAM_STATE.CLOSED,
        reason: 'bad_url', delayMs: 0, counters: null });
      return;
    }
    let entry = this.streams.get(stream.key);
    if (entry === undefined) {
      entry = {
        stream, subs: new Set(), upstream: null, state: STREAM_STATE.CONNECTING, reason: 'started',
        paused: false, recent: new RecentEvents(this.o.recentLimit), learned: null,
        startTimer: null, graceTimer: null, topicsTimer: null, topicsAt: 0, lastCounters: {},
      };
      this.streams.set(stream.key, entry);
    }
    const sub = {
      id: message.sub, tab, entry, topics: stream.topics,
      recent: Math.max(0, Number(message.recent) || 0),
      // A tab coming back (bfcache, reload) to a stream this hub carries or
      // paused: the events after its last ID come from memory (tell()).
      resumeFrom: !again && (entry.upstream !== null || entry.paused) && typeof message.lastEventId === 'string'
        ? message.lastEventId : '',
      hasTokenProvider: Boolean(message.hasTokenProvider),
      told: null,
    };
    entry.subs.add(sub);
    tab.subs.set(sub.id, sub);
    this.learnLastEventId(entry, message);
    this.review(entry);
    if (entry.upstream !== null) this.scheduleTopics(entry);
    this.tell(sub);
  }

  unsubscribe(tab, subId) {
    const sub = tab.subs.get(subId);
    if (sub === undefined) return;
    tab.subs.delete(subId);
    const entry = sub.entry;
    entry.subs.delete(sub);
    this.review(entry);
    if (entry.upstream !== null && entry.subs.size > 0) this.scheduleTopics(entry);
  }

  tabGone(tab) {
    for (const subId of [...tab.subs.keys()]) this.unsubscribe(tab, subId);
    for (const [request, pending] of this.tokenRequests) {
      if (pending.tab === tab) this.settleToken(request, null);
    }
  }

  // A new hub (the worker was restarted after every tab reloaded, or a new
  // fallback leader) knows no last event ID: the tabs remember theirs. Of
  // the IDs offered before the upstream starts, the most recently received
  // one wins.
  learnLastEventId(entry, message) {
    if (entry.upstream !== null || typeof message.lastEventId !== 'string' || message.lastEventId === '') return;
    const at = Number(message.lastEventAt) || 0;
    if (entry.learned === null || at > entry.learned.at) entry.learned = { id: message.lastEventId, at };
  }

  // ---- the upstream's life -----------------------------------------------

  // Decides whether the stream should be running: subscribers, and (with
  // pauseWhenHidden) at least one visible tab among them.
  review(entry) {
    if (!this.streams.has(entry.stream.key)) return;
    const wanted = entry.subs.size > 0 && (!this.o.pauseWhenHidden || [...entry.subs].some((s) => !s.tab.hidden));
    if (wanted) {
      this.clearTimer(entry, 'graceTimer');
      if (entry.upstream === null && entry.startTimer === null) {
        // Wait a moment: the other tabs' subscriptions (and their last
        // event IDs) usually arrive together, and one request serves them all.
        entry.startTimer = this.clock.setTimeout(() => {
          entry.startTimer = null;
          this.startUpstream(entry);
        }, this.o.settleMs);
      }
      return;
    }
    if (entry.graceTimer !== null) return;
    entry.graceTimer = this.clock.setTimeout(() => {
      entry.graceTimer = null;
      if (entry.subs.size === 0) this.dropStream(entry);
      else this.pause(entry);
    }, this.o.graceMs);
  }

  startUpstream(entry) {
    if (entry.subs.size === 0) return;
    entry.paused = false;
    const upstream = new Upstream({
      core: this.core,
      stream: entry.stream,
      topics: unionOfTopics(entry),
      lastEventId: entry.learned !== null ? entry.learned.id : '',
      fetch: this.fetch,
      origin: this.origin,
      clock: this.clock,
      engineConfig: this.o.engineConfig,
      hasTokenProvider: () => [...entry.subs].some((s) => s.hasTokenProvider),
      requestToken: () => this.requestToken(entry),
      onEvent: (topic, type, data, id) => this.deliver(entry, topic, type, data, id),
      onStatus: () => this.statusChanged(entry),
      onRefused: (topics) => this.refuse(entry, topics),
      onDropped: (code) => this.reportDropped(entry, code),
    });
    entry.upstream = upstream;
    if (entry.learned !== null) entry.recent.startsAfter(entry.learned.id);
    entry.learned = null;
    upstream.start();
  }

  // Every tab hidden (pauseWhenHidden): stop reading; a visible tab resumes
  // from the last event ID.
  pause(entry) {
    const up = entry.upstream;
    if (up === null) return;
    // The hub's own position wins over any tab's offer (learnLastEventId):
    // a tab coming back with an older ID is caught up from memory instead,
    // and resuming earlier would repeat events to the tabs that had them.
    entry.learned = { id: up.lastEventId, at: Infinity };
    entry.lastCounters = up.snapshot();
    up.close();
    entry.upstream = null;
    entry.paused = true;
    for (const sub of entry.subs) this.tell(sub);
  }

  dropStream(entry) {
    this.clearTimer(entry, 'startTimer');
    this.clearTimer(entry, 'graceTimer');
    this.clearTimer(entry, 'topicsTimer');
    if (entry.upstream !== null) {
      entry.upstream.close();
      entry.upstream = null;
    }
    if (this.streams.get(entry.stream.key) === entry) this.streams.delete(entry.stream.key);
  }

  // A topic added is switched to after settleMs; a topic only removed
  // waits graceMs: carrying it a little longer costs nothing (its events are
  // dropped), and tabs closing one after another, or a reload, then cause no
  // switch at all.
  scheduleTopics(entry) {
    if (entry.stream.topics === null || entry.upstream === null) return;
    const live = entry.upstream.liveTopics;
    const grows = [...unionOfTopics(entry)].some((t) => !live.has(t));
    const delay = grows ? this.o.settleMs : this.o.graceMs;
    const at = this.clock.now() + delay;
    if (entry.topicsTimer !== null) {
      if (entry.topicsAt <= at) return;
      this.clearTimer(entry, 'topicsTimer');
    }
    entry.topicsAt = at;
    entry.topicsTimer = this.clock.setTimeout(() => {
      entry.topicsTimer = null;
      if (entry.upstream === null || entry.subs.size === 0) return;
      const topics = unionOfTopics(entry);
      const before = entry.upstream.liveTopics;
      if (before !== null) for (const t of before) if (!topics.has(t)) entry.recent.forget(t);
      entry.upstream.setTopics(topics);
    }, delay);
  }

  statusChanged(entry) {
    const up = entry.upstream;
    if (up !== null && up.state === STREAM_STATE.CLOSED) {
      // Stopped for good (204, refused credential, bad response): like
      // EventSource, every subscriber is closed and forgotten.
      entry.state = up.state;
      entry.reason = up.reason;
      entry.lastCounters = up.snapshot();
      for (const sub of entry.subs) this.tell(sub);
      for (const sub of [...entry.subs]) sub.tab.subs.delete(sub.id);
      entry.subs.clear();
      this.dropStream(entry);
      return;
    }
    for (const sub of entry.subs) this.tell(sub);
  }

  // An event was dropped for a limit (or memory): never silently. Which
  // topic it was for is unknown (its type may be what broke the limit), so
  // every subscription reading the stream hears it, in order with its
  // events: a status that keeps the state and names the limit as reason
  // (docs/hub.md, "Limits").
  reportDropped(entry, code) {
    const reason = this.core.statusName(code);
    for (const sub of entry.subs) {
      if (sub.told !== STREAM_STATE.OPEN) continue;
      sub.tab.outbox.message({ ...statusMessage(sub, entry, STREAM_STATE.OPEN), reason });
    }
  }

  // Tells one subscription its state if it changed (a retry is told every
  // time: its delay is news). The first "open" is followed, as the
  // subscription's first events, by what it missed since its last event ID
  // when the memory holds all of it (a tab back from the bfcache), else by
  // the `recent` events a late joiner asked for. Later opens (reconnects)
  // send nothing: the engine resumes the stream itself.
  tell(sub) {
    const entry = sub.entry;
    const state = stateFor(sub, entry);
    if (state === sub.told && state !== STREAM_STATE.RETRYING) return;
    sub.told = state;
    const outbox = sub.tab.outbox;
    outbox.message(statusMessage(sub, entry, state));
    if (state !== STREAM_STATE.OPEN || (sub.resumeFrom === '' && sub.recent === 0)) return;
    const missed = entry.recent.since(sub.resumeFrom, sub.topics);
    const events = missed ?? entry.recent.recall(sub.topics, sub.recent);
    sub.resumeFrom = '';
    sub.recent = 0;
    for (const e of events) outbox.event(sub.id, e.type, e.data, e.id);
  }

  refuse(entry, topics) {
    const refused = new Set(topics);
    for (const sub of [...entry.subs]) {
      if (sub.topics === null || ![...sub.topics].some((t) => refused.has(t))) continue;
      sub.tab.outbox.message({ type: TO_TAB.STATUS, sub: sub.id, state: STREAM_STATE.CLOSED,
        reason: 'forbidden', delayMs: 0, counters: null });
      this.unsubscribe(sub.tab, sub.id);
    }
  }

  deliver(entry, topic, type, data, id) {
    entry.recent.remember(topic, type, data, id);
    for (const sub of entry.subs) {
      if (sub.told === STREAM_STATE.OPEN && wants(sub.topics, topic)) sub.tab.outbox.event(sub.id, type, data, id);
    }
  }

  // ---- credentials --------------------------------------------------------

  // Asks the newest visible subscriber that has getToken(); null when none
  // answers in time.
  requestToken(entry) {
    const subs = [...entry.subs].filter((s) => s.hasTokenProvider).reverse();
    const sub = subs.find((s) => !s.tab.hidden) ?? subs[0];
    if (sub === undefined) return Promise.resolve(null);
    const request = this.nextRequest++;
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => this.settleToken(request, null), this.o.tokenTimeoutMs);
      this.tokenRequests.set(request, { tab: sub.tab, resolve, timer });
      sub.tab.outbox.message({ type: TO_TAB.NEED_TOKEN, request, sub: sub.id });
    });
  }

  tokenAnswered(message) {
    const token = typeof message.token === 'string' && message.token !== '' ? message.token : null;
    this.settleToken(message.request, token);
  }

  settleToken(request, token) {
    const pending = this.tokenRequests.get(request);
    if (pending === undefined) return;
    this.tokenRequests.delete(request);
    this.clock.clearTimeout(pending.timer);
    pending.resolve(token);
  }

  clearTimer(entry, name) {
    if (entry[name] !== null) {
      this.clock.clearTimeout(entry[name]);
      entry[name] = null;
    }
  }
}

function unionOfTopics(entry) {
  if (entry.stream.topics === null) return null;
  const union = new Set();
  for (const sub of entry.subs) for (const t of sub.topics) union.add(t);
  return union;
}

export function randomId() {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return words[0].toString(36) + words[1].toString(36);
}
