/*
 * Self-test of sse_load's loose publisher (--pipeline-loosely) against a
 * scripted server on a loopback socket in this process: the next request
 * must go out while the previous body is still unread, a 503 + close must
 * be counted as refused and the connection made again, and a connection
 * closed with a request in flight must be counted as dropped. The scripted
 * server is a fake on purpose: it makes each byte's timing exact, which a
 * real server cannot.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "sse_load_expect.h"
#include "sse_load_publisher.h"
#include "sse_load_run.h"

/* Blocking: reads one whole request (head + Content-Length body) from fd;
 * 0 when one came, -1 at EOF or on anything else. */
static int read_request(int fd)
{
    char buf[8192];
    size_t len = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        char *cl = strcasestr(buf, "Content-Length:");
        if (end && cl && len >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
            return 0;
        if (len == sizeof buf - 1)
            return -1;
    }
}

/* The server side of the next connection; a request that never comes
 * fails the read after 2 s instead of hanging the test. */
static int accept_scripted(int listener)
{
    struct timeval limit = { .tv_sec = 2 };
    setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit); /* accept too */
    int fd = accept(listener, NULL, NULL);
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    return fd;
}

static void write_all(int fd, const char *s)
{
    if (send(fd, s, strlen(s), MSG_NOSIGNAL) != (ssize_t)strlen(s)) {
        fprintf(stderr, "FAIL scripted server: short write\n");
        failures++;
    }
}

/* Runs the publisher's side of the loop until pred holds (2 s at most). */
static int pump_until(load_run *r, int (*pred)(const load_run *))
{
    for (int i = 0; i < 200 && !pred(r); i++) {
        struct epoll_event ev[4];
        int n = epoll_wait(r->epoll_fd, ev, 4, 10);
        for (int k = 0; k < n; k++)
            load_pub_handle(r, (uint32_t)(ev[k].data.u64 & ~LOAD_TAG_PUBLISHER), ev[k].events);
    }
    return pred(r);
}

static int head_read_body_unread(const load_run *r) { return r->pubs[0].parked; }
static int connection_gone(const load_run *r) { return r->pubs[0].fd < 0; }

int main(void)
{
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t addr_len = sizeof addr;
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(listener, 4) != 0 || getsockname(listener, (struct sockaddr *)&addr, &addr_len) != 0) {
        perror("sse_load_pipeline_selftest: listen");
        return 1;
    }
    char port[16];
    snprintf(port, sizeof port, "%u", (unsigned)ntohs(addr.sin_port));
    char *argv[] = {"sse_load", "--port", port, "--publishers", "1", "--pipeline-loosely", NULL};
    static load_options opt;
    static load_run run; /* histograms: not for the stack */
    load_run *r = &run;
    if (load_options_parse(&opt, 6, argv) != 0)
        return 1;
    r->opt = &opt;
    r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    r->read_capacity = 65536;
    r->read_buffer = malloc(r->read_capacity);
    load_hist_init(&r->publish_answer);
    if (r->epoll_fd < 0 || !r->read_buffer || load_pubs_init(r) != 0) {
        perror("sse_load_pipeline_selftest: setup");
        return 1;
    }

    /* Request 1; its answer's head comes first, the body later. */
    EXPECT_EQ("first post sent", 1, load_pub_send(r));
    int server = accept_scripted(listener);
    EXPECT_EQ("request 1 arrives", 0, read_request(server));
    write_all(server, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
    EXPECT_EQ("head 1 read", 1, pump_until(r, head_read_body_unread));
    write_all(server, "ok");

    /* Request 2 goes out on the same connection while body 1 sits unread. */
    EXPECT_EQ("second post sent", 1, load_pub_send(r));
    EXPECT_EQ("written behind an unread body", 1, r->publish_pipelined);
    EXPECT_EQ("body 1 not read yet", 0, r->accepted);
    EXPECT_EQ("request 2 on the same connection", 0, read_request(server));

    /* Body 1, then a refusal of request 2 that closes the connection. */
    write_all(server, "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                      "Content-Length: 5\r\n\r\nretry");
    close(server);
    EXPECT_EQ("connection closed after the 503", 1, pump_until(r, connection_gone));
    EXPECT_EQ("post 1 accepted", 1, r->accepted);
    EXPECT_EQ("post 2 refused", 1, r->publish_refused);
    EXPECT_EQ("nothing dropped", 0, r->publish_dropped);

    /* Request 3 reconnects; the server hangs up without an answer. */
    EXPECT_EQ("third post sent", 1, load_pub_send(r));
    server = accept_scripted(listener);
    EXPECT_EQ("request 3 on a new connection", 0, read_request(server));
    close(server);
    EXPECT_EQ("connection gone", 1, pump_until(r, connection_gone));
    EXPECT_EQ("post 3 dropped", 1, r->publish_dropped);
    EXPECT_EQ("errors: the 503 and the drop", 2, r->publish_errors);
    EXPECT_EQ("nothing left in flight", 0, load_pubs_in_flight(r));

    load_pubs_free(r);
    close(r->epoll_fd);
    close(listener);
    free(r->read_buffer);
    if (failures) {
        fprintf(stderr, "sse_load_pipeline_selftest: %d failure(s)\n", failures);
        return 1;
    }
    puts("sse_load_pipeline_selftest: all checks passed");
    return 0;
}
