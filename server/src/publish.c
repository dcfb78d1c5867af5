#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_reply.h"
#include "request_auth.h"

/* Bodies without a Content-Length start this big and grow as needed. */
#define INITIAL_BODY_CAP 1024

int publish_begin(server *srv, publish_request *p, struct lws *wsi, bool *replied)
{
    char value[128];
    long long declared = -1;
    auth_result r;
    int n;

    memset(p, 0, sizeof(*p));
    *replied = true;

    p->grants = malloc(sizeof(*p->grants));
    if (!p->grants)
        return http_reply_error(srv, wsi, 500, "out of memory", NULL);
    r = request_auth_check(&srv->auth, wsi, (int64_t)(server_now_ms() / 1000), p->grants, NULL);
    if (r != AUTH_OK)
        return http_reply_auth(srv, wsi, r);

    n = lws_hdr_copy(wsi, value, sizeof(value), WSI_TOKEN_HTTP_CONTENT_TYPE);
    p->kind = publish_body_kind_of(n > 0 ? value : NULL, n > 0 ? (size_t)n : 0);
    if (p->kind == PUBLISH_BODY_UNSUPPORTED)
        return http_reply_error(
            srv, wsi, 415,
            "send application/x-www-form-urlencoded or application/json", NULL);

    if (lws_hdr_copy(wsi, value, sizeof(value), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
        declared = atoll(value);
    /* lws 4.1 does not decode chunked request bodies; HTTP/2 frames its
     * own and may omit the length. */
    if (declared < 0 && lws_get_network_wsi(wsi) == wsi)
        return http_reply_error(srv, wsi, 411, "send a Content-Length", NULL);
    /* Refuse before reading: lws discards the rest of the body. */
    if (declared > (long long)srv->config.max_body_bytes)
        return http_reply_error(srv, wsi, 413, "body larger than --max-body-bytes", NULL);

    p->cap = declared > 0 ? (size_t)declared : INITIAL_BODY_CAP;
    p->body = malloc(p->cap);
    if (!p->body)
        return http_reply_error(srv, wsi, 500, "out of memory", NULL);
    *replied = false;
    return 0;
}

void publish_body_chunk(server *srv, publish_request *p, const void *in, size_t len)
{
    /* lws may report an empty chunk with no buffer at all (in == NULL). */
    if (p->too_large || !p->body || !len)
        return;
    if (p->len + len > srv->config.max_body_bytes) {
        /* Chunked bodies have no declared length: count, then refuse. */
        p->too_large = true;
        return;
    }
    if (p->len + len > p->cap) {
        size_t cap = p->cap * 2 > p->len + len ? p->cap * 2 : p->len + len;
        char *body = realloc(p->body, cap);
        if (!body) {
            p->too_large = true;
            return;
        }
        p->body = body;
        p->cap = cap;
    }
    memcpy(p->body + p->len, in, len);
    p->len += len;
}

struct publish_wait {
    struct lws *wsi;   /* NULL once the client is gone */
    bool in_call;      /* store_append has not returned yet */
    bool done;
    store_status status;
    event_id id;
};

static void append_done(void *user, store_status status, event_id id)
{
    publish_wait *w = user;

    w->done = true;
    w->status = status;
    w->id = id;
    if (w->in_call)
        return; /* publish_complete answers right away */
    if (w->wsi)
        lws_callback_on_writable(w->wsi);
    else
        free(w);
}

static int reply_store_error(server *srv, struct lws *wsi, store_status st)
{
    http_reply_extra retry = {1, NULL, false, false};

    srv->metrics.publish_failures++;
    switch (st) {
    case STORE_BAD_ARGUMENT:
        return http_reply_error(srv, wsi, 413, "event too large", NULL);
    case STORE_IO_ERROR:
    case STORE_TOO_MANY_TOPICS:
    case STORE_UNAVAILABLE:
        return http_reply_error(srv, wsi, 503, store_strerror(st), &retry);
    default:
        return http_reply_error(srv, wsi, 500, store_strerror(st), NULL);
    }
}

/* The answer once the store has spoken; frees w. */
static int answer(server *srv, publish_wait *w, struct lws *wsi)
{
    char id_text[EVENT_ID_MAX_TEXT], reply[64 + EVENT_ID_MAX_TEXT];
    store_status status = w->status;
    event_id id = w->id;
    int n;

    free(w);
    if (status != STORE_OK)
        return reply_store_error(srv, wsi, status);
    srv->metrics.events_published++;
    event_id_format(id, id_text);
    n = snprintf(reply, sizeof(reply), "{\"id\":\"%s\"}\n", id_text);
    return http_reply(srv, wsi, 200, "application/json", reply, (size_t)n, NULL);
}

int publish_complete(server *srv, publish_request *p, struct lws *wsi, publish_wait **wait)
{
    store_append_request req;
    publish_fields fields;
    publish_body_status st;
    publish_wait *w;
    char *scratch;

    *wait = NULL;
    if (p->too_large)
        return http_reply_error(srv, wsi, 413, "body larger than --max-body-bytes", NULL);
    if (srv->draining)
        return http_reply_error(srv, wsi, 503, "shutting down", NULL);
    scratch = malloc(p->len ? p->len : 1);
    w = calloc(1, sizeof(*w));
    if (!scratch || !w) {
        free(scratch);
        free(w);
        return http_reply_error(srv, wsi, 500, "out of memory", NULL);
    }
    st = publish_body_parse(p->kind, p->body ? p->body : "", p->len, scratch, &fields);
    if (st != PUBLISH_BODY_OK) {
        free(scratch);
        free(w);
        return http_reply_error(srv, wsi, 400, publish_body_strerror(st), NULL);
    }
    if (!auth_may_publish(p->grants, fields.topic, fields.topic_len)) {
        free(scratch);
        free(w);
        return http_reply_auth(srv, wsi, AUTH_FORBIDDEN);
    }

    req.topic = fields.topic;
    req.topic_len = fields.topic_len;
    req.type = fields.type;
    req.type_len = fields.type_len;
    req.data = fields.data;
    req.data_len = fields.data_len;
    req.now_ms = server_now_ms();
    w->wsi = wsi;
    w->in_call = true;
    store_append(srv->store, &req, append_done, w);
    w->in_call = false;
    free(scratch);
    /* store_memory answers before returning; Redis answers later, and the
     * reply goes out from LWS_CALLBACK_HTTP_WRITEABLE. */
    if (!w->done) {
        *wait = w;
        return 0;
    }
    return answer(srv, w, wsi);
}

bool publish_wait_done(const publish_wait *w)
{
    return w->done;
}

int publish_answer_wait(server *srv, publish_wait *w, struct lws *wsi)
{
    return answer(srv, w, wsi);
}

void publish_wait_abandon(publish_wait *w)
{
    if (w->done)
        free(w);
    else
        w->wsi = NULL;
}

void publish_free(publish_request *p)
{
    free(p->body);
    free(p->grants);
    p->body = NULL;
    p->grants = NULL;
}
