/*
 * ssemux-server: startup, signals, the service loop. Everything else lives
 * in the modules server.h ties together; see docs/server.md for the flags.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "server.h"

#ifndef SSEMUX_VERSION
#error "SSEMUX_VERSION comes from the CMake project version"
#endif

/* Process-wide state, all of it here: what a signal handler may touch, and
 * quiet_logs below (lws's log callback takes no user pointer). */
static volatile sig_atomic_t stop_requested;
static struct lws_context *volatile signal_context;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    /* Wakes the poll() the loop sleeps in (a write to lws's event pipe). */
    if (signal_context)
        lws_cancel_service(signal_context);
}

/* Messages lws logs as errors although a client caused them: an attacker
 * must not be able to flood our stderr. Shown with --verbose. */
static const char *const client_caused[] = {
    "Ran out of header data space", /* headers over --max-header-bytes */
    "on immortal stream",           /* the grace timeout on a cut HTTP/2 stream */
    NULL,
};

static bool quiet_logs;

static void log_line(int level, const char *line)
{
    if (quiet_logs)
        for (const char *const *m = client_caused; *m; m++)
            if (strstr(line, *m))
                return;
    (void)level;
    fputs(line, stderr);
}

static const char *env_lookup(void *user, const char *name)
{
    (void)user;
    return getenv(name);
}

/* Each stream is a socket: lift the soft descriptor limit to the hard one
 * (capped, since lws sizes a lookup table by it). */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = rl.rlim_max;
    if (want == RLIM_INFINITY || want > (1u << 20))
        want = 1u << 20;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = want;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Reads the secret file; strips one trailing newline (editors add it). */
static char *read_secret_file(const char *path, size_t *len)
{
    char *buf = malloc(AUTH_MAX_SECRET + 2);
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!buf || !f) {
        fprintf(stderr, "ssemux-server: cannot read %s: %s\n", path, strerror(errno));
        free(buf);
        if (f)
            fclose(f);
        return NULL;
    }
    n = fread(buf, 1, AUTH_MAX_SECRET + 1, f);
    fclose(f);
    if (n && buf[n - 1] == '\n')
        n--;
    if (n && buf[n - 1] == '\r')
        n--;
    if (!n || n > AUTH_MAX_SECRET) {
        fprintf(stderr, "ssemux-server: %s must hold 1 to %d bytes\n", path, AUTH_MAX_SECRET);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* The "listening on" line comes last: it tells scripts the server is ready. */
static void print_listening(const server *srv)
{
    const server_config *c = &srv->config;
    const char *host = c->host;
    bool v6 = strchr(host, ':') != NULL;

    if (!auth_enabled(&srv->auth))
        fprintf(stderr, "ssemux-server: no JWT secret: anyone who can reach this port may "
                        "subscribe and publish (set SSEMUX_JWT_SECRET to require tokens)\n");
    if (!c->data_dir && !c->redis_url)
        fprintf(stderr, "ssemux-server: no --data-dir: history is kept in memory only and "
                        "lost on restart\n");
    fprintf(stderr, "ssemux-server: listening on %s://%s%s%s:%d%s%s\n",
            c->tls_cert ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "", server_port(srv),
            c->static_dir ? ", static files from " : "", c->static_dir ? c->static_dir : "");
}

int main(int argc, char **argv)
{
    server_config config;
    char err[512] = "";
    char *secret = NULL;
    size_t secret_len = 0;
    server *srv;
    int status = 0;

    switch (config_parse(&config, argc, argv, env_lookup, NULL, err, sizeof(err))) {
    case CONFIG_HELP:
        config_usage(stdout, "ssemux-server");
        return 0;
    case CONFIG_VERSION:
        printf("ssemux-server %s (libwebsockets %s)\n", SSEMUX_VERSION, lws_get_library_version());
        return 0;
    case CONFIG_ERROR:
        fprintf(stderr, "ssemux-server: %s\n", err);
        return 2;
    case CONFIG_OK:
        break;
    }
    if (config.jwt_secret_file) {
        secret = read_secret_file(config.jwt_secret_file, &secret_len);
        if (!secret)
            return 2;
    }

    quiet_logs = !config.verbose;
    lws_set_log_level(config.verbose ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR, log_line);
    raise_fd_limit();
    install_signals();

    srv = malloc(sizeof(*srv));
    if (!srv) {
        free(secret);
        return 1;
    }
    if (!server_start(srv, &config, secret ? secret : config.jwt_secret,
                      secret ? secret_len : (config.jwt_secret ? strlen(config.jwt_secret) : 0))) {
        server_stop(srv);
        free(srv);
        free(secret);
        return 1;
    }
    if (secret) {
        memset(secret, 0, secret_len);
        free(secret);
    }
    print_listening(srv);
    signal_context = srv->context;

    while (!srv->finished) {
        if (stop_requested && !srv->draining) {
            fprintf(stderr, "ssemux-server: draining %zu streams (at most %u ms)\n",
                    (size_t)srv->sessions.count, srv->config.drain_ms);
            server_begin_drain(srv);
        }
        if (lws_service(srv->context, 0) < 0) {
            status = 1;
            break;
        }
    }
    signal_context = NULL;
    server_stop(srv);
    free(srv);
    if (!status)
        fprintf(stderr, "ssemux-server: stopped\n");
    return status;
}
