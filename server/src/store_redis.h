/*
 * The Redis store: several ssemux-server instances share one event
 * history through Redis Streams, so an ID issued by one instance is a
 * cursor every instance understands (docs/deployment.md).
 *
 * Publishing runs one script (redis_script.h) that assigns the ID and
 * appends to the global stream and the topic's stream. Each instance
 * follows the global stream with XREAD BLOCK on a connection of its own
 * and keeps the retained history in a local mirror (a store_memory without
 * a log), so replay and the store's other reads answer synchronously from
 * memory. Its own publishes reach it the same way, so every instance sees
 * one global order.
 *
 * Both connections run on the lws loop (redis_lws.h) and authenticate and
 * select the URL's database on every connect (redis_conn.h); when Redis goes
 * away, appends fail with STORE_UNAVAILABLE, streams carry on, and the
 * store reconnects with backoff and resumes the feed after the last ID it
 * saw. Implements store.h.
 */
#ifndef SSEMUX_SERVER_STORE_REDIS_H
#define SSEMUX_SERVER_STORE_REDIS_H

#include <libwebsockets.h>

#include "store.h"
#include "store_memory.h"

typedef struct store_redis_config {
    const char *url;            /* redis://[USER:PASSWORD@]HOST[:PORT][/DB], redis_url.h */
    const char *prefix;         /* key prefix, see redis_keys.h */
    size_t stream_len;          /* approximate length of the global stream */
    /* history, max_age_ms, max_topics, max_frame_bytes: for the topic
     * streams in Redis and the mirror alike; data_dir must be NULL. */
    store_memory_config retention;
    struct lws_context *context; /* the loop the connections run on */
    struct lws_vhost *vhost;     /* its vhost, which lists REDIS_LWS_PROTOCOL */
} store_redis_config;

/* Connects, loads the retained history (blocking, at startup only) and
 * starts following the global stream. STORE_UNAVAILABLE with a reason in
 * err when Redis cannot be reached. */
store_status store_redis_open(const store_redis_config *config, uint64_t now_ms, store **out,
                              char *err, size_t err_cap);

#endif
