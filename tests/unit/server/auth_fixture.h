/* Shared by the token tests: a verifier with a fixed secret, and ways to make
 * tokens: auth_sign_token, or by hand for headers it never writes. */
#ifndef SSEMUX_TEST_AUTH_FIXTURE_H
#define SSEMUX_TEST_AUTH_FIXTURE_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "base64url.h"
#include "check.h"

#define SECRET "ssemux-test-secret"
#define NOW 1800000000 /* 2027-01-15; the tokens below expire at 2000000000 */
#define TOKEN_CAP (2 * AUTH_MAX_TOKEN)

#define CHECK_AUTH(expected, got)                                                        \
    do {                                                                                 \
        const char *got_reason_ = auth_reason(got);                                      \
        CHECK_STR(auth_reason(expected), got_reason_, strlen(got_reason_));              \
    } while (0)

static inline auth_verifier verifier(void)
{
    auth_verifier v;
    if (!auth_verifier_init(&v, SECRET, strlen(SECRET)))
        abort(); /* a test setup bug, not a result */
    return v;
}

static inline auth_result check_at(const char *token, int64_t now, auth_grants *g)
{
    auth_verifier v = verifier();
    return auth_check_token(&v, token, strlen(token), now, g);
}

static inline auth_result check(const char *token)
{
    static auth_grants g;
    return check_at(token, NOW, &g);
}

/* auth_sign_token with the test secret; an empty string if it failed. */
static inline const char *sign(const char *claims, char *out)
{
    auth_verifier v = verifier();
    if (!auth_sign_token(&v, claims, out, TOKEN_CAP)) {
        fprintf(stderr, "auth_sign_token failed for %s\n", claims);
        check_failed_count++;
    }
    return out;
}

/* A token with any header, signed with any HMAC digest: for the headers
 * auth_sign_token never writes. */
static inline const char *sign_raw(const char *header, const char *claims, const EVP_MD *md,
                                   char *out)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    size_t n, written;

    base64url_encode(header, strlen(header), out, TOKEN_CAP, &n);
    out[n++] = '.';
    base64url_encode(claims, strlen(claims), out + n, TOKEN_CAP - n, &written);
    n += written;
    HMAC(md, SECRET, (int)strlen(SECRET), (const unsigned char *)out, n, mac, &mac_len);
    out[n++] = '.';
    base64url_encode(mac, mac_len, out + n, TOKEN_CAP - n, &written);
    return out;
}

static inline const char *sign_claims_with_header(const char *header, const char *claims,
                                                  char *out)
{
    return sign_raw(header, claims, EVP_sha256(), out);
}

/* Each claims text, signed correctly, must be refused as malformed. */
static inline void expect_malformed_claims(const char *test, const char *const *claims, size_t n)
{
    char token[TOKEN_CAP];
    for (size_t i = 0; i < n; i++) {
        auth_result r = check(sign(claims[i], token));
        if (r != AUTH_MALFORMED) {
            fprintf(stderr, "%s: claims %s: expected %s, got %s\n", test, claims[i],
                    auth_reason(AUTH_MALFORMED), auth_reason(r));
            check_failed_count++;
        }
    }
}

#endif
