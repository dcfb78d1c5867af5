#include "request_target.h"

#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "response_head.h"

/* Parses `text`, relative to `base` when that is not NULL, and hands back
 * curl's normalised spelling of the result. The flags are the ones libcurl
 * uses on a Location it follows (lib/transfer.c, Curl_follow), so odd but
 * common values (spaces, raw UTF-8) resolve as curl -L would resolve them. */
static ssecat_hop_result resolve(const char *base, const char *text, char **out,
                                 const char **why)
{
    CURLU *u = curl_url();
    char *scheme = NULL;
    ssecat_hop_result rc = SSECAT_HOP_OK;
    unsigned int flags = base != NULL ? CURLU_URLENCODE | CURLU_ALLOW_SPACE : 0;
    CURLUcode uc = CURLUE_OK;

    if (u == NULL)
        return SSECAT_HOP_NO_MEMORY;
    if (base != NULL)
        uc = curl_url_set(u, CURLUPART_URL, base, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_set(u, CURLUPART_URL, text, flags);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (uc != CURLUE_OK) {
        rc = SSECAT_HOP_BAD_URL;
        *why = curl_url_strerror(uc);
    } else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        rc = SSECAT_HOP_NOT_HTTP;
    else if (curl_url_get(u, CURLUPART_URL, out, 0) != CURLUE_OK)
        rc = SSECAT_HOP_NO_MEMORY;
    curl_free(scheme);
    curl_url_cleanup(u);
    return rc;
}

ssecat_hop_result ssecat_target_init(ssecat_target *t, const char *url, const char *method,
                                     const char *body, size_t body_len)
{
    memset(t, 0, sizeof *t);
    t->method = method;
    t->body = body;
    t->body_len = body_len;
    return resolve(NULL, url, &t->url, &t->url_error);
}

bool ssecat_is_redirect_status(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* An origin is (scheme, host, port) with the scheme's default port filled in. */
static bool same_origin(const char *a, const char *b)
{
    static const CURLUPart parts[] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
    CURLU *ua = curl_url(), *ub = curl_url();
    bool same = ua != NULL && ub != NULL && curl_url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
                curl_url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK;

    for (size_t i = 0; same && i < sizeof parts / sizeof parts[0]; i++) {
        char *pa = NULL, *pb = NULL;
        same = curl_url_get(ua, parts[i], &pa, CURLU_DEFAULT_PORT) == CURLUE_OK &&
               curl_url_get(ub, parts[i], &pb, CURLU_DEFAULT_PORT) == CURLUE_OK &&
               strcasecmp(pa, pb) == 0;
        curl_free(pa);
        curl_free(pb);
    }
    curl_url_cleanup(ua);
    curl_url_cleanup(ub);
    return same;
}

ssecat_hop_result ssecat_target_redirect(ssecat_target *t, int status, const char *location)
{
    char *next = NULL;
    ssecat_hop_result rc = resolve(t->url, location, &next, &t->url_error);
    if (rc != SSECAT_HOP_OK)
        return rc;
    /* Fetch, HTTP-redirect fetch step 12: the one method change a browser
     * makes. 307 and 308 (and 301/302 for anything but POST) keep both. */
    if (((status == 301 || status == 302) && strcmp(t->method, "POST") == 0) ||
        (status == 303 && strcmp(t->method, "GET") != 0 && strcmp(t->method, "HEAD") != 0)) {
        t->method = "GET";
        t->body = NULL;
        t->body_len = 0;
        t->drop_body_headers = true;
    }
    /* Step 13 drops Authorization on the way to another origin; curl also
     * drops Cookie, and so do we: a credential must not leak by redirect. */
    if (!same_origin(t->url, next))
        t->drop_credentials = true;
    curl_free(t->url);
    t->url = next;
    return SSECAT_HOP_OK;
}

bool ssecat_target_sends_header(const ssecat_target *t, const char *name, size_t len)
{
    /* Fetch's "request-body-header names". */
    static const char *const body_headers[] = {"content-type", "content-encoding",
                                               "content-language", "content-location"};
    if (t->drop_credentials &&
        (ssecat_header_name_is(name, len, "authorization") || ssecat_header_name_is(name, len, "cookie")))
        return false;
    for (size_t i = 0; t->drop_body_headers && i < sizeof body_headers / sizeof body_headers[0]; i++)
        if (ssecat_header_name_is(name, len, body_headers[i]))
            return false;
    return true;
}

const char *ssecat_method_check(char *method)
{
    static const char *const normalised[] = {"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"};
    static const char *const forbidden[] = {"CONNECT", "TRACE", "TRACK"};
    static const char token_extra[] = "!#$%&'*+-.^_`|~";

    if (method[0] == '\0')
        return "an empty method";
    for (const char *c = method; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr(token_extra, *c) != NULL))
            return "not an HTTP method token";
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        if (strcasecmp(method, forbidden[i]) == 0)
            return "a method fetch() forbids";
    for (size_t i = 0; i < sizeof normalised / sizeof normalised[0]; i++)
        if (strcasecmp(method, normalised[i]) == 0)
            memcpy(method, normalised[i], strlen(normalised[i]));
    return NULL;
}

void ssecat_target_free(ssecat_target *t)
{
    curl_free(t->url);
    memset(t, 0, sizeof *t);
}
