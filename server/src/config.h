/*
 * ssemux-server's settings: defaults, then SSEMUX_* environment variables,
 * then command-line flags (--name value or --name=value). One table in
 * config.c lists every setting with its flag, variable, bounds and help
 * text, so --help and the parser cannot disagree.
 */
#ifndef SSEMUX_SERVER_CONFIG_H
#define SSEMUX_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct server_config {
    const char *host;
    unsigned port;
    const char *static_dir;
    const char *data_dir;
    bool fsync;
    unsigned retry_ms;
    unsigned heartbeat_ms;
    unsigned history;
    unsigned max_age_s;
    unsigned max_connections;
    unsigned max_header_bytes;
    unsigned header_timeout_ms;
    unsigned max_body_bytes;
    unsigned max_backlog_bytes;
    unsigned max_topics;
    const char *jwt_secret;
    const char *jwt_secret_file;
    const char *cors_origins;
    const char *tls_cert;
    const char *tls_key;
    bool http2;
    bool reuse_port;        /* SO_REUSEPORT: several instances, one port */
    unsigned drain_ms;
    unsigned drain_retry_ms;
    bool verbose;
    bool demo;              /* demo_outage.h */
    const char *redis_url;  /* NULL: the embedded store (store_redis.h) */
    const char *redis_prefix;
    unsigned redis_stream_len;
} server_config;

typedef enum config_result {
    CONFIG_OK = 0,
    CONFIG_HELP,    /* --help: print config_usage() and exit 0 */
    CONFIG_VERSION, /* --version */
    CONFIG_ERROR    /* message in err */
} config_result;

/* Returns the value of an environment variable or NULL; getenv in main,
 * a table in tests. */
typedef const char *(*config_getenv)(void *user, const char *name);

void config_defaults(server_config *cfg);

/* Fills cfg from defaults, environment and argv. Strings point into argv
 * or the environment; nothing is allocated. */
config_result config_parse(server_config *cfg, int argc, char **argv, config_getenv getenv_fn,
                           void *env_user, char *err, size_t err_cap);

void config_usage(FILE *out, const char *program);

#endif
