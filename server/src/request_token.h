/*
 * Where a token sits in a request, on plain strings (request_auth.c hands
 * them over from libwebsockets), so each rule is unit-tested:
 *   - Authorization: "Bearer" (any case), one or more spaces, the token;
 *   - a query argument named exactly access_token (lws has decoded it);
 *   - a cookie named exactly ssemux_token (RFC 6265 section 4.2.1:
 *     "name=value" pairs split by ';', spaces around them ignored).
 * A place that is present but holds no usable token is reported as such,
 * never passed over: docs/auth.md, "Where the server looks for the token".
 */
#ifndef SSEMUX_SERVER_REQUEST_TOKEN_H
#define SSEMUX_SERVER_REQUEST_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define REQUEST_TOKEN_QUERY_NAME "access_token"
#define REQUEST_TOKEN_COOKIE_NAME "ssemux_token"

/* From an Authorization value: sets the token (possibly empty) and returns
 * true for the Bearer scheme; false for any other scheme. */
bool request_token_from_bearer(const char *value, size_t len, const char **token,
                               size_t *token_len);

/* For one decoded query argument ("name=value", or a bare "name"): true if
 * its name is access_token, with `value` set (empty for a bare name). */
bool request_token_from_query_arg(const char *arg, size_t len, const char **value,
                                  size_t *value_len);

/* Counts the cookies named ssemux_token in one Cookie header value and sets
 * `value` to the first one's. Returns the count (0: none). */
unsigned request_token_from_cookies(const char *header, size_t len, const char **value,
                                    size_t *value_len);

#endif
