/* events_request: topics and the resume point of GET /events. */
#include "check.h"
#include "events_request.h"
#include "publish_body.h"

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

/* Subscribe and publish accept exactly the same topic names, including
 * what a URL could carry once decoded: CR, LF, NUL, space, UTF-8. */
#define NAME(text, valid) {text, sizeof text - 1, valid}
static void accepts_the_topic_names_publish_accepts(void)
{
    static const struct {
        const char *text;
        size_t len;
        bool valid;
    } names[] = {
        NAME("scores", true), NAME("a.b_c:d-E9", true),
        NAME("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true), /* 64 */
        NAME("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        NAME("inj\r\nLast-Event-ID: 1-1", false), NAME("inj\n", false), NAME("a\0b", false),
        NAME("a b", false), NAME("caf\xc3\xa9", false), NAME("", false), NAME("a/b", false),
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len = names[i].len;
        char arg[128] = "topic=", body[160] = "topic=", scratch[160];
        events_request req;
        publish_fields f;
        bool subscribe_ok, publish_ok;

        memcpy(arg + 6, names[i].text, len);
        events_request_init(&req);
        subscribe_ok = events_request_add_arg(&req, arg, 6 + len) == EVENTS_REQUEST_OK;
        memcpy(body + 6, names[i].text, len);
        memcpy(body + 6 + len, "&data=x", 7);
        publish_ok = publish_body_parse(PUBLISH_BODY_FORM, body, 13 + len, scratch, &f) ==
                     PUBLISH_BODY_OK;
        if (subscribe_ok != names[i].valid || publish_ok != names[i].valid) {
            fprintf(stderr, "%s: topic %zu: expected both to %s it, subscribe %s, publish %s\n",
                    __func__, i, names[i].valid ? "take" : "refuse",
                    subscribe_ok ? "takes" : "refuses", publish_ok ? "takes" : "refuses");
            check_failed_count++;
        }
    }
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
    RUN(accepts_the_topic_names_publish_accepts);
    return check_report();
}
