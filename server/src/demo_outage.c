#include "demo_outage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_reply.h"
#include "sse_session.h"

unsigned demo_outage_seconds_left(const server *srv, uint64_t now_ms)
{
    uint64_t left;

    if (!srv->config.demo || now_ms >= srv->demo_outage_until_ms)
        return 0;
    left = srv->demo_outage_until_ms - now_ms;
    return (unsigned)((left + 999) / 1000);
}

/* ?seconds=N, 1..DEMO_OUTAGE_MAX_S; absent means the default. */
static bool read_seconds(struct lws *wsi, unsigned *out)
{
    char buf[16];
    char *end;
    unsigned long v;
    const char *text = lws_get_urlarg_by_name(wsi, "seconds=", buf, (int)sizeof(buf));

    if (!text) {
        *out = DEMO_OUTAGE_DEFAULT_S;
        return true;
    }
    if (text[0] < '0' || text[0] > '9')
        return false;
    v = strtoul(text, &end, 10);
    if (*end || v < 1 || v > DEMO_OUTAGE_MAX_S)
        return false;
    *out = (unsigned)v;
    return true;
}

/* Like a crash: the connections just end, nothing more is written. */
static unsigned drop_every_stream(server *srv)
{
    unsigned dropped = 0;

    lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&srv->sessions)) {
        sse_session *s = lws_container_of(d, sse_session, link);
        if (s->end != SSE_END_GONE) {
            sse_session_hang_up(srv, s);
            dropped++;
        }
    }
    lws_end_foreach_dll(d);
    return dropped;
}

int demo_outage_route(server *srv, struct lws *wsi, int method)
{
    http_reply_extra allow = {0, "POST, OPTIONS", false, false};
    uint64_t now = server_now_ms();
    unsigned seconds, dropped;
    char body[128];
    int n;

    if (!srv->config.demo)
        return http_reply_error(srv, wsi, 404, "not found", NULL);
    if (method != LWSHUMETH_POST)
        return http_reply_error(srv, wsi, 405, "method not allowed", &allow);
    if (!read_seconds(wsi, &seconds)) {
        snprintf(body, sizeof(body), "seconds must be a whole number from 1 to %u",
                 DEMO_OUTAGE_MAX_S);
        return http_reply_error(srv, wsi, 400, body, NULL);
    }
    srv->demo_outage_until_ms = now + (uint64_t)seconds * 1000u;
    dropped = drop_every_stream(srv);
    fprintf(stderr, "ssemux-server: demo outage: %u stream(s) dropped, new ones refused for %u s\n",
            dropped, seconds);
    n = snprintf(body, sizeof(body), "{\"seconds\":%u,\"dropped\":%u}\n", seconds, dropped);
    return http_reply(srv, wsi, 200, "application/json", body, (size_t)n, NULL);
}
