// The test's hands inside a tab: opens EventSource or SharedEventSource
// clients and records everything they report, with wall-clock times
// (Date.now()/timeOrigin share the clock of the node process that publishes).
const clients = [];
const records = [];
const statusBlock = document.getElementById('status');
let statusTimer = null;

const now = () => performance.timeOrigin + performance.now();

function showStatus() {
  statusTimer = null;
  statusBlock.textContent = clients
    .map((c, i) => `#${i} ${c.kind} ${c.url} readyState=${c.source.readyState} events=${c.events} errors=${c.errors}${c.opened ? ' opened' : ''}`)
    .join('\n') || 'no clients';
}

function scheduleStatus() {
  statusTimer ??= setTimeout(showStatus, 100);
}

// latency mode keeps only publish-to-tab delays: event data is JSON with the
// event's sequence number i and the publisher's timestamp t (ms since the
// epoch, fractional); latencies holds i, delay, i, delay, ...
function attach(kind, url, source, { types = [], latency = false }) {
  const client = { kind, url, source, events: 0, errors: 0, opened: false, latencies: latency ? [] : null };
  const index = clients.push(client) - 1;
  const onEvent = (e) => {
    client.events++;
    if (latency) {
      const { i, t } = JSON.parse(e.data);
      client.latencies.push(i, now() - t);
    }
    else records.push({ client: index, kind: 'event', type: e.type, data: e.data, lastEventId: e.lastEventId, origin: e.origin, t: now() });
    scheduleStatus();
  };
  source.onopen = () => {
    client.opened = true;
    records.push({ client: index, kind: 'open', readyState: source.readyState, t: now() });
    scheduleStatus();
  };
  source.onerror = () => {
    client.errors++;
    records.push({ client: index, kind: 'error', readyState: source.readyState, t: now() });
    scheduleStatus();
  };
  source.onmessage = onEvent;
  for (const type of types) if (type !== 'message') source.addEventListener(type, onEvent);
  scheduleStatus();
  return index;
}

window.ssemuxTest = {
  openNative(url, options = {}) {
    return attach('native', url, new EventSource(url, { withCredentials: !!options.withCredentials }), options);
  },

  // options: types and latency (ours), anything else goes to the
  // SharedEventSource (headers, workerUrl, transport, recent, ...).
  async openShared(url, options = {}) {
    const { SharedEventSource } = await import('/ssemux/ssemux.js');
    const { types, latency, ...init } = options;
    const source = new SharedEventSource(url, init);
    const index = attach('shared', url, source, { types, latency });
    // The hub's own status (state, reason, retry delay): evidence for failures.
    source.addEventListener('ssemux-status', (e) => {
      const { state, reason, delayMs } = e.detail ?? {};
      records.push({ client: index, kind: 'status', state, reason, delayMs, t: now() });
    });
    return index;
  },

  // Everything recorded so far, plus each client's readyState now.
  snapshot() {
    return {
      records,
      clients: clients.map((c) => ({ kind: c.kind, url: c.url, readyState: c.source.readyState, events: c.events, errors: c.errors, opened: c.opened })),
    };
  },

  // Takes (and clears) the latencies recorded in latency mode.
  takeLatencies() {
    return clients.map((c) => (c.latencies ? c.latencies.splice(0) : []));
  },

  // Mean of (performance.timeOrigin + now()) - Date.now() over `ms`: the
  // publisher computes the same, and the difference is this tab's clock
  // offset, without the round-trip error of asking for the time.
  async clockBias(ms = 100) {
    let sum = 0;
    let n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      sum += now() - Date.now();
      if (++n % 64 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return sum / n;
  },

  close(index) {
    clients[index].source.close();
    scheduleStatus();
  },
};
statusBlock.textContent = 'ready';
