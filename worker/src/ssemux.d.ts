// Types for ssemux.js: SharedEventSource, an EventSource whose connection is
// shared by every tab of the origin through one hub (docs/hub.md).

export type StreamState = 'connecting' | 'open' | 'retrying' | 'closed';

/** Where the hub runs: a SharedWorker, a leader tab (Web Locks), or this page (docs/bundlers.md). */
export type Transport = 'shared-worker' | 'leader' | 'in-page';

/** Counters of the shared upstream (all tabs together). */
export interface StreamCounters {
  events: number;
  bytes: number;
  reconnects: number;
  /** Tabs sharing this upstream. */
  tabs: number;
  topicSwitches?: number;
  duplicates?: number;
  retryMs?: number;
  /** Events dropped for a limit (each also reported with a status). */
  discarded?: number;
}

/** The hub's view of this source's stream (also the detail of "ssemux-status" events). */
export interface SharedEventSourceStatus {
  state: StreamState;
  /** Why: the engine's reason ("opened", "network_error", "unauthorized", "timer", ...),
   *  or "paused", "forbidden" (the server refused this topic), "bad_url" (not an
   *  http(s) URL), "cors" (the browser refused the response: docs/compatibility.md),
   *  "shared-worker-failed" (falling back), "wasm core failed to load: ..." (closed); with the
   *  state unchanged, "data_too_large", "type_too_long", "id_too_long" or "no_memory":
   *  an event past a limit was dropped (counters.discarded counts them). */
  reason: string;
  /** With state "retrying": the reconnect happens in this many ms. */
  delayMs: number;
  counters: StreamCounters | null;
  /** The hub this source reaches; null before it is connected. */
  transport: Transport | null;
}

export interface StreamStats {
  url: string;
  topics: string[] | null;
  state: StreamState;
  reason: string;
  counters: StreamCounters;
  /** How this tab reaches the hub that serves the stream. */
  transport: Transport | null;
}

export interface SharedEventSourceInit {
  /** Sent on the upstream request (native EventSource cannot). */
  headers?: Record<string, string> | Headers | [string, string][];
  /** Called before each (re)connect and on 401/403; a bare token is sent as "Bearer <token>". */
  getToken?: () => string | null | Promise<string | null>;
  withCredentials?: boolean;
  /** With getToken: whose tokens these are; sources with the same key share a connection.
   *  Without it, every source of the same URL, headers and withCredentials shares ONE
   *  upstream, authorized by whichever tab's token the hub asked for (docs/auth.md). */
  credentialKey?: string;
  /** Default: ssemux-worker.js next to ssemux.js, found by bundlers (docs/bundlers.md). */
  workerUrl?: string | URL;
  /** Recent events per topic replayed from the hub's memory when joining a running stream (0). */
  recent?: number;
  /** "auto" (default): SharedWorker, else Web Locks + BroadcastChannel, else in this page. */
  transport?: 'auto' | 'shared-worker' | 'leader' | 'in-page';
  /** Options of the hub for the fallbacks that run it in a page (see HUB_DEFAULTS in hub/hub.js). */
  hubOptions?: Record<string, unknown>;
}

export interface SharedEventSourceEventMap {
  open: Event;
  message: MessageEvent<string>;
  error: Event;
  'ssemux-status': CustomEvent<SharedEventSourceStatus>;
}

/**
 * An EventSource (assignable wherever one is expected) served by the shared
 * hub. Handler attributes are typed as EventSource's, so `this` inside them is
 * an EventSource; listeners added with addEventListener get a SharedEventSource.
 */
export declare class SharedEventSource extends EventTarget implements EventSource {
  constructor(url: string | URL, init?: SharedEventSourceInit);
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSED: 2;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSED: 2;
  readonly url: string;
  readonly withCredentials: boolean;
  readonly readyState: 0 | 1 | 2;
  readonly status: SharedEventSourceStatus;
  onopen: ((this: EventSource, ev: Event) => unknown) | null;
  onmessage: ((this: EventSource, ev: MessageEvent<string>) => unknown) | null;
  onerror: ((this: EventSource, ev: Event) => unknown) | null;
  /** Stops for good, like EventSource.close(). */
  close(): void;
  /** Every stream the hub serves, with counters. */
  getStats(): Promise<StreamStats[]>;
  addEventListener<K extends keyof SharedEventSourceEventMap>(type: K,
    listener: (this: SharedEventSource, ev: SharedEventSourceEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: (this: SharedEventSource, ev: MessageEvent<string>) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SharedEventSourceEventMap>(type: K,
    listener: (this: SharedEventSource, ev: SharedEventSourceEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions): void;
}
