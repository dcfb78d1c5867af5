// A MessagePort look-alike for one tab, over the fallback's
// BroadcastChannel: the leader's hub talks to it exactly as to a
// SharedWorker port. Messages to the tab carry its ID (every tab hears every
// broadcast and keeps its own).
export const WIRE = Object.freeze({
  TO_HUB: 'to-hub', // { kind, tab, message }: a tab -> the leader's hub
  TO_TAB: 'to-tab', // { kind, tab, message }: the hub -> one tab
  HUB_UP: 'hub-up', // { kind, hub }: a new leader's hub is listening; tabs say HELLO again
  HUB_FAILED: 'hub-failed', // { kind, reason }: the leader's hub could not start; every tab closes
});

export class BroadcastPort extends EventTarget {
  constructor(channel, tabId, onClose) {
    super();
    this.channel = channel;
    this.tabId = tabId;
    this.onClose = onClose;
    this.closed = false;
  }

  postMessage(message) {
    if (!this.closed) this.channel.postMessage({ kind: WIRE.TO_TAB, tab: this.tabId, message });
  }

  /** A message from the tab (the leader's channel listener calls this). */
  receive(message) {
    if (!this.closed) this.dispatchEvent(new MessageEvent('message', { data: message }));
  }

  start() {}

  close() {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
  }
}
