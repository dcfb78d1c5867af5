// Fallback without SharedWorker (Chrome for Android before 148, some
// WebViews): the tabs elect a leader with a Web Lock; the leader runs the
// hub, and every tab (the leader included) talks to it over a
// BroadcastChannel. When the leader dies the browser hands the lock to the
// next tab, whose new hub announces itself; the tabs subscribe again with
// the last event ID they saw, so the stream resumes where it was. A leader
// whose hub cannot start (its wasm core did not load) tells every tab, which
// close: the other tabs would load the same broken core.
import { createPageHub } from './page-hub.js';
import { BroadcastPort, WIRE } from './broadcast-port.js';
import { TO_TAB } from '../messages.js';

const CHANNEL = 'ssemux-hub';
const LEADER_LOCK = 'ssemux-leader';

export function openLeaderTransport({ tabId, hubOptions, onMessage, onHubChanged }) {
  const scope = hubOptions.scope ?? '';
  const channel = new BroadcastChannel(CHANNEL + scope);
  const listener = (event) => {
    const m = event.data;
    if (m === null || typeof m !== 'object') return;
    if (m.kind === WIRE.TO_TAB && m.tab === tabId) onMessage(m.message);
    else if (m.kind === WIRE.HUB_UP) onHubChanged();
    else if (m.kind === WIRE.HUB_FAILED) onMessage({ type: TO_TAB.HUB_FAILED, reason: String(m.reason) });
  };
  channel.addEventListener('message', listener);

  // Campaign: this tab waits for the lock; holding it = being the leader.
  const campaign = new AbortController();
  let closed = false;
  let stepDown = null;
  navigator.locks.request(LEADER_LOCK + scope, { signal: campaign.signal }, () => new Promise((resolve) => {
    stepDown = resolve;
    lead(hubOptions, scope, () => stepDown === null).then((resign) => {
      stepDown = () => {
        resign();
        resolve();
      };
    }, (error) => {
      if (!closed) {
        channel.postMessage({ kind: WIRE.HUB_FAILED, reason: error.message });
        onMessage({ type: TO_TAB.HUB_FAILED, reason: error.message });
      }
      resolve(); // a tab that joins later tries again (and reports again)
    });
  })).catch(() => {}); // aborted: the page left before winning

  return {
    post: (message) => channel.postMessage({ kind: WIRE.TO_HUB, tab: tabId, message }),
    close() {
      closed = true;
      campaign.abort();
      channel.removeEventListener('message', listener);
      channel.close();
      if (stepDown !== null) {
        const s = stepDown;
        stepDown = null;
        s();
      }
    },
  };
}

// Runs the hub until the returned resign() is called.
async function lead(hubOptions, scope, resigned) {
  const hub = await createPageHub(hubOptions);
  const channel = new BroadcastChannel(CHANNEL + scope);
  const ports = new Map(); // tab id -> BroadcastPort
  const listener = (event) => {
    const m = event.data;
    if (m === null || typeof m !== 'object' || m.kind !== WIRE.TO_HUB) return;
    let port = ports.get(m.tab);
    if (port === undefined) {
      port = new BroadcastPort(channel, m.tab, (p) => { if (ports.get(p.tabId) === p) ports.delete(p.tabId); });
      ports.set(m.tab, port);
      hub.connect(port);
    }
    port.receive(m.message);
  };
  const resign = () => {
    channel.removeEventListener('message', listener);
    hub.close();
    channel.close();
  };
  if (resigned()) {
    resign();
    return () => {};
  }
  channel.addEventListener('message', listener);
  channel.postMessage({ kind: WIRE.HUB_UP, hub: hub.hubId });
  return resign;
}
