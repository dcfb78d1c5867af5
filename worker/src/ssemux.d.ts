// Types for ssemux.js: SharedEventSource, an EventSource whose connection is
// shared by every tab of the origin through one hub (docs/hub.md).

export type StreamState = 'connecting' | 'open' | 'retrying' | 'closed';

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
  discarded?: number;
}

/** The hub's view of this source's stream (also the detail of "ssemux-status" events). */
export interface SharedEventSourceStatus {
  state: StreamState;
  /** Why: the engine's reason ("opened", "network_error", "unauthorized", "timer", ...),
   *  or "paused", "forbidden" (the server refused this topic), "bad_url" (not an
   *  http(s) URL), "cors" (the browser refused the response: docs/compatibility.md). */
  reason: string;
  /** With state "retrying": the reconnect happens in this many ms. */
  delayMs: number;
  counters: StreamCounters | null;
}

export interface StreamStats {
  url: string;
  topics: string[] | null;
  state: StreamState;
  reason: string;
  counters: StreamCounters;
}

export interface SharedEventSourceInit {
  /** Sent on the upstream request (native EventSource cannot). */
  headers?: Record<string, string> | Headers | [string, string][];
  /** Called before each (re)connect and on 401/403; a bare token is sent as "Bearer <token>". */
  getToken?: () => string | null | Promise<string | null>;
  withCredentials?: boolean;
  /** With getToken: whose tokens these are; sources with the same key share a connection. */
  credentialKey?: string;
  /** Default: ssemux-worker.js next to ssemux.js. */
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

export declare class SharedEventSource extends EventTarget {
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
  onopen: ((this: SharedEventSource, ev: Event) => unknown) | null;
  onmessage: ((this: SharedEventSource, ev: MessageEvent<string>) => unknown) | null;
  onerror: ((this: SharedEventSource, ev: Event) => unknown) | null;
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
