/*
 * Key names in Redis, all under one prefix (--redis-prefix, default
 * "ssemux:") so several deployments can share a database:
 *   <prefix>all        the global stream: every event, the live feed
 *   <prefix>t:<topic>  one topic's history
 *   <prefix>last-id    the newest ID handed out
 */
#ifndef SSEMUX_SERVER_REDIS_KEYS_H
#define SSEMUX_SERVER_REDIS_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "topic_table.h"

#define REDIS_PREFIX_MAX 64
#define REDIS_KEY_MAX (REDIS_PREFIX_MAX + 2 + TOPIC_NAME_MAX + 1)

typedef struct redis_keys {
    char prefix[REDIS_PREFIX_MAX + 1];
    size_t prefix_len;
    char all[REDIS_KEY_MAX];
    char last_id[REDIS_KEY_MAX];
} redis_keys;

/* The prefix is 0..64 of [A-Za-z0-9:_.{}-]: no glob characters (SCAN
 * MATCH uses it), nothing that needs quoting. False otherwise. */
bool redis_keys_init(redis_keys *keys, const char *prefix);

/* "<prefix>t:<topic>" into out (REDIS_KEY_MAX bytes); returns its length. */
size_t redis_keys_topic(const redis_keys *keys, const char *topic, size_t topic_len,
                        char out[REDIS_KEY_MAX]);

/* The topic inside a topic key, or NULL if the key is not one. */
const char *redis_keys_topic_of(const redis_keys *keys, const char *key, size_t key_len,
                                size_t *topic_len);

#endif
