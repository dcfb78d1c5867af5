/*
 * libFuzzer target for the parser's central promise (parser.h): results never
 * depend on how the stream is split into chunks.
 *
 * Each input is parsed three times, each by its own parser: whole, byte by
 * byte, and cut at points chosen from the input's header. The first parser
 * runs in fixed mode on an exactly-sized heap buffer, the other two in
 * growable mode on an allocator that gives exactly-sized blocks (so ASan sees
 * any overrun in either mode, and LeakSanitizer any block not given back).
 * Every callback is folded into a digest (a running hash plus counts); the
 * three digests must match: the split and the memory mode change nothing.
 * A fourth parser may run on an allocator that refuses blocks past a size:
 * its results may differ (events dropped with SSE_E_NO_MEMORY), but the
 * promises about each event, and memory safety, must hold.
 * Along the way the callbacks check what parser.h promises about each event,
 * and every feed's return value is checked against the errors it reported.
 * A broken promise is __builtin_trap(), which libFuzzer records as a crash.
 *
 * Input layout: HEADER_LEN header bytes, then the stream.
 *   [0] bits 0-2: max_data, bits 3-4: max_type, bits 5-6: max_id (tables
 *       below; small values make every limit error reachable);
 *       bit 7: seed the last event ID before parsing
 *   [1] bits 0-3: number of cut points (0-15);
 *       bit 4: reset the parser (a reconnect) at one point of the stream;
 *       bit 5: all three parsers in fixed mode (else the last two grow);
 *       bit 6: also parse with a refusing allocator (the fourth parser)
 *   [2..3] seed of the generator that places the cut and reset points
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "ssemux/parser.h"

enum { HEADER_LEN = 4, MAX_CUTS = 15 };
#define NO_RESET SIZE_MAX

/* 7 is the length of "message", the type an event gets when none is named. */
static const uint32_t data_limits[8] = {1, 2, 3, 5, 8, 64, 1024, 4096};
static const uint32_t type_limits[4] = {1, 6, 7, 256};
static const uint32_t id_limits[4] = {1, 3, 16, 256};
static const char seed_id[] = "seed-id";

/* Everything one parse produced, folded into a fixed-size record. */
typedef struct digest {
    uint64_t hash;
    uint32_t events, retries, errors, comments;
    sse_status first_error_in_feed; /* what sse_parser_feed must return */
    const sse_parser *parser;
    sse_parser_limits limits;
    int refusing;                   /* on the refusing allocator: SSE_E_NO_MEMORY allowed */
} digest;

/* The growable mode's allocator: exact-size blocks (realloc), and, when
 * refuse_above is set, none bigger than that. Counts what is live. */
typedef struct fuzz_heap {
    size_t live, refuse_above;
} fuzz_heap;

static void *fuzz_resize(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
    fuzz_heap *h = ctx;
    if (new_size == 0) {
        CHECK(ptr != NULL && old_size > 0 && old_size <= h->live);
        h->live -= old_size;
        free(ptr);
        return NULL;
    }
    CHECK((ptr == NULL) == (old_size == 0));
    if (h->refuse_above && new_size > h->refuse_above)
        return NULL;
    void *b = realloc(ptr, new_size);
    CHECK(b != NULL);
    h->live = h->live - old_size + new_size;
    return b;
}

/* FNV-1a, 64 bit: order-sensitive, so a reordered or merged callback shows. */
static void mix(digest *d, const void *bytes, size_t len)
{
    const unsigned char *b = bytes;
    for (size_t i = 0; i < len; i++) {
        d->hash ^= b[i];
        d->hash *= 0x100000001b3ull;
    }
}

static void mix_u64(digest *d, uint64_t v)
{
    mix(d, &v, sizeof v);
}

/* Length first, so "ab"+"c" and "a"+"bc" hash differently. */
static void mix_field(digest *d, const char *s, size_t len)
{
    mix_u64(d, len);
    mix(d, s, len);
}

static int contains_any(const char *s, size_t len, const char *bytes, size_t nbytes)
{
    for (size_t i = 0; i < nbytes; i++)
        if (len && memchr(s, bytes[i], len))
            return 1;
    return 0;
}

static void on_event(void *ctx, const sse_event *ev)
{
    digest *d = ctx;
    CHECK(ev && ev->type && ev->data && ev->id);
    /* Inclusive limits: the data may be exactly max_data bytes. */
    CHECK(ev->data_len <= d->limits.max_data);
    CHECK(ev->type_len > 0);
    CHECK(ev->type_len <= d->limits.max_type ||
          (ev->type_len == 7 && memcmp(ev->type, "message", 7) == 0));
    CHECK(ev->id_len <= d->limits.max_id);
    /* CR and LF end lines, so no value can hold one (data joins lines with LF);
     * an id: value holding NUL is ignored by the spec. */
    CHECK(!contains_any(ev->data, ev->data_len, "\r", 1));
    CHECK(!contains_any(ev->type, ev->type_len, "\r\n", 2));
    CHECK(!contains_any(ev->id, ev->id_len, "\r\n\0", 3));
    /* The event carries the source's last event ID as of this dispatch. */
    size_t last_len;
    const char *last = sse_parser_last_event_id(d->parser, &last_len);
    CHECK(last_len == ev->id_len && (last_len == 0 || memcmp(last, ev->id, last_len) == 0));

    d->events++;
    mix_u64(d, 'E');
    mix_field(d, ev->type, ev->type_len);
    mix_field(d, ev->data, ev->data_len);
    mix_field(d, ev->id, ev->id_len);
}

/* Pieces differ with the split, so only their bytes and each line's end
 * are mixed: the concatenation, not the cutting, must be the same. */
static void on_comment(void *ctx, const char *text, size_t len, int last)
{
    digest *d = ctx;
    CHECK(text != NULL || len == 0);
    CHECK(!contains_any(text, len, "\r\n", 2));
    mix(d, text, len);
    if (last) {
        d->comments++;
        mix_u64(d, 'C');
    }
}

static void on_retry(void *ctx, uint32_t retry_ms)
{
    digest *d = ctx;
    d->retries++;
    mix_u64(d, 'R');
    mix_u64(d, retry_ms);
}

static void on_error(void *ctx, sse_status error)
{
    digest *d = ctx;
    CHECK(error == SSE_E_DATA_TOO_LARGE || error == SSE_E_TYPE_TOO_LONG ||
          error == SSE_E_ID_TOO_LONG || (d->refusing && error == SSE_E_NO_MEMORY));
    if (d->first_error_in_feed == SSE_OK)
        d->first_error_in_feed = error;
    d->errors++;
    mix_u64(d, 'X');
    mix_u64(d, (uint64_t)(int64_t)error);
}

/* One feed; its return value must be the first error it reported. */
static void feed(sse_parser *p, digest *d, const uint8_t *bytes, size_t len)
{
    d->first_error_in_feed = SSE_OK;
    sse_status st = sse_parser_feed(p, bytes, len);
    CHECK(st == d->first_error_in_feed);
}

typedef struct plan {
    sse_parser_limits limits;
    int seed_last_id;
    int all_fixed;             /* else parsers 1 and 2 are growable */
    size_t refuse_above;       /* the fourth parser's allocator; 0: no fourth parser */
    size_t reset_at;           /* stream offset of the reset, or NO_RESET */
    size_t cuts[MAX_CUTS + 1]; /* sorted offsets, reset_at included */
    size_t ncuts;
} plan;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void add_cut(plan *pl, size_t at)
{
    size_t i = pl->ncuts++;
    while (i > 0 && pl->cuts[i - 1] > at) {
        pl->cuts[i] = pl->cuts[i - 1];
        i--;
    }
    pl->cuts[i] = at;
}

static plan read_plan(const uint8_t *header, size_t stream_len)
{
    plan pl;
    memset(&pl, 0, sizeof pl);
    pl.limits.max_data = data_limits[header[0] & 7];
    pl.limits.max_type = type_limits[(header[0] >> 3) & 3];
    pl.limits.max_id = id_limits[(header[0] >> 5) & 3];
    pl.seed_last_id = header[0] >> 7;
    uint64_t rng = ((uint64_t)header[2] << 8) | header[3];
    size_t ncuts = header[1] & 15;
    for (size_t i = 0; i < ncuts; i++)
        add_cut(&pl, (size_t)(splitmix64(&rng) % (stream_len + 1)));
    pl.reset_at = NO_RESET;
    if (header[1] & 0x10) {
        pl.reset_at = (size_t)(splitmix64(&rng) % (stream_len + 1));
        add_cut(&pl, pl.reset_at);
    }
    pl.all_fixed = (header[1] >> 5) & 1;
    if (header[1] & 0x40)
        pl.refuse_above = 1 + (size_t)(splitmix64(&rng) % 300); /* the limits go up to 4096 */
    return pl;
}

/* `buffer` for fixed mode, or NULL for growable mode on `heap`. */
static void start_parser(sse_parser *p, digest *d, void *buffer, fuzz_heap *heap, const plan *pl)
{
    static const sse_parser_callbacks callbacks = {on_event, on_retry, on_error};
    memset(d, 0, sizeof *d);
    d->hash = 0xcbf29ce484222325ull;
    d->parser = p;
    d->limits = pl->limits;
    d->refusing = heap && heap->refuse_above;
    if (buffer) {
        CHECK(sse_parser_init(p, &pl->limits, buffer, sse_parser_buffer_size(&pl->limits),
                              &callbacks, d) == SSE_OK);
    } else {
        sse_allocator a = {fuzz_resize, heap};
        CHECK(sse_parser_init_growable(p, &pl->limits, &a, &callbacks, d) == SSE_OK);
        CHECK(heap->live == 0); /* nothing reserved up front */
    }
    sse_parser_set_comment_callback(p, on_comment);
    if (pl->seed_last_id) {
        size_t len = sizeof seed_id - 1;
        sse_status st = sse_parser_set_last_event_id(p, seed_id, len);
        CHECK(st == (len > pl->limits.max_id ? SSE_E_ID_TOO_LONG
                     : d->refusing && st == SSE_E_NO_MEMORY ? SSE_E_NO_MEMORY : SSE_OK));
    }
}

/* Feeds [0, len) cut at pl->cuts, resetting once at pl->reset_at. */
static void parse_cut(sse_parser *p, digest *d, const uint8_t *s, size_t len, const plan *pl)
{
    size_t pos = 0;
    int reset_done = 0;
    for (size_t k = 0; k < pl->ncuts; k++) {
        feed(p, d, s + pos, pl->cuts[k] - pos);
        pos = pl->cuts[k];
        if (pos == pl->reset_at && !reset_done) {
            sse_parser_reset(p);
            reset_done = 1;
        }
    }
    feed(p, d, s + pos, len - pos);
}

static void parse_bytewise(sse_parser *p, digest *d, const uint8_t *s, size_t len, const plan *pl)
{
    for (size_t i = 0; i <= len; i++) {
        if (i == pl->reset_at)
            sse_parser_reset(p);
        if (i < len)
            feed(p, d, s + i, 1);
    }
}

/* The last event ID left at the end is part of the result too. */
static void finish_digest(const sse_parser *p, digest *d)
{
    size_t len;
    const char *id = sse_parser_last_event_id(p, &len);
    CHECK(id && len <= d->limits.max_id);
    mix_u64(d, 'L');
    mix_field(d, id, len);
}

static int same_digest(const digest *a, const digest *b)
{
    return a->hash == b->hash && a->events == b->events && a->retries == b->retries &&
           a->errors == b->errors && a->comments == b->comments;
}

static void print_digests(const digest d[3])
{
    static const char *const modes[3] = {"whole", "byte by byte", "cut"};
    for (int i = 0; i < 3; i++)
        fprintf(stderr,
                "fuzz_parser: %-12s events %u, retries %u, errors %u, comments %u, hash %016llx\n",
                modes[i], (unsigned)d[i].events, (unsigned)d[i].retries, (unsigned)d[i].errors,
                (unsigned)d[i].comments, (unsigned long long)d[i].hash);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    if (size < HEADER_LEN)
        return 0;
    const uint8_t *stream = input + HEADER_LEN;
    size_t len = size - HEADER_LEN;
    plan pl = read_plan(input, len);
    plan whole = pl; /* the same reset, no other cuts */
    whole.ncuts = 0;
    if (whole.reset_at != NO_RESET)
        add_cut(&whole, whole.reset_at);

    size_t need = sse_parser_buffer_size(&pl.limits);
    CHECK(need > 0);
    char *buffers[3] = {malloc(need), NULL, NULL};
    for (int i = 1; i < 3; i++)
        buffers[i] = pl.all_fixed ? malloc(need) : NULL;
    CHECK(buffers[0] && (!pl.all_fixed || (buffers[1] && buffers[2])));
    fuzz_heap heaps[4] = {{0, 0}, {0, 0}, {0, 0}, {0, pl.refuse_above}};

    sse_parser parsers[4];
    digest digests[4];
    /* One byte short must be refused, not overrun. */
    CHECK(sse_parser_init(&parsers[0], &pl.limits, buffers[0], need - 1, NULL, NULL) ==
          SSE_E_BUFFER_TOO_SMALL);

    for (int i = 0; i < 3; i++)
        start_parser(&parsers[i], &digests[i], buffers[i], buffers[i] ? NULL : &heaps[i], &pl);
    parse_cut(&parsers[0], &digests[0], stream, len, &whole);
    parse_bytewise(&parsers[1], &digests[1], stream, len, &pl);
    parse_cut(&parsers[2], &digests[2], stream, len, &pl);
    for (int i = 0; i < 3; i++)
        finish_digest(&parsers[i], &digests[i]);

    if (!same_digest(&digests[0], &digests[1]) || !same_digest(&digests[0], &digests[2])) {
        print_digests(digests);
        FAIL("the same stream split differently, or parsed in the other memory mode, gave "
             "different callbacks");
    }
    if (pl.refuse_above) {
        start_parser(&parsers[3], &digests[3], NULL, &heaps[3], &pl);
        parse_cut(&parsers[3], &digests[3], stream, len, &pl);
        finish_digest(&parsers[3], &digests[3]);
    }

    for (int i = 0; i < 4; i++) {
        if (i < 3 || pl.refuse_above)
            sse_parser_free(&parsers[i]);
        CHECK(heaps[i].live == 0); /* everything given back */
    }
    for (int i = 0; i < 3; i++)
        free(buffers[i]);
    return 0;
}
