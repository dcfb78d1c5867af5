// One HTTP request to the event stream: fetch() with a streaming body
// reader. It reports the response head, each body chunk and the end; it
// decides nothing (the wasm engine does, see upstream.js).

// How long the CORS probe may take before the failure counts as the network's.
const PROBE_TIMEOUT_MS = 5000;

/**
 * Starts the request. Callbacks:
 *   onResponse(response) -> true to read the body, false to drop it
 *   onChunk(Uint8Array)
 *   onEnd(error or null, refused)   the request failed or the body ended (not
 *     after abort()); refused: fetch() failed although the server answered,
 *     i.e. the browser refused the response (CORS), see probeRefusal()
 * Returns { abort() }: stops everything; no callback runs afterwards.
 */
export function openConnection({ fetch, url, sameOrigin = false, headers, withCredentials, onResponse, onChunk, onEnd }) {
  const controller = new AbortController();
  let finished = false;
  let reader = null;
  const connection = {
    abort() {
      if (finished) return;
      finished = true;
      controller.abort();
      // Some fetch implementations leave a pending read() hanging after
      // abort; cancelling the reader settles it and frees the stream.
      if (reader !== null) reader.cancel().catch(() => {});
    },
  };

  const end = (error, refused = false) => {
    if (finished) return;
    finished = true;
    onEnd(error, refused);
  };

  // A throwing event handler is a bug to report, not a broken connection:
  // ending the stream for it would turn one bad event into a reconnect loop.
  const deliver = (chunk) => {
    try {
      onChunk(chunk);
    } catch (error) {
      if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
      else console.error(error);
    }
  };

  (async () => {
    let response;
    try {
      response = await fetch(url, {
        method: 'GET',
        headers,
        cache: 'no-store',
        credentials: withCredentials ? 'include' : 'same-origin',
        redirect: 'follow',
        signal: controller.signal,
      });
    } catch (error) {
      if (finished) return;
      const refused = await probeRefusal(fetch, url, sameOrigin, withCredentials, controller.signal);
      end(error, refused);
      return;
    }
    if (finished || !onResponse(response) || finished || response.body === null) {
      // Aborted meanwhile, or the engine refused the response.
      finished = true;
      if (response.body !== null) response.body.cancel().catch(() => {});
      return;
    }
    reader = response.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (finished) break;
        if (done) {
          end(null);
          break;
        }
        if (value.length > 0) deliver(value);
      }
    } catch (error) {
      end(error);
    } finally {
      // Whatever ended the loop, the stream must not stay locked or open.
      if (!finished) finished = true;
      reader.cancel().catch(() => {});
      reader.releaseLock();
      reader = null;
    }
  })();
  return connection;
}

// fetch() rejects with the same TypeError for a network failure and for a
// response the browser refused (a failed CORS check, a preflight that
// refused, a redirect to another origin without CORS). A native EventSource
// retries the first and fails for good on the second, so tell them apart:
// the same URL fetched in "no-cors" mode, which the browser never refuses,
// answers (an opaque response) only if the server is there. HEAD, so that
// the probe opens no stream. A same-origin request can only be refused
// after a redirect (to another origin): its probe does not follow
// redirects, and only a redirect counts, so that a same-origin server
// dropping one connection is never taken for a refusal. True: refused.
async function probeRefusal(fetch, url, sameOrigin, withCredentials, signal) {
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, PROBE_TIMEOUT_MS);
  try {
    const probe = await fetch(url, { method: 'HEAD', mode: sameOrigin ? 'same-origin' : 'no-cors',
      cache: 'no-store', credentials: withCredentials ? 'include' : 'same-origin',
      redirect: sameOrigin ? 'manual' : 'follow', signal: controller.signal });
    if (probe.body !== null) probe.body.cancel().catch(() => {});
    return !sameOrigin || probe.type === 'opaqueredirect';
  } catch {
    return false; // unreachable too: a network failure
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
}

/**
 * The headers of a request: the subscription's own, Accept and the
 * credential (Last-Event-ID is resume.js's). fetch() refuses header
 * characters above U+00FF, and an event ID may hold any Unicode: it goes out
 * as its UTF-8 bytes, one char per byte (a "binary string", utf8BinaryString),
 * which is what the server receives from a native EventSource too.
 */
export function requestHeaders(base, token) {
  const headers = { ...base, accept: 'text/event-stream' };
  if (token !== null && token !== undefined && token !== '') {
    // A bare token is a Bearer token; "Basic xyz" or "Bearer xyz" is used as is.
    headers.authorization = /\s/.test(token) ? token : `Bearer ${token}`;
  }
  return headers;
}

const encoder = new TextEncoder();

export function utf8BinaryString(s) {
  const bytes = encoder.encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}
