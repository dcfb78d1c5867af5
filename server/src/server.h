/*
 * The server's state, shared by the lws callback modules: one of these
 * per process, reachable from any wsi via lws_context_user(). Nothing else
 * is global (main.c's signal state and log filter aside).
 */
#ifndef SSEMUX_SERVER_SERVER_H
#define SSEMUX_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "auth.h"
#include "config.h"
#include "cors.h"
#include "http_routes.h"
#include "metrics.h"
#include "static_files.h"
#include "store.h"
#include "topics.h"

/* One write to a stream batches frames up to this (see sse_session.c). */
#define SERVER_WRITE_BATCH (16 * 1024)

typedef struct server {
    server_config config;
    struct lws_context *context;
    struct lws_vhost *vhost;
    store *store;
    topic_registry topics;
    auth_verifier auth;
    cors_policy cors;
    server_metrics metrics;
    lws_dll2_owner_t sessions;      /* every open event stream (sse_session) */

    /* One buffer for every write: the loop is single-threaded and lws
     * copies whatever the socket does not take. LWS_PRE bytes of headroom
     * come first, as lws_write() requires. */
    unsigned char *write_buf;
    size_t write_cap;               /* usable bytes after LWS_PRE */

    struct lws *listener;           /* the listening socket (listener.h), NULL once closed */
    int listen_port;
    int spare_fd;                   /* kept for accepting when out of descriptors */
    int peer_watch_fd;              /* epoll set of HTTP/1.1 streams (peer_watch.h) */
    int gate_fd;                    /* epoll set of connections before their first head (request_gate.h) */
    lws_dll2_owner_t gate_waiting;  /* those connections, oldest first */
    lws_sorted_usec_list_t gate_timer;
    char *gate_buf;                 /* --max-header-bytes + 1, for peeking at a head */
    lws_sorted_usec_list_t heartbeat_timer;
    lws_sorted_usec_list_t drain_timer;
    bool draining;
    uint64_t drain_deadline_ms;
    bool finished;                  /* main loop: stop servicing */
    /* Set while a request's handler runs before its body was read (every
     * LWS_CALLBACK_HTTP of a request that announced one): a reply then
     * closes the connection, so the unread body is never taken for the
     * next request (http_reply.c). */
    bool body_unread;

    uint64_t demo_outage_until_ms;  /* --demo: streams refused until then (demo_outage.h) */

    struct lws_http_mount mounts[HTTP_ROUTES_PATH_COUNT + 1]; /* API paths + --static */
    struct lws_protocol_vhost_options mime_types[8];
    static_files statics;           /* --static: the root, and how files are opened */
} server;

/* Wall clock in milliseconds (event IDs, ages). */
uint64_t server_now_ms(void);

/* Creates the store and the lws context and starts listening. On failure
 * prints why to stderr and returns false (server_stop still required). */
bool server_start(server *srv, const server_config *config, const char *jwt_secret,
                  size_t jwt_secret_len);

/* The port actually listened on (for --port 0). */
int server_port(const server *srv);

/* SIGTERM: stop accepting, ask every stream to reconnect soon, and set
 * `finished` once they are flushed or --drain-ms has passed. */
void server_begin_drain(server *srv);

/* Destroys the context and the store. */
void server_stop(server *srv);

static inline server *server_from_wsi(struct lws *wsi)
{
    return (server *)lws_context_user(lws_get_context(wsi));
}

#endif
