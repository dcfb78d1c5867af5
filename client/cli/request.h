/*
 * One connection attempt: a libcurl easy handle set up the way EventSource
 * sends its request (WHATWG 9.2.2: Accept: text/event-stream, Cache-Control:
 * no-cache, Last-Event-ID when known), plus the user's -H headers, sent
 * with the method and body of a request target (request_target.h).
 */
#ifndef SSECAT_REQUEST_H
#define SSECAT_REQUEST_H

#include <curl/curl.h>
#include <stdint.h>

#include "request_target.h"
#include "response_head.h"
#include "ssecat.h"

typedef struct ssecat_request {
    CURL *easy;
    struct curl_slist *headers;
    ssecat_response_head head;
    int64_t started_at;             /* monotonic ms, for the response-head timeout */
    char error[CURL_ERROR_SIZE];    /* libcurl's words for a failed transfer */
} ssecat_request;

/* Where the request's header lines and body bytes go. */
typedef struct ssecat_request_sink {
    curl_write_callback on_header_line;
    curl_write_callback on_body;
    void *ctx;
} ssecat_request_sink;

/* Prepares `r` (to be added to a multi handle by the caller) for `t`, which
 * must outlive it (libcurl reads the body in place). `last_event_id` may be
 * empty. Returns false (with `r` cleaned up) when libcurl refuses. */
bool ssecat_request_init(ssecat_request *r, const ssecat_target *t, const ssecat_options *opts,
                         const char *last_event_id, size_t last_event_id_len,
                         const ssecat_request_sink *sink);

/* Frees everything; the caller has removed r->easy from its multi handle. */
void ssecat_request_cleanup(ssecat_request *r);

#endif
