/*
 * Topic names and a hash table keyed by them. Intrusive, like the lws
 * dll2 lists: the caller embeds a topic_node in its own struct (a store
 * ring, a subscriber list) and owns its memory; the table only links it.
 */
#ifndef SSEMUX_SERVER_TOPIC_TABLE_H
#define SSEMUX_SERVER_TOPIC_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOPIC_NAME_MAX 64

/* [A-Za-z0-9._:-]{1,64}: safe in URLs, JSON, log records and metric
 * labels without escaping. */
bool topic_name_valid(const char *name, size_t len);

typedef struct topic_node {
    struct topic_node *next; /* bucket chain */
    uint32_t hash;
    uint8_t len;
    char name[TOPIC_NAME_MAX + 1]; /* NUL-terminated */
} topic_node;

typedef struct topic_table {
    topic_node **buckets;
    size_t bucket_count; /* a power of two */
    size_t count;
} topic_table;

/* Returns false when out of memory. */
bool topic_table_init(topic_table *table);
/* Frees the buckets; the nodes belong to the caller. */
void topic_table_free(topic_table *table);

/* Copies the name into the node. Returns false if it is not valid. */
bool topic_node_init(topic_node *node, const char *name, size_t len);

topic_node *topic_table_find(const topic_table *table, const char *name, size_t len);

/* Links a node whose name is not in the table yet. Returns false when
 * growing the table failed (the node is linked anyway; lookups just get
 * slower). */
bool topic_table_insert(topic_table *table, topic_node *node);

void topic_table_remove(topic_table *table, topic_node *node);

/* Iteration in no particular order; removing the node just returned is
 * allowed. Start with an iterator of all zeros. */
typedef struct topic_table_iter {
    size_t bucket;
    topic_node *next;
} topic_table_iter;

topic_node *topic_table_next(const topic_table *table, topic_table_iter *iter);

#endif
