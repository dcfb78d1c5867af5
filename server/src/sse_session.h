/*
 * One open GET /events stream. Its position is a single cursor, the last
 * event ID written: every topic's events are merged in ID order after it,
 * so replay after Last-Event-ID and live delivery are the same code path,
 * with no gap and no duplicate at the seam.
 *
 * Writes happen only in LWS_CALLBACK_HTTP_WRITEABLE, one lws_write() of up
 * to SERVER_WRITE_BATCH bytes each, as lws wants; a new event just asks for
 * a writable callback. The events themselves stay in the store, so a
 * stream costs its struct and its subscriptions, not a queue.
 */
#ifndef SSEMUX_SERVER_SSE_SESSION_H
#define SSEMUX_SERVER_SSE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "event_id.h"
#include "events_request.h"
#include "server.h"

typedef enum sse_end_reason {
    SSE_END_NONE = 0,
    SSE_END_SLOW,     /* backlog past --max-backlog-bytes: hint, close, client resumes */
    SSE_END_EXPIRED,  /* token expired: hint, close, client comes back with a new one */
    SSE_END_DRAIN,    /* SIGTERM: hint, flush what is pending, close */
    SSE_END_GONE      /* the client closed its side: just close */
} sse_end_reason;

struct sse_session;

typedef struct sse_subscription {
    lws_dll2_t link;              /* in topic_subscribers.subscriptions */
    topic_subscribers *topic;
    struct sse_session *session;
    uint64_t delivered_offset;    /* topic end_offset through the last event sent */
    uint64_t open_offset;         /* topic end_offset when the stream opened */
    event_id gap_reported;        /* dropped_through already announced */
} sse_subscription;

typedef struct sse_session {
    struct lws *wsi;
    lws_dll2_t link;              /* in server.sessions */
    sse_subscription *subs;
    size_t sub_count;
    event_id cursor;              /* last event ID written */
    event_id opened_at;           /* newest ID when the stream opened: older ones are replay */
    int64_t expires_at_s;         /* the token's exp, INT64_MAX without one */
    uint64_t last_write_ms;
    size_t last_write_len;
    sse_end_reason end;
    bool open;
    bool hello_pending;           /* "retry:" not written yet */
    bool end_hint_pending;        /* the closing "retry:" not written yet */
    bool heartbeat_due;
    bool watched;                 /* in peer_watch's epoll set */
    bool route_type;              /* name events "<topic>/<type>" (route=type) */
} sse_session;

/* Subscribes, sends the response headers and turns the transaction into
 * an SSE stream. Call from LWS_CALLBACK_HTTP after every header was read
 * (the header storage is released here). Returns 0, or -1 to close. */
int sse_session_open(server *srv, sse_session *s, struct lws *wsi, const events_request *req,
                     int64_t expires_at_s);

/* LWS_CALLBACK_HTTP_WRITEABLE. Returns 0, or -1 to close. */
int sse_session_writable(server *srv, sse_session *s);

/* Unsubscribes; safe to call twice. */
void sse_session_close(server *srv, sse_session *s);

/* Ends the stream with a retry hint (see sse_end_reason). */
void sse_session_end(server *srv, sse_session *s, sse_end_reason reason);

/* The store listener: wakes the streams of `topic`, cutting slow ones. */
void sse_sessions_on_event(server *srv, const char *topic, size_t topic_len,
                           const store_event *event);

/* The client hung up (peer_watch.c saw it): close without writing. */
void sse_session_hang_up(server *srv, sse_session *s);

/* Heartbeat timer tick for one stream. */
void sse_session_tick(server *srv, sse_session *s, uint64_t now_ms);

/* Unsent live bytes (events published since the stream opened that it
 * has not been sent, plus output lws still holds). Replay is not counted:
 * it is read from the store as fast as the client takes it. */
uint64_t sse_session_backlog(const sse_session *s);

#endif
