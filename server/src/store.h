/*
 * The store interface: where published events live for replay. The server
 * talks only to this. Two stores implement it: store_memory.c (rings in
 * memory, optionally backed by the log in --data-dir) and store_redis.c
 * (Redis Streams shared by several instances, --redis).
 *
 * Shaped for an asynchronous backend: append reports through a callback
 * (store_memory calls it before returning; store_redis when Redis answers
 * the publish script), and new events reach the server through the
 * listener, whichever instance published them.
 *
 * Single-threaded: call everything from the event loop thread.
 */
#ifndef SSEMUX_SERVER_STORE_H
#define SSEMUX_SERVER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event_id.h"

typedef enum store_status {
    STORE_OK = 0,
    STORE_NO_MEMORY,
    STORE_IO_ERROR,       /* the log could not be written: not acknowledged */
    STORE_TOO_MANY_TOPICS,
    STORE_BAD_ARGUMENT,   /* invalid topic, or an event larger than the store takes */
    STORE_DATA_DIR_IN_USE,
    STORE_CORRUPT,        /* the log is not ours, or unreadable before its tail */
    STORE_UNAVAILABLE     /* the backing service (Redis) is down: not acknowledged */
} store_status;

const char *store_strerror(store_status status);

/* One retained event. Pointers stay valid until the next call that changes
 * the store (append, expire, destroy). */
typedef struct store_event {
    event_id id;
    int64_t published_ms;
    const char *frame; /* the whole SSE frame, see sse_frame.h */
    size_t frame_len;
    /* Bytes of this topic's frames ever appended, up to and including this
     * one. Subtracting two offsets gives the bytes between two events, which
     * is how a stream's backlog is measured without walking it. */
    uint64_t end_offset;
} store_event;

typedef struct store_topic_info {
    size_t count;            /* events retained */
    event_id oldest;         /* zero when none retained */
    event_id newest;         /* zero when none retained */
    /* Newest ID that may have existed for this topic and is gone (trimmed
     * by count or age, or unknown because history started later). A cursor
     * below it has missed events: the server tells the client. */
    event_id dropped_through;
    uint64_t total_bytes;    /* end_offset of the newest event ever appended */
} store_topic_info;

typedef struct store_stats {
    size_t topics;
    size_t events;           /* retained, all topics */
    size_t bytes;            /* retained frame bytes, all topics */
    uint64_t log_bytes;      /* size of the log, 0 without one */
    uint64_t compactions;
} store_stats;

typedef struct store_append_request {
    const char *topic;
    size_t topic_len;
    const char *type;        /* SSE event type, validated by the caller */
    size_t type_len;
    const char *data;
    size_t data_len;
    uint64_t now_ms;         /* wall clock, for the ID and age retention */
} store_append_request;

typedef struct store store;

/* Called once per append with the assigned ID (zero on failure). */
typedef void (*store_append_done)(void *user, store_status status, event_id id);

/* Called for every new event of any topic, after it is retained. */
typedef void (*store_listener)(void *user, const char *topic, size_t topic_len,
                               const store_event *event);

typedef struct store_ops {
    void (*set_listener)(store *s, store_listener listener, void *user);
    void (*append)(store *s, const store_append_request *req, store_append_done done,
                   void *user);
    /* Up to `max` retained events of the topic with id > after, oldest
     * first. Returns how many were written to out. */
    size_t (*read_after)(store *s, const char *topic, size_t topic_len, event_id after,
                         const store_event **out, size_t max);
    /* False if the store has never seen the topic (info is then zeroed). */
    bool (*topic_info)(store *s, const char *topic, size_t topic_len, store_topic_info *info);
    /* The newest ID handed out, across topics. */
    event_id (*last_id)(store *s);
    /* Drops events older than the age limit. */
    void (*expire)(store *s, uint64_t now_ms);
    void (*stats)(store *s, store_stats *out);
    void (*destroy)(store *s);
    /* Optional (NULL for the embedded store): a short word for /healthz
     * ("up", "down", ...) and extra Prometheus lines for /metrics, for a
     * store that depends on a service (Redis). metrics returns the length
     * written, 0 if cap is too small. */
    const char *(*health)(store *s);
    size_t (*metrics)(store *s, char *out, size_t cap);
} store_ops;

struct store {
    const store_ops *ops;
};

static inline void store_set_listener(store *s, store_listener listener, void *user)
{
    s->ops->set_listener(s, listener, user);
}

static inline void store_append(store *s, const store_append_request *req,
                                store_append_done done, void *user)
{
    s->ops->append(s, req, done, user);
}

static inline size_t store_read_after(store *s, const char *topic, size_t topic_len,
                                      event_id after, const store_event **out, size_t max)
{
    return s->ops->read_after(s, topic, topic_len, after, out, max);
}

static inline bool store_topic_info_get(store *s, const char *topic, size_t topic_len,
                                        store_topic_info *info)
{
    return s->ops->topic_info(s, topic, topic_len, info);
}

static inline event_id store_last_id(store *s)
{
    return s->ops->last_id(s);
}

static inline void store_expire(store *s, uint64_t now_ms)
{
    s->ops->expire(s, now_ms);
}

static inline void store_get_stats(store *s, store_stats *out)
{
    s->ops->stats(s, out);
}

static inline const char *store_health(store *s)
{
    return s->ops->health ? s->ops->health(s) : NULL;
}

static inline size_t store_metrics(store *s, char *out, size_t cap)
{
    return s->ops->metrics ? s->ops->metrics(s, out, cap) : 0;
}

static inline void store_destroy(store *s)
{
    if (s)
        s->ops->destroy(s);
}

#endif
