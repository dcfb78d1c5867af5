/* Subscriber connections; see sse_load_subscriber.h. */
#define _GNU_SOURCE
#include "sse_load_subscriber.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sse_load_payload.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24 /* Linux 4.2+, missing from older headers */
#endif

enum {
    LOAD_SUB_IDLE,       /* not started yet */
    LOAD_SUB_CONNECTING, /* connect() in progress, then the GET being written */
    LOAD_SUB_HEAD,       /* reading the response head */
    LOAD_SUB_STREAM,     /* 200 received: events flowing */
    LOAD_SUB_CLOSED
};

static void on_event(void *ctx, const sse_event *ev)
{
    load_sub *s = ctx;
    load_run *r = s->run;
    uint64_t seq, sent_ns;
    if (!load_payload_read(ev->data, ev->data_len, r->run_id, &seq, &sent_ns)) {
        r->foreign++; /* a heartbeat-like event, or a stale one from an earlier run */
        return;
    }
    if (ev->data_len != r->opt->payload)
        r->corrupt++;
    if (!load_seq_see(&s->seq, seq, &r->seq_counts))
        return;
    r->delivered++;
    r->last_delivery_ns = r->read_mono_ns;
    load_hist_record(&r->latency, r->arrival_ns > sent_ns ? r->arrival_ns - sent_ns : 0);
    load_hist_record(&r->read_latency, r->read_wall_ns > sent_ns ? r->read_wall_ns - sent_ns : 0);
}

static void on_parse_error(void *ctx, sse_status error)
{
    load_sub *s = ctx;
    (void)error;
    s->run->corrupt++;
}

int load_subs_init(load_run *r)
{
    const load_options *o = r->opt;
    /* Room for our payload plus slack; anything bigger is corrupt anyway. */
    r->limits.max_data = o->payload + 256u;
    r->limits.max_type = 64u;
    r->limits.max_id = 128u;
    r->parser_slice = sse_parser_buffer_size(&r->limits);
    r->subs = calloc(o->connections, sizeof *r->subs);
    r->parser_memory = malloc(r->parser_slice * o->connections);
    r->sub_request = malloc(LOAD_MAX_PATH + 512);
    if (!r->subs || !r->parser_memory || !r->sub_request)
        return -1;
    r->sub_request_len = (size_t)snprintf(r->sub_request, LOAD_MAX_PATH + 512,
        "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n"
        "Cache-Control: no-cache\r\n\r\n", o->path, o->host_header);
    sse_parser_callbacks cb = { .on_event = on_event, .on_error = on_parse_error };
    for (uint32_t i = 0; i < o->connections; i++) {
        load_sub *s = &r->subs[i];
        s->run = r;
        s->fd = -1;
        if (sse_parser_init(&s->parser, &r->limits, r->parser_memory + i * r->parser_slice,
                            r->parser_slice, &cb, s) != SSE_OK) {
            errno = EINVAL;
            return -1;
        }
    }
    return 0;
}

static void close_sub(load_run *r, load_sub *s)
{
    if (s->fd >= 0) {
        epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
        close(s->fd);
        s->fd = -1;
    }
    free(s->head);
    s->head = NULL;
    s->state = LOAD_SUB_CLOSED;
}

/* A connection that never reached its event stream. */
static void fail_sub(load_run *r, load_sub *s, int err, int status)
{
    if (r->failed == 0) {
        r->first_failure_errno = err;
        r->first_failure_status = status;
    }
    if (err)
        r->failed_connect++;
    else if (status)
        r->failed_status++;
    else
        r->failed_closed++;
    r->failed++;
    r->connecting--;
    close_sub(r, s);
}

static void start_connect(load_run *r, uint32_t index)
{
    const load_options *o = r->opt;
    load_sub *s = &r->subs[index];
    r->connecting++;
    s->state = LOAD_SUB_CONNECTING;
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        fail_sub(r, s, errno, 0);
        return;
    }
    /* Kernel receive time stamps: latency is then measured to the moment
     * the server's bytes reached this socket, not to the moment this one
     * thread got round to reading it among thousands of others. */
    int on = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    if (o->source_count) {
        /* Without IP_BIND_ADDRESS_NO_PORT, bind() would pick the port alone
         * and one address would run out at ~28k sockets of any destination;
         * with it the port is chosen at connect() per 4-tuple. */
        int one = 1;
        setsockopt(s->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = { .sin_family = AF_INET,
                                   .sin_addr = o->source[index % o->source_count] };
        if (bind(s->fd, (struct sockaddr *)&src, sizeof src) != 0) {
            fail_sub(r, s, errno, 0);
            return;
        }
    }
    if (connect(s->fd, (const struct sockaddr *)&o->server, sizeof o->server) != 0 &&
        errno != EINPROGRESS) {
        fail_sub(r, s, errno, 0);
        return;
    }
    struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.u64 = index };
    if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, s->fd, &ev) != 0)
        fail_sub(r, s, errno, 0);
}

void load_subs_connect_more(load_run *r)
{
    while (r->next_sub < r->opt->connections && r->connecting < r->opt->connect_concurrency)
        start_connect(r, r->next_sub++);
}

/* Connected: write the GET (it fits one write in practice; resumable anyway). */
static void write_request(load_run *r, load_sub *s, uint32_t index)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        fail_sub(r, s, err ? err : errno, 0);
        return;
    }
    while (s->request_sent < r->sub_request_len) {
        ssize_t n = send(s->fd, r->sub_request + s->request_sent,
                         r->sub_request_len - s->request_sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN)
                return;
            fail_sub(r, s, errno, 0);
            return;
        }
        s->request_sent += (uint16_t)n;
    }
    s->head = malloc(LOAD_HTTP_MAX_HEAD);
    if (!s->head) {
        fail_sub(r, s, ENOMEM, 0);
        return;
    }
    s->state = LOAD_SUB_HEAD;
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = index };
    epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, s->fd, &ev);
}

/* Body bytes of an established stream: unchunk if needed, then parse. */
static int feed_body(load_sub *s, char *bytes, size_t len)
{
    if (s->chunked) {
        size_t consumed;
        int done;
        long n = load_http_chunked_decode(&s->chunk, bytes, len, &consumed, &done);
        if (n < 0 || done)
            return -1; /* bad framing, or the server ended the stream */
        len = (size_t)n;
    }
    if (len)
        sse_parser_feed(&s->parser, bytes, len);
    return 0;
}

/* Head bytes: collect until the blank line, then switch to the stream. */
static void read_head(load_run *r, load_sub *s, char *bytes, size_t len)
{
    size_t room = LOAD_HTTP_MAX_HEAD - s->head_len;
    size_t take = len < room ? len : room;
    memcpy(s->head + s->head_len, bytes, take);
    s->head_len += (uint16_t)take;
    load_http_head head;
    long n = load_http_head_parse(s->head, s->head_len, &head);
    if (n == 0 && take == len)
        return;
    if (n <= 0 || head.status != 200) {
        fail_sub(r, s, 0, n <= 0 ? 0 : head.status);
        return;
    }
    s->chunked = (uint8_t)head.chunked;
    load_http_chunked_init(&s->chunk);
    s->state = LOAD_SUB_STREAM;
    r->connecting--;
    r->established++;
    /* The body bytes that came with the head: those in the head buffer past
     * the head, then those of this read that did not fit in it. */
    char rest[LOAD_HTTP_MAX_HEAD];
    size_t in_head = s->head_len - (size_t)n;
    memcpy(rest, s->head + n, in_head);
    free(s->head);
    s->head = NULL;
    if ((in_head && feed_body(s, rest, in_head) != 0) ||
        (take < len && feed_body(s, bytes + take, len - take) != 0)) {
        r->lost++;
        close_sub(r, s);
    }
}

/* recv() that also records when the bytes arrived (SCM_TIMESTAMPNS: for
 * TCP, the receive time of the last segment this read returned). */
static ssize_t receive(load_run *r, int fd)
{
    struct iovec iov = { .iov_base = r->read_buffer, .iov_len = r->read_capacity };
    union {
        char bytes[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = control.bytes, .msg_controllen = sizeof control.bytes };
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n <= 0)
        return n;
    r->read_mono_ns = load_now_ns();
    r->read_wall_ns = load_wall_ns();
    r->arrival_ns = r->read_wall_ns;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            uint64_t stamp = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
            /* Never later than the read (a zero stamp means "none"). */
            if (stamp && stamp <= r->read_wall_ns) {
                r->arrival_ns = stamp;
                r->arrival_stamps++;
                return n;
            }
        }
    }
    r->read_stamps++;
    return n;
}

void load_sub_handle(load_run *r, uint32_t index, uint32_t events)
{
    load_sub *s = &r->subs[index];
    if (s->state == LOAD_SUB_CONNECTING) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            write_request(r, s, index);
        return;
    }
    /* Bounded reads per wakeup so one busy stream cannot starve the rest. */
    for (int round = 0; round < 4 && (s->state == LOAD_SUB_HEAD || s->state == LOAD_SUB_STREAM); round++) {
        ssize_t n = receive(r, s->fd);
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            int err = n < 0 ? errno : 0;
            if (s->state == LOAD_SUB_HEAD) {
                fail_sub(r, s, err, 0);
            } else {
                r->lost++;
                close_sub(r, s);
            }
            return;
        }
        if (s->state == LOAD_SUB_HEAD) {
            read_head(r, s, r->read_buffer, (size_t)n);
        } else if (feed_body(s, r->read_buffer, (size_t)n) != 0) {
            r->lost++;
            close_sub(r, s);
            return;
        }
        if ((size_t)n < r->read_capacity)
            return; /* drained: the next read would say EAGAIN */
    }
}

uint32_t load_subs_behind(const load_run *r, uint64_t published)
{
    uint32_t behind = 0;
    for (uint32_t i = 0; i < r->opt->connections; i++)
        if (r->subs[i].state == LOAD_SUB_STREAM && r->subs[i].seq.base < published)
            behind++;
    return behind;
}

void load_subs_count_missing(load_run *r)
{
    for (uint32_t i = 0; i < r->opt->connections; i++)
        if (r->subs[i].state == LOAD_SUB_STREAM)
            load_seq_finish(&r->subs[i].seq, r->sent, &r->seq_counts);
}

void load_subs_free(load_run *r)
{
    if (r->subs)
        for (uint32_t i = 0; i < r->opt->connections; i++)
            close_sub(r, &r->subs[i]);
    free(r->subs);
    free(r->parser_memory);
    free(r->sub_request);
    r->subs = NULL;
    r->parser_memory = NULL;
    r->sub_request = NULL;
}
