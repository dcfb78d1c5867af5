// How a (re)connect tells the server where to resume, without a CORS
// preflight that a native EventSource would not cause (docs/compatibility.md,
// "Resuming across origins").
//
// A native EventSource sends Last-Event-ID as a header the browser itself
// adds, so a cross-origin reconnect stays a "simple" GET. The same header set
// through fetch() is an author header: the browser first sends an OPTIONS
// preflight, which an ordinary SSE server does not answer, and the stream
// never comes back. So:
//   - same origin (no CORS at all): the header, exactly as native;
//   - cross-origin, and the request is preflighted anyway (Authorization, a
//     custom header): the header rides on that preflight;
//   - cross-origin and otherwise simple: the query parameter `lastEventId`
//     (which the ssemux server reads, docs/protocol.md) and no header;
//   - a request that failed CORS while it carried the header (a preflight
//     that refused it, or a redirect to another origin): from then on the
//     query parameter only.

const QUERY_PARAM = 'lastEventId';

// Fetch's CORS-safelisted request headers (fetch spec, "CORS-safelisted
// request-header"): anything else makes a cross-origin request preflighted.
const SAFELISTED = new Set(['accept', 'accept-language', 'content-language']);
const SAFELISTED_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
const MAX_SAFELISTED_VALUE = 128;
// Bytes that make an accept / content-type value unsafe (fetch spec).
const UNSAFE_BYTE = /[\x00-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/;
const LANGUAGE_VALUE = /^[0-9A-Za-z *,\-.;=]*$/;

/** Whether `headers` (lower-cased names) make a cross-origin fetch send a preflight. */
export function needsPreflight(headers) {
  for (const [name, value] of Object.entries(headers)) {
    if (value.length > MAX_SAFELISTED_VALUE) return true;
    if (name === 'content-type') {
      if (UNSAFE_BYTE.test(value)) return true;
      if (!SAFELISTED_CONTENT_TYPES.has(value.split(';')[0].trim().toLowerCase())) return true;
    } else if (!SAFELISTED.has(name)) {
      return true;
    } else if (name === 'accept' ? UNSAFE_BYTE.test(value) : !LANGUAGE_VALUE.test(value)) {
      return true;
    }
  }
  return false;
}

/**
 * The request that resumes after `lastEventId`: { url, headers,
 * carriesHeader, sameOrigin }. `origin` is the page's (null: unknown, e.g. a
 * test outside a browser: the header, as before there were origins here).
 * `headers` are the request's own (lower-cased names, without Last-Event-ID);
 * `idHeader` is the ID as the header value (its UTF-8 bytes as a binary
 * string); `headerRefused`: a preflight refused the header before.
 */
export function resumeRequest({ url, headers, lastEventId, idHeader, origin, headerRefused }) {
  const sameOrigin = origin !== null && new URL(url).origin === origin;
  if (lastEventId === '') return { url, headers, carriesHeader: false, sameOrigin };
  if (!headerRefused && (origin === null || sameOrigin || needsPreflight(headers))) {
    return { url, headers: { ...headers, 'last-event-id': idHeader }, carriesHeader: true, sameOrigin };
  }
  const u = new URL(url);
  u.searchParams.set(QUERY_PARAM, lastEventId);
  return { url: u.href, headers, carriesHeader: false, sameOrigin };
}
