#include "request_auth.h"

#include <string.h>
#include <strings.h>

/* Room for the longest token auth.h accepts, the "access_token=" a query
 * copy includes, and the NUL; anything longer is refused as malformed. */
#define TOKEN_BUF (AUTH_MAX_TOKEN + 32)

/* Copies the token into buf; returns its length, 0 if absent, -1 if it
 * is present but too long. */
static int find_token(struct lws *wsi, char *buf, request_token_source *source)
{
    const char *q;
    size_t max;
    int n;

    n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
    if (n > 0) {
        *source = REQUEST_TOKEN_HEADER;
        if (n >= TOKEN_BUF || lws_hdr_copy(wsi, buf, TOKEN_BUF, WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
            return -1;
        /* RFC 6750 2.1: "Bearer" 1*SP b64token; the scheme is case-insensitive. */
        if (strncasecmp(buf, "Bearer ", 7) != 0)
            return -1;
        q = buf + 7;
        while (*q == ' ')
            q++;
        n = (int)strlen(q);
        memmove(buf, q, (size_t)n + 1);
        return n;
    }
    q = lws_get_urlarg_by_name(wsi, "access_token=", buf, TOKEN_BUF);
    if (q) {
        *source = REQUEST_TOKEN_QUERY;
        n = (int)strlen(q);
        memmove(buf, q, (size_t)n + 1);
        return n;
    }
    max = TOKEN_BUF;
    if (lws_http_cookie_get(wsi, "ssemux_token", buf, &max) == 0) {
        *source = REQUEST_TOKEN_COOKIE;
        return (int)max;
    }
    *source = REQUEST_TOKEN_NONE;
    return 0;
}

auth_result request_auth_check(const auth_verifier *verifier, struct lws *wsi, int64_t now_s,
                               auth_grants *grants, request_token_source *source)
{
    request_token_source where = REQUEST_TOKEN_NONE;
    char token[TOKEN_BUF];
    int n;

    if (source)
        *source = REQUEST_TOKEN_NONE;
    if (!auth_enabled(verifier))
        return auth_check_token(verifier, "", 0, now_s, grants);
    n = find_token(wsi, token, &where);
    if (source)
        *source = where;
    if (n < 0)
        return AUTH_MALFORMED;
    if (n == 0)
        return AUTH_MISSING;
    return auth_check_token(verifier, token, (size_t)n, now_s, grants);
}
