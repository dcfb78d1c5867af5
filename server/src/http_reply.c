#include "http_reply.h"

#include <stdio.h>
#include <string.h>

int http_add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                    unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                       (const unsigned char *)value, (int)strlen(value), p, end);
}

static int add_extra(struct lws *wsi, const http_reply_extra *extra, unsigned char **p,
                     unsigned char *end)
{
    char num[16];

    if (!extra)
        return 0;
    if (extra->retry_after_s) {
        snprintf(num, sizeof(num), "%u", extra->retry_after_s);
        if (http_add_header(wsi, "retry-after:", num, p, end))
            return 1;
    }
    if (extra->allow && http_add_header(wsi, "allow:", extra->allow, p, end))
        return 1;
    if (extra->bearer_challenge && http_add_header(wsi, "www-authenticate:", "Bearer", p, end))
        return 1;
    return 0;
}

static bool is_head(struct lws *wsi)
{
    return lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
}

int http_reply(server *srv, struct lws *wsi, unsigned status, const char *content_type,
               const char *body, size_t len, const http_reply_extra *extra)
{
    unsigned char *start = srv->write_buf + LWS_PRE, *p = start, *end = start + srv->write_cap;
    bool close = srv->body_unread || (extra && extra->close);

    metrics_count_response(&srv->metrics, status);
    if (len > srv->write_cap)
        return -1;
    /* 204 carries no Content-Length (RFC 9110, 8.6). */
    if ((status == 204 ? lws_add_http_header_status(wsi, status, &p, end)
                       : lws_add_http_common_headers(wsi, status, content_type, len, &p, end)) ||
        http_add_header(wsi, "cache-control:", "no-store", &p, end) ||
        cors_add_headers(&srv->cors, wsi, &p, end) || add_extra(wsi, extra, &p, end) ||
        (close && http_add_header(wsi, "connection:", "close", &p, end)) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    /* HEAD: the Content-Length above is the GET's; no body follows. */
    if (is_head(wsi))
        len = 0;
    /* The headers are on their way (or copied by lws): reuse the buffer.
     * An empty body is still written on HTTP/2, where the final DATA frame
     * is what ends the stream. */
    if (len || lws_get_network_wsi(wsi) != wsi) {
        if (len)
            memcpy(start, body, len);
        if (lws_write(wsi, start, len, LWS_WRITE_HTTP_FINAL) != (int)len)
            return -1;
    }
    if (close)
        return -1; /* lws shuts the socket down gracefully */
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int http_reply_error(server *srv, struct lws *wsi, unsigned status, const char *message,
                     const http_reply_extra *extra)
{
    char body[512];
    size_t n = 0;

    /* Messages are ours, but escape anyway: a future one may quote input. */
    n += (size_t)snprintf(body, sizeof(body), "{\"error\":\"");
    for (const char *m = message; *m && n < sizeof(body) - 8; m++) {
        if (*m == '"' || *m == '\\')
            body[n++] = '\\';
        body[n++] = (unsigned char)*m < 0x20 ? ' ' : *m;
    }
    n += (size_t)snprintf(body + n, sizeof(body) - n, "\"}\n");
    return http_reply(srv, wsi, status, "application/json", body, n, extra);
}

int http_reply_auth(server *srv, struct lws *wsi, auth_result r)
{
    http_reply_extra extra = {0, NULL, r != AUTH_FORBIDDEN, false};
    return http_reply_error(srv, wsi, (unsigned)auth_http_status(r), auth_reason(r), &extra);
}
