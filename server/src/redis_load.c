#include "redis_load.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "redis_auth.h"
#include "redis_entry.h"
#include "store_memory.h"

#define CONNECT_TIMEOUT_S 5
#define COMMAND_TIMEOUT_S 30
#define SCAN_COUNT "500"

static bool command_failed(redisContext *c, redisReply *reply, const char *what, char *err,
                           size_t err_cap)
{
    if (!reply) {
        snprintf(err, err_cap, "Redis %s: %s", what, c->errstr[0] ? c->errstr : "no answer");
        return true;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        snprintf(err, err_cap, "Redis %s: %.*s", what, (int)reply->len, reply->str);
        freeReplyObject(reply);
        return true;
    }
    return false;
}

/* G: the newest ID in the global stream (or handed out, if newer). */
static bool read_last_id(redisContext *c, const redis_keys *keys, event_id *out, char *err,
                         size_t err_cap)
{
    redisReply *r = redisCommand(c, "XREVRANGE %s + - COUNT 1", keys->all);
    event_id id;

    *out = event_id_zero();
    if (command_failed(c, r, "XREVRANGE", err, err_cap))
        return false;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
        r->element[0]->elements == 2 && redis_reply_event_id(r->element[0]->element[0], &id))
        *out = id;
    freeReplyObject(r);
    r = redisCommand(c, "GET %s", keys->last_id);
    if (command_failed(c, r, "GET", err, err_cap))
        return false;
    if (redis_reply_event_id(r, &id))
        *out = event_id_max(*out, id);
    freeReplyObject(r);
    return true;
}

/* XINFO STREAM's max-deleted-entry-id (Redis 7): the newest event trimmed
 * away, so gap notices survive restarts. Zero when unknown. */
static event_id max_deleted(redisContext *c, const char *key)
{
    redisReply *r = redisCommand(c, "XINFO STREAM %s", key);
    event_id id = event_id_zero();

    if (!r)
        return id;
    if (r->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i + 1 < r->elements; i += 2) {
            const redisReply *name = r->element[i];
            if (name->type == REDIS_REPLY_STRING && name->len == 20 &&
                memcmp(name->str, "max-deleted-entry-id", 20) == 0)
                (void)redis_reply_event_id(r->element[i + 1], &id);
        }
    }
    freeReplyObject(r);
    return id;
}

static void load_topic(redisContext *c, const char *key, const char *topic, size_t topic_len,
                       size_t history, store *mirror, redis_load_result *out)
{
    char last[EVENT_ID_MAX_TEXT], count[24];
    redisReply *r;
    event_id dropped = max_deleted(c, key);
    size_t first = 0;

    event_id_format(out->last, last);
    snprintf(count, sizeof(count), "%zu", history + 1);
    r = redisCommand(c, "XREVRANGE %s %s - COUNT %s", key, last, count);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        out->skipped++;
        if (r)
            freeReplyObject(r);
        return;
    }
    /* One more than history came back: that one and all before it are
     * beyond retention. */
    if (r->elements > history) {
        redis_entry oldest;
        if (redis_entry_parse(r->element[r->elements - 1], false, &oldest))
            dropped = event_id_max(dropped, oldest.id);
        first = 1;
    }
    if (!event_id_is_zero(dropped))
        (void)store_memory_note_dropped(mirror, topic, topic_len, dropped);
    for (size_t i = r->elements - first; i-- > 0;) {
        store_append_request req;
        redis_entry e;

        if (!redis_entry_parse(r->element[i], false, &e)) {
            out->skipped++;
            continue;
        }
        req = redis_entry_request(&e, topic, topic_len);
        if (store_memory_insert(mirror, &req, e.id) == STORE_OK)
            out->events++;
        else
            out->skipped++;
    }
    out->topics++;
    freeReplyObject(r);
}

static bool load_topics(redisContext *c, const redis_keys *keys, size_t history, store *mirror,
                        redis_load_result *out, char *err, size_t err_cap)
{
    char pattern[REDIS_KEY_MAX + 4], cursor[32] = "0";

    snprintf(pattern, sizeof(pattern), "%st:*", keys->prefix);
    do {
        redisReply *r = redisCommand(c, "SCAN %s MATCH %s COUNT " SCAN_COUNT " TYPE stream",
                                     cursor, pattern);
        const redisReply *list;

        if (command_failed(c, r, "SCAN", err, err_cap))
            return false;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
            r->element[0]->type != REDIS_REPLY_STRING || r->element[0]->len >= (int)sizeof(cursor) ||
            r->element[1]->type != REDIS_REPLY_ARRAY) {
            snprintf(err, err_cap, "Redis SCAN: unexpected reply");
            freeReplyObject(r);
            return false;
        }
        memcpy(cursor, r->element[0]->str, (size_t)r->element[0]->len);
        cursor[r->element[0]->len] = '\0';
        list = r->element[1];
        for (size_t i = 0; i < list->elements; i++) {
            const redisReply *key = list->element[i];
            const char *topic;
            size_t topic_len;

            if (key->type != REDIS_REPLY_STRING ||
                !(topic = redis_keys_topic_of(keys, key->str, (size_t)key->len, &topic_len)) ||
                !topic_name_valid(topic, topic_len)) {
                out->skipped++;
                continue;
            }
            load_topic(c, key->str, topic, topic_len, history, mirror, out);
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return true;
}

/* Fails if Redis refuses reply `r` to step `what` of the handshake; a
 * refusal of the credentials says so (never with the password). */
static bool handshake_failed(redisContext *c, redisReply *r, const redis_url *url,
                             const char *what, char *err, size_t err_cap)
{
    char why[REDIS_AUTH_DESCRIBE_MAX];

    if (r && r->type == REDIS_REPLY_ERROR && redis_auth_refused(r->str, (size_t)r->len)) {
        redis_auth_describe(url, r->str, (size_t)r->len, why, sizeof(why));
        snprintf(err, err_cap, "Redis at %s:%d: %s", url->host, url->port, why);
        freeReplyObject(r);
        return true;
    }
    if (command_failed(c, r, what, err, err_cap))
        return true;
    freeReplyObject(r);
    return false;
}

/* AUTH (if the URL has a password) and SELECT, always: SELECT fails with
 * NOAUTH when Redis wants a password the URL does not give. */
static bool handshake(redisContext *c, const redis_url *url, char *err, size_t err_cap)
{
    const char *argv[REDIS_AUTH_ARGC_MAX];
    size_t lens[REDIS_AUTH_ARGC_MAX];
    int argc = redis_auth_argv(url, argv, lens);

    if (argc && handshake_failed(c, redisCommandArgv(c, argc, argv, lens), url, "AUTH", err,
                                 err_cap))
        return false;
    return !handshake_failed(c, redisCommand(c, "SELECT %d", url->db), url, "SELECT", err,
                             err_cap);
}

bool redis_load_history(const redis_url *url, const redis_keys *keys, size_t history,
                        store *mirror, redis_load_result *out, char *err, size_t err_cap)
{
    struct timeval connect_tv = {CONNECT_TIMEOUT_S, 0}, command_tv = {COMMAND_TIMEOUT_S, 0};
    redisContext *c = redisConnectWithTimeout(url->host, url->port, connect_tv);
    bool ok = false;

    memset(out, 0, sizeof(*out));
    if (!c || c->err) {
        snprintf(err, err_cap, "cannot connect to Redis at %s:%d: %s", url->host, url->port,
                 c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return false;
    }
    redisSetTimeout(c, command_tv);
    if (!handshake(c, url, err, err_cap) || !read_last_id(c, keys, &out->last, err, err_cap) ||
        !load_topics(c, keys, history, mirror, out, err, err_cap))
        goto done;
    store_memory_note_last_id(mirror, out->last);
    ok = true;
done:
    redisFree(c);
    return ok;
}
