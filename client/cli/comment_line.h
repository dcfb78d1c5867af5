/*
 * --comments: gathers a comment line's pieces (the parser hands a comment
 * split across reads in several; see sse_comment_callback) and writes the
 * whole line as {"comment":"TEXT"}. UTF-8 is decoded per JSON string, so a
 * line must be written in one go, not piece by piece. A comment past
 * `max_len` bytes is dropped whole, as an event past a limit is.
 */
#ifndef SSECAT_COMMENT_LINE_H
#define SSECAT_COMMENT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct ssecat_comment {
    char *text;      /* pieces so far (grown up to max_len) */
    size_t len, cap, max_len;
    bool too_long;   /* this line passed max_len: it is being skipped */
} ssecat_comment;

typedef enum ssecat_comment_result {
    SSECAT_COMMENT_OK,
    SSECAT_COMMENT_TOO_LONG,    /* the line ended and was dropped */
    SSECAT_COMMENT_WRITE_FAILED,
    SSECAT_COMMENT_NO_MEMORY
} ssecat_comment_result;

void ssecat_comment_init(ssecat_comment *c, size_t max_len);

/* One piece, as sse_comment_callback gives it; on `last` the line goes to
 * `out` (not flushed). */
ssecat_comment_result ssecat_comment_piece(ssecat_comment *c, FILE *out, const char *text,
                                           size_t len, int last);

/* Words for a result other than OK, for stderr. */
const char *ssecat_comment_strerror(ssecat_comment_result r);

/* A new stream: a line the old one left unfinished is dropped. */
void ssecat_comment_reset(ssecat_comment *c);

void ssecat_comment_free(ssecat_comment *c);

#endif
