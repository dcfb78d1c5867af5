/*
 * Counters for GET /metrics, in the Prometheus text exposition format
 * (version 0.0.4). Plain fields bumped by the modules that see the event;
 * rendering is pure so it is unit-tested.
 */
#ifndef SSEMUX_SERVER_METRICS_H
#define SSEMUX_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Response statuses counted by code; anything else falls in "other". */
#define METRICS_STATUS_CODES 12

typedef struct server_metrics {
    uint64_t events_published;
    uint64_t events_delivered;        /* event frames written to streams */
    uint64_t bytes_delivered;         /* all stream bytes (events, hints, heartbeats) */
    uint64_t replayed_events;         /* delivered events older than their stream */
    uint64_t gap_events;              /* ssemux-gap notices sent */
    uint64_t heartbeats;
    uint64_t slow_consumer_disconnects;
    uint64_t expired_token_disconnects;
    uint64_t streams_opened;
    uint64_t publish_failures;        /* store refused or failed an append */
    uint64_t responses[METRICS_STATUS_CODES + 1];
} server_metrics;

typedef struct metrics_gauges {
    size_t connections;               /* event streams open now */
    int draining;
    store_stats store;
} metrics_gauges;

void metrics_count_response(server_metrics *m, unsigned status);

/* Writes the exposition text. Returns its length, or 0 if cap is too
 * small (the caller sizes cap generously: the output has a fixed shape). */
size_t metrics_render(const server_metrics *m, const metrics_gauges *g, char *out, size_t cap);

#endif
