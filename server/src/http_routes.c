#include "http_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"
#include "demo_outage.h"
#include "events_request.h"
#include "http_gate.h"
#include "http_reply.h"
#include "listener.h"
#include "peer_watch.h"
#include "publish.h"
#include "redis_lws.h"
#include "request_gate.h"
#include "request_auth.h"
#include "server.h"
#include "sse_session.h"

typedef enum conn_kind { CONN_NONE = 0, CONN_EVENTS, CONN_PUBLISH, CONN_PUBLISH_WAIT } conn_kind;

/* Per-transaction state (lws "per session data"). */
typedef struct conn {
    conn_kind kind;
    union {
        sse_session events;
        publish_request publish;
        publish_wait *wait; /* the store answers later (Redis) */
    } u;
} conn;

const char *const http_routes_paths[HTTP_ROUTES_PATH_COUNT + 1] = {"/events", "/publish", "/healthz", "/metrics",
                                         DEMO_OUTAGE_PATH, NULL};

static bool path_is(const char *uri, int len, const char *path)
{
    return (size_t)len == strlen(path) && memcmp(uri, path, (size_t)len) == 0;
}

static unsigned retry_after_s(const server *srv)
{
    unsigned s = (srv->config.retry_ms + 999) / 1000;
    return s ? s : 1;
}

/* Reads topic= and lastEventId= from the query string. */
static events_request_status read_query(server *srv, struct lws *wsi, events_request *req)
{
    events_request_status st = EVENTS_REQUEST_OK;
    char *buf = malloc(srv->config.max_header_bytes + 1u);

    if (!buf)
        return EVENTS_REQUEST_NO_TOPIC;
    for (int i = 0; st == EVENTS_REQUEST_OK; i++) {
        int n = lws_hdr_copy_fragment(wsi, buf, (int)srv->config.max_header_bytes + 1,
                                      WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n < 0)
            break;
        st = events_request_add_arg(req, buf, (size_t)n);
    }
    free(buf);
    return st;
}

static events_request_status read_last_event_id(struct lws *wsi, events_request *req)
{
    static const char name[] = "last-event-id:";
    char value[EVENT_ID_MAX_TEXT + 8];
    int n = lws_hdr_custom_length(wsi, name, (int)sizeof(name) - 1);

    if (n < 0)
        return EVENTS_REQUEST_OK;
    if ((size_t)n >= sizeof(value))
        return EVENTS_REQUEST_BAD_LAST_EVENT_ID;
    n = lws_hdr_custom_copy(wsi, value, (int)sizeof(value), name, (int)sizeof(name) - 1);
    if (n < 0)
        return EVENTS_REQUEST_BAD_LAST_EVENT_ID;
    return events_request_set_header_id(req, value, (size_t)n);
}

static int open_events(server *srv, struct lws *wsi, conn *c)
{
    http_reply_extra busy = {retry_after_s(srv), NULL, false, false};
    events_request *req;
    events_request_status st;
    auth_grants *grants;
    auth_result r;
    int ret;
    unsigned outage_s = demo_outage_seconds_left(srv, server_now_ms());

    if (srv->draining)
        return http_reply_error(srv, wsi, 503, "shutting down", &busy);
    if (outage_s) {
        http_reply_extra outage = {outage_s, NULL, false, false};
        return http_reply_error(srv, wsi, 503, "demo outage", &outage);
    }
    if (srv->sessions.count >= srv->config.max_connections)
        return http_reply_error(srv, wsi, 503, "too many event streams", &busy);

    req = malloc(sizeof(*req));
    grants = malloc(sizeof(*grants));
    if (!req || !grants) {
        free(req);
        free(grants);
        return http_reply_error(srv, wsi, 500, "out of memory", NULL);
    }
    r = request_auth_check(&srv->auth, wsi, (int64_t)(server_now_ms() / 1000), grants, NULL);
    if (r != AUTH_OK) {
        ret = http_reply_auth(srv, wsi, r);
        goto done;
    }
    events_request_init(req);
    st = read_last_event_id(wsi, req);
    if (st == EVENTS_REQUEST_OK)
        st = read_query(srv, wsi, req);
    if (st == EVENTS_REQUEST_OK)
        st = events_request_finish(req);
    if (st != EVENTS_REQUEST_OK) {
        ret = http_reply_error(srv, wsi, 400, events_request_strerror(st), NULL);
        goto done;
    }
    for (size_t i = 0; i < req->topic_count; i++) {
        if (!auth_may_subscribe(grants, req->topics[i].name, req->topics[i].len)) {
            ret = http_reply_auth(srv, wsi, AUTH_FORBIDDEN);
            goto done;
        }
    }
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0) {
        /* What a GET would get, without a stream behind it. */
        ret = http_reply(srv, wsi, 200, "text/event-stream", NULL, 0, NULL);
        goto done;
    }
    c->kind = CONN_EVENTS;
    ret = sse_session_open(srv, &c->u.events, wsi, req, grants->expires_at);

done:
    free(req);
    free(grants);
    return ret;
}

static int reply_metrics(server *srv, struct lws *wsi)
{
    metrics_gauges g;
    char body[8192];
    size_t n;

    memset(&g, 0, sizeof(g));
    g.connections = srv->sessions.count;
    g.draining = srv->draining;
    store_get_stats(srv->store, &g.store);
    n = metrics_render(&srv->metrics, &g, body, sizeof(body));
    if (n)
        n += store_metrics(srv->store, body + n, sizeof(body) - n);
    if (!n)
        return http_reply_error(srv, wsi, 500, "metrics do not fit", NULL);
    return http_reply(srv, wsi, 200, "text/plain; version=0.0.4; charset=utf-8", body, n, NULL);
}

static int reply_health(server *srv, struct lws *wsi)
{
    static const char ok[] = "{\"status\":\"ok\"}\n";
    static const char draining[] = "{\"status\":\"draining\"}\n";
    const char *store_state = store_health(srv->store);
    char body[96];
    int n;

    /* Load balancers stop sending new clients while we drain. */
    if (srv->draining)
        return http_reply(srv, wsi, 503, "application/json", draining, sizeof(draining) - 1,
                          NULL);
    if (!store_state)
        return http_reply(srv, wsi, 200, "application/json", ok, sizeof(ok) - 1, NULL);
    /* Redis down still serves streams (heartbeats, replay from the mirror):
     * 200, so a balancer does not take every instance out at once. */
    n = snprintf(body, sizeof(body), "{\"status\":\"%s\",\"redis\":\"%s\"}\n",
                 strcmp(store_state, "up") ? "degraded" : "ok", store_state);
    return http_reply(srv, wsi, 200, "application/json", body, (size_t)n, NULL);
}

static int wrong_method(server *srv, struct lws *wsi, const char *allow)
{
    http_reply_extra extra = {0, allow, false, false};
    return http_reply_error(srv, wsi, 405, "method not allowed", &extra);
}

/* A CORS preflight gets 204 with the Access-Control-* headers when its
 * Origin is allowed (http_reply adds them), 403 otherwise. */
static int preflight(server *srv, struct lws *wsi)
{
    http_reply_extra allow = {0, "GET, POST, OPTIONS", false, false};
    char origin[256];
    int n;

    if (!cors_is_preflight(wsi))
        return http_reply(srv, wsi, 204, NULL, NULL, 0, &allow);
    n = lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN);
    if (n <= 0 || !cors_origin_allowed(&srv->cors, origin, (size_t)n))
        return http_reply_error(srv, wsi, 403, "origin not allowed", NULL);
    return http_reply(srv, wsi, 204, NULL, NULL, 0, NULL);
}

static int route(server *srv, struct lws *wsi, conn *c)
{
    char *uri = NULL;
    int uri_len = 0, method = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
    bool replied;
    int ret;

    if (method < 0 || !uri)
        return http_reply_error(srv, wsi, 400, "malformed request", NULL);
    if (method == LWSHUMETH_OPTIONS)
        return preflight(srv, wsi);
    /* http_gate_check has refused wrong methods already; these stay as
     * the route table's own statement of what each path takes. */
    if (path_is(uri, uri_len, "/events")) {
        if (method != LWSHUMETH_GET && method != LWSHUMETH_HEAD)
            return wrong_method(srv, wsi, "GET, HEAD, OPTIONS");
        return open_events(srv, wsi, c);
    }
    if (path_is(uri, uri_len, "/publish")) {
        publish_request p;
        if (method != LWSHUMETH_POST)
            return wrong_method(srv, wsi, "POST, OPTIONS");
        /* A reply completes the transaction, and lws may free `c` then. */
        ret = publish_begin(srv, &p, wsi, &replied);
        if (replied) {
            publish_free(&p);
        } else {
            c->kind = CONN_PUBLISH;
            c->u.publish = p;
        }
        return ret;
    }
    if (path_is(uri, uri_len, "/healthz"))
        return method == LWSHUMETH_GET || method == LWSHUMETH_HEAD
                   ? reply_health(srv, wsi)
                   : wrong_method(srv, wsi, "GET, HEAD");
    if (path_is(uri, uri_len, "/metrics"))
        return method == LWSHUMETH_GET || method == LWSHUMETH_HEAD
                   ? reply_metrics(srv, wsi)
                   : wrong_method(srv, wsi, "GET, HEAD");
    if (path_is(uri, uri_len, DEMO_OUTAGE_PATH))
        return demo_outage_route(srv, wsi, method);
    return http_reply_error(srv, wsi, 404, "not found", NULL);
}

static void release(server *srv, conn *c)
{
    if (c->kind == CONN_EVENTS)
        sse_session_close(srv, &c->u.events);
    else if (c->kind == CONN_PUBLISH)
        publish_free(&c->u.publish);
    else if (c->kind == CONN_PUBLISH_WAIT)
        publish_wait_abandon(c->u.wait);
    c->kind = CONN_NONE;
}

/* Every request, static files included, before lws acts on it. */
static int filter(server *srv, struct lws *wsi, const char *uri, int uri_len)
{
    http_gate_verdict v = http_gate_check(wsi, uri, uri_len, srv->config.static_dir != NULL);
    http_reply_extra extra = {0, v.allow, false, true};

    if (!v.status)
        return 0;
    /* Always closing: lws would go on to route (or serve) a request whose
     * filter returned 0, answering it twice. */
    http_reply_error(srv, wsi, v.status, v.message, &extra);
    return -1;
}

/*
 * libwebsockets 4.1.6 bug, worked around here: when a request's head was
 * read from the connection's own buffer (it arrived pipelined behind an
 * earlier request) and announces a body, lws_http_action() feeds that same
 * buffer -- from the head's first byte -- to the body parser, then loops
 * forever once the transaction completes (lws_read_h1 consumes nothing in
 * LRS_DEFERRING_ACTION): the process spins and serves nobody. The body it
 * hands us then starts with the request line itself ("POST ", or as much
 * of it as a short Content-Length takes, after any empty lines), which no
 * valid JSON or form body does. (A form body that arrives one byte at a
 * time and starts with "P" would be refused too, and resent.) We refuse
 * that request with "Connection: close" and close before lws loops; the
 * requests before it were answered in order, and the client resends this
 * one on a new connection (RFC 9112 9.3.2).
 */
static bool is_replayed_head(const publish_request *p, const char *in, size_t len)
{
    static const char line[] = "POST ";
    size_t i = 0, n;

    if (p->len || !len)
        return false;
    while (i < len && (in[i] == '\r' || in[i] == '\n'))
        i++;
    /* A short Content-Length gets only its first bytes: "P", "PO", ... */
    n = len - i < sizeof(line) - 1 ? len - i : sizeof(line) - 1;
    return memcmp(in + i, line, n) == 0;
}

static int publish_body(server *srv, struct lws *wsi, conn *c, const char *in, size_t len)
{
    http_reply_extra extra = {0, NULL, false, true};

    if (!is_replayed_head(&c->u.publish, in, len)) {
        publish_body_chunk(srv, &c->u.publish, in, len);
        return 0;
    }
    release(srv, c);
    http_reply_error(srv, wsi, 503,
                     "a pipelined request with a body: send it again on a new connection",
                     &extra);
    return -1;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    server *srv = server_from_wsi(wsi);
    conn *c = user;
    int ret;

    switch (reason) {
    case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
        if (lws_get_network_wsi(wsi) != wsi)
            break; /* HTTP/2 frames its own messages */
        return filter(srv, wsi, in, (int)len);

    case LWS_CALLBACK_HTTP:
        if (!c)
            return -1;
        release(srv, c);
        srv->body_unread = lws_get_network_wsi(wsi) == wsi && http_gate_has_body(wsi);
        ret = route(srv, wsi, c);
        srv->body_unread = false;
        return ret;

    case LWS_CALLBACK_HTTP_BODY:
        if (c && c->kind == CONN_PUBLISH)
            return publish_body(srv, wsi, c, in, len);
        return 0;

    case LWS_CALLBACK_HTTP_BODY_COMPLETION: {
        publish_request p;
        if (!c || c->kind != CONN_PUBLISH)
            return -1; /* answered before its body came (and closing) */
        /* Take the request out of `c` first: replying completes the
         * transaction, and lws frees `c` when it does. */
        publish_wait *wait = NULL;
        p = c->u.publish;
        c->kind = CONN_NONE;
        ret = publish_complete(srv, &p, wsi, &wait);
        publish_free(&p);
        if (wait) {
            c->kind = CONN_PUBLISH_WAIT;
            c->u.wait = wait;
        }
        return ret;
    }

    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (c && c->kind == CONN_EVENTS)
            return sse_session_writable(srv, &c->u.events);
        if (c && c->kind == CONN_PUBLISH_WAIT && publish_wait_done(c->u.wait)) {
            publish_wait *wait = c->u.wait;
            c->kind = CONN_NONE;
            return publish_answer_wait(srv, wait, wsi);
        }
        break;

    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (c)
            release(srv, c);
        break;

    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

const struct lws_protocols http_routes_protocols[] = {
    {HTTP_ROUTES_PROTOCOL, callback, sizeof(conn), 0, 0, NULL, 0},
    {PEER_WATCH_PROTOCOL, peer_watch_callback, 0, 0, 0, NULL, 0},
    {LISTENER_PROTOCOL, listener_callback, 0, 0, 0, NULL, 0},
    {REQUEST_GATE_PROTOCOL, request_gate_callback, 0, 0, 0, NULL, 0},
    {REDIS_LWS_PROTOCOL, redis_lws_callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};
