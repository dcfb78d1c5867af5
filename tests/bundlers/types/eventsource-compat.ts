// Type test (tsc -p tests/bundlers/types, strict): the installed package's
// SharedEventSource is an EventSource wherever one is expected, handler
// `this` types included, and its events stay typed. Each @ts-expect-error
// line must be an error: it proves the types are not `any`.
import { SharedEventSource, type SharedEventSourceStatus } from 'ssemux';

const es = new SharedEventSource('/events?topic=scores', { credentialKey: 'user-1', getToken: async () => 'token' });

// A drop-in: passed, assigned and used as an EventSource.
function readyStateOf(source: EventSource): number {
  return source.readyState;
}
readyStateOf(es);
const native: EventSource = es;
native.onerror = function (event: Event) {
  this.close();
  console.log(event.type);
};
const sources: EventSource[] = [es, new EventSource('/events')];
console.log(sources.length);

// Its own events, typed.
es.onmessage = function (event) {
  const data: string = event.data;
  console.log(data, this.readyState);
};
es.addEventListener('goal', (event) => {
  const data: string = event.data;
  const id: string = event.lastEventId;
  console.log(data, id);
});
es.addEventListener('ssemux-status', (event) => {
  const status: SharedEventSourceStatus = event.detail;
  const transport: 'shared-worker' | 'leader' | 'in-page' | null = event.detail.transport;
  console.log(status.state, transport);
});
const shown: 'shared-worker' | 'leader' | 'in-page' | null = es.status.transport;
es.getStats().then((streams) => streams.map((s) => s.transport));
console.log(shown);

// @ts-expect-error a status detail is not a number
es.addEventListener('ssemux-status', (event) => { const n: number = event.detail; console.log(n); });
// @ts-expect-error event data is a string
es.addEventListener('goal', (event) => { const n: number = event.data; console.log(n); });
// @ts-expect-error transport is one of three names
es.status.transport = 'websocket';
