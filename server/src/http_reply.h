/*
 * Complete, small HTTP responses (JSON errors, /healthz, /metrics, the
 * publish result): status line, headers (CORS included), body, done. The
 * return value is what the lws callback returns: 0 to keep the connection,
 * -1 to close it. A HEAD request gets the same headers and no body
 * (RFC 9110 9.3.2). A reply that must end the connection (`close`, or a
 * request whose body is unread: server.body_unread) says
 * "Connection: close" and returns -1.
 */
#ifndef SSEMUX_SERVER_HTTP_REPLY_H
#define SSEMUX_SERVER_HTTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "server.h"

typedef struct http_reply_extra {
    unsigned retry_after_s;  /* Retry-After, 0 for none */
    const char *allow;       /* Allow, for 405 */
    bool bearer_challenge;   /* WWW-Authenticate: Bearer, for 401 */
    bool close;              /* Connection: close, then close */
} http_reply_extra;

int http_reply(server *srv, struct lws *wsi, unsigned status, const char *content_type,
               const char *body, size_t len, const http_reply_extra *extra);

/* {"error":"<message>"} as application/json. */
int http_reply_error(server *srv, struct lws *wsi, unsigned status, const char *message,
                     const http_reply_extra *extra);

/* The 401 (with WWW-Authenticate: Bearer) or 403 for a refused token. */
int http_reply_auth(server *srv, struct lws *wsi, auth_result r);

/* Adds one "name: value" header; returns nonzero if the buffer is full. */
int http_add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                    unsigned char *end);

#endif
