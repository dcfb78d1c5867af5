// Splits a routed event type. With route=type the server names each event
// "<topic>/<type>" (e.g. "scores/goal"); the hub delivers "goal" to the tabs
// subscribed to "scores". A type without '/', or whose prefix is not a topic
// of the connection, comes from a server that ignores route=type: it goes to
// every tab of the stream unchanged (topic null).

/** Returns [topic or null, type as the tab sees it]. */
export function routeEventType(type, topics) {
  if (topics === null) return [null, type];
  const slash = type.indexOf('/');
  if (slash > 0) {
    const topic = type.slice(0, slash);
    if (topics.has(topic)) return [topic, type.slice(slash + 1)];
  }
  return [null, type];
}

// routeEventType for every event of one connection's topic set, without
// allocating per event: a stream repeats a handful of types, so each split
// is kept. Bounded: a server inventing types cannot grow it without limit.
const ROUTES_KEPT = 256;

export class TypeRouter {
  constructor(topics) {
    this.topics = topics;
    this.routes = new Map(); // raw type -> [topic or null, type]
  }

  route(type) {
    let route = this.routes.get(type);
    if (route === undefined) {
      if (this.routes.size >= ROUTES_KEPT) this.routes.clear();
      route = routeEventType(type, this.topics);
      this.routes.set(type, route);
    }
    return route;
  }
}

/** Whether a subscription to `subTopics` (null: the whole stream) wants `topic`. */
export function wants(subTopics, topic) {
  return topic === null || subTopics === null || subTopics.has(topic);
}
