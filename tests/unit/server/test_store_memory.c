/* store_memory without a data dir: retention, ordering, offsets, limits. */
#include "store_fixture.h"

#define T0 1700000000000ULL

static void gives_increasing_ids_across_topics(void)
{
    store_memory_config c = fixture_config(10, 0, NULL);
    store *s = fixture_open(&c, T0);
    event_id a = fixture_ok(s, "a", "1", T0), b = fixture_ok(s, "b", "2", T0),
             c2 = fixture_ok(s, "a", "3", T0 + 5);
    CHECK(a.ms == T0 && a.seq == 0);
    CHECK(b.ms == T0 && b.seq == 1);
    CHECK(c2.ms == T0 + 5 && c2.seq == 0);
    CHECK_INT(0, event_id_compare(store_last_id(s), c2));
    store_destroy(s);
}

static void keeps_the_serialized_frame(void)
{
    store_memory_config c = fixture_config(10, 0, NULL);
    store *s = fixture_open(&c, T0);
    const store_event *ev;
    append_result r = fixture_publish(s, "a", "goal", "x\ny", T0);
    CHECK_INT(STORE_OK, r.status);
    CHECK_INT(1, store_read_after(s, "a", 1, event_id_zero(), &ev, 1));
    CHECK_STR("id: 1700000000000-0\nevent: goal\ndata: x\ndata: y\n\n", ev->frame, ev->frame_len);
    CHECK_INT(ev->frame_len, ev->end_offset);
    store_destroy(s);
}

static void reads_events_after_an_id_oldest_first(void)
{
    store_memory_config c = fixture_config(10, 0, NULL);
    store *s = fixture_open(&c, T0);
    const store_event *out[10];
    event_id ids[5];
    char data[8];
    for (int i = 0; i < 5; i++) {
        snprintf(data, sizeof(data), "%d", i);
        ids[i] = fixture_ok(s, "a", data, T0 + (uint64_t)i);
        fixture_ok(s, "other", data, T0 + (uint64_t)i);
    }
    CHECK_INT(5, store_read_after(s, "a", 1, event_id_zero(), out, 10));
    CHECK_INT(2, store_read_after(s, "a", 1, ids[2], out, 10));
    CHECK_INT(0, event_id_compare(ids[3], out[0]->id));
    CHECK_STR("4", fixture_data(out[1]), 1);
    /* An ID between two of this topic's events (one of "other"). */
    event_id between = {ids[1].ms, ids[1].seq + 1};
    CHECK_INT(3, store_read_after(s, "a", 1, between, out, 10));
    CHECK_INT(0, event_id_compare(ids[2], out[0]->id));
    CHECK_INT(2, store_read_after(s, "a", 1, event_id_zero(), out, 2));
    CHECK_INT(0, store_read_after(s, "a", 1, ids[4], out, 10));
    CHECK_INT(0, store_read_after(s, "missing", 7, event_id_zero(), out, 10));
    store_destroy(s);
}

static void trims_to_history_and_remembers_what_it_dropped(void)
{
    store_memory_config c = fixture_config(3, 0, NULL);
    store *s = fixture_open(&c, T0);
    store_topic_info info;
    const store_event *out[10];
    event_id ids[7];
    for (int i = 0; i < 7; i++)
        ids[i] = fixture_ok(s, "a", "x", T0 + 10 + (uint64_t)i);
    CHECK(store_topic_info_get(s, "a", 1, &info));
    CHECK_INT(3, info.count);
    CHECK_INT(0, event_id_compare(ids[4], info.oldest));
    CHECK_INT(0, event_id_compare(ids[6], info.newest));
    CHECK_INT(0, event_id_compare(ids[3], info.dropped_through));
    CHECK_INT(3, store_read_after(s, "a", 1, event_id_zero(), out, 10));
    store_destroy(s);
}

static void memory_only_history_starts_at_open(void)
{
    store_memory_config c = fixture_config(3, 0, NULL);
    store *s = fixture_open(&c, T0);
    store_topic_info info;
    /* Even a topic never seen: whatever came before this process is gone. */
    CHECK(!store_topic_info_get(s, "never", 5, &info));
    CHECK(info.dropped_through.ms == T0 - 1 && info.dropped_through.seq == UINT64_MAX);
    CHECK(event_id_compare(store_last_id(s), info.dropped_through) == 0);
    store_destroy(s);
}

static void expires_events_older_than_max_age(void)
{
    store_memory_config c = fixture_config(100, 1000, NULL);
    store *s = fixture_open(&c, T0);
    store_topic_info info;
    store_stats stats;
    fixture_ok(s, "a", "old", T0);
    fixture_ok(s, "a", "old2", T0 + 100);
    event_id keep = fixture_ok(s, "a", "new", T0 + 900);
    store_expire(s, T0 + 1050);
    CHECK(store_topic_info_get(s, "a", 1, &info));
    CHECK_INT(2, info.count);
    store_expire(s, T0 + 1101);
    CHECK(store_topic_info_get(s, "a", 1, &info));
    CHECK_INT(1, info.count);
    CHECK_INT(0, event_id_compare(keep, info.oldest));
    store_expire(s, T0 + 5000);
    CHECK(store_topic_info_get(s, "a", 1, &info));
    CHECK_INT(0, info.count);
    CHECK_INT(0, event_id_compare(keep, info.dropped_through));
    store_get_stats(s, &stats);
    CHECK_INT(1, stats.topics); /* kept for its dropped_through */
    CHECK_INT(0, stats.events);
    CHECK_INT(0, stats.bytes);
    store_destroy(s);
}

static void measures_bytes_between_events_with_end_offsets(void)
{
    store_memory_config c = fixture_config(2, 0, NULL);
    store *s = fixture_open(&c, T0);
    const store_event *out[4];
    store_topic_info info;
    uint64_t total = 0;
    for (int i = 0; i < 5; i++)
        fixture_ok(s, "a", "abc", T0 + (uint64_t)i);
    CHECK_INT(2, store_read_after(s, "a", 1, event_id_zero(), out, 4));
    /* Offsets keep counting through evictions. */
    total = out[1]->end_offset;
    CHECK_INT(5 * out[1]->frame_len, total);
    CHECK_INT(out[1]->frame_len, out[1]->end_offset - out[0]->end_offset);
    CHECK(store_topic_info_get(s, "a", 1, &info));
    CHECK_INT(total, info.total_bytes);
    store_destroy(s);
}

typedef struct heard {
    int calls;
    char topic[70];
    event_id id;
    size_t retained_at_call;
    store *s;
} heard;

static void listener(void *user, const char *topic, size_t len, const store_event *ev)
{
    heard *h = user;
    const store_event *out[4];
    h->calls++;
    memcpy(h->topic, topic, len);
    h->topic[len] = '\0';
    h->id = ev->id;
    h->retained_at_call = store_read_after(h->s, topic, len, event_id_zero(), out, 4);
}

static void tells_the_listener_after_retaining(void)
{
    store_memory_config c = fixture_config(10, 0, NULL);
    store *s = fixture_open(&c, T0);
    heard h = {0, "", {0, 0}, 0, s};
    store_set_listener(s, listener, &h);
    event_id id = fixture_ok(s, "news", "x", T0);
    CHECK_INT(1, h.calls);
    CHECK_STR("news", h.topic, strlen(h.topic));
    CHECK_INT(0, event_id_compare(id, h.id));
    CHECK_INT(1, h.retained_at_call);
    store_destroy(s);
}

static void refuses_topics_past_the_limit(void)
{
    store_memory_config c = fixture_config(10, 0, NULL);
    c.max_topics = 2;
    store *s = fixture_open(&c, T0);
    fixture_ok(s, "a", "x", T0);
    fixture_ok(s, "b", "x", T0);
    CHECK_INT(STORE_TOO_MANY_TOPICS, fixture_publish(s, "c", "message", "x", T0).status);
    CHECK_INT(STORE_OK, fixture_publish(s, "a", "message", "x", T0).status);
    store_destroy(s);
}

static void refuses_invalid_and_oversized_events(void)
{
    store_memory_config c = fixture_config(10, 0, NULL);
    c.max_frame_bytes = 100;
    store *s = fixture_open(&c, T0);
    char big[120];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_INT(STORE_BAD_ARGUMENT, fixture_publish(s, "a b", "message", "x", T0).status);
    CHECK_INT(STORE_BAD_ARGUMENT, fixture_publish(s, "a", "", "x", T0).status);
    CHECK_INT(STORE_BAD_ARGUMENT, fixture_publish(s, "a", "message", big, T0).status);
    CHECK_INT(STORE_OK, fixture_publish(s, "a", "message", "small", T0).status);
    store_destroy(s);
}

int main(void)
{
    RUN(gives_increasing_ids_across_topics);
    RUN(keeps_the_serialized_frame);
    RUN(reads_events_after_an_id_oldest_first);
    RUN(trims_to_history_and_remembers_what_it_dropped);
    RUN(memory_only_history_starts_at_open);
    RUN(expires_events_older_than_max_age);
    RUN(measures_bytes_between_events_with_end_offsets);
    RUN(tells_the_listener_after_retaining);
    RUN(refuses_topics_past_the_limit);
    RUN(refuses_invalid_and_oversized_events);
    return check_report();
}
