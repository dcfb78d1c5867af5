// One HTTP request to the event stream: fetch() with a streaming body
// reader. It reports the response head, each body chunk and the end; it
// decides nothing (the wasm engine does, see upstream.js).

/**
 * Starts the request. Callbacks:
 *   onResponse(response) -> true to read the body, false to drop it
 *   onChunk(Uint8Array)
 *   onEnd(error or null)   the request failed or the body ended (not after abort())
 * Returns { abort() }: stops everything; no callback runs afterwards.
 */
export function openConnection({ fetch, url, headers, withCredentials, onResponse, onChunk, onEnd }) {
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

  const end = (error) => {
    if (finished) return;
    finished = true;
    onEnd(error);
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
      end(error);
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

/**
 * The headers of a request: the subscription's own, Accept, the credential
 * and Last-Event-ID. fetch() refuses header characters above U+00FF, and
 * an event ID may hold any Unicode: it goes out as its UTF-8 bytes, one
 * char per byte (a "binary string"), which is what the server receives from
 * a native EventSource too.
 */
export function requestHeaders(base, token, lastEventId) {
  const headers = { ...base, accept: 'text/event-stream' };
  if (token !== null && token !== undefined && token !== '') {
    // A bare token is a Bearer token; "Basic xyz" or "Bearer xyz" is used as is.
    headers.authorization = /\s/.test(token) ? token : `Bearer ${token}`;
  }
  if (lastEventId !== '') headers['last-event-id'] = utf8BinaryString(lastEventId);
  return headers;
}

const encoder = new TextEncoder();

export function utf8BinaryString(s) {
  const bytes = encoder.encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}
