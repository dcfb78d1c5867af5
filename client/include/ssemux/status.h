/* Status codes shared by every ssemux client module. */
#ifndef SSEMUX_STATUS_H
#define SSEMUX_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sse_status {
    SSE_OK = 0,
    SSE_E_INVALID_ARGUMENT = -1, /* NULL pointer, zero limit, bad enum value */
    SSE_E_BUFFER_TOO_SMALL = -2, /* caller's buffer is smaller than *_buffer_size() */
    SSE_E_DATA_TOO_LARGE = -3,   /* an event's data passed limits.max_data: event discarded */
    SSE_E_TYPE_TOO_LONG = -4,    /* an event: field passed limits.max_type: event discarded */
    SSE_E_ID_TOO_LONG = -5,      /* an id: field passed limits.max_id: event discarded */
    SSE_E_CLOSED = -6,           /* the engine was stopped; no more input is accepted */
    SSE_E_NO_MEMORY = -7         /* growable mode: the allocator refused; event discarded */
} sse_status;

/* A short, static, English description of `status` (never NULL). */
const char *sse_strerror(sse_status status);

#ifdef __cplusplus
}
#endif
#endif
