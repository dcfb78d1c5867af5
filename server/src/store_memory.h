/*
 * The embedded store: per topic, a ring of the newest events in memory
 * (retention by count and by age), optionally persisted through the log in
 * --data-dir (store_log.h). Implements store.h.
 *
 * Without a data dir, history starts when the process starts: a client
 * resuming from an ID older than that gets the gap notice, because the
 * server cannot know what it missed.
 */
#ifndef SSEMUX_SERVER_STORE_MEMORY_H
#define SSEMUX_SERVER_STORE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct store_memory_config {
    size_t history;            /* events kept per topic, >= 1 */
    uint64_t max_age_ms;       /* 0: no age limit */
    size_t max_topics;         /* appends creating more topics are refused */
    size_t max_frame_bytes;    /* events whose frame is larger are refused */
    const char *data_dir;      /* NULL: memory only */
    bool fsync;                /* fdatasync() every append */
    uint64_t compact_min_bytes;/* never compact a smaller log; 0: 1 MiB */
} store_memory_config;

typedef struct store_memory_open_info {
    uint64_t replayed_records;
    uint64_t truncated_bytes;  /* torn log tail dropped */
    size_t retained_events;    /* after replay and retention */
} store_memory_open_info;

/* Opens the store; replays the log when a data dir is given. `now_ms` is
 * the wall clock, for age retention and the memory-only history start. */
store_status store_memory_open(const store_memory_config *config, uint64_t now_ms, store **out,
                               store_memory_open_info *info, char *err, size_t err_cap);

/* For a store that keeps this one as a local mirror of events whose IDs
 * another process assigned (store_redis.c). Retains the event under `id`
 * (req->now_ms is its publish time) and calls the listener. An ID not above
 * the topic's newest is a repeat and ignored (STORE_OK). */
store_status store_memory_insert(store *s, const store_append_request *req, event_id id);

/* Records that the topic's events up to `through` existed and are gone. */
store_status store_memory_note_dropped(store *s, const char *topic, size_t topic_len,
                                       event_id through);

/* Every topic may have lost events up to `through` (the mirror missed
 * them): topic_info reports at least that as dropped_through, so streams
 * behind it get the gap notice. */
void store_memory_note_unknown_through(store *s, event_id through);

/* Raises last_id() to `id`: the mirror has seen everything up to it. */
void store_memory_note_last_id(store *s, event_id id);

#endif
