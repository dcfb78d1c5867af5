/*
 * Native side of the parser benchmark (tests/bench/run-parser-bench.sh).
 *
 * Usage: native_parser_bench CORPUS_DIR
 *
 * CORPUS_DIR holds the corpora written by `parser-bench.mjs write-corpora`
 * and their manifest, corpora.tsv: one "name<TAB>file<TAB>chunk_bytes<TAB>
 * events" line per corpus. Each corpus is fed to sse_parser_feed in chunks of
 * chunk_bytes, as it would arrive from a socket, with a callback that only
 * counts; the run repeats until it has taken MIN_SECONDS (at least MIN_RUNS
 * times) and the median is printed as "name<TAB>events<TAB>bytes<TAB>seconds"
 * for parser-bench.mjs to put next to the wasm and JS figures.
 * No timing is asserted; a wrong event count is an error (the parse broke).
 * The parser runs in fixed mode (one buffer for the default limits), or with
 * SSEMUX_BENCH_GROWABLE=1 in growable mode on the C heap, as ssecat runs it
 * (growing costs are then in the figures: each run starts from nothing).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ssemux/parser.h"

#define MIN_RUNS 5
#define MIN_SECONDS 1.0
#define MAX_RUNS 200

typedef struct counter {
    uint64_t events;
    uint64_t data_bytes; /* touched so the work cannot be optimised away */
} counter;

static void count_event(void *ctx, const sse_event *ev)
{
    counter *c = ctx;
    c->events++;
    c->data_bytes += ev->data_len + ev->type_len + ev->id_len;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* One pass over the corpus with a fresh parser; returns seconds taken. */
static double run_once(const char *bytes, size_t len, size_t chunk, void *buffer, size_t buffer_len,
                       counter *c)
{
    static const sse_parser_callbacks cb = {count_event, NULL, NULL};
    sse_parser_limits limits = sse_parser_default_limits();
    sse_parser p;
    sse_allocator heap = sse_heap_allocator();
    memset(c, 0, sizeof *c);
    double start = now_seconds();
    sse_status st = buffer ? sse_parser_init(&p, &limits, buffer, buffer_len, &cb, c)
                           : sse_parser_init_growable(&p, &limits, &heap, &cb, c);
    if (st != SSE_OK)
        return -1;
    for (size_t at = 0; at < len; at += chunk)
        sse_parser_feed(&p, bytes + at, len - at < chunk ? len - at : chunk);
    sse_parser_free(&p);
    return now_seconds() - start;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bench_corpus(const char *dir, const char *name, const char *file, size_t chunk,
                        uint64_t expected_events)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    size_t len;
    char *bytes = read_file(path, &len);
    if (!bytes) {
        perror(path);
        return 1;
    }
    sse_parser_limits limits = sse_parser_default_limits();
    size_t buffer_len = sse_parser_buffer_size(&limits);
    const char *growable = getenv("SSEMUX_BENCH_GROWABLE");
    void *buffer = growable && strcmp(growable, "1") == 0 ? NULL : malloc(buffer_len);
    double times[MAX_RUNS];
    int runs = 0;
    double total = 0;
    counter c;
    int status = 0;
    while (runs < MAX_RUNS && (runs < MIN_RUNS || total < MIN_SECONDS)) {
        double t = run_once(bytes, len, chunk, buffer, buffer_len, &c);
        if (t < 0 || c.events != expected_events) {
            fprintf(stderr, "%s: expected %llu events, the parser dispatched %llu\n", name,
                    (unsigned long long)expected_events, (unsigned long long)c.events);
            status = 1;
            break;
        }
        times[runs++] = t;
        total += t;
    }
    if (status == 0) {
        qsort(times, (size_t)runs, sizeof times[0], compare_doubles);
        printf("%s\t%llu\t%zu\t%.9f\n", name, (unsigned long long)c.events, len, times[runs / 2]);
    }
    free(buffer);
    free(bytes);
    return status;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR (written by parser-bench.mjs write-corpora)\n", argv[0]);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/corpora.tsv", argv[1]);
    FILE *manifest = fopen(path, "r");
    if (!manifest) {
        perror(path);
        return 1;
    }
    char name[256], file[1024];
    size_t chunk;
    unsigned long long events;
    int status = 0;
    while (fscanf(manifest, "%255s %1023s %zu %llu", name, file, &chunk, &events) == 4) {
        if (chunk == 0) {
            fprintf(stderr, "%s: chunk size 0\n", name);
            status = 1;
            continue;
        }
        status |= bench_corpus(argv[1], name, file, chunk, events);
    }
    fclose(manifest);
    return status;
}
