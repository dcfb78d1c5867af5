/* The reconnect engine's event path: real text/event-stream bytes through
 * sse_engine_on_bytes, Last-Event-ID across reconnects, replay dedupe. */
#include "engine_fixture.h"

/* ---- events, IDs and dedupe ------------------------------------------- */

static void sends_last_event_id_on_reconnect(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    CHECK_INT(SSE_OK, feed(&f, "id: 41\ndata: a\n\nid: 42\ndata: b\n\n", 1));
    CHECK_STR("a;b;", f.log, f.log_len);
    sse_engine_on_closed(&f.e, 2);
    sse_action a = fire_timer(&f);
    CHECK_ACTION(SSE_ACT_CONNECT, SSE_REASON_TIMER, a);
    CHECK_STR("42", a.last_event_id, a.last_event_id_len);
    size_t len;
    const char *id = sse_engine_last_event_id(&f.e, &len);
    CHECK_STR("42", id, len);
}

static void sends_seeded_last_event_id_on_start(void)
{
    fixture f;
    setup(&f);
    CHECK_INT(SSE_OK, sse_engine_set_last_event_id(&f.e, "seed-7", 6));
    sse_action a = sse_engine_start(&f.e, 0);
    CHECK_STR("seed-7", a.last_event_id, a.last_event_id_len);
    char long_id[33];
    memset(long_id, 'x', sizeof long_id);
    CHECK_INT(SSE_E_ID_TOO_LONG, sse_engine_set_last_event_id(&f.e, long_id, sizeof long_id));
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_engine_set_last_event_id(&f.e, "a\0b", 3));
}

static void unfinished_event_is_discarded_on_reconnect(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "data: half of an ev", 1);
    sse_engine_on_closed(&f.e, 2);
    int64_t t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    respond_ok(&f, t);
    feed(&f, "ent\n\ndata: fresh\n\n", t);
    /* "ent" starts a new line of the new stream (field "ent", ignored). */
    CHECK_STR("fresh;", f.log, f.log_len);
}

static void dedupes_replayed_ids(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 1\ndata: a\n\nid: 2\ndata: b\n\n", 1);
    sse_engine_on_closed(&f.e, 2);
    int64_t t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    respond_ok(&f, t);
    /* The server replays from an older checkpoint, then continues. */
    feed(&f, "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n", t);
    CHECK_STR("a;b;c;", f.log, f.log_len);
    CHECK_INT(2, f.e.duplicates_dropped);
}

static void events_without_their_own_id_are_delivered(void)
{
    /* WHATWG: an event with no id: field keeps the previous last event ID,
     * so it arrives carrying an ID already delivered. It is not a replay. */
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 1\ndata: a\n\ndata: b\n\n", 1);
    sse_engine_on_closed(&f.e, 2);
    int64_t t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    respond_ok(&f, t);
    feed(&f, "data: c\n\n", t); /* resumed after 1, still carries ID 1 */
    CHECK_STR("a;b;c;", f.log, f.log_len);
    CHECK_INT(0, f.e.duplicates_dropped);
}

static void replay_starting_at_the_resumed_id_is_dropped(void)
{
    /* Last-Event-ID: 2, and the server replays from 2 inclusive. */
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 1\ndata: a\n\nid: 2\ndata: b\n\n", 1);
    sse_engine_on_closed(&f.e, 2);
    int64_t t = sse_engine_deadline(&f.e);
    sse_action c2 = fire_timer(&f);
    CHECK_STR("2", c2.last_event_id, c2.last_event_id_len);
    respond_ok(&f, t);
    feed(&f, "id: 2\ndata: b\n\nid: 3\ndata: c\n\n", t);
    CHECK_STR("a;b;c;", f.log, f.log_len);
    CHECK_INT(1, f.e.duplicates_dropped);
}

static void repeated_id_in_one_stream_is_a_duplicate(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 5\ndata: x\n\nid: 5\ndata: x again\n\n", 1);
    CHECK_STR("x;", f.log, f.log_len);
    CHECK_INT(1, f.e.duplicates_dropped);
}

static void idless_event_after_reconnect_mid_replay_is_new(void)
{
    /* The stream dies while replaying ID 1; we resume from 1, and what the
     * server sends after 1 is new even without an id: field. */
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 1\ndata: a\n\nid: 2\ndata: b\n\n", 1);
    sse_engine_on_closed(&f.e, 2);
    int64_t t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    respond_ok(&f, t);
    feed(&f, "id: 1\ndata: a\n\n", t);
    sse_engine_on_closed(&f.e, t + 1);
    t = sse_engine_deadline(&f.e);
    sse_action c1 = fire_timer(&f);
    CHECK_STR("1", c1.last_event_id, c1.last_event_id_len);
    respond_ok(&f, t);
    feed(&f, "data: fresh\n\n", t);
    CHECK_STR("a;b;fresh;", f.log, f.log_len);
    CHECK_INT(1, f.e.duplicates_dropped);
}

static void id_set_by_a_dataless_block_is_judged_when_inherited(void)
{
    /* "id: 9" followed by a blank line dispatches nothing but moves the
     * last event ID; the next id-less event is the first to carry 9. */
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 1\ndata: a\n\nid: 9\n\ndata: x\n\n", 1);
    CHECK_STR("a;b;x;", f.log, f.log_len);
    CHECK_INT(1, f.e.duplicates_dropped);
}

static void replayed_id_drops_its_idless_followers(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n", 1);
    sse_engine_on_closed(&f.e, 2);
    int64_t t = sse_engine_deadline(&f.e);
    fire_timer(&f);
    respond_ok(&f, t);
    feed(&f, "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid: 3\ndata: d\n\ndata: e\n\n", t);
    CHECK_STR("a;b;c;d;e;", f.log, f.log_len);
    CHECK_INT(3, f.e.duplicates_dropped);
}

static void seeded_id_resent_by_the_server_is_dropped(void)
{
    /* A new worker learns "7" from a tab that already showed event 7. */
    fixture f;
    setup(&f);
    CHECK_INT(SSE_OK, sse_engine_set_last_event_id(&f.e, "7", 1));
    start_and_open(&f, 0);
    feed(&f, "data: after 7\n\nid: 7\ndata: old\n\nid: 8\ndata: new\n\n", 1);
    CHECK_STR("after 7;new;", f.log, f.log_len);
    CHECK_INT(1, f.e.duplicates_dropped);
}

static void dedupe_window_forgets_old_ids(void)
{
    fixture f;
    sse_engine_config c = config_with_seed(1);
    c.dedupe_window = 2;
    setup_with(&f, &c);
    start_and_open(&f, 0);
    feed(&f, "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n", 1);
    /* Window of two: 1 was forgotten, 3 is remembered. */
    feed(&f, "id: 1\ndata: A\n\nid: 3\ndata: C\n\n", 2);
    CHECK_STR("a;b;c;A;", f.log, f.log_len);
    CHECK_INT(1, f.e.duplicates_dropped);
}

static void dedupe_window_zero_delivers_everything(void)
{
    fixture f;
    sse_engine_config c = config_with_seed(1);
    c.dedupe_window = 0;
    setup_with(&f, &c);
    start_and_open(&f, 0);
    feed(&f, "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 1\ndata: a\n\n", 1);
    CHECK_STR("a;b;a;", f.log, f.log_len);
    CHECK_INT(0, f.e.duplicates_dropped);
}

static void ids_with_colliding_hashes_stay_distinct(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    feed(&f, "id: 7\ndata: a\n\nid: 77\ndata: b\n\nid: 7\ndata: dup\n\n", 1);
    /* These two share the low 48 bits of their FNV-1a 64 hash (found by a
     * birthday search); only their lengths tell them apart. */
    feed(&f, "id: h4p0ihk3\ndata: c\n\nid: 8\ndata: d\n\nid: 2qtqz011y\ndata: e\n\n", 2);
    CHECK_STR("a;b;c;d;e;", f.log, f.log_len);
    CHECK_INT(1, f.e.duplicates_dropped);
}

static void limit_errors_are_forwarded(void)
{
    fixture f;
    setup(&f);
    start_and_open(&f, 0);
    char big[1200 + 32];
    memcpy(big, "data: ", 6);
    memset(big + 6, 'x', 1200);
    memcpy(big + 1206, "\n\ndata: ok\n\n", 13);
    CHECK_INT(SSE_E_DATA_TOO_LARGE, feed(&f, big, 1));
    CHECK_INT(1, f.errors);
    CHECK_INT(SSE_E_DATA_TOO_LARGE, f.last_error);
    CHECK_STR("ok;", f.log, f.log_len);
    CHECK_STATE(SSE_STATE_OPEN, &f.e);
}

static void bytes_need_an_open_connection(void)
{
    fixture f;
    setup(&f);
    CHECK_INT(SSE_E_INVALID_ARGUMENT, feed(&f, "data: x\n\n", 0));
    sse_engine_start(&f.e, 0);
    CHECK_INT(SSE_E_INVALID_ARGUMENT, feed(&f, "data: x\n\n", 0));
    sse_engine_on_closed(&f.e, 0);
    CHECK_INT(SSE_E_INVALID_ARGUMENT, feed(&f, "data: x\n\n", 0));
    fire_timer(&f);
    respond_ok(&f, 10000);
    CHECK_INT(SSE_E_INVALID_ARGUMENT, sse_engine_on_bytes(&f.e, NULL, 3, 10000));
    CHECK_INT(SSE_OK, sse_engine_on_bytes(&f.e, NULL, 0, 10000));
    CHECK_INT(0, f.events);
}

int main(void)
{
    RUN(sends_last_event_id_on_reconnect);
    RUN(sends_seeded_last_event_id_on_start);
    RUN(unfinished_event_is_discarded_on_reconnect);
    RUN(dedupes_replayed_ids);
    RUN(events_without_their_own_id_are_delivered);
    RUN(replay_starting_at_the_resumed_id_is_dropped);
    RUN(repeated_id_in_one_stream_is_a_duplicate);
    RUN(idless_event_after_reconnect_mid_replay_is_new);
    RUN(id_set_by_a_dataless_block_is_judged_when_inherited);
    RUN(replayed_id_drops_its_idless_followers);
    RUN(seeded_id_resent_by_the_server_is_dropped);
    RUN(dedupe_window_forgets_old_ids);
    RUN(dedupe_window_zero_delivers_everything);
    RUN(ids_with_colliding_hashes_stay_distinct);
    RUN(limit_errors_are_forwarded);
    RUN(bytes_need_an_open_connection);
    return check_report();
}
