/*
 * JWT HS256 checks (RFC 7519 over RFC 7515's compact serialization) and
 * topic patterns. See docs/auth.md for the token format.
 */
#include "auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "base64url.h"
#include "json_claims.h"

#define HS256_LEN 32
#define HS256_ENCODED_LEN BASE64URL_ENCODED_LEN(HS256_LEN)
/* The three parts of a token no longer than AUTH_MAX_TOKEN, decoded back to
 * back: 4 characters give 3 bytes, so this is enough for all of them. */
#define DECODED_CAP BASE64URL_DECODED_MAX(AUTH_MAX_TOKEN)

bool auth_verifier_init(auth_verifier *v, const void *secret, size_t secret_len)
{
    if (!v || secret_len > AUTH_MAX_SECRET || (secret_len && !secret))
        return false;
    memset(v, 0, sizeof *v);
    if (secret_len)
        memcpy(v->secret, secret, secret_len);
    v->secret_len = secret_len;
    return true;
}

bool auth_enabled(const auth_verifier *v)
{
    return v && v->secret_len > 0;
}

static bool hs256(const auth_verifier *v, const void *data, size_t len,
                  unsigned char mac[HS256_LEN])
{
    unsigned int mac_len = 0;
    return HMAC(EVP_sha256(), v->secret, (int)v->secret_len, data, len, mac, &mac_len) &&
           mac_len == HS256_LEN;
}

/* With auth disabled every token, or none, may do anything. */
static void grant_everything(auth_grants *g)
{
    memset(g, 0, sizeof *g);
    g->subscribe[0].prefix = true; /* "" as a prefix: the pattern "*" */
    g->subscribe_count = 1;
    g->publish[0].prefix = true;
    g->publish_count = 1;
    g->expires_at = INT64_MAX;
}

/* One base64url part of a token, decoded into `buf` at *used. */
typedef struct token_part {
    const char *text;
    size_t text_len;
    const unsigned char *bytes;
    size_t len;
} token_part;

static bool decode_part(token_part *p, unsigned char *buf, size_t *used)
{
    if (!base64url_decode(p->text, p->text_len, buf + *used, DECODED_CAP - *used, &p->len))
        return false;
    p->bytes = buf + *used;
    *used += p->len;
    return true;
}

/* Splits "header.payload.signature" at its two dots; any other count of
 * dots (a JWE has four, RFC 7516 section 7.1) is malformed. */
static bool split_token(const char *token, size_t len, token_part parts[3])
{
    const char *end = token + len, *start = token;

    for (int i = 0; i < 3; i++) {
        const char *dot = i < 2 ? memchr(start, '.', (size_t)(end - start)) : NULL;
        if (i < 2 && !dot)
            return false;
        if (i == 2 && memchr(start, '.', (size_t)(end - start)))
            return false;
        parts[i].text = start;
        parts[i].text_len = (size_t)((dot ? dot : end) - start);
        start = dot ? dot + 1 : end;
    }
    return true;
}

static auth_result check_token(const auth_verifier *v, const char *token, size_t len,
                               int64_t now_s, auth_grants *grants)
{
    token_part header, payload, signature, parts[3];
    unsigned char decoded[DECODED_CAP], mac[HS256_LEN];
    size_t used = 0;
    json_claims_times times;
    auth_result r;

    if (!token || len == 0)
        return AUTH_MISSING;
    if (len > AUTH_MAX_TOKEN || !split_token(token, len, parts))
        return AUTH_MALFORMED;
    header = parts[0];
    payload = parts[1];
    signature = parts[2];
    if (!decode_part(&header, decoded, &used) || !decode_part(&payload, decoded, &used) ||
        !decode_part(&signature, decoded, &used))
        return AUTH_MALFORMED;

    /* The algorithm is checked before the signature: a token asking for
     * "none" or another algorithm is refused as such, never verified. */
    r = json_claims_check_header((const char *)header.bytes, header.len);
    if (r != AUTH_OK)
        return r;

    /* JWS Signing Input: the first two parts exactly as they were sent. */
    if (!hs256(v, token, header.text_len + 1 + payload.text_len, mac) ||
        signature.len != HS256_LEN || CRYPTO_memcmp(mac, signature.bytes, HS256_LEN) != 0)
        return AUTH_BAD_SIGNATURE;

    r = json_claims_parse((const char *)payload.bytes, payload.len, &times, grants);
    if (r != AUTH_OK)
        return r;
    if (times.has_exp && now_s >= times.exp) /* RFC 7519 section 4.1.4 */
        return AUTH_EXPIRED;
    if (times.has_nbf && now_s < times.nbf) /* RFC 7519 section 4.1.5 */
        return AUTH_NOT_YET_VALID;
    grants->expires_at = times.has_exp ? times.exp : INT64_MAX;
    return AUTH_OK;
}

auth_result auth_check_token(const auth_verifier *v, const char *token, size_t len, int64_t now_s,
                             auth_grants *grants)
{
    auth_result r;

    if (!v || !grants)
        return AUTH_MALFORMED;
    if (!auth_enabled(v)) {
        grant_everything(grants);
        return AUTH_OK;
    }
    r = check_token(v, token, len, now_s, grants);
    if (r != AUTH_OK) /* a refused token grants nothing, even half-read */
        memset(grants, 0, sizeof *grants);
    return r;
}

static bool matches_any(const auth_pattern *list, size_t count, const char *topic, size_t len)
{
    if (!topic && len)
        return false;
    if (count > AUTH_MAX_PATTERNS)
        count = AUTH_MAX_PATTERNS;
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(list[i].text);
        if (list[i].prefix ? n <= len && memcmp(topic, list[i].text, n) == 0
                           : n == len && memcmp(topic, list[i].text, n) == 0)
            return true;
    }
    return false;
}

bool auth_may_subscribe(const auth_grants *g, const char *topic, size_t len)
{
    return g && matches_any(g->subscribe, g->subscribe_count, topic, len);
}

bool auth_may_publish(const auth_grants *g, const char *topic, size_t len)
{
    return g && matches_any(g->publish, g->publish_count, topic, len);
}

int auth_http_status(auth_result r)
{
    switch (r) {
    case AUTH_OK:
        return 200;
    case AUTH_FORBIDDEN:
        return 403;
    default: /* RFC 6750 section 3.1: invalid_token is a 401 */
        return 401;
    }
}

const char *auth_reason(auth_result r)
{
    switch (r) {
    case AUTH_OK:
        return "ok";
    case AUTH_MISSING:
        return "token missing";
    case AUTH_MALFORMED:
        return "token malformed";
    case AUTH_BAD_ALGORITHM:
        return "token algorithm is not HS256";
    case AUTH_BAD_SIGNATURE:
        return "token signature invalid";
    case AUTH_EXPIRED:
        return "token expired";
    case AUTH_NOT_YET_VALID:
        return "token not yet valid";
    case AUTH_REPEATED:
        return "token given more than once";
    case AUTH_FORBIDDEN:
        return "topic not granted";
    }
    return "unknown auth result";
}

size_t auth_sign_token(const auth_verifier *v, const char *claims_json, char *out, size_t out_cap)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    unsigned char mac[HS256_LEN];
    size_t claims_len, total, n = 0, written;

    if (out && out_cap)
        out[0] = '\0';
    if (!auth_enabled(v) || !claims_json || !out)
        return 0;
    claims_len = strlen(claims_json);
    if (claims_len > SIZE_MAX / 2)
        return 0;
    total = BASE64URL_ENCODED_LEN(sizeof header - 1) + 1 + BASE64URL_ENCODED_LEN(claims_len) + 1 +
            HS256_ENCODED_LEN;
    if (out_cap < total + 1)
        return 0;

    base64url_encode(header, sizeof header - 1, out, out_cap, &written);
    n += written;
    out[n++] = '.';
    base64url_encode(claims_json, claims_len, out + n, out_cap - n, &written);
    n += written;
    if (!hs256(v, out, n, mac)) {
        out[0] = '\0';
        return 0;
    }
    out[n++] = '.';
    base64url_encode(mac, sizeof mac, out + n, out_cap - n, &written);
    return n + written;
}
