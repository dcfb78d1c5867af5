/*
 * Reconnect/resume engine: the EventSource connection logic (WHATWG HTML,
 * 9.2.3 "Processing model": "announce the connection", "reestablish the
 * connection", "fail the connection") plus what production clients add on
 * top: exponential backoff with jitter, Retry-After, a heartbeat watchdog,
 * one credential refresh on 401/403, and replay dedupe by event ID.
 *
 * Pure by design: no I/O, no clock, no globals, no allocation of its own
 * (the parser's growable mode allocates through the caller's allocator). The caller
 * passes the time in and performs the returned action, so every rule below
 * is testable with made-up times and a seeded PRNG.
 */
#include "ssemux/engine.h"

#include <string.h>

#define DEFAULT_IDLE_TIMEOUT_MS 45000u
/* A Retry-After beyond a day is more likely a bug than a wish; cap it. */
#define RETRY_AFTER_MAX_MS 86400000

/* ---- small helpers ------------------------------------------------------ */

/* Saturating a + b for non-negative b: callers may run near INT64_MAX. */
static int64_t add_ms(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* splitmix64 (Steele, Lea, Flood 2014): tiny state, good enough for jitter,
 * and deterministic from config.seed so tests can replay it. */
static uint64_t next_random(sse_engine *e)
{
    uint64_t z = (e->rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. The range is at most 2^32 + 1 and the source 2^64,
 * so the modulo bias is below 2^-31: invisible in a reconnect delay. */
static uint32_t random_between(sse_engine *e, uint32_t lo, uint32_t hi)
{
    uint64_t span = (uint64_t)hi - lo + 1;
    return lo + (uint32_t)(next_random(e) % span);
}

static sse_action make_action(sse_action_kind kind, sse_reason reason)
{
    sse_action a = {kind, reason, 0, NULL, 0};
    return a;
}

static sse_action nothing(void) { return make_action(SSE_ACT_NONE, SSE_REASON_NONE); }

/* ---- dedupe ------------------------------------------------------------- */

/* FNV-1a 64 of the ID in the low 48 bits and its length (capped) in the top
 * 16: IDs of different lengths can never collide, and a non-empty ID never
 * maps to 0, which current_id uses for "none". */
static uint64_t id_fingerprint(const char *id, size_t len)
{
    uint64_t h = 0xCBF29CE484222325u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)id[i];
        h *= 0x100000001B3u;
    }
    uint64_t len16 = len < 0xFFFF ? len : 0xFFFF;
    return (len16 << 48) | (h & 0xFFFFFFFFFFFFu);
}

/* Linear scan: the window is at most SSE_DEDUPE_MAX (256) entries. */
static bool id_was_delivered(const sse_engine *e, uint64_t fp)
{
    for (uint32_t i = 0; i < e->recent_count; i++)
        if (e->recent[i] == fp)
            return true;
    return false;
}

static void remember_id(sse_engine *e, uint64_t fp)
{
    e->recent[e->recent_next] = fp;
    e->recent_next = (e->recent_next + 1) % e->cfg.dedupe_window;
    if (e->recent_count < e->cfg.dedupe_window)
        e->recent_count++;
}

/* Servers replay from Last-Event-ID at least once, so after a reconnect the
 * first events may be ones we already delivered. An event whose own id:
 * field names one of the last dedupe_window delivered IDs is a replay. An
 * event without an id: field carries the previous ID (the spec's last event
 * ID buffer persists), so it cannot be judged by its ID: it shares the
 * verdict of the event that set that ID. If no event with that ID was ever
 * judged (an id: in a block without data), it is judged as its own. */
static bool event_is_replay(sse_engine *e, const sse_event *ev)
{
    if (e->cfg.dedupe_window == 0 || ev->id_len == 0)
        return false;
    uint64_t fp = id_fingerprint(ev->id, ev->id_len);
    if (!ev->id_is_own && fp == e->current_id)
        return e->current_id_replayed;
    bool replayed = id_was_delivered(e, fp);
    if (!replayed)
        remember_id(e, fp);
    e->current_id = fp;
    e->current_id_replayed = replayed;
    return replayed;
}

/* ---- parser callbacks --------------------------------------------------- */

/* Only an OPEN connection's bytes count: if a callback closed the engine (or
 * reported the connection lost) mid-chunk, the rest of that chunk is dead. */

static void engine_on_event(void *ctx, const sse_event *ev)
{
    sse_engine *e = ctx;
    if (e->state != SSE_STATE_OPEN)
        return;
    if (event_is_replay(e, ev)) {
        e->duplicates_dropped++;
        return;
    }
    if (e->cb.on_event)
        e->cb.on_event(e->ctx, ev);
}

/* WHATWG 9.2.6, "retry" field: set the reconnection time. We also remember
 * that the server chose it, which makes the first delay exact. */
static void engine_on_retry(void *ctx, uint32_t retry_ms)
{
    sse_engine *e = ctx;
    if (e->state != SSE_STATE_OPEN)
        return;
    e->retry_ms = retry_ms;
    e->server_set_retry = true;
    if (e->cb.on_retry)
        e->cb.on_retry(e->ctx, retry_ms);
}

static void engine_on_error(void *ctx, sse_status error)
{
    sse_engine *e = ctx;
    if (e->state != SSE_STATE_OPEN)
        return;
    if (e->cb.on_error)
        e->cb.on_error(e->ctx, error);
}

/* Comments carry no ID, so there is nothing to dedupe: straight through. */
static void engine_on_comment(void *ctx, const char *text, size_t len, int last)
{
    sse_engine *e = ctx;
    if (e->state == SSE_STATE_OPEN && e->on_comment)
        e->on_comment(e->ctx, text, len, last);
}

void sse_engine_set_comment_callback(sse_engine *e, sse_comment_callback on_comment)
{
    if (!e)
        return;
    e->on_comment = on_comment;
    sse_parser_set_comment_callback(&e->parser, on_comment ? engine_on_comment : NULL);
}

/* ---- transitions -------------------------------------------------------- */

static sse_action connect_now(sse_engine *e, sse_reason reason)
{
    e->state = SSE_STATE_CONNECTING;
    e->deadline = -1;
    sse_action a = make_action(SSE_ACT_CONNECT, reason);
    /* Last-Event-ID is the ID the parser committed (WHATWG 9.2.3:
     * "if the EventSource object's last event ID string is not the empty
     * string, set `Last-Event-ID`"). */
    a.last_event_id = sse_parser_last_event_id(&e->parser, &a.last_event_id_len);
    return a;
}

/* After any STOP the engine is CLOSED for good. */
static sse_action stop(sse_engine *e, sse_reason reason)
{
    e->state = SSE_STATE_CLOSED;
    e->deadline = -1;
    return make_action(SSE_ACT_STOP, reason);
}

#define SSE_MIN_BACKOFF_MS 100u

/* The delay before reconnect attempt n = e->failures (n >= 1). */
static uint32_t backoff_delay(sse_engine *e)
{
    uint32_t base = e->retry_ms;
    uint32_t n = e->failures;
    if (n <= 1) {
        /* The first retry follows the spec ("wait a delay equal to the
         * reconnection time"): exact when the server set it with retry:,
         * jittered in [base/2, base] otherwise so that a server restart does
         * not bring every client back in the same millisecond. */
        if (e->server_set_retry)
            return base;
        return random_between(e, base / 2, base);
    }
    /* Later retries back off exponentially, base * 2^(n-1) capped at
     * max_retry_ms, in 64 bits and with the shift bounded so it cannot
     * overflow. Equal jitter in [d/2, d]. */
    uint32_t cap = e->cfg.max_retry_ms;
    uint32_t shift = n - 1;
    /* Grow from at least SSE_MIN_BACKOFF_MS: a server that says retry: 0
     * and then keeps failing must not get a tight reconnect loop. */
    uint64_t grow_from = max_u32(base, SSE_MIN_BACKOFF_MS);
    uint64_t grown = shift >= 32 ? UINT64_MAX : grow_from << shift;
    uint32_t d = grown > cap ? cap : (uint32_t)grown;
    uint32_t delay = random_between(e, d / 2, d);
    /* The server's reconnection time is a floor: never retry sooner than it
     * asked. So the ceiling is the cap, or base if the server asked for more
     * (d <= cap, so no clamp is needed for that). */
    return max_u32(delay, base);
}

/* A connection attempt failed or a live connection died: count the failure
 * and schedule the next attempt. `retry_after_ms` < 0 means none given. */
static sse_action fail_and_wait(sse_engine *e, sse_reason reason, int64_t retry_after_ms,
                                int64_t now_ms)
{
    /* A connection that stayed open long enough proves the server healthy:
     * this failure starts a new streak instead of continuing the old one. */
    if (e->state == SSE_STATE_OPEN && now_ms >= add_ms(e->opened_at, e->cfg.healthy_after_ms))
        e->failures = 0;
    if (e->failures < UINT32_MAX)
        e->failures++;
    uint32_t delay = backoff_delay(e);
    /* Retry-After (RFC 9110 10.2.3) wins over the backoff, even above the
     * cap: the server knows its own overload. It only ever lengthens. */
    if (retry_after_ms >= 0) {
        uint32_t wish = retry_after_ms > RETRY_AFTER_MAX_MS ? (uint32_t)RETRY_AFTER_MAX_MS
                                                            : (uint32_t)retry_after_ms;
        delay = max_u32(delay, wish);
    }
    e->state = SSE_STATE_WAITING;
    e->deadline = add_ms(now_ms, delay);
    sse_action a = make_action(SSE_ACT_RETRY, reason);
    a.delay_ms = delay;
    return a;
}

/* HTTP whitespace (WHATWG Fetch): tab, LF, CR, space. */
static bool is_http_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* WHATWG 9.2.3 announces the connection only if the Content-Type's MIME
 * type essence is text/event-stream: compare type/subtype ASCII
 * case-insensitively (no locale), ignoring parameters and the whitespace
 * around the essence (WHATWG MIME Sniffing, "parse a MIME type"). */
static bool is_event_stream(const char *content_type)
{
    static const char want[] = "text/event-stream";
    if (!content_type)
        return false;
    const char *s = content_type;
    while (is_http_space(*s))
        s++;
    size_t n = 0;
    while (s[n] && s[n] != ';')
        n++;
    while (n > 0 && is_http_space(s[n - 1]))
        n--;
    if (n != sizeof want - 1)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(s[i]) != want[i])
            return false;
    return true;
}

/* ---- public API --------------------------------------------------------- */

sse_engine_config sse_engine_default_config(void)
{
    sse_engine_config c;
    c.initial_retry_ms = 3000;
    c.max_retry_ms = 30000;
    c.healthy_after_ms = 10000;
    c.heartbeat_ms = 0;
    c.idle_timeout_ms = 0;
    c.dedupe_window = 64;
    c.seed = 0;
    return c;
}

size_t sse_engine_buffer_size(const sse_parser_limits *limits)
{
    return sse_parser_buffer_size(limits);
}

/* The engine sits between the parser and the caller: the parser reports to
 * the engine, which filters and forwards. */
static const sse_parser_callbacks engine_parser_callbacks = {engine_on_event, engine_on_retry,
                                                             engine_on_error};

static int engine_args_ok(const sse_engine *e, const sse_engine_config *config,
                          const sse_engine_callbacks *callbacks)
{
    return e && config && callbacks && config->dedupe_window <= SSE_DEDUPE_MAX;
}

/* The rest of either init, once the parser is set up. */
static void engine_begin(sse_engine *e, const sse_engine_config *config,
                         const sse_engine_callbacks *callbacks, void *ctx)
{
    e->cb = *callbacks;
    e->ctx = ctx;
    e->cfg = *config;
    e->state = SSE_STATE_IDLE;
    e->retry_ms = config->initial_retry_ms;
    e->deadline = -1;
    e->rng = config->seed;
}

sse_status sse_engine_init(sse_engine *e, const sse_engine_config *config,
                           const sse_parser_limits *limits, void *buffer, size_t buffer_len,
                           const sse_engine_callbacks *callbacks, void *ctx)
{
    if (!engine_args_ok(e, config, callbacks) || !buffer)
        return SSE_E_INVALID_ARGUMENT;
    size_t need = sse_engine_buffer_size(limits);
    if (need == 0)
        return SSE_E_INVALID_ARGUMENT;
    if (buffer_len < need)
        return SSE_E_BUFFER_TOO_SMALL;

    memset(e, 0, sizeof *e);
    sse_status st =
        sse_parser_init(&e->parser, limits, buffer, buffer_len, &engine_parser_callbacks, e);
    if (st != SSE_OK)
        return st;
    engine_begin(e, config, callbacks, ctx);
    return SSE_OK;
}

sse_status sse_engine_init_growable(sse_engine *e, const sse_engine_config *config,
                                    const sse_parser_limits *limits,
                                    const sse_allocator *allocator,
                                    const sse_engine_callbacks *callbacks, void *ctx)
{
    if (!engine_args_ok(e, config, callbacks))
        return SSE_E_INVALID_ARGUMENT;
    memset(e, 0, sizeof *e);
    sse_status st =
        sse_parser_init_growable(&e->parser, limits, allocator, &engine_parser_callbacks, e);
    if (st != SSE_OK)
        return st;
    engine_begin(e, config, callbacks, ctx);
    return SSE_OK;
}

void sse_engine_free(sse_engine *e)
{
    if (e)
        sse_parser_free(&e->parser);
}

/* Functions returning an sse_action answer NONE for a NULL engine or for an
 * event that does not fit the current state (a stale or duplicate report). */

sse_action sse_engine_start(sse_engine *e, int64_t now_ms)
{
    (void)now_ms;
    if (!e || e->state != SSE_STATE_IDLE)
        return nothing();
    return connect_now(e, SSE_REASON_STARTED);
}

sse_action sse_engine_on_response(sse_engine *e, int status, const char *content_type,
                                  int64_t retry_after_ms, int64_t now_ms)
{
    if (!e || e->state != SSE_STATE_CONNECTING)
        return nothing();
    if (status == 200) {
        /* WHATWG 9.2.3: 200 with the wrong type fails the connection. */
        if (!is_event_stream(content_type))
            return stop(e, SSE_REASON_BAD_CONTENT_TYPE);
        e->state = SSE_STATE_OPEN;
        e->opened_at = e->last_bytes_at = now_ms;
        e->deadline = -1;
        /* A proven credential earns a fresh refresh for the next streak. */
        e->credential_refreshed = false;
        /* New stream: drop the half-read event, keep the last event ID. */
        sse_parser_reset(&e->parser);
        /* The server sends what follows the ID we resumed from, so events
         * inheriting that ID are new, even if the old stream died while
         * replaying it. */
        e->current_id_replayed = false;
        return make_action(SSE_ACT_OPEN, SSE_REASON_OPENED);
    }
    /* 204 is the spec's way for a server to say "stop reconnecting". */
    if (status == 204)
        return stop(e, SSE_REASON_NO_CONTENT);
    /* An expired token is routine for long-lived streams: refresh once per
     * failure streak; a second refusal means the credential is not the
     * problem, and looping would hammer the auth server. */
    if (status == 401 || status == 403) {
        if (e->credential_refreshed)
            return stop(e, SSE_REASON_UNAUTHORIZED);
        e->state = SSE_STATE_AUTHORIZING;
        e->deadline = -1;
        return make_action(SSE_ACT_REFRESH_CREDENTIAL, SSE_REASON_UNAUTHORIZED);
    }
    /* Overload and server errors are transient: back off (the spec would
     * fail the connection; every production client retries instead). */
    if (status == 429)
        return fail_and_wait(e, SSE_REASON_RATE_LIMITED, retry_after_ms, now_ms);
    if (status >= 500 && status <= 599)
        return fail_and_wait(e, SSE_REASON_SERVER_ERROR, retry_after_ms, now_ms);
    /* Anything else (other 2xx, 3xx the HTTP layer did not follow, other
     * 4xx) will not get better by retrying: WHATWG "fail the connection". */
    return stop(e, SSE_REASON_BAD_STATUS);
}

sse_status sse_engine_on_bytes(sse_engine *e, const void *bytes, size_t len, int64_t now_ms)
{
    if (!e || (!bytes && len))
        return SSE_E_INVALID_ARGUMENT;
    if (e->state == SSE_STATE_CLOSED)
        return SSE_E_CLOSED;
    if (e->state != SSE_STATE_OPEN)
        return SSE_E_INVALID_ARGUMENT;
    if (len == 0)
        return SSE_OK; /* no bytes, no proof of life */
    /* Any byte, comments included, proves the connection alive: this is
     * what makes ":\n" heartbeats re-arm the watchdog. */
    e->last_bytes_at = now_ms;
    return sse_parser_feed(&e->parser, bytes, len);
}

sse_action sse_engine_on_closed(sse_engine *e, int64_t now_ms)
{
    if (!e || (e->state != SSE_STATE_CONNECTING && e->state != SSE_STATE_OPEN))
        return nothing();
    /* WHATWG 9.2.3: a network error or the end of the body "reestablishes
     * the connection". */
    return fail_and_wait(e, SSE_REASON_NETWORK_ERROR, -1, now_ms);
}

sse_action sse_engine_on_timer(sse_engine *e, int64_t now_ms)
{
    if (!e)
        return nothing();
    if (e->state == SSE_STATE_WAITING && now_ms >= e->deadline)
        return connect_now(e, SSE_REASON_TIMER);
    /* A silent connection may be a dead one (NAT timeout, sleeping laptop)
     * that TCP will not notice for minutes: treat silence as a failure. */
    if (e->state == SSE_STATE_OPEN &&
        now_ms >= add_ms(e->last_bytes_at, sse_engine_idle_timeout(e)))
        return fail_and_wait(e, SSE_REASON_HEARTBEAT_LOST, -1, now_ms);
    /* Early or spurious timers are harmless. */
    return nothing();
}

sse_action sse_engine_on_online(sse_engine *e, int64_t now_ms)
{
    (void)now_ms;
    /* The delay was a guess about when the network would work again; now
     * we know. Not a failure, so the backoff streak is left as it is. */
    if (!e || e->state != SSE_STATE_WAITING)
        return nothing();
    return connect_now(e, SSE_REASON_ONLINE);
}

sse_action sse_engine_replace(sse_engine *e, int64_t now_ms)
{
    if (!e)
        return nothing();
    switch (e->state) {
    case SSE_STATE_OPEN:
        if (now_ms >= add_ms(e->opened_at, e->cfg.healthy_after_ms))
            e->failures = 0; /* it worked: whatever comes next starts afresh */
        return connect_now(e, SSE_REASON_REPLACED);
    case SSE_STATE_CONNECTING:
    case SSE_STATE_WAITING:
        return connect_now(e, SSE_REASON_REPLACED);
    default:
        return nothing();
    }
}

sse_action sse_engine_on_credential(sse_engine *e, bool ok, int64_t now_ms)
{
    (void)now_ms;
    if (!e || e->state != SSE_STATE_AUTHORIZING)
        return nothing();
    if (!ok)
        return stop(e, SSE_REASON_CREDENTIAL_FAILED);
    e->credential_refreshed = true; /* spent until a connection opens */
    return connect_now(e, SSE_REASON_CREDENTIAL_REFRESHED);
}

sse_action sse_engine_close(sse_engine *e)
{
    /* Closing twice is a no-op, like EventSource.close(). */
    if (!e || e->state == SSE_STATE_CLOSED)
        return nothing();
    return stop(e, SSE_REASON_CLOSED_BY_USER);
}

int64_t sse_engine_deadline(const sse_engine *e)
{
    if (!e)
        return -1;
    if (e->state == SSE_STATE_WAITING)
        return e->deadline;
    if (e->state == SSE_STATE_OPEN)
        return add_ms(e->last_bytes_at, sse_engine_idle_timeout(e));
    return -1;
}

sse_state sse_engine_state(const sse_engine *e)
{
    return e ? e->state : SSE_STATE_CLOSED;
}

void sse_engine_set_heartbeat(sse_engine *e, uint32_t heartbeat_ms)
{
    if (e)
        e->cfg.heartbeat_ms = heartbeat_ms;
}

uint32_t sse_engine_idle_timeout(const sse_engine *e)
{
    if (!e)
        return DEFAULT_IDLE_TIMEOUT_MS;
    if (e->cfg.idle_timeout_ms)
        return e->cfg.idle_timeout_ms;
    /* 2.5 heartbeats: one late heartbeat is jitter, two missed is a dead
     * connection. */
    if (e->cfg.heartbeat_ms) {
        uint64_t t = (uint64_t)e->cfg.heartbeat_ms * 5 / 2;
        return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
    }
    return DEFAULT_IDLE_TIMEOUT_MS;
}

const char *sse_engine_last_event_id(const sse_engine *e, size_t *len)
{
    if (!e) {
        if (len)
            *len = 0;
        return "";
    }
    return sse_parser_last_event_id(&e->parser, len);
}

sse_status sse_engine_set_last_event_id(sse_engine *e, const char *id, size_t len)
{
    if (!e)
        return SSE_E_INVALID_ARGUMENT;
    if (e->state == SSE_STATE_CLOSED)
        return SSE_E_CLOSED;
    sse_status st = sse_parser_set_last_event_id(&e->parser, id, len);
    /* A seeded ID was delivered by whoever knew it (a tab, a previous
     * process): a server that resends it on resume must not deliver it again. */
    if (st == SSE_OK && len > 0 && e->cfg.dedupe_window > 0) {
        uint64_t fp = id_fingerprint(id, len);
        remember_id(e, fp);
        /* ...while an id-less event that merely inherits it is new. */
        e->current_id = fp;
        e->current_id_replayed = false;
    }
    return st;
}

const char *sse_action_kind_name(sse_action_kind kind)
{
    switch (kind) {
    case SSE_ACT_NONE: return "none";
    case SSE_ACT_CONNECT: return "connect";
    case SSE_ACT_OPEN: return "open";
    case SSE_ACT_RETRY: return "retry";
    case SSE_ACT_REFRESH_CREDENTIAL: return "refresh_credential";
    case SSE_ACT_STOP: return "stop";
    }
    return "unknown";
}

const char *sse_reason_name(sse_reason reason)
{
    switch (reason) {
    case SSE_REASON_NONE: return "none";
    case SSE_REASON_STARTED: return "started";
    case SSE_REASON_OPENED: return "opened";
    case SSE_REASON_NETWORK_ERROR: return "network_error";
    case SSE_REASON_HEARTBEAT_LOST: return "heartbeat_lost";
    case SSE_REASON_SERVER_ERROR: return "server_error";
    case SSE_REASON_RATE_LIMITED: return "rate_limited";
    case SSE_REASON_UNAUTHORIZED: return "unauthorized";
    case SSE_REASON_NO_CONTENT: return "no_content";
    case SSE_REASON_BAD_STATUS: return "bad_status";
    case SSE_REASON_BAD_CONTENT_TYPE: return "bad_content_type";
    case SSE_REASON_CREDENTIAL_FAILED: return "credential_failed";
    case SSE_REASON_ONLINE: return "online";
    case SSE_REASON_TIMER: return "timer";
    case SSE_REASON_CLOSED_BY_USER: return "closed_by_user";
    case SSE_REASON_CREDENTIAL_REFRESHED: return "credential_refreshed";
    case SSE_REASON_REPLACED: return "replaced";
    }
    return "unknown";
}
