/*
 * Reconnect/resume engine: the EventSource connection logic as a pure state
 * machine. It does no I/O and reads no clock: the caller reports what
 * happened (with the current time in ms from any monotonic clock) and the
 * engine answers with an sse_action saying what to do next. Events reach
 * the caller through the callbacks given at init, already deduplicated.
 *
 *   sse_engine_start            -> CONNECT
 *   sse_engine_on_response      -> OPEN / REFRESH_CREDENTIAL / RETRY / STOP
 *   sse_engine_on_bytes         -> events dispatched; heartbeat re-armed
 *   sse_engine_on_closed        -> RETRY after a delay
 *   sse_engine_on_timer         -> CONNECT (delay over) / RETRY (heartbeat lost)
 *   sse_engine_on_online        -> CONNECT now if waiting
 *   sse_engine_on_credential    -> CONNECT / STOP
 *   sse_engine_close            -> STOP
 */
#ifndef SSEMUX_ENGINE_H
#define SSEMUX_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssemux/parser.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sse_state {
    SSE_STATE_IDLE,        /* not started */
    SSE_STATE_CONNECTING,  /* a request is out, no response yet */
    SSE_STATE_OPEN,        /* 200 text/event-stream, reading */
    SSE_STATE_WAITING,     /* waiting to reconnect (timer armed) */
    SSE_STATE_AUTHORIZING, /* waiting for the embedder's fresh credential */
    SSE_STATE_CLOSED       /* stopped for good */
} sse_state;

typedef enum sse_action_kind {
    SSE_ACT_NONE,               /* nothing to do */
    SSE_ACT_CONNECT,            /* open a request now, sending action.last_event_id */
    SSE_ACT_OPEN,               /* the response is good: fire "open", keep reading */
    SSE_ACT_RETRY,              /* drop any connection, fire "error", call on_timer in delay_ms */
    SSE_ACT_REFRESH_CREDENTIAL, /* drop the connection, get a fresh credential, then on_credential */
    SSE_ACT_STOP                /* drop any connection, fire "error", never reconnect */
} sse_action_kind;

/* Why the engine did what it did (for logs and the UI's status line). */
typedef enum sse_reason {
    SSE_REASON_NONE,
    SSE_REASON_STARTED,
    SSE_REASON_OPENED,
    SSE_REASON_NETWORK_ERROR,    /* on_closed: connect failed or stream ended */
    SSE_REASON_HEARTBEAT_LOST,   /* no bytes for the idle timeout */
    SSE_REASON_SERVER_ERROR,     /* 5xx */
    SSE_REASON_RATE_LIMITED,     /* 429 */
    SSE_REASON_UNAUTHORIZED,     /* 401/403 after one credential refresh */
    SSE_REASON_NO_CONTENT,       /* 204: the server asks us to stop */
    SSE_REASON_BAD_STATUS,       /* any other status */
    SSE_REASON_BAD_CONTENT_TYPE, /* 200 but not text/event-stream */
    SSE_REASON_CREDENTIAL_FAILED,/* the embedder could not get a credential */
    SSE_REASON_ONLINE,           /* the network came back */
    SSE_REASON_TIMER,            /* the reconnect delay is over */
    SSE_REASON_CLOSED_BY_USER,
    SSE_REASON_CREDENTIAL_REFRESHED, /* on_credential(ok): reconnecting with the new one */
    SSE_REASON_REPLACED              /* sse_engine_replace: a new request on purpose */
} sse_reason;

typedef struct sse_action {
    sse_action_kind kind;
    sse_reason reason;
    uint32_t delay_ms;        /* for SSE_ACT_RETRY */
    const char *last_event_id;/* for SSE_ACT_CONNECT: send as Last-Event-ID unless empty */
    size_t last_event_id_len; /* (points into the engine; valid until the next call) */
} sse_action;

typedef struct sse_engine_config {
    uint32_t initial_retry_ms;  /* reconnection time before any retry: field (3000) */
    uint32_t max_retry_ms;      /* backoff cap (30000) */
    uint32_t healthy_after_ms;  /* an open connection this old resets the backoff (10000) */
    uint32_t heartbeat_ms;      /* the server's heartbeat interval if known, else 0 */
    uint32_t idle_timeout_ms;   /* 0 = 2.5 x heartbeat_ms if known, else 45000 */
    uint32_t dedupe_window;     /* how many recent IDs to remember (64), <= SSE_DEDUPE_MAX */
    uint64_t seed;              /* jitter PRNG seed: pass something random */
} sse_engine_config;

#define SSE_DEDUPE_MAX 256

/* The event callbacks the engine forwards to (after dedupe). */
typedef struct sse_engine_callbacks {
    void (*on_event)(void *ctx, const sse_event *event);
    void (*on_retry)(void *ctx, uint32_t retry_ms);
    void (*on_error)(void *ctx, sse_status error);
} sse_engine_callbacks;

typedef struct sse_engine {
    sse_parser parser;
    sse_engine_callbacks cb;
    void *ctx;
    sse_engine_config cfg;
    sse_state state;
    uint32_t retry_ms;          /* current reconnection time (retry: or initial) */
    bool server_set_retry;      /* a retry: field was seen */
    uint32_t failures;          /* consecutive failed attempts since the last healthy connection */
    bool credential_refreshed;  /* one refresh already spent on this failure streak */
    int64_t opened_at;          /* when the current connection opened */
    int64_t last_bytes_at;      /* when bytes last arrived */
    int64_t deadline;           /* when on_timer must be called; -1 = none */
    uint64_t rng;
    uint64_t recent[SSE_DEDUPE_MAX]; /* hashes of recently delivered IDs (ring) */
    uint32_t recent_count, recent_next;
    /* An event without its own id: field (id_is_own 0) inherits the ID and
     * shares the dedupe verdict of the event that set it. */
    uint64_t current_id;        /* fingerprint of the last judged ID (0 = none yet) */
    bool current_id_replayed;   /* ...and whether it was a replay (dropped) */
    uint64_t duplicates_dropped;
    sse_comment_callback on_comment; /* see sse_engine_set_comment_callback */
} sse_engine;

/* Defaults listed in sse_engine_config's comments (seed 0: fill it). */
sse_engine_config sse_engine_default_config(void);

/* Bytes the caller must provide for the embedded parser's buffers. */
size_t sse_engine_buffer_size(const sse_parser_limits *limits);

/* Fixed mode: the parser's buffers are `buffer`, caller-owned (see
 * sse_parser_init). */
sse_status sse_engine_init(sse_engine *e, const sse_engine_config *config,
                           const sse_parser_limits *limits, void *buffer, size_t buffer_len,
                           const sse_engine_callbacks *callbacks, void *ctx);

/* Forwards the open stream's comment lines to `on_comment` (with init's
 * ctx; NULL stops them); see sse_comment_callback. Call after init. */
void sse_engine_set_comment_callback(sse_engine *e, sse_comment_callback on_comment);

/* Growable mode: the parser's buffers come from `allocator` as bytes arrive
 * (see sse_parser_init_growable); call sse_engine_free when done. */
sse_status sse_engine_init_growable(sse_engine *e, const sse_engine_config *config,
                                    const sse_parser_limits *limits,
                                    const sse_allocator *allocator,
                                    const sse_engine_callbacks *callbacks, void *ctx);

/* Gives the growable mode's buffers back; nothing to do in fixed mode. */
void sse_engine_free(sse_engine *e);

sse_action sse_engine_start(sse_engine *e, int64_t now_ms);

/* The response head arrived. `content_type` may be NULL (absent);
 * `retry_after_ms` is the Retry-After header in ms, or -1 when absent (see
 * sse_parse_retry_after). */
sse_action sse_engine_on_response(sse_engine *e, int status, const char *content_type,
                                  int64_t retry_after_ms, int64_t now_ms);

/* Body bytes arrived on the open connection. Dispatches events (IDs seen
 * recently are dropped) and returns SSE_OK or the parser's first limit error. */
sse_status sse_engine_on_bytes(sse_engine *e, const void *bytes, size_t len, int64_t now_ms);

/* The connection failed or ended (network error, EOF, reset). */
sse_action sse_engine_on_closed(sse_engine *e, int64_t now_ms);

/* The timer asked for by sse_engine_deadline() fired. */
sse_action sse_engine_on_timer(sse_engine *e, int64_t now_ms);

/* The network came back (navigator.onLine, a link-up signal). */
sse_action sse_engine_on_online(sse_engine *e, int64_t now_ms);

/* The embedder's credential refresh ended: ok = a new one is ready. */
sse_action sse_engine_on_credential(sse_engine *e, bool ok, int64_t now_ms);

/* The embedder replaces the connection on purpose (e.g. the set of topics
 * changed): CONNECT now with the last event ID. Not a failure: the backoff
 * streak is not counted up, and a connection that was healthy resets it.
 * From OPEN, CONNECTING or WAITING; NONE otherwise. */
sse_action sse_engine_replace(sse_engine *e, int64_t now_ms);

/* The user closed the source: stop for good. */
sse_action sse_engine_close(sse_engine *e);

/* Absolute time (ms) at which the caller must call sse_engine_on_timer, or
 * -1 when no timer is needed. Covers both the reconnect delay and the
 * heartbeat watchdog while open. */
int64_t sse_engine_deadline(const sse_engine *e);

sse_state sse_engine_state(const sse_engine *e);

/* The server told us its heartbeat interval (e.g. a response header). */
void sse_engine_set_heartbeat(sse_engine *e, uint32_t heartbeat_ms);

/* The current idle timeout: idle_timeout_ms, or 2.5 x heartbeat, or 45 s. */
uint32_t sse_engine_idle_timeout(const sse_engine *e);

const char *sse_engine_last_event_id(const sse_engine *e, size_t *len);
sse_status sse_engine_set_last_event_id(sse_engine *e, const char *id, size_t len);

const char *sse_action_kind_name(sse_action_kind kind);
const char *sse_reason_name(sse_reason reason);

/* Parses a Retry-After header value: delta-seconds, or an IMF-fixdate
 * (RFC 9110) taken relative to `now_unix_ms` (wall clock). Writes the delay
 * in ms (0 for dates in the past) and returns true; false if unparseable. */
bool sse_parse_retry_after(const char *value, size_t len, int64_t now_unix_ms, int64_t *delay_ms);

#ifdef __cplusplus
}
#endif
#endif
