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

/* fetch sends Content-Length: 0 for a POST or PUT without a body; libcurl
 * sends it for an empty CURLOPT_POSTFIELDS. */
static const char *body_to_send(const ssecat_target *t)
{
    if (t->body == NULL && (strcmp(t->method, "POST") == 0 || strcmp(t->method, "PUT") == 0))
        return "";
    return t->body;
}

static bool build_headers(ssecat_request *r, const ssecat_target *t, const ssecat_options *opts,
                          const char *id, size_t id_len)
{
    if (!user_sets(opts, "accept") && !append(&r->headers, "Accept: text/event-stream"))
        return false;
    /* Caches and proxies must not answer a live stream from storage. */
    if (!user_sets(opts, "cache-control") && !append(&r->headers, "Cache-Control: no-cache"))
        return false;
    for (size_t i = 0; i < opts->header_count; i++) {
        const char *h = opts->headers[i];
        if (ssecat_target_sends_header(t, h, strcspn(h, ":;")) && !append(&r->headers, h))
            return false;
    }
    if (body_to_send(t) != NULL) {
        /* What fetch() sends with a string body (and none without one);
         * libcurl's own default, application/x-www-form-urlencoded, is
         * curl's, not a browser's. "Name:" makes libcurl send no such header. */
        if (!user_sets(opts, "content-type") &&
            !append(&r->headers, t->body != NULL ? "Content-Type: text/plain;charset=UTF-8"
                                                 : "Content-Type:"))
            return false;
        /* Browsers never wait for 100 Continue; some servers never send it. */
        if (!user_sets(opts, "expect") && !append(&r->headers, "Expect:"))
            return false;
    }
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

/* The method and body as fetch would send them. */
static bool set_method_and_body(CURL *e, const ssecat_target *t)
{
    const char *body = body_to_send(t);
    if (body != NULL &&
        (curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len) != CURLE_OK ||
         curl_easy_setopt(e, CURLOPT_POSTFIELDS, body) != CURLE_OK))
        return false;
    return strcmp(t->method, body != NULL ? "POST" : "GET") == 0 ||
           curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method) == CURLE_OK;
}

bool ssecat_request_init(ssecat_request *r, const ssecat_target *t, const ssecat_options *opts,
                         const char *last_event_id, size_t last_event_id_len,
                         const ssecat_request_sink *sink)
{
    memset(r, 0, sizeof *r);
    r->easy = curl_easy_init();
    if (r->easy == NULL || !build_headers(r, t, opts, last_event_id, last_event_id_len))
        goto fail;
    CURL *e = r->easy;
    /* libcurl follows nothing: url_mode.c takes each redirect hop itself
     * (request_target.h says why), and a 3xx it does not follow is the
     * engine's to judge. */
    if (curl_easy_setopt(e, CURLOPT_URL, t->url) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        !set_method_and_body(e, t) ||
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
