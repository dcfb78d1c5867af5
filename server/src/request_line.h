/*
 * Was the request line read whole? libwebsockets 4.1.6 decodes %XX in the
 * URL as it parses, and a decoded %0D or %0A ends the request line there
 * (lib/roles/http/parsers.c, check_eol runs on the decoded byte). So
 *   GET /events?topic=inj%0D%0ALast-Event-ID:%201-1 HTTP/1.1
 * arrives as "GET /events?topic=inj" with no HTTP version, and after a
 * %0A the rest of the line is read as a header of the attacker's choosing:
 * header injection through a URL, or request smuggling behind a proxy
 * (an injected Content-Length). Such a request has no version: refuse it.
 */
#ifndef SSEMUX_SERVER_REQUEST_LINE_H
#define SSEMUX_SERVER_REQUEST_LINE_H

#include <stdbool.h>

#include <libwebsockets.h>

#define REQUEST_LINE_CUT_MESSAGE                                                               \
    "the request line ends too early: a %0D or %0A in the URL, or no HTTP version"

/* False for an HTTP/1.x request whose request line had no "HTTP/1.x"
 * (cut short as above, or HTTP/0.9); true otherwise, HTTP/2 included. */
bool request_line_intact(struct lws *wsi);

#endif
