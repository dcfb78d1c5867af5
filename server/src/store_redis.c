#include "store_redis.h"

#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <hiredis/async.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "redis_conn.h"
#include "redis_entry.h"
#include "redis_keys.h"
#include "redis_load.h"
#include "redis_script.h"
#include "redis_url.h"
#include "sse_frame.h"

/* XREAD waits this long for news, then asks again. */
#define FEED_BLOCK_MS "5000"
/* Entries per XREAD reply: bounds the reply's memory with max_frame_bytes. */
#define FEED_COUNT "256"
/* Publishes awaiting Redis's answer; past this they get 503 at once. */
#define MAX_IN_FLIGHT 10000u
#define SHA_LEN 40
/* A connection whose request got no answer for this long is given up (a
 * stopped Redis or a silent network): the feed's XREAD should answer
 * within FEED_BLOCK_MS, a publish within milliseconds. Also bounds the
 * wait for a connect that never completes. */
#define WATCHDOG_FEED_MS 15000u
#define WATCHDOG_PUBLISH_MS 10000u
#define WATCHDOG_PERIOD_US (1000 * LWS_US_PER_MS)

typedef struct store_redis store_redis;

struct store_redis {
    store base;
    store *mirror;
    redis_url url;
    redis_keys keys;
    store_memory_config retention;
    size_t stream_len;
    struct lws_vhost *vhost;
    struct lws_context *context;
    redis_conn feed;           /* XREAD BLOCK on the global stream */
    redis_conn cmd;            /* the publish script */
    char sha[SHA_LEN + 1];     /* SHA-1 of REDIS_PUBLISH_SCRIPT, as EVALSHA wants */
    size_t in_flight;
    uint64_t feed_asked_ms;    /* XREAD sent, no answer yet (0: none pending) */
    uint64_t cmd_progress_ms;  /* last publish answer, or the first in flight */
    lws_sorted_usec_list_t watchdog;
    bool closing;
    uint64_t feed_events;
    uint64_t feed_gaps;        /* times the feed found entries trimmed before it read them */
    uint64_t malformed;
    uint64_t publish_errors;
};

typedef struct pending_append {
    store_redis *r;
    store_append_done done;
    void *user;
} pending_append;

static store_redis *as_redis(store *s)
{
    return (store_redis *)s;
}


/* Timeouts need a clock that does not jump. */
static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Logged at 1, 2, 4, 8... so a poisoned stream cannot flood stderr. */
static void note_malformed(store_redis *r, const char *what)
{
    r->malformed++;
    if ((r->malformed & (r->malformed - 1)) == 0)
        fprintf(stderr, "ssemux-server: redis: skipped %s (%" PRIu64 " so far)\n", what,
                r->malformed);
}

/* ---- the feed: XREAD BLOCK on the global stream ---- */

/* Entries up to `through` were trimmed from the global stream before this
 * instance read them (it was cut off, stopped or slow for longer than
 * --redis-stream-len events). Which topics they belonged to is gone with
 * them, so every stream behind `through` gets the gap notice (sse_session
 * checks on every write) rather than a silent hole. */
static void note_feed_gap(store_redis *r, event_id through)
{
    char last[EVENT_ID_MAX_TEXT], lost[EVENT_ID_MAX_TEXT];

    event_id_format(store_last_id(r->mirror), last);
    event_id_format(through, lost);
    fprintf(stderr,
            "ssemux-server: redis: the global stream was trimmed past this instance "
            "(read up to %s, trimmed through %s): announcing a gap on every topic\n",
            last, lost);
    store_memory_note_unknown_through(r->mirror, through);
    r->feed_gaps++;
}

static void on_feed(redisAsyncContext *ac, void *reply, void *privdata);

static void feed_next(store_redis *r)
{
    char after[EVENT_ID_MAX_TEXT];

    event_id_format(store_last_id(r->mirror), after);
    r->feed_asked_ms = monotonic_ms();
    if (redisAsyncCommand(r->feed.ac, on_feed, r,
                          "XREAD COUNT " FEED_COUNT " BLOCK " FEED_BLOCK_MS " STREAMS %s %s",
                          r->keys.all, after) != REDIS_OK)
        redisAsyncDisconnect(r->feed.ac);
}

static void feed_entry(store_redis *r, const redisReply *entry)
{
    store_append_request req;
    store_status st;
    redis_entry e;

    if (!redis_entry_parse(entry, true, &e)) {
        event_id id;
        /* Step over it: the next XREAD must not return it again. */
        if (entry && entry->type == REDIS_REPLY_ARRAY && entry->elements == 2 &&
            redis_reply_event_id(entry->element[0], &id))
            store_memory_note_last_id(r->mirror, id);
        note_malformed(r, "a malformed entry in the global stream");
        return;
    }
    if (e.has_before && event_id_compare(e.before, store_last_id(r->mirror)) > 0)
        note_feed_gap(r, e.before);
    req = redis_entry_request(&e, e.topic, e.topic_len);
    st = store_memory_insert(r->mirror, &req, e.id);
    store_memory_note_last_id(r->mirror, e.id);
    if (st != STORE_OK)
        note_malformed(r, store_strerror(st));
    else
        r->feed_events++;
}

static void on_feed(redisAsyncContext *ac, void *reply, void *privdata)
{
    store_redis *r = privdata;
    const redisReply *rep = reply, *streams, *entries;

    if (!rep || r->closing)
        return; /* disconnected: on_disconnect takes over */
    r->feed_asked_ms = 0;
    if (rep->type == REDIS_REPLY_NIL) {
        feed_next(r); /* BLOCK timed out: nothing new */
        return;
    }
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 1 ||
        (streams = rep->element[0])->type != REDIS_REPLY_ARRAY || streams->elements != 2 ||
        (entries = streams->element[1])->type != REDIS_REPLY_ARRAY) {
        fprintf(stderr, "ssemux-server: redis XREAD: unexpected reply%s%.*s\n",
                rep->type == REDIS_REPLY_ERROR ? ": " : "",
                rep->type == REDIS_REPLY_ERROR ? (int)rep->len : 0,
                rep->type == REDIS_REPLY_ERROR ? rep->str : "");
        redisAsyncDisconnect(ac); /* start over, with backoff */
        return;
    }
    for (size_t i = 0; i < entries->elements; i++)
        feed_entry(r, entries->element[i]);
    feed_next(r);
}

/* ---- the command connection: the publish script ---- */

static void on_script_loaded(redisAsyncContext *ac, void *reply, void *privdata)
{
    redis_conn *c = privdata;
    store_redis *r = c->user;
    const redisReply *rep = reply;

    if (!rep || r->closing)
        return;
    if (rep->type != REDIS_REPLY_STRING || rep->len != SHA_LEN ||
        memcmp(rep->str, r->sha, SHA_LEN) != 0) {
        fprintf(stderr, "ssemux-server: redis SCRIPT LOAD failed%s%.*s\n",
                rep->type == REDIS_REPLY_ERROR ? ": " : "",
                rep->type == REDIS_REPLY_ERROR ? (int)rep->len : 0,
                rep->type == REDIS_REPLY_ERROR ? rep->str : "");
        redisAsyncDisconnect(ac);
        return;
    }
    redis_conn_mark_ready(c);
}

static void load_script(redis_conn *c)
{
    /* Every (re)connect: Redis may have restarted with an empty script
     * cache. Commands on one connection run in order, so no EVALSHA sent
     * after this can miss the script. */
    if (redisAsyncCommand(c->ac, on_script_loaded, c, "SCRIPT LOAD %s",
                          REDIS_PUBLISH_SCRIPT) != REDIS_OK)
        redisAsyncDisconnect(c->ac);
}

static void watchdog_fire(lws_sorted_usec_list_t *sul)
{
    store_redis *r = lws_container_of(sul, store_redis, watchdog);
    uint64_t now = monotonic_ms();

    /* XREAD BLOCK answers within FEED_BLOCK_MS even when nothing happens. */
    if (r->feed.ac && r->feed_asked_ms && now - r->feed_asked_ms > WATCHDOG_FEED_MS) {
        r->feed_asked_ms = 0;
        redis_conn_drop(&r->feed, "no answer to XREAD");
    }
    if (r->cmd.ac && r->in_flight && now - r->cmd_progress_ms > WATCHDOG_PUBLISH_MS)
        redis_conn_drop(&r->cmd, "no answer to publishes");
    lws_sul_schedule(r->context, 0, &r->watchdog, watchdog_fire, WATCHDOG_PERIOD_US);
}

/* ---- store ops ---- */

static void redis_set_listener(store *s, store_listener listener, void *user)
{
    store_set_listener(as_redis(s)->mirror, listener, user);
}

static void on_published(redisAsyncContext *ac, void *reply, void *privdata)
{
    pending_append *p = privdata;
    const redisReply *rep = reply;
    store_redis *r = p->r;
    event_id id;

    (void)ac;
    r->in_flight--;
    r->cmd_progress_ms = monotonic_ms();
    if (rep && redis_reply_event_id(rep, &id)) {
        p->done(p->user, STORE_OK, id);
    } else {
        r->publish_errors++;
        if (rep && rep->type == REDIS_REPLY_ERROR) {
            fprintf(stderr, "ssemux-server: redis publish failed: %.*s\n", (int)rep->len,
                    rep->str);
            /* SCRIPT FLUSH behind our back: load it again for the next. */
            if (!strncmp(rep->str, "NOSCRIPT", 8) && r->cmd.ac && !r->closing)
                load_script(&r->cmd);
        }
        p->done(p->user, STORE_UNAVAILABLE, event_id_zero());
    }
    free(p);
}

static void redis_append(store *s, const store_append_request *req, store_append_done done,
                         void *user)
{
    store_redis *r = as_redis(s);
    char topic_key[REDIS_KEY_MAX], floor[EVENT_ID_MAX_TEXT], all_len[24], history[24], age[24];
    const char *argv[13];
    size_t lens[13];
    store_topic_info info;
    pending_append *p;

    if (!topic_name_valid(req->topic, req->topic_len) || !req->type_len ||
        sse_frame_event_size(EVENT_ID_MAX_TEXT - 1, req->type_len, req->data, req->data_len) >
            r->retention.max_frame_bytes) {
        done(user, STORE_BAD_ARGUMENT, event_id_zero());
        return;
    }
    /* While the connection is still being made the command waits in
     * hiredis's buffer behind AUTH, SELECT and SCRIPT LOAD (one connection runs
     * its commands in order), so publishes right after startup or a
     * reconnect need not fail. No connection at all: 503 at once. */
    if (!r->cmd.ac || r->in_flight >= MAX_IN_FLIGHT) {
        done(user, STORE_UNAVAILABLE, event_id_zero());
        return;
    }
    if (!store_topic_info_get(r->mirror, req->topic, req->topic_len, &info)) {
        store_stats stats;
        store_get_stats(r->mirror, &stats);
        if (stats.topics >= r->retention.max_topics) {
            done(user, STORE_TOO_MANY_TOPICS, event_id_zero());
            return;
        }
    }
    p = malloc(sizeof(*p));
    if (!p) {
        done(user, STORE_NO_MEMORY, event_id_zero());
        return;
    }
    p->r = r;
    p->done = done;
    p->user = user;
    event_id_format(store_last_id(r->mirror), floor);
    snprintf(all_len, sizeof(all_len), "%zu", r->stream_len);
    snprintf(history, sizeof(history), "%zu", r->retention.history);
    snprintf(age, sizeof(age), "%" PRIu64, r->retention.max_age_ms);
    argv[0] = "EVALSHA";
    argv[1] = r->sha;
    argv[2] = "3";
    argv[3] = r->keys.all;
    argv[4] = topic_key;
    argv[5] = r->keys.last_id;
    argv[6] = floor;
    argv[7] = all_len;
    argv[8] = history;
    argv[9] = age;
    lens[4] = redis_keys_topic(&r->keys, req->topic, req->topic_len, topic_key);
    for (size_t i = 0; i < 10; i++) {
        if (i != 4) /* the topic key is binary-safe: its length, not strlen */
            lens[i] = strlen(argv[i]);
    }
    argv[10] = req->topic;
    lens[10] = req->topic_len;
    argv[11] = req->type;
    lens[11] = req->type_len;
    argv[12] = req->data;
    lens[12] = req->data_len;
    if (redisAsyncCommandArgv(r->cmd.ac, on_published, p, 13, argv, lens) != REDIS_OK) {
        free(p);
        done(user, STORE_UNAVAILABLE, event_id_zero());
        return;
    }
    if (!r->in_flight++)
        r->cmd_progress_ms = monotonic_ms();
}

static size_t redis_read_after(store *s, const char *topic, size_t topic_len, event_id after,
                               const store_event **out, size_t max)
{
    return store_read_after(as_redis(s)->mirror, topic, topic_len, after, out, max);
}

static bool redis_topic_info(store *s, const char *topic, size_t topic_len,
                             store_topic_info *info)
{
    return store_topic_info_get(as_redis(s)->mirror, topic, topic_len, info);
}

static event_id redis_last_id(store *s)
{
    return store_last_id(as_redis(s)->mirror);
}

static void redis_expire(store *s, uint64_t now_ms)
{
    /* Redis trims its copy on publish (XTRIM MINID); this is the mirror. */
    store_expire(as_redis(s)->mirror, now_ms);
}

static void redis_stats(store *s, store_stats *out)
{
    store_get_stats(as_redis(s)->mirror, out);
}

static const char *redis_health(store *s)
{
    store_redis *r = as_redis(s);
    return r->feed.ready && r->cmd.ready ? "up" : "down";
}

static size_t redis_metrics(store *s, char *out, size_t cap)
{
    store_redis *r = as_redis(s);
    int n = snprintf(
        out, cap,
        "# HELP ssemux_redis_up 1 while both Redis connections (feed, publish) are ready.\n"
        "# TYPE ssemux_redis_up gauge\nssemux_redis_up %d\n"
        "# HELP ssemux_redis_reconnects_total Redis connections lost (each is retried).\n"
        "# TYPE ssemux_redis_reconnects_total counter\nssemux_redis_reconnects_total %" PRIu64
        "\n"
        "# HELP ssemux_redis_feed_events_total Events received from the global stream.\n"
        "# TYPE ssemux_redis_feed_events_total counter\nssemux_redis_feed_events_total %" PRIu64
        "\n"
        "# HELP ssemux_redis_feed_gaps_total Times entries were trimmed from the global stream "
        "before this instance read them (announced as gaps).\n"
        "# TYPE ssemux_redis_feed_gaps_total counter\nssemux_redis_feed_gaps_total %" PRIu64 "\n"
        "# HELP ssemux_redis_skipped_entries_total Entries from Redis skipped as malformed.\n"
        "# TYPE ssemux_redis_skipped_entries_total counter\n"
        "ssemux_redis_skipped_entries_total %" PRIu64 "\n"
        "# HELP ssemux_redis_publish_errors_total Publishes Redis failed or did not answer.\n"
        "# TYPE ssemux_redis_publish_errors_total counter\n"
        "ssemux_redis_publish_errors_total %" PRIu64 "\n"
        "# HELP ssemux_redis_publishes_in_flight Publishes awaiting Redis's answer.\n"
        "# TYPE ssemux_redis_publishes_in_flight gauge\nssemux_redis_publishes_in_flight %zu\n",
        r->feed.ready && r->cmd.ready, r->feed.reconnects + r->cmd.reconnects, r->feed_events,
        r->feed_gaps, r->malformed,
        r->publish_errors, r->in_flight);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static void redis_destroy(store *s)
{
    store_redis *r = as_redis(s);

    r->closing = true;
    lws_sul_cancel(&r->watchdog);
    redis_conn_close(&r->feed);
    redis_conn_close(&r->cmd);
    store_destroy(r->mirror);
    OPENSSL_cleanse(r->url.password, sizeof(r->url.password));
    free(r);
}

static const store_ops redis_ops = {
    redis_set_listener, redis_append, redis_read_after, redis_topic_info, redis_last_id,
    redis_expire,       redis_stats,  redis_destroy,    redis_health,     redis_metrics,
};

/* hiredis 0.14 resolves host names with a blocking getaddrinfo() on every
 * connect: resolve once here, at startup, and reconnect by address. */
static bool resolve_host(redis_url *url, char *err, size_t err_cap)
{
    struct addrinfo hints, *res = NULL;
    char numeric[64]; /* an IPv6 address is at most 45 */
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(url->host, NULL, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_cap, "cannot resolve the Redis host %s: %s", url->host,
                 gai_strerror(rc));
        return false;
    }
    rc = getnameinfo(res->ai_addr, res->ai_addrlen, numeric, sizeof(numeric), NULL, 0,
                     NI_NUMERICHOST);
    freeaddrinfo(res);
    if (rc != 0 || strlen(numeric) > REDIS_URL_HOST_MAX) {
        snprintf(err, err_cap, "cannot resolve the Redis host %s", url->host);
        return false;
    }
    strcpy(url->host, numeric);
    return true;
}

static bool script_sha(char out[SHA_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;

    if (!EVP_Digest(REDIS_PUBLISH_SCRIPT, sizeof(REDIS_PUBLISH_SCRIPT) - 1, md, &len, EVP_sha1(),
                    NULL) ||
        len * 2 != SHA_LEN)
        return false;
    for (unsigned i = 0; i < len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[SHA_LEN] = '\0';
    return true;
}

static void on_feed_ready(redisAsyncContext *ac, void *reply, void *privdata)
{
    redis_conn *c = privdata;

    (void)ac;
    if (reply && !c->closing && ((redisReply *)reply)->type != REDIS_REPLY_ERROR)
        redis_conn_mark_ready(c);
}

/* Every (re)connect of the feed: ready once Redis answers, then follow the
 * global stream after the last ID this instance has. */
static void setup_feed(redis_conn *c)
{
    if (redisAsyncCommand(c->ac, on_feed_ready, c, "PING") == REDIS_OK)
        feed_next(c->user);
}

store_status store_redis_open(const store_redis_config *config, uint64_t now_ms, store **out,
                              char *err, size_t err_cap)
{
    store_memory_config mirror_config = config->retention;
    redis_load_result loaded;
    store_redis *r;
    store_status st;
    char last[EVENT_ID_MAX_TEXT];

    *out = NULL;
    if (config->retention.data_dir || !config->stream_len)
        return STORE_BAD_ARGUMENT;
    r = calloc(1, sizeof(*r));
    if (!r)
        return STORE_NO_MEMORY;
    r->base.ops = &redis_ops;
    r->retention = config->retention;
    r->stream_len = config->stream_len;
    r->vhost = config->vhost;
    r->context = config->context;
    if (!script_sha(r->sha)) {
        free(r);
        return STORE_NO_MEMORY;
    }
    if (!redis_url_parse(config->url, &r->url, err, err_cap) ||
        !resolve_host(&r->url, err, err_cap)) {
        free(r);
        return STORE_BAD_ARGUMENT;
    }
    redis_conn_init(&r->feed, "feed", &r->url, r->context, r->vhost, setup_feed, r);
    redis_conn_init(&r->cmd, "publish", &r->url, r->context, r->vhost, load_script, r);
    if (!redis_keys_init(&r->keys, config->prefix)) {
        snprintf(err, err_cap, "--redis-prefix: up to %d of A-Z a-z 0-9 : _ . { } -",
                 REDIS_PREFIX_MAX);
        free(r);
        return STORE_BAD_ARGUMENT;
    }
    /* Opened at time 0: history is whatever Redis retains, not "since this
     * process started" as for a memory-only store. */
    st = store_memory_open(&mirror_config, 0, &r->mirror, NULL, err, err_cap);
    if (st != STORE_OK) {
        free(r);
        return st;
    }
    if (!redis_load_history(&r->url, &r->keys, r->retention.history, r->mirror, &loaded, err,
                            err_cap)) {
        redis_destroy(&r->base);
        return STORE_UNAVAILABLE;
    }
    store_expire(r->mirror, now_ms);
    event_id_format(loaded.last, last);
    fprintf(stderr,
            "ssemux-server: redis %s:%d/%d%s%s%s prefix \"%s\": %zu topics, %zu events loaded, "
            "%zu skipped; following the global stream after %s\n",
            r->url.host, r->url.port, r->url.db, r->url.user[0] ? " as user \"" : "", r->url.user,
            r->url.user[0] ? "\"" : "", r->keys.prefix, loaded.topics, loaded.events,
            loaded.skipped, last);
    redis_conn_start(&r->feed);
    redis_conn_start(&r->cmd);
    lws_sul_schedule(r->context, 0, &r->watchdog, watchdog_fire, WATCHDOG_PERIOD_US);
    *out = &r->base;
    return STORE_OK;
}
