/*
 * Startup: fill the Redis store's local mirror with each topic's retained
 * history, before the server serves anything. Synchronous (hiredis's
 * blocking API with timeouts): nothing is being served yet.
 *
 * Order matters. The global stream's newest ID G is read first; each
 * topic is then loaded only up to G; the live feed (XREAD) starts after G.
 * An event published meanwhile is newer than G and arrives through the
 * feed, in global order, so no stream cursor ever skips one.
 */
#ifndef SSEMUX_SERVER_REDIS_LOAD_H
#define SSEMUX_SERVER_REDIS_LOAD_H

#include <stddef.h>

#include "redis_keys.h"
#include "redis_url.h"
#include "store.h"

typedef struct redis_load_result {
    size_t topics;
    size_t events;
    size_t skipped; /* malformed entries or keys */
    event_id last;  /* G: the feed starts after it */
} redis_load_result;

/* Loads into `mirror` (a store_memory). Returns false with a reason in err
 * when Redis cannot be reached or answers nonsense. */
bool redis_load_history(const redis_url *url, const redis_keys *keys, size_t history,
                        store *mirror, redis_load_result *out, char *err, size_t err_cap);

#endif
