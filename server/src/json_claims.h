/*
 * The two JSON texts inside a JWT, read with libwebsockets' LEJP: the JOSE
 * header (RFC 7515 section 4) and the claims set (RFC 7519 section 4).
 * Private to the server; auth.c is the only caller.
 */
#ifndef SSEMUX_SERVER_JSON_CLAIMS_H
#define SSEMUX_SERVER_JSON_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"

/* The time claims, rounded up to whole seconds: for an integer `now`,
 * now >= exp exactly when now >= ceil(exp), and likewise for nbf. */
typedef struct json_claims_times {
    bool has_exp;
    bool has_nbf;
    int64_t exp;
    int64_t nbf;
} json_claims_times;

/* AUTH_OK if `json` is an object whose "alg" is exactly "HS256";
 * AUTH_BAD_ALGORITHM if "alg" is missing or anything else; AUTH_MALFORMED if
 * it is not a JSON object, repeats "alg", or has "crit" (we implement no
 * extensions, and RFC 7515 section 4.1.11 says to refuse those we don't). */
auth_result json_claims_check_header(const char *json, size_t len);

/* Reads "exp", "nbf" and "ssemux": {"subscribe": [...], "publish": [...]}
 * from a claims object into `times` and `grants` (both cleared first; their
 * contents are unspecified unless AUTH_OK). Other claims are ignored. Returns
 * AUTH_MALFORMED for invalid JSON, a repeated or wrongly typed claim, more
 * than AUTH_MAX_PATTERNS patterns in a list, or a bad pattern (empty, longer
 * than AUTH_MAX_PATTERN_LEN, containing NUL, or '*' anywhere but the end). */
auth_result json_claims_parse(const char *json, size_t len, json_claims_times *times,
                              auth_grants *grants);

#endif
