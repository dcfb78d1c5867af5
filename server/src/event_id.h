/*
 * Event IDs: "<ms>-<seq>", like Redis stream IDs. `ms` is a wall-clock
 * millisecond timestamp, `seq` counts events within one millisecond. IDs
 * are strictly increasing on one server even if the clock steps back
 * (ms = max(now, last.ms)), so a client's Last-Event-ID is a cursor that
 * orders every event of every topic.
 *
 * Clients treat IDs as opaque strings (WHATWG: "last event ID string");
 * only the server parses them.
 */
#ifndef SSEMUX_SERVER_EVENT_ID_H
#define SSEMUX_SERVER_EVENT_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "18446744073709551615-18446744073709551615" plus NUL. */
#define EVENT_ID_MAX_TEXT 42

typedef struct event_id {
    uint64_t ms;
    uint64_t seq;
} event_id;

/* The ID before every ID: "0-0". A client may send it to ask for all
 * retained history. */
static inline event_id event_id_zero(void)
{
    event_id id = {0, 0};
    return id;
}

static inline bool event_id_is_zero(event_id id)
{
    return id.ms == 0 && id.seq == 0;
}

/* <0, 0, >0 like memcmp. */
int event_id_compare(event_id a, event_id b);

static inline event_id event_id_max(event_id a, event_id b)
{
    return event_id_compare(a, b) >= 0 ? a : b;
}

/* Parses exactly "<digits>-<digits>" (1..20 digits each, no sign, no
 * spaces, fits in 64 bits). Returns false for anything else. */
bool event_id_parse(const char *text, size_t len, event_id *out);

/* Writes the NUL-terminated text form; returns its length (no NUL). */
size_t event_id_format(event_id id, char out[EVENT_ID_MAX_TEXT]);

/* The generator: remembers the last ID handed out. */
typedef struct event_id_gen {
    event_id last;
} event_id_gen;

/* Starts after `last` (e.g. the newest ID found in the log). */
void event_id_gen_init(event_id_gen *gen, event_id last);

/* The next ID at wall-clock `now_ms`: {now, 0} when the clock moved on,
 * else {last.ms, last.seq + 1}. Never returns an ID <= the previous one. */
event_id event_id_next(event_id_gen *gen, uint64_t now_ms);

#endif
