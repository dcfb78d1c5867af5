#include "metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

static const unsigned status_codes[METRICS_STATUS_CODES] = {200, 204, 400, 401, 403, 404,
                                                            405, 411, 413, 415, 500, 503};

void metrics_count_response(server_metrics *m, unsigned status)
{
    for (size_t i = 0; i < METRICS_STATUS_CODES; i++) {
        if (status_codes[i] == status) {
            m->responses[i]++;
            return;
        }
    }
    m->responses[METRICS_STATUS_CODES]++;
}

typedef struct writer {
    char *out;
    size_t cap;
    size_t len;
    int overflow;
} writer;

static void emit(writer *w, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (w->overflow)
        return;
    va_start(ap, fmt);
    n = vsnprintf(w->out + w->len, w->cap - w->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= w->cap - w->len)
        w->overflow = 1;
    else
        w->len += (size_t)n;
}

static void metric(writer *w, const char *name, const char *type, const char *help,
                   uint64_t value)
{
    emit(w, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, value);
}

size_t metrics_render(const server_metrics *m, const metrics_gauges *g, char *out, size_t cap)
{
    writer w = {out, cap, 0, 0};

    if (!cap)
        return 0;
    metric(&w, "ssemux_connections", "gauge", "Event streams open now.", g->connections);
    metric(&w, "ssemux_draining", "gauge", "1 while shutting down after SIGTERM.",
           (uint64_t)g->draining);
    metric(&w, "ssemux_streams_opened_total", "counter", "Event streams accepted.",
           m->streams_opened);
    metric(&w, "ssemux_events_published_total", "counter", "Events accepted by POST /publish.",
           m->events_published);
    metric(&w, "ssemux_publish_failures_total", "counter",
           "Publishes the store refused or could not persist.", m->publish_failures);
    metric(&w, "ssemux_events_delivered_total", "counter",
           "Event frames written to streams (one per event per stream).", m->events_delivered);
    metric(&w, "ssemux_bytes_delivered_total", "counter",
           "Bytes written to event streams, hints and heartbeats included.", m->bytes_delivered);
    metric(&w, "ssemux_replayed_events_total", "counter",
           "Delivered events published before their stream opened (Last-Event-ID replay).",
           m->replayed_events);
    metric(&w, "ssemux_gap_events_total", "counter",
           "ssemux-gap notices: a stream resumed from an ID older than the retained history.",
           m->gap_events);
    metric(&w, "ssemux_heartbeats_total", "counter", "Heartbeat comments written.",
           m->heartbeats);
    metric(&w, "ssemux_slow_consumer_disconnects_total", "counter",
           "Streams closed because their unsent backlog passed --max-backlog-bytes.",
           m->slow_consumer_disconnects);
    metric(&w, "ssemux_expired_token_disconnects_total", "counter",
           "Streams closed because their token expired.", m->expired_token_disconnects);
    metric(&w, "ssemux_topics", "gauge", "Topics in the store.", g->store.topics);
    metric(&w, "ssemux_retained_events", "gauge", "Events retained for replay, all topics.",
           g->store.events);
    metric(&w, "ssemux_retained_bytes", "gauge", "Bytes of retained event frames.",
           g->store.bytes);
    metric(&w, "ssemux_log_bytes", "gauge", "Size of the event log in --data-dir.",
           g->store.log_bytes);
    metric(&w, "ssemux_log_compactions_total", "counter", "Event log rewrites.",
           g->store.compactions);

    emit(&w, "# HELP ssemux_http_responses_total HTTP responses by status code.\n"
             "# TYPE ssemux_http_responses_total counter\n");
    for (size_t i = 0; i < METRICS_STATUS_CODES; i++)
        emit(&w, "ssemux_http_responses_total{code=\"%u\"} %" PRIu64 "\n", status_codes[i],
             m->responses[i]);
    emit(&w, "ssemux_http_responses_total{code=\"other\"} %" PRIu64 "\n",
         m->responses[METRICS_STATUS_CODES]);
    return w.overflow ? 0 : w.len;
}
