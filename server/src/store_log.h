/*
 * The append-only log behind the embedded store (--data-dir). Every
 * published event is written here with write() before the publisher gets
 * its ID, so a crash of the process (even kill -9) loses nothing that was
 * acknowledged; with fsync on, a power cut loses nothing either.
 *
 * File DIR/events.log: the magic "SSEMUX1\n", then records
 *   u32 payload length | u32 CRC-32 of the payload | payload
 * with the payload
 *   u8 kind | u64 id.ms | u64 id.seq | i64 published_ms | u8 topic length |
 *   topic | frame (the rest; events only)
 * all little-endian. A record that is cut short or fails its CRC ends the
 * log: it is the write a crash interrupted, never acknowledged, and is
 * truncated away on open.
 *
 * Compaction rewrites the retained events to DIR/events.log.tmp and
 * renames it over the log, so a crash mid-way leaves the old log intact.
 * DIR/lock is flock()ed so two servers cannot share a directory.
 */
#ifndef SSEMUX_SERVER_STORE_LOG_H
#define SSEMUX_SERVER_STORE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event_id.h"
#include "store.h"

typedef enum store_log_kind {
    STORE_LOG_EVENT = 'E',   /* an event: topic, id, published_ms, frame */
    STORE_LOG_DROPPED = 'D', /* topic's dropped_through, written by compaction */
    STORE_LOG_LAST_ID = 'L'  /* the newest ID handed out, written by compaction */
} store_log_kind;

typedef struct store_log_record {
    store_log_kind kind;
    event_id id;
    int64_t published_ms;
    const char *topic;
    size_t topic_len; /* <= 255 */
    const char *frame;
    size_t frame_len;
} store_log_record;

/* Replay visitor: return false to stop (e.g. out of memory). The record's
 * pointers are valid only during the call. */
typedef bool (*store_log_visit)(void *user, const store_log_record *record);

typedef struct store_log_replay {
    uint64_t records;
    uint64_t truncated_bytes; /* torn tail dropped on open */
} store_log_replay;

typedef struct store_log store_log;

/* Creates DIR if needed, locks it, replays every record through `visit`,
 * truncates a torn tail, and leaves the log open for appending. On failure
 * writes a reason into err. */
store_status store_log_open(const char *dir, bool fsync_each, store_log_visit visit, void *user,
                            store_log **out, store_log_replay *replay, char *err, size_t err_cap);

/* Appends one record with a single write(); with fsync on, also
 * fdatasync()s. On failure the log is cut back to where it was. */
store_status store_log_append(store_log *log, const store_log_record *record);

/* Bytes in the log file now. */
uint64_t store_log_bytes(const store_log *log);

/* Bytes the record takes in the file. */
size_t store_log_record_size(size_t topic_len, size_t frame_len);

/* Compaction: begin, add every record to keep, then commit (or abort). */
store_status store_log_rewrite_begin(store_log *log);
store_status store_log_rewrite_add(store_log *log, const store_log_record *record);
store_status store_log_rewrite_commit(store_log *log);
void store_log_rewrite_abort(store_log *log);

void store_log_close(store_log *log);

#endif
