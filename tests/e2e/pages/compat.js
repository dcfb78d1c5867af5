// Everything a page can observe of an EventSource, recorded the same way for
// the native one and for SharedEventSource: the readyState after the
// constructor (or what it threw), and for every event its type, the
// readyState when it fired, data, lastEventId, origin and isTrusted.
const sources = [];

const entryOf = (source, event) => {
  const entry = { type: event.type, readyState: source.readyState, isTrusted: event.isTrusted };
  if (event instanceof MessageEvent) Object.assign(entry, { data: event.data, lastEventId: event.lastEventId, origin: event.origin });
  return entry;
};

window.compat = {
  // kind: 'native' | 'shared'; types: event types to listen for besides
  // message/open/error; init: the constructor's options. Returns an index.
  async open(kind, url, { types = [], init = {} } = {}) {
    const record = { kind, constructed: null, thrown: null, url: null, withCredentials: null, entries: [], source: null };
    const index = sources.push(record) - 1;
    let source;
    try {
      if (kind === 'native') {
        source = new EventSource(url, init);
      } else {
        const { SharedEventSource } = await import('/ssemux/ssemux.js');
        source = new SharedEventSource(url, init);
      }
    } catch (error) {
      record.thrown = { name: error.name, isDOMException: error instanceof DOMException };
      return index;
    }
    record.source = source;
    record.constructed = source.readyState;
    record.url = source.url;
    record.withCredentials = source.withCredentials;
    const listen = (event) => record.entries.push(entryOf(source, event));
    for (const type of new Set(['open', 'message', 'error', ...types])) source.addEventListener(type, listen);
    return index;
  },

  log(index) {
    const { source, ...record } = sources[index];
    return { ...record, readyState: source ? source.readyState : null, count: record.entries.length };
  },

  close(index) {
    sources[index].source?.close();
  },

  stop() {
    window.stop();
  },

  // A cookie for this host (every port: cookies ignore ports).
  setCookie(text) {
    document.cookie = text;
  },
};
document.title = 'ready';
