/*
 * The credentials of a --redis URL on the wire, shared by the startup
 * load (blocking hiredis) and the live connections (async): AUTH's
 * arguments, and how a refusal reads in a log line. Neither ever
 * contains the password in what it prints.
 */
#ifndef SSEMUX_SERVER_REDIS_AUTH_H
#define SSEMUX_SERVER_REDIS_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "redis_url.h"

#define REDIS_AUTH_ARGC_MAX 3
/* Room for redis_auth_describe's line (a Redis error is cut at 200 bytes). */
#define REDIS_AUTH_DESCRIBE_MAX 384

/* AUTH PASSWORD (the default user, requirepass) or AUTH USER PASSWORD (a
 * Redis 6+ ACL user) for redisCommandArgv. Returns argc: 0 when the URL
 * has no password (send nothing). argv points into url. */
int redis_auth_argv(const redis_url *url, const char *argv[REDIS_AUTH_ARGC_MAX],
                    size_t lens[REDIS_AUTH_ARGC_MAX]);

/* Whether an error reply from Redis means the credentials are wrong or
 * missing: WRONGPASS and "invalid password" (a wrong one), NOAUTH (none
 * given, one required), or AUTH refused because none is configured. */
bool redis_auth_refused(const char *reply, size_t len);

/* A log line's words for such a reply, with a hint at what to fix:
 * "authentication failed as user \"app\": WRONGPASS invalid ...". */
void redis_auth_describe(const redis_url *url, const char *reply, size_t len, char *out,
                         size_t cap);

#endif
