#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSECAT_USER_AGENT "ssecat/0.1"

/* Does some -H header have this (lower-case) name? */
static bool user_sets(const ssecat_options *opts, const char *name)
{
    for (size_t i = 0; i < opts->header_count; i++) {
        const char *h = opts->headers[i];
        if (ssecat_header_name_is(h, strcspn(h, ":;"), name))
            return true;
    }
    return false;
}

static bool append(struct curl_slist **list, const char *line)
{
    struct curl_slist *grown = curl_slist_append(*list, line);
    if (grown == NULL)
        return false;
    *list = grown;
    return true;
}

static bool build_headers(ssecat_request *r, const ssecat_options *opts, const char *id,
                          size_t id_len)
{
    if (!user_sets(opts, "accept") && !append(&r->headers, "Accept: text/event-stream"))
        return false;
    /* Caches and proxies must not answer a live stream from storage. */
    if (!user_sets(opts, "cache-control") && !append(&r->headers, "Cache-Control: no-cache"))
        return false;
    for (size_t i = 0; i < opts->header_count; i++)
        if (!append(&r->headers, opts->headers[i]))
            return false;
    if (id_len > 0) {
        static const char name[] = "Last-Event-ID: ";
        char *line = malloc(sizeof name + id_len);
        if (line == NULL)
            return false;
        memcpy(line, name, sizeof name - 1);
        memcpy(line + sizeof name - 1, id, id_len);
        line[sizeof name - 1 + id_len] = '\0';
        bool ok = append(&r->headers, line);
        free(line);
        return ok;
    }
    return true;
}

bool ssecat_request_init(ssecat_request *r, CURLU *url, const ssecat_options *opts,
                         const char *last_event_id, size_t last_event_id_len,
                         const ssecat_request_sink *sink)
{
    memset(r, 0, sizeof *r);
    r->easy = curl_easy_init();
    if (r->easy == NULL || !build_headers(r, opts, last_event_id, last_event_id_len))
        goto fail;
    CURL *e = r->easy;
    /* Redirects are not followed: a 3xx is the engine's to judge (it stops,
     * as EventSource reports a redirect it cannot follow as an error). */
    if (curl_easy_setopt(e, CURLOPT_CURLU, url) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, sink->on_header_line) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HEADERDATA, sink->ctx) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink->on_body) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEDATA, sink->ctx) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
        /* A proxy's CONNECT answer is not the server's response head. */
        curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L) != CURLE_OK ||
        /* Signals are ours (stop_signal.c); libcurl must not touch them. */
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_USERAGENT, SSECAT_USER_AGENT) != CURLE_OK)
        goto fail;
    return true;
fail:
    ssecat_request_cleanup(r);
    return false;
}

void ssecat_request_cleanup(ssecat_request *r)
{
    if (r->easy != NULL)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    ssecat_response_head_clear(&r->head);
    memset(r, 0, sizeof *r);
}
