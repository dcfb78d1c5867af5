/*
 * Line-end search for the parser: the first CR or LF from a position. Kept
 * apart because it is the hot loop. Two builds of one contract:
 * - native: tuned separately for short lines (a word-at-a-time pass) and
 *   long ones (memchr, SIMD in glibc);
 * - wasm, with SIMD128 (line_scan_wasm.h): the chunk is scanned 64 bytes at a
 *   time into a queue of line-end offsets that the parser pops line by line.
 *
 * Used the same way over one chunk [s, end):
 *   line_scanner ls; line_scanner_init(&ls, s, end);
 *   eol = find_eol(&ls, p);       at a line start (lines are usually short)
 *   eol = find_line_end(&ls, p);  inside a value (it may be long)
 * The positions asked for never go backwards; the answer is the first CR or
 * LF at or after p, or end.
 */
#ifndef SSEMUX_LINE_SCAN_H
#define SSEMUX_LINE_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__wasm__)
#include "line_scan_wasm.h"
#else

typedef struct line_scanner {
    const char *end;
    /* The last CR and LF found in this chunk (NULL: not searched yet), so a
     * stream of only LFs (or only CRs) is scanned once, not once per line,
     * which keeps the parser linear. */
    const char *cr, *lf;
} line_scanner;

static inline void line_scanner_init(line_scanner *ls, const char *s, const char *end)
{
    (void)s;
    ls->end = end;
    ls->cr = NULL;
    ls->lf = NULL;
}

/* Finds the next CR or LF in [s, end) with memchr. */
static inline const char *find_line_end(line_scanner *ls, const char *s)
{
    const char *end = ls->end;
    if (!ls->cr || ls->cr < s) {
        ls->cr = memchr(s, '\r', (size_t)(end - s));
        if (!ls->cr)
            ls->cr = end;
    }
    if (!ls->lf || ls->lf < s) {
        ls->lf = memchr(s, '\n', (size_t)(end - s));
        if (!ls->lf)
            ls->lf = end;
    }
    return ls->cr < ls->lf ? ls->cr : ls->lf;
}

/* Bytes scanned a word at a time before a line counts as long and memchr
 * takes over: most SSE lines are short, where one pass looking for CR and LF
 * together beats two memchr calls; on long lines memchr (SIMD in glibc) wins. */
#define SHORT_LINE 256

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The first CR or LF in [s, s + n), or NULL. Both are below 0x0E, and
 * (w - 0x0E0E..) & ~w & high marks, in each 8-byte word, bytes below 0x0E:
 * its lowest mark is exact (a borrow only runs upwards). One test per word
 * instead of one per byte value; the rare other control byte (TAB, NUL) is
 * then skipped by the byte check. */
static inline const char *find_cr_or_lf(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    const uint64_t below = ones * 0x0E;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        uint64_t hit = (w - below) & ~w & high;
        if (!hit) {
            s += 8;
            n -= 8;
            continue;
        }
        size_t i = (size_t)__builtin_ctzll(hit) >> 3;
        if (s[i] == '\n' || s[i] == '\r')
            return s + i;
        s += i + 1; /* another control byte: go on after it */
        n -= i + 1;
    }
    for (; n; n--, s++)
        if (*s == '\n' || *s == '\r')
            return s;
    return NULL;
}
#else
static inline const char *find_cr_or_lf(const char *s, size_t n)
{
    for (; n; n--, s++)
        if (*s == '\n' || *s == '\r')
            return s;
    return NULL;
}
#endif

/* The end of the line starting at s: the first CR or LF, or `end`. */
static inline const char *find_eol(line_scanner *ls, const char *s)
{
    size_t n = (size_t)(ls->end - s);
    const char *hit = find_cr_or_lf(s, n < SHORT_LINE ? n : SHORT_LINE);
    if (hit)
        return hit;
    return n <= SHORT_LINE ? ls->end : find_line_end(ls, s + SHORT_LINE);
}

#endif /* __wasm__ */
#endif
