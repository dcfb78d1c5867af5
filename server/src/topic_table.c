#include "topic_table.h"

#include <stdlib.h>
#include <string.h>

#define INITIAL_BUCKETS 64

bool topic_name_valid(const char *name, size_t len)
{
    if (!name || len == 0 || len > TOPIC_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* FNV-1a: names are short and come from the network, but the table only
 * degrades to a longer chain under collisions, it does not fail. */
static uint32_t hash_name(const char *name, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 16777619u;
    }
    return h;
}

bool topic_table_init(topic_table *table)
{
    table->buckets = calloc(INITIAL_BUCKETS, sizeof(*table->buckets));
    table->bucket_count = table->buckets ? INITIAL_BUCKETS : 0;
    table->count = 0;
    return table->buckets != NULL;
}

void topic_table_free(topic_table *table)
{
    free(table->buckets);
    table->buckets = NULL;
    table->bucket_count = 0;
    table->count = 0;
}

bool topic_node_init(topic_node *node, const char *name, size_t len)
{
    if (!topic_name_valid(name, len))
        return false;
    node->next = NULL;
    node->hash = hash_name(name, len);
    node->len = (uint8_t)len;
    memcpy(node->name, name, len);
    node->name[len] = '\0';
    return true;
}

topic_node *topic_table_find(const topic_table *table, const char *name, size_t len)
{
    uint32_t hash;

    if (!table->bucket_count || len == 0 || len > TOPIC_NAME_MAX)
        return NULL;
    hash = hash_name(name, len);
    for (topic_node *n = table->buckets[hash & (table->bucket_count - 1)]; n; n = n->next)
        if (n->hash == hash && n->len == len && memcmp(n->name, name, len) == 0)
            return n;
    return NULL;
}

static bool grow(topic_table *table)
{
    size_t count = table->bucket_count * 2;
    topic_node **buckets = calloc(count, sizeof(*buckets));

    if (!buckets)
        return false;
    for (size_t b = 0; b < table->bucket_count; b++) {
        topic_node *n = table->buckets[b];
        while (n) {
            topic_node *next = n->next;
            size_t slot = n->hash & (count - 1);
            n->next = buckets[slot];
            buckets[slot] = n;
            n = next;
        }
    }
    free(table->buckets);
    table->buckets = buckets;
    table->bucket_count = count;
    return true;
}

bool topic_table_insert(topic_table *table, topic_node *node)
{
    bool grown = true;
    size_t slot;

    if (table->count >= table->bucket_count * 2)
        grown = grow(table);
    slot = node->hash & (table->bucket_count - 1);
    node->next = table->buckets[slot];
    table->buckets[slot] = node;
    table->count++;
    return grown;
}

void topic_table_remove(topic_table *table, topic_node *node)
{
    topic_node **link = &table->buckets[node->hash & (table->bucket_count - 1)];

    while (*link && *link != node)
        link = &(*link)->next;
    if (*link) {
        *link = node->next;
        node->next = NULL;
        table->count--;
    }
}

topic_node *topic_table_next(const topic_table *table, topic_table_iter *iter)
{
    topic_node *n = iter->next;

    while (!n && iter->bucket < table->bucket_count)
        n = table->buckets[iter->bucket++];
    if (n)
        iter->next = n->next;
    return n;
}
