// Batched, ordered delivery to one tab. Events that arrive together (one
// network chunk can hold hundreds) become one postMessage; any other message
// first flushes the events queued before it, so a tab sees everything in the
// order the hub produced it.
import { TO_TAB } from '../messages.js';

export class Outbox {
  /** `post(message)` sends to the tab; `schedule(fn)` runs fn after the current task's work. */
  constructor(post, schedule = (fn) => queueMicrotask(fn)) { // browsers: queueMicrotask needs its global as `this`
    this.post = post;
    this.schedule = schedule;
    this.items = []; // flat: sub, type, data, id, ...
    this.scheduled = false;
    this.closed = false;
    this.flushNow = () => this.flush();
  }

  event(sub, type, data, id) {
    if (this.closed) return;
    this.items.push(sub, type, data, id);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.flushNow);
    }
  }

  message(message) {
    if (this.closed) return;
    this.flush();
    this.post(message);
  }

  flush() {
    this.scheduled = false;
    if (this.items.length === 0 || this.closed) return;
    const items = this.items;
    this.items = [];
    this.post({ type: TO_TAB.EVENTS, items });
  }

  close() {
    this.closed = true;
    this.items = [];
  }
}
