/* The reconnect engine's delays: exponential backoff, jitter, the retry:
 * hint as exact first delay and floor, Retry-After, healthy resets. */
#include "engine_fixture.h"

/* The delays the default config allows for attempt n (initial 3000, cap
 * 30000, no retry: field): n=1 [1500, 3000], then [d/2, d] with
 * d = 3000 * 2^(n-1) capped at 30000. Written out, not computed, so the
 * test does not share the engine's arithmetic. */
static const uint32_t default_bounds[][2] = {
    {0, 0}, {1500, 3000}, {3000, 6000}, {6000, 12000}, {12000, 24000},
    {15000, 30000}, {15000, 30000}, {15000, 30000}, {15000, 30000},
};

/* ---- retries and backoff ---------------------------------------------- */

static void retries_5xx_with_backoff_honouring_retry_after(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    /* No Retry-After: the backoff alone (attempt 1). */
    sse_action a = sse_engine_on_response(&f.e, 503, "text/html", -1, 0);
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_SERVER_ERROR, a);
    CHECK_BETWEEN(1500, 3000, a.delay_ms);
    CHECK_STATE(SSE_STATE_WAITING, &f.e);
    CHECK_INT(a.delay_ms, sse_engine_deadline(&f.e));

    /* Retry-After longer than the backoff (attempt 2, at most 6000) wins. */
    int64_t t = sse_engine_deadline(&f.e);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_TIMER, sse_engine_on_timer(&f.e, t));
    a = sse_engine_on_response(&f.e, 500, NULL, 20000, t);
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_SERVER_ERROR, a);
    CHECK_INT(20000, a.delay_ms);
    CHECK_INT(t + 20000, sse_engine_deadline(&f.e));

    /* Retry-After wins even above the 30 s cap. */
    t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    a = sse_engine_on_response(&f.e, 502, NULL, 120000, t);
    CHECK_INT(120000, a.delay_ms);

    /* ...but not beyond a day. */
    t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    a = sse_engine_on_response(&f.e, 599, NULL, 10LL * 86400000, t);
    CHECK_INT(86400000, a.delay_ms);

    /* A Retry-After shorter than the backoff (attempt 5: >= 15000) loses. */
    t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    a = sse_engine_on_response(&f.e, 503, NULL, 1000, t);
    CHECK_BETWEEN(15000, 30000, a.delay_ms);
    CHECK_INT(5, f.e.failures);
}

static void retries_429_as_rate_limited(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_action a = sse_engine_on_response(&f.e, 429, NULL, 7000, 0);
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_RATE_LIMITED, a);
    CHECK_INT(7000, a.delay_ms);
    CHECK_STATE(SSE_STATE_WAITING, &f.e);
}

static void retries_when_connect_fails_before_response(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 100);
    sse_action a = sse_engine_on_closed(&f.e, 100);
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_NETWORK_ERROR, a);
    CHECK_BETWEEN(1500, 3000, a.delay_ms);
    CHECK_INT(100 + a.delay_ms, sse_engine_deadline(&f.e));
}

static void backoff_grows_then_caps(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_action a = sse_engine_on_closed(&f.e, 0);
    CHECK_BETWEEN(default_bounds[1][0], default_bounds[1][1], a.delay_ms);
    for (uint32_t n = 2; n < sizeof default_bounds / sizeof default_bounds[0]; n++) {
        uint32_t delay = fail_again(&f);
        CHECK_BETWEEN(default_bounds[n][0], default_bounds[n][1], delay);
        CHECK_INT(n, f.e.failures);
    }
    /* Far past the point where 3000 * 2^(n-1) overflows 64 bits. */
    for (int i = 0; i < 100; i++)
        CHECK_BETWEEN(15000, 30000, fail_again(&f));
}

static void jitter_stays_within_bounds_over_many_seeds(void)
{
    enum { SEEDS = 500, ATTEMPTS = sizeof default_bounds / sizeof default_bounds[0] };
    uint32_t lowest[ATTEMPTS], highest[ATTEMPTS];
    for (int n = 0; n < ATTEMPTS; n++) {
        lowest[n] = UINT32_MAX;
        highest[n] = 0;
    }
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        fixture f;
        sse_engine_config c = config_with_seed(seed);
        setup_with(&f, &c);
        sse_engine_start(&f.e, 0);
        uint32_t delay = sse_engine_on_closed(&f.e, 0).delay_ms;
        for (int n = 1; n < ATTEMPTS; n++) {
            if (n > 1)
                delay = fail_again(&f);
            CHECK_BETWEEN(default_bounds[n][0], default_bounds[n][1], delay);
            lowest[n] = delay < lowest[n] ? delay : lowest[n];
            highest[n] = delay > highest[n] ? delay : highest[n];
        }
    }
    /* Jitter must actually spread clients over the whole range: with 500
     * seeds both ends are approached within 10% of the range. */
    for (int n = 1; n < ATTEMPTS; n++) {
        uint32_t tenth = (default_bounds[n][1] - default_bounds[n][0]) / 10;
        CHECK_BETWEEN(default_bounds[n][0], default_bounds[n][0] + tenth, lowest[n]);
        CHECK_BETWEEN(default_bounds[n][1] - tenth, default_bounds[n][1], highest[n]);
    }
}

static void same_seed_gives_same_delays(void)
{
    fixture a, b, c;
    sse_engine_config ca = config_with_seed(7), cc = config_with_seed(8);
    setup_with(&a, &ca);
    setup_with(&b, &ca);
    setup_with(&c, &cc);
    sse_engine_start(&a.e, 0);
    sse_engine_start(&b.e, 0);
    sse_engine_start(&c.e, 0);
    int differs = 0;
    uint32_t da = sse_engine_on_closed(&a.e, 0).delay_ms;
    uint32_t db = sse_engine_on_closed(&b.e, 0).delay_ms;
    uint32_t dc = sse_engine_on_closed(&c.e, 0).delay_ms;
    for (int i = 0; i < 6; i++) {
        CHECK_INT(da, db);
        differs += da != dc;
        da = fail_again(&a);
        db = fail_again(&b);
        dc = fail_again(&c);
    }
    CHECK(differs > 0);
}

static void backoff_resets_after_healthy_connection(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_engine_on_closed(&f.e, 0);
    for (int i = 0; i < 3; i++)
        fail_again(&f);
    CHECK_INT(4, f.e.failures);
    int64_t t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    CHECK_ACTION(SSE_ACT_OPEN, SSE_REASON_OPENED, respond_ok(&f, t));
    CHECK_INT(SSE_OK, feed(&f, ":\n", t + 9000));
    /* Open for exactly healthy_after_ms (10 s): the old streak is forgiven. */
    sse_action a = sse_engine_on_closed(&f.e, t + 10000);
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_NETWORK_ERROR, a);
    CHECK_INT(1, f.e.failures);
    CHECK_BETWEEN(1500, 3000, a.delay_ms);
}

static void backoff_continues_after_short_connection(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_engine_on_closed(&f.e, 0);
    fail_again(&f);
    fail_again(&f);
    CHECK_INT(3, f.e.failures);
    int64_t t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    respond_ok(&f, t);
    /* 1 ms short of healthy: a server that accepts then drops keeps backing off. */
    sse_action a = sse_engine_on_closed(&f.e, t + 9999);
    CHECK_INT(4, f.e.failures);
    CHECK_BETWEEN(12000, 24000, a.delay_ms);
}

static void retry_hint_is_exact_first_delay(void)
{
    for (uint64_t seed = 0; seed < 20; seed++) {
        fixture f;
        sse_engine_config c = config_with_seed(seed);
        setup_with(&f, &c);
        start_and_open(&f, 0);
        CHECK_INT(SSE_OK, feed(&f, "retry: 5000\n\n", 10));
        CHECK_INT(1, f.retries);
        CHECK_INT(5000, f.last_retry);
        sse_action a = sse_engine_on_closed(&f.e, 20);
        CHECK_INT(5000, a.delay_ms);
        CHECK_INT(20 + 5000, sse_engine_deadline(&f.e));
        /* Later attempts back off from it, never below it:
         * d = 5000 * 2 = 10000, jittered in [5000, 10000]. */
        CHECK_BETWEEN(5000, 10000, fail_again(&f));
        CHECK_BETWEEN(10000, 20000, fail_again(&f));
    }
}

static void retry_zero_still_backs_off_after_repeated_failures(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    CHECK_INT(SSE_OK, feed(&f, "retry: 0\n\n", 10));
    CHECK_INT(0, sse_engine_on_closed(&f.e, 20).delay_ms); /* the server's wish, once */
    /* Then it grows from the 100 ms floor instead of staying at 0. */
    CHECK_BETWEEN(100, 200, fail_again(&f));
    CHECK_BETWEEN(200, 400, fail_again(&f));
}

static void retry_hint_above_cap_is_kept(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "retry: 60000\n", 1);
    CHECK_INT(60000, sse_engine_on_closed(&f.e, 2).delay_ms);
    /* The cap (30000) does not override the server's floor. */
    CHECK_INT(60000, fail_again(&f));
    CHECK_INT(60000, fail_again(&f));
}

static void huge_retry_hint_does_not_overflow(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "retry: 99999999999999999999\n", 1); /* saturates to UINT32_MAX */
    CHECK_INT(UINT32_MAX, f.last_retry);
    CHECK_INT(UINT32_MAX, sse_engine_on_closed(&f.e, 2).delay_ms);
    CHECK_INT(2 + (int64_t)UINT32_MAX, sse_engine_deadline(&f.e));
    CHECK_INT(UINT32_MAX, fail_again(&f));
}

static void retry_hint_without_blank_line_counts(void)
{
    /* WHATWG: the reconnection time is set when the field is processed,
     * not at dispatch; a retry: line alone is enough. */
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "retry: 1234\n", 1);
    CHECK_INT(1234, sse_engine_on_closed(&f.e, 2).delay_ms);
}

int main(void)
{
    RUN(retries_5xx_with_backoff_honouring_retry_after);
    RUN(retries_429_as_rate_limited);
    RUN(retries_when_connect_fails_before_response);
    RUN(backoff_grows_then_caps);
    RUN(jitter_stays_within_bounds_over_many_seeds);
    RUN(same_seed_gives_same_delays);
    RUN(backoff_resets_after_healthy_connection);
    RUN(backoff_continues_after_short_connection);
    RUN(retry_hint_is_exact_first_delay);
    RUN(retry_zero_still_backs_off_after_repeated_failures);
    RUN(retry_hint_above_cap_is_kept);
    RUN(huge_retry_hint_does_not_overflow);
    RUN(retry_hint_without_blank_line_counts);
    return check_report();
}
