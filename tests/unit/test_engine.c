/* The reconnect engine's states: responses, timers, credentials, close,
 * init. Driven through the public API with made-up times and real
 * text/event-stream bytes (the real parser, no fakes). Backoff is in
 * test_engine_backoff.c, events and dedupe in test_engine_events.c. */
#include "engine_fixture.h"

/* ---- start and responses ---------------------------------------------- */

static void start_connects_without_last_event_id(void)
{
    fixture f;
    setup(&f);
    CHECK_STATE(SSE_STATE_IDLE, &f.e);
    CHECK_INT(-1, sse_engine_deadline(&f.e));
    sse_action a = sse_engine_start(&f.e, 0);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_STARTED, a);
    CHECK_INT(0, a.last_event_id_len);
    CHECK_STATE(SSE_STATE_CONNECTING, &f.e);
    CHECK_INT(-1, sse_engine_deadline(&f.e));
    /* A second start is a caller bug, not a second connection. */
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_start(&f.e, 0));
}

static void opens_on_200_event_stream(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 1000);
    CHECK_ACTION(SSE_ACT_OPEN, SSE_REASON_OPENED, respond_ok(&f, 2000));
    CHECK_STATE(SSE_STATE_OPEN, &f.e);
    CHECK_INT(2000 + 45000, sse_engine_deadline(&f.e));
    CHECK_INT(SSE_OK, feed(&f, "data: hello\n\n", 2500));
    CHECK_INT(1, f.events);
    CHECK_STR("hello;", f.log, f.log_len);
}

static void content_type_with_params_opens(void)
{
    static const char *const good[] = {
        "text/event-stream", "Text/Event-Stream", "TEXT/EVENT-STREAM;charset=UTF-8",
        "text/event-stream; charset=utf-8", "  text/event-stream  ", "\ttext/event-stream \t; a=b",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        fixture f;
        setup(&f);
        sse_engine_start(&f.e, 0);
        sse_action a = sse_engine_on_response(&f.e, 200, good[i], -1, 0);
        if (a.kind != SSE_ACT_OPEN)
            fprintf(stderr, "  content type \"%s\" was refused\n", good[i]);
        CHECK_ACTION(SSE_ACT_OPEN, SSE_REASON_OPENED, a);
    }
}

static void wrong_content_type_stops(void)
{
    static const char *const bad[] = {
        "", "text/html", "text/plain; x=text/event-stream", "text/event-streams",
        "text/event", "text /event-stream", "text/event-stream-x", "application/json",
    };
    for (size_t i = 0; i <= sizeof bad / sizeof bad[0]; i++) {
        fixture f;
        setup(&f);
        sse_engine_start(&f.e, 0);
        const char *type = i < sizeof bad / sizeof bad[0] ? bad[i] : NULL; /* and absent */
        sse_action a = sse_engine_on_response(&f.e, 200, type, -1, 0);
        if (a.kind != SSE_ACT_STOP)
            fprintf(stderr, "  content type \"%s\" was accepted\n", type ? type : "(null)");
        CHECK_ACTION(SSE_ACT_STOP, SSE_REASON_BAD_CONTENT_TYPE, a);
        CHECK_STATE(SSE_STATE_CLOSED, &f.e);
    }
}

static void stops_on_204(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    CHECK_ACTION(SSE_ACT_STOP, SSE_REASON_NO_CONTENT,
                 sse_engine_on_response(&f.e, 204, NULL, -1, 0));
    CHECK_STATE(SSE_STATE_CLOSED, &f.e);
    CHECK_INT(-1, sse_engine_deadline(&f.e));
    /* Stopped for good: nothing brings it back. */
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_timer(&f.e, 1000000));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_online(&f.e, 1000000));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_closed(&f.e, 1000000));
    CHECK_INT(SSE_E_CLOSED, feed(&f, "data: x\n\n", 1000000));
}

static void stops_on_other_statuses(void)
{
    static const int statuses[] = {0, 100, 201, 206, 301, 304, 400, 404, 410, 418, 600};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        fixture f;
        setup(&f);
        sse_engine_start(&f.e, 0);
        sse_action a = sse_engine_on_response(&f.e, statuses[i], "text/event-stream", -1, 0);
        if (a.kind != SSE_ACT_STOP)
            fprintf(stderr, "  status %d did not stop\n", statuses[i]);
        CHECK_ACTION(SSE_ACT_STOP, SSE_REASON_BAD_STATUS, a);
        CHECK_STATE(SSE_STATE_CLOSED, &f.e);
    }
}

static void stale_reports_are_ignored(void)
{
    fixture f;
    setup(&f);
    /* Not connecting yet: no response, no credential, no close to act on. */
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, respond_ok(&f, 0));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_credential(&f.e, true, 0));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_closed(&f.e, 0));
    CHECK_STATE(SSE_STATE_IDLE, &f.e);
    start_and_open(&f, 0);
    /* A second response head on an open stream changes nothing. */
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE,
                 sse_engine_on_response(&f.e, 503, NULL, -1, 10));
    CHECK_STATE(SSE_STATE_OPEN, &f.e);
}

/* ---- timers ----------------------------------------------------------- */

static void early_timer_is_ignored(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_action a = sse_engine_on_closed(&f.e, 0);
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_timer(&f.e, a.delay_ms - 1));
    CHECK_STATE(SSE_STATE_WAITING, &f.e);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_TIMER, sse_engine_on_timer(&f.e, a.delay_ms));
    CHECK_STATE(SSE_STATE_CONNECTING, &f.e);
    /* No timer is pending while connecting. */
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_timer(&f.e, 1000000));
}

static void heartbeat_timeout_reconnects(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 1000);
    CHECK_INT(1000 + 45000, sse_engine_deadline(&f.e));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_timer(&f.e, 45999));
    /* A comment is a heartbeat: any byte re-arms the watchdog. */
    CHECK_INT(SSE_OK, feed(&f, ":\n", 30000));
    CHECK_INT(30000 + 45000, sse_engine_deadline(&f.e));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_timer(&f.e, 46000));
    CHECK_STATE(SSE_STATE_OPEN, &f.e);
    sse_action a = sse_engine_on_timer(&f.e, 75000);
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_HEARTBEAT_LOST, a);
    CHECK_STATE(SSE_STATE_WAITING, &f.e);
    /* It had been open for 74 s, so this is the first failure of a streak. */
    CHECK_INT(1, f.e.failures);
    CHECK_BETWEEN(1500, 3000, a.delay_ms);
    CHECK_INT(75000 + a.delay_ms, sse_engine_deadline(&f.e));
}

static void idle_timeout_follows_heartbeat_or_config(void)
{
    fixture f;
    setup(&f);
    CHECK_INT(45000, sse_engine_idle_timeout(&f.e));
    sse_engine_set_heartbeat(&f.e, 4000);
    CHECK_INT(10000, sse_engine_idle_timeout(&f.e));
    start_and_open(&f, 0);
    CHECK_INT(10000, sse_engine_deadline(&f.e));
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_HEARTBEAT_LOST, sse_engine_on_timer(&f.e, 10000));

    sse_engine_config c = config_with_seed(1);
    c.heartbeat_ms = 15000;
    setup_with(&f, &c);
    CHECK_INT(37500, sse_engine_idle_timeout(&f.e));
    c.idle_timeout_ms = 7000; /* an explicit timeout wins */
    setup_with(&f, &c);
    CHECK_INT(7000, sse_engine_idle_timeout(&f.e));
    c.idle_timeout_ms = 0;
    c.heartbeat_ms = UINT32_MAX; /* 2.5x saturates instead of wrapping */
    setup_with(&f, &c);
    CHECK_INT(UINT32_MAX, sse_engine_idle_timeout(&f.e));
}

static void replace_connects_now_without_counting_a_failure(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 4\ndata: a\n\n", 1);
    sse_action a = sse_engine_replace(&f.e, 2);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_REPLACED, a);
    CHECK_STR("4", a.last_event_id, a.last_event_id_len);
    CHECK_INT(0, f.e.failures);
    CHECK_STATE(SSE_STATE_CONNECTING, &f.e);
    /* A real failure right after is the first of its streak. */
    CHECK_BETWEEN(1500, 3000, sse_engine_on_closed(&f.e, 3).delay_ms);
    CHECK_INT(1, f.e.failures);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_REPLACED, sse_engine_replace(&f.e, 4));
    CHECK_INT(1, f.e.failures); /* replacing a wait forgives nothing */
    sse_engine_close(&f.e);
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_replace(&f.e, 5));
}

static void replacing_a_healthy_connection_resets_the_streak(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    sse_engine_on_closed(&f.e, 1);
    fire_timer(&f);
    respond_ok(&f, 5000);
    CHECK_INT(1, f.e.failures);
    sse_engine_replace(&f.e, 5000 + 10000);
    CHECK_INT(0, f.e.failures);
}

static void online_reconnects_immediately(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_online(&f.e, 0));
    sse_engine_on_closed(&f.e, 0);
    sse_action a = sse_engine_on_online(&f.e, 5);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_ONLINE, a);
    CHECK_STATE(SSE_STATE_CONNECTING, &f.e);
    CHECK_INT(-1, sse_engine_deadline(&f.e));
    /* Coming online is not a failure and does not forgive the streak. */
    CHECK_INT(1, f.e.failures);
    CHECK_BETWEEN(3000, 6000, sse_engine_on_closed(&f.e, 6).delay_ms);
    /* While open, "online" is news to nobody. */
    fire_timer(&f);
    respond_ok(&f, 10000);
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_online(&f.e, 10001));
    CHECK_STATE(SSE_STATE_OPEN, &f.e);
}

/* ---- credentials ------------------------------------------------------ */

static void refreshes_credential_once_then_stops(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_action a = sse_engine_on_response(&f.e, 401, NULL, -1, 0);
    CHECK_ACTION(SSE_ACT_REFRESH_CREDENTIAL, SSE_REASON_UNAUTHORIZED, a);
    CHECK_STATE(SSE_STATE_AUTHORIZING, &f.e);
    CHECK_INT(-1, sse_engine_deadline(&f.e));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_timer(&f.e, 100000));
    a = sse_engine_on_credential(&f.e, true, 50);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_CREDENTIAL_REFRESHED, a);
    CHECK_STATE(SSE_STATE_CONNECTING, &f.e);
    /* Refused again with the fresh credential: give up. */
    a = sse_engine_on_response(&f.e, 403, NULL, -1, 60);
    CHECK_ACTION(SSE_ACT_STOP, SSE_REASON_UNAUTHORIZED, a);
    CHECK_STATE(SSE_STATE_CLOSED, &f.e);
}

static void refresh_stays_spent_across_other_failures(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_engine_on_response(&f.e, 403, NULL, -1, 0);
    sse_engine_on_credential(&f.e, true, 0);
    CHECK_ACTION(SSE_ACT_RETRY, SSE_REASON_SERVER_ERROR,
                 sse_engine_on_response(&f.e, 503, NULL, -1, 1));
    fire_timer(&f);
    CHECK_ACTION(SSE_ACT_STOP, SSE_REASON_UNAUTHORIZED,
                 sse_engine_on_response(&f.e, 401, NULL, -1, 100000));
}

static void refresh_is_renewed_once_a_connection_opens(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_engine_on_response(&f.e, 401, NULL, -1, 0);
    sse_engine_on_credential(&f.e, true, 0);
    CHECK_ACTION(SSE_ACT_OPEN, SSE_REASON_OPENED, respond_ok(&f, 1));
    sse_engine_on_closed(&f.e, 3600000); /* an hour later the token expires */
    fire_timer(&f);
    CHECK_ACTION(SSE_ACT_REFRESH_CREDENTIAL, SSE_REASON_UNAUTHORIZED,
                 sse_engine_on_response(&f.e, 401, NULL, -1, 3700000));
}

static void failed_credential_refresh_stops(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_engine_on_response(&f.e, 401, NULL, -1, 0);
    CHECK_ACTION(SSE_ACT_STOP, SSE_REASON_CREDENTIAL_FAILED,
                 sse_engine_on_credential(&f.e, false, 10));
    CHECK_STATE(SSE_STATE_CLOSED, &f.e);
}

/* ---- close ------------------------------------------------------------ */

static void close_stops_for_good(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    CHECK_ACTION(SSE_ACT_STOP, SSE_REASON_CLOSED_BY_USER, sse_engine_close(&f.e));
    CHECK_STATE(SSE_STATE_CLOSED, &f.e);
    CHECK_INT(-1, sse_engine_deadline(&f.e));
    CHECK_INT(SSE_E_CLOSED, feed(&f, "data: late\n\n", 1));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_close(&f.e));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_start(&f.e, 2));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, respond_ok(&f, 2));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_closed(&f.e, 2));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_timer(&f.e, 100000));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_online(&f.e, 2));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_credential(&f.e, true, 2));
    CHECK_STATE(SSE_STATE_CLOSED, &f.e);
    CHECK_INT(0, f.events);
}

static void close_while_waiting_cancels_the_timer(void)
{
    fixture f;
    setup(&f);
    sse_engine_start(&f.e, 0);
    sse_engine_on_closed(&f.e, 0);
    CHECK(sse_engine_deadline(&f.e) > 0);
    CHECK_ACTION(SSE_ACT_STOP, SSE_REASON_CLOSED_BY_USER, sse_engine_close(&f.e));
    CHECK_INT(-1, sse_engine_deadline(&f.e));
}

static void close_inside_on_event_drops_rest_of_chunk(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    f.close_on_event = true;
    feed(&f, "data: first\n\nretry: 1\ndata: second\n\n", 1);
    CHECK_STR("first;", f.log, f.log_len);
    CHECK_INT(0, f.retries);
    CHECK_STATE(SSE_STATE_CLOSED, &f.e);
}

/* ---- init, defaults and names ----------------------------------------- */

static void init_validates_arguments(void)
{
    sse_engine e;
    static unsigned char buf[2048];
    sse_engine_config c = sse_engine_default_config();
    CHECK_INT(SSE_E_INVALID_ARGUMENT,
              sse_engine_init(NULL, &c, &small_limits, buf, sizeof buf, &rec_callbacks, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT,
              sse_engine_init(&e, NULL, &small_limits, buf, sizeof buf, &rec_callbacks, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT,
              sse_engine_init(&e, &c, NULL, buf, sizeof buf, &rec_callbacks, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT,
              sse_engine_init(&e, &c, &small_limits, NULL, sizeof buf, &rec_callbacks, NULL));
    CHECK_INT(SSE_E_INVALID_ARGUMENT,
              sse_engine_init(&e, &c, &small_limits, buf, sizeof buf, NULL, NULL));
    size_t need = sse_engine_buffer_size(&small_limits);
    CHECK_INT(sse_parser_buffer_size(&small_limits), need);
    CHECK_INT(SSE_E_BUFFER_TOO_SMALL,
              sse_engine_init(&e, &c, &small_limits, buf, need - 1, &rec_callbacks, NULL));
    CHECK_INT(SSE_OK, sse_engine_init(&e, &c, &small_limits, buf, need, &rec_callbacks, NULL));
    c.dedupe_window = SSE_DEDUPE_MAX;
    CHECK_INT(SSE_OK, sse_engine_init(&e, &c, &small_limits, buf, need, &rec_callbacks, NULL));
    c.dedupe_window = SSE_DEDUPE_MAX + 1;
    CHECK_INT(SSE_E_INVALID_ARGUMENT,
              sse_engine_init(&e, &c, &small_limits, buf, need, &rec_callbacks, NULL));
    sse_parser_limits zero = {0, 32, 32};
    CHECK_INT(SSE_E_INVALID_ARGUMENT,
              sse_engine_init(&e, &c, &zero, buf, sizeof buf, &rec_callbacks, NULL));
}

static void default_config_matches_header(void)
{
    sse_engine_config c = sse_engine_default_config();
    CHECK_INT(3000, c.initial_retry_ms);
    CHECK_INT(30000, c.max_retry_ms);
    CHECK_INT(10000, c.healthy_after_ms);
    CHECK_INT(0, c.heartbeat_ms);
    CHECK_INT(0, c.idle_timeout_ms);
    CHECK_INT(64, c.dedupe_window);
    CHECK_INT(0, c.seed);
}

static void null_engine_is_harmless(void)
{
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_start(NULL, 0));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_close(NULL));
    CHECK_ACTION(SSE_ACT_NONE, SSE_REASON_NONE, sse_engine_on_timer(NULL, 0));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_engine_on_bytes(NULL, "x", 1, 0));
    CHECK_INT(-1, sse_engine_deadline(NULL));
    CHECK_INT(SSE_STATE_CLOSED, sse_engine_state(NULL));
}

static void name_tables_name_every_value(void)
{
    const char *seen[32];
    int n = 0;
    for (int k = SSE_ACT_NONE; k <= SSE_ACT_STOP; k++) {
        const char *name = sse_action_kind_name((sse_action_kind)k);
        CHECK(strcmp(name, "unknown") != 0);
        for (int j = 0; j < n; j++)
            CHECK(strcmp(seen[j], name) != 0);
        seen[n++] = name;
    }
    n = 0;
    for (int r = SSE_REASON_NONE; r <= SSE_REASON_CREDENTIAL_REFRESHED; r++) {
        const char *name = sse_reason_name((sse_reason)r);
        CHECK(strcmp(name, "unknown") != 0);
        for (int j = 0; j < n; j++)
            CHECK(strcmp(seen[j], name) != 0);
        seen[n++] = name;
    }
    CHECK_STR("unknown", sse_reason_name((sse_reason)99), 7);
    CHECK_STR("refresh_credential", sse_action_kind_name(SSE_ACT_REFRESH_CREDENTIAL), 18);
}

int main(void)
{
    RUN(start_connects_without_last_event_id);
    RUN(opens_on_200_event_stream);
    RUN(content_type_with_params_opens);
    RUN(wrong_content_type_stops);
    RUN(stops_on_204);
    RUN(stops_on_other_statuses);
    RUN(stale_reports_are_ignored);
    RUN(early_timer_is_ignored);
    RUN(heartbeat_timeout_reconnects);
    RUN(idle_timeout_follows_heartbeat_or_config);
    RUN(online_reconnects_immediately);
    RUN(replace_connects_now_without_counting_a_failure);
    RUN(replacing_a_healthy_connection_resets_the_streak);
    RUN(refreshes_credential_once_then_stops);
    RUN(refresh_stays_spent_across_other_failures);
    RUN(refresh_is_renewed_once_a_connection_opens);
    RUN(failed_credential_refresh_stops);
    RUN(close_stops_for_good);
    RUN(close_while_waiting_cancels_the_timer);
    RUN(close_inside_on_event_drops_rest_of_chunk);
    RUN(init_validates_arguments);
    RUN(default_config_matches_header);
    RUN(null_engine_is_harmless);
    RUN(name_tables_name_every_value);
    return check_report();
}
