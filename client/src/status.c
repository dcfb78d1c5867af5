#include "ssemux/status.h"

const char *sse_strerror(sse_status status)
{
    switch (status) {
    case SSE_OK: return "ok";
    case SSE_E_INVALID_ARGUMENT: return "invalid argument";
    case SSE_E_BUFFER_TOO_SMALL: return "buffer smaller than the limits need";
    case SSE_E_DATA_TOO_LARGE: return "event data larger than the limit; event discarded";
    case SSE_E_TYPE_TOO_LONG: return "event type longer than the limit; event discarded";
    case SSE_E_ID_TOO_LONG: return "event id longer than the limit; event discarded";
    case SSE_E_CLOSED: return "the source is closed";
    case SSE_E_NO_MEMORY: return "out of memory; event discarded";
    }
    return "unknown status";
}
