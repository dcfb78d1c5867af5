/* Minimal test helpers: each failed CHECK prints where, what was expected and
 * what came instead; main() returns check_report(), nonzero when any failed. */
#ifndef SSEMUX_TEST_CHECK_H
#define SSEMUX_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failed_count;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: %s: expected %s\n", __FILE__, __LINE__, __func__, #cond); \
            check_failed_count++;                                                        \
        }                                                                                \
    } while (0)

#define CHECK_INT(expected, got)                                                         \
    do {                                                                                 \
        long long e_ = (long long)(expected), g_ = (long long)(got);                     \
        if (e_ != g_) {                                                                  \
            fprintf(stderr, "%s:%d: %s: %s: expected %lld, got %lld\n", __FILE__, __LINE__, \
                    __func__, #got, e_, g_);                                             \
            check_failed_count++;                                                        \
        }                                                                                \
    } while (0)

#define CHECK_MEM(expected, expected_len, got, got_len)                                  \
    do {                                                                                 \
        size_t el_ = (size_t)(expected_len), gl_ = (size_t)(got_len);                    \
        if (el_ != gl_ || memcmp((expected), (got), el_) != 0) {                         \
            fprintf(stderr, "%s:%d: %s: %s: expected \"%.*s\", got \"%.*s\"\n", __FILE__,  \
                    __LINE__, __func__, #got, (int)el_, (const char *)(expected), (int)gl_, \
                    (const char *)(got));                                                \
            check_failed_count++;                                                        \
        }                                                                                \
    } while (0)

#define CHECK_STR(expected, got, got_len) CHECK_MEM(expected, strlen(expected), got, got_len)

#define RUN(test)                                                                        \
    do {                                                                                 \
        int before_ = check_failed_count;                                                \
        test();                                                                          \
        printf("%s %s\n", check_failed_count == before_ ? "ok  " : "FAIL", #test);       \
    } while (0)

static inline int check_report(void)
{
    if (check_failed_count)
        fprintf(stderr, "%d check(s) failed\n", check_failed_count);
    return check_failed_count != 0;
}

#endif
