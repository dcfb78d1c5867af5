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
    LOAD_PUB_DOWN,    /* no connection; made again on the next send */
    LOAD_PUB_IDLE,    /* connected, nothing in flight */
    LOAD_PUB_SENDING, /* request partly written */
    LOAD_PUB_HEAD,    /* waiting for the response head */
    LOAD_PUB_BODY     /* skipping the response body */
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

static void drop_connection(load_run *r, load_pub *p)
{
    if (p->fd >= 0) {
        epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, p->fd, NULL);
        close(p->fd);
    }
    p->fd = -1;
    p->state = LOAD_PUB_DOWN;
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
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = LOAD_TAG_PUBLISHER | index };
    if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, p->fd, &ev) != 0) {
        close(p->fd);
        p->fd = -1;
        return -1;
    }
    p->state = LOAD_PUB_IDLE;
    return 0;
}

static void want_writable(load_run *r, uint32_t index, int yes)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | (yes ? EPOLLOUT : 0u),
                              .data.u64 = LOAD_TAG_PUBLISHER | index };
    epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, r->pubs[index].fd, &ev);
}

/* Writes what is left of the request; 0 when done or waiting, -1 on error. */
static int continue_sending(load_run *r, uint32_t index)
{
    load_pub *p = &r->pubs[index];
    while (p->request_sent < p->request_len) {
        ssize_t n = send(p->fd, p->request + p->request_sent, p->request_len - p->request_sent,
                         MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) {
                if (p->state != LOAD_PUB_SENDING)
                    want_writable(r, index, 1);
                p->state = LOAD_PUB_SENDING;
                return 0;
            }
            return -1;
        }
        p->request_sent += (size_t)n;
    }
    if (p->state == LOAD_PUB_SENDING)
        want_writable(r, index, 0);
    p->state = LOAD_PUB_HEAD;
    p->head_len = 0;
    return 0;
}

int load_pub_send(load_run *r)
{
    uint32_t index = r->opt->publishers;
    for (uint32_t i = 0; i < r->opt->publishers; i++) {
        if (r->pubs[i].state == LOAD_PUB_IDLE) {
            index = i;
            break;
        }
    }
    if (index == r->opt->publishers) {
        for (uint32_t i = 0; i < r->opt->publishers && index == r->opt->publishers; i++) {
            if (r->pubs[i].state != LOAD_PUB_DOWN)
                continue;
            if (connect_publisher(r, i) == 0)
                index = i;
            else
                r->publish_connect_errors++;
        }
    }
    if (index == r->opt->publishers)
        return 0;
    load_pub *p = &r->pubs[index];
    load_payload_write(p->request + p->payload_offset, r->opt->payload, r->run_id, r->sent,
                       load_wall_ns());
    r->sent++;
    p->request_sent = 0;
    if (continue_sending(r, index) != 0) {
        note_error(r, errno, 0);
        drop_connection(r, p);
    }
    return 1;
}

/* One response is complete: count it, keep the connection if allowed. */
static void finish_response(load_run *r, load_pub *p)
{
    if (p->response.status >= 200 && p->response.status < 300)
        r->accepted++;
    else
        note_error(r, 0, p->response.status);
    if (p->response.close || p->body_until_close)
        drop_connection(r, p);
    else
        p->state = LOAD_PUB_IDLE;
}

/* Response bytes; returns -1 if the response is malformed. */
static int read_response(load_run *r, load_pub *p, char *bytes, size_t len)
{
    if (p->state == LOAD_PUB_HEAD) {
        size_t room = sizeof p->head - p->head_len;
        size_t take = len < room ? len : room;
        memcpy(p->head + p->head_len, bytes, take);
        p->head_len += take;
        long n = load_http_head_parse(p->head, p->head_len, &p->response);
        if (n == 0 && take == len)
            return 0;
        if (n <= 0)
            return -1;
        p->state = LOAD_PUB_BODY;
        p->body_until_close = 0;
        p->body_left = 0;
        if (p->response.chunked)
            load_http_chunked_init(&p->chunk);
        else if (p->response.content_length >= 0)
            p->body_left = p->response.content_length;
        else if (p->response.status != 204 && p->response.status != 304)
            p->body_until_close = 1;
        /* Body bytes that arrived with the head: those past it in the head
         * buffer, then the rest of this read. No request is pipelined, so
         * nothing follows the body. */
        char rest[LOAD_HTTP_MAX_HEAD];
        size_t in_head = p->head_len - (size_t)n;
        memcpy(rest, p->head + n, in_head);
        if (in_head && read_response(r, p, rest, in_head) != 0)
            return -1;
        if (take < len && p->state == LOAD_PUB_BODY)
            return read_response(r, p, bytes + take, len - take);
        if (p->state == LOAD_PUB_BODY && !p->response.chunked && !p->body_until_close &&
            p->body_left == 0)
            finish_response(r, p);
        return 0;
    }
    if (p->state != LOAD_PUB_BODY)
        return 0; /* stray bytes after a complete response: ignore */
    if (p->response.chunked) {
        size_t consumed;
        int done;
        if (load_http_chunked_decode(&p->chunk, bytes, len, &consumed, &done) < 0)
            return -1;
        if (done)
            finish_response(r, p);
    } else if (!p->body_until_close) {
        p->body_left -= (int64_t)len < p->body_left ? (int64_t)len : p->body_left;
        if (p->body_left == 0)
            finish_response(r, p);
    }
    return 0;
}

void load_pub_handle(load_run *r, uint32_t index, uint32_t events)
{
    load_pub *p = &r->pubs[index];
    if (p->state == LOAD_PUB_SENDING && (events & EPOLLOUT)) {
        if (continue_sending(r, index) != 0) {
            note_error(r, errno, 0);
            drop_connection(r, p);
            return;
        }
    }
    if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        return;
    for (;;) {
        ssize_t n = recv(p->fd, r->read_buffer, r->read_capacity, 0);
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            int err = n < 0 ? errno : 0;
            if (p->state == LOAD_PUB_BODY && p->body_until_close)
                finish_response(r, p);
            else if (p->state != LOAD_PUB_IDLE)
                note_error(r, err ? err : ECONNRESET, 0);
            drop_connection(r, p);
            return;
        }
        if (read_response(r, p, r->read_buffer, (size_t)n) != 0) {
            note_error(r, EPROTO, 0);
            drop_connection(r, p);
            return;
        }
        if (p->fd < 0)
            return;
    }
}

uint32_t load_pubs_in_flight(const load_run *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->opt->publishers; i++)
        if (r->pubs[i].state >= LOAD_PUB_SENDING)
            n++;
    return n;
}

void load_pubs_free(load_run *r)
{
    for (uint32_t i = 0; i < r->opt->publishers; i++) {
        drop_connection(r, &r->pubs[i]);
        free(r->pubs[i].request);
        r->pubs[i].request = NULL;
    }
}
