#include "store_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sse_frame.h"
#include "store_log.h"
#include "topic_table.h"

#define DEFAULT_COMPACT_MIN_BYTES (1024u * 1024u)

typedef struct topic_ring {
    topic_node node; /* the table links this */
    store_event *slots;
    size_t cap;
    size_t head;
    size_t count;
    event_id dropped_through;
    uint64_t total_bytes;
} topic_ring;

typedef struct store_memory {
    store base;
    store_memory_config config;
    char *data_dir;
    topic_table topics;
    event_id_gen ids;
    /* Memory only: everything before this process is unknown. */
    event_id unknown_through;
    store_log *log;
    store_listener listener;
    void *listener_user;
    size_t events;
    size_t bytes;
    uint64_t log_live_bytes; /* what a compacted log of the retained events would take */
    uint64_t compactions;
} store_memory;

static store_memory *as_memory(store *s)
{
    return (store_memory *)s;
}

static store_event *ring_at(const topic_ring *r, size_t i)
{
    return &r->slots[(r->head + i) % r->cap];
}

static topic_ring *find_ring(store_memory *m, const char *topic, size_t len)
{
    return (topic_ring *)topic_table_find(&m->topics, topic, len);
}

static topic_ring *create_ring(store_memory *m, const char *topic, size_t len)
{
    topic_ring *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    if (!topic_node_init(&r->node, topic, len)) {
        free(r);
        return NULL;
    }
    topic_table_insert(&m->topics, &r->node);
    return r;
}

static void destroy_ring(store_memory *m, topic_ring *r)
{
    for (size_t i = 0; i < r->count; i++)
        free((void *)ring_at(r, i)->frame);
    topic_table_remove(&m->topics, &r->node);
    free(r->slots);
    free(r);
}

static void evict_oldest(store_memory *m, topic_ring *r)
{
    store_event *ev = ring_at(r, 0);

    r->dropped_through = event_id_max(r->dropped_through, ev->id);
    m->events--;
    m->bytes -= ev->frame_len;
    m->log_live_bytes -= store_log_record_size(r->node.len, ev->frame_len);
    free((void *)ev->frame);
    r->head = (r->head + 1) % r->cap;
    r->count--;
}

/* Makes room for one more event: grows up to `history`, then evicts. */
static bool make_room(store_memory *m, topic_ring *r)
{
    size_t cap;
    store_event *slots;

    if (r->count < r->cap)
        return true;
    if (r->cap >= m->config.history) {
        evict_oldest(m, r);
        return true;
    }
    /* Rings start small: most topics never hold `history` events. */
    cap = r->cap ? r->cap * 2 : 4;
    if (cap > m->config.history)
        cap = m->config.history;
    slots = malloc(cap * sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < r->count; i++)
        slots[i] = *ring_at(r, i);
    free(r->slots);
    r->slots = slots;
    r->cap = cap;
    r->head = 0;
    return true;
}

/* Takes ownership of frame. Returns the stored event or NULL. */
static const store_event *ring_push(store_memory *m, topic_ring *r, event_id id,
                                    uint64_t published_ms, char *frame, size_t frame_len)
{
    store_event *ev;

    if (!make_room(m, r))
        return NULL;
    ev = &r->slots[(r->head + r->count) % r->cap];
    r->count++;
    r->total_bytes += frame_len;
    ev->id = id;
    ev->published_ms = (int64_t)published_ms;
    ev->frame = frame;
    ev->frame_len = frame_len;
    ev->end_offset = r->total_bytes;
    m->events++;
    m->bytes += frame_len;
    m->log_live_bytes += store_log_record_size(r->node.len, frame_len);
    return ev;
}

static store_status compact(store_memory *m)
{
    topic_table_iter it = {0, NULL};
    store_log_record rec;
    store_status st;
    topic_node *n;

    st = store_log_rewrite_begin(m->log);
    memset(&rec, 0, sizeof(rec));
    rec.kind = STORE_LOG_LAST_ID;
    rec.id = m->ids.last;
    if (st == STORE_OK)
        st = store_log_rewrite_add(m->log, &rec);
    while (st == STORE_OK && (n = topic_table_next(&m->topics, &it))) {
        topic_ring *r = (topic_ring *)n;

        rec.topic = r->node.name;
        rec.topic_len = r->node.len;
        if (!event_id_is_zero(r->dropped_through)) {
            rec.kind = STORE_LOG_DROPPED;
            rec.id = r->dropped_through;
            rec.frame = NULL;
            rec.frame_len = 0;
            st = store_log_rewrite_add(m->log, &rec);
        }
        for (size_t i = 0; st == STORE_OK && i < r->count; i++) {
            const store_event *ev = ring_at(r, i);
            rec.kind = STORE_LOG_EVENT;
            rec.id = ev->id;
            rec.published_ms = ev->published_ms;
            rec.frame = ev->frame;
            rec.frame_len = ev->frame_len;
            st = store_log_rewrite_add(m->log, &rec);
        }
    }
    if (st == STORE_OK)
        st = store_log_rewrite_commit(m->log);
    else
        store_log_rewrite_abort(m->log);
    if (st == STORE_OK)
        m->compactions++;
    return st;
}

/* Rewrites the log once it is about twice what the retained events need:
 * appends are cheap, and the rewrite cost is paid once per that much. */
static void maybe_compact(store_memory *m)
{
    uint64_t live = m->log_live_bytes;

    if (!m->log || store_log_bytes(m->log) < m->config.compact_min_bytes ||
        store_log_bytes(m->log) < 2 * live)
        return;
    /* On failure the old log is intact and complete; try again later. */
    (void)compact(m);
}

static void mem_set_listener(store *s, store_listener listener, void *user)
{
    as_memory(s)->listener = listener;
    as_memory(s)->listener_user = user;
}

static void mem_append(store *s, const store_append_request *req, store_append_done done,
                       void *user)
{
    store_memory *m = as_memory(s);
    char id_text[EVENT_ID_MAX_TEXT];
    size_t id_len, frame_len, bound;
    const store_event *ev;
    topic_ring *r;
    bool created = false;
    char *frame;
    event_id id;

    if (!topic_name_valid(req->topic, req->topic_len) || !req->type_len) {
        done(user, STORE_BAD_ARGUMENT, event_id_zero());
        return;
    }
    bound = sse_frame_event_size(EVENT_ID_MAX_TEXT - 1, req->type_len, req->data, req->data_len);
    if (bound > m->config.max_frame_bytes) {
        done(user, STORE_BAD_ARGUMENT, event_id_zero());
        return;
    }
    r = find_ring(m, req->topic, req->topic_len);
    if (!r) {
        if (m->topics.count >= m->config.max_topics) {
            done(user, STORE_TOO_MANY_TOPICS, event_id_zero());
            return;
        }
        r = create_ring(m, req->topic, req->topic_len);
        if (!r) {
            done(user, STORE_NO_MEMORY, event_id_zero());
            return;
        }
        created = true;
    }

    frame = malloc(bound);
    if (!frame)
        goto no_memory;
    id = event_id_next(&m->ids, req->now_ms);
    id_len = event_id_format(id, id_text);
    frame_len = sse_frame_event(frame, bound, id_text, id_len, req->type, req->type_len,
                                req->data, req->data_len);

    if (m->log) {
        store_log_record rec = {STORE_LOG_EVENT, id, (int64_t)req->now_ms, r->node.name,
                                r->node.len, frame, frame_len};
        store_status st = store_log_append(m->log, &rec);
        if (st != STORE_OK) {
            free(frame);
            if (created)
                destroy_ring(m, r);
            done(user, st, event_id_zero());
            return;
        }
    }
    ev = ring_push(m, r, id, req->now_ms, frame, frame_len);
    if (!ev) {
        /* Logged but not retained: replay after a restart brings it back. */
        free(frame);
        goto no_memory;
    }
    maybe_compact(m);
    done(user, STORE_OK, id);
    if (m->listener)
        m->listener(m->listener_user, r->node.name, r->node.len, ev);
    return;

no_memory:
    if (created && r->count == 0)
        destroy_ring(m, r);
    done(user, STORE_NO_MEMORY, event_id_zero());
}

/* Index of the first retained event with id > after (count if none). */
static size_t first_after(const topic_ring *r, event_id after)
{
    size_t lo = 0, hi = r->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (event_id_compare(ring_at(r, mid)->id, after) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t mem_read_after(store *s, const char *topic, size_t topic_len, event_id after,
                             const store_event **out, size_t max)
{
    topic_ring *r = find_ring(as_memory(s), topic, topic_len);
    size_t n = 0;

    if (!r)
        return 0;
    for (size_t i = first_after(r, after); i < r->count && n < max; i++)
        out[n++] = ring_at(r, i);
    return n;
}

static bool mem_topic_info(store *s, const char *topic, size_t topic_len, store_topic_info *info)
{
    store_memory *m = as_memory(s);
    topic_ring *r = find_ring(m, topic, topic_len);

    memset(info, 0, sizeof(*info));
    info->dropped_through = m->unknown_through;
    if (!r)
        return false;
    info->count = r->count;
    if (r->count) {
        info->oldest = ring_at(r, 0)->id;
        info->newest = ring_at(r, r->count - 1)->id;
    }
    info->dropped_through = event_id_max(r->dropped_through, m->unknown_through);
    info->total_bytes = r->total_bytes;
    return true;
}

static event_id mem_last_id(store *s)
{
    return as_memory(s)->ids.last;
}

static void mem_expire(store *s, uint64_t now_ms)
{
    store_memory *m = as_memory(s);
    topic_table_iter it = {0, NULL};
    topic_node *n;

    if (!m->config.max_age_ms || now_ms < m->config.max_age_ms)
        return;
    while ((n = topic_table_next(&m->topics, &it))) {
        topic_ring *r = (topic_ring *)n;
        /* Empty rings stay: they remember dropped_through for gap notices. */
        while (r->count &&
               (uint64_t)ring_at(r, 0)->published_ms < now_ms - m->config.max_age_ms)
            evict_oldest(m, r);
    }
}

static void mem_stats(store *s, store_stats *out)
{
    store_memory *m = as_memory(s);

    out->topics = m->topics.count;
    out->events = m->events;
    out->bytes = m->bytes;
    out->log_bytes = m->log ? store_log_bytes(m->log) : 0;
    out->compactions = m->compactions;
}

static void mem_destroy(store *s)
{
    store_memory *m = as_memory(s);
    topic_table_iter it = {0, NULL};
    topic_node *n;

    while ((n = topic_table_next(&m->topics, &it)))
        destroy_ring(m, (topic_ring *)n);
    topic_table_free(&m->topics);
    store_log_close(m->log);
    free(m->data_dir);
    free(m);
}

static const store_ops memory_ops = {
    mem_set_listener, mem_append, mem_read_after, mem_topic_info,
    mem_last_id,      mem_expire, mem_stats,      mem_destroy,
    NULL,             NULL,
};

store_status store_memory_insert(store *s, const store_append_request *req, event_id id)
{
    store_memory *m = as_memory(s);
    char id_text[EVENT_ID_MAX_TEXT];
    size_t id_len, frame_len, bound;
    const store_event *ev;
    topic_ring *r;
    char *frame;

    if (!topic_name_valid(req->topic, req->topic_len) || !req->type_len || event_id_is_zero(id))
        return STORE_BAD_ARGUMENT;
    bound = sse_frame_event_size(EVENT_ID_MAX_TEXT - 1, req->type_len, req->data, req->data_len);
    if (bound > m->config.max_frame_bytes)
        return STORE_BAD_ARGUMENT;
    r = find_ring(m, req->topic, req->topic_len);
    if (r && r->count && event_id_compare(id, ring_at(r, r->count - 1)->id) <= 0)
        return STORE_OK; /* already retained: feeds may overlap */
    if (!r) {
        if (m->topics.count >= m->config.max_topics)
            return STORE_TOO_MANY_TOPICS;
        if (!(r = create_ring(m, req->topic, req->topic_len)))
            return STORE_NO_MEMORY;
    }
    frame = malloc(bound);
    if (!frame)
        return STORE_NO_MEMORY;
    id_len = event_id_format(id, id_text);
    frame_len = sse_frame_event(frame, bound, id_text, id_len, req->type, req->type_len,
                                req->data, req->data_len);
    ev = ring_push(m, r, id, req->now_ms, frame, frame_len);
    if (!ev) {
        free(frame);
        return STORE_NO_MEMORY;
    }
    m->ids.last = event_id_max(m->ids.last, id);
    if (m->listener)
        m->listener(m->listener_user, r->node.name, r->node.len, ev);
    return STORE_OK;
}

store_status store_memory_note_dropped(store *s, const char *topic, size_t topic_len,
                                       event_id through)
{
    store_memory *m = as_memory(s);
    topic_ring *r = find_ring(m, topic, topic_len);

    if (!r) {
        if (m->topics.count >= m->config.max_topics)
            return STORE_TOO_MANY_TOPICS;
        if (!(r = create_ring(m, topic, topic_len)))
            return STORE_NO_MEMORY;
    }
    r->dropped_through = event_id_max(r->dropped_through, through);
    return STORE_OK;
}

void store_memory_note_unknown_through(store *s, event_id through)
{
    store_memory *m = as_memory(s);
    m->unknown_through = event_id_max(m->unknown_through, through);
}

void store_memory_note_last_id(store *s, event_id id)
{
    as_memory(s)->ids.last = event_id_max(as_memory(s)->ids.last, id);
}

/* A frame is replayed only if mem_append could have made it for this ID
 * under today's limits: "id: <id>\nevent: ...\n\n", at most
 * max_frame_bytes, never "0-0" (the ID before every ID: read_after would
 * never return it). Anything else passed the CRC but is not ours (a forged
 * or foreign log, a lowered limit): one larger than the write buffer
 * would stall every stream of its topic, and sse_session.c sends route=type
 * streams whatever sse_frame_route wrote, so a frame it refuses would send
 * stale buffer bytes. Found by tests/fuzz/fuzz_store_log.c. */
static bool replayed_frame_valid(const store_memory *m, const store_log_record *rec)
{
    char prefix[sizeof "id: " + EVENT_ID_MAX_TEXT + sizeof "\nevent: "];
    char id_text[EVENT_ID_MAX_TEXT];
    size_t id_len = event_id_format(rec->id, id_text);
    int n = snprintf(prefix, sizeof prefix, "id: %.*s\nevent: ", (int)id_len, id_text);

    return n > 0 && !event_id_is_zero(rec->id) && rec->frame_len <= m->config.max_frame_bytes &&
           rec->frame_len >= (size_t)n + 2 && memcmp(rec->frame, prefix, (size_t)n) == 0 &&
           memcmp(rec->frame + rec->frame_len - 2, "\n\n", 2) == 0;
}

/* Rebuilds the rings from the log, applying today's retention. */
static bool replay_record(void *user, const store_log_record *rec)
{
    store_memory *m = user;
    topic_ring *r;
    char *frame;

    m->ids.last = event_id_max(m->ids.last, rec->id);
    if (rec->kind == STORE_LOG_LAST_ID)
        return true;
    if (!topic_name_valid(rec->topic, rec->topic_len))
        return true; /* not ours to judge now; skip it */
    r = find_ring(m, rec->topic, rec->topic_len);
    if (!r && !(r = create_ring(m, rec->topic, rec->topic_len)))
        return false;
    if (rec->kind == STORE_LOG_DROPPED) {
        r->dropped_through = event_id_max(r->dropped_through, rec->id);
        return true;
    }
    if (r->count && event_id_compare(rec->id, ring_at(r, r->count - 1)->id) <= 0)
        return true; /* IDs only grow within a topic; ignore a repeat */
    if (!replayed_frame_valid(m, rec))
        return true;
    frame = malloc(rec->frame_len ? rec->frame_len : 1);
    if (!frame)
        return false;
    memcpy(frame, rec->frame, rec->frame_len);
    if (!ring_push(m, r, rec->id, (uint64_t)rec->published_ms, frame, rec->frame_len)) {
        free(frame);
        return false;
    }
    return true;
}

store_status store_memory_open(const store_memory_config *config, uint64_t now_ms, store **out,
                               store_memory_open_info *info, char *err, size_t err_cap)
{
    store_memory *m;
    store_log_replay replay = {0, 0};

    *out = NULL;
    if (!config->history || !config->max_topics || !config->max_frame_bytes)
        return STORE_BAD_ARGUMENT;
    m = calloc(1, sizeof(*m));
    if (!m)
        return STORE_NO_MEMORY;
    m->base.ops = &memory_ops;
    m->config = *config;
    if (!m->config.compact_min_bytes)
        m->config.compact_min_bytes = DEFAULT_COMPACT_MIN_BYTES;
    if (!topic_table_init(&m->topics)) {
        free(m);
        return STORE_NO_MEMORY;
    }
    event_id_gen_init(&m->ids, event_id_zero());

    if (config->data_dir) {
        store_status st;
        m->data_dir = strdup(config->data_dir);
        m->config.data_dir = m->data_dir;
        if (!m->data_dir) {
            mem_destroy(&m->base);
            return STORE_NO_MEMORY;
        }
        st = store_log_open(m->data_dir, config->fsync, replay_record, m, &m->log, &replay, err,
                            err_cap);
        if (st != STORE_OK) {
            mem_destroy(&m->base);
            return st;
        }
    } else if (now_ms > 0) {
        /* Anything before this millisecond happened in another life. */
        m->unknown_through.ms = now_ms - 1;
        m->unknown_through.seq = UINT64_MAX;
        m->ids.last = m->unknown_through;
    }
    mem_expire(&m->base, now_ms);
    if (info) {
        info->replayed_records = replay.records;
        info->truncated_bytes = replay.truncated_bytes;
        info->retained_events = m->events;
    }
    *out = &m->base;
    return STORE_OK;
}
