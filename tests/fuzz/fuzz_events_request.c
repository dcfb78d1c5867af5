/*
 * libFuzzer target for what GET /events reads from a client: the query
 * arguments (events_request_add_arg, one decoded "name=value" at a time, as
 * lws_hdr_copy_fragment hands them over) and the Last-Event-ID header
 * (events_request_set_header_id), both ending in event_id_parse.
 *
 * Input layout: [0..15] an event ID and [16..23] a clock reading for the
 * ID checks (little-endian u64s); then the Last-Event-ID header value up
 * to the first '\n' (none if there is no '\n'); then the query, split at
 * '&' into arguments. Each argument is an exactly-sized heap copy, so
 * ASan sees a read past it.
 *
 * Promises checked:
 *   - the request holds at most EVENTS_MAX_TOPICS distinct valid topics,
 *     each one an argument "topic=<it>", and any refusal is the one the
 *     argument deserved;
 *   - the header's ID wins over lastEventId= (http_routes.c reads the
 *     header first), and the ID kept is the one parsed;
 *   - event IDs round-trip: format then parse gives the ID back, parse then
 *     format gives the text back unless it had leading zeros, and the
 *     generator never hands out an ID <= the previous one.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_id.h"
#include "events_request.h"
#include "fuzz_check.h"

enum { HEADER_LEN = 24 };

static uint64_t read_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static bool same_id(event_id a, event_id b)
{
    return event_id_compare(a, b) == 0 && a.ms == b.ms && a.seq == b.seq;
}

static bool has_leading_zero(const char *text, size_t len)
{
    const char *dash = memchr(text, '-', len);
    return (len > 1 && text[0] == '0' && text[1] != '-') ||
           (dash && (size_t)(dash - text) + 2 < len && dash[1] == '0');
}

/* An ID the parser accepted formats back to the same text, leading zeros
 * aside, and that text parses to the same ID. */
static void check_parsed_id(const char *text, size_t len, event_id id)
{
    char out[EVENT_ID_MAX_TEXT];
    size_t n = event_id_format(id, out);
    event_id again;

    CHECK(n > 0 && n < EVENT_ID_MAX_TEXT && out[n] == '\0');
    CHECK(event_id_parse(out, n, &again) && same_id(again, id));
    if (!has_leading_zero(text, len))
        CHECK(n == len && memcmp(out, text, len) == 0);
}

static void check_id_functions(event_id id, uint64_t now_ms)
{
    char text[EVENT_ID_MAX_TEXT];
    size_t n = event_id_format(id, text);
    event_id parsed, next;
    event_id_gen gen;

    CHECK(n >= 3 && n < EVENT_ID_MAX_TEXT && text[n] == '\0');
    CHECK(event_id_parse(text, n, &parsed) && same_id(parsed, id));
    /* A prefix of an ID is not an ID unless it ends on a digit after '-'. */
    CHECK(!event_id_parse(text, n + 1, &parsed)); /* the NUL is not a digit */

    event_id_gen_init(&gen, id);
    next = event_id_next(&gen, now_ms);
    CHECK(same_id(gen.last, next));
    /* {UINT64_MAX, UINT64_MAX} has no successor; event_id_next wraps to
     * 0-0 there (reported; only a forged log can get the generator there). */
    if (id.ms != UINT64_MAX || id.seq != UINT64_MAX)
        CHECK(event_id_compare(next, id) > 0);
    /* event_id.h: {now, 0} when the clock moved on, else {last.ms, last.seq + 1}. */
    if (now_ms > id.ms)
        CHECK(next.ms == now_ms && next.seq == 0);
    else if (id.seq < UINT64_MAX)
        CHECK(next.ms == id.ms && next.seq == id.seq + 1);
}

static bool arg_is(const char *arg, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(arg, prefix, n) == 0;
}

static bool has_topic(const events_request *req, const char *name, size_t len)
{
    for (size_t i = 0; i < req->topic_count; i++)
        if (req->topics[i].len == len && memcmp(req->topics[i].name, name, len) == 0)
            return true;
    return false;
}

static void check_request(const events_request *req)
{
    CHECK(req->topic_count <= EVENTS_MAX_TOPICS);
    for (size_t i = 0; i < req->topic_count; i++) {
        CHECK(topic_name_valid(req->topics[i].name, req->topics[i].len));
        CHECK(req->topics[i].name[req->topics[i].len] == '\0');
        for (size_t j = 0; j < i; j++)
            CHECK(req->topics[j].len != req->topics[i].len ||
                  memcmp(req->topics[j].name, req->topics[i].name, req->topics[i].len) != 0);
    }
    CHECK(!req->last_id_from_header || req->has_last_id);
}

/* One argument; checks that what changed is what it asked for. */
static events_request_status add_arg(events_request *req, const char *arg, size_t len)
{
    events_request before;
    events_request_status st;
    event_id id;

    memcpy(&before, req, sizeof before); /* padding too: compared with memcmp below */
    st = events_request_add_arg(req, arg, len);

    CHECK(st >= EVENTS_REQUEST_OK && st <= EVENTS_REQUEST_BAD_ROUTE);
    CHECK(events_request_strerror(st) != NULL);
    check_request(req);
    if (arg_is(arg, len, "topic=")) {
        const char *name = arg + 6;
        size_t n = len - 6;
        bool valid = topic_name_valid(name, n), known = has_topic(&before, name, n);
        bool full = !known && before.topic_count == EVENTS_MAX_TOPICS;
        CHECK(st == (!valid ? EVENTS_REQUEST_BAD_TOPIC
                     : full ? EVENTS_REQUEST_TOO_MANY_TOPICS
                            : EVENTS_REQUEST_OK));
        CHECK(req->topic_count == before.topic_count + (st == EVENTS_REQUEST_OK && !known));
        if (st == EVENTS_REQUEST_OK)
            CHECK(has_topic(req, name, n));
    } else if (arg_is(arg, len, "lastEventId=")) {
        const char *text = arg + 12;
        size_t n = len - 12;
        bool parsed = event_id_parse(text, n, &id);
        CHECK(req->topic_count == before.topic_count);
        if (before.last_id_from_header || n == 0) {
            CHECK(st == EVENTS_REQUEST_OK && req->has_last_id == before.has_last_id &&
                  same_id(req->last_id, before.last_id));
        } else {
            CHECK(st == (parsed ? EVENTS_REQUEST_OK : EVENTS_REQUEST_BAD_LAST_EVENT_ID));
            if (parsed) {
                CHECK(req->has_last_id && same_id(req->last_id, id));
                check_parsed_id(text, n, id);
            }
        }
    } else if (arg_is(arg, len, "route=")) {
        bool type = len == 10 && memcmp(arg + 6, "type", 4) == 0;
        CHECK(st == (type ? EVENTS_REQUEST_OK : EVENTS_REQUEST_BAD_ROUTE));
        CHECK(req->route_type == (before.route_type || type));
    } else {
        CHECK(st == EVENTS_REQUEST_OK && memcmp(req, &before, sizeof before) == 0);
    }
    return st;
}

static char *copy(const uint8_t *p, size_t len)
{
    char *c = malloc(len ? len : 1);
    CHECK(c);
    if (len)
        memcpy(c, p, len);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    const uint8_t *rest, *end = input + size, *nl;
    events_request req;
    events_request_status st = EVENTS_REQUEST_OK;

    if (size < HEADER_LEN)
        return 0;
    {
        event_id id = {read_u64(input), read_u64(input + 8)};
        check_id_functions(id, read_u64(input + 16));
    }
    rest = input + HEADER_LEN;
    events_request_init(&req);

    /* http_routes.c: the header first, then the query, stopping at the
     * first refusal. */
    nl = memchr(rest, '\n', (size_t)(end - rest));
    if (nl) {
        size_t n = (size_t)(nl - rest);
        char *value = copy(rest, n);
        event_id id;
        bool parsed = event_id_parse(value, n, &id);
        st = events_request_set_header_id(&req, value, n);
        CHECK(st == (n == 0 || parsed ? EVENTS_REQUEST_OK : EVENTS_REQUEST_BAD_LAST_EVENT_ID));
        CHECK(req.has_last_id == (n > 0 && parsed) && req.last_id_from_header == req.has_last_id);
        if (req.has_last_id) {
            CHECK(same_id(req.last_id, id));
            check_parsed_id(value, n, id);
        }
        free(value);
        rest = nl + 1;
    }
    while (st == EVENTS_REQUEST_OK && rest <= end) {
        const uint8_t *amp = memchr(rest, '&', (size_t)(end - rest));
        size_t n = (size_t)((amp ? amp : end) - rest);
        char *arg = copy(rest, n);
        st = add_arg(&req, arg, n);
        free(arg);
        rest += n + 1;
    }
    if (st == EVENTS_REQUEST_OK)
        CHECK(events_request_finish(&req) ==
              (req.topic_count ? EVENTS_REQUEST_OK : EVENTS_REQUEST_NO_TOPIC));
    return 0;
}
