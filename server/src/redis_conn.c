#include "redis_conn.h"

#include <stdio.h>
#include <string.h>

#include "redis_auth.h"
#include "redis_lws.h"

#define RECONNECT_MIN_MS 100u
#define RECONNECT_MAX_MS 5000u

static void attempt(redis_conn *c);

static void retry_fire(lws_sorted_usec_list_t *sul)
{
    attempt(lws_container_of(sul, redis_conn, retry));
}

static void schedule_retry(redis_conn *c)
{
    if (c->closing)
        return;
    lws_sul_schedule(c->context, 0, &c->retry, retry_fire, (lws_usec_t)c->backoff_ms * 1000);
    c->backoff_ms = c->backoff_ms * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : c->backoff_ms * 2;
}

static void log_down(redis_conn *c, const char *why)
{
    if (c->down_logged)
        return;
    c->down_logged = true;
    fprintf(stderr, "ssemux-server: redis %s connection down (%s); reconnecting\n", c->name, why);
}

void redis_conn_mark_ready(redis_conn *c)
{
    c->ready = true;
    c->backoff_ms = RECONNECT_MIN_MS;
    if (c->down_logged)
        fprintf(stderr, "ssemux-server: redis %s connection back\n", c->name);
    c->down_logged = false;
    c->refusal[0] = '\0';
}

static void end_attempt(redis_conn *c, bool was_up, const char *why);

/* AUTH or SELECT refused (a changed password, a database past Redis's
 * `databases`): this attempt is over. Logged when the reason is new in
 * this outage (a retry every 5 s that fails the same way says so once,
 * even after a "down (closed)" line), then retried with backoff: the
 * password may be put right without restarting this server. */
static void handshake_refused(redis_conn *c, const char *why)
{
    if (strcmp(c->refusal, why) != 0) {
        snprintf(c->refusal, sizeof(c->refusal), "%s", why);
        fprintf(stderr, "ssemux-server: redis %s connection refused, retrying with backoff: %s\n",
                c->name, why);
    }
    c->down_logged = true;
    end_attempt(c, false, why);
}

/* The reply to AUTH or SELECT: an error ends the attempt. Redis's own
 * words say which ("ERR DB index is out of range", "ERR wrong number of
 * arguments for 'auth'" from a Redis 5 given a user). */
static void on_handshake(redisAsyncContext *ac, void *reply, void *privdata)
{
    redis_conn *c = privdata;
    const redisReply *rep = reply;
    char why[sizeof(c->refusal)];

    (void)ac;
    if (!rep || c->closing || rep->type != REDIS_REPLY_ERROR)
        return;
    if (redis_auth_refused(rep->str, (size_t)rep->len))
        redis_auth_describe(c->url, rep->str, (size_t)rep->len, why, sizeof(why));
    else
        snprintf(why, sizeof(why), "AUTH or SELECT %d: %.*s", c->url->db, (int)rep->len,
                 rep->str);
    handshake_refused(c, why);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    redis_conn *c = ac->data;

    if (!c || status == REDIS_OK)
        return; /* the first commands are queued already */
    /* hiredis frees the context after this returns. */
    log_down(c, ac->errstr[0] ? ac->errstr : "connect failed");
    c->ac = NULL;
    c->ready = false;
    schedule_retry(c);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    redis_conn *c = ac->data;

    (void)status;
    if (!c)
        return; /* redis_conn_drop took over */
    c->ac = NULL;
    c->ready = false;
    if (c->closing)
        return;
    c->reconnects++;
    log_down(c, ac->errstr[0] ? ac->errstr : "closed");
    schedule_retry(c);
}

static void attempt(redis_conn *c)
{
    /* url->host is a numeric address (store_redis.c resolved it once):
     * hiredis 0.14 would otherwise resolve it with a blocking call. */
    redisAsyncContext *ac = redisAsyncConnect(c->url->host, c->url->port);
    const char *auth_argv[REDIS_AUTH_ARGC_MAX];
    size_t auth_lens[REDIS_AUTH_ARGC_MAX];
    int auth_argc;

    if (!ac || ac->err) {
        log_down(c, ac ? ac->errstr : "out of memory");
        if (ac)
            redisAsyncFree(ac);
        schedule_retry(c);
        return;
    }
    ac->data = c;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    if (!redis_lws_attach(ac, c->vhost)) {
        redisAsyncFree(ac);
        log_down(c, "cannot add the socket to the event loop");
        schedule_retry(c);
        return;
    }
    c->ac = ac;
    /* Every attempt: a new connection starts unauthenticated in db 0.
     * hiredis queues these until the connect completes; Redis answers
     * them before anything the owner queues next. */
    auth_argc = redis_auth_argv(c->url, auth_argv, auth_lens);
    if (auth_argc &&
        redisAsyncCommandArgv(ac, on_handshake, c, auth_argc, auth_argv, auth_lens) != REDIS_OK)
        return;
    if (redisAsyncCommand(ac, on_handshake, c, "SELECT %d", c->url->db) != REDIS_OK)
        return;
    c->setup(c);
}

void redis_conn_init(redis_conn *c, const char *name, const redis_url *url,
                     struct lws_context *context, struct lws_vhost *vhost, redis_conn_setup setup,
                     void *user)
{
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->url = url;
    c->context = context;
    c->vhost = vhost;
    c->setup = setup;
    c->user = user;
    c->backoff_ms = RECONNECT_MIN_MS;
}

void redis_conn_start(redis_conn *c)
{
    attempt(c);
}

/* Inside a hiredis callback too: redisAsyncFree then waits until the
 * callback returns, and fails what is pending with a NULL reply. */
static void end_attempt(redis_conn *c, bool was_up, const char *why)
{
    redisAsyncContext *ac = c->ac;

    if (!ac)
        return;
    c->ac = NULL;
    c->ready = false;
    ac->data = NULL; /* on_connect/on_disconnect: not theirs to handle */
    redisAsyncFree(ac);
    if (was_up)
        c->reconnects++;
    log_down(c, why);
    schedule_retry(c);
}

void redis_conn_drop(redis_conn *c, const char *why)
{
    end_attempt(c, true, why);
}

void redis_conn_close(redis_conn *c)
{
    redisAsyncContext *ac = c->ac;

    c->closing = true;
    lws_sul_cancel(&c->retry);
    if (ac) {
        /* Fails whatever is pending and asks lws to close its copy of the
         * socket. */
        c->ac = NULL;
        redisAsyncFree(ac);
    }
}
