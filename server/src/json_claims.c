/*
 * JOSE header and JWT claims, read with LEJP (libwebsockets' streaming JSON
 * parser). The whole text is in memory, so LEJP sees it in one call.
 *
 * We do not use LEJP's path matching (the `paths` array). In 4.1.6 a match
 * is not re-evaluated when an array opens, and a key that itself contains a
 * '.' ({"ssemux.subscribe": [...]}) yields the same path text as the nested
 * claim. Instead each member is identified at the depth where it is named
 * (ctx->sp), and the value callbacks check the depth they come from.
 */
#include "json_claims.h"

#include "json_object.h"

#include <libwebsockets.h>
#include <limits.h>
#include <string.h>

/* A pattern never spans two LEJP string chunks, so a STR_CHUNK callback on a
 * pattern already means "too long". */
_Static_assert(AUTH_MAX_PATTERN_LEN < LEJP_STRING_CHUNK, "patterns must fit one LEJP chunk");

/* ---- callback helpers ------------------------------------------------- */

/* At LEJPCB_PAIR_NAME: is the key just named, which starts at `offset` in
 * LEJP's path, exactly `name`? Compared by length, so "exp\u0000x" is not
 * "exp". */
static bool key_is(const struct lejp_ctx *ctx, size_t offset, const char *name)
{
    size_t end = ctx->pst[ctx->pst_sp].ppos, n = strlen(name);
    return end >= offset && end - offset == n && memcmp(ctx->path + offset, name, n) == 0;
}

/* Callbacks that start or carry a value, as opposed to bookkeeping ones. */
static bool is_value_event(char reason)
{
    return (reason & LEJP_FLAG_CB_IS_VALUE) || reason == LEJPCB_VAL_STR_START ||
           reason == LEJPCB_OBJECT_START || reason == LEJPCB_ARRAY_START;
}

/* Nesting of the value being reported: 0 for a member of the top-level
 * object. LEJP pushes a level for a string before STR_CHUNK / STR_END but
 * reports containers, numbers and STR_START from the enclosing level. */
static int value_depth(const struct lejp_ctx *ctx, char reason)
{
    return ctx->sp - (reason == LEJPCB_VAL_STR_CHUNK || reason == LEJPCB_VAL_STR_END);
}

/* ---- header ----------------------------------------------------------- */

typedef struct header_state {
    bool in_alg;       /* the top-level member being read is "alg" */
    bool alg_seen;
    bool alg_chunked;  /* the value outgrew one LEJP chunk */
    bool alg_is_hs256;
} header_state;

static signed char header_callback(struct lejp_ctx *ctx, char reason)
{
    header_state *h = ctx->user;

    if (reason == LEJPCB_PAIR_NAME) {
        if (ctx->sp != 0)
            return 0;
        if (key_is(ctx, 0, "crit"))
            return -1;
        h->in_alg = key_is(ctx, 0, "alg");
        if (h->in_alg && h->alg_seen) /* which one would another library read? */
            return -1;
        h->alg_seen |= h->in_alg;
        return 0;
    }
    if (!h->in_alg || !is_value_event(reason) || value_depth(ctx, reason) != 0)
        return 0;
    if (reason == LEJPCB_VAL_STR_CHUNK)
        h->alg_chunked = true;
    else if (reason == LEJPCB_VAL_STR_END) /* case matters: RFC 7515 section 4.1.1 */
        h->alg_is_hs256 = !h->alg_chunked && ctx->npos == 5 && memcmp(ctx->buf, "HS256", 5) == 0;
    return 0;
}

auth_result json_claims_check_header(const char *json, size_t len)
{
    header_state h = {0};

    if (json_object_parse(json, len, header_callback, &h, NULL, 0) != JSON_OBJECT_OK)
        return AUTH_MALFORMED;
    return h.alg_is_hs256 ? AUTH_OK : AUTH_BAD_ALGORITHM;
}

/* ---- claims ----------------------------------------------------------- */

enum member { MEMBER_OTHER, MEMBER_EXP, MEMBER_NBF, MEMBER_SSEMUX };
enum grant_list { LIST_NONE, LIST_SUBSCRIBE, LIST_PUBLISH };

typedef struct claims_state {
    json_claims_times *times;
    auth_grants *grants;
    enum member member;   /* top-level member being read */
    enum grant_list list; /* member of "ssemux" being read */
    unsigned seen;        /* one bit per member and list: repeats are refused */
} claims_state;

#define SEEN_BIT(member) (1u << (member))
#define SEEN_LIST_BIT(list) (1u << (8 + (list)))

/*
 * A JSON number rounded up to an integer, saturating at the int64 limits.
 * Done on the digits rather than with strtod: exact for any value, and
 * independent of the C locale's decimal point. LEJP has already checked the
 * syntax (-?digits[.digits][(e|E)[+-]digits]); this re-checks it anyway.
 */
#define MAX_EXPONENT 1000 /* beyond this every nonzero value saturates */

static bool number_ceil(const char *s, size_t len, int64_t *out)
{
    char digits[LEJP_STRING_CHUNK + 1];
    size_t ndigits = 0, i = 0;
    long point = -1, exponent = 0, shift;
    bool negative = false, exponent_negative = false, fraction = false, overflow = false;
    uint64_t magnitude = 0;

    if (i < len && s[i] == '-') {
        negative = true;
        i++;
    }
    for (; i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'); i++) {
        if (s[i] == '.') {
            if (point >= 0)
                return false;
            point = (long)ndigits;
        } else if (ndigits < sizeof digits) {
            digits[ndigits++] = s[i];
        } else {
            return false;
        }
    }
    if (!ndigits)
        return false;
    if (point < 0)
        point = (long)ndigits;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t first;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            exponent_negative = s[i++] == '-';
        for (first = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (exponent < MAX_EXPONENT)
                exponent = exponent * 10 + (s[i] - '0');
        if (i == first)
            return false;
    }
    if (i != len)
        return false;

    /* The decimal point sits after digit number `shift`. */
    shift = point + (exponent_negative ? -exponent : exponent);
    for (long k = 0; k < shift && !overflow; k++) {
        unsigned d = k < (long)ndigits ? (unsigned)(digits[k] - '0') : 0;
        if (magnitude > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            magnitude = magnitude * 10 + d;
    }
    for (long k = shift > 0 ? shift : 0; k < (long)ndigits; k++)
        fraction |= digits[k] != '0';

    if (negative) /* ceil(-x) just drops the fraction */
        *out = overflow || magnitude > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)magnitude;
    else
        *out = overflow || magnitude >= (uint64_t)INT64_MAX ? INT64_MAX
                                                             : (int64_t)magnitude + fraction;
    return true;
}

/* A NumericDate (RFC 7519 section 2) must be a number; anything else is
 * malformed rather than ignored, so a typo cannot make a token immortal. */
static signed char read_numeric_date(const struct lejp_ctx *ctx, char reason, int64_t *value,
                                     bool *present)
{
    if (reason != LEJPCB_VAL_NUM_INT && reason != LEJPCB_VAL_NUM_FLOAT)
        return -1;
    if (!number_ceil(ctx->buf, ctx->npos, value))
        return -1;
    *present = true;
    return 0;
}

/* Appends one pattern as written in the token ("scores", "chat.*", "*"). */
static bool add_pattern(auth_pattern *list, size_t *count, const char *s, size_t len)
{
    bool prefix = len > 0 && s[len - 1] == '*';
    size_t text_len = prefix ? len - 1 : len;

    if (*count >= AUTH_MAX_PATTERNS || len == 0 || len > AUTH_MAX_PATTERN_LEN)
        return false;
    /* NUL would cut the text short; an inner '*' looks like a glob we don't do. */
    if (memchr(s, '\0', len) || memchr(s, '*', text_len))
        return false;
    memcpy(list[*count].text, s, text_len);
    /* The same decoding as every JSON string the server reads. */
    text_len = json_string_join_surrogates(list[*count].text, text_len);
    list[*count].text[text_len] = '\0';
    list[*count].prefix = prefix;
    (*count)++;
    return true;
}

/* Values under "ssemux": depth 1 is the list itself, depth 2 its elements. */
static signed char read_grant(claims_state *c, const struct lejp_ctx *ctx, char reason, int depth)
{
    auth_grants *g = c->grants;

    if (c->list == LIST_NONE) /* an ssemux member we don't know: room to grow */
        return 0;
    if (depth == 1)
        return reason == LEJPCB_ARRAY_START ? 0 : -1;
    if (reason == LEJPCB_VAL_STR_START)
        return 0;
    if (reason != LEJPCB_VAL_STR_END) /* not a string, or a chunk: too long */
        return -1;
    if (c->list == LIST_SUBSCRIBE)
        return add_pattern(g->subscribe, &g->subscribe_count, ctx->buf, ctx->npos) ? 0 : -1;
    return add_pattern(g->publish, &g->publish_count, ctx->buf, ctx->npos) ? 0 : -1;
}

static signed char name_member(claims_state *c, const struct lejp_ctx *ctx)
{
    unsigned bit = 0;

    if (ctx->sp == 0) {
        c->list = LIST_NONE;
        c->member = key_is(ctx, 0, "exp")      ? MEMBER_EXP
                    : key_is(ctx, 0, "nbf")    ? MEMBER_NBF
                    : key_is(ctx, 0, "ssemux") ? MEMBER_SSEMUX
                                               : MEMBER_OTHER;
        if (c->member != MEMBER_OTHER)
            bit = SEEN_BIT(c->member);
    } else if (ctx->sp == 1 && c->member == MEMBER_SSEMUX) {
        /* The path is "ssemux." and then this key. */
        size_t offset = sizeof "ssemux";
        c->list = key_is(ctx, offset, "subscribe") ? LIST_SUBSCRIBE
                  : key_is(ctx, offset, "publish") ? LIST_PUBLISH
                                                   : LIST_NONE;
        if (c->list != LIST_NONE)
            bit = SEEN_LIST_BIT(c->list);
    }
    if (c->seen & bit)
        return -1;
    c->seen |= bit;
    return 0;
}

static signed char claims_callback(struct lejp_ctx *ctx, char reason)
{
    claims_state *c = ctx->user;
    int depth;

    if (reason == LEJPCB_PAIR_NAME)
        return name_member(c, ctx);
    if (!is_value_event(reason))
        return 0;
    depth = value_depth(ctx, reason);
    switch (c->member) {
    case MEMBER_EXP:
        return read_numeric_date(ctx, reason, &c->times->exp, &c->times->has_exp);
    case MEMBER_NBF:
        return read_numeric_date(ctx, reason, &c->times->nbf, &c->times->has_nbf);
    case MEMBER_SSEMUX:
        if (depth == 0)
            return reason == LEJPCB_OBJECT_START ? 0 : -1;
        return read_grant(c, ctx, reason, depth);
    case MEMBER_OTHER:
        break;
    }
    return 0;
}

auth_result json_claims_parse(const char *json, size_t len, json_claims_times *times,
                              auth_grants *grants)
{
    claims_state c = {times, grants, MEMBER_OTHER, LIST_NONE, 0};

    if (!times || !grants)
        return AUTH_MALFORMED;
    memset(times, 0, sizeof *times);
    memset(grants, 0, sizeof *grants);
    return json_object_parse(json, len, claims_callback, &c, NULL, 0) == JSON_OBJECT_OK
               ? AUTH_OK
               : AUTH_MALFORMED;
}
