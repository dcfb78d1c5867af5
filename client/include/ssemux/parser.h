/*
 * Incremental text/event-stream parser (WHATWG HTML, "Server-sent events",
 * section "Parsing an event stream" and "Interpreting an event stream").
 *
 * - Feed bytes in chunks of any size, split anywhere; results never depend
 *   on the split.
 * - Two memory modes, one parser. Fixed: the caller owns one buffer of
 *   sse_parser_buffer_size(limits) bytes and the parser never allocates (for
 *   embedded users). Growable: the caller passes a realloc-style allocator
 *   and each buffer grows with what actually arrives, doubling, never past
 *   the limits (the browser core and ssecat, whose default limits are large).
 *   Either way memory is bounded by the limits whatever the input.
 * - Linear time: line ends are found a word at a time (memchr on long
 *   lines) and values are copied in bulk, so a 100 MiB line costs one pass;
 *   a single-line data or type value wholly inside one chunk is not copied.
 * - Bytes in, bytes out: field values are handed out as raw bytes. Because
 *   every delimiter is ASCII and UTF-8 decoding never swallows an ASCII
 *   byte, decoding each value on its own (with U+FFFD replacement) gives the
 *   same text as decoding the stream first, which is what the spec does.
 */
#ifndef SSEMUX_PARSER_H
#define SSEMUX_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "ssemux/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One dispatched event. Pointers are valid only during the callback; `data`,
 * `type` and `id` may point into the bytes passed to the current
 * sse_parser_feed call (a value read from one whole line of that chunk). */
typedef struct sse_event {
    const char *type; /* "message" when the stream named no type */
    size_t type_len;
    const char *data; /* the data buffer with its final LF removed */
    size_t data_len;
    const char *id;   /* the last event ID (empty when none was ever set) */
    size_t id_len;
    int id_is_own;    /* 1 if this event's own block set the ID with an id: field;
                       * 0 if the ID was inherited from an earlier event */
} sse_event;

/* Callbacks; any may be NULL. `ctx` is sse_parser_init's `ctx`. */
typedef struct sse_parser_callbacks {
    /* An event was dispatched (a blank line ended a block with data). */
    void (*on_event)(void *ctx, const sse_event *event);
    /* A valid retry: field was read (only ASCII digits, at least one).
     * Values above SSE_RETRY_MAX saturate to it. */
    void (*on_retry)(void *ctx, uint32_t retry_ms);
    /* An event broke a limit (or, growable mode, the allocator refused:
     * SSE_E_NO_MEMORY) and was discarded whole; parsing goes on from the
     * next line and nothing else is lost. */
    void (*on_error)(void *ctx, sse_status error);
} sse_parser_callbacks;

#define SSE_RETRY_MAX UINT32_MAX

/* A comment line (":text"), for callers that want to see heartbeats. `text`
 * is what follows the colon, one leading space dropped; it arrives in one
 * or more pieces (one when the line is wholly inside a fed chunk) and
 * `last` is 1 on the piece that ends the line (that piece may be empty). A
 * line cut off by EOF or a reset never gets its `last` piece. Set with
 * sse_parser_set_comment_callback; kept out of sse_parser_callbacks so
 * existing initialisers of that struct stay complete. */
typedef void (*sse_comment_callback)(void *ctx, const char *text, size_t len, int last);

/* Upper bounds, in bytes, for one event's fields; inclusive: a value of
 * exactly the limit is delivered, one byte more is reported and dropped. */
typedef struct sse_parser_limits {
    uint32_t max_data; /* the event's data, LFs between data lines included
                        * (< UINT32_MAX: the buffer also holds a final LF) */
    uint32_t max_type; /* event type */
    uint32_t max_id;   /* event ID */
} sse_parser_limits;

/* 16 MiB of data, 1 MiB of type, 1 MiB of ID: no realistic event is lost
 * (browsers have no limits at all; a 100,000-byte ID has been seen). The
 * growable mode costs only what arrives; a fixed-mode buffer for these is
 * 20 MiB, so embedded users pick their own limits. */
#define SSE_PARSER_DEFAULT_MAX_DATA (16u << 20)
#define SSE_PARSER_DEFAULT_MAX_TYPE (1u << 20)
#define SSE_PARSER_DEFAULT_MAX_ID (1u << 20)

/* A realloc-style allocator, as Lua's lua_Alloc: returns a block of
 * `new_size` bytes that starts with the first min(old_size, new_size) bytes
 * of `ptr` (a new block when `ptr` is NULL), or NULL on failure, leaving
 * `ptr` as it was. `new_size` 0 frees `ptr` and returns NULL. `old_size` is
 * the size this parser asked for last, for allocators that need it. */
typedef struct sse_allocator {
    void *(*resize)(void *alloc_ctx, void *ptr, size_t old_size, size_t new_size);
    void *alloc_ctx;
} sse_allocator;

/* An sse_allocator over the C library's realloc and free. */
sse_allocator sse_heap_allocator(void);

typedef enum sse_field {
    SSE_FIELD_NONE, SSE_FIELD_UNKNOWN, SSE_FIELD_DATA, SSE_FIELD_EVENT,
    SSE_FIELD_ID, SSE_FIELD_RETRY, SSE_FIELD_COMMENT
} sse_field;

/* The parser. Opaque in spirit: read it only through the functions below. */
typedef struct sse_parser {
    sse_parser_callbacks cb;
    void *ctx;
    sse_parser_limits limits;
    sse_allocator alloc; /* growable mode; resize is NULL in fixed mode */
    char *data;          /* data_cap bytes, at most limits.max_data + 1 */
    char *type;          /* type_cap bytes, at most limits.max_type */
    char *id_line;       /* the id: value of the line being read */
    char *id_buf;        /* the spec's "last event ID buffer" */
    char *id_committed;  /* the ID committed at the last blank line */
    /* Capacities: the limits in fixed mode; what has arrived so far, rounded
     * up by doubling, in growable mode. The three ID buffers are one block
     * of 3 * id_cap bytes. */
    uint32_t data_cap, type_cap, id_cap;
    uint32_t data_keep;  /* a data buffer bigger than this is given back after its event */
    uint32_t data_len, type_len, id_line_len, id_buf_len, id_committed_len;
    uint32_t retry_value;
    uint8_t state;       /* where inside a line we are */
    uint8_t field;       /* sse_field of the current line */
    uint8_t name_len;    /* bytes of field name seen (capped) */
    char name[8];        /* field name so far (only known names matter) */
    uint8_t bom_seen;    /* bytes of a leading BOM matched; 3 = decided */
    uint8_t after_cr;    /* last byte was CR: a following LF is the same line end */
    uint8_t retry_digits;/* retry value so far: 0 none, 1 digits only, 2 invalid */
    uint8_t id_line_problem; /* the id: line holds a NUL or is too long */
    uint8_t discarding;  /* a limit was broken: drop this event */
    uint8_t block_set_id;/* an id: field of this block set the ID */
    sse_status discard_reason;
    /* Zero-copy: while non-NULL, the data (type) buffer's contents are the
     * data_len - 1 (type_len) bytes here, inside the chunk being fed; they
     * are copied into the buffer before sse_parser_feed returns. */
    const char *data_ref;
    const char *type_ref;
    const char *id_ref;  /* id_buf's bytes as read from the chunk, if they were */
    sse_comment_callback on_comment; /* NULL: comments are skipped */
} sse_parser;

/* Bytes the caller must provide to sse_parser_init for these limits
 * (max_data + 1 + max_type + 3 * max_id), or 0 if they are invalid. */
size_t sse_parser_buffer_size(const sse_parser_limits *limits);

/* Limits with the SSE_PARSER_DEFAULT_* values. */
sse_parser_limits sse_parser_default_limits(void);

/* Fixed mode: prepares `p` to parse a new stream. `buffer` (caller-owned,
 * at least sse_parser_buffer_size(limits) bytes, any alignment) must outlive
 * `p`. `callbacks` is copied. The parser never allocates. */
sse_status sse_parser_init(sse_parser *p, const sse_parser_limits *limits,
                           void *buffer, size_t buffer_len,
                           const sse_parser_callbacks *callbacks, void *ctx);

/* Growable mode: as sse_parser_init, but the buffers come from `allocator`
 * (copied) as bytes arrive, and nothing is reserved up front. A buffer the
 * allocator refuses to grow drops that event with SSE_E_NO_MEMORY; data
 * buffers grown past 1 MiB are given back after their event. Call
 * sse_parser_free when done. */
sse_status sse_parser_init_growable(sse_parser *p, const sse_parser_limits *limits,
                                    const sse_allocator *allocator,
                                    const sse_parser_callbacks *callbacks, void *ctx);

/* Gives the growable mode's buffers back to the allocator; `p` must be
 * initialized again before any other call (calling this again is safe).
 * Nothing to do in fixed mode. */
void sse_parser_free(sse_parser *p);

/* Parses `len` bytes. Always consumes all of them; returns SSE_OK or the
 * first limit error met in this chunk (also reported through on_error). */
sse_status sse_parser_feed(sse_parser *p, const void *bytes, size_t len);

/* Reports comment lines to `on_comment` (NULL: stop), with init's ctx.
 * Call after sse_parser_init, which clears it. */
void sse_parser_set_comment_callback(sse_parser *p, sse_comment_callback on_comment);

/* Starts a new stream on the same parser (a reconnect): the pending event
 * and the BOM check are reset, the committed last event ID is kept and, as
 * browsers do, becomes the new stream's last event ID buffer. An unfinished
 * event is never dispatched (spec: "pending data must be discarded"). */
void sse_parser_reset(sse_parser *p);

/* The ID committed at the last blank line: what a reconnect sends as
 * Last-Event-ID. Not NUL-terminated. */
const char *sse_parser_last_event_id(const sse_parser *p, size_t *len);

/* Seeds the last event ID (e.g. from --last-event-id, or a tab that knew it
 * before a worker restarted). SSE_E_ID_TOO_LONG past limits.max_id;
 * SSE_E_INVALID_ARGUMENT if it contains NUL, which no stream could set;
 * SSE_E_NO_MEMORY if the allocator refused (growable mode). */
sse_status sse_parser_set_last_event_id(sse_parser *p, const char *id, size_t len);

#ifdef __cplusplus
}
#endif
#endif
