/*
 * Finds a request's token and checks it (auth.h does the JWT work). The
 * token is looked for in this order, so each kind of client has a way in:
 *   1. Authorization: Bearer <token>   (fetch-based clients, publishers)
 *   2. ?access_token=<token>           (native EventSource: no headers)
 *   3. Cookie: ssemux_token=<token>    (same-site pages, withCredentials)
 * The first place present is the only one checked: a token there that is
 * empty, too long, not Bearer or given twice is a 401, never passed over
 * for the next place (request_token.h has the rules for "present").
 */
#ifndef SSEMUX_SERVER_REQUEST_AUTH_H
#define SSEMUX_SERVER_REQUEST_AUTH_H

#include <libwebsockets.h>

#include "auth.h"

typedef enum request_token_source {
    REQUEST_TOKEN_NONE,
    REQUEST_TOKEN_HEADER,
    REQUEST_TOKEN_QUERY,
    REQUEST_TOKEN_COOKIE
} request_token_source;

/* Checks the request's token at `now_s`. With auth disabled, returns
 * AUTH_OK and grants everything. */
auth_result request_auth_check(const auth_verifier *verifier, struct lws *wsi, int64_t now_s,
                               auth_grants *grants, request_token_source *source);

#endif
