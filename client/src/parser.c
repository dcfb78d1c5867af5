/*
 * text/event-stream parser. Spec references are to the WHATWG HTML standard,
 * 9.2.5 "Parsing an event stream" and 9.2.6 "Interpreting an event stream".
 *
 * The parser never buffers a whole line. A line that lies wholly inside the
 * chunk is handled in one step (parse_whole_line): its end is found a word at
 * a time and a lone data: value or an event: value is not even copied, the
 * event points into the chunk (data_ref, type_ref) until the chunk ends. A
 * line split over chunks is read by a small state machine (line start, field
 * name, value) that copies each value segment straight into the buffer of its
 * field, so a value split over many chunks costs exactly one copy and a line
 * of any length costs one pass.
 *
 * Memory: every append compares against the buffer's capacity only, as it
 * always did against the limit. In fixed mode the capacity is the limit; in
 * growable mode a full buffer takes the slow path (*_room), which doubles it
 * within the limit, so growing adds no work to the common case and a value
 * arriving in any number of pieces is still copied O(1) times per byte.
 */
#include "ssemux/parser.h"

#include <string.h>

#include "line_scan.h"

enum line_state {
    LINE_START,  /* first byte of a line: blank line, comment or field name */
    FIELD_NAME,  /* inside the field name, before the colon */
    VALUE_START, /* just after the colon: one U+0020 SPACE is dropped */
    VALUE        /* inside the value, up to CR or LF */
};

/* The growable mode's slow paths, and what runs once per stream: out of
 * line and built for size, so the per-byte path stays as small and fast as
 * in fixed mode, and the .wasm small. */
#if defined(__clang__)
#define SLOW_PATH __attribute__((noinline, cold, minsize))
#define ONCE __attribute__((cold, minsize))
#else
#define SLOW_PATH __attribute__((noinline, cold))
#define ONCE __attribute__((cold))
#endif

/* Three bytes of a UTF-8 byte order mark; bom_seen == 3 means decided. */
static const char utf8_bom[3] = {'\xEF', '\xBB', '\xBF'};
#define BOM_DECIDED 3
#define NAME_CAP 6 /* longest known field name ("event", "retry") + 1 */

enum id_line_problem { ID_LINE_OK, ID_LINE_HAS_NUL, ID_LINE_TOO_LONG, ID_LINE_NO_MEMORY };

/* Growable mode: the first block of a buffer, and the data block size kept
 * between events (a bigger one, grown for one large event, is given back).
 * 1 MiB: a stream of 64 KiB events measured 3-10% slower in wasm when each
 * event grew its buffer again (tests/bench). */
#define GROW_MIN 64u
#define DATA_KEEP (1u << 20)

/* What an empty growable buffer points at, so a pointer handed out (an
 * event's id, sse_parser_last_event_id) is never NULL. Never written: a
 * buffer of capacity 0 takes no bytes. */
static const char no_bytes[1] = "";

ONCE sse_parser_limits sse_parser_default_limits(void)
{
    sse_parser_limits limits = {SSE_PARSER_DEFAULT_MAX_DATA, SSE_PARSER_DEFAULT_MAX_TYPE,
                                SSE_PARSER_DEFAULT_MAX_ID};
    return limits;
}

ONCE size_t sse_parser_buffer_size(const sse_parser_limits *limits)
{
    if (!limits || limits->max_data == 0 || limits->max_type == 0 || limits->max_id == 0 ||
        limits->max_data == UINT32_MAX)
        return 0;
    /* Data: max_data bytes and the LF after the last line, which dispatch
     * removes. Computed in 64 bits so a 32-bit (wasm) size_t overflow is
     * caught. */
    uint64_t total =
        (uint64_t)limits->max_data + 1u + limits->max_type + 3u * (uint64_t)limits->max_id;
    if (total > (uint64_t)SIZE_MAX)
        return 0;
    return (size_t)total;
}

/* What the data buffer may hold: the limit plus the final LF. */
static size_t data_max(const sse_parser *p) { return (size_t)p->limits.max_data + 1u; }

/* Growable mode: gives a block of `bytes` back; its buffer becomes empty. */
SLOW_PATH static void give_back(sse_parser *p, char **buf, uint32_t *cap, size_t bytes)
{
    if (*cap)
        p->alloc.resize(p->alloc.alloc_ctx, *buf, bytes, 0);
    *buf = (char *)no_bytes;
    *cap = 0;
}

static void reset_event(sse_parser *p)
{
    p->data_len = 0;
    p->type_len = 0;
    p->data_ref = NULL;
    p->type_ref = NULL;
    p->discarding = 0;
    p->discard_reason = SSE_OK;
    p->block_set_id = 0;
}

ONCE static void init_common(sse_parser *p, const sse_parser_limits *limits,
                        const sse_parser_callbacks *callbacks, void *ctx)
{
    memset(p, 0, sizeof *p);
    if (callbacks)
        p->cb = *callbacks;
    p->ctx = ctx;
    p->limits = *limits;
    p->state = LINE_START;
}

/* The three ID buffers, id_cap bytes each, in one block at `base`. */
ONCE static void place_ids(sse_parser *p, char *base, uint32_t cap)
{
    p->id_line = base;
    p->id_buf = base + cap;
    p->id_committed = base + 2u * (size_t)cap;
    p->id_cap = cap;
}

ONCE sse_status sse_parser_init(sse_parser *p, const sse_parser_limits *limits, void *buffer,
                           size_t buffer_len, const sse_parser_callbacks *callbacks, void *ctx)
{
    if (!p || !buffer)
        return SSE_E_INVALID_ARGUMENT;
    size_t need = sse_parser_buffer_size(limits);
    if (need == 0)
        return SSE_E_INVALID_ARGUMENT;
    if (buffer_len < need)
        return SSE_E_BUFFER_TOO_SMALL;

    init_common(p, limits, callbacks, ctx);
    p->data = buffer;
    p->data_cap = limits->max_data + 1u;
    p->data_keep = UINT32_MAX; /* never given back: the caller owns it */
    p->type = p->data + p->data_cap;
    p->type_cap = limits->max_type;
    place_ids(p, p->type + limits->max_type, limits->max_id);
    return SSE_OK;
}

void sse_parser_set_comment_callback(sse_parser *p, sse_comment_callback on_comment)
{
    if (p)
        p->on_comment = on_comment;
}

ONCE sse_status sse_parser_init_growable(sse_parser *p, const sse_parser_limits *limits,
                                    const sse_allocator *allocator,
                                    const sse_parser_callbacks *callbacks, void *ctx)
{
    /* The fixed mode's size check also proves 3 * max_id fits size_t. */
    if (!p || !allocator || !allocator->resize || sse_parser_buffer_size(limits) == 0)
        return SSE_E_INVALID_ARGUMENT;
    init_common(p, limits, callbacks, ctx);
    p->alloc = *allocator;
    p->data = p->type = (char *)no_bytes;
    p->data_keep = DATA_KEEP;
    place_ids(p, (char *)no_bytes, 0);
    return SSE_OK;
}

ONCE void sse_parser_free(sse_parser *p)
{
    if (!p || !p->alloc.resize)
        return;
    give_back(p, &p->data, &p->data_cap, p->data_cap);
    give_back(p, &p->type, &p->type_cap, p->type_cap);
    give_back(p, &p->id_line, &p->id_cap, 3u * (size_t)p->id_cap);
}

/* Growable mode, slow path: grows *buf (cap bytes, contents kept) to hold
 * `need` bytes, need <= max: doubling, at least GROW_MIN, at most max. 0 in
 * fixed mode or when the allocator refused. The block holds `parts`
 * buffers of cap bytes: 1, or the 3 ID buffers, which realloc keeps at 0,
 * cap and 2 * cap, and which move up to 0, want and 2 * want, highest first. */
SLOW_PATH static int grow(sse_parser *p, char **buf, uint32_t *cap, size_t need, size_t max,
                          size_t parts)
{
    if (!p->alloc.resize)
        return 0;
    size_t old = *cap, want = old * 2u;
    if (want < need)
        want = need;
    if (want < GROW_MIN)
        want = GROW_MIN;
    if (want > max)
        want = max;
    char *b = p->alloc.resize(p->alloc.alloc_ctx, old ? *buf : NULL, parts * old, parts * want);
    if (!b)
        return 0;
    if (parts == 3u) {
        memmove(b + 2u * want, b + 2u * old, p->id_committed_len);
        memmove(b + want, b + old, p->id_buf_len);
        p->id_buf = b + want;
        p->id_committed = b + 2u * want;
    }
    *buf = b;
    *cap = (uint32_t)want;
    return 1;
}

static int grow_ids(sse_parser *p, size_t need)
{
    return grow(p, &p->id_line, &p->id_cap, need, p->limits.max_id, 3);
}

ONCE void sse_parser_reset(sse_parser *p)
{
    if (!p)
        return;
    reset_event(p);
    p->state = LINE_START;
    p->bom_seen = 0;
    p->after_cr = 0;
    p->id_line_len = 0;
    /* Browsers start the new stream's last event ID buffer from the ID the
     * source already has, so an id-less event after a reconnect keeps it. */
    if (p->id_committed_len)
        memcpy(p->id_buf, p->id_committed, p->id_committed_len);
    p->id_buf_len = p->id_committed_len;
    p->id_ref = NULL;
}

const char *sse_parser_last_event_id(const sse_parser *p, size_t *len)
{
    if (len)
        *len = p ? p->id_committed_len : 0;
    return p ? p->id_committed : "";
}

ONCE sse_status sse_parser_set_last_event_id(sse_parser *p, const char *id, size_t len)
{
    if (!p || (!id && len))
        return SSE_E_INVALID_ARGUMENT;
    if (len > p->limits.max_id)
        return SSE_E_ID_TOO_LONG;
    for (size_t i = 0; i < len; i++) /* a byte loop: memchr is inlined, and this runs once */
        if (id[i] == 0)
            return SSE_E_INVALID_ARGUMENT;
    if (len > p->id_cap && !grow_ids(p, len))
        return SSE_E_NO_MEMORY;
    if (len) {
        memcpy(p->id_committed, id, len);
        memcpy(p->id_buf, id, len);
    }
    p->id_committed_len = p->id_buf_len = (uint32_t)len;
    p->id_ref = NULL;
    return SSE_OK;
}

/* memcpy for the short values copied once per event (IDs): up to 16 bytes
 * move as two overlapping words. In wasm a memcpy of unknown size is a
 * memory.copy, which V8 runs as a call out of the wasm code. */
static void copy_short(char *dst, const char *src, size_t n)
{
    if (n > 16) {
        memcpy(dst, src, n);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
    }
}

/* A limit was broken: report once, then drop the rest of this event. */
SLOW_PATH static void discard_event(sse_parser *p, sse_status why, sse_status *first_error)
{
    if (p->discarding)
        return;
    p->discarding = 1;
    p->discard_reason = why;
    if (*first_error == SSE_OK)
        *first_error = why;
    if (p->cb.on_error)
        p->cb.on_error(p->ctx, why);
}

static sse_field field_from_name(const sse_parser *p)
{
    size_t n = p->name_len;
    if (n == 4 && memcmp(p->name, "data", 4) == 0)
        return SSE_FIELD_DATA;
    if (n == 5 && memcmp(p->name, "event", 5) == 0)
        return SSE_FIELD_EVENT;
    if (n == 2 && memcmp(p->name, "id", 2) == 0)
        return SSE_FIELD_ID;
    if (n == 5 && memcmp(p->name, "retry", 5) == 0)
        return SSE_FIELD_RETRY;
    /* Field names are case-sensitive: "Data" is just an unknown field. */
    return SSE_FIELD_UNKNOWN;
}

/* Slow path of an append of n bytes to a buffer holding len: there is no
 * room. Grows it (growable mode) or drops the event: past the limit `max`
 * (error `too_big`), or the allocator refused. 1 when the bytes fit now. */
SLOW_PATH static int room(sse_parser *p, char **buf, uint32_t *cap, size_t len, size_t n,
                          size_t max, sse_status too_big, sse_status *first_error)
{
    if (n > max - len) {
        discard_event(p, too_big, first_error);
        return 0;
    }
    if (!grow(p, buf, cap, len + n, max, 1)) {
        discard_event(p, SSE_E_NO_MEMORY, first_error);
        return 0;
    }
    return 1;
}

static int data_room(sse_parser *p, size_t len, size_t n, sse_status *first_error)
{
    return room(p, &p->data, &p->data_cap, len, n, data_max(p), SSE_E_DATA_TOO_LARGE, first_error);
}

static int type_room(sse_parser *p, size_t len, size_t n, sse_status *first_error)
{
    return room(p, &p->type, &p->type_cap, len, n, p->limits.max_type, SSE_E_TYPE_TOO_LONG,
                first_error);
}

/* The values that point into the chunk are copied into their buffers: the
 * chunk ends, or a value is about to be appended to. Their room was made
 * when the refs were taken. */
static void materialize(sse_parser *p)
{
    if (p->data_ref) {
        memcpy(p->data, p->data_ref, p->data_len - 1u);
        p->data[p->data_len - 1u] = '\n';
        p->data_ref = NULL;
    }
    if (p->type_ref) {
        memcpy(p->type, p->type_ref, p->type_len);
        p->type_ref = NULL;
    }
    p->id_ref = NULL; /* id_buf holds a copy already */
}

/* A field's value starts: its buffer is set up for p->field. */
static void start_value(sse_parser *p)
{
    switch (p->field) {
    case SSE_FIELD_EVENT:
        p->type_len = 0; /* "set the event type buffer to the field value" */
        p->type_ref = NULL;
        break;
    case SSE_FIELD_ID:
        p->id_line_len = 0;
        p->id_line_problem = ID_LINE_OK;
        break;
    case SSE_FIELD_RETRY:
        p->retry_value = 0;
        p->retry_digits = 0;
        break;
    default:
        break;
    }
}

static void begin_field(sse_parser *p)
{
    p->field = (uint8_t)field_from_name(p);
    start_value(p);
}

static void append_retry_digits(sse_parser *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n && p->retry_digits != 2; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) {
            p->retry_digits = 2; /* "otherwise, ignore the field" */
            break;
        }
        p->retry_digits = 1;
        if (p->retry_value > (SSE_RETRY_MAX - d) / 10)
            p->retry_value = SSE_RETRY_MAX; /* saturate: the spec sets no bound */
        else
            p->retry_value = p->retry_value * 10 + d;
    }
}

/* Routes one piece of a field value to the buffer of its field. */
static void append_value(sse_parser *p, const char *s, size_t n, sse_status *first_error)
{
    if (n == 0)
        return;
    switch (p->field) {
    case SSE_FIELD_DATA:
        if (p->discarding)
            return;
        if (n > p->data_cap - p->data_len && !data_room(p, p->data_len, n, first_error))
            return;
        memcpy(p->data + p->data_len, s, n);
        p->data_len += (uint32_t)n;
        return;
    case SSE_FIELD_EVENT:
        if (p->discarding)
            return;
        if (n > p->type_cap - p->type_len && !type_room(p, p->type_len, n, first_error))
            return;
        memcpy(p->type + p->type_len, s, n);
        p->type_len += (uint32_t)n;
        return;
    case SSE_FIELD_ID:
        /* A NUL anywhere in the line wins over length, wherever the chunks
         * split it, so the line's fate is only decided at its end. */
        if (p->id_line_problem == ID_LINE_HAS_NUL)
            return;
        if (memchr(s, 0, n)) {
            p->id_line_problem = ID_LINE_HAS_NUL; /* "if the field value does not contain U+0000" */
            return;
        }
        if (p->id_line_problem != ID_LINE_OK)
            return;
        if (n > p->id_cap - p->id_line_len) {
            if (n > p->limits.max_id - p->id_line_len) {
                p->id_line_problem = ID_LINE_TOO_LONG;
                return;
            }
            if (!grow_ids(p, p->id_line_len + n)) {
                p->id_line_problem = ID_LINE_NO_MEMORY;
                return;
            }
        }
        memcpy(p->id_line + p->id_line_len, s, n);
        p->id_line_len += (uint32_t)n;
        return;
    case SSE_FIELD_RETRY:
        append_retry_digits(p, s, n);
        return;
    case SSE_FIELD_COMMENT:
        if (p->on_comment)
            p->on_comment(p->ctx, s, n, 0);
        return;
    default:
        return; /* unknown fields are ignored */
    }
}

/* A non-blank line ended: "process the field". */
static void end_field(sse_parser *p, sse_status *first_error)
{
    switch (p->field) {
    case SSE_FIELD_DATA:
        /* "Append the field value to the data buffer, then append a single
         * U+000A LINE FEED (LF) character to the data buffer." */
        if (p->discarding)
            break;
        if (p->data_len < p->data_cap || data_room(p, p->data_len, 1, first_error))
            p->data[p->data_len++] = '\n';
        break;
    case SSE_FIELD_ID:
        if (p->id_line_problem == ID_LINE_TOO_LONG)
            discard_event(p, SSE_E_ID_TOO_LONG, first_error);
        if (p->id_line_problem == ID_LINE_NO_MEMORY)
            discard_event(p, SSE_E_NO_MEMORY, first_error);
        if (p->id_line_problem == ID_LINE_OK) {
            memcpy(p->id_buf, p->id_line, p->id_line_len);
            p->id_buf_len = p->id_line_len;
            p->block_set_id = 1;
            p->id_ref = NULL;
        }
        break;
    case SSE_FIELD_RETRY:
        /* The reconnection time changes now, whatever happens to the event. */
        if (p->retry_digits == 1 && p->cb.on_retry)
            p->cb.on_retry(p->ctx, p->retry_value);
        break;
    case SSE_FIELD_COMMENT:
        if (p->on_comment)
            p->on_comment(p->ctx, "", 0, 1);
        break;
    default:
        break;
    }
    p->field = SSE_FIELD_NONE;
}

static void deliver(sse_parser *p);

/* A blank line: "dispatch the event". */
static void dispatch(sse_parser *p)
{
    /* Step 1: the source's last event ID moves even if nothing is dispatched.
     * Only an id: field of this block can have made the buffer differ (reset
     * and set_last_event_id keep the two equal). */
    if (p->block_set_id) {
        copy_short(p->id_committed, p->id_buf, p->id_buf_len);
        p->id_committed_len = p->id_buf_len;
    }
    /* Step 2: empty data buffer -> reset and return (no event). */
    if (!p->discarding && p->data_len != 0)
        deliver(p);
    if (p->data_cap > p->data_keep) /* growable mode: memory follows what arrives */
        give_back(p, &p->data, &p->data_cap, p->data_cap);
    reset_event(p);
}

/* Dispatch, steps 3 to 6: the event goes out. */
static void deliver(sse_parser *p)
{
    /* Step 3: drop the data buffer's final LF. */
    sse_event ev;
    ev.data = p->data_ref ? p->data_ref : p->data;
    ev.data_len = p->data_len - 1;
    if (p->type_len) {
        ev.type = p->type_ref ? p->type_ref : p->type;
        ev.type_len = p->type_len;
    } else {
        ev.type = "message";
        ev.type_len = 7;
    }
    ev.id = p->id_ref ? p->id_ref : p->id_committed; /* same bytes; see parser.h */
    ev.id_len = p->id_committed_len;
    ev.id_is_own = p->block_set_id;
    if (p->cb.on_event)
        p->cb.on_event(p->ctx, &ev);
}

/* s starts with the 4 bytes of `word`, compared as one load: memcmp is a
 * byte loop in the wasm build, and the word compare there saves ~200 bytes
 * of .wasm (natively both compile alike). Reads s[0..3]: the caller knows
 * they exist. */
static int starts_with4(const char *s, const char *word)
{
    uint32_t a, b;
    memcpy(&a, s, 4);
    memcpy(&b, word, 4);
    return a == b;
}

/* "data:" line wholly inside the chunk. The first one of an event is not
 * copied: data_ref points at it. Limits are checked as append_value and
 * end_field would, with the same error. */
static void take_data_line(sse_parser *p, const char *v, size_t n, sse_status *first_error)
{
    if (p->discarding)
        return;
    if (p->data_len == 0) {
        /* Not copied now, but the room is made (the limit is checked) now:
         * it is copied if the chunk ends inside the event. The LF after the
         * value has its own byte. */
        if (n >= p->data_cap && !data_room(p, 0, n + 1u, first_error))
            return;
        p->data_ref = v;
        p->data_len = (uint32_t)n + 1u;
        return;
    }
    materialize(p);
    append_value(p, v, n, first_error);
    end_field(p, first_error);
}

/* One line wholly inside the chunk: [s, eol), eol excluded. The field names
 * that matter are compared whole; anything else goes through field_from_name
 * exactly as the state machine would. */
static void parse_whole_line(sse_parser *p, const char *s, const char *eol, sse_status *first_error)
{
    size_t n = (size_t)(eol - s);
    if (n == 0) {
        dispatch(p);
        return;
    }
    if (s[0] == ':') {
        /* The spec ignores comments; a caller that asked sees their text,
         * with one leading space dropped like a field value's. */
        if (p->on_comment) {
            const char *c = s + 1 < eol && s[1] == ' ' ? s + 2 : s + 1;
            p->on_comment(p->ctx, c, (size_t)(eol - c), 1);
        }
        return;
    }
    const char *v;
    if (n >= 5 && starts_with4(s, "data") && s[4] == ':') {
        p->field = SSE_FIELD_DATA;
        v = s + 5;
    } else if (n >= 3 && memcmp(s, "id:", 3) == 0) {
        p->field = SSE_FIELD_ID;
        v = s + 3;
    } else if (n >= 6 && starts_with4(s, "even") && s[4] == 't' && s[5] == ':') {
        p->field = SSE_FIELD_EVENT;
        v = s + 6;
    } else {
        const char *colon = memchr(s, ':', n);
        size_t name_len = colon ? (size_t)(colon - s) : n;
        p->name_len = (uint8_t)(name_len < NAME_CAP ? name_len : NAME_CAP);
        memcpy(p->name, s, p->name_len);
        p->field = (uint8_t)field_from_name(p);
        v = colon ? colon + 1 : eol;
    }
    if (v < eol && *v == ' ')
        v++; /* only one space is removed */
    size_t vn = (size_t)(eol - v);
    switch (p->field) {
    case SSE_FIELD_DATA:
        take_data_line(p, v, vn, first_error);
        break;
    case SSE_FIELD_EVENT:
        start_value(p); /* the value is not copied: type_ref points at it */
        if (p->discarding || vn == 0)
            break;
        if (vn > p->type_cap && !type_room(p, 0, vn, first_error))
            break; /* room made as for data: see take_data_line */
        p->type_ref = v;
        p->type_len = (uint32_t)vn;
        break;
    case SSE_FIELD_ID:
        /* As append_value + end_field, without the stop in id_line: a NUL
         * makes the line ignored, even when it is also too long. */
        if (memchr(v, 0, vn))
            break;
        if (vn > p->id_cap) {
            if (vn > p->limits.max_id) {
                discard_event(p, SSE_E_ID_TOO_LONG, first_error);
                break;
            }
            if (!grow_ids(p, vn)) {
                discard_event(p, SSE_E_NO_MEMORY, first_error);
                break;
            }
        }
        copy_short(p->id_buf, v, vn);
        p->id_buf_len = (uint32_t)vn;
        p->block_set_id = 1;
        p->id_ref = v;
        break;
    case SSE_FIELD_RETRY:
        start_value(p);
        append_value(p, v, vn, first_error);
        end_field(p, first_error);
        break;
    default:
        break; /* unknown fields are ignored */
    }
    p->field = SSE_FIELD_NONE;
}

static void parse_bytes(sse_parser *p, const char *s, const char *end, sse_status *first_error)
{
    line_scanner ls;
    line_scanner_init(&ls, s, end);
    while (s < end) {
        if (p->after_cr) {
            /* CRLF is one line end even when a chunk boundary splits it. */
            p->after_cr = 0;
            if (*s == '\n') {
                s++;
                continue;
            }
        }
        if (p->state == LINE_START) {
            /* Whole lines one after another, the usual case: a CRLF inside
             * the chunk is skipped here, without going through after_cr. */
            for (;;) {
                const char *eol = find_eol(&ls, s);
                if (eol == end)
                    break;
                parse_whole_line(p, s, eol, first_error);
                s = eol + 1;
                if (*eol == '\r') {
                    if (s == end) {
                        p->after_cr = 1; /* an LF may start the next chunk */
                        return;
                    }
                    if (*s == '\n')
                        s++;
                }
                if (s == end)
                    return;
            }
            /* The line goes on in the next chunk: the state machine takes
             * it, and values from this chunk must be in their buffers. */
            materialize(p);
        }
        switch (p->state) {
        case LINE_START:
            if (*s == '\r' || *s == '\n') {
                p->after_cr = (*s == '\r');
                s++;
                dispatch(p);
                continue;
            }
            if (*s == ':') {
                p->field = SSE_FIELD_COMMENT;
                p->state = VALUE_START; /* one space dropped, as in parse_whole_line */
                s++;
                continue;
            }
            p->name_len = 0;
            p->state = FIELD_NAME;
            /* fall through */
        case FIELD_NAME: {
            const char *q = s;
            while (q < end && *q != ':' && *q != '\r' && *q != '\n')
                q++;
            size_t n = (size_t)(q - s);
            size_t room = p->name_len < NAME_CAP ? NAME_CAP - p->name_len : 0;
            memcpy(p->name + p->name_len, s, n < room ? n : room);
            p->name_len = (uint8_t)(p->name_len + (n < room ? n : room));
            if (n > room)
                p->name_len = NAME_CAP; /* too long for any known name */
            s = q;
            if (s == end)
                return;
            begin_field(p);
            if (*s == ':') {
                p->state = VALUE_START;
                s++;
                continue;
            }
            /* A line without a colon: the whole line is the name, value "". */
            p->state = VALUE;
            continue;
        }
        case VALUE_START:
            p->state = VALUE;
            if (*s == ' ') { /* only one space is removed */
                s++;
                continue;
            }
            /* fall through */
        case VALUE: {
            const char *eol = find_line_end(&ls, s);
            append_value(p, s, (size_t)(eol - s), first_error);
            s = eol;
            if (s == end)
                return;
            end_field(p, first_error);
            p->after_cr = (*s == '\r');
            p->state = LINE_START;
            s++;
            continue;
        }
        }
    }
}

sse_status sse_parser_feed(sse_parser *p, const void *bytes, size_t len)
{
    if (!p || (!bytes && len))
        return SSE_E_INVALID_ARGUMENT;
    if (len == 0)
        return SSE_OK;
    const char *s = bytes, *end = s + len;
    sse_status first_error = SSE_OK;

    /* One leading BOM is skipped, only at stream start (the UTF-8 decode
     * step). Its bytes may arrive in separate chunks. */
    while (p->bom_seen < BOM_DECIDED && s < end) {
        if (*s == utf8_bom[p->bom_seen]) {
            p->bom_seen++;
            s++;
            continue;
        }
        /* Not a BOM after all: the bytes held back are ordinary input. */
        uint8_t held = p->bom_seen;
        p->bom_seen = BOM_DECIDED;
        parse_bytes(p, utf8_bom, utf8_bom + held, &first_error);
    }
    parse_bytes(p, s, end, &first_error);
    materialize(p); /* the caller may reuse its bytes once we return */
    return first_error;
}
