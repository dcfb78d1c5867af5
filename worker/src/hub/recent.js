// The hub's memory of recent events, so a tab that joins a running stream
// gets the last few events per topic without a request to the server, and a
// tab that comes back (bfcache restore, reload) gets the events it missed.
// remember() runs for every event: one ring per topic in a flat array,
// nothing allocated per event once a topic's ring is full.

const FIELDS = 4; // seq, type, data, id

export class RecentEvents {
  /** `limit`: events kept per topic (0 keeps none). */
  constructor(limit) {
    this.limit = limit;
    this.byTopic = new Map(); // topic ('' = unrouted) -> { slots: [], next, count, evicted }
    // Topics that left the connection (forget()): Infinity while away, then
    // the seq of their first event after coming back; memory of such a topic
    // vouches only for what follows that seq.
    this.forgotten = new Map();
    this.seq = 0;
    this.startId = ''; // the Last-Event-ID the memory starts right after (startsAfter())
  }

  /**
   * The stream starts (empty memory) right after event `id`: a tab whose
   * last event is `id` has missed exactly what will be remembered, even
   * before the memory holds `id` itself (a new hub resuming from the tabs'
   * ID, tabs subscribing after it started).
   */
  startsAfter(id) {
    if (this.seq === 0 && typeof id === 'string') this.startId = id;
  }

  remember(topic, type, data, id) {
    if (this.limit === 0) return;
    const key = topic ?? '';
    let ring = this.byTopic.get(key);
    if (ring === undefined) {
      this.byTopic.set(key, (ring = { slots: [], next: 0, count: 0, evicted: -1 }));
      if (this.forgotten.has(key)) this.forgotten.set(key, this.seq);
    }
    const at = ring.next * FIELDS;
    if (ring.count === this.limit) ring.evicted = ring.slots[at]; // the newest seq no longer held
    ring.slots[at] = this.seq++;
    ring.slots[at + 1] = type;
    ring.slots[at + 2] = data;
    ring.slots[at + 3] = id;
    ring.next = (ring.next + 1) % this.limit;
    if (ring.count < this.limit) ring.count++;
  }

  /**
   * Up to `count` recent events { type, data, id } of each topic in `topics`
   * (null: all), plus the unrouted ones, merged back into arrival order.
   */
  recall(topics, count) {
    if (count <= 0) return [];
    const picked = [];
    for (const [key, ring] of this.byTopic) {
      if (key !== '' && topics !== null && !topics.has(key)) continue;
      const n = Math.min(count, ring.count);
      for (let k = n; k > 0; k--) {
        const at = ((ring.next - k + this.limit) % this.limit) * FIELDS;
        picked.push({ seq: ring.slots[at], type: ring.slots[at + 1], data: ring.slots[at + 2], id: ring.slots[at + 3] });
      }
    }
    return picked.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The events after the one with ID `id`, of `topics` (null: all) plus the
   * unrouted ones, in arrival order: what a tab that last saw `id` missed.
   * null when the memory cannot vouch for every one of them (`id` is not
   * remembered, a ring has dropped an event after it, or a topic left the
   * connection since), so the caller never presents a partial catch-up as
   * complete.
   */
  since(id, topics) {
    if (this.limit === 0 || typeof id !== 'string' || id === '') return null;
    let found = id === this.startId;
    let from = -1; // seq of the event with that ID (-1: before the first)
    for (const ring of this.byTopic.values()) {
      for (let k = 0; k < ring.count; k++) {
        const at = k * FIELDS;
        if (ring.slots[at + 3] === id && ring.slots[at] > from) {
          from = ring.slots[at];
          found = true;
        }
      }
    }
    if (!found) return null;
    if (topics !== null) {
      for (const t of topics) if ((this.forgotten.get(t) ?? -1) > from) return null;
    }
    const picked = [];
    for (const [key, ring] of this.byTopic) {
      if (key !== '' && topics !== null && !topics.has(key)) continue;
      if (ring.evicted > from) return null;
      for (let k = 0; k < ring.count; k++) {
        const at = k * FIELDS;
        if (ring.slots[at] > from) picked.push({ seq: ring.slots[at], type: ring.slots[at + 1], data: ring.slots[at + 2], id: ring.slots[at + 3] });
      }
    }
    return picked.sort((a, b) => a.seq - b.seq);
  }

  /** A topic left the connection: its memory would have a hole. */
  forget(topic) {
    this.byTopic.delete(topic);
    this.forgotten.set(topic, Infinity);
  }
}
