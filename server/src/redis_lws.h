/*
 * hiredis's async API on the libwebsockets loop. hiredis 0.14 ships
 * adapters for libevent, libev, libuv and friends, none for lws; this is
 * that adapter. The connection's descriptor is adopted into lws as a raw
 * file (like listener.c's listening socket): readable -> hiredis reads,
 * hiredis has output -> lws_callback_on_writable -> hiredis writes. No call
 * blocks.
 *
 * lws is given a dup() of the descriptor, so each side closes its own
 * exactly once: hiredis its fd in redisAsyncFree, lws its copy when the
 * raw wsi closes (which the cleanup hook requests).
 */
#ifndef SSEMUX_SERVER_REDIS_LWS_H
#define SSEMUX_SERVER_REDIS_LWS_H

#include <stdbool.h>

#include <hiredis/async.h>
#include <libwebsockets.h>

#define REDIS_LWS_PROTOCOL "ssemux-redis"

/* Hooks ac into the loop and asks for a first writable callback, which is
 * where hiredis completes a non-blocking connect. On failure ac is left as
 * it was (the caller frees it). */
bool redis_lws_attach(redisAsyncContext *ac, struct lws_vhost *vhost);

/* The protocol callback for REDIS_LWS_PROTOCOL (http_routes.c lists it). */
int redis_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len);

#endif
