#include "cors.h"

#include <stdlib.h>
#include <string.h>

/* Headers a browser may send to us cross-origin: Authorization for the
 * bearer token, Last-Event-ID for resuming (fetch-based clients set it
 * themselves), Content-Type for JSON publishes. */
#define ALLOW_HEADERS "Authorization, Content-Type, Last-Event-ID, Cache-Control"
#define ALLOW_METHODS "GET, POST, OPTIONS"
/* So a fetch()-based client can size its heartbeat watchdog. */
#define EXPOSE_HEADERS "X-SSE-Heartbeat, Retry-After"

bool cors_init(cors_policy *policy, const char *origins)
{
    policy->any = false;
    policy->origins = NULL;
    if (!origins || !origins[0])
        return true;
    policy->origins = strdup(origins);
    if (!policy->origins)
        return false;
    policy->any = cors_origin_allowed(policy, "*", 1);
    return true;
}

void cors_free(cors_policy *policy)
{
    free(policy->origins);
    policy->origins = NULL;
    policy->any = false;
}

bool cors_origin_allowed(const cors_policy *policy, const char *origin, size_t len)
{
    const char *p;

    if (!policy->origins || !origin || !len)
        return false;
    if (policy->any)
        return true;
    p = policy->origins;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        size_t sn = n;

        while (sn && (*s == ' ' || *s == '\t'))
            s++, sn--;
        while (sn && (s[sn - 1] == ' ' || s[sn - 1] == '\t' || s[sn - 1] == '/'))
            sn--;
        if (sn == len && memcmp(s, origin, len) == 0)
            return true;
        p += n + (end ? 1 : 0);
    }
    return false;
}

static int add(struct lws *wsi, const char *name, const char *value, unsigned char **p,
               unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                       (const unsigned char *)value, (int)strlen(value), p, end);
}

int cors_add_headers(const cors_policy *policy, struct lws *wsi, unsigned char **p,
                     unsigned char *end)
{
    char origin[256];
    int n;

    if (!policy->origins)
        return 0;
    n = lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN);
    if (n <= 0 || !cors_origin_allowed(policy, origin, (size_t)n))
        return 0;
    if (add(wsi, "access-control-allow-origin:", origin, p, end) ||
        add(wsi, "access-control-allow-credentials:", "true", p, end) ||
        add(wsi, "access-control-expose-headers:", EXPOSE_HEADERS, p, end) ||
        add(wsi, "vary:", "Origin", p, end))
        return 1;
    if (cors_is_preflight(wsi) &&
        (add(wsi, "access-control-allow-methods:", ALLOW_METHODS, p, end) ||
         add(wsi, "access-control-allow-headers:", ALLOW_HEADERS, p, end) ||
         add(wsi, "access-control-max-age:", "600", p, end)))
        return 1;
    return 0;
}

bool cors_is_preflight(struct lws *wsi)
{
    return lws_hdr_total_length(wsi, WSI_TOKEN_OPTIONS_URI) > 0 &&
           lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) > 0;
}
