/*
 * Notices HTTP/1.1 clients that hang up on their event stream.
 *
 * libwebsockets 4.1 does not read an HTTP/1.1 connection while a response
 * is in progress, yet keeps POLLIN armed on it: once the client sends its
 * FIN (or any byte), poll() returns at once, lws ignores it, and the loop
 * spins at full CPU until a write to the dead socket fails, a heartbeat
 * or two later. So every HTTP/1.1 stream's socket is also registered, for
 * EPOLLIN | EPOLLRDHUP, in one epoll set, and that epoll descriptor is
 * adopted into the lws loop. When it fires, the streams it names are
 * closed: a client has no business sending anything after its GET.
 * HTTP/2 needs none of this: lws reads those connections.
 *
 * Linux-only (epoll), like the deployment target.
 */
#ifndef SSEMUX_SERVER_PEER_WATCH_H
#define SSEMUX_SERVER_PEER_WATCH_H

#include <stdbool.h>

#include <libwebsockets.h>

#define PEER_WATCH_PROTOCOL "ssemux-peer-watch"

struct server;
struct sse_session;

/* The protocol the epoll descriptor is adopted under. */
int peer_watch_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len);

/* Creates the epoll set and adopts it into the vhost. */
bool peer_watch_start(struct server *srv);

/* Watches / stops watching the stream's socket. */
bool peer_watch_add(struct server *srv, struct sse_session *s);
void peer_watch_remove(struct server *srv, struct sse_session *s);

#endif
