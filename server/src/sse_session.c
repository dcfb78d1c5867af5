#include "sse_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"
#include "http_reply.h"
#include "peer_watch.h"
#include "sse_frame.h"

/* Events fetched per topic per round of the merge. */
#define MERGE_BATCH 32
/* A stream asked to close that does not become writable (its reader is
 * gone or stuck) is killed after this. */
#define END_GRACE_S 2

static bool is_h2_stream(struct lws *wsi)
{
    return lws_get_network_wsi(wsi) != wsi;
}

static int send_headers(server *srv, struct lws *wsi)
{
    unsigned char *start = srv->write_buf + LWS_PRE, *p = start, *end = start + srv->write_cap;
    char heartbeat[16];

    snprintf(heartbeat, sizeof(heartbeat), "%u", srv->config.heartbeat_ms);
    metrics_count_response(&srv->metrics, 200);
    /* No length: the body ends when the stream does (on HTTP/1.1 lws
     * adds "connection: close"). */
    if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "text/event-stream",
                                    LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end) ||
        http_add_header(wsi, "cache-control:", "no-store", &p, end) ||
        /* nginx and friends would otherwise buffer the stream. */
        http_add_header(wsi, "x-accel-buffering:", "no", &p, end) ||
        http_add_header(wsi, "x-sse-heartbeat:", heartbeat, &p, end) ||
        cors_add_headers(&srv->cors, wsi, &p, end))
        return -1;
    return lws_finalize_write_http_header(wsi, start, &p, end) ? -1 : 0;
}

/* Where a subscription starts: the topic's byte offset at the cursor. */
static void position_subscription(server *srv, sse_subscription *sub, event_id cursor)
{
    const store_event *next;
    store_topic_info info;

    store_topic_info_get(srv->store, sub->topic->node.name, sub->topic->node.len, &info);
    sub->topic->total_bytes = info.total_bytes;
    sub->open_offset = info.total_bytes;
    if (store_read_after(srv->store, sub->topic->node.name, sub->topic->node.len, cursor, &next,
                         1))
        sub->delivered_offset = next->end_offset - next->frame_len;
    else
        sub->delivered_offset = info.total_bytes;
}

int sse_session_open(server *srv, sse_session *s, struct lws *wsi, const events_request *req,
                     int64_t expires_at_s)
{
    event_id newest = store_last_id(srv->store);

    memset(s, 0, sizeof(*s));
    s->wsi = wsi;
    s->expires_at_s = expires_at_s;
    s->opened_at = newest;
    s->route_type = req->route_type;
    /* Without Last-Event-ID: live from now. An ID from the future (not
     * issued here, e.g. the clock stepped back across a restart) resumes
     * from now as well: there is nothing after it to send. */
    s->cursor = newest;
    if (req->has_last_id && event_id_compare(req->last_id, newest) < 0)
        s->cursor = req->last_id;
    /* With Redis, IDs are global: one newer than ours was issued and seen
     * by another instance, and reaches this one's feed a moment later.
     * Resuming "from now" would send the client what it already has. */
    if (req->has_last_id && srv->config.redis_url)
        s->cursor = req->last_id;

    s->subs = calloc(req->topic_count, sizeof(*s->subs));
    if (!s->subs)
        return -1;
    for (size_t i = 0; i < req->topic_count; i++) {
        sse_subscription *sub = &s->subs[i];
        sub->topic = topic_registry_acquire(&srv->topics, req->topics[i].name, req->topics[i].len);
        if (!sub->topic) {
            sse_session_close(srv, s);
            return -1;
        }
        sub->session = s;
        lws_dll2_add_tail(&sub->link, &sub->topic->subscriptions);
        s->sub_count++;
        position_subscription(srv, sub, s->cursor);
    }
    s->open = true;
    lws_dll2_add_tail(&s->link, &srv->sessions);
    srv->metrics.streams_opened++;
    s->hello_pending = true;
    s->last_write_ms = server_now_ms();

    if (send_headers(srv, wsi))
        return -1;
    /* From here on the stream has no lws timeout and holds no header
     * storage. lws_http_mark_sse() does that, but on HTTP/1.1 it also logs
     * an error ("not h2 substream"), so there we take its two steps. */
    if (is_h2_stream(wsi)) {
        lws_http_mark_sse(wsi);
    } else {
        lws_http_headers_detach(wsi);
        lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
        /* lws will not notice this client hang up: see peer_watch.h. */
        s->watched = peer_watch_add(srv, s);
    }
    lws_callback_on_writable(wsi);
    return 0;
}

void sse_session_close(server *srv, sse_session *s)
{
    if (s->watched) {
        peer_watch_remove(srv, s);
        s->watched = false;
    }
    for (size_t i = 0; i < s->sub_count; i++) {
        sse_subscription *sub = &s->subs[i];
        lws_dll2_remove(&sub->link);
        topic_registry_release(&srv->topics, sub->topic);
    }
    free(s->subs);
    s->subs = NULL;
    s->sub_count = 0;
    if (s->open) {
        lws_dll2_remove(&s->link);
        s->open = false;
    }
}

/* Live bytes published for the stream and not yet handed to lws. */
static uint64_t unsent_event_bytes(const sse_session *s)
{
    uint64_t total = 0;

    for (size_t i = 0; i < s->sub_count; i++) {
        const sse_subscription *sub = &s->subs[i];
        uint64_t from = sub->delivered_offset > sub->open_offset ? sub->delivered_offset
                                                                 : sub->open_offset;
        if (sub->topic->total_bytes > from)
            total += sub->topic->total_bytes - from;
    }
    return total;
}

uint64_t sse_session_backlog(const sse_session *s)
{
    uint64_t total = unsent_event_bytes(s);

    /* The last write may still sit in lws's buffer: count it as unsent. */
    if (s->wsi && lws_partial_buffered(s->wsi))
        total += s->last_write_len;
    return total;
}

/* sse_session_backlog(s) > limit, asking lws only when its answer can
 * change the result: the call runs per stream per event, and showed up as
 * 1.3 % of the server's samples in a 10,000-stream saturation profile. */
static bool backlog_exceeds(const sse_session *s, uint64_t limit)
{
    uint64_t events = unsent_event_bytes(s);

    if (events > limit)
        return true;
    if (events + s->last_write_len <= limit)
        return false;
    return sse_session_backlog(s) > limit;
}

void sse_session_end(server *srv, sse_session *s, sse_end_reason reason)
{
    (void)srv;
    if (s->end != SSE_END_NONE)
        return;
    s->end = reason;
    s->end_hint_pending = true;
    if (reason != SSE_END_DRAIN && lws_send_pipe_choked(s->wsi)) {
        /* Not reading at all: the hint could not reach it anyway. */
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        return;
    }
    if (reason != SSE_END_DRAIN)
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, END_GRACE_S);
    lws_callback_on_writable(s->wsi);
}

void sse_sessions_on_event(server *srv, const char *topic, size_t topic_len,
                           const store_event *event)
{
    topic_subscribers *t = topic_registry_find(&srv->topics, topic, topic_len);

    if (!t)
        return;
    t->total_bytes = event->end_offset;
    lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&t->subscriptions)) {
        sse_subscription *sub = lws_container_of(d, sse_subscription, link);
        sse_session *s = sub->session;

        if (s->end == SSE_END_NONE && backlog_exceeds(s, srv->config.max_backlog_bytes)) {
            srv->metrics.slow_consumer_disconnects++;
            sse_session_end(srv, s, SSE_END_SLOW);
        } else if (s->end == SSE_END_NONE || s->end == SSE_END_DRAIN) {
            lws_callback_on_writable(s->wsi);
        }
    }
    lws_end_foreach_dll(d);
}

void sse_session_hang_up(server *srv, sse_session *s)
{
    (void)srv;
    s->end = SSE_END_GONE;
    lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void sse_session_tick(server *srv, sse_session *s, uint64_t now_ms)
{
    if (s->end != SSE_END_NONE)
        return;
    if (s->expires_at_s != INT64_MAX && (int64_t)(now_ms / 1000) >= s->expires_at_s) {
        srv->metrics.expired_token_disconnects++;
        sse_session_end(srv, s, SSE_END_EXPIRED);
        return;
    }
    /* The timer runs every half interval, so no stream is ever silent for
     * longer than --heartbeat-ms. */
    if (now_ms - s->last_write_ms >= srv->config.heartbeat_ms / 2) {
        s->heartbeat_due = true;
        lws_callback_on_writable(s->wsi);
    }
}

/* Announces topics whose history no longer reaches back to the cursor. */
static size_t append_gaps(server *srv, sse_session *s, char *out, size_t cap)
{
    size_t len = 0;

    for (size_t i = 0; i < s->sub_count; i++) {
        sse_subscription *sub = &s->subs[i];
        char requested[EVENT_ID_MAX_TEXT], oldest[EVENT_ID_MAX_TEXT];
        store_topic_info info;
        size_t n;

        store_topic_info_get(srv->store, sub->topic->node.name, sub->topic->node.len, &info);
        if (event_id_compare(info.dropped_through, event_id_max(s->cursor, sub->gap_reported)) <= 0)
            continue;
        event_id_format(s->cursor, requested);
        if (info.count)
            event_id_format(info.oldest, oldest);
        n = sse_frame_gap(out + len, cap - len, sub->topic->node.name, requested,
                          info.count ? oldest : NULL, s->route_type);
        if (!n)
            break; /* no room: the next write sends it */
        len += n;
        sub->gap_reported = info.dropped_through;
        srv->metrics.gap_events++;
    }
    return len;
}

/* The next undelivered events of each topic, merged by ID. */
typedef struct merge_source {
    const store_event *events[MERGE_BATCH];
    size_t count;
    size_t next;
    bool maybe_more; /* the batch was full */
} merge_source;

static void refill(server *srv, sse_session *s, size_t i, merge_source *src)
{
    const sse_subscription *sub = &s->subs[i];

    src->count = store_read_after(srv->store, sub->topic->node.name, sub->topic->node.len,
                                  s->cursor, src->events, MERGE_BATCH);
    src->next = 0;
    src->maybe_more = src->count == MERGE_BATCH;
}

/* Copies whole frames after the cursor into out until the batch is full.
 * Returns true if events remain after what was copied. */
static bool append_events(server *srv, sse_session *s, char *out, size_t cap, size_t *len)
{
    merge_source sources[EVENTS_MAX_TOPICS];

    for (size_t i = 0; i < s->sub_count; i++)
        refill(srv, s, i, &sources[i]);
    for (;;) {
        const store_event *ev = NULL;
        size_t best = 0, size;

        for (size_t i = 0; i < s->sub_count; i++) {
            merge_source *src = &sources[i];
            if (src->next == src->count && src->maybe_more)
                refill(srv, s, i, src);
            if (src->next < src->count &&
                (!ev || event_id_compare(src->events[src->next]->id, ev->id) < 0)) {
                ev = src->events[src->next];
                best = i;
            }
        }
        if (!ev)
            return false;
        size = ev->frame_len;
        if (s->route_type)
            size += s->subs[best].topic->node.len + 1;
        /* Batch up to SERVER_WRITE_BATCH; a bigger frame goes alone. */
        if (*len + size > cap || (*len && *len + size > SERVER_WRITE_BATCH))
            return true;
        if (s->route_type)
            sse_frame_route(out + *len, cap - *len, ev->frame, ev->frame_len,
                            s->subs[best].topic->node.name, s->subs[best].topic->node.len);
        else
            memcpy(out + *len, ev->frame, ev->frame_len);
        *len += size;
        s->cursor = ev->id;
        s->subs[best].delivered_offset = ev->end_offset;
        sources[best].next++;
        srv->metrics.events_delivered++;
        if (event_id_compare(ev->id, s->opened_at) <= 0)
            srv->metrics.replayed_events++;
    }
}

/* Writes len bytes at the buffer; FINAL ends the response. */
static int write_out(server *srv, sse_session *s, size_t len, bool final)
{
    unsigned char *start = srv->write_buf + LWS_PRE;

    if (lws_write(s->wsi, start, len, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)len)
        return -1;
    s->last_write_ms = server_now_ms();
    s->last_write_len = len;
    srv->metrics.bytes_delivered += len;
    return 0;
}

static int finish(server *srv, sse_session *s, size_t len)
{
    /* An empty final write only matters on HTTP/2, where it ends the stream. */
    if ((len || is_h2_stream(s->wsi)) && write_out(srv, s, len, true))
        return -1;
    /* HTTP/1.1 closes (no length was sent); HTTP/2 ends the stream. */
    return lws_http_transaction_completed(s->wsi) ? -1 : 0;
}

int sse_session_writable(server *srv, sse_session *s)
{
    char *out = (char *)srv->write_buf + LWS_PRE;
    size_t cap = srv->write_cap, len = 0;
    bool more;

    if (s->end == SSE_END_GONE)
        return -1;
    if (s->hello_pending) {
        /* WHATWG: "retry" sets the reconnection time; send it first so it
         * applies even if the stream breaks right away. */
        len += sse_frame_retry(out, cap, srv->config.retry_ms);
        s->hello_pending = false;
    }
    if (s->end_hint_pending) {
        unsigned ms = s->end == SSE_END_DRAIN ? srv->config.drain_retry_ms : srv->config.retry_ms;
        len += sse_frame_retry(out + len, cap - len, ms);
        s->end_hint_pending = false;
    }
    if (s->end == SSE_END_SLOW || s->end == SSE_END_EXPIRED)
        return finish(srv, s, len); /* it resumes from its Last-Event-ID */

    len += append_gaps(srv, s, out + len, cap - len);
    more = append_events(srv, s, out, cap, &len);
    if (s->end == SSE_END_DRAIN && !more)
        return finish(srv, s, len);
    if (!len && s->heartbeat_due) {
        memcpy(out, SSE_FRAME_HEARTBEAT, SSE_FRAME_HEARTBEAT_LEN);
        len = SSE_FRAME_HEARTBEAT_LEN;
        srv->metrics.heartbeats++;
    }
    s->heartbeat_due = false;
    if (len && write_out(srv, s, len, false))
        return -1;
    if (more)
        lws_callback_on_writable(s->wsi);
    return 0;
}
