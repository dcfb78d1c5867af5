// The tabs connected to the hub and whether they are still alive. A
// MessagePort has no close event, so a tab counts as gone when it says BYE
// (pagehide), when the Web Lock it holds for its lifetime is released (the
// browser frees it when the page dies), or when it has been silent for
// livenessTimeoutMs (tabs PING; timers in hidden tabs may be throttled to
// one per minute, hence the generous default).
import { TO_HUB, TO_TAB } from '../messages.js';

export class TabRegistry {
  /**
   * options: clock, locks (navigator.locks or null), livenessTimeoutMs,
   * hubId, fanout (fanout.js: the tabs' outboxes), onMessage(tab, message),
   * onGone(tab, why).
   */
  constructor(options) {
    this.o = options;
    this.clock = options.clock;
    this.links = new Set(); // one per port: { port, listener, tab, since }
    this.tabs = new Map(); // tab id -> tab
    this.sweepTimer = null;
  }

  /** A new port (SharedWorker connect event, or a fallback's port). */
  attach(port) {
    const link = { port, tab: null, since: this.clock.now(), listener: null };
    link.listener = (event) => this.receive(link, event.data);
    port.addEventListener('message', link.listener);
    if (typeof port.start === 'function') port.start();
    this.links.add(link);
    this.armSweep();
  }

  receive(link, message) {
    if (!this.links.has(link) || message === null || typeof message !== 'object') return;
    if (message.type === TO_HUB.HELLO) {
      this.hello(link, message);
      return;
    }
    const tab = link.tab;
    if (tab === null) return; // a tab speaks only after HELLO
    tab.lastSeen = this.clock.now();
    if (message.type === TO_HUB.BYE) {
      this.remove(tab, 'bye');
      return;
    }
    if (message.type === TO_HUB.PING) return;
    if (message.type === TO_HUB.VISIBILITY) tab.hidden = Boolean(message.hidden);
    this.o.onMessage(tab, message);
  }

  hello(link, message) {
    const id = String(message.tab);
    if (link.tab !== null && link.tab.id === id) {
      link.tab.lastSeen = this.clock.now();
      link.tab.outbox.message({ type: TO_TAB.WELCOME, hub: this.o.hubId });
      return;
    }
    // The same tab on a new port (it reconnected): the old port is dead.
    const previous = this.tabs.get(id);
    if (previous !== undefined) this.remove(previous, 'replaced');
    if (link.tab !== null) this.remove(link.tab, 'replaced');
    const tab = {
      id,
      link,
      hidden: Boolean(message.hidden),
      lastSeen: this.clock.now(),
      subs: new Map(),
      outbox: this.o.fanout.outbox((m) => link.port.postMessage(m)),
      lockWatch: null,
    };
    link.tab = tab;
    this.tabs.set(id, tab);
    this.watchLock(tab, message.lock);
    tab.outbox.message({ type: TO_TAB.WELCOME, hub: this.o.hubId });
    this.armSweep();
  }

  // The tab holds the lock `name` until it dies; our request for the same
  // lock is granted at that moment.
  watchLock(tab, name) {
    const locks = this.o.locks;
    if (!locks || typeof name !== 'string' || name === '') return;
    const controller = new AbortController();
    tab.lockWatch = controller;
    locks.request(name, { signal: controller.signal }, () => {
      if (this.tabs.get(tab.id) === tab) this.remove(tab, 'lock');
    }).catch(() => {}); // aborted: the tab left some other way
  }

  /** Forgets the tab and closes its port. */
  remove(tab, why) {
    if (this.tabs.get(tab.id) !== tab) return;
    this.tabs.delete(tab.id);
    tab.outbox.flush();
    tab.outbox.close();
    if (tab.lockWatch !== null) {
      tab.lockWatch.abort();
      tab.lockWatch = null;
    }
    this.detach(tab.link);
    this.o.onGone(tab, why);
  }

  detach(link) {
    if (!this.links.delete(link)) return;
    link.tab = null;
    link.port.removeEventListener('message', link.listener);
    link.listener = null;
    link.port.close();
    if (this.links.size === 0) this.stopSweep();
  }

  armSweep() {
    if (this.sweepTimer !== null || this.links.size === 0) return;
    const every = Math.max(50, Math.floor(this.o.livenessTimeoutMs / 4));
    this.sweepTimer = this.clock.setTimeout(() => {
      this.sweepTimer = null;
      this.sweep();
      this.armSweep();
    }, every);
  }

  stopSweep() {
    if (this.sweepTimer !== null) {
      this.clock.clearTimeout(this.sweepTimer);
      this.sweepTimer = null;
    }
  }

  sweep() {
    const oldest = this.clock.now() - this.o.livenessTimeoutMs;
    for (const link of [...this.links]) {
      if (link.tab !== null) {
        if (link.tab.lastSeen < oldest) this.remove(link.tab, 'silent');
      } else if (link.since < oldest) {
        this.detach(link); // connected but never said HELLO
      }
    }
  }

  /** Every tab gone, every port closed (hub shutdown). */
  clear() {
    for (const tab of [...this.tabs.values()]) this.remove(tab, 'shutdown');
    for (const link of [...this.links]) this.detach(link);
    this.stopSweep();
  }
}
