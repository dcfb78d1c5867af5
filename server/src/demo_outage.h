/*
 * --demo only: POST /demo/outage?seconds=N makes the server look down to
 * its subscribers for N seconds, so the live demo can show every tab
 * reconnecting and catching up. Every open event stream is dropped at once
 * (no retry hint, as when a server dies) and GET /events answers 503 with
 * Retry-After = the seconds left until the outage is over. Publishing keeps
 * working, so the events of the outage are in the store when the tabs come
 * back with their Last-Event-ID. Without --demo the path is a 404.
 */
#ifndef SSEMUX_SERVER_DEMO_OUTAGE_H
#define SSEMUX_SERVER_DEMO_OUTAGE_H

#include "server.h"

#define DEMO_OUTAGE_PATH "/demo/outage"
#define DEMO_OUTAGE_DEFAULT_S 10u
#define DEMO_OUTAGE_MAX_S 300u

/* Seconds (rounded up) until new streams are accepted again; 0 when no
 * outage is on, always 0 without --demo. */
unsigned demo_outage_seconds_left(const server *srv, uint64_t now_ms);

/* Answers a request for DEMO_OUTAGE_PATH (any method). Returns what the lws
 * callback returns. */
int demo_outage_route(server *srv, struct lws *wsi, int method);

#endif
