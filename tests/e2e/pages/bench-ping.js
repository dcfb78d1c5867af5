// A tab of the ping benchmark: receives the worker's batches (flat
// [sub, type, data, id, ...] like the hub's "events" message) and, per
// event, dispatches a MessageEvent whose handler parses the data and records
// the delay, as pages/client.js does with a SharedEventSource.
const now = () => performance.timeOrigin + performance.now();
const target = new EventTarget();
const latencies = [];
let received = 0;

target.addEventListener('tick', (e) => {
  const { i, t } = JSON.parse(e.data);
  latencies.push(i, now() - t);
  received++;
});

window.benchPing = {
  connect(workerUrl) {
    const worker = new SharedWorker(workerUrl, { name: 'ssemux-bench-ping' });
    worker.port.onmessage = (event) => {
      const items = event.data.items;
      for (let k = 0; k < items.length; k += 4) {
        target.dispatchEvent(new MessageEvent(items[k + 1], { data: items[k + 2], lastEventId: items[k + 3] }));
      }
    };
    this.port = worker.port;
  },
  go(message) {
    this.port.postMessage(message);
  },
  received: () => received,
  takeLatencies: () => latencies.splice(0),
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
};
document.getElementById('status').textContent = 'ready';
