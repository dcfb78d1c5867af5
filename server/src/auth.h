/*
 * Token checks for the server: JWT HS256 (RFC 7519 / RFC 7515) with the
 * claims ssemux uses, and topic patterns.
 *
 * Claims: optional "exp" (seconds since the epoch; the token is refused
 * from that second on), optional "nbf" (refused before it), and
 *   "ssemux": {"subscribe": ["scores", "chat.*"], "publish": ["scores"]}
 * where a pattern is an exact topic, or a prefix ending in "*".
 *
 * No global state: an auth_verifier holds the secret; a checked token's
 * grants live in a caller-owned auth_grants.
 */
#ifndef SSEMUX_SERVER_AUTH_H
#define SSEMUX_SERVER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_MAX_SECRET 512
#define AUTH_MAX_TOKEN 4096   /* longer tokens are refused, not truncated */
#define AUTH_MAX_PATTERNS 32  /* per list */
#define AUTH_MAX_PATTERN_LEN 128

typedef enum auth_result {
    AUTH_OK = 0,
    AUTH_MISSING,        /* no token where one is required -> 401 */
    AUTH_MALFORMED,      /* not three base64url parts, bad JSON, too long -> 401 */
    AUTH_BAD_ALGORITHM,  /* header alg is not HS256 (incl. "none") -> 401 */
    AUTH_BAD_SIGNATURE,  /* HMAC mismatch -> 401 */
    AUTH_EXPIRED,        /* now >= exp -> 401 */
    AUTH_NOT_YET_VALID,  /* now < nbf -> 401 */
    AUTH_REPEATED,       /* the place checked has two tokens -> 401 */
    AUTH_FORBIDDEN       /* valid token, topic not granted -> 403 */
} auth_result;

typedef struct auth_verifier {
    unsigned char secret[AUTH_MAX_SECRET];
    size_t secret_len;     /* 0: auth disabled, everything allowed */
} auth_verifier;

typedef struct auth_pattern {
    char text[AUTH_MAX_PATTERN_LEN + 1]; /* NUL-terminated, without the '*' */
    bool prefix;                         /* pattern ended in '*' */
} auth_pattern;

typedef struct auth_grants {
    auth_pattern subscribe[AUTH_MAX_PATTERNS];
    size_t subscribe_count;
    auth_pattern publish[AUTH_MAX_PATTERNS];
    size_t publish_count;
    int64_t expires_at;  /* "exp", or INT64_MAX when absent */
} auth_grants;

/* secret_len 0 disables auth. Returns false if the secret is too long. */
bool auth_verifier_init(auth_verifier *v, const void *secret, size_t secret_len);

bool auth_enabled(const auth_verifier *v);

/* Checks a compact JWS `token` (no "Bearer " prefix) at time `now_s`. On
 * AUTH_OK fills `grants` (with auth disabled: every topic, any token or
 * none); on any other result clears them. Constant-time signature
 * comparison. */
auth_result auth_check_token(const auth_verifier *v, const char *token, size_t len, int64_t now_s,
                             auth_grants *grants);

/* True if `topic` matches one of the patterns. */
bool auth_may_subscribe(const auth_grants *g, const char *topic, size_t len);
bool auth_may_publish(const auth_grants *g, const char *topic, size_t len);

/* HTTP status for a result (200, 401 or 403) and a short reason for the
 * JSON error body ("token expired", ...). */
int auth_http_status(auth_result r);
const char *auth_reason(auth_result r);

/* Makes a token (for the unit tests and fuzz_auth_token): `claims_json` is the
 * payload, signed HS256 with the verifier's secret. Writes a NUL-terminated
 * token into out; returns its length or 0 if `out_cap` is too small. */
size_t auth_sign_token(const auth_verifier *v, const char *claims_json, char *out, size_t out_cap);

#endif
