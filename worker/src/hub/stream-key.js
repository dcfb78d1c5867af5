// Which upstream a subscription belongs to. One upstream per origin +
// endpoint + credential identity: tabs asking /events?topic=a and
// /events?topic=b with the same credentials share one connection that
// carries the union of their topics (docs/hub.md, "Routing").

const TOPIC_PARAM = 'topic';
const ROUTE_PARAM = 'route';
const ROUTE_VALUE = 'type'; // the server names events "<topic>/<type>"

/**
 * Describes the stream behind `url` for the given credentials:
 * { key, endpoint, topics (Set, or null for a URL without topic params),
 *   headers, withCredentials }.
 * A URL without topic= params is its own stream, fetched exactly as given.
 * Throws for a URL that is not http(s).
 */
export function describeStream(url, { headers = {}, withCredentials = false, credentialKey = null,
  hasTokenProvider = false } = {}) {
  const u = new URL(url);
  // EventSource fetches only HTTP(S): any other scheme fails the connection
  // at once, with no request (fetch spec, "HTTP fetch" for other schemes).
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${u.protocol}`);
  u.hash = '';
  const cleanHeaders = normalizeHeaders(headers);
  // The identity decides who may share a connection; it never leaves the hub.
  const identity = JSON.stringify([Boolean(withCredentials), Object.entries(cleanHeaders),
    hasTokenProvider ? String(credentialKey ?? '') : null]);
  const topicList = u.searchParams.getAll(TOPIC_PARAM).filter((t) => t !== '');
  if (topicList.length === 0) {
    return { key: `plain ${u.href} ${identity}`, endpoint: u.href, topics: null,
      headers: cleanHeaders, withCredentials: Boolean(withCredentials) };
  }
  // Other query parameters stay part of the endpoint (sorted, so that their
  // order in the tab's URL does not split the stream).
  const rest = [...u.searchParams].filter(([k]) => k !== TOPIC_PARAM && k !== ROUTE_PARAM);
  rest.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const endpoint = new URL(u.origin + u.pathname);
  for (const [k, v] of rest) endpoint.searchParams.append(k, v);
  return { key: `topics ${endpoint.href} ${identity}`, endpoint: endpoint.href,
    topics: new Set(topicList), headers: cleanHeaders, withCredentials: Boolean(withCredentials) };
}

/** The URL to fetch for `stream` carrying `topics` (null: the endpoint as is). */
export function upstreamUrl(stream, topics) {
  if (topics === null) return stream.endpoint;
  const u = new URL(stream.endpoint);
  for (const t of [...topics].sort()) u.searchParams.append(TOPIC_PARAM, t);
  u.searchParams.set(ROUTE_PARAM, ROUTE_VALUE);
  return u.href;
}

/** Lower-cased names, sorted, string values: one spelling per header set. */
function normalizeHeaders(headers) {
  const entries = headers instanceof Headers ? [...headers] : Object.entries(headers);
  const out = {};
  for (const [k, v] of entries.map(([k, v]) => [k.toLowerCase(), String(v)]).sort()) out[k] = v;
  return out;
}

export function sameTopics(a, b) {
  if (a === null || b === null) return a === b;
  if (a.size !== b.size) return false;
  for (const t of a) if (!b.has(t)) return false;
  return true;
}
