// The one table of messages between a tab (ssemux.js) and the hub (the
// SharedWorker, or a fallback hub in a leader tab or in the page). Every
// message is a plain object { type, ...fields }; docs/hub.md documents each
// field. Both sides import these names so no type string is spelled twice.

export const PROTOCOL_VERSION = 1;

/** Tab -> hub. */
export const TO_HUB = Object.freeze({
  /** { tab, hidden, protocol }: first message on a port; (re)announces a tab. */
  HELLO: 'hello',
  /** { sub, url, headers, withCredentials, credentialKey, hasTokenProvider,
   *    lastEventId, lastEventAt, recent }: start delivering a stream. */
  SUBSCRIBE: 'subscribe',
  /** { sub }: the SharedEventSource was closed. */
  UNSUBSCRIBE: 'unsubscribe',
  /** {}: the tab is alive (heartbeat). Any message also counts. */
  PING: 'ping',
  /** { hidden }: document.visibilityState changed. */
  VISIBILITY: 'visibility',
  /** {}: pagehide/unload; the tab is gone (it says HELLO again if restored from bfcache). */
  BYE: 'bye',
  /** { request, token, error }: the answer to NEED_TOKEN (token null on failure). */
  TOKEN: 'token',
  /** { request }: ask for STATS. */
  GET_STATS: 'get-stats',
});

/** Hub -> tab. */
export const TO_TAB = Object.freeze({
  /** { hub }: HELLO was accepted (hub = an ID that changes when the hub restarts). */
  WELCOME: 'welcome',
  /** { items: [sub, type, data, id, sub, type, data, id, ...] }: events in
   *  stream order, batched: everything that arrived together is one message. */
  EVENTS: 'events',
  /** { sub, state, reason, delayMs, counters, origin }: the stream's status
   *  changed (state: connecting | open | retrying | closed); origin: of the
   *  response's final URL (after redirects), or null. */
  STATUS: 'status',
  /** { request, sub }: call getToken() and answer with TOKEN. */
  NEED_TOKEN: 'need-token',
  /** { request, streams: [{ url, state, reason, topics, counters }] }: the answer to GET_STATS. */
  STATS: 'stats',
  /** { reason }: the hub cannot run (its wasm core failed to load); every subscription is closed. */
  HUB_FAILED: 'hub-failed',
});

/** Stream states as the tabs see them. */
export const STREAM_STATE = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  RETRYING: 'retrying',
  CLOSED: 'closed',
});
