/*
 * The first look at every HTTP/1.1 request, static files included, before
 * any route or file mount acts on it: strict message framing (RFC 9112
 * section 6) and the methods each path takes (RFC 9110 section 15.5.6).
 *
 * Why here: libwebsockets 4.1 frames a body by the first Content-Length it
 * sees (atoll: "2e1" is 2, a second one is ignored), ignores a
 * Transfer-Encoding it does not decode, and answers nothing for methods it
 * does not route. Each of those lets a client desynchronise the connection.
 * A request the gate refuses gets its answer with "Connection: close" and
 * the connection is closed: its body, if any, is never read as a request.
 */
#ifndef SSEMUX_SERVER_HTTP_GATE_H
#define SSEMUX_SERVER_HTTP_GATE_H

#include <stdbool.h>

#include <libwebsockets.h>

typedef struct http_gate_verdict {
    unsigned status;      /* 0: let the request through */
    const char *message;  /* the JSON error's text */
    const char *allow;    /* Allow header, for 405 */
} http_gate_verdict;

/* `uri` is the request path (lws_http_get_uri_and_method), `static_files`
 * whether --static serves the paths that are not the API's. */
http_gate_verdict http_gate_check(struct lws *wsi, const char *uri, int uri_len,
                                  bool static_files);

/* Whether the request announces a body (Content-Length above 0, or any
 * Transfer-Encoding): a reply sent before that body was read must close
 * the connection, or the body would be parsed as the next request. */
bool http_gate_has_body(struct lws *wsi);

#endif
