/* Runs every case of tests/cases/parser.txt through the native parser, fed
 * whole, byte by byte, split at every position and in random pieces, in both
 * memory modes (fixed and growable), and compares the JSON lines and limit
 * reports with the expected ones. The wasm build runs the same file
 * (tests/node/), so the two cannot drift apart. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json_line.h"
#include "ssemux/parser.h"

#define CASES_FILE "tests/cases/parser.txt"

typedef struct test_case {
    char name[128];
    sse_parser_limits limits; /* the defaults, or "@ max_* N" lines */
    char *input;
    size_t input_len;
    char *expected;
    size_t expected_len;
} test_case;

/* The names the case file uses for "! name" lines (and ssemux-core.js's
 * statusName). */
static const char *status_name(sse_status s)
{
    switch (s) {
    case SSE_E_DATA_TOO_LARGE: return "data_too_large";
    case SSE_E_TYPE_TOO_LONG: return "type_too_long";
    case SSE_E_ID_TOO_LONG: return "id_too_long";
    case SSE_E_NO_MEMORY: return "no_memory";
    default: return "unexpected";
    }
}

static void on_event(void *ctx, const sse_event *ev) { sse_json_write_event(ctx, ev); }
static void on_retry(void *ctx, uint32_t ms) { sse_json_write_retry(ctx, ms); }
static void on_error(void *ctx, sse_status e) { fprintf(ctx, "! %s\n", status_name(e)); }

static int growable; /* the memory mode of this round (main runs both) */

/* Feeds `input` cut at the ascending offsets in `cuts`; returns the output. */
static char *run_split(const test_case *tc, const char *input, size_t len, const size_t *cuts,
                       size_t ncuts, size_t *out_len)
{
    static const sse_parser_callbacks cb = {on_event, on_retry, on_error};
    void *buf = NULL;
    char *out = NULL;
    FILE *f = open_memstream(&out, out_len);
    sse_parser p;
    sse_allocator heap = sse_heap_allocator();
    size_t bufsize = sse_parser_buffer_size(&tc->limits);
    if (growable ? sse_parser_init_growable(&p, &tc->limits, &heap, &cb, f) != SSE_OK
                 : (buf = malloc(bufsize)) == NULL ||
                       sse_parser_init(&p, &tc->limits, buf, bufsize, &cb, f) != SSE_OK)
        abort();
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t next = i < ncuts ? cuts[i] : len;
        sse_parser_feed(&p, input + at, next - at);
        at = next;
    }
    fclose(f);
    sse_parser_free(&p);
    free(buf);
    return out;
}

static int compare(const test_case *tc, const char *how, const char *got, size_t got_len)
{
    if (got_len == tc->expected_len && (got_len == 0 || memcmp(got, tc->expected, got_len) == 0))
        return 1;
    fprintf(stderr, "case %s (%s, %s mode):\n  expected:\n%.*s  got:\n%.*s", tc->name, how,
            growable ? "growable" : "fixed",
            (int)tc->expected_len, tc->expected, (int)got_len, got);
    check_failed_count++;
    return 0;
}

static void run_case(const test_case *tc, uint64_t *rng)
{
    size_t n = tc->input_len, got_len;
    char *got = run_split(tc, tc->input, n, NULL, 0, &got_len);
    compare(tc, "whole", got, got_len);
    free(got);

    size_t *cuts = malloc((n + 1) * sizeof *cuts);
    for (size_t i = 1; i < n; i++)
        cuts[i - 1] = i;
    got = run_split(tc, tc->input, n, cuts, n ? n - 1 : 0, &got_len);
    compare(tc, "byte by byte", got, got_len);
    free(got);

    for (size_t at = 1; at < n; at++) {
        char how[64];
        snprintf(how, sizeof how, "split at %zu", at);
        got = run_split(tc, tc->input, n, &at, 1, &got_len);
        int same = compare(tc, how, got, got_len);
        free(got);
        if (!same)
            break; /* one report per case is enough */
    }

    for (int round = 0; round < 20 && n > 1; round++) {
        size_t ncuts = 0;
        for (size_t at = 1; at < n; at++) {
            *rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
            if (*rng % 4 == 0)
                cuts[ncuts++] = at;
        }
        got = run_split(tc, tc->input, n, cuts, ncuts, &got_len);
        int same = compare(tc, "random pieces", got, got_len);
        free(got);
        if (!same)
            break;
    }
    free(cuts);
}

static int hex(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Appends the unescaped "< " line `s` to the case input. */
static void append_input(test_case *tc, const char *s, size_t len)
{
    tc->input = realloc(tc->input, tc->input_len + len + 1);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < len) {
            char e = s[++i];
            switch (e) {
            case 'r': c = '\r'; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case '0': c = '\0'; break;
            case '\\': c = '\\'; break;
            case 'x':
                if (i + 2 < len + 0 && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
                    c = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
                    i += 2;
                    break;
                }
                /* fall through */
            default:
                fprintf(stderr, "%s: case %s: bad escape \\%c\n", CASES_FILE, tc->name, e);
                check_failed_count++;
            }
        }
        tc->input[tc->input_len++] = c;
    }
}

/* "@ max_data N" (or max_type, max_id): this case's limit. */
static void set_limit(test_case *tc, const char *s)
{
    char name[16];
    unsigned long v;
    if (sscanf(s, "%15s %lu", name, &v) == 2 && v >= 1 && v < UINT32_MAX) {
        if (strcmp(name, "max_data") == 0) { tc->limits.max_data = (uint32_t)v; return; }
        if (strcmp(name, "max_type") == 0) { tc->limits.max_type = (uint32_t)v; return; }
        if (strcmp(name, "max_id") == 0) { tc->limits.max_id = (uint32_t)v; return; }
    }
    fprintf(stderr, "%s: case %s: bad limit line '@ %s'\n", CASES_FILE, tc->name, s);
    check_failed_count++;
}

static void append_expected(test_case *tc, const char *s, size_t len)
{
    tc->expected = realloc(tc->expected, tc->expected_len + len + 2);
    memcpy(tc->expected + tc->expected_len, s, len);
    tc->expected_len += len;
    tc->expected[tc->expected_len++] = '\n';
}

int main(void)
{
    FILE *f = fopen(CASES_FILE, "r");
    if (!f) {
        perror(CASES_FILE);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    test_case tc = {0};
    int cases = 0, have_case = 0;
    uint64_t rng = 0x9E3779B97F4A7C15u;
    while (1) {
        len = getline(&line, &cap, f);
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len < 0 || strncmp(line, "== ", 3) == 0) {
            if (have_case) {
                int before = check_failed_count;
                for (growable = 0; growable <= 1; growable++)
                    run_case(&tc, &rng);
                printf("%s %s\n", check_failed_count == before ? "ok  " : "FAIL", tc.name);
                cases++;
            }
            free(tc.input);
            free(tc.expected);
            memset(&tc, 0, sizeof tc);
            if (len < 0)
                break;
            snprintf(tc.name, sizeof tc.name, "%s", line + 3);
            tc.limits = sse_parser_default_limits();
            have_case = 1;
        } else if (strncmp(line, "@ ", 2) == 0) {
            set_limit(&tc, line + 2);
        } else if (strncmp(line, "! ", 2) == 0) {
            append_expected(&tc, line, (size_t)len); /* as on_error writes it */
        } else if (strncmp(line, "< ", 2) == 0) {
            append_input(&tc, line + 2, (size_t)len - 2);
        } else if (strncmp(line, "> ", 2) == 0) {
            append_expected(&tc, line + 2, (size_t)len - 2);
        }
    }
    free(line);
    fclose(f);
    printf("%d cases\n", cases);
    if (cases < 40) {
        fprintf(stderr, "expected at least 40 cases in %s, found %d\n", CASES_FILE, cases);
        return 1;
    }
    return check_report();
}
