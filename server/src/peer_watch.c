#include "peer_watch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "server.h"
#include "sse_session.h"

/* Hang-ups handled per wake-up; more wait for the next one (level-triggered). */
#define EVENTS_PER_WAKE 64

bool peer_watch_start(server *srv)
{
    lws_sock_file_fd_type fd;

    srv->peer_watch_fd = epoll_create1(EPOLL_CLOEXEC);
    if (srv->peer_watch_fd < 0) {
        fprintf(stderr, "ssemux-server: epoll_create1: %s\n", strerror(errno));
        return false;
    }
    fd.filefd = srv->peer_watch_fd;
    /* lws owns (and closes) the descriptor from here on. */
    if (!lws_adopt_descriptor_vhost(srv->vhost, LWS_ADOPT_RAW_FILE_DESC, fd, PEER_WATCH_PROTOCOL,
                                    NULL)) {
        fprintf(stderr, "ssemux-server: cannot watch for client hang-ups\n");
        srv->peer_watch_fd = -1;
        return false;
    }
    return true;
}

bool peer_watch_add(server *srv, sse_session *s)
{
    struct epoll_event ev;

    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = s;
    return epoll_ctl(srv->peer_watch_fd, EPOLL_CTL_ADD, lws_get_socket_fd(s->wsi), &ev) == 0;
}

void peer_watch_remove(server *srv, sse_session *s)
{
    struct epoll_event unused;

    /* The socket may be closed already, which removed it by itself. */
    (void)epoll_ctl(srv->peer_watch_fd, EPOLL_CTL_DEL, lws_get_socket_fd(s->wsi), &unused);
}

int peer_watch_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
    server *srv = server_from_wsi(wsi);
    struct epoll_event events[EVENTS_PER_WAKE];
    int n;

    (void)user;
    (void)in;
    (void)len;
    if (reason != LWS_CALLBACK_RAW_RX_FILE)
        return 0;
    n = epoll_wait(srv->peer_watch_fd, events, EVENTS_PER_WAKE, 0);
    for (int i = 0; i < n; i++) {
        sse_session *s = events[i].data.ptr;
        /* Stop watching now: the close itself happens on the next turn of
         * the loop, and a level-triggered set would report it again. */
        peer_watch_remove(srv, s);
        sse_session_hang_up(srv, s);
    }
    return 0;
}
