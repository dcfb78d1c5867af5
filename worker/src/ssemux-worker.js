// The SharedWorker entry: one hub for every tab of the origin that loads
// this script with the same URL and name. Options come from the script's
// query string (a different query is a different worker), e.g.
//   ssemux-worker.js?graceMs=5000&recentLimit=16&pauseWhenHidden=1
import { loadHubCore } from './load-hub-core.js';
import { Hub, HUB_DEFAULTS } from './hub/hub.js';
import { TO_TAB } from './messages.js';

const NUMERIC = ['graceMs', 'settleMs', 'livenessTimeoutMs', 'recentLimit', 'tokenTimeoutMs', 'fanoutWindowMs',
  'fanoutMessagesPerSecond', 'fanoutMaxWindowMs'];
const ENGINE = ['initialRetryMs', 'maxRetryMs', 'healthyAfterMs', 'heartbeatMs', 'idleTimeoutMs', 'dedupeWindow',
  'maxData', 'maxType', 'maxId'];

function optionsFromQuery(search) {
  const q = new URLSearchParams(search);
  const options = { engineConfig: {} };
  for (const name of NUMERIC) if (q.has(name)) options[name] = Number(q.get(name));
  for (const name of ENGINE) if (q.has(name)) options.engineConfig[name] = Number(q.get(name));
  if (q.has('pauseWhenHidden')) options.pauseWhenHidden = q.get('pauseWhenHidden') === '1';
  return { ...HUB_DEFAULTS, ...options };
}

// Ports that connect while the wasm is still loading wait here.
const waiting = [];
let hub = null;
let failure = null;

function failed(port) {
  port.postMessage({ type: TO_TAB.HUB_FAILED, reason: failure });
  port.close();
}

self.addEventListener('connect', (event) => {
  for (const port of event.ports) {
    if (hub !== null) hub.connect(port);
    else if (failure !== null) failed(port);
    else waiting.push(port);
  }
});

loadHubCore().then((core) => {
  hub = new Hub({
    ...optionsFromQuery(self.location.search),
    core,
    locks: self.navigator && self.navigator.locks ? self.navigator.locks : null,
  });
  for (const port of waiting.splice(0)) hub.connect(port);
  self.ssemuxHub = hub; // for debugging in chrome://inspect
}, (error) => {
  failure = error.message;
  for (const port of waiting.splice(0)) failed(port);
  console.error('ssemux:', failure);
});
