#include "request_gate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "request_head.h"
#include "server.h"

/* Sockets looked at per wake-up; the rest stay queued in the epoll set. */
#define EVENTS_PER_WAKE 64
/* How often deadlines are checked while anyone waits, and how many late
 * connections one check refuses before letting the loop serve others. */
#define DEADLINE_TICK_US (250 * 1000)
#define REFUSALS_PER_TICK 256
#define BUSY_TICK_US (5 * 1000)
/* What a refused client may still have in flight, read and dropped before
 * closing so the close is a FIN, not a reset that could destroy our answer. */
#define DRAIN_BYTES (64 * 1024)

typedef struct gate_conn {
    lws_dll2_t link;      /* in srv->gate_waiting, oldest first */
    int fd;
    uint64_t deadline_ms;
} gate_conn;

static const char *reason_phrase(unsigned status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    }
    return "Error";
}

static void drop(server *srv, gate_conn *g)
{
    struct epoll_event unused;

    (void)epoll_ctl(srv->gate_fd, EPOLL_CTL_DEL, g->fd, &unused);
    lws_dll2_remove(&g->link);
    free(g);
}

/* Answers and closes: the request is never seen by lws. */
static void refuse(server *srv, gate_conn *g, unsigned status, const char *message)
{
    char msg[512], drain[4096];
    int n = snprintf(msg, sizeof(msg),
                     "HTTP/1.1 %u %s\r\nserver: ssemux\r\ncontent-type: application/json\r\n"
                     "content-length: %zu\r\ncache-control: no-store\r\nconnection: close\r\n\r\n"
                     "{\"error\":\"%s\"}\n",
                     status, reason_phrase(status), strlen(message) + 13, message);
    size_t drained = 0;
    ssize_t r;

    metrics_count_response(&srv->metrics, status);
    (void)send(g->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(g->fd, SHUT_WR);
    while (drained < DRAIN_BYTES && (r = recv(g->fd, drain, sizeof(drain), MSG_DONTWAIT)) > 0)
        drained += (size_t)r;
    close(g->fd);
    drop(srv, g);
}

static void hand_to_lws(server *srv, gate_conn *g)
{
    lws_sock_file_fd_type fd;

    fd.sockfd = g->fd;
    drop(srv, g);
    /* On failure lws has closed the socket already. */
    (void)lws_adopt_descriptor_vhost(srv->vhost, LWS_ADOPT_SOCKET | LWS_ADOPT_HTTP, fd, NULL,
                                     NULL);
}

/* Whether the head asks for an event stream (GET /events...). */
static bool wants_stream(const char *head, size_t len)
{
    static const char path[] = "/events";
    const char *sp;

    while (len && (*head == '\r' || *head == '\n'))
        head++, len--;
    sp = memchr(head, ' ', len);
    if (!sp || sp - head != 3 || memcmp(head, "GET", 3) != 0 ||
        (size_t)(head + len - (sp + 1)) < sizeof(path))
        return false;
    return memcmp(sp + 1, path, sizeof(path) - 1) == 0 &&
           (sp[sizeof(path)] == ' ' || sp[sizeof(path)] == '?');
}

/* New bytes (or a hang-up) on a waiting socket. */
static void look(server *srv, gate_conn *g, uint32_t events)
{
    size_t max = srv->config.max_header_bytes, head_len = 0;
    ssize_t n = recv(g->fd, srv->gate_buf, max + 1, MSG_PEEK | MSG_DONTWAIT);
    request_head_status st;

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) { /* gone before asking anything */
        close(g->fd);
        drop(srv, g);
        return;
    }
    st = request_head_scan(srv->gate_buf, (size_t)n, max, &head_len);
    /* A stream never ends, so nothing behind it could be answered; and
     * lws 4.1 spins on bytes it has read but cannot hand to anyone (the
     * connection stays "readable" in its own buffer): one core, for as
     * long as the stream lasts. Refuse such a pipeline up front. Bytes
     * that arrive after the stream opened are peer_watch.h's. */
    if (st == REQUEST_HEAD_OK && (size_t)n > head_len && wants_stream(srv->gate_buf, head_len)) {
        refuse(srv, g, 400, "nothing may be pipelined behind a request for an event stream");
        return;
    }
    if (st == REQUEST_HEAD_OK) {
        /* lws does not skip empty lines before a request line (RFC 9112
         * 2.2 lets a server do so): take them out of the socket here. */
        size_t lead = 0;
        while (srv->gate_buf[lead] == '\r' || srv->gate_buf[lead] == '\n')
            lead++;
        if (lead && recv(g->fd, srv->gate_buf, lead, MSG_DONTWAIT) != (ssize_t)lead) {
            close(g->fd);
            drop(srv, g);
            return;
        }
        hand_to_lws(srv, g);
        return;
    }
    if (st != REQUEST_HEAD_INCOMPLETE) {
        refuse(srv, g, request_head_http_status(st), request_head_strerror(st));
        return;
    }
    /* Half a head and no more coming: nothing to answer. */
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        close(g->fd);
        drop(srv, g);
    }
}

static void check_deadlines(lws_sorted_usec_list_t *sul)
{
    server *srv = lws_container_of(sul, server, gate_timer);
    uint64_t now = server_now_ms();
    int refused = 0;

    /* Every deadline is arrival + the same timeout: the oldest come first. */
    while (srv->gate_waiting.head && refused < REFUSALS_PER_TICK) {
        gate_conn *g = lws_container_of(srv->gate_waiting.head, gate_conn, link);
        if (g->deadline_ms > now)
            break;
        refuse(srv, g, 408, "request head not complete in time (--header-timeout-ms)");
        refused++;
    }
    if (srv->gate_waiting.count)
        lws_sul_schedule(srv->context, 0, &srv->gate_timer, check_deadlines,
                         refused == REFUSALS_PER_TICK ? BUSY_TICK_US : DEADLINE_TICK_US);
}

bool request_gate_start(server *srv)
{
    lws_sock_file_fd_type fd;

    srv->gate_buf = malloc(srv->config.max_header_bytes + 1u);
    srv->gate_fd = epoll_create1(EPOLL_CLOEXEC);
    if (!srv->gate_buf || srv->gate_fd < 0) {
        fprintf(stderr, "ssemux-server: cannot set up the request gate: %s\n", strerror(errno));
        return false;
    }
    fd.filefd = srv->gate_fd;
    /* lws owns (and closes) the descriptor from here on. */
    if (!lws_adopt_descriptor_vhost(srv->vhost, LWS_ADOPT_RAW_FILE_DESC, fd,
                                    REQUEST_GATE_PROTOCOL, NULL)) {
        fprintf(stderr, "ssemux-server: cannot add the request gate to the event loop\n");
        srv->gate_fd = -1;
        return false;
    }
    return true;
}

void request_gate_add(server *srv, int fd)
{
    gate_conn *g = calloc(1, sizeof(*g));
    struct epoll_event ev;

    if (!g) {
        close(fd);
        return;
    }
    g->fd = fd;
    g->deadline_ms = server_now_ms() + srv->config.header_timeout_ms;
    /* Edge-triggered: bytes we only peeked at do not wake us again. An fd
     * that is readable already is reported once on ADD. */
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = g;
    if (epoll_ctl(srv->gate_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        free(g);
        return;
    }
    lws_dll2_add_tail(&g->link, &srv->gate_waiting);
    if (srv->gate_waiting.count == 1)
        lws_sul_schedule(srv->context, 0, &srv->gate_timer, check_deadlines, DEADLINE_TICK_US);
}

void request_gate_close_all(server *srv)
{
    while (srv->gate_waiting.head) {
        gate_conn *g = lws_container_of(srv->gate_waiting.head, gate_conn, link);
        close(g->fd);
        drop(srv, g);
    }
    lws_sul_cancel(&srv->gate_timer);
}

size_t request_gate_waiting(const server *srv)
{
    return srv->gate_waiting.count;
}

int request_gate_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                          void *in, size_t len)
{
    server *srv = server_from_wsi(wsi);
    struct epoll_event events[EVENTS_PER_WAKE];
    int n;

    (void)user;
    (void)in;
    (void)len;
    if (reason != LWS_CALLBACK_RAW_RX_FILE)
        return 0;
    n = epoll_wait(srv->gate_fd, events, EVENTS_PER_WAKE, 0);
    for (int i = 0; i < n; i++)
        look(srv, events[i].data.ptr, events[i].events);
    return 0;
}
