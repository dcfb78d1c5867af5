// Types for ssemux-core.js: the wasm client core (text/event-stream parser and
// reconnect engine, client/include/ssemux/*.h) as a JS module.

/** sse_status (status.h): 0 is OK, limit errors are negative. */
export declare const Status: Readonly<{
  OK: 0;
  INVALID_ARGUMENT: -1;
  BUFFER_TOO_SMALL: -2;
  DATA_TOO_LARGE: -3;
  TYPE_TOO_LONG: -4;
  ID_TOO_LONG: -5;
  CLOSED: -6;
  NO_MEMORY: -7;
}>;
export type StatusCode = (typeof Status)[keyof typeof Status];

/** A status's name in lower case, e.g. -5 -> 'id_too_long' ('unknown' otherwise). */
export type StatusName = 'ok' | 'invalid_argument' | 'buffer_too_small' | 'data_too_large' |
  'type_too_long' | 'id_too_long' | 'closed' | 'no_memory' | 'unknown';
export declare function statusName(code: number): StatusName;

/** Callbacks. They run after the wasm call returned, in stream order. */
export interface ParserCallbacks {
  /** A dispatched event: type ("message" by default), data, last event ID ("" if none). */
  onEvent?(type: string, data: string, id: string): void;
  /** A valid retry: field (ms; values past 2^32 - 1 saturate). */
  onRetry?(retryMs: number): void;
  /**
   * An event broke a limit (DATA_TOO_LARGE, TYPE_TOO_LONG, ID_TOO_LONG) or
   * could not get the memory (NO_MEMORY) and was discarded whole; parsing
   * goes on. Never silent: every dropped event is reported here once.
   */
  onError?(code: StatusCode, message: string): void;
}

/**
 * Byte limits for one event's fields, inclusive; absent means the C default.
 * Nothing is reserved for them: memory grows with what arrives.
 */
export interface ParserLimits {
  /** Data bytes, LFs between data lines included (default 16 MiB). */
  maxData?: number;
  /** Event type bytes (default 1 MiB). */
  maxType?: number;
  /** Event ID bytes (default 1 MiB). */
  maxId?: number;
  /** Size of the wasm input buffer; larger chunks are fed in pieces (default 64 KiB). */
  inputBytes?: number;
}

export interface ParserOptions extends ParserCallbacks, ParserLimits {}

export interface Parser {
  /**
   * Parses a chunk of the stream, split anywhere. Returns Status.OK or the
   * first limit error (also reported to onError). Throws when called from
   * this parser's own callback; rethrows the first exception a callback
   * threw, after every event of the chunk was delivered.
   */
  feed(chunk: Uint8Array): StatusCode;
  /**
   * Starts a new stream (a reconnect): the pending event is dropped, the
   * last event ID kept. Called from a callback, it also drops the rest of
   * the chunk being delivered.
   */
  reset(): void;
  /** The ID committed at the last blank line (what Last-Event-ID sends). */
  readonly lastEventId: string;
  /** Seeds the last event ID. Throws (err.code = ID_TOO_LONG / INVALID_ARGUMENT) past maxId or on NUL. */
  setLastEventId(id: string): void;
  /** Returns the parser's wasm memory. Any later call throws. */
  free(): void;
}

export type ActionKind = 'none' | 'connect' | 'open' | 'retry' | 'refresh_credential' | 'stop';

export type Reason =
  | 'none' | 'started' | 'opened' | 'network_error' | 'heartbeat_lost' | 'server_error'
  | 'rate_limited' | 'unauthorized' | 'no_content' | 'bad_status' | 'bad_content_type'
  | 'credential_failed' | 'online' | 'timer' | 'closed_by_user' | 'credential_refreshed' | 'replaced';

export type EngineState = 'idle' | 'connecting' | 'open' | 'waiting' | 'authorizing' | 'closed';

/** What the embedder must do next (sse_action). */
export interface Action {
  kind: ActionKind;
  reason: Reason;
  /** For 'retry': call onTimer after this many ms (also `deadline`). */
  delayMs: number;
  /** For 'connect': send as Last-Event-ID unless empty. */
  lastEventId: string;
}

/** sse_engine_config; absent means the C default (in parentheses). */
export interface EngineConfig {
  /** Reconnection time before any retry: field (3000). */
  initialRetryMs?: number;
  /** Backoff cap (30000). */
  maxRetryMs?: number;
  /** An open connection this old resets the backoff (10000). */
  healthyAfterMs?: number;
  /** The server's heartbeat interval if known, else 0 (0). */
  heartbeatMs?: number;
  /** 0 = 2.5 x heartbeatMs if known, else 45000 (0). */
  idleTimeoutMs?: number;
  /** How many recent IDs to remember for replay dedupe, <= 256 (64). */
  dedupeWindow?: number;
  /** Jitter PRNG seed (random when absent). */
  seed?: number | bigint;
}

export interface EngineOptions extends EngineConfig, ParserCallbacks, ParserLimits {}

/**
 * The reconnect state machine (engine.h): no I/O, no clock. Report what
 * happened with the current time from any monotonic clock; perform the
 * returned action. Events arrive through the callbacks, deduplicated.
 * Any action other than 'none' taken from inside a callback drops the rest
 * of the chunk being delivered (it belongs to the abandoned connection).
 */
export interface Engine {
  start(nowMs: number): Action;
  /** retryAfterMs: the Retry-After header in ms (see parseRetryAfter), or null/-1. */
  onResponse(status: number, contentType: string | null, retryAfterMs: number | null,
             nowMs: number): Action;
  /** Body bytes of the open connection; Status.OK or a negative status. */
  onBytes(chunk: Uint8Array, nowMs: number): StatusCode;
  onClosed(nowMs: number): Action;
  onTimer(nowMs: number): Action;
  onOnline(nowMs: number): Action;
  /** A new request on purpose (e.g. the topic set changed): CONNECT now, not counted as a failure. */
  replace(nowMs: number): Action;
  onCredential(ok: boolean, nowMs: number): Action;
  close(): Action;
  /** When onTimer must be called (same clock as nowMs), or -1 for never. */
  readonly deadline: number;
  readonly state: EngineState;
  readonly idleTimeoutMs: number;
  readonly duplicatesDropped: number;
  setHeartbeat(heartbeatMs: number): void;
  readonly lastEventId: string;
  setLastEventId(id: string): void;
  /** A Retry-After header value (delta-seconds or IMF-fixdate) in ms, or null. */
  parseRetryAfter(value: string, nowUnixMs?: number): number | null;
  free(): void;
}

export interface Core {
  createParser(options?: ParserOptions): Parser;
  createEngine(options?: EngineOptions): Engine;
  /** sse_strerror: a short English description of a status. */
  strerror(code: number): string;
  statusName: typeof statusName;
  /** Bytes of wasm memory now (it only grows; freed blocks are reused). */
  memoryBytes(): number;
  Status: typeof Status;
}

/**
 * Compiles and instantiates ssemux.wasm (default: ./ssemux.wasm next to this
 * module, which bundlers emit as an asset). Works in Node 20, workers and
 * pages. A relative URL string resolves against the page's (or worker's)
 * location, as fetch() does; in Node against this module.
 */
export declare function loadCore(
  wasmSource?: string | URL | Response | PromiseLike<Response> | ArrayBuffer | ArrayBufferView |
    WebAssembly.Module,
): Promise<Core>;
