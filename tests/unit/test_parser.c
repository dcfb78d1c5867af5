/* Parser behaviour beyond the conformance cases: limits, errors, reset and
 * resume state, seeding, linear time. Every test runs twice: fixed mode
 * (one caller-owned buffer) and growable mode (the C heap); the two must
 * behave alike. test_parser_limits.c has what only the growable mode does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ssemux/parser.h"

typedef struct recorder {
    int events, retries, errors;
    sse_status last_error;
    uint32_t last_retry;
    char data[64], type[64], id[64];
    size_t data_len, type_len, id_len, total_data_len;
    int id_is_own[8];
} recorder;

static void rec_event(void *ctx, const sse_event *ev)
{
    recorder *r = ctx;
    if (r->events < 8)
        r->id_is_own[r->events] = ev->id_is_own;
    r->events++;
    r->total_data_len = ev->data_len;
    r->data_len = ev->data_len < sizeof r->data ? ev->data_len : sizeof r->data;
    memcpy(r->data, ev->data, r->data_len);
    r->type_len = ev->type_len < sizeof r->type ? ev->type_len : sizeof r->type;
    memcpy(r->type, ev->type, r->type_len);
    r->id_len = ev->id_len < sizeof r->id ? ev->id_len : sizeof r->id;
    memcpy(r->id, ev->id, r->id_len);
}
static void rec_retry(void *ctx, uint32_t ms) { ((recorder *)ctx)->retries++, ((recorder *)ctx)->last_retry = ms; }
static void rec_error(void *ctx, sse_status e) { ((recorder *)ctx)->errors++, ((recorder *)ctx)->last_error = e; }

static const sse_parser_callbacks rec_callbacks = {rec_event, rec_retry, rec_error};

typedef struct fixture {
    sse_parser p;
    recorder r;
    void *buf;
} fixture;

static int growable; /* the mode of this round of tests (main runs both) */

static void setup(fixture *f, uint32_t max_data, uint32_t max_type, uint32_t max_id)
{
    sse_parser_limits limits = {max_data, max_type, max_id};
    memset(&f->r, 0, sizeof f->r);
    f->buf = NULL;
    if (growable) {
        sse_allocator heap = sse_heap_allocator();
        if (sse_parser_init_growable(&f->p, &limits, &heap, &rec_callbacks, &f->r) != SSE_OK)
            abort();
        return;
    }
    size_t n = sse_parser_buffer_size(&limits);
    f->buf = malloc(n);
    if (sse_parser_init(&f->p, &limits, f->buf, n, &rec_callbacks, &f->r) != SSE_OK)
        abort();
}

static void teardown(fixture *f)
{
    sse_parser_free(&f->p);
    free(f->buf);
}

static sse_status feed(fixture *f, const char *s) { return sse_parser_feed(&f->p, s, strlen(s)); }

static void init_rejects_bad_arguments(void)
{
    sse_parser p;
    char buf[64];
    sse_parser_limits ok = {16, 8, 8}, zero = {0, 8, 8};
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init(NULL, &ok, buf, sizeof buf, NULL, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init(&p, NULL, buf, sizeof buf, NULL, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init(&p, &ok, NULL, sizeof buf, NULL, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init(&p, &zero, buf, sizeof buf, NULL, NULL));
    sse_parser_limits too_big = {UINT32_MAX, 8, 8}; /* no byte left for the final LF */
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init(&p, &too_big, buf, sizeof buf, NULL, NULL));
    /* The data buffer holds max_data bytes plus the LF after the last line. */
    CHECK_INT(16 + 1 + 8 + 3 * 8, sse_parser_buffer_size(&ok));
    CHECK_INT(SSE_E_BUFFER_TOO_SMALL, sse_parser_init(&p, &ok, buf, 16 + 1 + 8 + 3 * 8 - 1, NULL, NULL));
    CHECK_INT(SSE_OK, sse_parser_init(&p, &ok, buf, 16 + 1 + 8 + 3 * 8, NULL, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_feed(&p, NULL, 3));
    CHECK_INT(SSE_OK, sse_parser_feed(&p, NULL, 0));
    CHECK_INT(SSE_OK, sse_parser_feed(&p, "data: x\n\n", 9)); /* NULL callbacks are fine */
}

static void data_exactly_at_limit_is_dispatched(void)
{
    fixture f;
    setup(&f, 8, 8, 8);
    /* Inclusive: 8 bytes of data with max_data 8, in one line or two. */
    CHECK_INT(SSE_OK, feed(&f, "data: 12345678\n\ndata: 123\ndata: 4\n\n"));
    CHECK_INT(2, f.r.events);
    CHECK_STR("123\n4", f.r.data, f.r.data_len);
    CHECK_INT(0, f.r.errors);
    teardown(&f);
}

static void oversized_data_discards_only_that_event(void)
{
    fixture f;
    setup(&f, 8, 8, 8);
    CHECK_INT(SSE_E_DATA_TOO_LARGE, feed(&f, "data: ok\n\nid: 5\ndata: 123456789\n\ndata: b\n\n"));
    CHECK_INT(1, f.r.errors);
    CHECK_INT(SSE_E_DATA_TOO_LARGE, f.r.last_error);
    CHECK_INT(2, f.r.events); /* "ok" and "b"; the oversized one is gone */
    CHECK_STR("b", f.r.data, f.r.data_len);
    CHECK_STR("5", f.r.id, f.r.id_len); /* its id still moved the resume point */
    teardown(&f);
}

static void oversized_data_over_many_lines_reports_once(void)
{
    fixture f;
    setup(&f, 8, 8, 8);
    CHECK_INT(SSE_E_DATA_TOO_LARGE, feed(&f, "data: 1234\ndata: 1234\ndata: 1234\n\ndata: z\n\n"));
    CHECK_INT(1, f.r.errors);
    CHECK_INT(1, f.r.events);
    CHECK_STR("z", f.r.data, f.r.data_len);
    teardown(&f);
}

static void oversized_type_and_id_are_reported(void)
{
    fixture f;
    setup(&f, 64, 4, 4);
    CHECK_INT(SSE_E_TYPE_TOO_LONG, feed(&f, "event: toolong\ndata: a\n\n"));
    CHECK_INT(SSE_E_ID_TOO_LONG, feed(&f, "id: 12345\ndata: b\n\n"));
    CHECK_INT(SSE_OK, feed(&f, "event: goal\nid: 1234\ndata: c\n\n"));
    CHECK_INT(2, f.r.errors);
    CHECK_INT(1, f.r.events);
    CHECK_STR("goal", f.r.type, f.r.type_len);
    CHECK_STR("1234", f.r.id, f.r.id_len);
    teardown(&f);
}

static void retry_saturates_instead_of_wrapping(void)
{
    fixture f;
    setup(&f, 64, 8, 8);
    feed(&f, "retry: 99999999999999999999999\n");
    CHECK_INT(1, f.r.retries);
    CHECK_INT(SSE_RETRY_MAX, f.r.last_retry);
    feed(&f, "retry: 4294967295\n");
    CHECK_INT(4294967295u, f.r.last_retry);
    teardown(&f);
}

static void last_event_id_commits_only_at_blank_line(void)
{
    fixture f;
    size_t len;
    setup(&f, 64, 8, 8);
    feed(&f, "id: 1\ndata: a\n\nid: 2\ndata: b\n");
    const char *id = sse_parser_last_event_id(&f.p, &len);
    CHECK_STR("1", id, len); /* the unfinished event's id has not moved it */
    feed(&f, "\nid: 3\n\n");
    id = sse_parser_last_event_id(&f.p, &len);
    CHECK_STR("3", id, len); /* an id-only block moves it */
    CHECK_INT(2, f.r.events);
    teardown(&f);
}

static void reset_drops_pending_event_and_keeps_last_id(void)
{
    fixture f;
    size_t len;
    setup(&f, 64, 8, 8);
    feed(&f, "id: 7\ndata: a\n\nevent: goal\ndata: half");
    sse_parser_reset(&f.p); /* the connection dropped mid-event */
    const char *id = sse_parser_last_event_id(&f.p, &len);
    CHECK_STR("7", id, len);
    feed(&f, "\xEF\xBB\xBF" "data: b\n\n"); /* a new stream may start with a BOM */
    CHECK_INT(2, f.r.events);
    CHECK_STR("b", f.r.data, f.r.data_len);
    CHECK_STR("message", f.r.type, f.r.type_len);
    CHECK_STR("7", f.r.id, f.r.id_len);
    teardown(&f);
}

static void reset_forgets_a_pending_cr(void)
{
    fixture f;
    setup(&f, 64, 8, 8);
    feed(&f, "data: a\r");
    sse_parser_reset(&f.p);
    feed(&f, "\ndata: b\n\n"); /* that LF is a blank line of the new stream */
    CHECK_INT(1, f.r.events);
    CHECK_STR("b", f.r.data, f.r.data_len);
    teardown(&f);
}

static void events_say_whether_their_block_set_the_id(void)
{
    fixture f;
    setup(&f, 64, 8, 8);
    static const char s[] = "id: 1\ndata: a\n\ndata: b\n\nid: 1\ndata: c\n\nid: x\0\ndata: d\n\n";
    sse_parser_feed(&f.p, s, sizeof s - 1);
    CHECK_INT(4, f.r.events);
    CHECK_INT(1, f.r.id_is_own[0]);
    CHECK_INT(0, f.r.id_is_own[1]); /* inherited "1" */
    CHECK_INT(1, f.r.id_is_own[2]); /* set again, even to the same value */
    CHECK_INT(0, f.r.id_is_own[3]); /* the NUL id was ignored */
    teardown(&f);
}

static void seeded_last_event_id_is_used(void)
{
    fixture f;
    size_t len;
    setup(&f, 64, 8, 4);
    CHECK_INT(SSE_OK, sse_parser_set_last_event_id(&f.p, "42", 2));
    CHECK_INT(SSE_E_ID_TOO_LONG, sse_parser_set_last_event_id(&f.p, "12345", 5));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_set_last_event_id(&f.p, "a\0b", 3));
    const char *id = sse_parser_last_event_id(&f.p, &len);
    CHECK_STR("42", id, len);
    feed(&f, "data: x\n\n");
    CHECK_STR("42", f.r.id, f.r.id_len);
    teardown(&f);
}

static void hundred_mib_line_is_linear(void)
{
    /* A quadratic parser would take hours here; ctest's timeout catches it. */
    const size_t total = 100u << 20, chunk = 64u << 10;
    fixture f;
    setup(&f, (uint32_t)total + 16, 8, 8);
    char *block = malloc(chunk);
    memset(block, 'x', chunk);
    feed(&f, "data: ");
    for (size_t sent = 0; sent < total; sent += chunk)
        sse_parser_feed(&f.p, block, chunk);
    feed(&f, "\n\n");
    CHECK_INT(1, f.r.events);
    CHECK_INT(total, f.r.total_data_len);
    free(block);
    teardown(&f);
}

static void many_lone_cr_lines_in_one_chunk_are_linear(void)
{
    /* 4 MiB of CR-terminated lines with no LF anywhere: the LF search must
     * not restart at every line. */
    const size_t lines = 1u << 19;
    char *s = malloc(lines * 8);
    for (size_t i = 0; i < lines; i++)
        memcpy(s + i * 8, "data: x\r", 8);
    fixture f;
    setup(&f, 64u << 20, 8, 8);
    sse_parser_feed(&f.p, s, lines * 8);
    sse_parser_feed(&f.p, "\r", 1);
    CHECK_INT(1, f.r.events);
    CHECK_INT(lines * 2 - 1, f.r.total_data_len);
    free(s);
    teardown(&f);
}

static void strerror_names_every_status(void)
{
    for (int s = SSE_OK; s >= SSE_E_NO_MEMORY; s--)
        CHECK(strcmp(sse_strerror((sse_status)s), "unknown status") != 0);
    CHECK(strcmp(sse_strerror((sse_status)42), "unknown status") == 0);
}

int main(void)
{
    RUN(init_rejects_bad_arguments);
    for (growable = 0; growable <= 1; growable++) {
        printf("-- %s mode\n", growable ? "growable" : "fixed");
        RUN(data_exactly_at_limit_is_dispatched);
        RUN(oversized_data_discards_only_that_event);
        RUN(oversized_data_over_many_lines_reports_once);
        RUN(oversized_type_and_id_are_reported);
        RUN(retry_saturates_instead_of_wrapping);
        RUN(last_event_id_commits_only_at_blank_line);
        RUN(reset_drops_pending_event_and_keeps_last_id);
        RUN(reset_forgets_a_pending_cr);
        RUN(events_say_whether_their_block_set_the_id);
        RUN(seeded_last_event_id_is_used);
        RUN(hundred_mib_line_is_linear);
        RUN(many_lone_cr_lines_in_one_chunk_are_linear);
        RUN(strerror_names_every_status);
    }
    return check_report();
}
