/*
 * What each benchmark event's data says: "RRRRRRRR-SEQ-NS-xxxx...", the run
 * id (hex, so a stale event from an earlier run on the same channel is not
 * counted), the publish sequence number, the CLOCK_MONOTONIC send time in
 * ns, then 'x' padding to exactly the requested size. Only characters that
 * need no escaping in a form body or an SSE data line are used.
 */
#ifndef SSE_LOAD_PAYLOAD_H
#define SSE_LOAD_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

/* Writes exactly `size` bytes (size >= LOAD_MIN_PAYLOAD) into buf. */
void load_payload_write(char *buf, size_t size, uint32_t run_id, uint64_t seq, uint64_t sent_ns);

/* Reads a payload back. Returns 1 if it is one of this run's events
 * (sets *seq and *sent_ns), 0 otherwise. */
int load_payload_read(const char *data, size_t len, uint32_t run_id, uint64_t *seq, uint64_t *sent_ns);

#endif
