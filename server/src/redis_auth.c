#include "redis_auth.h"

#include <stdio.h>
#include <string.h>

int redis_auth_argv(const redis_url *url, const char *argv[REDIS_AUTH_ARGC_MAX],
                    size_t lens[REDIS_AUTH_ARGC_MAX])
{
    int argc = 0;

    if (!url->password[0])
        return 0;
    argv[argc++] = "AUTH";
    if (url->user[0])
        argv[argc++] = url->user;
    argv[argc++] = url->password;
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    return argc;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static bool contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return true;
    return false;
}

static bool none_configured(const char *reply, size_t len)
{
    return contains(reply, len, "no password is set") ||
           contains(reply, len, "without any password configured");
}

bool redis_auth_refused(const char *reply, size_t len)
{
    /* Redis 6+: WRONGPASS, NOAUTH, "ERR AUTH <password> called without
     * any password configured for the default user". Redis 5: "ERR invalid
     * password", "ERR Client sent AUTH, but no password is set". */
    return starts_with(reply, len, "WRONGPASS") || starts_with(reply, len, "NOAUTH") ||
           starts_with(reply, len, "ERR invalid password") ||
           (starts_with(reply, len, "ERR") && none_configured(reply, len));
}

void redis_auth_describe(const redis_url *url, const char *reply, size_t len, char *out,
                         size_t cap)
{
    const char *hint = "";
    int shown = (int)(len > 200 ? 200 : len);

    if (starts_with(reply, len, "NOAUTH"))
        hint = " (Redis wants a password: redis://:PASSWORD@HOST, or USER:PASSWORD@ for an "
               "ACL user)";
    else if (none_configured(reply, len))
        hint = " (Redis has no password set: drop it from the URL, or set one in Redis)";
    if (url->user[0])
        snprintf(out, cap, "authentication failed as user \"%.64s\": %.*s%s", url->user, shown,
                 reply, hint);
    else
        snprintf(out, cap, "authentication failed: %.*s%s", shown, reply, hint);
}
