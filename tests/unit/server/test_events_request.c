/* events_request: topics and the resume point of GET /events. */
#include "check.h"
#include "events_request.h"

static events_request_status add(events_request *req, const char *arg)
{
    return events_request_add_arg(req, arg, strlen(arg));
}

static void collects_topics_and_folds_duplicates(void)
{
    events_request req;
    events_request_init(&req);
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "topic=a"));
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "topic=b.c"));
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "topic=a"));
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "access_token=xyz"));
    CHECK_INT(EVENTS_REQUEST_OK, events_request_finish(&req));
    CHECK_INT(2, req.topic_count);
    CHECK_STR("a", req.topics[0].name, req.topics[0].len);
    CHECK_STR("b.c", req.topics[1].name, req.topics[1].len);
    CHECK(!req.has_last_id);
}

static void needs_a_topic(void)
{
    events_request req;
    events_request_init(&req);
    CHECK_INT(EVENTS_REQUEST_NO_TOPIC, events_request_finish(&req));
    CHECK_INT(EVENTS_REQUEST_BAD_TOPIC, add(&req, "topic="));
    CHECK_INT(EVENTS_REQUEST_BAD_TOPIC, add(&req, "topic=a b"));
}

static void allows_sixteen_topics(void)
{
    events_request req;
    char arg[32];
    events_request_init(&req);
    for (int i = 0; i < EVENTS_MAX_TOPICS; i++) {
        snprintf(arg, sizeof(arg), "topic=t%d", i);
        CHECK_INT(EVENTS_REQUEST_OK, add(&req, arg));
    }
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "topic=t3")); /* a duplicate still fits */
    CHECK_INT(EVENTS_REQUEST_TOO_MANY_TOPICS, add(&req, "topic=one-more"));
}

static void reads_last_event_id_from_the_query(void)
{
    events_request req;
    events_request_init(&req);
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "lastEventId=17-3"));
    CHECK(req.has_last_id && req.last_id.ms == 17 && req.last_id.seq == 3);
    CHECK_INT(EVENTS_REQUEST_BAD_LAST_EVENT_ID, add(&req, "lastEventId=17"));
    events_request_init(&req);
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "lastEventId="));
    CHECK(!req.has_last_id);
}

static void prefers_the_header_to_the_query(void)
{
    events_request req;
    events_request_init(&req);
    CHECK_INT(EVENTS_REQUEST_OK, events_request_set_header_id(&req, "20-0", 4));
    /* A native EventSource keeps its construction URL: the header is newer. */
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "lastEventId=10-0"));
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "lastEventId=garbage"));
    CHECK(req.has_last_id && req.last_id.ms == 20);
}

static void treats_an_empty_header_as_absent(void)
{
    events_request req;
    events_request_init(&req);
    CHECK_INT(EVENTS_REQUEST_OK, events_request_set_header_id(&req, "", 0));
    CHECK(!req.has_last_id);
    CHECK_INT(EVENTS_REQUEST_BAD_LAST_EVENT_ID, events_request_set_header_id(&req, "x", 1));
}

static void reads_the_route_option(void)
{
    events_request req;
    events_request_init(&req);
    CHECK(!req.route_type);
    CHECK_INT(EVENTS_REQUEST_OK, add(&req, "route=type"));
    CHECK(req.route_type);
    CHECK_INT(EVENTS_REQUEST_BAD_ROUTE, add(&req, "route=topic"));
}

int main(void)
{
    RUN(collects_topics_and_folds_duplicates);
    RUN(needs_a_topic);
    RUN(allows_sixteen_topics);
    RUN(reads_last_event_id_from_the_query);
    RUN(prefers_the_header_to_the_query);
    RUN(treats_an_empty_header_as_absent);
    RUN(reads_the_route_option);
    return check_report();
}
