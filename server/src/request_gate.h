/*
 * Holds each new plain-HTTP connection until its first request head is
 * complete and well-formed, and only then hands the socket to
 * libwebsockets. Until then the connection costs one small record: its
 * bytes stay in the kernel (read with MSG_PEEK, so lws later reads them
 * itself, as if it had accepted the socket), and it holds none of lws's
 * header buffers, so connections that send half a head and wait
 * (slowloris) cannot starve anyone. A head that is not complete within
 * --header-timeout-ms gets 408; a malformed one gets 400, 501, 505 or 431
 * (request_head.h); both then close.
 *
 * Sockets are watched in one edge-triggered epoll set adopted into the lws
 * loop (like peer_watch.h): a socket is looked at again only when new bytes
 * arrive. Requests after the first on a keep-alive connection are read by
 * lws and checked by http_gate.h. TLS connections go to lws directly: their
 * bytes are not readable here.
 */
#ifndef SSEMUX_SERVER_REQUEST_GATE_H
#define SSEMUX_SERVER_REQUEST_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include <libwebsockets.h>

#define REQUEST_GATE_PROTOCOL "ssemux-request-gate"

struct server;

/* The epoll set and the deadline timer. */
bool request_gate_start(struct server *srv);

/* Takes a newly accepted socket (nonblocking); on failure closes it. */
void request_gate_add(struct server *srv, int fd);

/* Closes every connection still waiting (drain, shutdown). */
void request_gate_close_all(struct server *srv);

/* Connections waiting for their first head (for /metrics and tests). */
size_t request_gate_waiting(const struct server *srv);

int request_gate_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                          void *in, size_t len);

#endif
