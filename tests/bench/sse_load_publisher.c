/* Publishing connections; see sse_load_publisher.h. */
#define _GNU_SOURCE
#include "sse_load_publisher.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sse_load_payload.h"

enum {
    LOAD_PUB_DOWN, /* no connection; made again on the next send */
    LOAD_PUB_IDLE, /* connected, nothing in flight */
    LOAD_PUB_HEAD, /* a request written (or being written), its response head awaited */
    LOAD_PUB_BODY  /* skipping the response body */
};

/* Form-encodes (application/x-www-form-urlencoded) `s` onto `out`. */
static size_t form_encode(char *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15u];
        }
    }
    return n;
}

/* "POST path ... \r\n\r\n" + body, with the payload's place remembered. The
 * payload has a fixed size, so Content-Length never changes. */
static int build_request(load_run *r, load_pub *p)
{
    const load_options *o = r->opt;
    char prefix[3 * sizeof o->topic + 3 * sizeof o->event_type + 32];
    size_t prefix_len = 0;
    const char *content_type = "text/plain";
    if (o->publish_mode == LOAD_PUBLISH_SSEMUX) {
        content_type = "application/x-www-form-urlencoded";
        memcpy(prefix, "topic=", 6);
        prefix_len = 6 + form_encode(prefix + 6, o->topic);
        memcpy(prefix + prefix_len, "&type=", 6);
        prefix_len += 6;
        prefix_len += form_encode(prefix + prefix_len, o->event_type);
        memcpy(prefix + prefix_len, "&data=", 6);
        prefix_len += 6;
    }
    size_t body_len = prefix_len + o->payload;
    size_t cap = LOAD_MAX_PATH + 512 + body_len;
    p->request = malloc(cap);
    if (!p->request)
        return -1;
    int head = snprintf(p->request, cap,
        "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
        o->publish_path, o->publish_host_header, content_type, body_len);
    memcpy(p->request + head, prefix, prefix_len);
    p->payload_offset = (size_t)head + prefix_len;
    p->request_len = p->payload_offset + o->payload;
    return 0;
}

int load_pubs_init(load_run *r)
{
    for (uint32_t i = 0; i < r->opt->publishers; i++) {
        r->pubs[i].fd = -1;
        if (build_request(r, &r->pubs[i]) != 0)
            return -1;
    }
    return 0;
}

static void note_error(load_run *r, int err, int status)
{
    if (r->publish_errors++ == 0) {
        r->first_publish_errno = err;
        r->first_publish_status = status;
    }
}

/* Requests written (or being written) whose response is not complete. */
static uint32_t outstanding(const load_pub *p)
{
    return (p->state == LOAD_PUB_HEAD || p->state == LOAD_PUB_BODY) + p->queued;
}

/* Epoll interest follows the state: EPOLLOUT while a request is partly
 * written, EPOLLIN unless a loose publisher leaves a body unread. */
static void update_interest(load_run *r, uint32_t index)
{
    load_pub *p = &r->pubs[index];
    uint32_t want = EPOLLRDHUP | (p->parked ? 0u : (uint32_t)EPOLLIN) |
                    (p->request_sent < p->request_len ? (uint32_t)EPOLLOUT : 0u);
    if (p->fd < 0 || want == p->interest)
        return;
    struct epoll_event ev = { .events = want, .data.u64 = LOAD_TAG_PUBLISHER | index };
    epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, p->fd, &ev);
    p->interest = want;
}

/* The connection is gone: each request still owed an answer is dropped
 * (err: why; 0 for "closed by the server"). */
static void drop_connection(load_run *r, load_pub *p, int err)
{
    for (uint32_t lost = outstanding(p); lost; lost--) {
        r->publish_dropped++;
        note_error(r, err, 0);
    }
    if (p->fd >= 0) {
        epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, p->fd, NULL);
        close(p->fd);
    }
    p->fd = -1;
    p->state = LOAD_PUB_DOWN;
    p->queued = 0;
    p->parked = 0;
}

/* Loopback connects complete at once or fail at once, so a blocking
 * connect keeps this simple without stalling the loop measurably. */
static int connect_publisher(load_run *r, uint32_t index)
{
    load_pub *p = &r->pubs[index];
    p->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->fd < 0)
        return -1;
    int one = 1;
    setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval limit = { .tv_sec = 2 };
    setsockopt(p->fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (connect(p->fd, (const struct sockaddr *)&r->opt->publish_server,
                sizeof r->opt->publish_server) != 0) {
        close(p->fd);
        p->fd = -1;
        return -1;
    }
    int flags = fcntl(p->fd, F_GETFL);
    if (flags < 0 || fcntl(p->fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        close(p->fd);
        p->fd = -1;
        return -1;
    }
    p->interest = EPOLLIN | EPOLLRDHUP;
    struct epoll_event ev = { .events = p->interest, .data.u64 = LOAD_TAG_PUBLISHER | index };
    if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, p->fd, &ev) != 0) {
        close(p->fd);
        p->fd = -1;
        return -1;
    }
    p->state = LOAD_PUB_IDLE;
    return 0;
}

/* Writes what is left of the request; 0 when done or waiting, -1 on error. */
static int continue_sending(load_run *r, uint32_t index)
{
    load_pub *p = &r->pubs[index];
    while (p->request_sent < p->request_len) {
        ssize_t n = send(p->fd, p->request + p->request_sent, p->request_len - p->request_sent,
                         MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN)
                break;
            return -1;
        }
        p->request_sent += (size_t)n;
    }
    update_interest(r, index);
    return 0;
}

/* The publisher for the next event: with --pipeline-loosely one whose body
 * is still unread first (so the loose path is taken whenever it can be),
 * then an idle one, then a new connection. r->opt->publishers if none. */
static uint32_t pick_publisher(load_run *r)
{
    uint32_t n = r->opt->publishers;
    for (uint32_t i = 0; i < n && r->opt->pipeline_loosely; i++)
        if (r->pubs[i].parked)
            return i;
    for (uint32_t i = 0; i < n; i++)
        if (r->pubs[i].state == LOAD_PUB_IDLE)
            return i;
    for (uint32_t i = 0; i < n; i++) {
        if (r->pubs[i].state != LOAD_PUB_DOWN)
            continue;
        if (connect_publisher(r, i) == 0)
            return i;
        r->publish_connect_errors++;
    }
    return n;
}

int load_pub_send(load_run *r)
{
    uint32_t index = pick_publisher(r);
    if (index == r->opt->publishers)
        return 0;
    load_pub *p = &r->pubs[index];
    load_payload_write(p->request + p->payload_offset, r->opt->payload, r->run_id, r->sent,
                       load_wall_ns());
    r->sent++;
    p->request_sent = 0;
    p->sent_ns = load_now_ns();
    if (p->state == LOAD_PUB_IDLE) {
        p->state = LOAD_PUB_HEAD;
        p->head_len = 0;
    } else {
        /* Behind an unread body: read it now, then this request's head. */
        p->queued = 1;
        p->parked = 0;
        r->publish_pipelined++;
    }
    if (continue_sending(r, index) != 0)
        drop_connection(r, p, errno);
    return 1;
}

/* One response is complete: count it, keep the connection if allowed. */
static void finish_response(load_run *r, load_pub *p)
{
    if (p->response.status >= 200 && p->response.status < 300)
        r->accepted++;
    else if (p->response.status == 503)
        r->publish_refused++;
    if (p->response.status < 200 || p->response.status >= 300)
        note_error(r, 0, p->response.status);
    p->parked = 0;
    if (p->response.close || p->body_until_close) {
        p->state = LOAD_PUB_IDLE; /* this one is answered; a queued one is dropped */
        drop_connection(r, p, 0);
    } else if (p->queued) {
        p->queued = 0;
        p->state = LOAD_PUB_HEAD;
        p->head_len = 0;
    } else {
        p->state = LOAD_PUB_IDLE;
    }
}

/* Takes head bytes; returns how many of `len` belong to the head (all of
 * them while it is incomplete), or -1 if it is malformed. */
static long take_head(load_run *r, uint32_t index, const char *bytes, size_t len)
{
    load_pub *p = &r->pubs[index];
    size_t before = p->head_len;
    size_t take = len < sizeof p->head - before ? len : sizeof p->head - before;
    memcpy(p->head + before, bytes, take);
    p->head_len += take;
    long n = load_http_head_parse(p->head, p->head_len, &p->response);
    if (n < 0 || (n == 0 && take < len))
        return -1;
    if (n == 0)
        return (long)take;
    load_hist_record(&r->publish_answer, load_now_ns() - p->sent_ns);
    p->state = LOAD_PUB_BODY;
    p->body_until_close = 0;
    p->body_left = 0;
    if (p->response.chunked)
        load_http_chunked_init(&p->chunk);
    else if (p->response.content_length >= 0)
        p->body_left = p->response.content_length;
    else if (p->response.status != 204 && p->response.status != 304)
        p->body_until_close = 1;
    if (!p->response.chunked && !p->body_until_close && p->body_left == 0)
        finish_response(r, p);
    else if (r->opt->pipeline_loosely && !r->pubs_done && !p->response.close &&
             !p->body_until_close) {
        p->parked = 1; /* free for the next request before this body is read */
        update_interest(r, index);
    }
    return n - (long)before;
}

/* Skips body bytes; returns how many of `len` belong to the body, or -1. */
static long skip_body(load_run *r, load_pub *p, char *bytes, size_t len)
{
    size_t used = len;
    if (p->response.chunked) {
        int done;
        if (load_http_chunked_decode(&p->chunk, bytes, len, &used, &done) < 0)
            return -1;
        if (done)
            finish_response(r, p);
    } else if (!p->body_until_close) {
        if ((int64_t)len > p->body_left)
            used = (size_t)p->body_left;
        p->body_left -= (int64_t)used;
        if (p->body_left == 0)
            finish_response(r, p);
    }
    return (long)used;
}

/* Response bytes, possibly ending one response and starting the next
 * (a loose publisher's next head can follow the body it skips). */
static int read_response(load_run *r, uint32_t index, char *bytes, size_t len)
{
    load_pub *p = &r->pubs[index];
    while (len > 0 && p->fd >= 0) {
        long used;
        if (p->state == LOAD_PUB_HEAD)
            used = take_head(r, index, bytes, len);
        else if (p->state == LOAD_PUB_BODY)
            used = skip_body(r, p, bytes, len);
        else
            return 0; /* bytes with nothing in flight: ignore */
        if (used < 0)
            return -1;
        bytes += used;
        len -= (size_t)used;
    }
    return 0;
}

/* A loose publisher reads a head without its body: it peeks, then takes
 * only the head's bytes out of the socket, so the body stays unread until
 * the next request has been written. 1: progress, 0: nothing to read,
 * -1: closed or failed (errno, 0 at EOF), -2: not an HTTP response. */
static int read_head_only(load_run *r, uint32_t index)
{
    load_pub *p = &r->pubs[index];
    ssize_t n = recv(p->fd, r->read_buffer, r->read_capacity, MSG_PEEK);
    if (n <= 0) {
        errno = n < 0 ? errno : 0;
        return n < 0 && errno == EAGAIN ? 0 : -1;
    }
    long used = take_head(r, index, r->read_buffer, (size_t)n);
    if (used < 0)
        return -2;
    if (p->fd < 0)
        return 1; /* the answer said close and had no body */
    char discard[LOAD_HTTP_MAX_HEAD];
    return recv(p->fd, discard, (size_t)used, 0) == used ? 1 : -1;
}

/* Reads what the socket has; the same return values as read_head_only. */
static int read_some(load_run *r, uint32_t index)
{
    load_pub *p = &r->pubs[index];
    if (r->opt->pipeline_loosely && p->state == LOAD_PUB_HEAD)
        return read_head_only(r, index);
    ssize_t n = recv(p->fd, r->read_buffer, r->read_capacity, 0);
    if (n <= 0) {
        errno = n < 0 ? errno : 0;
        return n < 0 && errno == EAGAIN ? 0 : -1;
    }
    return read_response(r, index, r->read_buffer, (size_t)n) == 0 ? 1 : -2;
}

void load_pub_handle(load_run *r, uint32_t index, uint32_t events)
{
    load_pub *p = &r->pubs[index];
    if ((events & EPOLLOUT) && p->request_sent < p->request_len &&
        continue_sending(r, index) != 0) {
        drop_connection(r, p, errno);
        return;
    }
    if (p->parked && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        p->parked = 0; /* hung up: read the rest now, or epoll says so forever */
        update_interest(r, index);
    }
    if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        return;
    while (p->fd >= 0 && !p->parked) {
        int rc = read_some(r, index);
        if (rc == 0)
            return;
        if (rc == -2) {
            drop_connection(r, p, EPROTO);
        } else if (rc == -1) {
            int err = errno ? errno : ECONNRESET;
            if (p->state == LOAD_PUB_BODY && p->body_until_close)
                finish_response(r, p);
            else
                drop_connection(r, p, err);
        }
    }
}

void load_pubs_publishing_done(load_run *r)
{
    r->pubs_done = 1;
    for (uint32_t i = 0; i < r->opt->publishers; i++) {
        if (r->pubs[i].parked) {
            r->pubs[i].parked = 0;
            update_interest(r, i);
        }
    }
}

uint32_t load_pubs_in_flight(const load_run *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->opt->publishers; i++)
        n += outstanding(&r->pubs[i]) > 0;
    return n;
}

uint32_t load_pubs_unanswered(const load_run *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->opt->publishers; i++)
        n += (r->pubs[i].state == LOAD_PUB_HEAD) + r->pubs[i].queued;
    return n;
}

void load_pubs_free(load_run *r)
{
    for (uint32_t i = 0; i < r->opt->publishers; i++) {
        load_pub *p = &r->pubs[i];
        p->queued = 0;
        p->state = LOAD_PUB_IDLE; /* nothing counted as dropped at exit */
        drop_connection(r, p, 0);
        free(p->request);
        p->request = NULL;
    }
}
