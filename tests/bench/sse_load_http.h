/*
 * The little HTTP/1.1 client side the load tool needs: reading a response
 * head, and undoing chunked transfer coding in place. nginx (nchan) sends
 * event streams chunked, a raw libwebsockets stream is not; both must parse.
 */
#ifndef SSE_LOAD_HTTP_H
#define SSE_LOAD_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Largest response head accepted; longer ones are an error, not truncated. */
#define LOAD_HTTP_MAX_HEAD 4096

typedef struct load_http_head {
    int status;             /* e.g. 200 */
    int chunked;            /* Transfer-Encoding: chunked */
    int close;              /* Connection: close, or HTTP/1.0 without keep-alive */
    int64_t content_length; /* -1 when absent */
} load_http_head;

/* Parses a response head at the start of buf. Returns the head's length
 * (through the blank line) when complete, 0 when more bytes are needed,
 * -1 when it is not an HTTP/1.x response head. */
long load_http_head_parse(const char *buf, size_t len, load_http_head *out);

/* Chunked transfer decoding (RFC 9112 section 7.1), resumable at any byte. */
typedef struct load_http_chunked {
    uint64_t remaining; /* data bytes left in the current chunk */
    uint8_t state;
    uint8_t size_digits;
} load_http_chunked;

void load_http_chunked_init(load_http_chunked *c);

/* Decodes `len` bytes of chunked body in place: the payload bytes are moved
 * to the front of buf. Returns the payload length, or -1 on a framing error.
 * After the last chunk and its trailer, *done is set to 1 and any following
 * bytes are left alone (their count is len minus *consumed). */
long load_http_chunked_decode(load_http_chunked *c, char *buf, size_t len,
                              size_t *consumed, int *done);

#endif
