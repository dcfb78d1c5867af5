/*
 * ssecat --parse: stdin -> parser -> JSON lines, no network. The parser
 * conformance cases (tests/cases/parser.txt) are written as this mode's
 * expected output, and --chunk lets a test prove the split does not matter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "comment_line.h"
#include "json_line.h"
#include "limit_report.h"
#include "ssecat.h"

#define READ_SIZE 65536

typedef struct parse_session {
    bool write_failed;
    ssecat_comment comment;
    const sse_parser_limits *limits;
} parse_session;

static void print_event(void *ctx, const sse_event *ev)
{
    parse_session *s = ctx;
    if (!s->write_failed && sse_json_write_event(stdout, ev) != 0)
        s->write_failed = true;
}

static void print_retry(void *ctx, uint32_t ms)
{
    parse_session *s = ctx;
    if (!s->write_failed && sse_json_write_retry(stdout, ms) != 0)
        s->write_failed = true;
}

static void print_comment(void *ctx, const char *text, size_t len, int last)
{
    parse_session *s = ctx;
    if (s->write_failed)
        return;
    ssecat_comment_result r = ssecat_comment_piece(&s->comment, stdout, text, len, last);
    if (r == SSECAT_COMMENT_WRITE_FAILED)
        s->write_failed = true;
    else if (r != SSECAT_COMMENT_OK)
        fprintf(stderr, "ssecat: %s\n", ssecat_comment_strerror(r));
}

/* A limit error drops one event; the stream goes on, so do we. */
static void report_error(void *ctx, sse_status error)
{
    parse_session *s = ctx;
    ssecat_report_discarded(s->limits, error);
}

int ssecat_parse_mode(const ssecat_options *opts)
{
    static const sse_parser_callbacks callbacks = {print_event, print_retry, report_error};
    parse_session session = {false, {0}, &opts->limits};
    sse_parser parser = {0};
    /* Growable: the large default limits cost only what arrives. */
    sse_allocator heap = sse_heap_allocator();
    char *input = malloc(READ_SIZE);
    int rc = SSECAT_EXIT_OK;

    if (input == NULL) {
        fputs("ssecat: out of memory\n", stderr);
        rc = SSECAT_EXIT_IO;
        goto done;
    }
    ssecat_comment_init(&session.comment, opts->limits.max_data);
    sse_status st = sse_parser_init_growable(&parser, &opts->limits, &heap, &callbacks, &session);
    if (st == SSE_OK && opts->comments)
        sse_parser_set_comment_callback(&parser, print_comment);
    if (st != SSE_OK) {
        fprintf(stderr, "ssecat: cannot set up the parser: %s\n", sse_strerror(st));
        rc = SSECAT_EXIT_USAGE;
        goto done;
    }
    /* read(), not fread(): a live pipe's events show up as they arrive
     * instead of after 64 KiB. */
    while (!session.write_failed) {
        ssize_t got = read(STDIN_FILENO, input, READ_SIZE);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            perror("ssecat: reading stdin");
            rc = SSECAT_EXIT_IO;
            break;
        }
        if (got == 0)
            break;
        size_t len = (size_t)got, step = opts->chunk ? opts->chunk : len;
        for (size_t off = 0; off < len; off += step)
            sse_parser_feed(&parser, input + off, len - off < step ? len - off : step);
        if (fflush(stdout) != 0)
            session.write_failed = true;
    }
    /* At EOF the unfinished event is dropped (WHATWG 9.2.6: "pending data
     * must be discarded"): the parser simply never sees its blank line. */
    if (fflush(stdout) != 0 || session.write_failed) {
        perror("ssecat: writing stdout");
        rc = SSECAT_EXIT_IO;
    }
done:
    ssecat_comment_free(&session.comment);
    free(input);
    sse_parser_free(&parser);
    return rc;
}
