/*
 * ssecat URL: drives the reconnect engine (ssemux/engine.h) with libcurl's
 * multi interface. One thread, one loop: poll libcurl's sockets until the
 * engine's next deadline (reconnect delay or heartbeat watchdog), report
 * what happened to the engine, perform the action it answers with.
 *
 * libcurl calls back from inside curl_multi_perform, where a handle must not
 * be removed or added; so actions only set flags there (request_done,
 * connect_pending) and the loop does the curl work between performs.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "comment_line.h"
#include "json_line.h"
#include "limit_report.h"
#include "request.h"
#include "request_target.h"
#include "signals.h"
#include "ssecat.h"

/* Longest sleep between checks of the loop's own timers. */
#define MAX_POLL_MS 1000

typedef struct session {
    const ssecat_options *opts;
    sse_engine engine;
    CURLM *multi;
    ssecat_target target;        /* what each attempt sends; redirects rewrite it */
    int wake_fd;                 /* signals.c's pipe, polled with the sockets */
    ssecat_comment comment;      /* --comments: the line being gathered */

    ssecat_request request;
    bool request_active;         /* request.easy is in `multi` */
    bool request_done;           /* the engine is through with it: drop it */
    bool connect_pending;        /* the engine said CONNECT */
    bool redirect_pending;       /* a redirect hop rewrote `target`: send it */
    long hops;                   /* redirects followed in this connection attempt */
    char *connect_id;            /* ...sending this Last-Event-ID (copied) */
    size_t connect_id_len;

    bool open;
    int64_t unconnected_since;   /* start or last loss; -1 while open (for --timeout) */
    char last_failure[CURL_ERROR_SIZE + 64]; /* why the last attempt failed */
    uint64_t events_printed;
    uint64_t duplicates_reported;

    bool finished;
    int exit_code;
} session;

/* Engine times come from a monotonic clock: a wall-clock step (NTP, suspend)
 * must not fire or starve the reconnect timer. */
static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Only for Retry-After dates, which are wall-clock by definition. */
static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void print_line(const char *fmt, va_list ap)
{
    fputs("ssecat: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

/* A status line on stderr, unless --quiet. */
static void say(const session *s, const char *fmt, ...)
{
    va_list ap;
    if (s->opts->quiet)
        return;
    va_start(ap, fmt);
    print_line(fmt, ap);
    va_end(ap);
}

/* Ends the loop. The last words (fmt may be NULL) are printed even with --quiet. */
static void finish(session *s, int exit_code, const char *fmt, ...)
{
    va_list ap;
    s->finished = true;
    s->exit_code = exit_code;
    s->request_done = true;
    if (fmt == NULL)
        return;
    va_start(ap, fmt);
    print_line(fmt, ap);
    va_end(ap);
}

static uint64_t random_seed(void)
{
    uint64_t seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f != NULL) {
        if (fread(&seed, sizeof seed, 1, f) != 1)
            seed = 0;
        fclose(f);
    }
    /* Without /dev/urandom, time mixes enough for reconnect jitter. */
    return seed ^ (uint64_t)wall_ms() ^ ((uint64_t)monotonic_ms() << 32);
}

/* ---- engine callbacks ---------------------------------------------------- */

static void print_event(void *ctx, const sse_event *ev)
{
    session *s = ctx;
    if (s->finished)
        return; /* --max-events reached earlier in this chunk */
    /* Flushed per event: whoever reads the pipe sees it now, not at 4 KiB. */
    if (sse_json_write_event(stdout, ev) != 0 || fflush(stdout) != 0) {
        finish(s, SSECAT_EXIT_IO, "writing stdout failed");
        return;
    }
    s->events_printed++;
    if (s->opts->max_events && s->events_printed >= s->opts->max_events)
        finish(s, SSECAT_EXIT_OK, NULL);
}

static void note_retry(void *ctx, uint32_t retry_ms)
{
    say(ctx, "server set the reconnection time to %" PRIu32 " ms", retry_ms);
}

/* A dropped event is reported even with --quiet: never lost silently. */
static void report_error(void *ctx, sse_status error)
{
    const session *s = ctx;
    ssecat_report_discarded(&s->opts->limits, error);
}

static void print_comment(void *ctx, const char *text, size_t len, int last)
{
    session *s = ctx;
    if (s->finished)
        return;
    ssecat_comment_result r = ssecat_comment_piece(&s->comment, stdout, text, len, last);
    if (r == SSECAT_COMMENT_WRITE_FAILED || (r == SSECAT_COMMENT_OK && last && fflush(stdout) != 0))
        finish(s, SSECAT_EXIT_IO, "writing stdout failed");
    else if (r != SSECAT_COMMENT_OK)
        say(s, "%s", ssecat_comment_strerror(r));
}

/* ---- engine actions ------------------------------------------------------ */

static void apply(session *s, sse_action a);

/* The current connection is over as far as the engine is concerned. */
static void lose_connection(session *s, int64_t now)
{
    if (s->request_active)
        s->request_done = true;
    if (s->open) {
        s->open = false;
        s->unconnected_since = now;
    }
}

static const char *content_type_of(const session *s)
{
    const char *ct = s->request.head.content_type;
    return ct != NULL ? ct : "(none)";
}

/* Why the engine is about to wait, in words, kept in last_failure for the
 * status line and for --timeout's final message. */
static const char *describe_failure(session *s, sse_reason reason)
{
    switch (reason) {
    case SSE_REASON_SERVER_ERROR:
    case SSE_REASON_RATE_LIMITED:
        snprintf(s->last_failure, sizeof s->last_failure, "HTTP %d", s->request.head.status);
        break;
    case SSE_REASON_HEARTBEAT_LOST:
        snprintf(s->last_failure, sizeof s->last_failure, "no bytes for %" PRIu32 " ms",
                 sse_engine_idle_timeout(&s->engine));
        break;
    case SSE_REASON_NETWORK_ERROR: /* on_transfer_done or the head timeout said why */
        if (s->last_failure[0] == '\0')
            snprintf(s->last_failure, sizeof s->last_failure, "network error");
        break;
    default:
        snprintf(s->last_failure, sizeof s->last_failure, "%s", sse_reason_name(reason));
        break;
    }
    return s->last_failure;
}

static void stop_for(session *s, sse_reason reason)
{
    int status = s->request.head.status;
    switch (reason) {
    case SSE_REASON_NO_CONTENT:
        finish(s, SSECAT_EXIT_OK, "server answered 204 No Content: not reconnecting");
        break;
    case SSE_REASON_CLOSED_BY_USER:
        finish(s, SSECAT_EXIT_OK, NULL);
        break;
    case SSE_REASON_UNAUTHORIZED:
    case SSE_REASON_CREDENTIAL_FAILED:
        finish(s, SSECAT_EXIT_REFUSED, "unauthorized (HTTP %d); ssecat has no credential to refresh",
               status);
        break;
    case SSE_REASON_BAD_CONTENT_TYPE:
        finish(s, SSECAT_EXIT_REFUSED, "not an event stream: HTTP %d with Content-Type %s", status,
               content_type_of(s));
        break;
    case SSE_REASON_BAD_STATUS:
        finish(s, SSECAT_EXIT_REFUSED, "server answered HTTP %d: not reconnecting", status);
        break;
    default:
        finish(s, SSECAT_EXIT_NO_CONNECTION, "gave up: %s", sse_reason_name(reason));
        break;
    }
}

static void apply(session *s, sse_action a)
{
    int64_t now = monotonic_ms();
    switch (a.kind) {
    case SSE_ACT_NONE:
        break;
    case SSE_ACT_CONNECT: {
        /* action.last_event_id points into the engine until its next call. */
        char *copy = malloc(a.last_event_id_len + 1);
        if (copy == NULL) {
            finish(s, SSECAT_EXIT_IO, "out of memory");
            break;
        }
        if (a.last_event_id_len > 0)
            memcpy(copy, a.last_event_id, a.last_event_id_len);
        free(s->connect_id);
        s->connect_id = copy;
        s->connect_id_len = a.last_event_id_len;
        s->connect_pending = true;
        break;
    }
    case SSE_ACT_OPEN:
        ssecat_comment_reset(&s->comment); /* a line the old stream cut off */
        s->open = true;
        s->unconnected_since = -1;
        s->last_failure[0] = '\0';
        say(s, "connected");
        break;
    case SSE_ACT_RETRY:
        lose_connection(s, now);
        say(s, "reconnecting in %" PRIu32 " ms (%s)", a.delay_ms, describe_failure(s, a.reason));
        break;
    case SSE_ACT_REFRESH_CREDENTIAL:
        /* ssecat has no credential source to ask: the refresh fails, and
         * the engine stops with CREDENTIAL_FAILED. */
        lose_connection(s, now);
        apply(s, sse_engine_on_credential(&s->engine, false, now));
        break;
    case SSE_ACT_STOP:
        lose_connection(s, now);
        stop_for(s, a.reason);
        break;
    }
}

/* ---- libcurl callbacks --------------------------------------------------- */

/* Any return other than `len` makes libcurl abort the transfer. */
#define ABORT_TRANSFER 0

/* A redirect head arrived with Location: `to`: take the hop (Fetch's
 * HTTP-redirect fetch) or give up. The engine never sees
 * the 3xx: to it the attempt is still connecting. */
static void follow_redirect(session *s, int status, const char *to)
{
    if (s->hops >= s->opts->max_redirs) {
        if (s->opts->max_redirs == 0)
            finish(s, SSECAT_EXIT_REFUSED, "HTTP %d redirect to %s not followed (--max-redirs 0)",
                   status, to);
        else
            finish(s, SSECAT_EXIT_REFUSED,
                   "too many redirects: %ld followed, then HTTP %d to %s (--max-redirs %ld)",
                   s->hops, status, to, s->opts->max_redirs);
        return;
    }
    const char *method_before = s->target.method;
    switch (ssecat_target_redirect(&s->target, status, to)) {
    case SSECAT_HOP_OK:
        s->hops++;
        say(s, "redirected (HTTP %d) to %s%s", status, s->target.url,
            s->target.method != method_before ? " as a GET without body" : "");
        s->request_done = true;
        s->redirect_pending = true;
        break;
    /* Fetch answers these with a network error, which EventSource would
     * retry; retrying cannot change where the server points, so stop. */
    case SSECAT_HOP_NOT_HTTP:
        finish(s, SSECAT_EXIT_REFUSED, "HTTP %d redirect to %s not followed: not http or https",
               status, to);
        break;
    case SSECAT_HOP_BAD_URL:
        finish(s, SSECAT_EXIT_REFUSED, "HTTP %d redirect to a bad URL '%s': %s", status, to,
               s->target.url_error);
        break;
    case SSECAT_HOP_NO_MEMORY:
        finish(s, SSECAT_EXIT_IO, "out of memory");
        break;
    }
}

static size_t on_header_line(char *line, size_t size, size_t count, void *ctx)
{
    session *s = ctx;
    size_t len = size * count;
    if (s->request_done)
        return ABORT_TRANSFER;
    switch (ssecat_response_head_line(&s->request.head, line, len)) {
    case SSECAT_HEAD_MORE:
    case SSECAT_HEAD_IGNORED:
        return len;
    case SSECAT_HEAD_NO_MEMORY:
        snprintf(s->last_failure, sizeof s->last_failure, "out of memory reading the response");
        return ABORT_TRANSFER;
    case SSECAT_HEAD_COMPLETE:
        break;
    }
    const ssecat_response_head *h = &s->request.head;
    /* A redirect without a Location (or an empty one, which curl ignores
     * too) is not followed: the engine judges the 3xx. */
    if (ssecat_is_redirect_status(h->status) && h->location != NULL && h->location[0] != '\0') {
        follow_redirect(s, h->status, h->location);
        return ABORT_TRANSFER;
    }
    int64_t retry_after_ms = -1;
    if (h->retry_after != NULL &&
        !sse_parse_retry_after(h->retry_after, strlen(h->retry_after), wall_ms(), &retry_after_ms))
        retry_after_ms = -1;
    apply(s, sse_engine_on_response(&s->engine, h->status, h->content_type, retry_after_ms,
                                    monotonic_ms()));
    return s->request_done ? ABORT_TRANSFER : len;
}

static size_t on_body(char *bytes, size_t size, size_t count, void *ctx)
{
    session *s = ctx;
    size_t len = size * count;
    if (s->request_done || !s->open)
        return ABORT_TRANSFER;
    /* Limit errors reach report_error through the callbacks. */
    sse_engine_on_bytes(&s->engine, bytes, len, monotonic_ms());
    if (s->engine.duplicates_dropped > s->duplicates_reported) {
        say(s, "skipped %" PRIu64 " replayed event(s)",
            s->engine.duplicates_dropped - s->duplicates_reported);
        s->duplicates_reported = s->engine.duplicates_dropped;
    }
    return s->request_done ? ABORT_TRANSFER : len;
}

/* ---- the loop ------------------------------------------------------------ */

static void drop_request(session *s)
{
    curl_multi_remove_handle(s->multi, s->request.easy);
    ssecat_request_cleanup(&s->request);
    s->request_active = false;
    s->request_done = false;
}

static void start_request(session *s)
{
    ssecat_request_sink sink = {on_header_line, on_body, s};
    if (s->connect_pending)
        s->hops = 0; /* a new attempt, not the next hop of this one */
    s->connect_pending = false;
    s->redirect_pending = false;
    if (!ssecat_request_init(&s->request, &s->target, s->opts, s->connect_id, s->connect_id_len,
                             &sink)) {
        finish(s, SSECAT_EXIT_NO_CONNECTION, "libcurl could not set up a request");
        return;
    }
    if (curl_multi_add_handle(s->multi, s->request.easy) != CURLM_OK) {
        ssecat_request_cleanup(&s->request);
        finish(s, SSECAT_EXIT_NO_CONNECTION, "libcurl could not start a request");
        return;
    }
    s->request.started_at = monotonic_ms();
    s->request_active = true;
}

/* SIGHUP: what a "restart" command does in other SSE clients. Not a
 * failure, so no backoff: drop the connection (a half-read event with it;
 * the server resends it after Last-Event-ID) and connect now. */
static void restart_now(session *s)
{
    int64_t now = monotonic_ms();
    sse_action a = sse_engine_replace(&s->engine, now);
    if (a.kind == SSE_ACT_NONE)
        return; /* already stopping, or not started */
    say(s, "reconnecting now (SIGHUP)");
    lose_connection(s, now);
    apply(s, a);
}

/* A transfer ended on its own: EOF, reset, refused, ... */
static void on_transfer_done(session *s, CURLcode result)
{
    long os_errno = 0;
    if (result == CURLE_OK) {
        snprintf(s->last_failure, sizeof s->last_failure, "the server ended the stream");
    } else {
        /* libcurl's text may stop at "Couldn't connect to server"; the
         * system's reason ("Connection refused") is what the user needs. */
        if (curl_easy_getinfo(s->request.easy, CURLINFO_OS_ERRNO, &os_errno) != CURLE_OK)
            os_errno = 0;
        snprintf(s->last_failure, sizeof s->last_failure, "%s%s%s",
                 s->request.error[0] ? s->request.error : curl_easy_strerror(result),
                 os_errno ? ": " : "", os_errno ? strerror((int)os_errno) : "");
    }
    s->request_done = true;
    apply(s, sse_engine_on_closed(&s->engine, monotonic_ms()));
}

/* The engine's watchdog only runs while OPEN; a server that accepts the
 * connection and then says nothing is caught here, with the same timeout. */
static int64_t head_deadline(const session *s)
{
    if (!s->request_active || s->request_done || s->request.head.complete)
        return -1;
    return s->request.started_at + sse_engine_idle_timeout(&s->engine);
}

static int64_t connect_deadline(const session *s)
{
    if (s->opts->timeout_ms < 0 || s->unconnected_since < 0)
        return -1;
    return s->unconnected_since + s->opts->timeout_ms;
}

/* One turn: due timers first, then sleep in poll until the next one. */
static void run_once(session *s)
{
    int64_t now = monotonic_ms();
    int64_t engine_at = sse_engine_deadline(&s->engine);
    int64_t head_at = head_deadline(s);
    int64_t give_up_at = connect_deadline(s);

    if (engine_at >= 0 && now >= engine_at) {
        apply(s, sse_engine_on_timer(&s->engine, now));
        return;
    }
    if (give_up_at >= 0 && now >= give_up_at) {
        finish(s, SSECAT_EXIT_NO_CONNECTION, "could not connect to %s within %.3g s (%s)",
               s->opts->url, (double)s->opts->timeout_ms / 1000,
               s->last_failure[0] ? s->last_failure : "no response yet");
        return;
    }
    if (head_at >= 0 && now >= head_at) {
        snprintf(s->last_failure, sizeof s->last_failure, "no response within %" PRIu32 " ms",
                 sse_engine_idle_timeout(&s->engine));
        s->request_done = true;
        apply(s, sse_engine_on_closed(&s->engine, now));
        return;
    }

    int64_t wait = MAX_POLL_MS;
    int64_t deadlines[] = {engine_at, head_at, give_up_at};
    for (size_t i = 0; i < sizeof deadlines / sizeof deadlines[0]; i++)
        if (deadlines[i] >= 0 && deadlines[i] - now < wait)
            wait = deadlines[i] - now;
    struct curl_waitfd wake = {s->wake_fd, CURL_WAIT_POLLIN, 0};
    int running;
    CURLMcode mc = curl_multi_poll(s->multi, &wake, 1, (int)wait, NULL);
    if (mc == CURLM_OK)
        mc = curl_multi_perform(s->multi, &running);
    if (mc != CURLM_OK) {
        /* Not a network failure but libcurl itself (poll() failed, out of
         * memory): retrying would spin, so give up. */
        finish(s, SSECAT_EXIT_NO_CONNECTION, "libcurl: %s", curl_multi_strerror(mc));
        return;
    }

    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
        /* Transfers the engine already gave up on (request_done) were
         * aborted by us and need no report. */
        if (msg->msg == CURLMSG_DONE && s->request_active && !s->request_done &&
            msg->easy_handle == s->request.easy)
            on_transfer_done(s, msg->data.result);
    }
}

/* curl_url() is the same parser libcurl will use: reject what it rejects,
 * and anything that is not http(s), before any connection is tried. */
static bool set_target(session *s)
{
    const char *text = s->opts->url;
    switch (ssecat_target_init(&s->target, text, s->opts->method, s->opts->body,
                               s->opts->body_len)) {
    case SSECAT_HOP_OK:
        return true;
    case SSECAT_HOP_NOT_HTTP:
        fprintf(stderr, "ssecat: bad URL '%s': only http and https are supported\n", text);
        return false;
    case SSECAT_HOP_BAD_URL:
        fprintf(stderr, "ssecat: bad URL '%s': %s\n", text, s->target.url_error);
        return false;
    case SSECAT_HOP_NO_MEMORY:
        break;
    }
    fputs("ssecat: out of memory\n", stderr);
    return false;
}

static int setup(session *s)
{
    static const sse_engine_callbacks callbacks = {print_event, note_retry, report_error};
    sse_engine_config config = s->opts->engine;
    /* Growable: the large default limits cost only what arrives. */
    sse_allocator heap = sse_heap_allocator();
    sse_status st;

    if (!set_target(s))
        return SSECAT_EXIT_USAGE;
    ssecat_comment_init(&s->comment, s->opts->limits.max_data);
    config.seed = random_seed();
    st = sse_engine_init_growable(&s->engine, &config, &s->opts->limits, &heap, &callbacks, s);
    if (st != SSE_OK) {
        fprintf(stderr, "ssecat: cannot set up the engine: %s\n", sse_strerror(st));
        return SSECAT_EXIT_USAGE;
    }
    if (s->opts->last_event_id != NULL) {
        st = sse_engine_set_last_event_id(&s->engine, s->opts->last_event_id,
                                          strlen(s->opts->last_event_id));
        if (st != SSE_OK) {
            fprintf(stderr, "ssecat: --last-event-id: %s\n", sse_strerror(st));
            return SSECAT_EXIT_USAGE;
        }
    }
    if (s->opts->comments)
        sse_engine_set_comment_callback(&s->engine, print_comment);
    s->wake_fd = ssecat_signals_install();
    s->multi = curl_multi_init();
    if (s->wake_fd < 0 || s->multi == NULL) {
        fputs("ssecat: cannot set up the event loop\n", stderr);
        return SSECAT_EXIT_IO;
    }
    return -1;
}

int ssecat_url_mode(const ssecat_options *opts)
{
    session s;
    int rc;

    memset(&s, 0, sizeof s);
    s.opts = opts;
    s.wake_fd = -1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("ssecat: libcurl failed to initialise\n", stderr);
        return SSECAT_EXIT_IO;
    }
    rc = setup(&s);
    if (rc < 0) {
        s.unconnected_since = monotonic_ms();
        apply(&s, sse_engine_start(&s.engine, s.unconnected_since));
        while (!s.finished) {
            if (ssecat_stop_requested()) {
                say(&s, "stopped by signal");
                sse_engine_close(&s.engine);
                finish(&s, SSECAT_EXIT_OK, NULL);
                break;
            }
            if (ssecat_restart_requested())
                restart_now(&s);
            if (s.request_active && s.request_done)
                drop_request(&s);
            if ((s.connect_pending || s.redirect_pending) && !s.finished)
                start_request(&s);
            if (!s.finished)
                run_once(&s);
        }
        rc = s.exit_code;
    }
    if (s.request_active)
        drop_request(&s);
    if (s.multi != NULL)
        curl_multi_cleanup(s.multi);
    ssecat_target_free(&s.target);
    ssecat_comment_free(&s.comment);
    curl_global_cleanup();
    free(s.connect_id);
    sse_engine_free(&s.engine);
    return rc;
}
