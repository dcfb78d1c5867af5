#include "store.h"

const char *store_strerror(store_status status)
{
    switch (status) {
    case STORE_OK:
        return "ok";
    case STORE_NO_MEMORY:
        return "out of memory";
    case STORE_IO_ERROR:
        return "the event log could not be written";
    case STORE_TOO_MANY_TOPICS:
        return "too many topics";
    case STORE_BAD_ARGUMENT:
        return "invalid event";
    case STORE_DATA_DIR_IN_USE:
        return "data directory in use";
    case STORE_CORRUPT:
        return "the event log is corrupt";
    case STORE_UNAVAILABLE:
        return "the event store is unavailable (Redis is down or reconnecting)";
    }
    return "unknown store error";
}
