#include "request_auth.h"

#include <stdlib.h>
#include <string.h>

#include "request_token.h"

/* What one place of the request holds. */
typedef enum token_lookup {
    TOKEN_ABSENT,   /* not there: look at the next place */
    TOKEN_FOUND,    /* copied out, 1..AUTH_MAX_TOKEN bytes */
    TOKEN_UNUSABLE, /* there, but empty, too long or not Bearer: 401, stop */
    TOKEN_REPEATED  /* there more than once: 401, stop */
} token_lookup;

/* lws keeps a repeated header, and each query argument, as one fragment;
 * an empty fragment has length 0 but copies without error. */
static bool fragment_exists(struct lws *wsi, enum lws_token_indexes h, int i)
{
    char none[1];
    return lws_hdr_fragment_length(wsi, h, i) > 0 ||
           lws_hdr_copy_fragment(wsi, none, (int)sizeof none, h, i) == 0;
}

/* A heap copy of fragment i, whatever its length (at most the header
 * buffer, --max-header-bytes), so a place too long for a token is still
 * seen; NULL when there is no such fragment or no memory. */
static char *copy_fragment(struct lws *wsi, enum lws_token_indexes h, int i, size_t *len)
{
    int n = lws_hdr_fragment_length(wsi, h, i);
    char *copy = malloc((size_t)n + 1);

    if (copy && lws_hdr_copy_fragment(wsi, copy, n + 1, h, i) == n) {
        *len = (size_t)n;
        return copy;
    }
    free(copy);
    return NULL;
}

static token_lookup take(const char *value, size_t len, char *out, size_t *out_len)
{
    if (len == 0 || len > AUTH_MAX_TOKEN)
        return TOKEN_UNUSABLE; /* refused, never cut */
    memcpy(out, value, len);
    out[len] = '\0';
    *out_len = len;
    return TOKEN_FOUND;
}

/* Looks at each fragment of header h that exists: `read` says whether it
 * holds a token (count) and which. More than one is TOKEN_REPEATED. */
typedef unsigned (*token_reader)(const char *text, size_t len, const char **value,
                                 size_t *value_len);

static token_lookup scan_fragments(struct lws *wsi, enum lws_token_indexes h, token_reader read,
                                   char *out, size_t *out_len)
{
    token_lookup found = TOKEN_ABSENT;
    unsigned count = 0;

    for (int i = 0; fragment_exists(wsi, h, i) && count < 2; i++) {
        const char *value = NULL;
        size_t len = 0, value_len = 0;
        char *text = copy_fragment(wsi, h, i, &len);
        unsigned here;

        if (!text)
            return TOKEN_UNUSABLE;
        here = read(text, len, &value, &value_len);
        if (here && !count)
            found = value ? take(value, value_len, out, out_len) : TOKEN_UNUSABLE;
        count += here;
        free(text);
    }
    return count > 1 ? TOKEN_REPEATED : found;
}

/* Any Authorization header counts; only "Bearer <token>" holds one. */
static unsigned read_authorization(const char *text, size_t len, const char **value,
                                   size_t *value_len)
{
    if (!request_token_from_bearer(text, len, value, value_len))
        *value = NULL;
    return 1;
}

static unsigned read_query_arg(const char *text, size_t len, const char **value,
                               size_t *value_len)
{
    return request_token_from_query_arg(text, len, value, value_len) ? 1 : 0;
}

static token_lookup from_header(struct lws *wsi, char *out, size_t *out_len)
{
    return scan_fragments(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, read_authorization, out, out_len);
}

static token_lookup from_query(struct lws *wsi, char *out, size_t *out_len)
{
    return scan_fragments(wsi, WSI_TOKEN_HTTP_URI_ARGS, read_query_arg, out, out_len);
}

/* Every Cookie header (HTTP/2 sends one per cookie), each pair checked. */
static token_lookup from_cookies(struct lws *wsi, char *out, size_t *out_len)
{
    return scan_fragments(wsi, WSI_TOKEN_HTTP_COOKIE, request_token_from_cookies, out, out_len);
}

/* docs/auth.md: the first place that has a token is the only one checked. */
static token_lookup (*const places[])(struct lws *, char *, size_t *) = {from_header, from_query,
                                                                        from_cookies};
static const request_token_source place_names[] = {REQUEST_TOKEN_HEADER, REQUEST_TOKEN_QUERY,
                                                   REQUEST_TOKEN_COOKIE};

auth_result request_auth_check(const auth_verifier *verifier, struct lws *wsi, int64_t now_s,
                               auth_grants *grants, request_token_source *source)
{
    token_lookup found = TOKEN_ABSENT;
    char token[AUTH_MAX_TOKEN + 1];
    size_t len = 0;

    if (source)
        *source = REQUEST_TOKEN_NONE;
    if (!auth_enabled(verifier))
        return auth_check_token(verifier, "", 0, now_s, grants);
    for (size_t i = 0; i < sizeof places / sizeof places[0] && found == TOKEN_ABSENT; i++) {
        found = places[i](wsi, token, &len);
        if (source && found != TOKEN_ABSENT)
            *source = place_names[i];
    }
    switch (found) {
    case TOKEN_ABSENT:
        return AUTH_MISSING;
    case TOKEN_UNUSABLE:
        return AUTH_MALFORMED;
    case TOKEN_REPEATED:
        return AUTH_REPEATED;
    case TOKEN_FOUND:
        break;
    }
    return auth_check_token(verifier, token, len, now_s, grants);
}
