/*
 * Strict reading of an HTTP/1.1 request head (RFC 9112 sections 2-5):
 * request line, header lines, the empty line that ends them. No I/O and no
 * allocation: the request gate (request_gate.h) runs it over the bytes a
 * new connection has sent so far, before libwebsockets sees any of them.
 *
 * lws 4.1 silently waits on heads it cannot parse (a header line without a
 * colon swallows the rest of the head as a "name"), answers unknown
 * methods with an HTML 403 and switches CONNECT to a raw socket. This
 * reader gives each of those a clear status instead.
 */
#ifndef SSEMUX_SERVER_REQUEST_HEAD_H
#define SSEMUX_SERVER_REQUEST_HEAD_H

#include <stddef.h>

typedef enum request_head_status {
    REQUEST_HEAD_OK = 0,       /* a complete, well-formed head */
    REQUEST_HEAD_INCOMPLETE,   /* well-formed so far; more bytes needed */
    REQUEST_HEAD_BAD,          /* 400: malformed request line or header line */
    REQUEST_HEAD_BAD_METHOD,   /* 501: a method this server does not implement */
    REQUEST_HEAD_BAD_VERSION,  /* 505: not HTTP/1.0 or HTTP/1.1 */
    REQUEST_HEAD_TOO_LARGE     /* 431: no end within the limit */
} request_head_status;

/* Reads `buf[0..len)`, the start of a connection's input. On
 * REQUEST_HEAD_OK, *head_len is the head's length, its final empty line
 * included (leading empty lines, which RFC 9112 2.2 lets a server skip,
 * count too). `max` is --max-header-bytes. */
request_head_status request_head_scan(const char *buf, size_t len, size_t max,
                                      size_t *head_len);

/* The HTTP status for a refusal, and its JSON error text. */
unsigned request_head_http_status(request_head_status st);
const char *request_head_strerror(request_head_status st);

#endif
