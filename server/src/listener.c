#define _GNU_SOURCE /* accept4 */
#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "request_gate.h"
#include "server.h"

/* Connections accepted per wake-up, so a flood cannot starve the rest. */
#define ACCEPTS_PER_WAKE 64
#define LISTEN_BACKLOG 1024

/* A nonblocking, close-on-exec listening socket on host:port. */
static int open_socket(const char *host, unsigned port, bool reuse_port, char *err,
                       size_t err_cap)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    int fd, one = 1, zero = 0, rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(service, sizeof(service), "%u", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_cap, "cannot resolve --host %s: %s", host, gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, err_cap, "socket: %s", strerror(errno));
        freeaddrinfo(res);
        return -1;
    }
    /* Restarting must not wait for old connections' TIME_WAIT. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* --reuse-port: every instance bound with it shares the port, and the
     * kernel hashes each new connection to one of them. */
    if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
        snprintf(err, err_cap, "SO_REUSEPORT: %s", strerror(errno));
        close(fd);
        freeaddrinfo(res);
        return -1;
    }
    /* "::" serves IPv4 clients too. */
    if (res->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        snprintf(err, err_cap, "cannot listen on %s port %u: %s", host, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

bool listener_start(server *srv)
{
    char err[256];
    lws_sock_file_fd_type fd;
    int sock = open_socket(srv->config.host, srv->config.port, srv->config.reuse_port, err,
                           sizeof(err));

    if (sock < 0) {
        fprintf(stderr, "ssemux-server: %s\n", err);
        return false;
    }
    srv->listen_port = bound_port(sock);
    srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    fd.filefd = sock;
    /* lws owns (and closes) the descriptor from here on. */
    srv->listener = lws_adopt_descriptor_vhost(srv->vhost, LWS_ADOPT_RAW_FILE_DESC, fd,
                                               LISTENER_PROTOCOL, NULL);
    if (!srv->listener) {
        fprintf(stderr, "ssemux-server: cannot add the listening socket to the event loop\n");
        return false;
    }
    return true;
}

void listener_stop(server *srv)
{
    if (srv->listener) {
        /* Outside any callback of its own, so closing right away is safe. */
        lws_set_timeout(srv->listener, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
        srv->listener = NULL;
    }
}

static void accept_pending(server *srv, int listen_fd)
{
    lws_adoption_type how = LWS_ADOPT_SOCKET | LWS_ADOPT_HTTP;

    if (srv->config.tls_cert)
        how |= LWS_ADOPT_ALLOW_SSL;
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        lws_sock_file_fd_type fd;
        int conn = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (conn < 0 && (errno == EMFILE || errno == ENFILE) && srv->spare_fd >= 0) {
            /* Out of descriptors: the connection would sit in the backlog
             * and poll() would report it forever. Use the spare one to
             * accept and drop it, then take the spare back. */
            close(srv->spare_fd);
            conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (conn >= 0)
                close(conn);
            srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
            continue;
        }
        if (conn < 0)
            return; /* EAGAIN: none left */
        /* lws sets this on sockets it accepts itself, not on adopted ones.
         * Without it a keep-alive POST's reply waits for the client's
         * delayed ACK (Nagle): ~25 publishes/s per connection, and SSE
         * frames written back to back get the same 40 ms stalls. */
        int one = 1;
        (void)setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (!srv->config.tls_cert) {
            request_gate_add(srv, conn);
            continue;
        }
        fd.sockfd = conn;
        /* On failure lws has closed the socket already. */
        (void)lws_adopt_descriptor_vhost(srv->vhost, how, fd, NULL, NULL);
    }
}

int listener_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len)
{
    server *srv = server_from_wsi(wsi);

    (void)user;
    (void)in;
    (void)len;
    switch (reason) {
    case LWS_CALLBACK_RAW_RX_FILE:
        accept_pending(srv, lws_get_socket_fd(wsi));
        break;
    case LWS_CALLBACK_RAW_CLOSE_FILE:
        if (srv->listener == wsi)
            srv->listener = NULL;
        break;
    default:
        break;
    }
    return 0;
}
