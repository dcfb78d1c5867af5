/*
 * Cross-origin access for the configured origins (--cors-origins). The
 * allowed Origin is echoed back, never "*", so credentialed requests
 * (cookies, EventSource withCredentials) work too; "*" in the list means
 * "any origin".
 */
#ifndef SSEMUX_SERVER_CORS_H
#define SSEMUX_SERVER_CORS_H

#include <stdbool.h>
#include <stddef.h>

#include <libwebsockets.h>

typedef struct cors_policy {
    bool any;
    char *origins; /* comma-separated copy of the list, or NULL */
} cors_policy;

/* NULL or "" allows no cross-origin use. Returns false when out of memory. */
bool cors_init(cors_policy *policy, const char *origins);
void cors_free(cors_policy *policy);

bool cors_origin_allowed(const cors_policy *policy, const char *origin, size_t len);

/* Adds Access-Control-Allow-Origin and friends when the request's Origin
 * is allowed. Returns nonzero if the header buffer is full. */
int cors_add_headers(const cors_policy *policy, struct lws *wsi, unsigned char **p,
                     unsigned char *end);

/* True for an OPTIONS request that is a CORS preflight. */
bool cors_is_preflight(struct lws *wsi);

#endif
