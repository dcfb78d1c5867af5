#include "heartbeat.h"

#include "sse_session.h"

static lws_usec_t period_us(const server *srv)
{
    return (lws_usec_t)(srv->config.heartbeat_ms / 2) * 1000;
}

static void heartbeat_fire(lws_sorted_usec_list_t *sul)
{
    server *srv = lws_container_of(sul, server, heartbeat_timer);
    uint64_t now = server_now_ms();

    store_expire(srv->store, now);
    /* Ending a stream only schedules its close, so the list holds still. */
    lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&srv->sessions)) {
        sse_session_tick(srv, lws_container_of(d, sse_session, link), now);
    }
    lws_end_foreach_dll(d);
    lws_sul_schedule(srv->context, 0, &srv->heartbeat_timer, heartbeat_fire, period_us(srv));
}

void heartbeat_start(server *srv)
{
    lws_sul_schedule(srv->context, 0, &srv->heartbeat_timer, heartbeat_fire, period_us(srv));
}

void heartbeat_stop(server *srv)
{
    lws_sul_cancel(&srv->heartbeat_timer);
}
