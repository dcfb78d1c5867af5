/* The limits that never lose a realistic event, and the growable mode that
 * makes large default limits cheap: boundaries are inclusive in both modes,
 * the defaults deliver what browsers deliver (a 100,000-byte id, a 300-byte
 * type, a 1 MiB data line, 16 MiB of data in small chunks), memory follows
 * what arrives, and a refused allocation drops one event, reported. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ssemux/engine.h"
#include "ssemux/parser.h"

/* ---- an allocator that counts, and refuses when told to ----------------- */

typedef struct counting_heap {
    size_t live, peak, blocks;
    size_t refuse_above; /* refuse blocks bigger than this (0: never) */
} counting_heap;

static void *counting_resize(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
    counting_heap *h = ctx;
    if (new_size == 0) {
        if (ptr) {
            h->live -= old_size;
            h->blocks--;
        }
        free(ptr);
        return NULL;
    }
    if (h->refuse_above && new_size > h->refuse_above)
        return NULL;
    void *b = realloc(ptr, new_size);
    if (!b)
        return NULL;
    if (!ptr)
        h->blocks++;
    h->live = h->live - old_size + new_size;
    if (h->live > h->peak)
        h->peak = h->live;
    return b;
}

/* ---- what the parser reported -------------------------------------------- */

typedef struct recorder {
    int events, errors;
    sse_status errors_seen[8];
    size_t data_len, type_len, id_len;
    char data_head[16], type_head[16], id_head[16]; /* first bytes of each */
    int fields_uniform; /* the last event's fields were each one repeated byte */
} recorder;

static int uniform(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (s[i] != s[0])
            return 0;
    return 1;
}

static void on_event(void *ctx, const sse_event *ev)
{
    recorder *r = ctx;
    r->events++;
    r->data_len = ev->data_len;
    r->type_len = ev->type_len;
    r->id_len = ev->id_len;
    memcpy(r->data_head, ev->data, ev->data_len < 16 ? ev->data_len : 16);
    memcpy(r->type_head, ev->type, ev->type_len < 16 ? ev->type_len : 16);
    memcpy(r->id_head, ev->id, ev->id_len < 16 ? ev->id_len : 16);
    r->fields_uniform = uniform(ev->data, ev->data_len) && uniform(ev->type, ev->type_len) &&
                        uniform(ev->id, ev->id_len);
}

static void on_error(void *ctx, sse_status error)
{
    recorder *r = ctx;
    if (r->errors < 8)
        r->errors_seen[r->errors] = error;
    r->errors++;
}

static const sse_parser_callbacks callbacks = {on_event, NULL, on_error};

/* ---- one parser in either mode ------------------------------------------- */

typedef struct fixture {
    sse_parser p;
    recorder r;
    counting_heap heap;
    void *buf; /* fixed mode */
} fixture;

static void setup(fixture *f, int growable, sse_parser_limits limits)
{
    memset(f, 0, sizeof *f);
    if (growable) {
        sse_allocator a = {counting_resize, &f->heap};
        if (sse_parser_init_growable(&f->p, &limits, &a, &callbacks, &f->r) != SSE_OK)
            abort();
        return;
    }
    size_t n = sse_parser_buffer_size(&limits);
    f->buf = malloc(n);
    if (!f->buf || sse_parser_init(&f->p, &limits, f->buf, n, &callbacks, &f->r) != SSE_OK)
        abort();
}

static void teardown(fixture *f)
{
    sse_parser_free(&f->p);
    CHECK_INT(0, f->heap.live); /* everything given back */
    CHECK_INT(0, f->heap.blocks);
    free(f->buf);
}

/* Feeds s[0, n) in pieces of `step` bytes (0: whole). */
static void feed_in_pieces(fixture *f, const char *s, size_t n, size_t step)
{
    if (step == 0)
        step = n ? n : 1;
    for (size_t at = 0; at < n; at += step)
        sse_parser_feed(&f->p, s + at, n - at < step ? n - at : step);
}

/* "name: " + len copies of `fill` + "\n" appended to a growing stream. */
typedef struct stream {
    char *s;
    size_t len;
} stream;

static void put(stream *st, const char *text)
{
    size_t n = strlen(text);
    st->s = realloc(st->s, st->len + n);
    memcpy(st->s + st->len, text, n);
    st->len += n;
}

static void put_field(stream *st, const char *name, char fill, size_t len)
{
    put(st, name);
    put(st, ": ");
    st->s = realloc(st->s, st->len + len);
    memset(st->s + st->len, fill, len);
    st->len += len;
    put(st, "\n");
}

static const sse_parser_limits small = {1000, 1000, 1000};

/* ---- tests ---------------------------------------------------------------- */

static void default_limits_are_1_mib_ids_and_types_and_16_mib_data(void)
{
    sse_parser_limits d = sse_parser_default_limits();
    CHECK_INT(16u << 20, d.max_data);
    CHECK_INT(1u << 20, d.max_type);
    CHECK_INT(1u << 20, d.max_id);
}

/* The three events of issue 12 that the old 256-byte / 1 MiB defaults lost. */
static void defaults_deliver_a_100000_byte_id_a_300_byte_type_and_a_1_mib_data_line(void)
{
    stream st = {0};
    put_field(&st, "id", 'i', 100000);
    put_field(&st, "event", 't', 300);
    put_field(&st, "data", 'd', 1u << 20);
    put(&st, "\n");
    static const size_t steps[] = {0, 7, 4096, 65536};
    for (int growable = 0; growable <= 1; growable++) {
        for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
            fixture f;
            setup(&f, growable, sse_parser_default_limits());
            feed_in_pieces(&f, st.s, st.len, steps[k]);
            CHECK_INT(1, f.r.events);
            CHECK_INT(0, f.r.errors);
            CHECK_INT(100000, f.r.id_len);
            CHECK_INT(300, f.r.type_len);
            CHECK_INT(1u << 20, f.r.data_len);
            CHECK_INT(1, f.r.fields_uniform);
            CHECK_MEM("itd", 3, ((char[]){f.r.id_head[0], f.r.type_head[0], f.r.data_head[0]}), 3);
            size_t len;
            sse_parser_last_event_id(&f.p, &len);
            CHECK_INT(100000, len);
            teardown(&f);
        }
    }
    free(st.s);
}

/* An event whose `field` value is `len` bytes, then a small one. */
static void check_boundary(int growable, sse_parser_limits limits, const char *field, size_t len,
                           int delivered, sse_status error, size_t step)
{
    stream st = {0};
    if (strcmp(field, "data") != 0)
        put(&st, "data: x\n");
    put_field(&st, field, 'v', len);
    put(&st, "\ndata: next\n\n");
    fixture f;
    setup(&f, growable, limits);
    feed_in_pieces(&f, st.s, st.len, step);
    CHECK_INT(delivered ? 2 : 1, f.r.events);
    CHECK_INT(delivered ? 0 : 1, f.r.errors);
    if (!delivered)
        CHECK_INT(error, f.r.errors_seen[0]);
    CHECK_STR("next", f.r.data_head, f.r.data_len); /* the stream went on */
    teardown(&f);
    free(st.s);
}

static void boundaries_are_inclusive_for_id_type_and_data(void)
{
    sse_parser_limits d = sse_parser_default_limits();
    static const size_t steps[] = {0, 3, 1000};
    for (int growable = 0; growable <= 1; growable++) {
        for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
            size_t step = steps[k];
            check_boundary(growable, small, "id", 1000, 1, SSE_OK, step);
            check_boundary(growable, small, "id", 1001, 0, SSE_E_ID_TOO_LONG, step);
            check_boundary(growable, small, "event", 1000, 1, SSE_OK, step);
            check_boundary(growable, small, "event", 1001, 0, SSE_E_TYPE_TOO_LONG, step);
            check_boundary(growable, small, "data", 1000, 1, SSE_OK, step);
            check_boundary(growable, small, "data", 1001, 0, SSE_E_DATA_TOO_LARGE, step);
            if (step == 3)
                continue; /* the default-size values in 3-byte pieces: slow, and covered below */
            check_boundary(growable, d, "id", d.max_id, 1, SSE_OK, step);
            check_boundary(growable, d, "id", d.max_id + 1u, 0, SSE_E_ID_TOO_LONG, step);
            check_boundary(growable, d, "event", d.max_type, 1, SSE_OK, step);
            check_boundary(growable, d, "event", d.max_type + 1u, 0, SSE_E_TYPE_TOO_LONG, step);
        }
    }
}

/* 16 MiB of data, the default limit exactly, over many data lines (the LFs
 * between them count) in 4 KiB chunks; one byte more is reported. */
static void sixteen_mib_of_data_in_small_chunks_is_delivered_and_one_byte_more_is_reported(void)
{
    const size_t limit = 16u << 20, line = 65535; /* + its LF: 64 KiB per line */
    for (int growable = 0; growable <= 1; growable++) {
        for (int extra = 0; extra <= 1; extra++) {
            stream st = {0};
            size_t total = 0;
            while (total < limit) {
                size_t n = limit - total > line + 1 ? line : limit - total;
                if (total + n == limit)
                    n += (size_t)extra;
                put_field(&st, "data", 'd', n);
                total += n + 1; /* with the LF that joins it to the next line */
            }
            put(&st, "\ndata: next\n\n");
            fixture f;
            setup(&f, growable, sse_parser_default_limits());
            feed_in_pieces(&f, st.s, st.len, 4096);
            if (extra) {
                CHECK_INT(1, f.r.events);
                CHECK_INT(1, f.r.errors);
                CHECK_INT(SSE_E_DATA_TOO_LARGE, f.r.errors_seen[0]);
            } else {
                CHECK_INT(2, f.r.events);
                CHECK_INT(0, f.r.errors);
            }
            CHECK_STR("next", f.r.data_head, f.r.data_len);
            if (growable) {
                /* Doubling: at most twice what arrived, and given back after. */
                CHECK(f.heap.peak >= limit && f.heap.peak <= 2 * limit + 4096);
                CHECK(f.heap.live <= 64u * 1024u + 4096u);
            }
            teardown(&f);
            free(st.s);
        }
    }
}

static void growable_mode_reserves_nothing_up_front_and_grows_with_what_arrives(void)
{
    fixture f;
    setup(&f, 1, sse_parser_default_limits());
    CHECK_INT(0, f.heap.live);
    feed_in_pieces(&f, "id: 1\ndata: hi\n\n", 16, 0);
    CHECK_INT(1, f.r.events);
    CHECK(f.heap.live <= 1024); /* a few small blocks, not 16 MiB */
    stream st = {0};
    put_field(&st, "data", 'd', 3u << 20);
    put(&st, "\n");
    feed_in_pieces(&f, st.s, st.len, 65536);
    CHECK_INT(2, f.r.events);
    CHECK(f.heap.peak >= 3u << 20);
    CHECK(f.heap.live <= 1024); /* the big data buffer went back after its event */
    teardown(&f);
    free(st.s);
}

static void refused_allocation_drops_one_event_with_no_memory_and_parsing_goes_on(void)
{
    stream st = {0};
    put_field(&st, "data", 'd', 1000); /* split: the data buffer must grow */
    put(&st, "\n");
    put_field(&st, "id", 'i', 1000);
    put(&st, "data: x\n\n");
    put_field(&st, "event", 't', 1000);
    put(&st, "data: x\n\n");
    put(&st, "id: 7\ndata: small\n\n");
    static const size_t steps[] = {0, 5};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        fixture f;
        setup(&f, 1, sse_parser_default_limits());
        f.heap.refuse_above = 3 * 256; /* IDs are one block of three buffers */
        feed_in_pieces(&f, st.s, st.len, steps[k]);
        CHECK_INT(1, f.r.events);
        CHECK_STR("small", f.r.data_head, f.r.data_len);
        CHECK_STR("7", f.r.id_head, f.r.id_len);
        /* Zero-copy values too: their room is made when they are read. */
        CHECK_INT(3, f.r.errors);
        for (int i = 0; i < f.r.errors && i < 8; i++)
            CHECK_INT(SSE_E_NO_MEMORY, f.r.errors_seen[i]);
        char big[1000];
        memset(big, 's', sizeof big);
        CHECK_INT(SSE_E_NO_MEMORY, sse_parser_set_last_event_id(&f.p, big, sizeof big));
        size_t len;
        const char *id = sse_parser_last_event_id(&f.p, &len);
        CHECK_STR("7", id, len); /* unchanged */
        teardown(&f);
    }
    free(st.s);
}

/* Growing the ID block moves the last event ID buffers: the committed ID
 * must survive until the blank line, then become the long one. */
static void growing_an_id_keeps_the_committed_id_until_the_blank_line(void)
{
    fixture f;
    setup(&f, 1, sse_parser_default_limits());
    CHECK_INT(SSE_OK, sse_parser_set_last_event_id(&f.p, "seed-id", 7));
    stream st = {0};
    put_field(&st, "id", 'L', 5000);
    feed_in_pieces(&f, st.s, st.len, 100);
    size_t len;
    const char *id = sse_parser_last_event_id(&f.p, &len);
    CHECK_STR("seed-id", id, len);
    feed_in_pieces(&f, "data: x\n\n", 9, 0);
    CHECK_INT(1, f.r.events);
    CHECK_INT(5000, f.r.id_len);
    id = sse_parser_last_event_id(&f.p, &len);
    CHECK_INT(5000, len);
    CHECK(uniform(id, len) && id[0] == 'L');
    sse_parser_reset(&f.p); /* a reconnect keeps it */
    feed_in_pieces(&f, "data: y\n\n", 9, 0);
    CHECK_INT(5000, f.r.id_len);
    teardown(&f);
    free(st.s);
}

static void growable_init_checks_its_arguments_and_free_is_idempotent(void)
{
    sse_parser p;
    sse_allocator none = {NULL, NULL}, heap = sse_heap_allocator();
    sse_parser_limits zero = {0, 8, 8};
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init_growable(&p, &small, NULL, NULL, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init_growable(&p, &small, &none, NULL, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init_growable(&p, &zero, &heap, NULL, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_parser_init_growable(NULL, &small, &heap, NULL, NULL));
    CHECK_INT(SSE_OK, sse_parser_init_growable(&p, &small, &heap, NULL, NULL));
    size_t len = 99;
    const char *id = sse_parser_last_event_id(&p, &len);
    CHECK(id != NULL);
    CHECK_INT(0, len);
    CHECK_INT(SSE_OK, sse_parser_feed(&p, "id: 1\ndata: x\n\n", 15));
    sse_parser_free(&p);
    sse_parser_free(&p); /* safe */
    sse_parser_free(NULL);
}

static void engine_growable_mode_delivers_a_long_id_and_gives_everything_back(void)
{
    counting_heap heap = {0};
    sse_allocator a = {counting_resize, &heap};
    sse_engine_config c = sse_engine_default_config();
    sse_parser_limits d = sse_parser_default_limits();
    recorder r = {0};
    sse_engine_callbacks cb = {on_event, NULL, on_error};
    sse_engine e;
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_engine_init_growable(&e, &c, &d, NULL, &cb, &r));
    CHECK_INT(SSE_OK, sse_engine_init_growable(&e, &c, &d, &a, &cb, &r));
    CHECK_INT(0, heap.live);
    sse_engine_start(&e, 0);
    CHECK_INT(SSE_ACT_OPEN, sse_engine_on_response(&e, 200, "text/event-stream", -1, 1).kind);
    stream st = {0};
    put_field(&st, "id", 'i', 100000);
    put(&st, "data: x\n\n");
    CHECK_INT(SSE_OK, sse_engine_on_bytes(&e, st.s, st.len, 2));
    CHECK_INT(1, r.events);
    CHECK_INT(100000, r.id_len);
    sse_action act = sse_engine_on_closed(&e, 3);
    CHECK_INT(SSE_ACT_RETRY, act.kind);
    act = sse_engine_on_timer(&e, sse_engine_deadline(&e));
    CHECK_INT(SSE_ACT_CONNECT, act.kind);
    CHECK_INT(100000, act.last_event_id_len); /* the resume point is the long id */
    sse_engine_free(&e);
    CHECK_INT(0, heap.live);
    free(st.s);
}

int main(void)
{
    RUN(default_limits_are_1_mib_ids_and_types_and_16_mib_data);
    RUN(defaults_deliver_a_100000_byte_id_a_300_byte_type_and_a_1_mib_data_line);
    RUN(boundaries_are_inclusive_for_id_type_and_data);
    RUN(sixteen_mib_of_data_in_small_chunks_is_delivered_and_one_byte_more_is_reported);
    RUN(growable_mode_reserves_nothing_up_front_and_grows_with_what_arrives);
    RUN(refused_allocation_drops_one_event_with_no_memory_and_parsing_goes_on);
    RUN(growing_an_id_keeps_the_committed_id_until_the_blank_line);
    RUN(growable_init_checks_its_arguments_and_free_is_idempotent);
    RUN(engine_growable_mode_delivers_a_long_id_and_gives_everything_back);
    return check_report();
}
