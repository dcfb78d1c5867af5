// The page's model of the matches, rebuilt from events alone: every event
// carries its match's whole state and a version `v`, so applying "the
// newest state per slot" converges to the feed's record from any suffix of
// the stream (late joiners, replays after a reconnect, periodic snapshots),
// and an event seen twice changes nothing. No DOM here.

// Happenings worth a line in the ticker (the rest only move the clock or
// repeat the state).
export const NOTABLE = new Set(['goal', 'card', 'sub', 'status']);
export const EVENT_TYPES = ['snapshot', 'clock', 'status', 'goal', 'card', 'sub'];
const TICKER_MAX = 40;

// a is newer than b: a later match in the slot, or the same match further on.
export function isNewer(a, b) {
  if (!b) return true;
  if (a.id === b.id) return a.v > b.v;
  return a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.id > b.id);
}

export class Scoreboard {
  constructor() {
    this.slots = new Map();  // slot -> match state
    this.eventIds = [];      // every event ID received, in order (tests check: once each)
    this.goalIds = [];       // IDs of the goal events shown
    this.ticker = [];        // newest first
  }

  // Returns the ticker item the event added, true if it only changed the
  // state, or false if it was old news.
  apply(type, id, match) {
    this.eventIds.push(id);
    if (!isNewer(match, this.slots.get(match.slot))) return false;
    this.slots.set(match.slot, match);
    if (!NOTABLE.has(type)) return true;
    const item = { id, type, match, last: match.last };
    this.ticker.unshift(item);
    this.ticker.length = Math.min(this.ticker.length, TICKER_MAX);
    if (type === 'goal') this.goalIds.push(id);
    return item;
  }

  matches() {
    return [...this.slots.values()].sort((a, b) => a.slot - b.slot);
  }
}
