// SharedEventSource: EventSource for pages, served by one hub per browser so
// that every tab of an origin shares ONE upstream connection.
//
//   import { SharedEventSource } from '/ssemux/ssemux.js';
//   const es = new SharedEventSource('/events?topic=scores', { headers, getToken });
//   es.addEventListener('goal', (e) => console.log(e.data, e.lastEventId));
//
// The hub runs in a SharedWorker (ssemux-worker.js). Without SharedWorker it
// runs in one tab elected with Web Locks and reached over BroadcastChannel
// (fallback/leader.js), and as a last resort in this page (fallback/in-page.js).
// Which one serves a source is its status.transport (docs/bundlers.md).
// Messages between tab and hub: messages.js (documented in docs/hub.md).
import { TO_HUB, TO_TAB, STREAM_STATE, PROTOCOL_VERSION } from './messages.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;
const HEARTBEAT_MS = 15000; // < the hub's liveness timeout even when throttled to 1/min
const STORAGE_PREFIX = 'ssemux:last-event:'; // sessionStorage: survives a reload of this tab
// sessionStorage is synchronous I/O on the page's main thread, and the stored
// ID only seeds a new hub after every tab reloaded (docs/hub.md): write it at
// most this often, and when the page is hidden or goes away.
const PERSIST_EVERY_MS = 250;

// Transport names: the `transport` option, status.transport, stats.
const TRANSPORT = Object.freeze({ SHARED_WORKER: 'shared-worker', LEADER: 'leader', IN_PAGE: 'in-page' });
// A SharedWorker that could not start, before falling back (status reason).
const SHARED_WORKER_FAILED = 'shared-worker-failed';
let warnedFallback = false; // one console warning per page
let warnedCredentialKey = false;

export class SharedEventSource extends EventTarget {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSED = CLOSED;
  CONNECTING = CONNECTING;
  OPEN = OPEN;
  CLOSED = CLOSED;

  #options;
  #client;
  #sub;
  #handlers = { open: null, message: null, error: null };
  #origin;
  #lastEventId = { id: '', at: 0 }; // the last ID this source received
  #unsaved = false; // #lastEventId is newer than what sessionStorage holds

  /**
   * options: headers, getToken, withCredentials, workerUrl, recent (events per
   * topic replayed from the hub's memory when joining; default 0),
   * credentialKey (with getToken: who the tokens belong to; tabs with the
   * same key share a connection), transport ('auto' | 'shared-worker' |
   * 'leader' | 'in-page'), hubOptions (for the fallbacks' hub).
   */
  constructor(url, options = {}) {
    super();
    const base = globalThis.location !== undefined ? globalThis.location.href : undefined;
    this.url = parseUrl(url, base);
    this.withCredentials = Boolean(options.withCredentials);
    this.readyState = CONNECTING;
    /** The hub's view: { state, reason, delayMs, counters: { events, bytes, reconnects, tabs, ... } }. */
    this.status = { state: STREAM_STATE.CONNECTING, reason: 'started', delayMs: 0, counters: null, transport: null };
    this.#origin = new URL(this.url).origin;
    if (options.getToken !== undefined && typeof options.getToken !== 'function') {
      throw new TypeError('SharedEventSource: getToken must be a function');
    }
    if (options.getToken !== undefined && options.credentialKey === undefined && !warnedCredentialKey) {
      warnedCredentialKey = true;
      console.warn('ssemux: getToken without credentialKey: every tab with the same URL and headers shares ' +
        'one upstream, authorized by whichever tab\'s token the hub asked for; set credentialKey to the ' +
        'user the tokens belong to (docs/auth.md)');
    }
    this.#options = { ...options };
    this.#client = HubClient.for(options);
    this.#sub = this.#client.add(this);
  }

  close() {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.#client.remove(this.#sub, true);
  }

  /** The hub's streams and counters (all streams the hub serves). */
  getStats() {
    return this.#client.stats();
  }

  get onopen() { return this.#handlers.open; }
  set onopen(fn) { this.#setHandler('open', fn); }
  get onmessage() { return this.#handlers.message; }
  set onmessage(fn) { this.#setHandler('message', fn); }
  get onerror() { return this.#handlers.error; }
  set onerror(fn) { this.#setHandler('error', fn); }

  // Handler attributes are listeners too (HTML "event handlers"), called in
  // the order they were first registered.
  #setHandler(type, fn) {
    const old = this.#handlers[type];
    if (old !== null) this.removeEventListener(type, old.listener);
    if (typeof fn !== 'function') {
      this.#handlers[type] = null;
      return;
    }
    const listener = (event) => fn.call(this, event);
    this.#handlers[type] = { fn, listener };
    this.addEventListener(type, listener);
  }

  // ---- called by HubClient --------------------------------------------------

  /** @internal */
  subscribeMessage(sub) {
    // This source's own memory first; after a reload, what this tab stored.
    const remembered = this.#lastEventId.id !== '' ? this.#lastEventId : readLastEvent(this.url);
    return {
      type: TO_HUB.SUBSCRIBE,
      sub,
      url: this.url,
      headers: headersObject(this.#options.headers),
      withCredentials: this.withCredentials,
      credentialKey: this.#options.credentialKey ?? null,
      hasTokenProvider: typeof this.#options.getToken === 'function',
      lastEventId: remembered.id,
      lastEventAt: remembered.at,
      recent: this.#options.recent ?? 0,
    };
  }

  /** @internal: one event; `at` = Date.now() of its batch. */
  deliver(type, data, id, at) {
    if (id !== '') {
      this.#lastEventId.id = id;
      this.#lastEventId.at = at;
      this.#unsaved = true;
    }
    if (this.readyState !== OPEN) return;
    this.dispatchEvent(new MessageEvent(type, { data, lastEventId: id, origin: this.#origin }));
  }

  /** @internal: writes the last event ID to sessionStorage if it changed. */
  persistLastEventId() {
    if (!this.#unsaved) return;
    this.#unsaved = false;
    writeLastEvent(this.url, this.#lastEventId);
  }

  /** @internal */
  applyStatus(message) {
    if (this.readyState === CLOSED) return;
    this.status = { state: message.state, reason: message.reason, delayMs: message.delayMs,
      counters: message.counters ?? this.status.counters,
      transport: message.transport ?? this.#client.transportName() };
    // Events carry the origin the stream came from after redirects, as native.
    if (typeof message.origin === 'string' && message.origin !== '') this.#origin = message.origin;
    const before = this.readyState;
    switch (message.state) {
      case STREAM_STATE.OPEN:
        this.readyState = OPEN;
        if (before !== OPEN) this.dispatchEvent(new Event('open'));
        break;
      case STREAM_STATE.RETRYING:
        this.readyState = CONNECTING;
        this.dispatchEvent(new Event('error'));
        break;
      case STREAM_STATE.CONNECTING:
        // An open stream going back to connecting is a reconnection, which
        // EventSource announces with "error".
        this.readyState = CONNECTING;
        if (before === OPEN) this.dispatchEvent(new Event('error'));
        break;
      case STREAM_STATE.CLOSED:
        this.readyState = CLOSED;
        this.#client.remove(this.#sub, false);
        this.dispatchEvent(new Event('error'));
        break;
      default:
        break;
    }
    this.dispatchEvent(new CustomEvent('ssemux-status', { detail: this.status }));
  }

  /** @internal */
  async token() {
    return this.#options.getToken();
  }
}

// ---- the page's link to the hub ----------------------------------------------

// One per page and hub location: every SharedEventSource of the page shares
// one port, one heartbeat and one set of page-lifecycle listeners.
class HubClient {
  static clients = new Map();

  static for(options) {
    // null: the worker next to this file, named where the SharedWorker is made.
    const workerUrl = options.workerUrl === undefined ? null : new URL(options.workerUrl,
      globalThis.location !== undefined ? globalThis.location.href : undefined).href;
    const transport = options.transport ?? 'auto';
    const key = `${transport} ${workerUrl ?? 'default'}`;
    let client = HubClient.clients.get(key);
    if (client === undefined) {
      client = new HubClient(key, workerUrl, transport, options.hubOptions ?? {});
      HubClient.clients.set(key, client);
    }
    return client;
  }

  constructor(key, workerUrl, transportKind, hubOptions) {
    this.key = key;
    this.workerUrl = workerUrl;
    this.transportKind = transportKind;
    this.hubOptions = hubOptions;
    this.tabId = randomId();
    this.sources = new Map(); // sub -> SharedEventSource
    this.nextSub = 1;
    this.transport = null;
    this.hubId = null;
    this.heartbeat = null;
    this.statsRequests = new Map();
    this.nextRequest = 1;
    this.lock = null; // { name, release }
    this.opening = false;
    this.dead = false; // shut down: a new HubClient serves later sources
    this.epoch = 0; // bumped when the page is hidden: a connect under way is void
    this.listening = false;
    this.onPageHide = (event) => this.pageHidden(event);
    this.onPageShow = (event) => { if (event.persisted) this.open(); };
    this.onVisibility = () => {
      const hidden = isHidden();
      if (hidden) this.persistNow(); // a hidden page may be discarded without pagehide
      this.post({ type: TO_HUB.VISIBILITY, hidden });
    };
    this.persistTimer = null;
    this.persistNow = () => this.persistLastEventIds();
  }

  add(source) {
    const sub = this.nextSub++;
    this.sources.set(sub, source);
    if (this.transport !== null) this.post(source.subscribeMessage(sub));
    else this.open(); // hello() subscribes every source once connected
    return sub;
  }

  remove(sub, tellHub) {
    const source = this.sources.get(sub);
    if (source === undefined) return;
    source.persistLastEventId();
    this.sources.delete(sub);
    if (tellHub) this.post({ type: TO_HUB.UNSUBSCRIBE, sub });
    if (this.sources.size === 0) this.shutdown();
  }

  stats() {
    const request = this.nextRequest++;
    return new Promise((resolve) => {
      const transport = this.transportName();
      this.statsRequests.set(request, (streams) => resolve(streams.map((s) => ({ ...s, transport }))));
      this.post({ type: TO_HUB.GET_STATS, request });
    });
  }

  /** 'shared-worker' | 'leader' | 'in-page', or null while connecting. */
  transportName() {
    return this.transport !== null ? this.transport.kind() : null;
  }

  // Connects (again): HELLO, then every live subscription with the last
  // event ID this tab saw, so a new hub learns where to resume.
  async open() {
    if (this.opening || this.dead) return;
    this.opening = true;
    const epoch = this.epoch;
    try {
      this.addPageListeners();
      await this.holdTabLock();
      const transport = await openTransport(this.transportKind, {
        workerUrl: this.workerUrl,
        hubOptions: this.hubOptions,
        tabId: this.tabId,
        onMessage: (message) => this.receive(message),
        // A new hub announced itself: subscribe again, and expect its
        // WELCOME without taking it for yet another hub.
        onHubChanged: () => {
          this.hubId = null;
          this.hello();
        },
        onFallback: (kind) => this.fellBack(kind),
        onFailed: (reason, kind) => this.hubFailed(reason, kind),
      });
      // Closed or hidden while we were connecting.
      if (this.dead || epoch !== this.epoch || this.transport !== null) {
        transport.close();
        return;
      }
      this.transport = transport;
      this.hello();
      this.heartbeat = setInterval(() => this.post({ type: TO_HUB.PING }), HEARTBEAT_MS);
    } catch (error) {
      // No hub at all (the in-page hub's core did not load): nothing will
      // ever answer, so every source closes now.
      this.hubFailed(errorText(error), chooseTransport(this.transportKind));
    } finally {
      this.opening = false;
    }
  }

  // The SharedWorker did not start; the fallback `kind` serves from now on.
  fellBack(kind) {
    if (!warnedFallback) {
      warnedFallback = true;
      console.warn(`ssemux: the SharedWorker did not start (blocked, not served as JavaScript, or its ` +
        `imports failed to load); the hub runs in the "${kind}" fallback instead (docs/bundlers.md)`);
    }
    for (const source of [...this.sources.values()]) {
      source.applyStatus({ state: STREAM_STATE.CONNECTING, reason: SHARED_WORKER_FAILED, delayMs: 0 });
    }
  }

  // Every source ends: the hub (reached over `transport`, if not the
  // current one) cannot run.
  hubFailed(reason, transport = null) {
    for (const source of [...this.sources.values()]) {
      source.applyStatus({ state: STREAM_STATE.CLOSED, reason, delayMs: 0, transport });
    }
  }

  hello() {
    this.post({ type: TO_HUB.HELLO, tab: this.tabId, hidden: isHidden(), protocol: PROTOCOL_VERSION,
      lock: this.lock !== null ? this.lock.name : null });
    for (const [sub, source] of this.sources) this.post(source.subscribeMessage(sub));
  }

  post(message) {
    if (this.transport !== null) this.transport.post(message);
  }

  receive(message) {
    if (message === null || typeof message !== 'object') return;
    switch (message.type) {
      case TO_TAB.WELCOME:
        // A different hub than before (the leader tab changed): it knows
        // nothing of us, so subscribe again.
        if (this.hubId !== null && this.hubId !== message.hub) this.hello();
        this.hubId = message.hub;
        break;
      case TO_TAB.EVENTS:
        this.events(message.items);
        break;
      case TO_TAB.STATUS:
        this.sources.get(message.sub)?.applyStatus(message);
        break;
      case TO_TAB.NEED_TOKEN:
        this.answerToken(message);
        break;
      case TO_TAB.STATS: {
        const resolve = this.statsRequests.get(message.request);
        this.statsRequests.delete(message.request);
        if (resolve) resolve(message.streams);
        break;
      }
      case TO_TAB.HUB_FAILED:
        this.hubFailed(message.reason);
        break;
      default:
        break;
    }
  }

  events(items) {
    const at = Date.now();
    for (let i = 0; i < items.length; i += 4) {
      this.sources.get(items[i])?.deliver(items[i + 1], items[i + 2], items[i + 3], at);
    }
    if (this.persistTimer === null) this.persistTimer = setTimeout(this.persistNow, PERSIST_EVERY_MS);
  }

  persistLastEventIds() {
    if (this.persistTimer !== null) {
      clearTimeout(this.persistTimer);
      this.persistTimer = null;
    }
    for (const source of this.sources.values()) source.persistLastEventId();
  }

  async answerToken({ request, sub }) {
    const source = this.sources.get(sub);
    let token = null;
    let error = null;
    try {
      if (source === undefined) throw new Error('subscription closed');
      const value = await source.token();
      token = typeof value === 'string' && value !== '' ? value : null;
    } catch (e) {
      error = errorText(e);
    }
    this.post({ type: TO_HUB.TOKEN, request, token, error });
  }

  // The tab holds a Web Lock for its lifetime; the hub asks for the same
  // lock and is granted it the moment this page dies, however it dies.
  async holdTabLock() {
    const locks = globalThis.navigator?.locks;
    if (this.lock !== null || !locks) return;
    const name = `ssemux-tab:${this.tabId}`;
    await new Promise((granted) => {
      locks.request(name, () => new Promise((release) => {
        this.lock = { name, release };
        granted();
      })).catch(() => granted());
    });
  }

  releaseTabLock() {
    if (this.lock !== null) {
      this.lock.release();
      this.lock = null;
    }
  }

  pageHidden(event) {
    this.persistLastEventIds();
    this.epoch++;
    this.post({ type: TO_HUB.BYE });
    this.closeTransport();
    this.releaseTabLock(); // a held lock would keep the page out of the bfcache
    if (!event.persisted) this.removePageListeners();
  }

  closeTransport() {
    if (this.transport !== null) {
      this.transport.close();
      this.transport = null;
    }
    this.hubId = null;
    if (this.heartbeat !== null) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }

  shutdown() {
    this.persistLastEventIds();
    this.dead = true;
    this.epoch++;
    this.post({ type: TO_HUB.BYE });
    this.closeTransport();
    this.releaseTabLock();
    this.removePageListeners();
    HubClient.clients.delete(this.key);
  }

  addPageListeners() {
    if (typeof globalThis.addEventListener !== 'function' || this.listening) return;
    this.listening = true;
    globalThis.addEventListener('pagehide', this.onPageHide);
    globalThis.addEventListener('pageshow', this.onPageShow);
    globalThis.document?.addEventListener('visibilitychange', this.onVisibility);
  }

  removePageListeners() {
    if (!this.listening) return;
    this.listening = false;
    globalThis.removeEventListener('pagehide', this.onPageHide);
    globalThis.removeEventListener('pageshow', this.onPageShow);
    globalThis.document?.removeEventListener('visibilitychange', this.onVisibility);
  }
}

// ---- transports ----------------------------------------------------------------

// The transport the `transport` option asks for. "auto": SharedWorker, else
// Web Locks + BroadcastChannel, else a hub in this page.
function chooseTransport(kind) {
  if (kind !== 'auto') return kind;
  if (typeof globalThis.SharedWorker === 'function') return TRANSPORT.SHARED_WORKER;
  return hasLeader() ? TRANSPORT.LEADER : TRANSPORT.IN_PAGE;
}

const hasLeader = () => typeof globalThis.BroadcastChannel === 'function' && Boolean(globalThis.navigator?.locks);

// { kind(), post(message), close() } to a hub.
async function openTransport(kind, options) {
  switch (chooseTransport(kind)) {
    case TRANSPORT.SHARED_WORKER: {
      const fallback = kind === 'auto' ? (hasLeader() ? TRANSPORT.LEADER : TRANSPORT.IN_PAGE) : null;
      return sharedWorkerTransport(options, fallback);
    }
    case TRANSPORT.LEADER: {
      const { openLeaderTransport } = await import('./fallback/leader.js');
      return named(TRANSPORT.LEADER, openLeaderTransport(options));
    }
    default: {
      const { openInPageTransport } = await import('./fallback/in-page.js');
      return named(TRANSPORT.IN_PAGE, await openInPageTransport(options));
    }
  }
}

const named = (name, transport) => ({ ...transport, kind: () => name });

// Bundlers (Vite, webpack 5, Parcel 2) bundle a worker, its imports and its
// wasm only when they see exactly this shape at the call site: a literal
// new URL('./file.js', import.meta.url) inside new SharedWorker(...) with a
// literal type. The same URL kept in a variable is copied as a plain file
// (whose imports then 404) or inlined as a data: URL, which cannot start a
// SharedWorker (docs/bundlers.md).
function startSharedWorker(workerUrl) {
  if (workerUrl === null) {
    return new SharedWorker(new URL('./ssemux-worker.js', import.meta.url), { type: 'module', name: 'ssemux' });
  }
  return new SharedWorker(workerUrl, { type: 'module', name: 'ssemux' });
}

// If the worker script cannot start (blocked, wrong MIME type, an import that
// 404s, no module workers), the error event fires: switch to the fallback,
// say so, and resubscribe; without a fallback, or if it fails too, close.
function sharedWorkerTransport(options, fallback) {
  // Throws for a cross-origin workerUrl: a mistake to report (every source
  // closes with the error), not to hide behind a fallback.
  const worker = startSharedWorker(options.workerUrl);
  const port = worker.port;
  let inner = null;
  let closed = false;
  let failed = false;
  const onMessage = (event) => options.onMessage(event.data);
  port.addEventListener('message', onMessage);
  port.start();
  const onError = () => {
    if (failed || closed) return;
    failed = true;
    port.removeEventListener('message', onMessage);
    port.close();
    if (fallback === null) {
      options.onFailed(`${SHARED_WORKER_FAILED}: the SharedWorker did not start`);
      return;
    }
    openTransport(fallback, options).then((transport) => {
      if (closed) {
        transport.close();
        return;
      }
      inner = transport;
      options.onFallback(transport.kind());
      options.onHubChanged();
    }, (error) => {
      if (!closed) options.onFailed(errorText(error), chooseTransport(fallback));
    });
  };
  worker.addEventListener('error', onError);
  return {
    kind: () => (inner !== null ? inner.kind() : TRANSPORT.SHARED_WORKER),
    post(message) {
      if (inner !== null) inner.post(message);
      else if (!failed) port.postMessage(message);
    },
    close() {
      closed = true;
      worker.removeEventListener('error', onError);
      port.removeEventListener('message', onMessage);
      port.close();
      if (inner !== null) inner.close();
    },
  };
}

// ---- helpers ---------------------------------------------------------------------

// As EventSource's constructor: a URL that does not parse is a
// "SyntaxError" DOMException (HTML, "EventSource(url, eventSourceInitDict)" step 5).
function parseUrl(url, base) {
  try {
    return new URL(url, base).href;
  } catch {
    throw new DOMException(`SharedEventSource: cannot parse the URL ${String(url)}`, 'SyntaxError');
  }
}

function headersObject(headers) {
  if (headers === undefined || headers === null) return {};
  const entries = typeof headers.entries === 'function' && !Array.isArray(headers)
    ? [...headers.entries()] : Array.isArray(headers) ? headers : Object.entries(headers);
  const out = {};
  for (const [k, v] of entries) out[String(k)] = String(v);
  return out;
}

function errorText(error) {
  return String(error && error.message ? error.message : error);
}

function isHidden() {
  return globalThis.document !== undefined && globalThis.document.visibilityState === 'hidden';
}

function storage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage blocked (sandboxed frame, privacy settings)
  }
}

function readLastEvent(url) {
  const s = storage();
  if (s === null) return { id: '', at: 0 };
  try {
    const value = JSON.parse(s.getItem(STORAGE_PREFIX + url) ?? 'null');
    if (value && typeof value.id === 'string') return { id: value.id, at: Number(value.at) || 0 };
  } catch {
    // unreadable: start without
  }
  return { id: '', at: 0 };
}

function writeLastEvent(url, { id, at }) {
  const s = storage();
  if (s === null) return;
  try {
    s.setItem(STORAGE_PREFIX + url, JSON.stringify({ id, at }));
  } catch {
    // quota: the ID is only an optimisation for a hub restart
  }
}

function randomId() {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return words[0].toString(36) + words[1].toString(36);
}
