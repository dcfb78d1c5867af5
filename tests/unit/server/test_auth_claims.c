/*
 * The claims of a token (server/src/auth.h, json_claims.c): "exp" and "nbf",
 * the "ssemux" grants and their types, and topic patterns.
 */
#include "auth_fixture.h"

/* ---- time ----------------------------------------------------------------- */

static void token_without_exp_never_expires(void)
{
    char token[TOKEN_CAP];
    auth_grants g;

    sign("{\"ssemux\":{\"subscribe\":[\"*\"]}}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, INT64_MAX, &g));
    CHECK_INT(INT64_MAX, g.expires_at);
}

static void refuses_token_from_its_exp_second_on(void)
{
    char token[TOKEN_CAP];
    auth_grants g;

    sign("{\"exp\":1800000000,\"ssemux\":{\"subscribe\":[\"*\"]}}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, 1799999999, &g));
    CHECK_AUTH(AUTH_EXPIRED, check_at(token, 1800000000, &g));
    CHECK_AUTH(AUTH_EXPIRED, check_at(token, 1900000000, &g));
    CHECK_INT(0, g.subscribe_count); /* a refused token grants nothing */
}

static void refuses_token_before_nbf(void)
{
    char token[TOKEN_CAP];
    auth_grants g;

    sign("{\"nbf\":1800000000,\"exp\":2000000000}", token);
    CHECK_AUTH(AUTH_NOT_YET_VALID, check_at(token, 1799999999, &g));
    CHECK_AUTH(AUTH_OK, check_at(token, 1800000000, &g));
}

static void rounds_fractional_and_exponent_times_up(void)
{
    static const struct {
        const char *claims;
        int64_t last_valid; /* now <= this: OK; one more second: expired */
    } cases[] = {
        {"{\"exp\":100.5}", 100},
        {"{\"exp\":100.0}", 99},
        {"{\"exp\":1.7e9}", 1699999999},
        {"{\"exp\":17E8}", 1699999999},
        {"{\"exp\":1700000000.000001}", 1700000000},
        {"{\"exp\":170000000000E-2}", 1699999999},
        {"{\"exp\":170000000001E-2}", 1700000000},
        {"{\"exp\":0.5}", 0},
        {"{\"exp\":-0.5}", -1},
        {"{\"exp\":-10}", -11},
        {"{\"exp\":9223372036854775806}", INT64_MAX - 2},
    };
    char token[TOKEN_CAP];
    auth_grants g;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sign(cases[i].claims, token);
        if (check_at(token, cases[i].last_valid, &g) != AUTH_OK ||
            check_at(token, cases[i].last_valid + 1, &g) != AUTH_EXPIRED) {
            fprintf(stderr, "%s: %s: expected OK at %lld and expired one second later\n",
                    __func__, cases[i].claims, (long long)cases[i].last_valid);
            check_failed_count++;
        }
    }

    sign("{\"nbf\":50.25}", token);
    CHECK_AUTH(AUTH_NOT_YET_VALID, check_at(token, 50, &g));
    CHECK_AUTH(AUTH_OK, check_at(token, 51, &g));
}

static void saturates_times_beyond_int64(void)
{
    char token[TOKEN_CAP];
    auth_grants g;

    sign("{\"exp\":1e30}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, INT64_MAX - 1, &g));
    CHECK_INT(INT64_MAX, g.expires_at);
    sign("{\"exp\":99999999999999999999}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, INT64_MAX - 1, &g));
    /* Between INT64_MAX and UINT64_MAX: must not wrap to a negative time. */
    sign("{\"exp\":10000000000000000000}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, INT64_MAX - 1, &g));
    CHECK_INT(INT64_MAX, g.expires_at);
    sign("{\"exp\":-9223372036854775808}", token);
    CHECK_AUTH(AUTH_EXPIRED, check_at(token, INT64_MIN, &g));
    sign("{\"nbf\":-9223372036854775807}", token);
    CHECK_AUTH(AUTH_NOT_YET_VALID, check_at(token, INT64_MIN, &g));
    CHECK_AUTH(AUTH_OK, check_at(token, INT64_MIN + 1, &g));
    sign("{\"exp\":-1e30}", token);
    CHECK_AUTH(AUTH_EXPIRED, check_at(token, INT64_MIN, &g));
    sign("{\"nbf\":1e999}", token);
    CHECK_AUTH(AUTH_NOT_YET_VALID, check_at(token, INT64_MAX - 1, &g));
}

/* ---- signature -------------------------------------------------------- */

/* ---- claim types ---------------------------------------------------------- */

static void accepts_whitespace_and_unknown_members(void)
{
    char token[TOKEN_CAP];
    auth_grants g;

    sign_claims_with_header(" {\"typ\" : \"JWT\", \"kid\":\"k1\",\n\"alg\":\"HS256\"} ",
                            "{ \"iss\":\"me\", \"aud\":[\"a\",{\"b\":[1,2]}],\r\n"
                            "  \"ssemux\" : { \"future\": {\"x\": [true, null]},"
                            " \"subscribe\" : [ \"a\" ] } }\n",
                            token);
    CHECK_AUTH(AUTH_OK, check_at(token, NOW, &g));
    CHECK_INT(1, g.subscribe_count);
    CHECK_INT(0, g.publish_count);
}

/* ---- time ------------------------------------------------------------- */

static void empty_objects_are_valid_json(void)
{
    char token[TOKEN_CAP];
    auth_grants g;

    /* LEJP 4.1.6 refuses a top-level {} by itself; auth.c must not. */
    CHECK_AUTH(AUTH_OK, check_at(sign("{}", token), NOW, &g));
    CHECK_INT(0, g.subscribe_count);
    CHECK_INT(INT64_MAX, g.expires_at);
    CHECK_AUTH(AUTH_OK, check(sign(" {\n} ", token)));
    CHECK_AUTH(AUTH_MALFORMED, check(sign("{}}", token)));
    CHECK_AUTH(AUTH_MALFORMED, check(sign("{}x", token)));
    CHECK_AUTH(AUTH_MALFORMED, check(sign("{ {}", token)));
    sign_claims_with_header("{}", "{\"exp\":2000000000}", token);
    CHECK_AUTH(AUTH_BAD_ALGORITHM, check(token));
}

static void refuses_wrongly_typed_or_repeated_claims(void)
{
    static const char *const claims[] = {
        "{\"exp\":\"2000000000\"}",
        "{\"exp\":null}",
        "{\"exp\":[2000000000]}",
        "{\"nbf\":{}}",
        "{\"nbf\":true}",
        "{\"exp\":2000000000,\"exp\":1}",
        "{\"ssemux\":[\"scores\"]}",
        "{\"ssemux\":\"scores\"}",
        "{\"ssemux\":null}",
        "{\"ssemux\":{},\"ssemux\":{}}",
        "{\"ssemux\":{\"subscribe\":\"scores\"}}",
        "{\"ssemux\":{\"subscribe\":{\"scores\":true}}}",
        "{\"ssemux\":{\"subscribe\":[1]}}",
        "{\"ssemux\":{\"subscribe\":[null]}}",
        "{\"ssemux\":{\"subscribe\":[[\"scores\"]]}}",
        "{\"ssemux\":{\"subscribe\":[{\"t\":\"scores\"}]}}",
        "{\"ssemux\":{\"subscribe\":[\"a\"],\"subscribe\":[\"b\"]}}",
        "{\"ssemux\":{\"publish\":[\"a\"],\"publish\":[]}}",
    };
    expect_malformed_claims(__func__, claims, sizeof claims / sizeof claims[0]);
}

/* Claims that spell "ssemux.subscribe" some other way grant nothing. */
static void ignores_lookalike_claims(void)
{
    static const char *const claims[] = {
        "{\"ssemux.subscribe\":[\"*\"]}",
        "{\"\":{\"ssemux.subscribe\":[\"*\"]}}",
        "{\"\":{\"ssemux\":{\"subscribe\":[\"*\"]}}}",
        "{\"other\":{\"ssemux\":{\"subscribe\":[\"*\"]}}}",
        "{\"ssemux\":{\"other\":{\"subscribe\":[\"*\"]}}}",
        "{\"ssemux\\u0000\":{\"subscribe\":[\"*\"]}}",
        "{\"ssemux\":{\"subscribe\\u0000x\":[\"*\"]}}",
        "{\"SSEMUX\":{\"subscribe\":[\"*\"]}}",
        "{\"ssemux\":{\"Subscribe\":[\"*\"]}}",
    };
    char token[TOKEN_CAP];
    auth_grants g;

    for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
        auth_result r = check_at(sign(claims[i], token), NOW, &g);
        if (r != AUTH_OK || g.subscribe_count != 0 || auth_may_subscribe(&g, "x", 1)) {
            fprintf(stderr, "%s: claims %s: expected OK with no grants, got %s and %zu\n",
                    __func__, claims[i], auth_reason(r), g.subscribe_count);
            check_failed_count++;
        }
    }
}

/* ---- grants and patterns -------------------------------------------------- */

static void missing_ssemux_claim_grants_nothing(void)
{
    char token[TOKEN_CAP];
    auth_grants g;

    sign("{\"sub\":\"x\",\"exp\":2000000000}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, NOW, &g));
    CHECK_INT(0, g.subscribe_count);
    CHECK_INT(0, g.publish_count);
    CHECK(!auth_may_subscribe(&g, "scores", 6));
    CHECK(!auth_may_publish(&g, "scores", 6));
    CHECK(!auth_may_subscribe(&g, "", 0));

    sign("{\"ssemux\":{}}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, NOW, &g));
    CHECK(!auth_may_subscribe(&g, "scores", 6));
    sign("{\"ssemux\":{\"subscribe\":[],\"publish\":[]}}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, NOW, &g));
    CHECK(!auth_may_subscribe(&g, "scores", 6));
}

static auth_grants grants_for(const char *subscribe_json)
{
    char claims[512], token[TOKEN_CAP];
    auth_grants g;

    snprintf(claims, sizeof claims, "{\"ssemux\":{\"subscribe\":%s}}", subscribe_json);
    if (check_at(sign(claims, token), NOW, &g) != AUTH_OK) {
        fprintf(stderr, "grants_for(%s) was refused\n", subscribe_json);
        check_failed_count++;
    }
    return g;
}

static void matches_exact_and_prefix_patterns(void)
{
    auth_grants g = grants_for("[\"scores\",\"chat.*\"]");

    CHECK(auth_may_subscribe(&g, "scores", 6));
    CHECK(!auth_may_subscribe(&g, "scores2", 7));  /* exact is exact */
    CHECK(!auth_may_subscribe(&g, "score", 5));
    CHECK(!auth_may_subscribe(&g, "Scores", 6));
    CHECK(auth_may_subscribe(&g, "chat.", 5));
    CHECK(auth_may_subscribe(&g, "chat.room.1", 11));
    CHECK(!auth_may_subscribe(&g, "chat", 4));      /* prefix longer than topic */
    CHECK(!auth_may_subscribe(&g, "chatter", 7));
    CHECK(!auth_may_subscribe(&g, "news", 4));
    CHECK(!auth_may_publish(&g, "scores", 6));      /* lists are separate */
    /* The topic is a byte range, not a C string. */
    CHECK(auth_may_subscribe(&g, "scoresXYZ", 6));
    CHECK(!auth_may_subscribe(&g, "scores\0x", 8));
}

static void star_alone_matches_everything(void)
{
    auth_grants g = grants_for("[\"*\"]");

    CHECK(auth_may_subscribe(&g, "scores", 6));
    CHECK(auth_may_subscribe(&g, "", 0));
    CHECK(auth_may_subscribe(&g, "a.b.c", 5));
    CHECK(!auth_may_publish(&g, "scores", 6));
}

static void enforces_pattern_limits(void)
{
    char list[AUTH_MAX_PATTERNS * 8 + 512], claims[sizeof list + 64], token[TOKEN_CAP];
    char longest[AUTH_MAX_PATTERN_LEN + 2];
    auth_grants g;
    size_t n = 0;

    /* AUTH_MAX_PATTERNS patterns are fine; one more is malformed, not cut. */
    n += (size_t)snprintf(list + n, sizeof list - n, "[\"t0\"");
    for (int i = 1; i < AUTH_MAX_PATTERNS; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, ",\"t%d\"", i);
    snprintf(claims, sizeof claims, "{\"ssemux\":{\"publish\":%s]}}", list);
    CHECK_AUTH(AUTH_OK, check_at(sign(claims, token), NOW, &g));
    CHECK_INT(AUTH_MAX_PATTERNS, g.publish_count);
    CHECK(auth_may_publish(&g, "t31", 3));
    snprintf(claims, sizeof claims, "{\"ssemux\":{\"publish\":%s,\"t32\"]}}", list);
    CHECK_AUTH(AUTH_MALFORMED, check_at(sign(claims, token), NOW, &g));
    CHECK_INT(0, g.publish_count);

    /* AUTH_MAX_PATTERN_LEN bytes as written (the '*' counts) are fine. */
    memset(longest, 'p', AUTH_MAX_PATTERN_LEN);
    longest[AUTH_MAX_PATTERN_LEN] = '\0';
    snprintf(claims, sizeof claims, "{\"ssemux\":{\"subscribe\":[\"%s\"]}}", longest);
    CHECK_AUTH(AUTH_OK, check_at(sign(claims, token), NOW, &g));
    CHECK(auth_may_subscribe(&g, longest, AUTH_MAX_PATTERN_LEN));
    longest[AUTH_MAX_PATTERN_LEN - 1] = '*';
    snprintf(claims, sizeof claims, "{\"ssemux\":{\"subscribe\":[\"%s\"]}}", longest);
    CHECK_AUTH(AUTH_OK, check_at(sign(claims, token), NOW, &g));
    CHECK(g.subscribe[0].prefix);
    longest[AUTH_MAX_PATTERN_LEN - 1] = 'p';
    longest[AUTH_MAX_PATTERN_LEN] = 'p';
    longest[AUTH_MAX_PATTERN_LEN + 1] = '\0';
    snprintf(claims, sizeof claims, "{\"ssemux\":{\"subscribe\":[\"%s\"]}}", longest);
    CHECK_AUTH(AUTH_MALFORMED, check_at(sign(claims, token), NOW, &g));

    /* Longer than one LEJP string chunk (254 bytes). */
    char very_long[400];
    memset(very_long, 'q', 300);
    very_long[300] = '\0';
    snprintf(claims, sizeof claims, "{\"ssemux\":{\"subscribe\":[\"%s\"]}}", very_long);
    CHECK_AUTH(AUTH_MALFORMED, check_at(sign(claims, token), NOW, &g));

    CHECK_AUTH(AUTH_MALFORMED, check(sign("{\"ssemux\":{\"subscribe\":[\"\"]}}", token)));
    CHECK_AUTH(AUTH_MALFORMED, check(sign("{\"ssemux\":{\"subscribe\":[\"a*b\"]}}", token)));
    CHECK_AUTH(AUTH_MALFORMED, check(sign("{\"ssemux\":{\"subscribe\":[\"**\"]}}", token)));
    CHECK_AUTH(AUTH_MALFORMED,
               check(sign("{\"ssemux\":{\"subscribe\":[\"a\\u0000b\"]}}", token)));
}

/* The claims are read by the same JSON reader as publish bodies
 * (json_object.c): surrogate pairs become one UTF-8 character, and a lone
 * half anywhere, even in a claim ssemux ignores, makes the token malformed. */
static void decodes_json_escapes_like_publish_bodies(void)
{
    static const char *const lone[] = {
        "{\"sub\":\"\\ud800\"}",
        "{\"sub\":\"\\udc00\\ud800\"}",
        "{\"ssemux\":{\"subscribe\":[\"a\\ud83d\"]}}",
    };
    char token[TOKEN_CAP];
    auth_grants g;

    sign("{\"ssemux\":{\"subscribe\":[\"chat.\\ud83d\\ude00\",\"\\u0073cores\"]}}", token);
    CHECK_AUTH(AUTH_OK, check_at(token, NOW, &g));
    CHECK_INT(2, g.subscribe_count);
    CHECK_STR("chat.\xf0\x9f\x98\x80", g.subscribe[0].text, strlen(g.subscribe[0].text));
    CHECK(auth_may_subscribe(&g, "scores", 6));
    expect_malformed_claims(__func__, lone, sizeof lone / sizeof lone[0]);
}

/* ---- signing ---------------------------------------------------------- */

int main(void)
{
    RUN(token_without_exp_never_expires);
    RUN(refuses_token_from_its_exp_second_on);
    RUN(refuses_token_before_nbf);
    RUN(rounds_fractional_and_exponent_times_up);
    RUN(saturates_times_beyond_int64);
    RUN(accepts_whitespace_and_unknown_members);
    RUN(empty_objects_are_valid_json);
    RUN(refuses_wrongly_typed_or_repeated_claims);
    RUN(ignores_lookalike_claims);
    RUN(missing_ssemux_claim_grants_nothing);
    RUN(matches_exact_and_prefix_patterns);
    RUN(star_alone_matches_everything);
    RUN(enforces_pattern_limits);
    RUN(decodes_json_escapes_like_publish_bodies);
    return check_report();
}
