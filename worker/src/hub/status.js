// What a tab is told about its stream: the state as that subscription sees
// it, and the counters (events, bytes, reconnects, tabs sharing).
import { STREAM_STATE, TO_TAB } from '../messages.js';

/**
 * The state for one subscription: a stream that is open but does not carry
 * all of the subscription's topics yet (a topic switch is under way) is
 * still "connecting" for that subscription.
 */
export function stateFor(sub, entry) {
  if (entry.upstream === null) return entry.paused ? STREAM_STATE.CONNECTING : entry.state;
  const up = entry.upstream;
  if (up.state === STREAM_STATE.OPEN && !covers(up.liveTopics, sub.topics)) return STREAM_STATE.CONNECTING;
  return up.state;
}

export function covers(liveTopics, wanted) {
  if (liveTopics === null || wanted === null) return true; // a plain stream: one key, one URL
  for (const t of wanted) if (!liveTopics.has(t)) return false;
  return true;
}

export function countersFor(entry) {
  const counters = entry.upstream !== null ? entry.upstream.snapshot() : { ...entry.lastCounters };
  const tabs = new Set();
  for (const sub of entry.subs) tabs.add(sub.tab);
  counters.tabs = tabs.size;
  return counters;
}

export function statusMessage(sub, entry, state) {
  const up = entry.upstream;
  const reason = entry.paused ? 'paused' : up !== null ? up.reason : entry.reason;
  const delayMs = up !== null && state === STREAM_STATE.RETRYING ? up.delayMs : 0;
  const origin = up !== null ? up.origin : null;
  return { type: TO_TAB.STATUS, sub: sub.id, state, reason, delayMs, counters: countersFor(entry), origin };
}

export function streamStats(entry) {
  return {
    url: entry.stream.endpoint,
    topics: entry.upstream !== null && entry.upstream.liveTopics !== null
      ? [...entry.upstream.liveTopics].sort() : null,
    state: entry.upstream !== null ? entry.upstream.state : entry.state,
    reason: entry.upstream !== null ? entry.upstream.reason : entry.reason,
    counters: countersFor(entry),
  };
}
