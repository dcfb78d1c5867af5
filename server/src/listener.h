/*
 * The listening socket, ours rather than lws's: lws 4.1.6's way to stop
 * listening (lws_context_deprecate) touches a freed wsi and crashes, and a
 * drain must stop accepting while open streams carry on. So we bind,
 * listen and accept, and hand each connection to lws with
 * lws_adopt_descriptor_vhost() (TLS and HTTP/2 included), exactly what
 * lws's own listener does after accept(). The listening descriptor is
 * adopted into the lws loop as a raw file, so accepting is event-driven.
 */
#ifndef SSEMUX_SERVER_LISTENER_H
#define SSEMUX_SERVER_LISTENER_H

#include <stdbool.h>

#include <libwebsockets.h>

#define LISTENER_PROTOCOL "ssemux-listener"

struct server;

int listener_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len);

/* Binds --host/--port and starts accepting. Prints why on failure. */
bool listener_start(struct server *srv);

/* Closes the listening socket: new connections are refused. */
void listener_stop(struct server *srv);

#endif
