// One simulated football match at demo speed: a pure state machine with a
// seeded random source, advanced one match minute at a time. Every change
// returns the event to publish: its SSE type and the match's FULL state
// after it, so a page that sees any single event of a match can draw it
// (docs/demo.md, "How the page rebuilds its state").
import { pickTeams } from './teams.mjs';

export const PHASE = Object.freeze({
  PRE: 'pre',            // teams out, kickoff next minute
  FIRST: 'first-half',
  HALF_TIME: 'half-time',
  SECOND: 'second-half',
  FULL_TIME: 'full-time',
});

// Per played minute, for each team. About 2.7 goals per match is real
// football; the demo scores more so that something always happens.
const GOAL_CHANCE = 0.03;
const CARD_CHANCE = 0.018;
const SUB_CHANCE = 0.035;    // second half only, at most MAX_SUBS per team
const MAX_SUBS = 5;
const HALF_TIME_MINUTES = 4; // ticks spent at half time
const FULL_TIME_MINUTES = 8; // ticks the final score stays up before the next match

export class Match {
  // slot: where the page shows it; startedAt orders matches of one slot;
  // busy: clubs playing in other slots.
  constructor({ slot, startedAt, random, busy }) {
    this.random = random;
    const [home, away] = pickTeams(random, busy);
    this.state = {
      id: `${startedAt.toString(36)}-${slot}`,
      slot,
      startedAt,
      v: 0,                      // bumped by every change: the page keeps the highest
      home: { name: home.name, short: home.short, color: home.color },
      away: { name: away.name, short: away.short, color: away.color },
      score: [0, 0],
      minute: 0,
      phase: PHASE.PRE,
      goals: [],                 // { team: 0|1, player, minute }
      cards: [],                 // { team, player, minute, color }
      subs: [0, 0],
      last: { kind: 'scheduled', minute: 0, text: `${home.name} v ${away.name}` },
    };
    this.squads = [home.players, away.players];
    this.stoppage = [1 + Math.floor(random() * 3), 2 + Math.floor(random() * 4)];
    this.pauseTicks = 0;
  }

  get finished() {
    return this.state.phase === PHASE.FULL_TIME && this.pauseTicks >= FULL_TIME_MINUTES;
  }

  // The state as it is now, for a periodic "snapshot" event.
  snapshot() {
    return { type: 'snapshot', state: structuredClone(this.state) };
  }

  // Advances one match minute; returns the events it caused, in order.
  tick() {
    const s = this.state;
    const events = [];
    switch (s.phase) {
      case PHASE.PRE:
        s.phase = PHASE.FIRST;
        s.minute = 1;
        events.push(this.change('status', { kind: 'kickoff', text: 'Kick-off' }));
        break;
      case PHASE.FIRST:
      case PHASE.SECOND: {
        const end = s.phase === PHASE.FIRST ? 45 + this.stoppage[0] : 90 + this.stoppage[1];
        if (s.minute >= end) {
          const first = s.phase === PHASE.FIRST;
          s.phase = first ? PHASE.HALF_TIME : PHASE.FULL_TIME;
          this.pauseTicks = 0;
          events.push(this.change('status', { kind: first ? 'half-time' : 'full-time', text: `${first ? 'Half time' : 'Full time'} ${s.score[0]}-${s.score[1]}` }));
          break;
        }
        s.minute++;
        events.push(...this.play());
        // The clock moves on every minute, so a page that just opened sees
        // every running match within one tick.
        if (events.length === 0) events.push(this.change('clock', null));
        break;
      }
      case PHASE.HALF_TIME:
        if (++this.pauseTicks >= HALF_TIME_MINUTES) {
          s.phase = PHASE.SECOND;
          s.minute = 46;
          events.push(this.change('status', { kind: 'second-half', text: 'Second half under way' }));
        }
        break;
      case PHASE.FULL_TIME:
        this.pauseTicks++;
        break;
    }
    return events;
  }

  // What happens in one played minute.
  play() {
    const s = this.state;
    const events = [];
    for (const team of [0, 1]) {
      const side = team ? s.away : s.home;
      if (this.random() < GOAL_CHANCE) {
        const player = this.player(team);
        s.score[team]++;
        s.goals.push({ team, player, minute: s.minute });
        events.push(this.change('goal', { kind: 'goal', team, player, text: `GOAL! ${player} (${side.name}) ${s.score[0]}-${s.score[1]}` }));
      }
      if (this.random() < CARD_CHANCE) {
        const player = this.player(team);
        const color = this.random() < 0.12 ? 'red' : 'yellow';
        s.cards.push({ team, player, minute: s.minute, color });
        events.push(this.change('card', { kind: 'card', team, player, color, text: `${color === 'red' ? 'Red' : 'Yellow'} card: ${player} (${side.name})` }));
      }
      if (s.phase === PHASE.SECOND && s.subs[team] < MAX_SUBS && this.random() < SUB_CHANCE) {
        const off = this.player(team);
        const on = this.player(team, off);
        s.subs[team]++;
        events.push(this.change('sub', { kind: 'sub', team, player: on, off, text: `${side.name}: ${on} on for ${off}` }));
      }
    }
    return events;
  }

  player(team, not) {
    const squad = this.squads[team].filter((p) => p !== not);
    return squad[Math.floor(this.random() * squad.length)];
  }

  // One change of state; `last` (what the card shows as the latest
  // happening) only moves for real happenings, not for the clock.
  change(type, last) {
    const s = this.state;
    s.v++;
    if (last) s.last = { ...last, minute: s.minute };
    return { type, state: structuredClone(s) };
  }
}

// Small, fast, seedable (mulberry32): the same seed plays the same matches.
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
