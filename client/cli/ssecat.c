/*
 * ssecat: print a Server-Sent Events stream as JSON lines.
 * This file turns the command line into ssecat_options and picks the mode.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request_body.h"
#include "request_target.h"
#include "ssecat.h"

#ifndef SSEMUX_VERSION
#error "SSEMUX_VERSION comes from the CMake project version"
#endif

static const char usage_text[] =
    "Usage: ssecat [options] URL\n"
    "  or:  ssecat --parse [--chunk N] [limits] < stream\n"
    "\n"
    "Prints every Server-Sent Event as one JSON line on stdout:\n"
    "  {\"type\":\"message\",\"data\":\"...\",\"id\":\"...\"}\n"
    "Strings are what JSON.stringify prints for the text an EventSource would see.\n"
    "      --comments              also print each comment line, in stream order, as\n"
    "                              {\"comment\":\"TEXT\"} (TEXT follows the colon, one\n"
    "                              leading space removed); both modes\n"
    "\n"
    "URL mode: connects with libcurl and reconnects like EventSource (Last-Event-ID,\n"
    "retry:, backoff, Retry-After, heartbeat watchdog, replayed IDs printed once).\n"
    "Follows redirects (301, 302, 303, 307, 308) as a browser does: 303, and 301/302\n"
    "after a POST, turn the request into a GET without body; 307/308 keep method\n"
    "and body; -H Authorization and Cookie are not sent to another origin. A\n"
    "reconnect goes to the URL the last redirect reached (WHATWG). SIGHUP drops the\n"
    "connection and reconnects at once, with Last-Event-ID.\n"
    "Status lines (connected, redirected, reconnecting in N ms (reason), ...) go to\n"
    "stderr.\n"
    "  -H, --header 'Name: value'  add a request header (repeatable; replaces the\n"
    "                              default Accept or Cache-Control of the same name)\n"
    "  -X, --method METHOD         request method (default GET, or POST with -d)\n"
    "  -d, --data BODY             request body; @FILE reads a file, @- stdin, bytes\n"
    "                              as they are; Content-Type text/plain;charset=UTF-8\n"
    "                              unless -H sets one. Method and body are sent\n"
    "                              again on every reconnect\n"
    "      --max-redirs N          follow at most N redirects per connection attempt\n"
    "                              (default 10; 0 follows none)\n"
    "      --last-event-id ID      send Last-Event-ID: ID on the first connect\n"
    "      --max-events N          exit 0 after printing N events\n"
    "      --timeout S             exit 1 when no connection has opened S seconds\n"
    "                              after the start or after the last connection loss\n"
    "                              (default: keep retrying, as EventSource does)\n"
    "      --idle-timeout MS       reconnect when the stream (heartbeats included) or\n"
    "                              the wait for a response head is silent this long\n"
    "                              (default 45000)\n"
    "      --retry MS              reconnection time until the server sends retry:\n"
    "                              (default 3000)\n"
    "      --max-retry MS          cap for the exponential backoff (default 30000)\n"
    "  -q, --quiet                 no status lines (errors are still printed)\n"
    "\n"
    "Parse mode: reads a raw text/event-stream on stdin, no network.\n"
    "      --parse                 parse stdin; also prints {\"retry\":N} for each\n"
    "                              valid retry: field; exits 0 at EOF (an unfinished\n"
    "                              event is not dispatched)\n"
    "      --chunk N               feed the parser N bytes at a time (1 = byte by byte)\n"
    "\n"
    "Limits (both modes; inclusive; memory grows only with what arrives). An event\n"
    "past a limit is dropped and reported on stderr, even with --quiet:\n"
    "      --max-data BYTES        data of one event, LFs between lines included\n"
    "                              (default 16777216)\n"
    "      --max-type BYTES        event type (default 1048576)\n"
    "      --max-id BYTES          event ID (default 1048576)\n"
    "\n"
    "  -h, --help                  this text\n"
    "      --version               print the version\n"
    "\n"
    "Exit status:\n"
    "  0  end of input (--parse), 204 No Content, --max-events reached, SIGINT/SIGTERM\n"
    "  1  could not connect: --timeout passed without an open connection\n"
    "  2  usage error or bad URL\n"
    "  3  the server answered but not with an event stream: non-200 status other\n"
    "     than 5xx/429/204, 200 without text/event-stream, or 401/403 (unauthorized);\n"
    "     or a redirect not followed: past --max-redirs, or to a URL not http(s)\n"
    "  4  reading stdin or writing stdout failed (or out of memory)\n";

enum long_only_option {
    OPT_PARSE = 256, OPT_CHUNK, OPT_LAST_EVENT_ID, OPT_MAX_EVENTS, OPT_TIMEOUT,
    OPT_IDLE_TIMEOUT, OPT_RETRY, OPT_MAX_RETRY, OPT_MAX_DATA, OPT_MAX_TYPE, OPT_MAX_ID,
    OPT_VERSION, OPT_MAX_REDIRS, OPT_COMMENTS
};

static const struct option long_options[] = {
    {"header", required_argument, NULL, 'H'},
    {"method", required_argument, NULL, 'X'},
    {"data", required_argument, NULL, 'd'},
    {"max-redirs", required_argument, NULL, OPT_MAX_REDIRS},
    {"comments", no_argument, NULL, OPT_COMMENTS},
    {"last-event-id", required_argument, NULL, OPT_LAST_EVENT_ID},
    {"max-events", required_argument, NULL, OPT_MAX_EVENTS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"retry", required_argument, NULL, OPT_RETRY},
    {"max-retry", required_argument, NULL, OPT_MAX_RETRY},
    {"quiet", no_argument, NULL, 'q'},
    {"parse", no_argument, NULL, OPT_PARSE},
    {"chunk", required_argument, NULL, OPT_CHUNK},
    {"max-data", required_argument, NULL, OPT_MAX_DATA},
    {"max-type", required_argument, NULL, OPT_MAX_TYPE},
    {"max-id", required_argument, NULL, OPT_MAX_ID},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0}
};

static int usage_error(const char *fmt, const char *arg)
{
    fputs("ssecat: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'ssecat --help'.\n", stderr);
    return SSECAT_EXIT_USAGE;
}

/* A whole decimal number in [min, max]; false for junk, signs or overflow. */
static bool parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Seconds, fractions allowed ("2", "0.5"), as milliseconds. */
static bool parse_seconds(const char *text, int64_t *ms)
{
    char *end;
    if ((text[0] < '0' || text[0] > '9') && text[0] != '.')
        return false;
    errno = 0;
    double s = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !(s >= 0 && s <= 1e9))
        return false;
    *ms = (int64_t)(s * 1000 + 0.5);
    return true;
}

/* -X and -d together, checked once both are known; only then is a
 * --data @FILE read (a usage error must not first swallow stdin). */
static int settle_request(ssecat_options *o, const char *data_arg, char **owned_body)
{
    const char *why;
    if (data_arg != NULL &&
        (why = ssecat_body_from_arg(data_arg, owned_body, &o->body, &o->body_len)) != NULL) {
        fprintf(stderr, "ssecat: -d '%s': %s\n", data_arg, why);
        return SSECAT_EXIT_USAGE;
    }
    if (o->method == NULL) {
        o->method = o->body != NULL ? "POST" : "GET";
        return -1;
    }
    /* fetch() throws for these; libcurl would wait for a body a HEAD never gets. */
    if (o->body != NULL && (strcmp(o->method, "GET") == 0 || strcmp(o->method, "HEAD") == 0))
        return usage_error("a %s request cannot have a body (-d)", o->method);
    if (strcmp(o->method, "HEAD") == 0)
        return usage_error("%s", "-X HEAD: a HEAD response has no stream to read");
    return -1;
}

/* Fills `o` from argv. Returns -1 to go on, or the exit code to end with. */
static int parse_command_line(int argc, char **argv, ssecat_options *o, char **owned_body)
{
    const char *why, *data_arg = NULL;
    uint64_t n;
    int c;

    while ((c = getopt_long(argc, argv, "H:X:d:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'H':
            if (strchr(optarg, ':') == NULL || optarg[0] == ':')
                return usage_error("-H wants 'Name: value', got '%s'", optarg);
            o->headers[o->header_count++] = optarg;
            break;
        case 'X':
            if ((why = ssecat_method_check(optarg)) != NULL) {
                fprintf(stderr, "ssecat: -X '%s': %s\n", optarg, why);
                return usage_error("%s", "-X wants an HTTP method such as POST or REPORT");
            }
            o->method = optarg;
            break;
        case 'd':
            if (data_arg != NULL)
                return usage_error("%s", "give -d once (it is the whole body)");
            data_arg = optarg;
            break;
        case OPT_MAX_REDIRS:
            if (!parse_count(optarg, 0, LONG_MAX, &n))
                return usage_error("--max-redirs wants a count >= 0, got '%s'", optarg);
            o->max_redirs = (long)n;
            break;
        case OPT_COMMENTS: o->comments = true; break;
        case OPT_LAST_EVENT_ID: o->last_event_id = optarg; break;
        case OPT_MAX_EVENTS:
            if (!parse_count(optarg, 1, UINT64_MAX, &o->max_events))
                return usage_error("--max-events wants a count >= 1, got '%s'", optarg);
            break;
        case OPT_TIMEOUT:
            if (!parse_seconds(optarg, &o->timeout_ms))
                return usage_error("--timeout wants seconds, got '%s'", optarg);
            break;
        case OPT_IDLE_TIMEOUT:
            if (!parse_count(optarg, 1, UINT32_MAX, &n))
                return usage_error("--idle-timeout wants milliseconds >= 1, got '%s'", optarg);
            o->engine.idle_timeout_ms = (uint32_t)n;
            break;
        case OPT_RETRY:
            if (!parse_count(optarg, 0, UINT32_MAX, &n))
                return usage_error("--retry wants milliseconds, got '%s'", optarg);
            o->engine.initial_retry_ms = (uint32_t)n;
            break;
        case OPT_MAX_RETRY:
            if (!parse_count(optarg, 0, UINT32_MAX, &n))
                return usage_error("--max-retry wants milliseconds, got '%s'", optarg);
            o->engine.max_retry_ms = (uint32_t)n;
            break;
        case 'q': o->quiet = true; break;
        case OPT_PARSE: o->parse = true; break;
        case OPT_CHUNK:
            if (!parse_count(optarg, 1, SIZE_MAX, &n))
                return usage_error("--chunk wants a byte count >= 1, got '%s'", optarg);
            o->chunk = (size_t)n;
            break;
        case OPT_MAX_DATA:
        case OPT_MAX_TYPE:
        case OPT_MAX_ID:
            /* The data buffer also holds the LF after the last line. */
            if (!parse_count(optarg, 1, UINT32_MAX - 1, &n))
                return usage_error("limits want a byte count in [1, 4294967294], got '%s'", optarg);
            if (c == OPT_MAX_DATA) o->limits.max_data = (uint32_t)n;
            if (c == OPT_MAX_TYPE) o->limits.max_type = (uint32_t)n;
            if (c == OPT_MAX_ID) o->limits.max_id = (uint32_t)n;
            break;
        case 'h': fputs(usage_text, stdout); return SSECAT_EXIT_OK;
        case OPT_VERSION: puts("ssecat " SSEMUX_VERSION); return SSECAT_EXIT_OK;
        default: /* getopt_long already said what was wrong */
            fputs("Try 'ssecat --help'.\n", stderr);
            return SSECAT_EXIT_USAGE;
        }
    }
    if (o->parse) {
        if (o->method != NULL || data_arg != NULL)
            return usage_error("%s", "-X and -d only apply to URL mode");
        if (optind != argc)
            return usage_error("--parse reads stdin and takes no URL, got '%s'", argv[optind]);
        return -1;
    }
    if (o->chunk)
        return usage_error("%s", "--chunk only applies to --parse");
    if (optind != argc - 1)
        return usage_error("%s", optind == argc ? "missing URL" : "give exactly one URL");
    o->url = argv[optind];
    return settle_request(o, data_arg, owned_body);
}

int main(int argc, char **argv)
{
    ssecat_options o = {0};
    char *owned_body = NULL;
    int rc;

    o.limits = sse_parser_default_limits();
    o.engine = sse_engine_default_config();
    o.timeout_ms = -1;
    o.max_redirs = 10;
    /* Every -H fits: there are fewer than argc of them. */
    o.headers = calloc((size_t)argc, sizeof *o.headers);
    if (o.headers == NULL) {
        fputs("ssecat: out of memory\n", stderr);
        return SSECAT_EXIT_IO;
    }
    rc = parse_command_line(argc, argv, &o, &owned_body);
    if (rc < 0)
        rc = o.parse ? ssecat_parse_mode(&o) : ssecat_url_mode(&o);
    free(o.headers);
    free(owned_body);
    return rc;
}
