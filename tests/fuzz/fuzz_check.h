/*
 * The fuzz targets' assertion: a broken promise is __builtin_trap(), which
 * libFuzzer records as a crash and saves the input as a reproducer. Named
 * before the trap so the crash report says which promise broke.
 */
#ifndef SSEMUX_FUZZ_CHECK_H
#define SSEMUX_FUZZ_CHECK_H

#include <stdio.h>

#define FAIL(what)                                                                               \
    do {                                                                                         \
        fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, what);                                \
        __builtin_trap();                                                                        \
    } while (0)
#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond))                                                                             \
            FAIL("expected " #cond);                                                             \
    } while (0)

#endif
