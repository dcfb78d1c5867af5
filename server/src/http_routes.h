/*
 * The one lws protocol: routes each HTTP transaction to its handler.
 *
 *   GET  /events    sse_session.c   (event stream)
 *   POST /publish   publish.c
 *   GET  /healthz   200 {"status":"ok"}, 503 while draining
 *   GET  /metrics   metrics.c
 *   POST /demo/outage  demo_outage.c (--demo only, else 404)
 *   OPTIONS *       CORS preflight (cors.c)
 *   anything else   404 JSON, or the --static file mount
 */
#ifndef SSEMUX_SERVER_HTTP_ROUTES_H
#define SSEMUX_SERVER_HTTP_ROUTES_H

#include <libwebsockets.h>

#define HTTP_ROUTES_PROTOCOL "ssemux"

/* For lws_context_creation_info.protocols; NULL-terminated. */
extern const struct lws_protocols http_routes_protocols[];

/* Paths the protocol answers itself, for the mounts next to --static;
 * NULL-terminated. The count sizes server.mounts, and the array's declared
 * size turns one path too many into a compile error. */
#define HTTP_ROUTES_PATH_COUNT 5
extern const char *const http_routes_paths[HTTP_ROUTES_PATH_COUNT + 1];

#endif
