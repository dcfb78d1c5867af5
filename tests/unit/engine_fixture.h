/* Shared by the engine tests: a fixture that records what the engine
 * delivers, and helpers that drive it through its states with made-up times. */
#ifndef SSEMUX_TEST_ENGINE_FIXTURE_H
#define SSEMUX_TEST_ENGINE_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ssemux/engine.h"

#define CHECK_BETWEEN(lo, hi, got)                                                       \
    do {                                                                                 \
        long long l_ = (long long)(lo), h_ = (long long)(hi), g_ = (long long)(got);     \
        if (g_ < l_ || g_ > h_) {                                                        \
            fprintf(stderr, "%s:%d: %s: %s: expected %lld..%lld, got %lld\n", __FILE__,  \
                    __LINE__, __func__, #got, l_, h_, g_);                               \
            check_failed_count++;                                                        \
        }                                                                                \
    } while (0)

/* The action's kind and reason, checked by name so a failure reads well. */
#define CHECK_ACTION(want_kind, want_reason, action)                                     \
    do {                                                                                 \
        sse_action a_ = (action);                                                        \
        const char *k_ = sse_action_kind_name(a_.kind), *r_ = sse_reason_name(a_.reason); \
        CHECK_STR(sse_action_kind_name(want_kind), k_, strlen(k_));                      \
        CHECK_STR(sse_reason_name(want_reason), r_, strlen(r_));                         \
    } while (0)

#define CHECK_STATE(expected, e) CHECK_INT(expected, sse_engine_state(e))

typedef struct fixture {
    sse_engine e;
    int events, retries, errors;
    uint32_t last_retry;
    sse_status last_error;
    char log[512]; /* "data;" per delivered event, in order */
    size_t log_len;
    bool close_on_event; /* re-entrancy test: close from inside on_event */
    unsigned char buf[2048];
} fixture;

static inline void rec_event(void *ctx, const sse_event *ev)
{
    fixture *f = ctx;
    f->events++;
    if (f->log_len + ev->data_len + 1 < sizeof f->log) {
        memcpy(f->log + f->log_len, ev->data, ev->data_len);
        f->log_len += ev->data_len;
        f->log[f->log_len++] = ';';
    }
    if (f->close_on_event)
        sse_engine_close(&f->e);
}
static inline void rec_retry(void *ctx, uint32_t ms)
{
    fixture *f = ctx;
    f->retries++;
    f->last_retry = ms;
}
static inline void rec_error(void *ctx, sse_status error)
{
    fixture *f = ctx;
    f->errors++;
    f->last_error = error;
}

static const sse_engine_callbacks rec_callbacks = {rec_event, rec_retry, rec_error};
static const sse_parser_limits small_limits = {1024, 32, 32};

static inline sse_engine_config config_with_seed(uint64_t seed)
{
    sse_engine_config c = sse_engine_default_config();
    c.seed = seed;
    return c;
}

static inline void setup_with(fixture *f, const sse_engine_config *cfg)
{
    memset(f, 0, sizeof *f);
    sse_status st = sse_engine_init(&f->e, cfg, &small_limits, f->buf, sizeof f->buf,
                                    &rec_callbacks, f);
    CHECK_INT(SSE_OK, st);
}

static inline void setup(fixture *f)
{
    sse_engine_config c = config_with_seed(42);
    setup_with(f, &c);
}

static inline sse_status feed(fixture *f, const char *s, int64_t now)
{
    return sse_engine_on_bytes(&f->e, s, strlen(s), now);
}

static inline sse_action respond_ok(fixture *f, int64_t now)
{
    return sse_engine_on_response(&f->e, 200, "text/event-stream", -1, now);
}

/* IDLE -> CONNECTING -> OPEN at `now`. */
static inline void start_and_open(fixture *f, int64_t now)
{
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_STARTED, sse_engine_start(&f->e, now));
    CHECK_ACTION(SSE_ACT_OPEN, SSE_REASON_OPENED, respond_ok(f, now));
}

/* WAITING -> CONNECTING by firing the timer exactly at its deadline. */
static inline sse_action fire_timer(fixture *f)
{
    return sse_engine_on_timer(&f->e, sse_engine_deadline(&f->e));
}

/* One more failed attempt: from WAITING, reconnect and fail at once.
 * Returns the new delay. */
static inline uint32_t fail_again(fixture *f)
{
    int64_t t = sse_engine_deadline(&f->e);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_TIMER, sse_engine_on_timer(&f->e, t));
    sse_action a = sse_engine_on_closed(&f->e, t);
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_NETWORK_ERROR, a);
    return a.delay_ms;
}

#endif
