/*
 * line_scan.h for WebAssembly with SIMD128 (see there for the contract).
 *
 * Why a queue: on short lines the cost of a line-at-a-time search is not the
 * bytes but the loop exit at each line end, a branch that mispredicts about
 * once per line because line lengths vary. Here the chunk is turned, 64
 * bytes per step, into a bit mask of CR/LF positions, and the set bits are
 * written out as offsets without a branch per bit (4 are written whatever
 * the count, which measured best; a block with more takes a loop). The
 * parser then pops offsets in a loop whose branches follow the stream's
 * regular shape. Measured in Node 20 on ~100-byte events: finding the line
 * ends alone went from 22 to 13 ns/event (a SIMD line-at-a-time search was
 * no faster than the word-at-a-time one: the exits, not the bytes, cost).
 * Each byte is scanned once per chunk, so the parser stays linear.
 */
#ifndef SSEMUX_LINE_SCAN_WASM_H
#define SSEMUX_LINE_SCAN_WASM_H

#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

/* Line ends looked for per refill of the queue; a refill may overshoot by
 * one 64-byte block's worth (63), or hold a <64-byte tail's (63). */
#define LINE_QUEUE 128

typedef struct line_scanner {
    const char *base;     /* the chunk: queue entries are offsets from here */
    uint32_t len;
    uint32_t scanned;     /* [0, scanned) is in the queue or behind us */
    uint32_t head, count; /* queue[head, count) is still ahead */
    uint32_t queue[LINE_QUEUE + 64];
} line_scanner;

static inline void line_scanner_init(line_scanner *ls, const char *s, const char *end)
{
    ls->base = s;
    ls->len = (uint32_t)(end - s);
    ls->scanned = 0;
    ls->head = 0;
    ls->count = 0;
}

/* Only these two functions use SIMD: the module is built without
 * -msimd128 so the compiler vectorizes nothing else (that measured larger
 * and no faster). */
#define SIMD128 __attribute__((target("simd128")))

/* Bit i set: byte i of the 64 at p is CR or LF. */
static inline SIMD128 uint64_t cr_lf_mask64(const char *p)
{
    const v128_t lf = wasm_i8x16_splat('\n'), cr = wasm_i8x16_splat('\r');
    uint64_t m = 0;
    for (int i = 0; i < 4; i++) {
        v128_t v = wasm_v128_load(p + 16 * i);
        v128_t hit = wasm_v128_or(wasm_i8x16_eq(v, lf), wasm_i8x16_eq(v, cr));
        m |= (uint64_t)(uint32_t)wasm_i8x16_bitmask(hit) << (16 * i);
    }
    return m;
}

/* Fills the queue with the line ends from offset `at` on. */
static SIMD128 __attribute__((noinline)) void line_scanner_refill(line_scanner *ls, uint32_t at)
{
    const char *b = ls->base;
    uint32_t *q = ls->queue;
    uint32_t n = 0;
    while (n < LINE_QUEUE && ls->len - at >= 64) {
        uint64_t m = cr_lf_mask64(b + at);
        uint32_t k = (uint32_t)__builtin_popcountll(m);
        for (int i = 0; i < 4; i++) { /* ctz(0) is 64: harmless past k */
            q[n + i] = at + (uint32_t)__builtin_ctzll(m);
            m &= m - 1;
        }
        for (uint32_t i = 4; i < k; i++) {
            q[n + i] = at + (uint32_t)__builtin_ctzll(m);
            m &= m - 1;
        }
        n += k;
        at += 64;
    }
    if (n == 0) {
        /* Under 64 bytes left: byte by byte (no read past the chunk). */
        for (; at < ls->len; at++)
            if (b[at] == '\n' || b[at] == '\r')
                q[n++] = at;
    }
    ls->scanned = at;
    ls->head = 0;
    ls->count = n;
}

/* A chunk too short for one block (bytes trickling in): a plain loop costs
 * less than filling the queue. Out of line: it is not the hot case. */
static __attribute__((noinline)) const char *find_in_short_chunk(const char *s, const char *end)
{
    for (; s < end; s++)
        if (*s == '\n' || *s == '\r')
            return s;
    return end;
}

static inline const char *find_line_end(line_scanner *ls, const char *s)
{
    if (ls->len < 64)
        return find_in_short_chunk(s, ls->base + ls->len);
    uint32_t at = (uint32_t)(s - ls->base);
    for (;;) {
        while (ls->head < ls->count) {
            uint32_t e = ls->queue[ls->head];
            if (e >= at)
                return ls->base + e;
            ls->head++;
        }
        if (ls->scanned >= ls->len)
            return ls->base + ls->len;
        line_scanner_refill(ls, at > ls->scanned ? at : ls->scanned);
    }
}

static inline const char *find_eol(line_scanner *ls, const char *s) { return find_line_end(ls, s); }

#endif
