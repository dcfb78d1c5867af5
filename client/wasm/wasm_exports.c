/*
 * The client core's WebAssembly surface, used by worker/src/ssemux-core.js.
 *
 * Memory: nothing lives in C globals. The JS side hands out blocks of
 * linear memory above __heap_base (growing the memory when it must), both
 * the block of each parser or engine, whose address every export takes, and
 * (imported as ssemux_resize) the blocks of the parser's growable mode, so
 * what a parser holds grows with what arrives, not with its limits. One
 * block, laid out by ssemux_*_create, holds the fixed part:
 *
 *   wasm_parser | wasm_engine   the sink header (below) + the C state
 *   last type, last ID          the previous event's, if short (SAME_CAP)
 *   records                     RECORD_WORDS int32s per event / retry / error
 *   input                       bytes from JS: chunks, IDs, a Content-Type
 *
 * and from ssemux_resize: the parser's data, type and ID buffers, and the
 * arena of dispatched fields (ARENA_BASE bytes, grown to fit a big event
 * and given back at the next chunk).
 *
 * Boundary: a JS call per event and a TextDecoder call per field cost more
 * than the parsing itself (that design measured ~0.55x eventsource-parser's
 * events/s). So the parser callbacks below only append records to a batch
 * and JS turns the batch into strings after the feed, two ways:
 * - zero-copy: a field the parser left inside the chunk (a one-line data:
 *   or event: value, see parser.h) is sent as its offset in the chunk. JS
 *   decodes the chunk once and, when that text has one UTF-16 unit per byte
 *   (ASCII, the usual case), slices the fields out of it;
 * - the arena: any other field is copied here, with its UTF-16 length
 *   counted, and JS decodes the whole arena with one TextDecoder call and
 *   cuts it with String.prototype.slice, without scanning it again.
 * When the batch fills up in the middle of a chunk, ssemux_flush (imported
 * from JS) drains it and parsing goes on.
 */
#include <emscripten.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ssemux/engine.h"
#include "ssemux/parser.h"

#define EXPORT EMSCRIPTEN_KEEPALIVE

/* Imported from JS (declared for the linker in host_imports.js): decode the
 * batch of `sink` into JS strings and empty it. */
__attribute__((import_module("env"), import_name("ssemux_flush"))) void
ssemux_flush(void *sink);

/* Imported from JS: the sse_allocator resize contract (parser.h) over JS's
 * block allocator. Returns 0 when the memory cannot grow. */
__attribute__((import_module("env"), import_name("ssemux_resize"))) void *
ssemux_resize(void *ptr, size_t old_size, size_t new_size);

static void *js_resize(void *alloc_ctx, void *ptr, size_t old_size, size_t new_size)
{
    (void)alloc_ctx;
    return ssemux_resize(ptr, old_size, new_size);
}

static const sse_allocator js_allocator = {js_resize, NULL};

/* Record kinds and layout. JS reads records as an Int32Array. */
enum record_kind { RECORD_EVENT = 1, RECORD_RETRY = 2, RECORD_ERROR = 3 };
enum record_word {
    REC_KIND,     /* record_kind */
    REC_VALUE,    /* EVENT: arena offset of its first byte; RETRY: ms (uint32); ERROR: sse_status */
    REC_TYPE_LEN, /* bytes, or SAME_AS_BEFORE: the previous event's type, not sent */
    REC_DATA_LEN,
    REC_ID_LEN,   /* bytes, or SAME_AS_BEFORE */
    /* Where a field is: >= 0, at this byte offset of the chunk just fed
     * (zero-copy); < 0, next in the arena, ~value UTF-16 code units long. */
    REC_TYPE_AT,
    REC_DATA_AT,
    REC_ID_AT,
    RECORD_WORDS
};
#define SAME_AS_BEFORE (-1)

/* 2048 records: one 64 KiB chunk of ~100-byte events is one batch. */
#define RECORD_CAP 2048u
/* The arena lets many small events share one batch; a bigger event grows
 * it to fit (after a flush), and one grown past ARENA_KEEP is given back at
 * the next chunk (as the parser's data buffer, see DATA_KEEP in parser.c). */
#define ARENA_BASE (64u * 1024u)
#define ARENA_KEEP (1u << 20)
/* Types and IDs up to this long are remembered to send "same as before";
 * longer ones are rare and simply sent again. */
#define SAME_CAP 256u
#define ALIGN 8u

/*
 * The sink header starts every block. Its first words are read and written
 * by JS, which knows them only by index (SINK_* in ssemux-core.js); the
 * static asserts below pin that contract.
 */
typedef struct wasm_sink {
    uint32_t record_count; /* [0] records in the batch; JS zeroes it when drained */
    uint32_t arena_len;    /* [1] arena bytes in the batch; JS zeroes it too */
    uint32_t utf8_suspect; /* [2] a field starts with a UTF-8 continuation byte */
    uint8_t *arena;        /* [3] */
    int32_t *records;      /* [4] */
    uint8_t *input;        /* [5] */
    uint32_t input_cap;    /* [6] */
    uint32_t *action;      /* [7] engines: the last action, flattened (ACTION_*) */
    uint32_t zero_copy;    /* [8] JS: 1 lets records point into the chunk fed */
    size_t id_len;         /* [9] the length of the ID ssemux_*_last_event_id returned */
    /* Private to C from here on. */
    uint32_t chunk_len;    /* bytes of input fed now, if zero_copy; else 0 */
    uint32_t block_size;   /* this block's, for ssemux_*_free */
    uint32_t arena_cap;
    uint32_t record_cap;
    /* The previous event's type and ID, to send "same as before" instead of
     * bytes: most streams repeat both (a fixed type, an ID set once). */
    uint8_t *last_type; /* SAME_CAP bytes, in the block */
    uint8_t *last_id;   /* SAME_CAP bytes, in the block */
    uint32_t last_type_len;
    uint32_t last_id_len;
} wasm_sink;

_Static_assert(sizeof(void *) == 4, "the JS side reads pointers as 32-bit words");
_Static_assert(offsetof(wasm_sink, record_count) == 0 * 4, "SINK_RECORD_COUNT");
_Static_assert(offsetof(wasm_sink, arena_len) == 1 * 4, "SINK_ARENA_LEN");
_Static_assert(offsetof(wasm_sink, utf8_suspect) == 2 * 4, "SINK_UTF8_SUSPECT");
_Static_assert(offsetof(wasm_sink, arena) == 3 * 4, "SINK_ARENA");
_Static_assert(offsetof(wasm_sink, records) == 4 * 4, "SINK_RECORDS");
_Static_assert(offsetof(wasm_sink, input) == 5 * 4, "SINK_INPUT");
_Static_assert(offsetof(wasm_sink, input_cap) == 6 * 4, "SINK_INPUT_CAP");
_Static_assert(offsetof(wasm_sink, action) == 7 * 4, "SINK_ACTION");
_Static_assert(offsetof(wasm_sink, zero_copy) == 8 * 4, "SINK_ZERO_COPY");
_Static_assert(offsetof(wasm_sink, id_len) == 9 * 4, "SINK_ID_LEN");

/* An sse_action flattened into words JS reads by index. */
enum action_word {
    ACTION_KIND, ACTION_REASON, ACTION_DELAY_MS, ACTION_ID_PTR, ACTION_ID_LEN, ACTION_WORDS
};

typedef struct wasm_parser {
    wasm_sink sink; /* first: the block address is the sink's */
    sse_parser parser;
} wasm_parser;

typedef struct wasm_engine {
    wasm_sink sink; /* first, as above */
    uint32_t action[ACTION_WORDS];
    sse_engine engine;
} wasm_engine;

/* ---- the batch sink ------------------------------------------------------ */

/* Copies n bytes to dst and returns their UTF-16 length if they are valid
 * UTF-8: one code unit per sequence (every byte that is not a 10xxxxxx
 * continuation byte) plus one more per 4-byte sequence (a surrogate pair).
 * Invalid UTF-8 is caught on the JS side by the fatal decoder, which then
 * decodes field by field.
 *
 * Eight bytes per step, copy and count in one pass (fields are mostly short,
 * where memory.copy's call costs more than the copy). In each byte, bit 7
 * of w & ~(w << 1) is set for 10xxxxxx, and bit 7 of w & (w << 1) & (w << 2)
 * & (w << 3) for 1111xxxx; shifting a byte's bits left never moves another
 * byte's bit into bit 7. ASCII-only words skip both. */
static int32_t copy_utf8(uint8_t *dst, const uint8_t *s, size_t n)
{
    const uint64_t high = 0x8080808080808080u;
    size_t i = 0;
    uint32_t units = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        memcpy(dst + i, &w, 8);
        units += 8;
        if ((w & high) == 0)
            continue;
        uint64_t continuation = w & ~(w << 1) & high;
        uint64_t four_byte_lead = w & (w << 1) & (w << 2) & (w << 3) & high;
        units -= (uint32_t)__builtin_popcountll(continuation);
        units += (uint32_t)__builtin_popcountll(four_byte_lead);
    }
    for (; i < n; i++) {
        dst[i] = s[i];
        units += ((s[i] & 0xC0u) != 0x80u) + (s[i] >= 0xF0u);
    }
    return (int32_t)units;
}

/* A new empty arena of `cap` bytes in place of the old one; 0 if refused
 * (the old one stays). */
static int arena_replace(wasm_sink *k, size_t cap)
{
    uint8_t *arena = ssemux_resize(NULL, 0, cap);
    if (!arena)
        return 0;
    ssemux_resize(k->arena, k->arena_cap, 0);
    k->arena = arena;
    k->arena_cap = (uint32_t)cap;
    return 1;
}

/* The batch is full: JS drains it, and the arena grows if `bytes` need it. */
static __attribute__((noinline)) int batch_flush(wasm_sink *k, size_t bytes)
{
    ssemux_flush(k);
    k->record_count = 0; /* JS emptied the batch; be sure of it */
    k->arena_len = 0;
    k->utf8_suspect = 0;
    return bytes <= k->arena_cap || arena_replace(k, bytes);
}

/* Room for one record and `bytes` of arena; 0 if the arena cannot grow. */
static int batch_make_room(wasm_sink *k, size_t bytes)
{
    if (k->record_count == k->record_cap || bytes > k->arena_cap - k->arena_len)
        return batch_flush(k, bytes);
    return 1;
}

/* Appends one field to the arena and returns its UTF-16 length. A field
 * that starts with a continuation byte could glue onto the previous field's
 * truncated sequence and decode "validly" as one character; flag it so JS
 * decodes that batch field by field, as the spec's per-stream decoding would
 * (see parser.h). */
static int32_t batch_append(wasm_sink *k, const char *field, size_t len)
{
    if (len == 0)
        return 0;
    const uint8_t *s = (const uint8_t *)field;
    if ((s[0] & 0xC0u) == 0x80u)
        k->utf8_suspect = 1;
    int32_t units = copy_utf8(k->arena + k->arena_len, s, len);
    k->arena_len += (uint32_t)len;
    return units;
}

/* Types and IDs are short: 4 to 8 bytes compare as two overlapping words
 * (memcmp is a byte loop there). */
static int same_bytes(const uint8_t *a, uint32_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len)
        return 0;
    if (b_len >= 4 && b_len <= 8) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + b_len - 4, 4);
        memcpy(&y1, b + b_len - 4, 4);
        return x0 == y0 && x1 == y1;
    }
    return memcmp(a, b, b_len) == 0;
}

/* Keeps a short type or ID to compare the next event's with. Out of line:
 * most events repeat their type, and most IDs are read from the chunk. */
static __attribute__((noinline)) void remember(uint8_t *last, uint32_t *last_len, const char *s, size_t len)
{
    if (len > SAME_CAP) {
        *last_len = UINT32_MAX; /* matches nothing */
        return;
    }
    memcpy(last, s, len);
    *last_len = (uint32_t)len;
}

static int32_t *batch_record(wasm_sink *k)
{
    int32_t *r = k->records + (size_t)k->record_count * RECORD_WORDS;
    k->record_count++;
    return r;
}

/* The arena half of place_field, out of line: the usual field is in the
 * chunk, and the copy loop would keep the check from being inlined. */
static __attribute__((noinline)) int32_t arena_field(wasm_sink *k, const char *field, size_t len)
{
    return ~batch_append(k, field, len);
}

/* A field's REC_*_AT word: its offset in the chunk when the parser left it
 * there, else a copy in the arena. */
static inline int32_t place_field(wasm_sink *k, const char *field, size_t len)
{
    size_t at = (size_t)((const uint8_t *)field - k->input);
    if (at < k->chunk_len && len <= k->chunk_len - at)
        return (int32_t)at;
    return arena_field(k, field, len);
}

static int in_chunk(const wasm_sink *k, const char *field)
{
    return (size_t)((const uint8_t *)field - k->input) < k->chunk_len;
}

/* Out of line: sink_event reports with it too. */
static __attribute__((noinline)) void sink_error(void *ctx, sse_status error)
{
    wasm_sink *k = ctx;
    batch_make_room(k, 0);
    int32_t *r = batch_record(k);
    r[REC_KIND] = RECORD_ERROR;
    r[REC_VALUE] = (int32_t)error;
}

static void sink_event(void *ctx, const sse_event *ev)
{
    wasm_sink *k = ctx;
    int same_type = same_bytes(k->last_type, k->last_type_len, ev->type, ev->type_len);
    /* An ID read from the chunk is usually new (streams that number their
     * events): send it without comparing, and forget the previous one. */
    int id_in_chunk = in_chunk(k, ev->id);
    int same_id = !id_in_chunk && same_bytes(k->last_id, k->last_id_len, ev->id, ev->id_len);
    size_t bytes = (same_type || in_chunk(k, ev->type) ? 0 : ev->type_len) +
                   (in_chunk(k, ev->data) ? 0 : ev->data_len) + (same_id || id_in_chunk ? 0 : ev->id_len);
    if (!batch_make_room(k, bytes)) {
        sink_error(k, SSE_E_NO_MEMORY); /* reported, never dropped silently */
        return;
    }

    int32_t *r = batch_record(k);
    r[REC_KIND] = RECORD_EVENT;
    r[REC_VALUE] = (int32_t)k->arena_len;
    r[REC_TYPE_LEN] = SAME_AS_BEFORE;
    if (!same_type) {
        r[REC_TYPE_LEN] = (int32_t)ev->type_len;
        r[REC_TYPE_AT] = place_field(k, ev->type, ev->type_len);
        remember(k->last_type, &k->last_type_len, ev->type, ev->type_len);
    }
    r[REC_DATA_LEN] = (int32_t)ev->data_len;
    r[REC_DATA_AT] = place_field(k, ev->data, ev->data_len);
    r[REC_ID_LEN] = SAME_AS_BEFORE;
    if (!same_id) {
        r[REC_ID_LEN] = (int32_t)ev->id_len;
        r[REC_ID_AT] = place_field(k, ev->id, ev->id_len);
        if (id_in_chunk)
            k->last_id_len = UINT32_MAX; /* matches no ID */
        else
            remember(k->last_id, &k->last_id_len, ev->id, ev->id_len);
    }
}

static void sink_retry(void *ctx, uint32_t retry_ms)
{
    wasm_sink *k = ctx;
    batch_make_room(k, 0);
    int32_t *r = batch_record(k);
    r[REC_KIND] = RECORD_RETRY;
    r[REC_VALUE] = (int32_t)retry_ms; /* JS reads it back with >>> 0 */
}


/* Everything below runs once per parser, connection or transition, not per
 * byte or event: it is built for size (minsize), which keeps the .wasm
 * under its 16 KiB budget. The per-chunk exports opt out (pop ... push). */
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)

/* ---- block layout -------------------------------------------------------- */

/* The block: the header, then fixed-size parts, then the input buffer. */
#define LAST_TYPE_AT(head) align_up(head)
#define LAST_ID_AT(head) (LAST_TYPE_AT(head) + SAME_CAP)
#define RECORDS_AT(head) (LAST_ID_AT(head) + SAME_CAP)
#define INPUT_AT(head) (RECORDS_AT(head) + (uint64_t)RECORD_CAP * RECORD_WORDS * sizeof(int32_t))

typedef struct block_layout {
    uint32_t head, input_cap, total;
} block_layout;

static uint64_t align_up(uint64_t n) { return (n + ALIGN - 1) & ~(uint64_t)(ALIGN - 1); }

/* Sizes a block whose header is `head` bytes; 0 when the limits are invalid
 * or the block would not fit in 32-bit memory. */
static int plan_block(uint32_t head, const sse_parser_limits *limits, uint64_t input_cap,
                      block_layout *out)
{
    if (sse_parser_buffer_size(limits) == 0)
        return 0;
    uint64_t total = align_up(INPUT_AT(head) + input_cap);
    if (total > UINT32_MAX / 2)
        return 0;
    out->head = head;
    out->input_cap = (uint32_t)input_cap;
    out->total = (uint32_t)total;
    return 1;
}

/* 0 means "the default": JS then need not repeat the defaults of parser.h. */
static sse_parser_limits make_limits(uint32_t max_data, uint32_t max_type, uint32_t max_id)
{
    sse_parser_limits limits = sse_parser_default_limits();
    if (max_data)
        limits.max_data = max_data;
    if (max_type)
        limits.max_type = max_type;
    if (max_id)
        limits.max_id = max_id;
    return limits;
}

/* 0 when the arena cannot be had. */
static int sink_init(wasm_sink *k, uint8_t *block, const block_layout *l)
{
    memset(k, 0, sizeof *k);
    k->records = (int32_t *)(void *)(block + RECORDS_AT(l->head));
    k->record_cap = RECORD_CAP;
    k->input = block + INPUT_AT(l->head);
    k->input_cap = l->input_cap;
    k->last_type = block + LAST_TYPE_AT(l->head);
    k->last_id = block + LAST_ID_AT(l->head);
    /* JS starts from the same "previous event": type "message", ID "". */
    memcpy(k->last_type, "message", 7);
    k->last_type_len = 7;
    return arena_replace(k, ARENA_BASE);
}

/* Allocates and sets up the block of a parser or engine whose header is
 * `head` bytes. Returns it, or NULL with the reason in *status. */
static uint8_t *new_block(uint32_t head, sse_parser_limits *limits, uint32_t input_cap,
                          int32_t *status)
{
    block_layout l;
    *status = SSE_E_INVALID_ARGUMENT;
    if (!plan_block(head, limits, input_cap, &l))
        return NULL;
    *status = SSE_E_NO_MEMORY;
    uint8_t *block = ssemux_resize(NULL, 0, l.total);
    if (!block)
        return NULL;
    wasm_sink *k = (wasm_sink *)(void *)block;
    if (!sink_init(k, block, &l)) {
        ssemux_resize(block, l.total, 0);
        return NULL;
    }
    k->block_size = l.total;
    return block;
}

/* What ssemux_*_create returns: the block's address (> 0), or the status of
 * an init that failed (the limits were checked before: it cannot). */
static int32_t created(uint8_t *block, sse_status init_status)
{
    return init_status == SSE_OK ? (int32_t)(uintptr_t)block : init_status;
}

/* The arena and the block go back to JS (after the parser's own buffers). */
static void sink_free(wasm_sink *k)
{
    uint32_t size = k->block_size;
    ssemux_resize(k->arena, k->arena_cap, 0);
    ssemux_resize(k, size, 0);
}

/* ---- exports: memory and strings ----------------------------------------- */

extern unsigned char __heap_base;

/* First byte JS may hand out: everything below is C's static data and stack. */
EXPORT uint32_t ssemux_heap_base(void) { return (uint32_t)(uintptr_t)&__heap_base; }

/* NUL-terminated static strings, for JS to decode once and cache. */
EXPORT const char *ssemux_strerror(int32_t status) { return sse_strerror((sse_status)status); }
EXPORT const char *ssemux_action_kind_name(int32_t kind)
{
    return sse_action_kind_name((sse_action_kind)kind);
}
EXPORT const char *ssemux_reason_name(int32_t reason) { return sse_reason_name((sse_reason)reason); }

/* ---- exports: parser ------------------------------------------------------ */

/* A new parser (limits 0: the defaults of parser.h): its block's address,
 * or a negative sse_status. */
EXPORT int32_t ssemux_parser_create(uint32_t max_data, uint32_t max_type, uint32_t max_id,
                                    uint32_t input_cap)
{
    sse_parser_limits limits = make_limits(max_data, max_type, max_id);
    int32_t status;
    wasm_parser *w = (wasm_parser *)(void *)new_block(sizeof(wasm_parser), &limits, input_cap,
                                                      &status);
    if (!w)
        return status;
    static const sse_parser_callbacks cb = {sink_event, sink_retry, sink_error};
    return created((uint8_t *)w,
                   sse_parser_init_growable(&w->parser, &limits, &js_allocator, &cb, &w->sink));
}

/* Gives back what the parser grew, then its block. */
EXPORT void ssemux_parser_free(wasm_parser *w)
{
    sse_parser_free(&w->parser);
    sink_free(&w->sink);
}

/* Parses `len` bytes JS put in the block's input buffer. */
#pragma clang attribute pop

/* Zero-copy is on for the length of one feed only: afterwards the input
 * buffer is JS's again. */
static __attribute__((noinline, minsize)) void begin_chunk(wasm_sink *k, uint32_t len)
{
    k->chunk_len = k->zero_copy ? len : 0;
    /* JS drained the batch: an arena grown for a big event goes back. */
    if (k->arena_cap > ARENA_KEEP)
        arena_replace(k, ARENA_BASE);
}
static void end_chunk(wasm_sink *k) { k->chunk_len = 0; }

EXPORT int32_t ssemux_parser_feed(wasm_parser *w, uint32_t len)
{
    if (len > w->sink.input_cap)
        return SSE_E_INVALID_ARGUMENT;
    begin_chunk(&w->sink, len);
    int32_t status = sse_parser_feed(&w->parser, w->sink.input, len);
    end_chunk(&w->sink);
    return status;
}

#pragma clang attribute push(__attribute__((minsize)), apply_to = function)

EXPORT void ssemux_parser_reset(wasm_parser *w) { sse_parser_reset(&w->parser); }

/* The ID's address; its length goes to the sink header (SINK_ID_LEN). */
EXPORT const char *ssemux_parser_last_event_id(wasm_parser *w)
{
    return sse_parser_last_event_id(&w->parser, &w->sink.id_len);
}

/* `id`: its UTF-8 bytes, wherever JS put them (the input buffer, or a
 * block of their own when longer). */
EXPORT int32_t ssemux_parser_set_last_event_id(wasm_parser *w, const char *id, uint32_t len)
{
    return sse_parser_set_last_event_id(&w->parser, id, len);
}

/* ---- exports: engine ------------------------------------------------------ */

/* Times cross as doubles: JS numbers hold any millisecond count exactly up
 * to 2^53, and an i64 parameter would force BigInt on every call. */
static int64_t ms_from_js(double ms)
{
    if (ms != ms)
        return 0; /* NaN: JS validates times, so this is only a safe floor */
    if (ms >= 9.2e18)
        return INT64_MAX;
    if (ms <= -9.2e18)
        return INT64_MIN;
    return (int64_t)ms;
}

static int32_t publish(wasm_engine *w, sse_action a)
{
    w->action[ACTION_KIND] = (uint32_t)a.kind;
    w->action[ACTION_REASON] = (uint32_t)a.reason;
    w->action[ACTION_DELAY_MS] = a.delay_ms;
    w->action[ACTION_ID_PTR] = (uint32_t)(uintptr_t)a.last_event_id;
    w->action[ACTION_ID_LEN] = (uint32_t)a.last_event_id_len;
    return (int32_t)a.kind;
}

/* Config values equal to UINT32_MAX (-1 from JS) take the default of
 * sse_engine_default_config. The seed is two 32-bit halves. */
static uint32_t or_default(uint32_t v, uint32_t dflt) { return v == UINT32_MAX ? dflt : v; }

/* As ssemux_parser_create, with the engine config. */
EXPORT int32_t ssemux_engine_create(uint32_t max_data, uint32_t max_type,
                                    uint32_t max_id, uint32_t input_cap,
                                    uint32_t initial_retry_ms, uint32_t max_retry_ms,
                                    uint32_t healthy_after_ms, uint32_t heartbeat_ms,
                                    uint32_t idle_timeout_ms, uint32_t dedupe_window,
                                    uint32_t seed_lo, uint32_t seed_hi)
{
    sse_parser_limits limits = make_limits(max_data, max_type, max_id);
    int32_t status;
    wasm_engine *w = (wasm_engine *)(void *)new_block(sizeof(wasm_engine), &limits, input_cap,
                                                      &status);
    if (!w)
        return status;
    memset(w->action, 0, sizeof w->action);
    w->sink.action = w->action;

    sse_engine_config c = sse_engine_default_config();
    c.initial_retry_ms = or_default(initial_retry_ms, c.initial_retry_ms);
    c.max_retry_ms = or_default(max_retry_ms, c.max_retry_ms);
    c.healthy_after_ms = or_default(healthy_after_ms, c.healthy_after_ms);
    c.heartbeat_ms = or_default(heartbeat_ms, c.heartbeat_ms);
    c.idle_timeout_ms = or_default(idle_timeout_ms, c.idle_timeout_ms);
    c.dedupe_window = or_default(dedupe_window, c.dedupe_window);
    c.seed = ((uint64_t)seed_hi << 32) | seed_lo;
    static const sse_engine_callbacks cb = {sink_event, sink_retry, sink_error};
    return created((uint8_t *)w,
                   sse_engine_init_growable(&w->engine, &c, &limits, &js_allocator, &cb, &w->sink));
}

EXPORT void ssemux_engine_free(wasm_engine *w)
{
    sse_engine_free(&w->engine);
    sink_free(&w->sink);
}

EXPORT int32_t ssemux_engine_start(wasm_engine *w, double now_ms)
{
    return publish(w, sse_engine_start(&w->engine, ms_from_js(now_ms)));
}

/* `content_type`: NUL-terminated, or 0 when the response had none.
 * `retry_after_ms` < 0: no Retry-After. */
EXPORT int32_t ssemux_engine_on_response(wasm_engine *w, int32_t status, const char *content_type,
                                         double retry_after_ms, double now_ms)
{
    int64_t retry_after = retry_after_ms < 0 ? -1 : ms_from_js(retry_after_ms);
    return publish(w, sse_engine_on_response(&w->engine, status, content_type, retry_after,
                                             ms_from_js(now_ms)));
}

#pragma clang attribute pop

/* Body bytes are in the input buffer. */
EXPORT int32_t ssemux_engine_on_bytes(wasm_engine *w, uint32_t len, double now_ms)
{
    if (len > w->sink.input_cap)
        return SSE_E_INVALID_ARGUMENT;
    begin_chunk(&w->sink, len);
    int32_t status = sse_engine_on_bytes(&w->engine, w->sink.input, len, ms_from_js(now_ms));
    end_chunk(&w->sink);
    return status;
}

#pragma clang attribute push(__attribute__((minsize)), apply_to = function)

EXPORT int32_t ssemux_engine_on_closed(wasm_engine *w, double now_ms)
{
    return publish(w, sse_engine_on_closed(&w->engine, ms_from_js(now_ms)));
}

EXPORT int32_t ssemux_engine_on_timer(wasm_engine *w, double now_ms)
{
    return publish(w, sse_engine_on_timer(&w->engine, ms_from_js(now_ms)));
}

EXPORT int32_t ssemux_engine_on_online(wasm_engine *w, double now_ms)
{
    return publish(w, sse_engine_on_online(&w->engine, ms_from_js(now_ms)));
}

EXPORT int32_t ssemux_engine_replace(wasm_engine *w, double now_ms)
{
    return publish(w, sse_engine_replace(&w->engine, ms_from_js(now_ms)));
}

EXPORT int32_t ssemux_engine_on_credential(wasm_engine *w, int32_t ok, double now_ms)
{
    return publish(w, sse_engine_on_credential(&w->engine, ok != 0, ms_from_js(now_ms)));
}

EXPORT int32_t ssemux_engine_close(wasm_engine *w) { return publish(w, sse_engine_close(&w->engine)); }

EXPORT double ssemux_engine_deadline(wasm_engine *w)
{
    return (double)sse_engine_deadline(&w->engine);
}

EXPORT int32_t ssemux_engine_state(wasm_engine *w) { return (int32_t)sse_engine_state(&w->engine); }

EXPORT void ssemux_engine_set_heartbeat(wasm_engine *w, uint32_t heartbeat_ms)
{
    sse_engine_set_heartbeat(&w->engine, heartbeat_ms);
}

EXPORT uint32_t ssemux_engine_idle_timeout(wasm_engine *w)
{
    return sse_engine_idle_timeout(&w->engine);
}

EXPORT double ssemux_engine_duplicates_dropped(wasm_engine *w)
{
    return (double)w->engine.duplicates_dropped;
}

EXPORT const char *ssemux_engine_last_event_id(wasm_engine *w)
{
    return sse_engine_last_event_id(&w->engine, &w->sink.id_len);
}

EXPORT int32_t ssemux_engine_set_last_event_id(wasm_engine *w, const char *id, uint32_t len)
{
    return sse_engine_set_last_event_id(&w->engine, id, len);
}

/* A Retry-After header value (in the input buffer) in ms, or -1 when it
 * cannot be parsed. `now_unix_ms` is the wall clock, for HTTP dates. */
EXPORT double ssemux_parse_retry_after(wasm_engine *w, uint32_t len, double now_unix_ms)
{
    int64_t delay;
    if (len > w->sink.input_cap ||
        !sse_parse_retry_after((const char *)w->sink.input, len, ms_from_js(now_unix_ms), &delay))
        return -1;
    return (double)delay;
}

#pragma clang attribute pop
