/*
 * POST /publish: read the body (at most --max-body-bytes), parse it
 * (publish_body.h), check the token may publish to the topic, append to
 * the store, answer 200 {"id":"<id>"}. The store has persisted the event
 * before the answer goes out, so an acknowledged event survives a crash.
 */
#ifndef SSEMUX_SERVER_PUBLISH_H
#define SSEMUX_SERVER_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "publish_body.h"
#include "server.h"

typedef struct publish_request {
    char *body;
    size_t len;
    size_t cap;
    bool too_large;
    publish_body_kind kind;
    auth_grants *grants; /* ~8 KiB: on the heap for the request's lifetime */
} publish_request;

/* LWS_CALLBACK_HTTP. Returns the callback's return value; *replied tells
 * whether a response already went out (an error) or the body is awaited. */
int publish_begin(server *srv, publish_request *p, struct lws *wsi, bool *replied);

/* LWS_CALLBACK_HTTP_BODY. */
void publish_body_chunk(server *srv, publish_request *p, const void *in, size_t len);

/* A publish the store has not answered yet (Redis: until the script
 * returns). The connection holds it; the store's callback marks it done
 * and asks for LWS_CALLBACK_HTTP_WRITEABLE, where publish_answer_wait()
 * replies. If the client leaves first, publish_wait_abandon() lets the
 * callback free it instead. */
typedef struct publish_wait publish_wait;

/* LWS_CALLBACK_HTTP_BODY_COMPLETION: answers, or sets *wait when the store
 * answers later (then nothing was sent yet). */
int publish_complete(server *srv, publish_request *p, struct lws *wsi, publish_wait **wait);

bool publish_wait_done(const publish_wait *w);

/* LWS_CALLBACK_HTTP_WRITEABLE once done: replies and frees w. */
int publish_answer_wait(server *srv, publish_wait *w, struct lws *wsi);

/* The connection closed: w is freed now (done) or by the store's callback. */
void publish_wait_abandon(publish_wait *w);

void publish_free(publish_request *p);

#endif
