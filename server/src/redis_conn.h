/*
 * One Redis connection that stays up: hiredis async on the lws loop
 * (redis_lws.h), AUTH with the URL's credentials and SELECT of its
 * database on every attempt, and when it breaks, the connect fails or
 * Redis refuses the credentials, another attempt after a backoff (100 ms
 * doubling to 5 s).
 * The owner queues its own setup commands (a SCRIPT LOAD, the first XREAD)
 * on every attempt and says when the connection is ready.
 */
#ifndef SSEMUX_SERVER_REDIS_CONN_H
#define SSEMUX_SERVER_REDIS_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <hiredis/async.h>
#include <libwebsockets.h>

#include "redis_auth.h"
#include "redis_url.h"

typedef struct redis_conn redis_conn;

/* Called as each attempt starts, with c->ac set: queue the commands that
 * set the connection up. hiredis sends them once connected, after AUTH and
 * SELECT and before anything queued later, and Redis runs them in that order. */
typedef void (*redis_conn_setup)(redis_conn *c);

struct redis_conn {
    const char *name;          /* for log lines: "feed", "publish" */
    const redis_url *url;
    struct lws_context *context;
    struct lws_vhost *vhost;
    redis_conn_setup setup;
    void *user;                /* the owner's */
    redisAsyncContext *ac;     /* NULL while disconnected */
    bool ready;                /* set by the owner: redis_conn_mark_ready */
    bool down_logged;          /* one log line per outage */
    char refusal[REDIS_AUTH_DESCRIBE_MAX]; /* the AUTH/SELECT refusal logged last this outage */
    bool closing;
    unsigned backoff_ms;
    uint64_t reconnects;       /* connections lost */
    lws_sorted_usec_list_t retry;
};

void redis_conn_init(redis_conn *c, const char *name, const redis_url *url,
                     struct lws_context *context, struct lws_vhost *vhost, redis_conn_setup setup,
                     void *user);

/* The first attempt; later ones follow by themselves. */
void redis_conn_start(redis_conn *c);

void redis_conn_mark_ready(redis_conn *c);

/* Gives up on the connection now, even if hiredis thinks it is fine (a
 * request went unanswered too long): pending requests fail with a NULL
 * reply, and another attempt follows after the backoff. */
void redis_conn_drop(redis_conn *c, const char *why);

/* For good: pending requests fail with a NULL reply, no more attempts. */
void redis_conn_close(redis_conn *c);

#endif
