/*
 * --redis URL: redis://HOST[:PORT][/DB]. HOST is a name, an IPv4 address
 * or [IPv6]. No user or password (put Redis on a private network or use
 * its ACL default user without a password); no TLS (hiredis 0.14 has none).
 */
#ifndef SSEMUX_SERVER_REDIS_URL_H
#define SSEMUX_SERVER_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

#define REDIS_URL_HOST_MAX 255

typedef struct redis_url {
    char host[REDIS_URL_HOST_MAX + 1];
    int port;  /* default 6379 */
    int db;    /* default 0 */
} redis_url;

/* Returns false (and a reason in err) for anything else. */
bool redis_url_parse(const char *text, redis_url *out, char *err, size_t err_cap);

#endif
