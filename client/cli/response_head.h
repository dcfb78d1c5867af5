/*
 * Reads the response head line by line, as libcurl's header callback hands
 * it over, and says when the FINAL head is complete: 1xx interim heads
 * (100 Continue, 103 Early Hints) are skipped, and lines after the final
 * head (chunked trailers) are ignored. Keeps the few header values ssecat
 * acts on.
 */
#ifndef SSECAT_RESPONSE_HEAD_H
#define SSECAT_RESPONSE_HEAD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ssecat_response_head {
    int status;          /* of the head being read (0 before its status line) */
    char *content_type;  /* last Content-Type value, trimmed; NULL when absent */
    char *retry_after;   /* last Retry-After value, trimmed; NULL when absent */
    char *location;      /* last Location value, trimmed; NULL when absent */
    bool complete;       /* the final head has been read */
} ssecat_response_head;

typedef enum ssecat_head_result {
    SSECAT_HEAD_MORE,     /* keep feeding lines */
    SSECAT_HEAD_COMPLETE, /* this line ended the final head: act on it now */
    SSECAT_HEAD_IGNORED,  /* a line after the final head (a trailer) */
    SSECAT_HEAD_NO_MEMORY
} ssecat_head_result;

/* `h` must start zeroed. */
ssecat_head_result ssecat_response_head_line(ssecat_response_head *h, const char *line,
                                             size_t len);

/* Is the header name `name` (`len` bytes, any case) `lowercase_name`?
 * Header names are case-insensitive (RFC 9110 5.1). */
bool ssecat_header_name_is(const char *name, size_t len, const char *lowercase_name);

/* Frees the copied values; `h` is zeroed again. */
void ssecat_response_head_clear(ssecat_response_head *h);

#endif
