/*
 * The check of sse_load's self-tests (sse_load_selftest.c,
 * sse_load_pipeline_selftest.c): each names what it expected and what came
 * instead, and counts into `failures`, which main() turns into the exit
 * status. One test program per file, so the static counter is that
 * program's own.
 */
#ifndef SSE_LOAD_EXPECT_H
#define SSE_LOAD_EXPECT_H

#include <stdio.h>

static int failures;

#define EXPECT_EQ(name, expected, actual)                                             \
    do {                                                                              \
        unsigned long long e_ = (unsigned long long)(expected);                       \
        unsigned long long a_ = (unsigned long long)(actual);                         \
        if (e_ != a_) {                                                               \
            fprintf(stderr, "FAIL %s: expected %llu, got %llu\n", name, e_, a_);      \
            failures++;                                                               \
        }                                                                             \
    } while (0)

#endif
