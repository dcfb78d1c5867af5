/*
 * One stream entry as Redis returns it, checked before use: Redis replies
 * are network input too. An entry is [id, [field, value, ...]] with the
 * fields the publish script writes (redis_script.h): t topic and b the
 * previous ID (global stream only), e type, d data, p published ms. Pointers point into the
 * reply and live as long as it does.
 */
#ifndef SSEMUX_SERVER_REDIS_ENTRY_H
#define SSEMUX_SERVER_REDIS_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "event_id.h"
#include "store.h"

typedef struct redis_entry {
    event_id id;
    const char *topic; /* NULL when the entry has no t field */
    size_t topic_len;
    const char *type;
    size_t type_len;
    const char *data;
    size_t data_len;
    uint64_t published_ms;
    event_id before;   /* the global stream's previous ID (b field) */
    bool has_before;   /* false for entries without b (topic streams) */
} redis_entry;

/* False when the entry is malformed: no valid ID, a field missing (t only
 * when need_topic), a non-string field or a bad published time. Fields it
 * does not know are ignored. */
bool redis_entry_parse(const redisReply *entry, bool need_topic, redis_entry *out);

/* The entry as an append to the mirror (store_memory_insert), under
 * `topic` (the t field, or the topic the stream key names). */
store_append_request redis_entry_request(const redis_entry *e, const char *topic,
                                         size_t topic_len);

/* A reply's string as an event ID (the script's answer, a stream's last ID). */
bool redis_reply_event_id(const redisReply *reply, event_id *out);

#endif
