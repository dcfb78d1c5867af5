/*
 * What a GET /events asks for, from its query arguments and headers:
 * topics (?topic=A&topic=B, at most EVENTS_MAX_TOPICS, duplicates folded)
 * and where to resume (the Last-Event-ID header, else the lastEventId
 * argument for clients that cannot set headers).
 *
 * The header wins because a native EventSource keeps the URL it was made
 * with but sends the newest ID in the header when it reconnects.
 *
 * route=type (sent by ssemux's hub, docs/hub.md) names each event
 * "<topic>/<type>" so one stream can carry several topics apart.
 */
#ifndef SSEMUX_SERVER_EVENTS_REQUEST_H
#define SSEMUX_SERVER_EVENTS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "event_id.h"
#include "topic_table.h"

#define EVENTS_MAX_TOPICS 16

typedef enum events_request_status {
    EVENTS_REQUEST_OK = 0,
    EVENTS_REQUEST_NO_TOPIC,
    EVENTS_REQUEST_BAD_TOPIC,
    EVENTS_REQUEST_TOO_MANY_TOPICS,
    EVENTS_REQUEST_BAD_LAST_EVENT_ID,
    EVENTS_REQUEST_BAD_ROUTE
} events_request_status;

typedef struct events_request {
    struct {
        char name[TOPIC_NAME_MAX + 1];
        size_t len;
    } topics[EVENTS_MAX_TOPICS];
    size_t topic_count;
    bool has_last_id;
    event_id last_id;
    bool last_id_from_header;
    bool route_type;
} events_request;

void events_request_init(events_request *req);

/* One decoded query argument, "name=value". topic, lastEventId and route
 * are read; anything else (access_token, cache busters) is ignored. */
events_request_status events_request_add_arg(events_request *req, const char *arg, size_t len);

/* The Last-Event-ID header's value. Empty means "none" (WHATWG only sends
 * the header when the last event ID string is not empty). */
events_request_status events_request_set_header_id(events_request *req, const char *value,
                                                   size_t len);

/* Checks that at least one topic was named. */
events_request_status events_request_finish(const events_request *req);

/* Short reason for the 400 body. */
const char *events_request_strerror(events_request_status status);

#endif
