/* The subscriber side of sse_load: N event-stream connections, each parsed
 * by the ssemux parser, each counting what it got. */
#ifndef SSE_LOAD_SUBSCRIBER_H
#define SSE_LOAD_SUBSCRIBER_H

#include <stdint.h>

#include "sse_load_run.h"

/* Allocates the subscribers and their parsers. 0 or -1 (errno set). */
int load_subs_init(load_run *r);
/* Starts connects until --connect-concurrency are in flight or all are started. */
void load_subs_connect_more(load_run *r);
/* Handles epoll `events` for subscriber `index`. */
void load_sub_handle(load_run *r, uint32_t index, uint32_t events);
/* Subscribers still streaming whose window has not reached `published`. */
uint32_t load_subs_behind(const load_run *r, uint64_t published);
/* Adds the events each still-open stream never got to r->seq_counts. */
void load_subs_count_missing(load_run *r);
/* Closes every socket and frees everything load_subs_init allocated. */
void load_subs_free(load_run *r);

#endif
