/*
 * One complete JSON object through LEJP (libwebsockets' streaming JSON
 * parser), guarded against the limits LEJP 4.1.6 does not check itself.
 */
#include "json_object.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/*
 * LEJP in libwebsockets 4.1.6 appends each object key to a 128-byte path
 * without a bounds check (checked upstream since), and stores one slot past
 * its 5-entry array index stack before refusing deeper arrays. JWT headers
 * (read before the signature is checked) and publish bodies are hostile
 * input, so every text is measured here first. The estimate never
 * undercounts what LEJP builds: each key costs its raw length (escapes only
 * shrink when decoded) plus a '.', and each open array adds "[]".
 */
#define PATH_BUDGET (LEJP_MAX_PATH - 2)
#define MAX_NESTING (LEJP_MAX_DEPTH - 2) /* an open string takes one more level */
#define MAX_ARRAY_NESTING (LEJP_MAX_INDEX_DEPTH - 1)

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The four hex digits at s, or -1. */
static long hex4(const char *s)
{
    char digits[5];

    for (int k = 0; k < 4; k++)
        if (!isxdigit((unsigned char)s[k]))
            return -1;
    memcpy(digits, s, 4);
    digits[4] = '\0';
    return strtol(digits, NULL, 16);
}

/*
 * Checks the string opening at json[i] and sets *end just past its closing
 * quote. Besides the end, it checks what LEJP 4.1.6 decodes wrongly or lets
 * through: a \uD800-\uDBFF escape must be followed at once by a
 * \uDC00-\uDFFF one and the latter never comes alone (RFC 8259 section 7;
 * LEJP writes each half as its own 3-byte sequence, json_object.h), and an
 * escape is one of \" \\ \/ \b \f \n \r \t \uXXXX (LEJP also takes a
 * backslash before a NUL byte, its escape table's terminator). Raw control
 * characters are left to LEJP, which refuses them.
 */
static json_object_status scan_string(const char *json, size_t len, size_t i, size_t *end)
{
    bool want_low = false; /* the previous escape was a high surrogate */

    for (i++; i < len; i++) {
        char c = json[i];
        long u;
        if (want_low && !(c == '\\' && i + 1 < len && json[i + 1] == 'u'))
            return JSON_OBJECT_LONE_SURROGATE;
        if (c == '"') {
            *end = i + 1;
            return JSON_OBJECT_OK;
        }
        if (c != '\\')
            continue;
        if (++i == len)
            return JSON_OBJECT_MALFORMED;
        c = json[i];
        if (c != 'u') {
            if (!memchr("\"\\/bfnrt", c, 8))
                return JSON_OBJECT_MALFORMED;
            continue;
        }
        if (len - i < 5 || (u = hex4(json + i + 1)) < 0)
            return JSON_OBJECT_MALFORMED;
        i += 4;
        /* A low half with no high one before it, or a high one without. */
        if ((u >= 0xDC00 && u <= 0xDFFF) != want_low)
            return JSON_OBJECT_LONE_SURROGATE;
        want_low = u >= 0xD800 && u <= 0xDBFF;
    }
    return JSON_OBJECT_MALFORMED;
}

static json_object_status check_text(const char *json, size_t len)
{
    size_t cost[MAX_NESTING];
    bool is_array[MAX_NESTING];
    size_t depth = 0, arrays = 0, path = 0, key = 0, i = 0;

    if (!utf8_valid(json, len))
        return JSON_OBJECT_NOT_UTF8;
    while (i < len && is_json_space(json[i]))
        i++;
    if (i == len || json[i] != '{') /* LEJP would also take a top-level array */
        return JSON_OBJECT_MALFORMED;
    while (i < len) {
        char c = json[i];
        if (c == '"') {
            size_t end = 0, j;
            json_object_status st = scan_string(json, len, i, &end);
            if (st != JSON_OBJECT_OK)
                return st;
            j = end;
            while (j < len && is_json_space(json[j]))
                j++;
            if (j < len && json[j] == ':') {
                key = (end - i - 2) + 1;
                if (path + key > PATH_BUDGET)
                    return JSON_OBJECT_MALFORMED;
            }
            i = end;
            continue;
        }
        if (c == '#') /* LEJP skips '#' to end of line as a comment; JSON has none */
            return JSON_OBJECT_MALFORMED;
        if (c == '{' || c == '[') {
            if (depth == MAX_NESTING || (c == '[' && arrays == MAX_ARRAY_NESTING))
                return JSON_OBJECT_MALFORMED;
            is_array[depth] = c == '[';
            cost[depth] = key + (c == '[' ? 2 : 0);
            arrays += c == '[';
            path += cost[depth++];
            if (path > PATH_BUDGET)
                return JSON_OBJECT_MALFORMED;
            key = 0;
        } else if (c == '}' || c == ']') {
            if (!depth)
                return JSON_OBJECT_MALFORMED;
            depth--;
            path -= cost[depth];
            arrays -= is_array[depth];
            key = 0;
        }
        i++;
    }
    return JSON_OBJECT_OK;
}

/* True for "{}" with any whitespace around and inside. */
static bool is_empty_object(const char *json, size_t len)
{
    size_t i = 0;
    const char *expect = "{}";

    for (; i < len; i++) {
        if (is_json_space(json[i]))
            continue;
        if (json[i] != *expect)
            return false;
        expect++;
        if (!*expect)
            break;
    }
    for (i++; i < len; i++)
        if (!is_json_space(json[i]))
            return false;
    return !*expect;
}

json_object_status json_object_parse(const char *json, size_t len, lejp_callback cb, void *user,
                                     const char *const *paths, unsigned char paths_count)
{
    struct lejp_ctx ctx;
    json_object_status st;
    int rest;

    if (!json || len > INT_MAX)
        return JSON_OBJECT_MALFORMED;
    st = check_text(json, len);
    if (st != JSON_OBJECT_OK)
        return st;
    /* LEJP 4.1.6 refuses a top-level "{}" ("Expected closing '}'"); it has
     * no members to report anyway. */
    if (is_empty_object(json, len))
        return JSON_OBJECT_OK;
    lejp_construct(&ctx, cb, user, paths, paths_count);
    rest = lejp_parse(&ctx, (const unsigned char *)json, (int)len);
    lejp_destruct(&ctx);
    if (rest < 0) /* a reject code, or LEJP_CONTINUE: the object never closed */
        return JSON_OBJECT_MALFORMED;
    for (size_t i = len - (size_t)rest; i < len; i++)
        if (!is_json_space(json[i]))
            return JSON_OBJECT_MALFORMED;
    return JSON_OBJECT_OK;
}

/* ED A0..AF xx is a high surrogate as LEJP writes it, ED B0..BF xx a low
 * one; each carries 10 bits of the code point. */
static bool is_cesu_half(const unsigned char *p, unsigned char lo, unsigned char hi)
{
    return p[0] == 0xED && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80;
}

size_t json_string_join_surrogates(char *s, size_t len)
{
    unsigned char *p = (unsigned char *)s;
    size_t in = 0, out = 0;

    while (in < len) {
        if (len - in >= 6 && is_cesu_half(p + in, 0xA0, 0xAF) &&
            is_cesu_half(p + in + 3, 0xB0, 0xBF)) {
            unsigned long high = ((p[in + 1] & 0x0Fu) << 6) | (p[in + 2] & 0x3Fu);
            unsigned long low = ((p[in + 4] & 0x0Fu) << 6) | (p[in + 5] & 0x3Fu);
            unsigned long cp = 0x10000 + (high << 10) + low;
            p[out++] = (unsigned char)(0xF0 | (cp >> 18));
            p[out++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            p[out++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            p[out++] = (unsigned char)(0x80 | (cp & 0x3F));
            in += 6;
        } else {
            p[out++] = p[in++];
        }
    }
    return out;
}
