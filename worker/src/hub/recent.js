// The hub's memory of recent events, so a tab that joins a running stream
// gets the last few events per topic without a request to the server.

export class RecentEvents {
  /** `limit`: events kept per topic (0 keeps none). */
  constructor(limit) {
    this.limit = limit;
    this.byTopic = new Map(); // topic ('' = unrouted) -> [{ seq, topic, type, data, id }]
    this.seq = 0;
  }

  remember(topic, type, data, id) {
    if (this.limit === 0) return;
    const key = topic ?? '';
    let list = this.byTopic.get(key);
    if (list === undefined) this.byTopic.set(key, (list = []));
    list.push({ seq: this.seq++, type, data, id });
    if (list.length > this.limit) list.shift();
  }

  /**
   * Up to `count` recent events of each topic in `topics` (null: all), plus
   * the unrouted ones, merged back into arrival order.
   */
  recall(topics, count) {
    if (count <= 0) return [];
    const picked = [];
    for (const [key, list] of this.byTopic) {
      if (key !== '' && topics !== null && !topics.has(key)) continue;
      picked.push(...list.slice(-count));
    }
    return picked.sort((a, b) => a.seq - b.seq);
  }

  /** A topic left the connection: its memory would have a hole. */
  forget(topic) {
    this.byTopic.delete(topic);
  }
}
