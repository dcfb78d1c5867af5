/*
 * libFuzzer target for the whole request path of a real, in-process
 * ssemux-server: each input is the byte stream one client sends on one
 * TCP connection (pipelined requests, bodies, garbage, half heads), fed
 * through loopback into the same lws loop, request gate, framing gate,
 * routes, publish parser and streams the binary runs.
 *
 * Input layout: byte 0 is a split point (the stream goes out as two
 * writes, with the loop serviced in between); the rest is the stream.
 * After the writes the client half-closes and reads whatever comes back.
 *
 * Promises checked:
 *   - the loop always returns: every lws_service() call comes back (a
 *     spin inside lws, like the lws 4.1.6 pipelining loop fixed in
 *     http_routes.c, is a libFuzzer timeout, i.e. a crash report);
 *   - the server is still serving afterwards: a fresh GET /healthz on a new
 *     connection is answered 200, every input;
 *   - whatever the server sent back starts with an HTTP/1.1 status line.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "server.h"

/* Turns of the loop with nothing new before we stop waiting for more. */
#define IDLE_TURNS 8
#define MAX_TURNS 2000

static server *srv;

static void quiet(int level, const char *line)
{
    (void)level;
    (void)line;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    server_config cfg;

    (void)argc;
    (void)argv;
    lws_set_log_level(0, quiet);
    config_defaults(&cfg);
    cfg.port = 0;
    cfg.history = 8;
    cfg.max_topics = 32;
    cfg.max_body_bytes = 2048;
    cfg.max_header_bytes = 2048;
    cfg.heartbeat_ms = 60000;
    srv = malloc(sizeof(*srv));
    CHECK(srv && server_start(srv, &cfg, NULL, 0));
    return 0;
}

static int dial(void)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)server_port(srv));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(fd >= 0);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EINPROGRESS);
    return fd;
}

/* Services the loop, collecting replies on `fd`, until the server closes
 * it or nothing happens for IDLE_TURNS turns. Returns whether it closed. */
static bool wrapped;

static bool pump(int fd, char *got, size_t cap, size_t *got_len)
{
    int idle = 0;

    for (int turn = 0; turn < MAX_TURNS && idle < IDLE_TURNS; turn++) {
        ssize_t n;
        CHECK(lws_service(srv->context, -1) >= 0);
        n = recv(fd, got + *got_len, cap - *got_len, MSG_DONTWAIT);
        if (n == 0)
            return true;
        if (n < 0 && errno == ECONNRESET)
            return true;
        if (n > 0) {
            *got_len += (size_t)n;
            if (*got_len == cap) {
                *got_len = 0; /* a long reply: only its start was checkable */
                wrapped = true;
            }
            idle = 0;
        } else {
            idle++;
        }
    }
    return false;
}

static void send_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) {
            if (n < 0 && errno == EAGAIN) {
                (void)lws_service(srv->context, -1);
                continue;
            }
            return; /* the server closed on us: fine */
        }
        p += n;
        len -= (size_t)n;
    }
}

static void check_still_serving(void)
{
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n";
    char got[512];
    size_t got_len = 0;
    int fd = dial();

    wrapped = false;
    (void)pump(fd, got, sizeof(got), &got_len);
    send_all(fd, (const uint8_t *)req, sizeof(req) - 1);
    (void)pump(fd, got, sizeof(got), &got_len);
    CHECK(got_len >= 12 && memcmp(got, "HTTP/1.1 200", 12) == 0);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char got[4096];
    size_t got_len = 0, split;
    int fd;

    if (size < 1)
        return 0;
    split = data[0] % size;
    wrapped = false;
    data++;
    size--;
    fd = dial();
    (void)pump(fd, got, sizeof(got), &got_len);
    send_all(fd, data, split);
    (void)pump(fd, got, sizeof(got), &got_len);
    send_all(fd, data + split, size - split);
    (void)pump(fd, got, sizeof(got), &got_len);
    shutdown(fd, SHUT_WR);
    (void)pump(fd, got, sizeof(got), &got_len);
    if (got_len >= 9 && !wrapped)
        CHECK(memcmp(got, "HTTP/1.1 ", 9) == 0 || memcmp(got, "HTTP/1.0 ", 9) == 0);
    close(fd);
    /* The server notices the close on its next turns. */
    for (int i = 0; i < IDLE_TURNS; i++)
        CHECK(lws_service(srv->context, -1) >= 0);
    check_still_serving();
    return 0;
}
