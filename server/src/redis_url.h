/*
 * --redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]. HOST is a name,
 * an IPv4 address or [IPv6]. USER and PASSWORD are percent-decoded (RFC
 * 3986 userinfo: write : @ / % in them as %3A %40 %2F %25); ":PASSWORD@"
 * alone authenticates Redis's default user (requirepass), "USER:PASSWORD@"
 * an ACL user. A bare "NAME@" is refused: redis-cli reads it as a
 * password, other clients as a user. rediss:// is refused with a pointer
 * to the stunnel recipe: hiredis 0.14 has no TLS (docs/deployment.md).
 *
 * Errors never quote the URL, so never the password.
 */
#ifndef SSEMUX_SERVER_REDIS_URL_H
#define SSEMUX_SERVER_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

#define REDIS_URL_HOST_MAX 255
#define REDIS_URL_USER_MAX 255
#define REDIS_URL_PASSWORD_MAX 1023

typedef struct redis_url {
    char host[REDIS_URL_HOST_MAX + 1];
    int port;  /* default 6379 */
    int db;    /* default 0 */
    char user[REDIS_URL_USER_MAX + 1];         /* empty: the default user */
    char password[REDIS_URL_PASSWORD_MAX + 1]; /* empty: no AUTH */
} redis_url;

/* Returns false (and a reason in err) for anything else. */
bool redis_url_parse(const char *text, redis_url *out, char *err, size_t err_cap);

#endif
