/*
 * Who listens to what: for each topic with at least one open stream, the
 * list of that stream's subscriptions. The store's listener looks a topic
 * up here to wake exactly the streams that want the new event.
 */
#ifndef SSEMUX_SERVER_TOPICS_H
#define SSEMUX_SERVER_TOPICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "topic_table.h"

typedef struct topic_subscribers {
    topic_node node;           /* the registry links this */
    lws_dll2_owner_t subscriptions;
    /* The topic's store end_offset as of the newest event seen, so a
     * stream's backlog is a subtraction, not a store lookup. */
    uint64_t total_bytes;
} topic_subscribers;

typedef struct topic_registry {
    topic_table table;
} topic_registry;

bool topic_registry_init(topic_registry *reg);
void topic_registry_free(topic_registry *reg);

topic_subscribers *topic_registry_find(topic_registry *reg, const char *name, size_t len);

/* Finds or creates the entry; NULL when out of memory or the name is
 * invalid. Pair with topic_registry_release once the subscription is
 * removed from the list. */
topic_subscribers *topic_registry_acquire(topic_registry *reg, const char *name, size_t len);

/* Frees the entry when no subscription is left on it. */
void topic_registry_release(topic_registry *reg, topic_subscribers *topic);

#endif
