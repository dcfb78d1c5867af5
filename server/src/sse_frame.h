/*
 * The bytes ssemux puts on an event stream (docs/protocol.md). Built once
 * per event at publish time, so fan-out to N streams is N memcpys.
 *
 * An event:   "id: <id>\nevent: <type>\ndata: <line>\n...data: <line>\n\n"
 * The data is split at CRLF, CR and LF into data: lines; the WHATWG parser
 * joins them back with LF ("Parsing an event stream": each data field
 * appends its value and a U+000A LINE FEED to the data buffer, and the
 * last one is removed on dispatch). So "a\r\nb" arrives as "a\nb".
 */
#ifndef SSEMUX_SERVER_SSE_FRAME_H
#define SSEMUX_SERVER_SSE_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#define SSE_FRAME_HEARTBEAT ": heartbeat\n\n"
#define SSE_FRAME_HEARTBEAT_LEN (sizeof(SSE_FRAME_HEARTBEAT) - 1)

/* Exact size of the event frame for these fields. */
size_t sse_frame_event_size(size_t id_len, size_t type_len, const char *data, size_t data_len);

/* Writes the event frame into out (not NUL-terminated). Returns its length,
 * or 0 if `cap` is smaller than sse_frame_event_size(). */
size_t sse_frame_event(char *out, size_t cap, const char *id, size_t id_len, const char *type,
                       size_t type_len, const char *data, size_t data_len);

/* "retry: <ms>\n\n". Returns the length, or 0 if cap is too small. */
size_t sse_frame_retry(char *out, size_t cap, unsigned retry_ms);

/* The gap notice (no id: line, so it does not move the client's cursor):
 *   event: ssemux-gap            ("<topic>/ssemux-gap" when `routed`)
 *   data: {"topic":"<topic>","requested":"<id>","oldest":"<id>"|null}
 * `oldest` NULL means nothing of that topic is retained. Topic and IDs are
 * plain ASCII by construction, so no JSON escaping is needed. Returns the
 * length, or 0 if cap is too small. */
size_t sse_frame_gap(char *out, size_t cap, const char *topic, const char *requested,
                     const char *oldest, bool routed);

/* An event frame with its type renamed "<topic>/<type>" (route=type).
 * Returns the length, or 0 if cap is too small or the frame is not one
 * sse_frame_event() made. */
size_t sse_frame_route(char *out, size_t cap, const char *frame, size_t frame_len,
                       const char *topic, size_t topic_len);

#endif
