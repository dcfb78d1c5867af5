#include "redis_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static const char scheme[] = "redis://";
#define SCHEME_LEN (sizeof(scheme) - 1)

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

/* Percent-decodes s[0..len) into out (cap bytes with the NUL). False for
 * a bad %XX, a decoded NUL (Redis would take it, C strings do not) or
 * more than fits. Not lws_urldecode: it turns '+' into a space, which is
 * form encoding; in userinfo '+' is itself (RFC 3986 section 3.2.1). */
static bool percent_decode(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < len ? OPENSSL_hexchar2int((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < len ? OPENSSL_hexchar2int((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return false;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0 || n + 1 >= cap)
            return false;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return true;
}

/* userinfo[0..len) is "[USER]:PASSWORD". */
static bool parse_userinfo(const char *userinfo, size_t len, redis_url *out, char *err,
                           size_t err_cap)
{
    const char *colon = memchr(userinfo, ':', len);
    size_t user_len;

    if (!colon) {
        snprintf(err, err_cap,
                 "--redis: write the credentials as USER:PASSWORD@ (an ACL user) or "
                 ":PASSWORD@ (the default user)");
        return false;
    }
    user_len = (size_t)(colon - userinfo);
    if (!percent_decode(userinfo, user_len, out->user, sizeof(out->user))) {
        snprintf(err, err_cap,
                 "--redis: bad user name (up to %d bytes, no NUL; %%XX for : @ / %%)",
                 REDIS_URL_USER_MAX);
        return false;
    }
    if (!percent_decode(colon + 1, len - user_len - 1, out->password, sizeof(out->password))) {
        snprintf(err, err_cap,
                 "--redis: bad password (up to %d bytes, no NUL; %%XX for : @ / %%)",
                 REDIS_URL_PASSWORD_MAX);
        return false;
    }
    if (!out->password[0]) {
        snprintf(err, err_cap, "--redis: empty password after the ':'");
        return false;
    }
    return true;
}

/* Errors never quote the URL: a password typed without its '@' would
 * otherwise be printed as a host or a port. */
static bool parse(const char *text, redis_url *out, char *err, size_t err_cap)
{
    const char *host, *host_end, *p, *slash, *at;
    size_t host_len;

    if (text && strncmp(text, "rediss://", 9) == 0) {
        snprintf(err, err_cap,
                 "--redis: rediss:// (TLS) is not supported: hiredis 0.14 has no TLS. Run a "
                 "local TLS tunnel (stunnel) and give its redis:// address; see "
                 "docs/deployment.md, \"Redis over TLS\"");
        return false;
    }
    if (!text || strncmp(text, scheme, SCHEME_LEN) != 0) {
        snprintf(err, err_cap,
                 "--redis: expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]");
        return false;
    }
    host = text + SCHEME_LEN;
    /* The last '@': a password with an unencoded '@' still parses. HOST,
     * PORT and DB never contain one. */
    at = strrchr(host, '@');
    if (at) {
        if (!parse_userinfo(host, (size_t)(at - host), out, err, err_cap))
            return false;
        host = at + 1;
    }
    slash = strchr(host, '/');
    if (!slash)
        slash = host + strlen(host);
    if (*host == '[') {
        host++;
        host_end = memchr(host, ']', (size_t)(slash - host));
        if (!host_end) {
            snprintf(err, err_cap, "--redis: unclosed [ around an IPv6 host");
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
        snprintf(err, err_cap, "--redis: missing host, or longer than %d bytes",
                 REDIS_URL_HOST_MAX);
        return false;
    }
    memcpy(out->host, host, host_len);
    if (*p == ':' && !parse_number(p + 1, (size_t)(slash - p - 1), 65535, &out->port)) {
        snprintf(err, err_cap, "--redis: bad port (a number up to 65535 after HOST:)");
        return false;
    }
    if (*p != ':' && p != slash) {
        snprintf(err, err_cap, "--redis: unexpected text after the host");
        return false;
    }
    if (*slash && slash[1] && !parse_number(slash + 1, strlen(slash + 1), 1000000, &out->db)) {
        snprintf(err, err_cap, "--redis: bad database number (0 to 1000000 after the /)");
        return false;
    }
    return true;
}

bool redis_url_parse(const char *text, redis_url *out, char *err, size_t err_cap)
{
    memset(out, 0, sizeof(*out));
    out->port = 6379;
    if (parse(text, out, err, err_cap))
        return true;
    memset(out, 0, sizeof(*out)); /* no half-parsed password left behind */
    return false;
}
