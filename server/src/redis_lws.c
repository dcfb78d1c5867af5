#include "redis_lws.h"

#include <stdlib.h>
#include <unistd.h>

/* One per attached connection; the raw wsi's opaque user data. Freed when
 * both sides let go: hiredis (cleanup hook) and lws (RAW_CLOSE_FILE). */
typedef struct redis_lws_link {
    redisAsyncContext *ac; /* NULL once hiredis freed it */
    struct lws *wsi;       /* NULL once lws closed it */
} redis_lws_link;

/* lws ends the wsi from its own service loop, never inside this stack:
 * hiredis may be mid-callback on it. */
static void close_wsi_later(struct lws *wsi)
{
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void add_write(void *privdata)
{
    redis_lws_link *link = privdata;

    if (link->wsi)
        lws_callback_on_writable(link->wsi);
}

/* Reading is always on (lws polls a raw file for input); writes are asked
 * for one callback at a time, so there is nothing to remove. */
static void no_op(void *privdata)
{
    (void)privdata;
}

static void cleanup(void *privdata)
{
    redis_lws_link *link = privdata;

    link->ac = NULL;
    if (link->wsi)
        close_wsi_later(link->wsi);
    else
        free(link);
}

bool redis_lws_attach(redisAsyncContext *ac, struct lws_vhost *vhost)
{
    redis_lws_link *link;
    lws_sock_file_fd_type fd;
    int copy;

    if (ac->ev.data)
        return false;
    link = calloc(1, sizeof(*link));
    if (!link)
        return false;
    copy = dup(ac->c.fd);
    if (copy < 0) {
        free(link);
        return false;
    }
    fd.filefd = copy;
    link->wsi = lws_adopt_descriptor_vhost(vhost, LWS_ADOPT_RAW_FILE_DESC, fd,
                                           REDIS_LWS_PROTOCOL, NULL);
    if (!link->wsi) {
        /* lws closed the copy already on failure. */
        free(link);
        return false;
    }
    link->ac = ac;
    lws_set_opaque_user_data(link->wsi, link);
    ac->ev.data = link;
    ac->ev.addRead = no_op;
    ac->ev.delRead = no_op;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = no_op;
    ac->ev.cleanup = cleanup;
    lws_callback_on_writable(link->wsi);
    return true;
}

int redis_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    redis_lws_link *link = lws_get_opaque_user_data(wsi);

    (void)user;
    (void)in;
    (void)len;
    switch (reason) {
    case LWS_CALLBACK_RAW_RX_FILE:
        if (!link || !link->ac)
            return -1; /* hiredis let go: close our copy now */
        redisAsyncHandleRead(link->ac);
        break;
    case LWS_CALLBACK_RAW_WRITEABLE_FILE:
        if (!link || !link->ac)
            return -1;
        redisAsyncHandleWrite(link->ac);
        break;
    case LWS_CALLBACK_RAW_CLOSE_FILE:
        if (!link)
            break;
        lws_set_opaque_user_data(wsi, NULL);
        link->wsi = NULL;
        if (link->ac)
            /* lws gave up on the socket first (context teardown): hiredis
             * fails what is pending, tells its owner, and calls cleanup,
             * which frees the link. */
            redisAsyncFree(link->ac);
        else
            free(link);
        break;
    default:
        break;
    }
    return 0;
}
