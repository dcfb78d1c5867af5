// The app every bundler builds (docs/bundlers.md): SharedEventSource
// imported by the package's name, exactly as docs/bundlers.md shows, with no
// option a bundler would need. What the tab saw is in window.ssemuxApp for
// the Playwright test to read.
import { SharedEventSource } from 'ssemux';

const topic = new URLSearchParams(location.search).get('topic') ?? 'bundled';
const es = new SharedEventSource(`/events?topic=${encodeURIComponent(topic)}`);

const seen = { events: [], errors: 0, statuses: [] };
const show = (id, text) => { document.getElementById(id).textContent = text; };

es.addEventListener('tick', (event) => {
  seen.events.push(`${event.lastEventId} ${event.data}`);
  show('count', String(seen.events.length));
});
es.onerror = () => { seen.errors++; };
es.addEventListener('ssemux-status', (event) => {
  const { state, reason, transport } = event.detail;
  seen.statuses.push({ state, reason, transport });
  show('transport', String(transport));
  show('state', state);
});

window.ssemuxApp = {
  snapshot: () => ({ ...seen, readyState: es.readyState, status: { ...es.status, counters: null } }),
  stats: () => es.getStats(),
};
