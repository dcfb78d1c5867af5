/* Helpers for the store tests: open a store, publish synchronously. */
#ifndef SSEMUX_TEST_STORE_FIXTURE_H
#define SSEMUX_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "store_memory.h"

typedef struct append_result {
    int calls;
    store_status status;
    event_id id;
} append_result;

static void fixture_append_done(void *user, store_status status, event_id id)
{
    append_result *r = user;
    r->calls++;
    r->status = status;
    r->id = id;
}

static store_memory_config fixture_config(size_t history, uint64_t max_age_ms, const char *dir)
{
    store_memory_config c;
    memset(&c, 0, sizeof(c));
    c.history = history;
    c.max_age_ms = max_age_ms;
    c.max_topics = 100;
    c.max_frame_bytes = 1 << 20;
    c.data_dir = dir;
    return c;
}

static store *fixture_open(const store_memory_config *c, uint64_t now)
{
    store *s = NULL;
    char err[256] = "";
    store_status st = store_memory_open(c, now, &s, NULL, err, sizeof(err));
    if (st != STORE_OK)
        fprintf(stderr, "store_memory_open: %s: %s\n", store_strerror(st), err);
    return s;
}

/* Appends and returns the result; the status is checked by the caller. */
static append_result fixture_publish(store *s, const char *topic, const char *type,
                                     const char *data, uint64_t now)
{
    append_result r = {0, STORE_OK, {0, 0}};
    store_append_request req = {topic, strlen(topic), type, strlen(type), data, strlen(data), now};
    store_append(s, &req, fixture_append_done, &r);
    if (r.calls != 1) {
        fprintf(stderr, "append: expected exactly one completion, got %d\n", r.calls);
        check_failed_count++;
    }
    return r;
}

static event_id fixture_ok(store *s, const char *topic, const char *data, uint64_t now)
{
    append_result r = fixture_publish(s, topic, "message", data, now);
    CHECK_INT(STORE_OK, r.status);
    return r.id;
}

/* The data of a stored frame's single data: line, for readable checks. */
static const char *fixture_data(const store_event *ev)
{
    static char buf[256];
    const char *p = strstr(ev->frame, "data: ");
    size_t n = 0;
    if (p) {
        p += 6;
        while (n + 1 < sizeof(buf) && p[n] != '\n')
            buf[n] = p[n], n++;
    }
    buf[n] = '\0';
    return buf;
}

#endif
