#include "redis_conn.h"

#include <stdio.h>
#include <string.h>

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
}

static void on_selected(redisAsyncContext *ac, void *reply, void *privdata)
{
    redis_conn *c = privdata;
    const redisReply *rep = reply;

    if (!rep || c->closing || rep->type != REDIS_REPLY_ERROR)
        return;
    fprintf(stderr, "ssemux-server: redis SELECT %d: %.*s\n", c->url->db, (int)rep->len, rep->str);
    redisAsyncDisconnect(ac);
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
    if (redisAsyncCommand(ac, on_selected, c, "SELECT %d", c->url->db) != REDIS_OK)
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

void redis_conn_drop(redis_conn *c, const char *why)
{
    redisAsyncContext *ac = c->ac;

    if (!ac)
        return;
    c->ac = NULL;
    c->ready = false;
    ac->data = NULL; /* on_connect/on_disconnect: not theirs to handle */
    redisAsyncFree(ac);
    c->reconnects++;
    log_down(c, why);
    schedule_retry(c);
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
