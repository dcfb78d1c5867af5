// Batched, ordered delivery to the tabs. Every postMessage to a tab is an
// IPC into another process plus a task there: at 50 tabs x 1,000 events/s,
// one message per event (events arriving one per network read) kept a
// 2-core machine busy switching contexts and left tabs seconds behind
// (docs/benchmarks.md, "Hub"). So events are queued per tab and flushed for
// all tabs at once:
//   - after the current task (a macrotask, not a microtask: the reads of
//     one network burst resolve in separate microtask turns), and
//   - at most once per `windowMs` while events keep coming: the first event
//     after a quiet spell goes out at once, a steady stream in batches
//     delayed by no more than windowMs.
// Any other message to a tab first flushes that tab's queued events, so a
// tab sees everything in the order the hub produced it.
//
// The window widens with the number of tabs: each flush wakes every tab's
// renderer, and what that costs a machine is the total of tab messages per
// second, not the rate per tab. With `messagesPerSecond` (a budget, default
// 5,000 in hub.js) the window is max(windowMs, tabs x 1000 / budget), at
// most maxWindowMs: 4 ms up to 20 tabs, 10 ms at 50, 16 ms from 80 on. At
// 50 tabs and 1,000 events/s, 4 ms windows (12,500 messages/s) took more
// than the two cores of the benchmark machine for the fan-out alone
// (tests/bench/hub-bench-ping.mjs, docs/benchmarks.md).
import { TO_TAB } from '../messages.js';

export class Fanout {
  /**
   * options: clock { now, setTimeout }, windowMs (0: flush after every
   * task, and no budget), messagesPerSecond (0: no budget), maxWindowMs,
   * macrotask(fn) (runs fn after the current task; default below).
   */
  constructor({ clock, windowMs = 0, messagesPerSecond = 0, maxWindowMs = 16, macrotask = defaultMacrotask() }) {
    this.clock = clock;
    this.windowMs = windowMs;
    this.messagesPerSecond = messagesPerSecond;
    this.maxWindowMs = Math.max(windowMs, maxWindowMs);
    this.macrotask = macrotask;
    this.outboxes = 0; // open outboxes: the tabs a flush may wake
    this.dirty = []; // outboxes with queued events, in the order they got them
    this.scheduled = false;
    this.lastFlushAt = -Infinity;
    this.flushNow = () => this.flush();
  }

  /** An outbox for one tab; `post(message)` sends to it. */
  outbox(post) {
    this.outboxes++;
    return new Outbox(this, post);
  }

  /** The batching window now, in ms (see the top of this file). */
  get window() {
    if (this.windowMs === 0 || this.messagesPerSecond <= 0) return this.windowMs;
    const shared = (this.outboxes * 1000) / this.messagesPerSecond;
    return Math.min(this.maxWindowMs, Math.max(this.windowMs, shared));
  }

  /** @internal: `outbox` queued its first event since its last flush. */
  wake(outbox) {
    this.dirty.push(outbox);
    if (this.scheduled) return;
    this.scheduled = true;
    // Clamped: a clock that stepped back must not hold events past the window.
    const windowMs = this.window;
    const wait = Math.min(windowMs, this.lastFlushAt + windowMs - this.clock.now());
    if (wait > 0) this.clock.setTimeout(this.flushNow, wait);
    else this.macrotask(this.flushNow);
  }

  flush() {
    this.scheduled = false;
    this.lastFlushAt = this.clock.now();
    const dirty = this.dirty;
    this.dirty = [];
    for (let i = 0; i < dirty.length; i++) dirty[i].flush();
  }
}

export class Outbox {
  constructor(fanout, post) {
    this.fanout = fanout;
    this.post = post;
    this.items = []; // flat: sub, type, data, id, ...
    this.closed = false;
  }

  event(sub, type, data, id) {
    if (this.closed) return;
    if (this.items.length === 0) this.fanout.wake(this);
    this.items.push(sub, type, data, id);
  }

  message(message) {
    if (this.closed) return;
    this.flush();
    this.post(message);
  }

  flush() {
    if (this.items.length === 0 || this.closed) return;
    const items = this.items;
    this.items = [];
    this.post({ type: TO_TAB.EVENTS, items });
  }

  close() {
    if (!this.closed) this.fanout.outboxes--;
    this.closed = true;
    this.items = [];
  }
}

// A MessageChannel message is a task of its own: it runs after the current
// task and its microtasks, without setTimeout's clamping (nested timers wait
// >= 4 ms). Node (the tests, the in-page hub under node) needs unref() or
// the channel keeps the process alive.
function defaultMacrotask() {
  if (typeof MessageChannel !== 'function') return (fn) => setTimeout(fn, 0);
  const channel = new MessageChannel();
  const queue = [];
  channel.port1.onmessage = () => {
    const fn = queue.shift();
    if (fn !== undefined) fn();
  };
  channel.port1.unref?.();
  channel.port2.unref?.();
  return (fn) => {
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}
