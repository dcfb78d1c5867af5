/*
 * ssecat: what the command line asked for, the exit codes, and the two
 * modes. ssecat.c fills the options; parse_mode.c and url_mode.c run them.
 */
#ifndef SSECAT_H
#define SSECAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssemux/engine.h"

/* Exit codes (also in --help and docs/ssecat.md). */
enum ssecat_exit {
    SSECAT_EXIT_OK = 0,            /* EOF in --parse, 204, --max-events reached, SIGINT/SIGTERM */
    SSECAT_EXIT_NO_CONNECTION = 1, /* --timeout passed without an open connection */
    SSECAT_EXIT_USAGE = 2,         /* bad option or URL */
    SSECAT_EXIT_REFUSED = 3,       /* the server answered, but not with an event stream
                                    * (or with redirects ssecat will not follow) */
    SSECAT_EXIT_IO = 4             /* reading stdin or writing stdout failed, out of memory */
};

typedef struct ssecat_options {
    sse_parser_limits limits;
    /* --parse */
    bool parse;
    size_t chunk;               /* feed this many bytes at a time; 0 = as read */
    /* both modes */
    bool comments;              /* --comments: print {"comment":...} lines */
    /* URL mode */
    const char *url;
    const char **headers;       /* -H values, as given */
    size_t header_count;
    const char *last_event_id;  /* NULL when not given */
    const char *method;         /* -X, normalised; NULL: POST with -d, else GET */
    const char *body;           /* -d's bytes; NULL: no body */
    size_t body_len;
    long max_redirs;            /* redirect hops per connection attempt */
    uint64_t max_events;        /* 0 = no limit */
    int64_t timeout_ms;         /* -1 = retry forever */
    sse_engine_config engine;   /* --retry, --max-retry, --idle-timeout */
    bool quiet;                 /* no status lines on stderr */
} ssecat_options;

/* Each returns an ssecat_exit code. */
int ssecat_parse_mode(const ssecat_options *opts);
int ssecat_url_mode(const ssecat_options *opts);

#endif
