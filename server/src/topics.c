#include "topics.h"

#include <stdlib.h>

bool topic_registry_init(topic_registry *reg)
{
    return topic_table_init(&reg->table);
}

void topic_registry_free(topic_registry *reg)
{
    topic_table_iter it = {0, NULL};
    topic_node *n;

    while ((n = topic_table_next(&reg->table, &it))) {
        topic_table_remove(&reg->table, n);
        free(n);
    }
    topic_table_free(&reg->table);
}

topic_subscribers *topic_registry_find(topic_registry *reg, const char *name, size_t len)
{
    return (topic_subscribers *)topic_table_find(&reg->table, name, len);
}

topic_subscribers *topic_registry_acquire(topic_registry *reg, const char *name, size_t len)
{
    topic_subscribers *t = topic_registry_find(reg, name, len);

    if (t)
        return t;
    t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (!topic_node_init(&t->node, name, len)) {
        free(t);
        return NULL;
    }
    topic_table_insert(&reg->table, &t->node);
    return t;
}

void topic_registry_release(topic_registry *reg, topic_subscribers *topic)
{
    if (topic && !topic->subscriptions.count) {
        topic_table_remove(&reg->table, &topic->node);
        free(topic);
    }
}
