/* The comment callback (sse_parser_set_comment_callback and the engine's
 * forwarder): text after the colon, one space dropped, in pieces whose last
 * one says so, in stream order with events, for any split of the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ssemux/engine.h"
#include "ssemux/parser.h"

/* A trace of what the callbacks saw: "C<text>|" per whole comment line, "E<data>|"
 * per event; a comment's pieces are joined until their last one. */
typedef struct trace {
    char text[512];
    size_t len;
    int pieces_pending; /* pieces of a comment whose last piece has not come */
} trace;

static void append(trace *l, const char *s, size_t n)
{
    if (n > sizeof l->text - l->len)
        abort();
    memcpy(l->text + l->len, s, n);
    l->len += n;
}

static void on_comment(void *ctx, const char *text, size_t len, int last)
{
    trace *l = ctx;
    if (l->pieces_pending == 0)
        append(l, "C", 1);
    append(l, text, len);
    l->pieces_pending = last ? 0 : l->pieces_pending + 1;
    if (last)
        append(l, "|", 1);
}

static void on_event(void *ctx, const sse_event *ev)
{
    trace *l = ctx;
    append(l, "E", 1);
    append(l, ev->data, ev->data_len);
    append(l, "|", 1);
}

static const sse_parser_callbacks callbacks = {on_event, NULL, NULL};

typedef struct fixture {
    sse_parser p;
    trace l;
    char buf[1024];
} fixture;

static void setup(fixture *f)
{
    sse_parser_limits limits = {256, 64, 64};
    memset(&f->l, 0, sizeof f->l);
    if (sse_parser_buffer_size(&limits) > sizeof f->buf ||
        sse_parser_init(&f->p, &limits, f->buf, sizeof f->buf, &callbacks, &f->l) != SSE_OK)
        abort();
    sse_parser_set_comment_callback(&f->p, on_comment);
}

static const char stream[] = "\xEF\xBB\xBF: first\r\ndata: a\n:  two spaces\ndata: b\n\n:\r"
                             ":no space\n: \xC3\xA9t\xC3\xA9\n\n";
static const char expected[] = "Cfirst|C two spaces|Ea\nb|C|Cno space|C\xC3\xA9t\xC3\xA9|";

static void comments_come_whole_in_one_feed(void)
{
    fixture f;
    setup(&f);
    sse_parser_feed(&f.p, stream, sizeof stream - 1);
    CHECK_STR(expected, f.l.text, f.l.len);
    CHECK_INT(0, f.l.pieces_pending);
}

static void comments_are_the_same_for_every_split(void)
{
    for (size_t cut = 1; cut < sizeof stream - 1; cut++) {
        fixture f;
        setup(&f);
        sse_parser_feed(&f.p, stream, cut);
        sse_parser_feed(&f.p, stream + cut, sizeof stream - 1 - cut);
        if (f.l.len != sizeof expected - 1 || memcmp(f.l.text, expected, f.l.len) != 0)
            fprintf(stderr, "split at %zu:\n", cut);
        CHECK_STR(expected, f.l.text, f.l.len);
    }
    fixture f;
    setup(&f);
    for (size_t i = 0; i < sizeof stream - 1; i++)
        sse_parser_feed(&f.p, stream + i, 1);
    CHECK_STR(expected, f.l.text, f.l.len);
}

static void without_the_callback_comments_are_skipped(void)
{
    fixture f;
    setup(&f);
    sse_parser_set_comment_callback(&f.p, NULL);
    sse_parser_feed(&f.p, stream, sizeof stream - 1);
    CHECK_STR("Ea\nb|", f.l.text, f.l.len);
}

static void a_reset_cuts_a_comment_off_without_its_last_piece(void)
{
    fixture f;
    setup(&f);
    sse_parser_feed(&f.p, ": cut off", 9);
    sse_parser_reset(&f.p);
    CHECK_INT(1, f.l.pieces_pending); /* the caller drops what it gathered */
    f.l.len = 0;
    f.l.pieces_pending = 0;
    sse_parser_feed(&f.p, ": next\n", 7);
    CHECK_STR("Cnext|", f.l.text, f.l.len);
}

static void engine_forwards_comments_only_while_open(void)
{
    static const sse_engine_callbacks engine_callbacks = {on_event, NULL, NULL};
    sse_parser_limits limits = {256, 64, 64};
    sse_engine_config config = sse_engine_default_config();
    static sse_engine e;
    char buf[1024];
    trace l;

    memset(&l, 0, sizeof l);
    if (sse_engine_init(&e, &config, &limits, buf, sizeof buf, &engine_callbacks, &l) != SSE_OK)
        abort();
    sse_engine_set_comment_callback(&e, on_comment);
    sse_engine_start(&e, 0);
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_engine_on_bytes(&e, ": early\n", 8, 0));
    sse_engine_on_response(&e, 200, "text/event-stream", -1, 1);
    sse_engine_on_bytes(&e, ": beat\ndata: x\n\n", 16, 2);
    CHECK_STR("Cbeat|Ex|", l.text, l.len);
    sse_engine_close(&e);
    sse_engine_on_bytes(&e, ": late\n", 7, 3);
    CHECK_STR("Cbeat|Ex|", l.text, l.len);
}

int main(void)
{
    RUN(comments_come_whole_in_one_feed);
    RUN(comments_are_the_same_for_every_split);
    RUN(without_the_callback_comments_are_skipped);
    RUN(a_reset_cuts_a_comment_off_without_its_last_piece);
    RUN(engine_forwards_comments_only_while_open);
    return check_report();
}
