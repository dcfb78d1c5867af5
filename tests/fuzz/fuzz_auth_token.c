/*
 * libFuzzer target for JWT checking (auth.h): auth_check_token, which reads
 * a hostile compact JWS (base64url.c), its JOSE header (before the
 * signature is checked, so anyone can reach that JSON parser) and, once
 * signed, its claims (json_claims.c).
 *
 * Input layout: [0] mode, [1..8] `now` (int64, little-endian), then:
 *   mode 0: a raw token, as a client would send it;
 *   mode 1: a claims JSON text (up to the first NUL), signed with
 *           auth_sign_token;
 *   mode 2: a header JSON text, NUL, a claims JSON text, both encoded and
 *           HMAC-signed here with OpenSSL directly, so the header parser
 *           sees any bytes behind a valid signature.
 *
 * Promises checked:
 *   - a refused token grants nothing; an accepted one holds only patterns
 *     auth.h allows, each granting its own topic, and is not expired;
 *   - a token accepted under one secret is refused under another, and one
 *     changed character anywhere in it makes it refused;
 *   - a token we signed is judged by its content alone: header first
 *     (json_claims_check_header), then claims (json_claims_parse) and the
 *     time claims against `now`, with exactly the grants the claims name;
 *   - base64url has one spelling per byte string: whatever decodes
 *     re-encodes to the same text, and encode-then-decode is the identity.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "base64url.h"
#include "fuzz_check.h"
#include "json_claims.h"

enum { HEADER_LEN = 9 };

static const char secret[] = "fuzz-secret-0123456789";
static const char other_secret[] = "fuzz-secret-0123456789!";
static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void check_pattern_list(const auth_grants *g, const auth_pattern *list, size_t count,
                               bool subscribe)
{
    CHECK(count <= AUTH_MAX_PATTERNS);
    for (size_t i = 0; i < count; i++) {
        const auth_pattern *p = &list[i];
        size_t n = strnlen(p->text, sizeof p->text);
        CHECK(n <= AUTH_MAX_PATTERN_LEN);
        CHECK(!memchr(p->text, '*', n));
        CHECK(p->prefix || n > 0);
        /* A pattern grants at least the topic it spells. */
        CHECK(subscribe ? auth_may_subscribe(g, p->text, n) : auth_may_publish(g, p->text, n));
    }
}

static void check_result(auth_result r, const auth_grants *g, int64_t now)
{
    static const auth_grants none;
    int status = auth_http_status(r);

    CHECK(r >= AUTH_OK && r <= AUTH_FORBIDDEN);
    CHECK(status == 200 || status == 401 || status == 403);
    CHECK(auth_reason(r) != NULL);
    if (r != AUTH_OK) {
        CHECK(memcmp(g, &none, sizeof none) == 0);
        return;
    }
    check_pattern_list(g, g->subscribe, g->subscribe_count, true);
    check_pattern_list(g, g->publish, g->publish_count, false);
    CHECK(now < g->expires_at);
}

static bool same_patterns(const auth_pattern *a, const auth_pattern *b, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (a[i].prefix != b[i].prefix || strcmp(a[i].text, b[i].text) != 0)
            return false;
    return true;
}

static bool same_grants(const auth_grants *a, const auth_grants *b)
{
    return a->subscribe_count == b->subscribe_count && a->publish_count == b->publish_count &&
           a->expires_at == b->expires_at &&
           same_patterns(a->subscribe, b->subscribe, a->subscribe_count) &&
           same_patterns(a->publish, b->publish, a->publish_count);
}

static auth_result check(const auth_verifier *v, const char *token, size_t len, int64_t now,
                         auth_grants *g)
{
    auth_result r = auth_check_token(v, token, len, now, g);
    check_result(r, g, now);
    return r;
}

/* Whatever we accept, nobody without the secret could have made, and no
 * character of it is optional. */
static void check_accepted_token(const char *token, size_t len, int64_t now, size_t change_at)
{
    auth_verifier other;
    auth_grants *g = malloc(sizeof *g);
    char *changed = malloc(len);
    const char *at;

    CHECK(g && changed);
    CHECK(auth_verifier_init(&other, other_secret, sizeof other_secret - 1));
    CHECK(check(&other, token, len, now, g) == AUTH_BAD_SIGNATURE);

    memcpy(changed, token, len);
    change_at %= len;
    at = memchr(alphabet, changed[change_at], 64);
    changed[change_at] = at ? alphabet[(at - alphabet + 1) % 64] : 'A';
    {
        auth_verifier v;
        CHECK(auth_verifier_init(&v, secret, sizeof secret - 1));
        CHECK(check(&v, changed, len, now, g) != AUTH_OK);
    }
    free(changed);
    free(g);
}

/* What auth_check_token must say about a correctly signed token. */
static auth_result expected_result(const char *header, size_t header_len, const char *claims,
                                   size_t claims_len, size_t token_len, int64_t now,
                                   auth_grants *want)
{
    json_claims_times times;
    auth_result r;

    if (token_len > AUTH_MAX_TOKEN)
        return AUTH_MALFORMED;
    r = json_claims_check_header(header, header_len);
    if (r != AUTH_OK)
        return r;
    if (json_claims_parse(claims, claims_len, &times, want) != AUTH_OK)
        return AUTH_MALFORMED;
    if (times.has_exp && now >= times.exp)
        return AUTH_EXPIRED;
    if (times.has_nbf && now < times.nbf)
        return AUTH_NOT_YET_VALID;
    want->expires_at = times.has_exp ? times.exp : INT64_MAX;
    return AUTH_OK;
}

static void check_signed(const char *token, size_t len, const char *header, size_t header_len,
                         const char *claims, size_t claims_len, int64_t now)
{
    auth_verifier v;
    auth_grants *got = malloc(sizeof *got), *want = malloc(sizeof *want);
    auth_result r, expected;

    CHECK(got && want);
    CHECK(auth_verifier_init(&v, secret, sizeof secret - 1));
    r = check(&v, token, len, now, got);
    expected = expected_result(header, header_len, claims, claims_len, len, now, want);
    if (r != expected) {
        fprintf(stderr, "fuzz_auth_token: got \"%s\", expected \"%s\"\n", auth_reason(r),
                auth_reason(expected));
        FAIL("a signed token is judged by its header, claims and now");
    }
    if (r == AUTH_OK) {
        CHECK(same_grants(got, want));
        check_accepted_token(token, len, now, (size_t)now ^ claims_len);
    }
    free(got);
    free(want);
}

/* ---- modes ------------------------------------------------------------ */

static void check_base64url(const char *text, size_t len)
{
    size_t cap = BASE64URL_DECODED_MAX(len) + 1, enc_cap = BASE64URL_ENCODED_LEN(len) + 1;
    unsigned char *bytes = malloc(cap);
    char *again = malloc(enc_cap > len + 1 ? enc_cap : len + 1);
    size_t n, m;

    CHECK(bytes && again);
    if (base64url_decode(text, len, bytes, cap, &n)) {
        CHECK(n == BASE64URL_DECODED_MAX(len));
        CHECK(base64url_encode(bytes, n, again, len + 1, &m));
        CHECK(m == len && memcmp(again, text, len) == 0);
    }
    /* Any bytes: encode, then decode gives them back. */
    CHECK(base64url_encode(text, len, again, enc_cap, &m) && m == BASE64URL_ENCODED_LEN(len));
    free(bytes);
    bytes = malloc(len + 1);
    CHECK(bytes);
    CHECK(base64url_decode(again, m, bytes, len + 1, &n) && n == len);
    CHECK(len == 0 || memcmp(bytes, text, len) == 0);
    free(bytes);
    free(again);
}

static void fuzz_raw_token(const char *token, size_t len, int64_t now)
{
    auth_verifier v, off;
    auth_grants *g = malloc(sizeof *g);
    const char *part = token, *end = token + len;

    CHECK(g);
    CHECK(auth_verifier_init(&v, secret, sizeof secret - 1));
    CHECK(auth_verifier_init(&off, NULL, 0));
    if (check(&v, token, len, now, g) == AUTH_OK)
        check_accepted_token(token, len, now, (size_t)now);
    /* Auth off: every token, even garbage, may do anything. */
    CHECK(auth_check_token(&off, token, len, now, g) == AUTH_OK);
    CHECK(auth_may_subscribe(g, "any", 3) && auth_may_publish(g, "any", 3));
    free(g);

    while (part <= end) {
        const char *dot = memchr(part, '.', (size_t)(end - part));
        size_t n = (size_t)((dot ? dot : end) - part);
        check_base64url(part, n);
        part += n + 1;
    }
}

static void fuzz_signed_claims(const char *body, size_t len, int64_t now)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    size_t claims_len = strnlen(body, len), cap, n;
    char *claims = malloc(claims_len + 1), *token;
    auth_verifier v;

    CHECK(claims);
    memcpy(claims, body, claims_len);
    claims[claims_len] = '\0';
    cap = BASE64URL_ENCODED_LEN(sizeof header - 1) + BASE64URL_ENCODED_LEN(claims_len) + 64;
    token = malloc(cap);
    CHECK(token);
    CHECK(auth_verifier_init(&v, secret, sizeof secret - 1));
    n = auth_sign_token(&v, claims, token, cap);
    CHECK(n > 0 && n < cap && token[n] == '\0');
    check_signed(token, n, header, sizeof header - 1, claims, claims_len, now);
    free(token);
    free(claims);
}

static size_t append_base64url(char *out, size_t at, size_t cap, const void *in, size_t len)
{
    size_t n;
    CHECK(base64url_encode(in, len, out + at, cap - at, &n));
    return at + n;
}

static void fuzz_signed_header(const char *body, size_t len, int64_t now)
{
    const char *nul = memchr(body, '\0', len);
    const char *header = body, *claims = nul ? nul + 1 : body + len;
    size_t header_len = (size_t)((nul ? nul : body + len) - body);
    size_t claims_len = (size_t)(body + len - claims);
    size_t cap = BASE64URL_ENCODED_LEN(header_len) + BASE64URL_ENCODED_LEN(claims_len) + 64, n;
    char *token = malloc(cap);
    unsigned char mac[32];
    unsigned int mac_len = 0;

    CHECK(token);
    n = append_base64url(token, 0, cap, header, header_len);
    token[n++] = '.';
    n = append_base64url(token, n, cap, claims, claims_len);
    CHECK(HMAC(EVP_sha256(), secret, (int)sizeof secret - 1, (const unsigned char *)token, n, mac,
               &mac_len) &&
          mac_len == sizeof mac);
    token[n++] = '.';
    n = append_base64url(token, n, cap, mac, sizeof mac);
    check_signed(token, n, header, header_len, claims, claims_len, now);
    free(token);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    uint64_t now_bits = 0;
    const char *body;
    size_t len;
    int64_t now;

    if (size < HEADER_LEN)
        return 0;
    for (int i = 8; i >= 1; i--)
        now_bits = now_bits << 8 | input[i];
    now = (int64_t)now_bits;
    len = size - HEADER_LEN;
    /* An exactly-sized copy, so ASan sees a read past the token. */
    body = malloc(len ? len : 1);
    CHECK(body);
    memcpy((char *)body, input + HEADER_LEN, len);
    switch (input[0] % 3) {
    case 0:
        fuzz_raw_token(body, len, now);
        break;
    case 1:
        fuzz_signed_claims(body, len, now);
        break;
    default:
        fuzz_signed_header(body, len, now);
        break;
    }
    free((char *)body);
    return 0;
}
