#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "heartbeat.h"
#include "http_routes.h"
#include "listener.h"
#include "peer_watch.h"
#include "request_gate.h"
#include "sse_frame.h"
#include "sse_session.h"
#include "store_memory.h"
#include "store_redis.h"

/* lws's header buffers (each --max-header-bytes, allocated on use and
 * freed after the head) for what the request gate does not hold back:
 * keep-alive requests after the first, and TLS. As many as descriptors,
 * so waiting connections can never exhaust them (lws caps it at 65535). */
static unsigned short header_pool_size(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > 65535)
        return 65535;
    return rl.rlim_cur < 1024 ? 1024 : (unsigned short)rl.rlim_cur;
}
/* How often the drain checks whether every stream is flushed. */
#define DRAIN_POLL_US (50 * 1000)

uint64_t server_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_store_event(void *user, const char *topic, size_t topic_len,
                           const store_event *event)
{
    sse_sessions_on_event(user, topic, topic_len, event);
}

/* Frames can be up to 7x their data (every byte a line break becomes
 * "data: \n"), plus the id and event lines. */
static size_t max_frame_bytes(const server_config *cfg)
{
    return (size_t)cfg->max_body_bytes * 7 + 256;
}

/* --redis: events live in Redis, shared by every instance. */
static bool open_redis_store(server *srv, const store_memory_config *retention)
{
    store_redis_config rc;
    char err[512] = "";
    store_status st;

    memset(&rc, 0, sizeof(rc));
    rc.url = srv->config.redis_url;
    rc.prefix = srv->config.redis_prefix;
    rc.stream_len = srv->config.redis_stream_len;
    rc.retention = *retention;
    rc.context = srv->context;
    rc.vhost = srv->vhost;
    st = store_redis_open(&rc, server_now_ms(), &srv->store, err, sizeof(err));
    if (st != STORE_OK) {
        fprintf(stderr, "ssemux-server: cannot open the Redis store: %s\n",
                err[0] ? err : store_strerror(st));
        return false;
    }
    store_set_listener(srv->store, on_store_event, srv);
    return true;
}

static bool open_store(server *srv)
{
    store_memory_config sc;
    store_memory_open_info info;
    char err[512] = "";
    store_status st;

    memset(&sc, 0, sizeof(sc));
    sc.history = srv->config.history;
    sc.max_age_ms = (uint64_t)srv->config.max_age_s * 1000u;
    sc.max_topics = srv->config.max_topics;
    sc.max_frame_bytes = max_frame_bytes(&srv->config);
    if (srv->config.redis_url)
        return open_redis_store(srv, &sc);
    sc.data_dir = srv->config.data_dir;
    sc.fsync = srv->config.fsync;
    st = store_memory_open(&sc, server_now_ms(), &srv->store, &info, err, sizeof(err));
    if (st != STORE_OK) {
        fprintf(stderr, "ssemux-server: cannot open the store: %s%s%s\n", store_strerror(st),
                err[0] ? ": " : "", err);
        return false;
    }
    if (srv->config.data_dir) {
        char last[EVENT_ID_MAX_TEXT];
        event_id_format(store_last_id(srv->store), last);
        fprintf(stderr,
                "ssemux-server: event log %s/events.log: %llu records replayed, %zu events "
                "retained, last id %s\n",
                srv->config.data_dir, (unsigned long long)info.replayed_records,
                info.retained_events, last);
        if (info.truncated_bytes)
            fprintf(stderr,
                    "ssemux-server: dropped a torn tail of %llu bytes (a write the last crash "
                    "interrupted; it was never acknowledged)\n",
                    (unsigned long long)info.truncated_bytes);
    }
    store_set_listener(srv->store, on_store_event, srv);
    return true;
}

static void add_mime(server *srv, size_t *n, const char *ext, const char *type)
{
    struct lws_protocol_vhost_options *o = &srv->mime_types[*n];

    o->name = ext;
    o->value = type;
    o->next = *n ? &srv->mime_types[*n - 1] : NULL;
    (*n)++;
}

/* --static DIR at "/", with our API paths mounted back onto the protocol
 * (the longest mountpoint wins, so /events never reaches the files). */
static const struct lws_http_mount *build_mounts(server *srv)
{
    size_t m = 0, t = 0;

    if (!srv->config.static_dir)
        return NULL; /* every request goes to the protocol */
    /* The browser refuses modules and wasm streaming with the wrong type. */
    add_mime(srv, &t, "*", "application/octet-stream");
    add_mime(srv, &t, ".wasm", "application/wasm");
    add_mime(srv, &t, ".js", "text/javascript; charset=utf-8");
    add_mime(srv, &t, ".mjs", "text/javascript; charset=utf-8");
    add_mime(srv, &t, ".css", "text/css; charset=utf-8");
    add_mime(srv, &t, ".html", "text/html; charset=utf-8");
    add_mime(srv, &t, ".svg", "image/svg+xml");
    add_mime(srv, &t, ".json", "application/json");

    for (const char *const *path = http_routes_paths; *path; path++, m++) {
        struct lws_http_mount *mount = &srv->mounts[m];
        mount->mountpoint = *path;
        mount->mountpoint_len = (unsigned char)strlen(*path);
        mount->origin_protocol = LWSMPRO_CALLBACK;
        mount->protocol = HTTP_ROUTES_PROTOCOL;
        mount->mount_next = &srv->mounts[m + 1];
    }
    srv->mounts[m].mountpoint = "/";
    srv->mounts[m].mountpoint_len = 1;
    srv->mounts[m].origin = srv->statics.root; /* resolved: static_files.h */
    srv->mounts[m].def = "index.html";
    srv->mounts[m].origin_protocol = LWSMPRO_FILE;
    srv->mounts[m].extra_mimetypes = &srv->mime_types[t - 1];
    srv->mounts[m].mount_next = NULL;
    return &srv->mounts[0];
}

static bool create_context(server *srv)
{
    struct lws_context_creation_info info;

    memset(&info, 0, sizeof(info));
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (srv->config.tls_cert)
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.user = srv;
    info.max_http_header_data = (unsigned short)srv->config.max_header_bytes;
    info.max_http_header_pool = header_pool_size();
    info.server_string = "ssemux";
    srv->context = lws_create_context(&info);
    if (!srv->context) {
        fprintf(stderr, "ssemux-server: cannot create the libwebsockets context\n");
        return false;
    }
    if (srv->config.static_dir)
        static_files_install(&srv->statics, srv->context);

    memset(&info, 0, sizeof(info));
    /* A server vhost without a listener of its own: listener.c accepts. */
    info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
    info.protocols = http_routes_protocols;
    info.mounts = build_mounts(srv);
    info.vhost_name = "ssemux";
    /* A head lws reads (see header_pool_size) must be whole this soon. */
    info.timeout_secs_ah_idle = (int)((srv->config.header_timeout_ms + 999) / 1000);
    if (srv->config.tls_cert) {
        /* lws checks this per vhost too, not only on the context. */
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = srv->config.tls_cert;
        info.ssl_private_key_filepath = srv->config.tls_key;
        /* HTTP/2 carries many streams on one connection, but lws 4.1 drops
         * unknown request headers on it, Last-Event-ID included: opt-in. */
        info.alpn = srv->config.http2 ? "h2,http/1.1" : "http/1.1";
    }
    srv->vhost = lws_create_vhost(srv->context, &info);
    if (!srv->vhost) {
        fprintf(stderr, "ssemux-server: cannot set up the server%s\n",
                srv->config.tls_cert ? " (is the TLS certificate/key readable?)" : "");
        return false;
    }
    return true;
}

bool server_start(server *srv, const server_config *config, const char *jwt_secret,
                  size_t jwt_secret_len)
{
    char err[256];

    memset(srv, 0, sizeof(*srv));
    srv->config = *config;
    srv->peer_watch_fd = -1;
    srv->gate_fd = -1;
    srv->spare_fd = -1;
    if (!auth_verifier_init(&srv->auth, jwt_secret, jwt_secret_len)) {
        fprintf(stderr, "ssemux-server: the JWT secret is longer than %d bytes\n",
                AUTH_MAX_SECRET);
        return false;
    }
    if (config->static_dir && !static_files_init(&srv->statics, config->static_dir, err, sizeof err)) {
        fprintf(stderr, "ssemux-server: --static %s: %s\n", config->static_dir, err);
        return false;
    }
    if (!cors_init(&srv->cors, config->cors_origins) || !topic_registry_init(&srv->topics)) {
        fprintf(stderr, "ssemux-server: out of memory\n");
        return false;
    }
    srv->write_cap = max_frame_bytes(config) > SERVER_WRITE_BATCH ? max_frame_bytes(config)
                                                                  : SERVER_WRITE_BATCH;
    /* Room for the retry hints and gap notices that precede a big frame. */
    srv->write_cap += 8192;
    srv->write_buf = malloc(LWS_PRE + srv->write_cap);
    if (!srv->write_buf) {
        fprintf(stderr, "ssemux-server: out of memory\n");
        return false;
    }
    /* The context first: the Redis store's connections run on its loop. */
    if (!create_context(srv) || !open_store(srv) || !peer_watch_start(srv) ||
        !request_gate_start(srv) || !listener_start(srv))
        return false;
    heartbeat_start(srv);
    return true;
}

int server_port(const server *srv)
{
    return srv->listen_port;
}

static void drain_check(lws_sorted_usec_list_t *sul)
{
    server *srv = lws_container_of(sul, server, drain_timer);

    if (!srv->sessions.count || server_now_ms() >= srv->drain_deadline_ms) {
        srv->finished = true;
        lws_cancel_service(srv->context);
        return;
    }
    lws_sul_schedule(srv->context, 0, &srv->drain_timer, drain_check, DRAIN_POLL_US);
}

void server_begin_drain(server *srv)
{
    if (srv->draining)
        return;
    srv->draining = true;
    srv->drain_deadline_ms = server_now_ms() + srv->config.drain_ms;
    /* New connections are refused; open ones carry on (those still
     * sending their first request too: they are told 503 "draining"). */
    listener_stop(srv);
    lws_start_foreach_dll(struct lws_dll2 *, d, lws_dll2_get_head(&srv->sessions)) {
        sse_session_end(srv, lws_container_of(d, sse_session, link), SSE_END_DRAIN);
    }
    lws_end_foreach_dll(d);
    drain_check(&srv->drain_timer);
}

void server_stop(server *srv)
{
    /* Before the context: the Redis store fails its pending publishes and
     * lets go of its sockets while the loop still exists. Nothing that
     * closes with the context touches the store. */
    if (srv->context)
        heartbeat_stop(srv);
    store_destroy(srv->store);
    srv->store = NULL;
    if (srv->context) {
        lws_sul_cancel(&srv->drain_timer);
        request_gate_close_all(srv);
        /* Closes what is left; the protocol callback unsubscribes each. */
        lws_context_destroy(srv->context);
        srv->context = NULL;
    }
    topic_registry_free(&srv->topics);
    cors_free(&srv->cors);
    free(srv->write_buf);
    srv->write_buf = NULL;
    free(srv->gate_buf);
    srv->gate_buf = NULL;
    if (srv->spare_fd >= 0)
        close(srv->spare_fd);
    srv->spare_fd = -1;
}
