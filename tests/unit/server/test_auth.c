/*
 * Token checks (server/src/auth.h): structure, signature, algorithm, limits,
 * and known answers from independent implementations (node's crypto,
 * RFC 7515's worked example). The claims inside are tested in
 * test_auth_claims.c.
 */
#include "auth_fixture.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The base64url character whose value differs from c's in the lowest bit. */
static char flip(char c)
{
    const char *at = strchr(alphabet, c);
    return alphabet[(at - alphabet) ^ 1];
}

/* ---- accepted tokens ------------------------------------------------------ */

static void accepts_valid_token_and_reads_grants(void)
{
    char token[TOKEN_CAP];
    auth_grants g;

    sign("{\"sub\":\"demo\",\"exp\":2000000000,"
         "\"ssemux\":{\"subscribe\":[\"scores\",\"chat.*\"],\"publish\":[\"scores\"]}}",
         token);
    CHECK_AUTH(AUTH_OK, check_at(token, NOW, &g));
    CHECK_INT(2, g.subscribe_count);
    CHECK_STR("scores", g.subscribe[0].text, strlen(g.subscribe[0].text));
    CHECK(!g.subscribe[0].prefix);
    CHECK_STR("chat.", g.subscribe[1].text, strlen(g.subscribe[1].text));
    CHECK(g.subscribe[1].prefix);
    CHECK_INT(1, g.publish_count);
    CHECK_STR("scores", g.publish[0].text, strlen(g.publish[0].text));
    CHECK_INT(2000000000, g.expires_at);
    CHECK(auth_may_subscribe(&g, "chat.room1", 10));
    CHECK(auth_may_publish(&g, "scores", 6));
    CHECK(!auth_may_publish(&g, "chat.room1", 10));
}

/* ---- signature ------------------------------------------------------------ */

static void refuses_every_single_flipped_character(void)
{
    char token[TOKEN_CAP], bad[TOKEN_CAP];
    size_t len;

    sign("{\"exp\":2000000000,\"ssemux\":{\"subscribe\":[\"*\"]}}", token);
    len = strlen(token);
    for (size_t i = 0; i < len; i++) {
        if (token[i] == '.')
            continue;
        memcpy(bad, token, len + 1);
        bad[i] = flip(token[i]);
        auth_result r = check(bad);
        if (r == AUTH_OK) {
            fprintf(stderr, "%s: token with character %zu flipped was accepted\n", __func__, i);
            check_failed_count++;
        }
    }
}

static void refuses_flipped_payload_or_signature_as_bad_signature(void)
{
    char token[TOKEN_CAP], bad[TOKEN_CAP];
    const char *dot1, *dot2;

    sign("{\"exp\":2000000000,\"ssemux\":{\"subscribe\":[\"*\"]}}", token);
    dot1 = strchr(token, '.');
    dot2 = strchr(dot1 + 1, '.');

    strcpy(bad, token);
    bad[(dot1 - token) + 5] = flip(bad[(dot1 - token) + 5]);
    CHECK_AUTH(AUTH_BAD_SIGNATURE, check(bad));

    strcpy(bad, token);
    bad[(dot2 - token) + 5] = flip(bad[(dot2 - token) + 5]);
    CHECK_AUTH(AUTH_BAD_SIGNATURE, check(bad));
}

/* A signature is exactly 32 bytes: a prefix of the right MAC, or the right
 * MAC with bytes after it, is not it. */
static void refuses_signature_of_the_wrong_length(void)
{
    char token[TOKEN_CAP], bad[TOKEN_CAP];
    unsigned char mac[64];
    size_t mac_len, sig, n;

    sign("{\"exp\":2000000000}", token);
    sig = (size_t)(strrchr(token, '.') - token) + 1;
    CHECK(base64url_decode(token + sig, strlen(token + sig), mac, sizeof mac, &mac_len));
    CHECK_INT(32, mac_len);
    memcpy(bad, token, sig);

    mac[32] = 0;
    base64url_encode(mac, 33, bad + sig, sizeof bad - sig, &n);
    CHECK_AUTH(AUTH_BAD_SIGNATURE, check(bad));
    base64url_encode(mac, 16, bad + sig, sizeof bad - sig, &n);
    CHECK_AUTH(AUTH_BAD_SIGNATURE, check(bad));
    bad[sig] = '\0';
    CHECK_AUTH(AUTH_BAD_SIGNATURE, check(bad));
}

static void signature_covers_the_header(void)
{
    char token[TOKEN_CAP], other[TOKEN_CAP], spliced[2 * TOKEN_CAP];

    /* Same claims, another valid header: the old signature must not fit. */
    sign("{\"exp\":2000000000}", token);
    sign_claims_with_header("{\"alg\":\"HS256\",\"typ\":\"JWS\"}", "{\"exp\":2000000000}", other);
    CHECK_AUTH(AUTH_OK, check(other));
    snprintf(spliced, sizeof spliced, "%.*s%s", (int)(strchr(other, '.') - other), other,
             strchr(token, '.'));
    CHECK_AUTH(AUTH_BAD_SIGNATURE, check(spliced));
}

static void refuses_token_signed_with_another_secret(void)
{
    char token[TOKEN_CAP];
    auth_verifier other;
    auth_grants g;

    CHECK(auth_verifier_init(&other, "another-secret", 14));
    CHECK(auth_sign_token(&other, "{\"exp\":2000000000}", token, sizeof token) > 0);
    CHECK_AUTH(AUTH_BAD_SIGNATURE, check_at(token, NOW, &g));
}

/* ---- algorithm -------------------------------------------------------- */

/* ---- algorithm ------------------------------------------------------------ */

static void refuses_alg_none(void)
{
    char token[TOKEN_CAP], header[64], claims[64];
    size_t n;

    /* The classic forgery: no signature at all. */
    base64url_encode("{\"alg\":\"none\",\"typ\":\"JWT\"}", 26, header, sizeof header, &n);
    base64url_encode("{\"exp\":2000000000}", 18, claims, sizeof claims, &n);
    snprintf(token, sizeof token, "%s.%s.", header, claims);
    CHECK_AUTH(AUTH_BAD_ALGORITHM, check(token));

    /* Refused for what it asks, even with a signature that would verify. */
    sign_claims_with_header("{\"alg\":\"none\"}", "{\"exp\":2000000000}", token);
    CHECK_AUTH(AUTH_BAD_ALGORITHM, check(token));
}

static void refuses_other_algorithms(void)
{
    static const char *const headers[] = {
        "{\"typ\":\"JWT\"}",        "{\"alg\":\"hs256\"}",   "{\"alg\":\"HS256 \"}",
        "{\"alg\":\"HS256\\u0000\"}", "{\"alg\":\"RS256\"}",   "{\"alg\":256}",
        "{\"alg\":[\"HS256\"]}",    "{\"alg\":{\"HS256\":1}}", "{\"alg\":null}",
        "{\"x\":{\"alg\":\"HS256\"}}",
    };
    char token[TOKEN_CAP];

    sign_raw("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", "{\"exp\":2000000000}", EVP_sha512(), token);
    CHECK_AUTH(AUTH_BAD_ALGORITHM, check(token));
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        sign_claims_with_header(headers[i], "{\"exp\":2000000000}", token);
        auth_result r = check(token);
        if (r != AUTH_BAD_ALGORITHM) {
            fprintf(stderr, "%s: header %s: expected %s, got %s\n", __func__, headers[i],
                    auth_reason(AUTH_BAD_ALGORITHM), auth_reason(r));
            check_failed_count++;
        }
    }
}

static void refuses_repeated_alg_and_crit(void)
{
    char token[TOKEN_CAP];

    const char *claims = "{\"exp\":2000000000}";

    sign_claims_with_header("{\"alg\":\"HS256\",\"alg\":\"none\"}", claims, token);
    CHECK_AUTH(AUTH_MALFORMED, check(token));
    sign_claims_with_header("{\"alg\":\"none\",\"alg\":\"HS256\"}", claims, token);
    CHECK_AUTH(AUTH_MALFORMED, check(token));
    sign_claims_with_header("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", claims,
                            token);
    CHECK_AUTH(AUTH_MALFORMED, check(token));
    /* Without "crit" an unknown member is just ignored. */
    sign_claims_with_header("{\"alg\":\"HS256\",\"b64\":false}", claims, token);
    CHECK_AUTH(AUTH_OK, check(token));
}

/* ---- malformed -------------------------------------------------------- */

/* ---- malformed ------------------------------------------------------------ */

static void missing_or_empty_token_is_missing(void)
{
    auth_verifier v = verifier();
    auth_grants g;

    CHECK_AUTH(AUTH_MISSING, auth_check_token(&v, NULL, 0, NOW, &g));
    CHECK_AUTH(AUTH_MISSING, auth_check_token(&v, "", 0, NOW, &g));
    CHECK_INT(401, auth_http_status(AUTH_MISSING));
}

/* ---- grants and patterns ---------------------------------------------- */

static void refuses_wrong_number_of_parts(void)
{
    char token[TOKEN_CAP], bad[2 * TOKEN_CAP + 2];

    sign("{\"exp\":2000000000}", token);
    snprintf(bad, sizeof bad, "%.*s", (int)(strrchr(token, '.') - token), token);
    CHECK_AUTH(AUTH_MALFORMED, check(bad)); /* header.payload */
    snprintf(bad, sizeof bad, "%s.%s", token, strrchr(token, '.') + 1);
    CHECK_AUTH(AUTH_MALFORMED, check(bad)); /* four parts */
    snprintf(bad, sizeof bad, "%s.", token);
    CHECK_AUTH(AUTH_MALFORMED, check(bad));
    CHECK_AUTH(AUTH_MALFORMED, check(".."));
    CHECK_AUTH(AUTH_MALFORMED, check("abc"));
}

static void refuses_bad_base64(void)
{
    static const char *const insert[] = {"=", "+", "/", " ", "!", "\n", "%3D"};
    char token[TOKEN_CAP], bad[TOKEN_CAP + 8];
    size_t sig;

    sign("{\"exp\":2000000000}", token);
    sig = (size_t)(strrchr(token, '.') - token) + 1;
    for (size_t i = 0; i < sizeof insert / sizeof insert[0]; i++) {
        /* in the header, and appended to the signature as padding would be */
        snprintf(bad, sizeof bad, "%.4s%s%s", token, insert[i], token + 4);
        CHECK_AUTH(AUTH_MALFORMED, check(bad));
        snprintf(bad, sizeof bad, "%s%s", token, insert[i]);
        CHECK_AUTH(AUTH_MALFORMED, check(bad));
    }
    /* A second spelling of the same signature bytes (unused bits set). */
    strcpy(bad, token);
    bad[strlen(bad) - 1] = flip(bad[strlen(bad) - 1]);
    CHECK_AUTH(AUTH_MALFORMED, check(bad));
    CHECK_INT(43, strlen(token + sig));
}

static void refuses_invalid_json(void)
{
    static const char *const claims[] = {
        "",
        "{",
        "{\"exp\":2000000000",
        "not json",
        "[\"exp\",2000000000]",
        "\"exp\"",
        "{\"exp\":2000000000}x",
        "{\"exp\":2000000000}{}",
        "{\"exp\":2000000000 # comment\n}",
        "{\"exp\":2000000000,}",
        "{\"exp\":0x10}",
        "{\"exp\":1.}",
        "{\"exp\":tru}",
        "{\"a\":\"\x01\"}",
        "{\"a\":\"\\q\"}",
        "{'exp':1}",
    };
    char token[TOKEN_CAP];

    expect_malformed_claims(__func__, claims, sizeof claims / sizeof claims[0]);
    sign_claims_with_header("{\"alg\":\"HS256\"", "{\"exp\":2000000000}", token);
    CHECK_AUTH(AUTH_MALFORMED, check(token));
    sign_claims_with_header("[\"alg\",\"HS256\"]", "{\"exp\":2000000000}", token);
    CHECK_AUTH(AUTH_MALFORMED, check(token));
}

static void refuses_tokens_longer_than_the_limit(void)
{
    char claims[AUTH_MAX_TOKEN], token[TOKEN_CAP];
    size_t pad, len = 0, longest = 0;

    /* Find the padding that makes the longest token still within the limit. */
    for (pad = 0; pad < AUTH_MAX_TOKEN; pad++) {
        snprintf(claims, sizeof claims, "{\"exp\":2000000000,\"pad\":\"%0*d\"}", (int)pad + 1, 0);
        len = strlen(sign(claims, token));
        if (len > AUTH_MAX_TOKEN)
            break;
        longest = len;
        CHECK_AUTH(AUTH_OK, check(token));
    }
    CHECK(longest + 3 >= AUTH_MAX_TOKEN); /* the search got close to the limit */
    CHECK(len > AUTH_MAX_TOKEN);
    CHECK_AUTH(AUTH_MALFORMED, check(token));

    /* Plainly huge: refused before anything is decoded. */
    char *huge = malloc(1 << 20);
    memset(huge, 'A', 1 << 20);
    huge[(1 << 20) - 1] = '\0';
    CHECK_AUTH(AUTH_MALFORMED, check(huge));
    free(huge);
}

static void refuses_json_beyond_the_parser_limits(void)
{
    char header[600], claims[600], token[TOKEN_CAP];
    size_t n;

    /* A 300-byte key: LEJP 4.1.6 would copy it into a 128-byte path. */
    n = (size_t)snprintf(header, sizeof header, "{\"alg\":\"HS256\",\"");
    memset(header + n, 'k', 300);
    snprintf(header + n + 300, sizeof header - n - 300, "\":1}");
    sign_claims_with_header(header, "{\"exp\":2000000000}", token);
    CHECK_AUTH(AUTH_MALFORMED, check(token));

    /* Keys that are short alone but long together along one path. */
    strcpy(claims, "{");
    for (int i = 0; i < 5; i++)
        strcat(claims, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":{");
    strcat(claims, "\"x\":1");
    for (int i = 0; i < 5; i++)
        strcat(claims, "}");
    strcat(claims, "}");
    CHECK_AUTH(AUTH_MALFORMED, check(sign(claims, token)));

    /* Arrays nested deeper than LEJP's index stack, and deep objects. */
    CHECK_AUTH(AUTH_MALFORMED, check(sign("{\"a\":[[[[[[1]]]]]]}", token)));
    CHECK_AUTH(AUTH_MALFORMED,
               check(sign("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{"
                          "\"j\":{\"k\":{\"l\":1}}}}}}}}}}}}",
                          token)));
    /* Within the limits the same shapes are fine. */
    CHECK_AUTH(AUTH_OK, check(sign("{\"a\":[[[1]]],\"b\":{\"c\":{\"d\":{}}}}", token)));
}

/* ---- signing and known answers -------------------------------------------- */

static void signed_tokens_round_trip(void)
{
    auth_verifier v = verifier();
    const char *claims = "{\"exp\":2000000000,\"ssemux\":{\"publish\":[\"feed.*\"]}}";
    char token[TOKEN_CAP];
    size_t len;
    auth_grants g;

    len = auth_sign_token(&v, claims, token, sizeof token);
    CHECK_INT(strlen(token), len);
    CHECK_AUTH(AUTH_OK, auth_check_token(&v, token, len, NOW, &g));
    CHECK(auth_may_publish(&g, "feed.1", 6));

    /* out_cap must hold the token and its NUL. */
    char exact[256];
    CHECK_INT(0, auth_sign_token(&v, claims, exact, len));
    CHECK_INT(len, auth_sign_token(&v, claims, exact, len + 1));
    CHECK_STR(token, exact, strlen(exact));

    /* Only the token's own length is read. */
    memcpy(exact, token, len);
    strcpy(exact + len, ".junk");
    CHECK_AUTH(AUTH_OK, auth_check_token(&v, exact, len, NOW, &g));
}

/*
 * Made by node 20's crypto, independently of this code:
 *
 * node -e 'const c=require("crypto");const b=s=>Buffer.from(s).toString("base64url");
 *   const h=b(JSON.stringify({alg:"HS256",typ:"JWT"}));
 *   const p=b(JSON.stringify({exp:2000000000,nbf:1700000000.5,
 *     ssemux:{subscribe:["scores","chat.*"],publish:["scores"]}}));
 *   const s=c.createHmac("sha256","ssemux-test-secret").update(h+"."+p).digest("base64url");
 *   console.log(h+"."+p+"."+s)'
 */
static const char node_token[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJleHAiOjIwMDAwMDAwMDAsIm5iZiI6MTcwMDAwMDAwMC41LCJzc2VtdXgiOnsic3Vic2NyaWJlIjpbInNjb3Jl"
    "cyIsImNoYXQuKiJdLCJwdWJsaXNoIjpbInNjb3JlcyJdfX0."
    "O571EpDAwScEkgUf_JRhhbAZy_pvjlF5X3Q7GMM7jyM";

static void accepts_token_made_by_node(void)
{
    auth_grants g;
    char token[TOKEN_CAP];

    CHECK_AUTH(AUTH_OK, check_at(node_token, NOW, &g));
    CHECK(auth_may_subscribe(&g, "chat.lobby", 10));
    CHECK(auth_may_publish(&g, "scores", 6));
    CHECK_INT(2000000000, g.expires_at);
    CHECK_AUTH(AUTH_NOT_YET_VALID, check_at(node_token, 1700000000, &g));
    CHECK_AUTH(AUTH_OK, check_at(node_token, 1700000001, &g));

    /* And auth_sign_token writes the very same bytes for the same claims. */
    sign("{\"exp\":2000000000,\"nbf\":1700000000.5,"
         "\"ssemux\":{\"subscribe\":[\"scores\",\"chat.*\"],\"publish\":[\"scores\"]}}",
         token);
    CHECK_STR(node_token, token, strlen(token));
}

/* RFC 7515 appendix A.1: the JWS example with HMAC SHA-256. Its header has
 * CR LF inside and "typ" first; its key is the JWK "k" value decoded. */
static void accepts_rfc7515_example(void)
{
    static const char k[] =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    static const char token[] =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
        "cnVlfQ."
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    unsigned char key[64];
    size_t key_len = 0;
    auth_verifier v;
    auth_grants g;

    CHECK(base64url_decode(k, strlen(k), key, sizeof key, &key_len));
    CHECK(auth_verifier_init(&v, key, key_len));
    CHECK_AUTH(AUTH_OK, auth_check_token(&v, token, strlen(token), 1300819379, &g));
    CHECK_INT(1300819380, g.expires_at);
    CHECK_INT(0, g.subscribe_count);
    CHECK_AUTH(AUTH_EXPIRED, auth_check_token(&v, token, strlen(token), 1300819380, &g));
}

/* ---- verifier and results --------------------------------------------- */

/* ---- verifier and results ------------------------------------------------- */

static void disabled_verifier_allows_everything(void)
{
    auth_verifier v;
    auth_grants g;
    char token[TOKEN_CAP];

    CHECK(auth_verifier_init(&v, NULL, 0));
    CHECK(!auth_enabled(&v));
    CHECK_AUTH(AUTH_OK, auth_check_token(&v, NULL, 0, NOW, &g));
    CHECK(auth_may_subscribe(&g, "anything", 8));
    CHECK(auth_may_publish(&g, "anything", 8));
    CHECK_INT(INT64_MAX, g.expires_at);
    CHECK_INT(0, auth_sign_token(&v, "{}", token, sizeof token));
}

static void refuses_secret_longer_than_the_limit(void)
{
    static unsigned char secret[AUTH_MAX_SECRET + 1];
    auth_verifier v;

    CHECK(auth_verifier_init(&v, secret, AUTH_MAX_SECRET));
    CHECK(auth_enabled(&v));
    CHECK(!auth_verifier_init(&v, secret, AUTH_MAX_SECRET + 1));
}

static void maps_results_to_statuses_and_reasons(void)
{
    CHECK_INT(200, auth_http_status(AUTH_OK));
    CHECK_INT(401, auth_http_status(AUTH_MISSING));
    CHECK_INT(401, auth_http_status(AUTH_MALFORMED));
    CHECK_INT(401, auth_http_status(AUTH_BAD_ALGORITHM));
    CHECK_INT(401, auth_http_status(AUTH_BAD_SIGNATURE));
    CHECK_INT(401, auth_http_status(AUTH_EXPIRED));
    CHECK_INT(401, auth_http_status(AUTH_NOT_YET_VALID));
    CHECK_INT(403, auth_http_status(AUTH_FORBIDDEN));
    CHECK_STR("token expired", auth_reason(AUTH_EXPIRED), strlen(auth_reason(AUTH_EXPIRED)));
    CHECK_STR("topic not granted", auth_reason(AUTH_FORBIDDEN),
              strlen(auth_reason(AUTH_FORBIDDEN)));
    /* Reasons go into JSON bodies unescaped: keep them plain. */
    for (int r = AUTH_OK; r <= AUTH_FORBIDDEN; r++)
        CHECK(strpbrk(auth_reason((auth_result)r), "\"\\") == NULL);
}

int main(void)
{
    RUN(accepts_valid_token_and_reads_grants);
    RUN(refuses_every_single_flipped_character);
    RUN(refuses_flipped_payload_or_signature_as_bad_signature);
    RUN(refuses_signature_of_the_wrong_length);
    RUN(signature_covers_the_header);
    RUN(refuses_token_signed_with_another_secret);
    RUN(refuses_alg_none);
    RUN(refuses_other_algorithms);
    RUN(refuses_repeated_alg_and_crit);
    RUN(missing_or_empty_token_is_missing);
    RUN(refuses_wrong_number_of_parts);
    RUN(refuses_bad_base64);
    RUN(refuses_invalid_json);
    RUN(refuses_tokens_longer_than_the_limit);
    RUN(refuses_json_beyond_the_parser_limits);
    RUN(signed_tokens_round_trip);
    RUN(accepts_token_made_by_node);
    RUN(accepts_rfc7515_example);
    RUN(disabled_verifier_allows_everything);
    RUN(refuses_secret_longer_than_the_limit);
    RUN(maps_results_to_statuses_and_reasons);
    return check_report();
}
