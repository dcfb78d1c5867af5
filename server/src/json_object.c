/*
 * One complete JSON object through LEJP (libwebsockets' streaming JSON
 * parser), guarded against the limits LEJP 4.1.6 does not check itself.
 */
#include "json_object.h"

#include <limits.h>
#include <string.h>

/*
 * LEJP in libwebsockets 4.1.6 appends each object key to a 128-byte path
 * without a bounds check (checked upstream since), and stores one slot past
 * its 5-entry array index stack before refusing deeper arrays. JWT headers
 * (read before the signature is checked) and publish bodies are hostile
 * input, so every text is measured here first. The estimate never undercounts what LEJP builds: each
 * key costs its raw length (escapes only shrink when decoded) plus a '.', and
 * each open array adds "[]".
 */
#define PATH_BUDGET (LEJP_MAX_PATH - 2)
#define MAX_NESTING (LEJP_MAX_DEPTH - 2) /* an open string takes one more level */
#define MAX_ARRAY_NESTING (LEJP_MAX_INDEX_DEPTH - 1)

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Index just past the closing quote of the string opening at json[i], or 0
 * if it never closes. */
static size_t skip_string(const char *json, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (json[i] == '\\')
            i++;
        else if (json[i] == '"')
            return i + 1;
    }
    return 0;
}

static bool fits_lejp_limits(const char *json, size_t len)
{
    size_t cost[MAX_NESTING];
    bool is_array[MAX_NESTING];
    size_t depth = 0, arrays = 0, path = 0, key = 0, i = 0;

    while (i < len && is_json_space(json[i]))
        i++;
    if (i == len || json[i] != '{') /* LEJP would also take a top-level array */
        return false;
    while (i < len) {
        char c = json[i];
        if (c == '"') {
            size_t end = skip_string(json, len, i), j = end;
            if (!end)
                return false;
            while (j < len && is_json_space(json[j]))
                j++;
            if (j < len && json[j] == ':') {
                key = (end - i - 2) + 1;
                if (path + key > PATH_BUDGET)
                    return false;
            }
            i = end;
            continue;
        }
        if (c == '#') /* LEJP skips '#' to end of line as a comment; JSON has none */
            return false;
        if (c == '{' || c == '[') {
            if (depth == MAX_NESTING || (c == '[' && arrays == MAX_ARRAY_NESTING))
                return false;
            is_array[depth] = c == '[';
            cost[depth] = key + (c == '[' ? 2 : 0);
            arrays += c == '[';
            path += cost[depth++];
            if (path > PATH_BUDGET)
                return false;
            key = 0;
        } else if (c == '}' || c == ']') {
            if (!depth)
                return false;
            depth--;
            path -= cost[depth];
            arrays -= is_array[depth];
            key = 0;
        }
        i++;
    }
    return true;
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

bool json_object_parse(const char *json, size_t len, lejp_callback cb, void *user,
                       const char *const *paths, unsigned char paths_count)
{
    struct lejp_ctx ctx;
    int rest;

    if (!json || len > INT_MAX || !fits_lejp_limits(json, len))
        return false;
    /* LEJP 4.1.6 refuses a top-level "{}" ("Expected closing '}'"); it has
     * no members to report anyway. */
    if (is_empty_object(json, len))
        return true;
    lejp_construct(&ctx, cb, user, paths, paths_count);
    rest = lejp_parse(&ctx, (const unsigned char *)json, (int)len);
    lejp_destruct(&ctx);
    if (rest < 0) /* a reject code, or LEJP_CONTINUE: the object never closed */
        return false;
    for (size_t i = len - (size_t)rest; i < len; i++)
        if (!is_json_space(json[i]))
            return false;
    return true;
}
