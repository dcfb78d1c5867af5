// The live-score page: one SharedEventSource for the "scores" topic (the
// hub shares one server connection among every tab of this origin), named
// events drawn into cards and a ticker, the connection's state and the
// number of tabs sharing it, and the demo server's outage control.
import { SharedEventSource } from '/ssemux/ssemux.js';
import { EVENT_TYPES, Scoreboard } from './scoreboard.js';
import { renderConnection, renderCounters, renderMatches, renderSharing, renderTicker } from './view.js';

const TOPIC = new URLSearchParams(location.search).get('topic') || 'scores';
const OUTAGE_SECONDS = 8;
const FLASH_MS = 2500;
// A tab joining a running stream gets this many recent events from the
// hub's memory at once, so its ticker is not empty (the state would come
// anyway: every event carries its match's whole state). ?recent=N changes it.
const RECENT = Number(new URLSearchParams(location.search).get('recent') ?? 32);

const $ = (selector) => document.querySelector(selector);
const board = new Scoreboard();
const flashes = new Map(); // slot -> until (ms)
let retryAt = 0;
let renderQueued = false;

const source = new SharedEventSource(`/events?topic=${encodeURIComponent(TOPIC)}`, { recent: RECENT });

function render() {
  renderQueued = false;
  const now = Date.now();
  for (const [slot, until] of flashes) if (until < now) flashes.delete(slot);
  renderMatches($('#matches'), board.matches(), new Set(flashes.keys()));
  renderTicker($('#ticker'), board.ticker);
}

// Events arrive in batches; draw once per batch. Not requestAnimationFrame:
// it does not run in background tabs, and these must stay current.
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(render, 0);
}

function onMatchEvent(event) {
  let match;
  try {
    match = JSON.parse(event.data);
  } catch {
    console.warn(`ignoring ${event.type} ${event.lastEventId}: not JSON`);
    return;
  }
  const added = board.apply(event.type, event.lastEventId, match);
  if (added && event.type === 'goal') {
    flashes.set(match.slot, Date.now() + FLASH_MS);
    setTimeout(queueRender, FLASH_MS + 50);
  }
  if (added) queueRender();
}

for (const type of EVENT_TYPES) source.addEventListener(type, onMatchEvent);

source.addEventListener('ssemux-status', (event) => {
  const status = event.detail;
  if (status.state === 'retrying') retryAt = Date.now() + status.delayMs;
  renderConnection($('#connection'), status, retryAt, Date.now());
  renderCounters($('#counters'), status.counters);
  if (status.counters) renderSharing($('#sharing'), status.counters);
});

// The countdown moves every second; tabs joining or leaving change no
// state, so the sharing counters are polled from the hub.
setInterval(() => renderConnection($('#connection'), source.status, retryAt, Date.now()), 250);
async function pollStats() {
  try {
    const streams = await source.getStats();
    const mine = streams.find((s) => s.topics?.includes(TOPIC)) ?? streams[0];
    if (mine) {
      renderSharing($('#sharing'), mine.counters);
      renderCounters($('#counters'), mine.counters);
    }
  } catch (err) {
    console.warn(`stats: ${err.message}`);
  }
}
setInterval(pollStats, 1000);
pollStats();

// The control exists only on a server started with --demo: a GET there is
// 405 (POST only) in demo mode and 404 otherwise.
async function setUpOutageButton() {
  const button = $('#outage');
  const note = $('#outage-note');
  const probe = await fetch('/demo/outage', { cache: 'no-store' }).catch(() => null);
  if (probe?.status !== 405) {
    note.textContent = 'Start the server with --demo for the outage control, or stop the server itself.';
    return;
  }
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    note.textContent = '';
    try {
      const res = await fetch(`/demo/outage?seconds=${OUTAGE_SECONDS}`, { method: 'POST' });
      const body = await res.json();
      note.textContent = res.ok
        ? `Server refuses streams for ${body.seconds} s (${body.dropped} dropped). Every tab reconnects and catches up; the feed keeps publishing.`
        : `Outage refused: ${body.error}`;
    } catch (err) {
      note.textContent = `Outage request failed: ${err.message}`;
    }
    setTimeout(() => { button.disabled = false; }, OUTAGE_SECONDS * 1000);
  });
}
setUpOutageButton();

render();
renderConnection($('#connection'), source.status, retryAt, Date.now());

// For the tests (tests/e2e/demo-*.test.mjs) and the curious: what this tab
// shows and every event ID it received.
window.demo = {
  source,
  topic: TOPIC,
  matches: () => board.matches(),
  eventIds: () => [...board.eventIds],
  goalIds: () => [...board.goalIds],
  status: () => source.status,
};
