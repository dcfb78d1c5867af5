#include "redis_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_number(const char *s, size_t len, long max, int *out)
{
    long v = 0;

    if (!len || len > 10)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max)
        return false;
    *out = (int)v;
    return true;
}

bool redis_url_parse(const char *text, redis_url *out, char *err, size_t err_cap)
{
    static const char scheme[] = "redis://";
    const char *host, *host_end, *p, *slash;
    size_t host_len;

    memset(out, 0, sizeof(*out));
    out->port = 6379;
    if (!text || strncmp(text, scheme, sizeof(scheme) - 1) != 0) {
        snprintf(err, err_cap, "--redis: expected redis://HOST[:PORT][/DB], got \"%s\"",
                 text ? text : "");
        return false;
    }
    host = text + sizeof(scheme) - 1;
    if (strchr(host, '@')) {
        snprintf(err, err_cap, "--redis: user and password in the URL are not supported");
        return false;
    }
    slash = strchr(host, '/');
    if (!slash)
        slash = host + strlen(host);
    if (*host == '[') {
        host++;
        host_end = memchr(host, ']', (size_t)(slash - host));
        if (!host_end) {
            snprintf(err, err_cap, "--redis: unclosed [ in \"%s\"", text);
            return false;
        }
        p = host_end + 1;
    } else {
        host_end = memchr(host, ':', (size_t)(slash - host));
        if (!host_end)
            host_end = slash;
        p = host_end;
    }
    host_len = (size_t)(host_end - host);
    if (!host_len || host_len > REDIS_URL_HOST_MAX) {
        snprintf(err, err_cap, "--redis: missing or overlong host in \"%s\"", text);
        return false;
    }
    memcpy(out->host, host, host_len);
    if (*p == ':' && !parse_number(p + 1, (size_t)(slash - p - 1), 65535, &out->port)) {
        snprintf(err, err_cap, "--redis: bad port in \"%s\"", text);
        return false;
    }
    if (*p != ':' && p != slash) {
        snprintf(err, err_cap, "--redis: unexpected text after the host in \"%s\"", text);
        return false;
    }
    if (*slash && slash[1] && !parse_number(slash + 1, strlen(slash + 1), 1000000, &out->db)) {
        snprintf(err, err_cap, "--redis: bad database number in \"%s\"", text);
        return false;
    }
    return true;
}
