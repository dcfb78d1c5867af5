// The ping benchmark's SharedWorker: no network, no parser. On "go" it
// makes `rate` events per second for `seconds`, each stamped with the
// worker's clock (corrected by its offset, as the publisher's is) when it is
// due, and posts them to every connected tab in one message per
// `windowMs`: the hub's fan-out without the hub.
const ports = [];
const now = () => performance.timeOrigin + performance.now();

function clockBias(ms = 100) {
  let sum = 0;
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    sum += now() - Date.now();
    n++;
  }
  return sum / n;
}

function run({ rate, seconds, windowMs }) {
  const bias = clockBias();
  const start = now();
  const total = Math.round(rate * seconds);
  let next = 0;
  const tick = () => {
    const t = now();
    const items = [];
    while (next < total && start + (next * 1000) / rate <= t) {
      const due = start + (next * 1000) / rate;
      items.push(1, 'tick', JSON.stringify({ i: next, t: due - bias }), String(next));
      next++;
    }
    if (items.length > 0) for (const port of ports) port.postMessage({ type: 'events', items });
    if (next < total) setTimeout(tick, windowMs);
  };
  tick();
}

self.addEventListener('connect', (event) => {
  const port = event.ports[0];
  ports.push(port);
  port.onmessage = (e) => {
    if (e.data && e.data.go) run(e.data.go);
  };
});
