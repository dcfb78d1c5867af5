#include "events_request.h"

#include <string.h>

void events_request_init(events_request *req)
{
    memset(req, 0, sizeof(*req));
}

static bool has_prefix(const char *s, size_t len, const char *prefix, size_t *prefix_len)
{
    *prefix_len = strlen(prefix);
    return len >= *prefix_len && memcmp(s, prefix, *prefix_len) == 0;
}

static events_request_status add_topic(events_request *req, const char *name, size_t len)
{
    if (!topic_name_valid(name, len))
        return EVENTS_REQUEST_BAD_TOPIC;
    for (size_t i = 0; i < req->topic_count; i++)
        if (req->topics[i].len == len && memcmp(req->topics[i].name, name, len) == 0)
            return EVENTS_REQUEST_OK;
    if (req->topic_count == EVENTS_MAX_TOPICS)
        return EVENTS_REQUEST_TOO_MANY_TOPICS;
    memcpy(req->topics[req->topic_count].name, name, len);
    req->topics[req->topic_count].name[len] = '\0';
    req->topics[req->topic_count].len = len;
    req->topic_count++;
    return EVENTS_REQUEST_OK;
}

events_request_status events_request_add_arg(events_request *req, const char *arg, size_t len)
{
    size_t n;

    if (has_prefix(arg, len, "topic=", &n))
        return add_topic(req, arg + n, len - n);
    if (has_prefix(arg, len, "lastEventId=", &n)) {
        event_id id;
        if (req->last_id_from_header || len == n)
            return EVENTS_REQUEST_OK;
        if (!event_id_parse(arg + n, len - n, &id))
            return EVENTS_REQUEST_BAD_LAST_EVENT_ID;
        req->has_last_id = true;
        req->last_id = id;
        return EVENTS_REQUEST_OK;
    }
    if (has_prefix(arg, len, "route=", &n)) {
        if (len - n != 4 || memcmp(arg + n, "type", 4) != 0)
            return EVENTS_REQUEST_BAD_ROUTE;
        req->route_type = true;
    }
    return EVENTS_REQUEST_OK;
}

events_request_status events_request_set_header_id(events_request *req, const char *value,
                                                   size_t len)
{
    event_id id;

    if (len == 0)
        return EVENTS_REQUEST_OK;
    if (!event_id_parse(value, len, &id))
        return EVENTS_REQUEST_BAD_LAST_EVENT_ID;
    req->has_last_id = true;
    req->last_id = id;
    req->last_id_from_header = true;
    return EVENTS_REQUEST_OK;
}

events_request_status events_request_finish(const events_request *req)
{
    return req->topic_count ? EVENTS_REQUEST_OK : EVENTS_REQUEST_NO_TOPIC;
}

const char *events_request_strerror(events_request_status status)
{
    switch (status) {
    case EVENTS_REQUEST_OK:
        return "ok";
    case EVENTS_REQUEST_NO_TOPIC:
        return "name at least one topic: /events?topic=NAME";
    case EVENTS_REQUEST_BAD_TOPIC:
        return "topic names are 1 to 64 of A-Z a-z 0-9 . _ : -";
    case EVENTS_REQUEST_TOO_MANY_TOPICS:
        return "at most 16 topics per stream";
    case EVENTS_REQUEST_BAD_LAST_EVENT_ID:
        return "Last-Event-ID is not an ID this server issued (<ms>-<seq>)";
    case EVENTS_REQUEST_BAD_ROUTE:
        return "route can only be \"type\"";
    }
    return "bad request";
}
