// The last resort: no SharedWorker, no Web Locks or BroadcastChannel. The
// hub runs in this page and serves this page only; a MessageChannel stands
// in for the SharedWorker port, so the hub cannot tell the difference.
import { createPageHub } from './page-hub.js';

// Promise<Hub> per options object: one per page in practice (one HubClient
// per page passes the same options every time).
const pageHubs = new WeakMap();

export async function openInPageTransport({ hubOptions, onMessage }) {
  if (!pageHubs.has(hubOptions)) pageHubs.set(hubOptions, createPageHub(hubOptions));
  const hub = await pageHubs.get(hubOptions);
  const channel = new MessageChannel();
  const port = channel.port1;
  const listener = (event) => onMessage(event.data);
  port.addEventListener('message', listener);
  port.start();
  hub.connect(channel.port2);
  return {
    post: (message) => port.postMessage(message),
    close() {
      port.removeEventListener('message', listener);
      port.close();
    },
  };
}
