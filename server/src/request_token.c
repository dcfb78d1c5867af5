#include "request_token.h"

#include <string.h>
#include <strings.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

bool request_token_from_bearer(const char *value, size_t len, const char **token,
                               size_t *token_len)
{
    size_t i = 6;

    /* RFC 6750 section 2.1: "Bearer" 1*SP b64token; the scheme has no case. */
    if (len < 7 || strncasecmp(value, "Bearer", 6) != 0 || value[6] != ' ')
        return false;
    while (i < len && value[i] == ' ')
        i++;
    *token = value + i;
    *token_len = len - i;
    return true;
}

bool request_token_from_query_arg(const char *arg, size_t len, const char **value,
                                  size_t *value_len)
{
    size_t n = sizeof REQUEST_TOKEN_QUERY_NAME - 1;

    if (len < n || memcmp(arg, REQUEST_TOKEN_QUERY_NAME, n) != 0 || (len > n && arg[n] != '='))
        return false;
    *value = len > n ? arg + n + 1 : arg + n;
    *value_len = len > n ? len - n - 1 : 0;
    return true;
}

unsigned request_token_from_cookies(const char *header, size_t len, const char **value,
                                    size_t *value_len)
{
    size_t name_len = sizeof REQUEST_TOKEN_COOKIE_NAME - 1, pos = 0;
    unsigned count = 0;

    while (pos < len) {
        const char *pair = header + pos, *semi = memchr(pair, ';', len - pos), *eq;
        size_t pair_len = semi ? (size_t)(semi - pair) : len - pos, key_len, v_len;

        pos += pair_len + 1;
        while (pair_len && is_space(*pair))
            pair++, pair_len--;
        while (pair_len && is_space(pair[pair_len - 1]))
            pair_len--;
        eq = memchr(pair, '=', pair_len);
        if (!eq)
            continue; /* no name: not ours */
        key_len = (size_t)(eq - pair);
        while (key_len && is_space(pair[key_len - 1]))
            key_len--;
        if (key_len != name_len || memcmp(pair, REQUEST_TOKEN_COOKIE_NAME, name_len) != 0)
            continue;
        v_len = pair_len - (size_t)(eq - pair) - 1;
        eq++;
        while (v_len && is_space(*eq))
            eq++, v_len--;
        if (!count++) {
            *value = eq;
            *value_len = v_len;
        }
    }
    return count;
}
