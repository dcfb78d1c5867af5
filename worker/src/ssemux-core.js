// Loader for ssemux.wasm, the client core (parser + reconnect engine) built
// from client/ by client/wasm/. Hand-written, no emscripten glue: it runs
// unchanged in Node 20, a (Shared)Worker and a page.
//
//   const core = await loadCore();              // ./ssemux.wasm next to this file
//   const p = core.createParser({ onEvent(type, data, id) { ... } });
//   p.feed(uint8array);
//
// How the boundary is crossed (see client/wasm/wasm_exports.c): each parser
// or engine owns one block of wasm memory. A chunk is copied into the block's
// input buffer with one Uint8Array.set; the C side appends every dispatched
// event to a batch of int32 records. A field the parser did not copy (a
// one-line data: or event: value) is sent as its offset in the chunk: JS
// decodes the chunk once and, if it is ASCII, slices those fields out of that
// text. Other fields are copied to an arena, with their UTF-16 lengths; JS
// decodes a whole run of them with one TextDecoder call and cuts it into
// strings with slice(). Callbacks run only after the wasm call has
// returned, so a callback may call any method of its own parser or engine
// (feed/onBytes excepted: that would reorder events).

// ---- the contract with wasm_exports.c ---------------------------------------
// Sink header words (wasm_sink in wasm_exports.c; pinned by static asserts).
const SINK_RECORD_COUNT = 0;
const SINK_ARENA_LEN = 1;
const SINK_UTF8_SUSPECT = 2;
const SINK_ARENA = 3;
const SINK_RECORDS = 4;
const SINK_INPUT = 5;
const SINK_INPUT_CAP = 6;
const SINK_ACTION = 7;
const SINK_ZERO_COPY = 8;
const SINK_ID_LEN = 9;
// Records: RECORD_WORDS int32s each.
const RECORD_EVENT = 1;
const RECORD_RETRY = 2;
const RECORD_ERROR = 3;
const REC_VALUE = 1;
const REC_TYPE_LEN = 2;
const REC_DATA_LEN = 3;
const REC_ID_LEN = 4;
// >= 0: byte offset of the field in the chunk; < 0: next in the arena, ~v UTF-16 units.
const REC_TYPE_AT = 5;
const REC_DATA_AT = 6;
const REC_ID_AT = 7;
const RECORD_WORDS = 8;
const SAME_AS_BEFORE = -1; // the field equals the previous event's (no bytes)
// Flattened sse_action.
const ACTION_KIND = 0;
const ACTION_REASON = 1;
const ACTION_DELAY_MS = 2;
const ACTION_ID_PTR = 3;
const ACTION_ID_LEN = 4;
const DEFAULT_CONFIG = 0xffffffff; // ssemux_engine_create: "use the C default"

// One decode covers at most this many arena bytes (plus one event). A string
// sliced from a decode keeps the whole decoded text alive, so this bounds
// what one retained event can pin, while keeping TextDecoder calls rare.
const SEGMENT_BYTES = 32 * 1024;
const DEFAULT_INPUT_BYTES = 64 * 1024;
// After a chunk that is not ASCII, zero-copy (which then costs a wasted chunk
// decode plus one TextDecoder call per field) stays off for this many chunks.
const ZERO_COPY_BACKOFF_CHUNKS = 32;
const BLOCK_ALIGN = 16;
const WASM_PAGE = 65536;

/** sse_status values (client/include/ssemux/status.h). */
export const Status = Object.freeze({
  OK: 0,
  INVALID_ARGUMENT: -1,
  BUFFER_TOO_SMALL: -2,
  DATA_TOO_LARGE: -3,
  TYPE_TOO_LONG: -4,
  ID_TOO_LONG: -5,
  CLOSED: -6,
  NO_MEMORY: -7,
});

const STATUS_NAMES = new Map(Object.entries(Status).map(([name, code]) => [code, name.toLowerCase()]));

/**
 * The name of an sse_status code, e.g. -5 -> 'id_too_long' (the `reason` a
 * hub reports for an event past a limit); 'unknown' for other numbers.
 */
export function statusName(code) {
  return STATUS_NAMES.get(code) ?? 'unknown';
}

/** sse_state names, in enum order (client/include/ssemux/engine.h). */
const STATE_NAMES = ['idle', 'connecting', 'open', 'waiting', 'authorizing', 'closed'];

// ---- loading ----------------------------------------------------------------

/**
 * Compiles and instantiates ssemux.wasm. `wasmSource` may be a URL or URL
 * string, a Response (or a promise of one), an ArrayBuffer or typed array, or
 * a compiled WebAssembly.Module; by default ./ssemux.wasm next to this file.
 */
export async function loadCore(wasmSource = new URL('./ssemux.wasm', import.meta.url)) {
  const module = await compileWasm(await wasmSource);
  let core = null;
  const imports = { env: {
    ssemux_flush: (sink) => core.flush(sink),
    ssemux_resize: (ptr, oldSize, newSize) => core.resize(ptr, oldSize, newSize),
  } };
  const instance = await WebAssembly.instantiate(module, imports);
  core = new Core(instance.exports);
  return {
    createParser: (options) => new WasmParser(core, options),
    createEngine: (options) => new WasmEngine(core, options),
    strerror: (status) => core.strerror(status),
    statusName,
    /** Bytes of wasm memory now (it only grows; freed blocks are reused). */
    memoryBytes: () => core.memory.buffer.byteLength,
    Status,
  };
}

async function compileWasm(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return WebAssembly.compile(source);
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new Error(`ssemux: fetching the wasm failed: HTTP ${source.status}`);
    // compileStreaming insists on the right MIME type; servers often lack it.
    const type = source.headers.get('content-type') || '';
    if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(source);
    }
    return WebAssembly.compile(await source.arrayBuffer());
  }
  if (typeof source === 'string' || source instanceof URL) {
    // A string is relative to the page (or worker), as for fetch(); in Node
    // to this file. (Not `new URL(source, import.meta.url)`: webpack turns
    // that shape with a variable into a module that throws.)
    const url = new URL(source, globalThis.location?.href ?? MODULE_URL);
    if (url.protocol === 'file:') return WebAssembly.compile(await readNodeFile(url));
    return compileWasm(await fetch(url));
  }
  throw new TypeError('ssemux: loadCore() wants a URL, Response, ArrayBuffer or WebAssembly.Module');
}

const MODULE_URL = import.meta.url;

// Node's fetch() has no file: URLs. No import statement names the Node
// module, so no bundler for the browser finds a Node-only import here:
// process.getBuiltinModule (Node >= 20.16) needs none, and older Node gets a
// specifier that exists only at run time.
async function readNodeFile(url) {
  const node = globalThis.process;
  const fs = typeof node?.getBuiltinModule === 'function' ? node.getBuiltinModule('fs/promises')
    : await import(/* webpackIgnore: true */ /* @vite-ignore */ ['fs', 'promises'].join('/'));
  return fs.readFile(url);
}

// ---- the instance: memory, blocks, strings ----------------------------------

class Core {
  constructor(exports) {
    this.x = exports;
    this.memory = exports.memory;
    if (typeof exports._initialize === 'function') exports._initialize(); // WASI reactor start
    this.refreshViews();
    // Blocks: bump allocation from __heap_base, plus a first-fit free list
    // (sorted by address, neighbours merged) so freed parsers are reused.
    this.top = alignUp(exports.ssemux_heap_base(), BLOCK_ALIGN);
    this.freeBlocks = [];
    this.owners = new Map(); // block address -> WasmParser | WasmEngine (for ssemux_flush)
    this.fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    this.loose = new TextDecoder('utf-8', { ignoreBOM: true }); // U+FFFD, as the spec decodes
    this.encoder = new TextEncoder();
    this.cStrings = new Map();
  }

  // Growing memory detaches the old ArrayBuffer, which makes the views
  // zero-length: that is cheaper to test than reading memory.buffer.
  refreshViews() {
    const buffer = this.memory.buffer;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
  }

  views() {
    if (this.u8.length === 0) this.refreshViews();
    return this;
  }

  alloc(size) {
    size = alignUp(size, BLOCK_ALIGN);
    const list = this.freeBlocks;
    for (let i = 0; i < list.length; i++) {
      const b = list[i];
      if (b.size < size) continue;
      const at = b.at;
      if (b.size === size) list.splice(i, 1);
      else {
        b.at += size;
        b.size -= size;
      }
      return at;
    }
    const at = this.top;
    const end = at + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / WASM_PAGE));
      } catch (e) {
        throw new RangeError(`ssemux: cannot grow wasm memory to ${end} bytes (${e.message})`);
      }
    }
    this.top = end;
    return at;
  }

  release(at, size) {
    size = alignUp(size, BLOCK_ALIGN);
    const list = this.freeBlocks;
    let i = 0;
    while (i < list.length && list[i].at < at) i++;
    list.splice(i, 0, { at, size });
    // Merge with the next, then with the previous neighbour.
    if (i + 1 < list.length && list[i].at + list[i].size === list[i + 1].at) {
      list[i].size += list[i + 1].size;
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1].at + list[i - 1].size === list[i].at) {
      list[i - 1].size += list[i].size;
      list.splice(i, 1);
      i--;
    }
    // A free block at the top goes back to the bump region.
    const last = list[list.length - 1];
    if (last.at + last.size === this.top) {
      this.top = last.at;
      list.pop();
    }
  }

  // Static C strings (names, messages) decoded once.
  cString(ptr) {
    let s = this.cStrings.get(ptr);
    if (s === undefined) {
      const u8 = this.views().u8;
      let end = ptr;
      while (u8[end] !== 0) end++;
      s = this.loose.decode(u8.subarray(ptr, end));
      this.cStrings.set(ptr, s);
    }
    return s;
  }

  strerror(status) {
    return this.cString(this.x.ssemux_strerror(status));
  }

  // Bytes in wasm memory as text, invalid UTF-8 replaced.
  text(ptr, len) {
    return len === 0 ? '' : this.loose.decode(this.views().u8.subarray(ptr, ptr + len));
  }

  // Writes `s` as UTF-8 at ptr (room for cap bytes); returns the byte count,
  // or -1 when it does not fit.
  writeUtf8(s, ptr, cap) {
    const { read, written } = this.encoder.encodeInto(s, this.views().u8.subarray(ptr, ptr + cap));
    return read === s.length ? written : -1;
  }

  flush(sink) {
    this.owners.get(sink).collect();
  }

  // ssemux_resize: the sse_allocator contract (parser.h) for the blocks the
  // parsers grow as events arrive (their buffers, the arenas). C is on the
  // stack: never throw, answer 0 when the memory cannot grow.
  resize(ptr, oldSize, newSize) {
    ptr >>>= 0;
    try {
      let at = 0;
      if (newSize !== 0) {
        at = this.alloc(newSize >>> 0);
        if (ptr !== 0) this.views().u8.copyWithin(at, ptr, ptr + Math.min(oldSize >>> 0, newSize >>> 0));
      }
      if (ptr !== 0) this.release(ptr, oldSize >>> 0);
      return at;
    } catch {
      return 0;
    }
  }
}

// Arena bytes of the event record at r: its fields that are not zero-copy
// and not "same as before".
function arenaBytes(i32, r) {
  let n = 0;
  if (i32[r + REC_TYPE_LEN] !== SAME_AS_BEFORE && i32[r + REC_TYPE_AT] < 0) n += i32[r + REC_TYPE_LEN];
  if (i32[r + REC_DATA_AT] < 0) n += i32[r + REC_DATA_LEN];
  if (i32[r + REC_ID_LEN] !== SAME_AS_BEFORE && i32[r + REC_ID_AT] < 0) n += i32[r + REC_ID_LEN];
  return n;
}

function alignUp(n, a) {
  return Math.ceil(n / a) * a;
}

function callback(options, name) {
  const fn = options[name];
  if (fn === undefined || fn === null) return null;
  if (typeof fn !== 'function') throw new TypeError(`ssemux: ${name} must be a function`);
  return fn;
}

function limit(options, name) {
  const v = options[name];
  if (v === undefined || v === null) return 0; // 0: the C default
  if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) {
    throw new RangeError(`ssemux: ${name} must be a positive integer, got ${v}`);
  }
  return v;
}

function statusError(core, status, what) {
  const err = new Error(`ssemux: ${what}: ${core.strerror(status)}`);
  err.code = status;
  return err;
}

// ---- the batch: what parsers and engines share -----------------------------

class BatchSink {
  constructor(core, options) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('ssemux: options must be an object');
    }
    this.core = core;
    this.onEvent = callback(options, 'onEvent');
    this.onRetry = callback(options, 'onRetry');
    this.onError = callback(options, 'onError');
    this.limits = [limit(options, 'maxData'), limit(options, 'maxType'), limit(options, 'maxId')];
    const input = options.inputBytes === undefined ? DEFAULT_INPUT_BYTES : options.inputBytes;
    if (!Number.isInteger(input) || input < 16 || input > 0x10000000) {
      throw new RangeError(`ssemux: inputBytes must be an integer in [16, 2^28], got ${input}`);
    }
    this.block = 0; // set by attach(): C allocates it (ssemux_resize) and lays it out
    this.inputBytes = input;
    this.lastType = 'message'; // the "previous event" the C side starts from
    this.lastId = '';
    this.pending = null; // events decoded by a mid-chunk flush, not yet delivered
    this.busy = false; // inside feed/onBytes (callbacks included)
    this.generation = 0; // bumped by calls that abandon the chunk being delivered
    this.thrown = null; // first exception from a callback during one feed
    // Zero-copy: the piece of the chunk fed last, its text once decoded
    // (false when not one UTF-16 unit per byte), and the back-off count.
    this.piece = null;
    this.pieceAt = 0;
    this.pieceLen = 0;
    this.pieceText = null;
    this.zeroCopyOffFor = 0;
  }

  // Takes what ssemux_*_create returned: the block's address, or a status.
  attach(created, freeExport, what) {
    if (created === Status.INVALID_ARGUMENT) {
      throw new RangeError('ssemux: these limits do not fit in wasm memory');
    }
    if (created <= 0) throw statusError(this.core, created, what);
    this.block = created;
    const i32 = this.core.views().i32;
    const h = this.block >> 2;
    this.freeExport = freeExport; // gives back what C grew (the arena moves: read it per drain)
    this.records = i32[h + SINK_RECORDS];
    this.input = i32[h + SINK_INPUT];
    this.inputCap = i32[h + SINK_INPUT_CAP];
    i32[h + SINK_ZERO_COPY] = 1;
    this.core.owners.set(this.block, this);
  }

  checkLive() {
    if (this.block === 0) throw new Error('ssemux: used after free()');
  }

  // Feeds `chunk` through the export `feed(block, len, nowMs)`, one call per
  // input buffer's worth, delivering events after each call. Returns the
  // first non-OK status.
  pump(chunk, feed, nowMs, what) {
    this.checkLive();
    if (this.busy) {
      throw new Error(`ssemux: ${what}() called from one of its own callbacks (events would reorder)`);
    }
    if (!(chunk instanceof Uint8Array)) throw new TypeError(`ssemux: ${what}() wants a Uint8Array`);
    const core = this.core;
    const generation = this.generation;
    let first = Status.OK;
    this.busy = true;
    try {
      let at = 0;
      do {
        const n = Math.min(chunk.length - at, this.inputCap);
        const u8 = core.views().u8;
        if (n <= 8) {
          // Tiny chunks (bytes trickling in): a loop beats set()'s setup.
          for (let i = 0; i < n; i++) u8[this.input + i] = chunk[at + i];
        } else {
          u8.set(n === chunk.length ? chunk : chunk.subarray(at, at + n), this.input);
        }
        this.piece = chunk;
        this.pieceAt = at;
        this.pieceLen = n;
        this.pieceText = null;
        if (this.zeroCopyOffFor > 0 && --this.zeroCopyOffFor === 0) this.setZeroCopy(1);
        at += n;
        const status = feed(this.block, n, nowMs);
        if (first === Status.OK) first = status;
        this.deliver(generation);
        // A callback reset, closed or freed us: the rest of the chunk belongs
        // to the stream that was abandoned.
        if (status === Status.CLOSED) break;
      } while (at < chunk.length && this.generation === generation);
    } finally {
      this.busy = false;
      this.piece = null; // do not keep the caller's chunk alive
      this.pieceText = null;
    }
    if (this.thrown !== null) {
      const e = this.thrown;
      this.thrown = null;
      throw e;
    }
    return first;
  }

  setZeroCopy(on) {
    this.core.views().i32[(this.block >> 2) + SINK_ZERO_COPY] = on;
  }

  // A field at byte offset `at` of the piece just fed (a zero-copy record).
  // Fields are bounded by ASCII bytes (the line's field name and line end),
  // and UTF-8 decoding never crosses an ASCII byte, so a slice of the
  // piece's text is the field's own decoding, U+FFFD replacements included.
  pieceField(at, len) {
    let text = this.pieceText;
    if (text === null) {
      const piece = this.piece;
      const whole = this.pieceAt === 0 && this.pieceLen === piece.length;
      text = this.core.loose.decode(whole ? piece : piece.subarray(this.pieceAt, this.pieceAt + this.pieceLen));
      if (text.length !== this.pieceLen) {
        // Not one unit per byte: byte offsets are not UTF-16 offsets.
        text = false;
        this.setZeroCopy(0);
        this.zeroCopyOffFor = ZERO_COPY_BACKOFF_CHUNKS;
      }
      this.pieceText = text;
    }
    if (text !== false) return text.slice(at, at + len);
    at += this.pieceAt;
    return len === 0 ? '' : this.core.loose.decode(this.piece.subarray(at, at + len));
  }

  // ssemux_flush: the batch is full mid-chunk. No user code may run now (C is
  // on the stack), so the events are decoded into `pending` for deliver().
  collect() {
    if (this.pending === null) this.pending = [];
    this.drain(this.pending, 0);
  }

  deliver(generation) {
    const pending = this.pending;
    if (pending !== null) {
      this.pending = null;
      for (let i = 0; i < pending.length && this.generation === generation; i += 4) {
        this.emit(pending[i], pending[i + 1], pending[i + 2], pending[i + 3]);
      }
    }
    if (this.generation === generation) this.drain(null, generation);
    else this.core.views().i32[(this.block >> 2) + SINK_RECORD_COUNT] = 0; // the abandoned stream's
  }

  emit(kind, a, b, c) {
    try {
      if (kind === RECORD_EVENT) {
        if (this.onEvent !== null) this.onEvent(a, b, c);
      } else if (kind === RECORD_RETRY) {
        if (this.onRetry !== null) this.onRetry(a);
      } else if (this.onError !== null) {
        this.onError(a, this.core.strerror(a));
      }
    } catch (e) {
      // Later events still arrive (as EventSource listeners do); the first
      // exception is rethrown when the chunk is done.
      if (this.thrown === null) this.thrown = e;
    }
  }

  // Empties the batch: into `queue` (flat kind,a,b,c) or straight to the
  // callbacks, stopping if a callback changes `generation`.
  drain(queue, generation) {
    const core = this.core;
    let i32 = core.views().i32;
    const h = this.block >> 2;
    const count = i32[h + SINK_RECORD_COUNT];
    if (count === 0) return;
    const suspect = i32[h + SINK_UTF8_SUSPECT] !== 0;
    const arenaLen = i32[h + SINK_ARENA_LEN];
    i32[h + SINK_RECORD_COUNT] = 0;
    i32[h + SINK_ARENA_LEN] = 0;
    i32[h + SINK_UTF8_SUSPECT] = 0;
    const arena = i32[h + SINK_ARENA];
    let r = this.records >> 2;
    const end = r + count * RECORD_WORDS;
    while (r < end) {
      // One segment: records up to ~SEGMENT_BYTES of arena, decoded at once
      // (the whole batch, the usual case, needs no scan).
      let first = 0;
      let last = arenaLen;
      let s = end;
      if (arenaLen > SEGMENT_BYTES) {
        first = -1;
        last = 0;
        for (s = r; s < end; s += RECORD_WORDS) {
          if (i32[s] !== RECORD_EVENT) continue;
          const at = i32[s + REC_VALUE];
          if (first < 0) first = at;
          else if (at - first >= SEGMENT_BYTES) break;
          last = at + arenaBytes(i32, s);
        }
      }
      let text = null; // null: decode field by field below
      if (!suspect) {
        try {
          text = last > first ? core.fatal.decode(core.views().u8.subarray(arena + first, arena + last)) : '';
        } catch {
          text = null; // invalid UTF-8 somewhere
        }
      }
      let pos = 0; // UTF-16 offset into text
      for (; r < s; r += RECORD_WORDS) {
        const kind = i32[r];
        let a, b, c;
        if (kind === RECORD_EVENT) {
          const typeLen = i32[r + REC_TYPE_LEN];
          const dataLen = i32[r + REC_DATA_LEN];
          const idLen = i32[r + REC_ID_LEN];
          const typeAt = i32[r + REC_TYPE_AT];
          const dataAt = i32[r + REC_DATA_AT];
          const idAt = i32[r + REC_ID_AT];
          if (text !== null) {
            if (typeLen !== SAME_AS_BEFORE) {
              this.lastType = typeAt >= 0 ? this.pieceField(typeAt, typeLen) : text.slice(pos, (pos += ~typeAt));
            }
            if (dataAt < 0) b = text.slice(pos, (pos += ~dataAt));
            else if (typeof this.pieceText === 'string') b = this.pieceText.slice(dataAt, dataAt + dataLen);
            else b = this.pieceField(dataAt, dataLen);
            if (idLen !== SAME_AS_BEFORE) {
              this.lastId = idAt >= 0 ? this.pieceField(idAt, idLen) : text.slice(pos, (pos += ~idAt));
            }
          } else {
            let at = arena + i32[r + REC_VALUE];
            if (typeLen !== SAME_AS_BEFORE) {
              if (typeAt >= 0) this.lastType = this.pieceField(typeAt, typeLen);
              else {
                this.lastType = core.text(at, typeLen);
                at += typeLen;
              }
            }
            if (dataAt >= 0) b = this.pieceField(dataAt, dataLen);
            else {
              b = core.text(at, dataLen);
              at += dataLen;
            }
            if (idLen !== SAME_AS_BEFORE) {
              this.lastId = idAt >= 0 ? this.pieceField(idAt, idLen) : core.text(at, idLen);
            }
            i32 = core.views().i32;
          }
          a = this.lastType;
          c = this.lastId;
        } else {
          a = kind === RECORD_RETRY ? i32[r + REC_VALUE] >>> 0 : i32[r + REC_VALUE];
        }
        if (queue !== null) {
          queue.push(kind, a, b, c);
          continue;
        }
        this.emit(kind, a, b, c);
        if (this.generation !== generation) return; // reset/close/free from a callback
        // A callback may have grown memory (another parser), which detaches
        // the view (its length becomes 0): re-take it.
        if (i32.length === 0) i32 = core.views().i32;
      }
    }
  }

  // The ID at `ptr` that ssemux_*_last_event_id returned (its length is in
  // the sink header).
  idText(ptr) {
    return this.core.text(ptr, this.core.views().i32[(this.block >> 2) + SINK_ID_LEN]);
  }

  // The UTF-8 of `id` in the input buffer; returns its length.
  // Calls set(ptr, len) with the UTF-8 of `id` in wasm memory: the input
  // buffer, or for a longer ID a block of its own (limits may exceed the
  // input buffer: nothing is reserved for them up front).
  withId(id, set) {
    if (typeof id !== 'string') throw new TypeError('ssemux: an event ID must be a string');
    const core = this.core;
    const len = core.writeUtf8(id, this.input, this.inputCap);
    if (len >= 0) return set(this.input, len);
    const bytes = core.encoder.encode(id);
    const tmp = core.alloc(bytes.length);
    try {
      core.views().u8.set(bytes, tmp);
      return set(tmp, bytes.length);
    } finally {
      core.release(tmp, bytes.length);
    }
  }

  release() {
    if (this.block === 0) return;
    this.generation++;
    this.core.owners.delete(this.block);
    this.freeExport(this.block); // C gives back its buffers, then the block
    this.block = 0;
  }
}

// ---- parser -----------------------------------------------------------------

class WasmParser extends BatchSink {
  constructor(core, options = {}) {
    super(core, options);
    this.attach(core.x.ssemux_parser_create(...this.limits, this.inputBytes), core.x.ssemux_parser_free,
      'createParser');
  }

  /** Parses a chunk; returns Status.OK or the first limit error (also sent to onError). */
  feed(chunk) {
    return this.pump(chunk, this.core.x.ssemux_parser_feed, 0, 'feed');
  }

  /** A new stream (reconnect): the pending event is dropped, the last event ID kept. */
  reset() {
    this.checkLive();
    this.generation++;
    this.core.x.ssemux_parser_reset(this.block);
  }

  get lastEventId() {
    this.checkLive();
    const x = this.core.x;
    return this.idText(x.ssemux_parser_last_event_id(this.block));
  }

  setLastEventId(id) {
    this.checkLive();
    const x = this.core.x;
    const status = this.withId(id, (ptr, len) => x.ssemux_parser_set_last_event_id(this.block, ptr, len));
    if (status !== Status.OK) throw statusError(this.core, status, 'setLastEventId');
  }

  free() {
    this.release();
  }
}

// ---- engine -----------------------------------------------------------------

function configValue(options, name) {
  const v = options[name];
  if (v === undefined || v === null) return DEFAULT_CONFIG;
  if (!Number.isInteger(v) || v < 0 || v >= DEFAULT_CONFIG) {
    throw new RangeError(`ssemux: ${name} must be an integer in [0, 2^32 - 2], got ${v}`);
  }
  return v;
}

function timeValue(name, v) {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new TypeError(`ssemux: ${name} must be a number of milliseconds, got ${v}`);
  }
  return v;
}

function seedHalves(seed) {
  if (seed === undefined || seed === null) {
    const words = new Uint32Array(2);
    globalThis.crypto.getRandomValues(words);
    return [words[0], words[1]];
  }
  const big = BigInt.asUintN(64, BigInt(seed));
  return [Number(big & 0xffffffffn), Number(big >> 32n)];
}

class WasmEngine extends BatchSink {
  constructor(core, options = {}) {
    super(core, options);
    this.attach(core.x.ssemux_engine_create(
      ...this.limits, this.inputBytes,
      configValue(options, 'initialRetryMs'), configValue(options, 'maxRetryMs'),
      configValue(options, 'healthyAfterMs'), configValue(options, 'heartbeatMs'),
      configValue(options, 'idleTimeoutMs'), configValue(options, 'dedupeWindow'),
      ...seedHalves(options.seed)), core.x.ssemux_engine_free, 'createEngine');
    this.action = core.views().i32[(this.block >> 2) + SINK_ACTION] >> 2;
  }

  // The action the last call published, as a fresh object.
  readAction() {
    const core = this.core;
    const i32 = core.views().i32;
    const a = this.action;
    const kind = i32[a + ACTION_KIND];
    const idLen = i32[a + ACTION_ID_LEN];
    return {
      kind: core.cString(core.x.ssemux_action_kind_name(kind)),
      reason: core.cString(core.x.ssemux_reason_name(i32[a + ACTION_REASON])),
      delayMs: i32[a + ACTION_DELAY_MS] >>> 0,
      lastEventId: idLen === 0 ? '' : core.text(i32[a + ACTION_ID_PTR], idLen),
    };
  }

  // Runs a transition. Any action but NONE changes the connection, which
  // abandons the rest of a chunk being delivered (see pump).
  act(call) {
    this.checkLive();
    call();
    const action = this.readAction();
    if (action.kind !== 'none') this.generation++;
    return action;
  }

  start(nowMs) {
    const x = this.core.x;
    return this.act(() => x.ssemux_engine_start(this.block, timeValue('nowMs', nowMs)));
  }

  /** contentType: the header value or null; retryAfterMs: ms, or null/-1 when absent. */
  onResponse(status, contentType, retryAfterMs, nowMs) {
    if (!Number.isInteger(status)) throw new TypeError('ssemux: status must be an integer');
    const retryAfter = retryAfterMs === null || retryAfterMs === undefined ? -1
      : timeValue('retryAfterMs', retryAfterMs);
    timeValue('nowMs', nowMs);
    const core = this.core;
    const x = core.x;
    return this.act(() => {
      if (contentType === null || contentType === undefined) {
        x.ssemux_engine_on_response(this.block, status, 0, retryAfter, nowMs);
        return;
      }
      // NUL-terminated for C; a value too long for the input buffer goes
      // through a temporary block.
      const bytes = core.encoder.encode(String(contentType));
      const tmp = bytes.length < this.inputCap ? 0 : core.alloc(bytes.length + 1);
      const at = tmp || this.input;
      const u8 = core.views().u8;
      u8.set(bytes, at);
      u8[at + bytes.length] = 0;
      x.ssemux_engine_on_response(this.block, status, at, retryAfter, nowMs);
      if (tmp) core.release(tmp, bytes.length + 1);
    });
  }

  /** Body bytes; returns Status.OK or a negative status (limit errors also reach onError). */
  onBytes(chunk, nowMs) {
    return this.pump(chunk, this.core.x.ssemux_engine_on_bytes, timeValue('nowMs', nowMs), 'onBytes');
  }

  onClosed(nowMs) {
    const x = this.core.x;
    return this.act(() => x.ssemux_engine_on_closed(this.block, timeValue('nowMs', nowMs)));
  }

  onTimer(nowMs) {
    const x = this.core.x;
    return this.act(() => x.ssemux_engine_on_timer(this.block, timeValue('nowMs', nowMs)));
  }

  onOnline(nowMs) {
    const x = this.core.x;
    return this.act(() => x.ssemux_engine_on_online(this.block, timeValue('nowMs', nowMs)));
  }

  /** A new request on purpose (e.g. new topics): CONNECT now, not a failure. */
  replace(nowMs) {
    const x = this.core.x;
    return this.act(() => x.ssemux_engine_replace(this.block, timeValue('nowMs', nowMs)));
  }

  onCredential(ok, nowMs) {
    const x = this.core.x;
    return this.act(() => x.ssemux_engine_on_credential(this.block, ok ? 1 : 0,
      timeValue('nowMs', nowMs)));
  }

  close() {
    const x = this.core.x;
    return this.act(() => x.ssemux_engine_close(this.block));
  }

  /** When onTimer must be called (ms, same clock as nowMs), or -1 for never. */
  get deadline() {
    this.checkLive();
    return this.core.x.ssemux_engine_deadline(this.block);
  }

  get state() {
    this.checkLive();
    return STATE_NAMES[this.core.x.ssemux_engine_state(this.block)];
  }

  get idleTimeoutMs() {
    this.checkLive();
    return this.core.x.ssemux_engine_idle_timeout(this.block) >>> 0;
  }

  get duplicatesDropped() {
    this.checkLive();
    return this.core.x.ssemux_engine_duplicates_dropped(this.block);
  }

  setHeartbeat(heartbeatMs) {
    this.checkLive();
    if (!Number.isInteger(heartbeatMs) || heartbeatMs < 0 || heartbeatMs > 0xffffffff) {
      throw new RangeError(`ssemux: heartbeatMs must be an integer in [0, 2^32 - 1], got ${heartbeatMs}`);
    }
    this.core.x.ssemux_engine_set_heartbeat(this.block, heartbeatMs);
  }

  get lastEventId() {
    this.checkLive();
    const x = this.core.x;
    return this.idText(x.ssemux_engine_last_event_id(this.block));
  }

  setLastEventId(id) {
    this.checkLive();
    const x = this.core.x;
    const status = this.withId(id, (ptr, len) => x.ssemux_engine_set_last_event_id(this.block, ptr, len));
    if (status !== Status.OK) throw statusError(this.core, status, 'setLastEventId');
  }

  /** A Retry-After header value in ms (HTTP dates relative to nowUnixMs), or null. */
  parseRetryAfter(value, nowUnixMs = Date.now()) {
    this.checkLive();
    const len = this.core.writeUtf8(String(value), this.input, this.inputCap);
    if (len < 0) return null;
    const ms = this.core.x.ssemux_parse_retry_after(this.block, len, timeValue('nowUnixMs', nowUnixMs));
    return ms < 0 ? null : ms;
  }

  free() {
    this.release();
  }
}
