#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum option_type { OPT_STRING, OPT_UINT, OPT_FLAG } option_type;

typedef struct option_spec {
    const char *flag;   /* without the leading "--" */
    const char *env;
    option_type type;
    size_t offset;      /* into server_config */
    unsigned min, max;  /* OPT_UINT bounds */
    const char *arg;    /* placeholder in --help */
    const char *help;
} option_spec;

#define FIELD(name) offsetof(server_config, name)
#define MIB (1024u * 1024u)

static const option_spec options[] = {
    {"host", "SSEMUX_HOST", OPT_STRING, FIELD(host), 0, 0, "ADDR",
     "address to listen on: an IP address or a host name; 0.0.0.0 or :: for\n"
     "all interfaces (:: takes IPv4 too) (default 127.0.0.1)"},
    {"port", "SSEMUX_PORT", OPT_UINT, FIELD(port), 0, 65535, "N",
     "TCP port; 0 picks a free one, printed on stderr (default 8080)"},
    {"reuse-port", "SSEMUX_REUSE_PORT", OPT_FLAG, FIELD(reuse_port), 0, 0, NULL,
     "let several instances listen on the same --host/--port (SO_REUSEPORT:\n"
     "the kernel spreads new connections over them); with --redis they serve\n"
     "one event stream together, one core each (docs/server.md)"},
    {"static", "SSEMUX_STATIC", OPT_STRING, FIELD(static_dir), 0, 0, "DIR",
     "serve the files in DIR at / (index.html for directories)"},
    {"data-dir", "SSEMUX_DATA_DIR", OPT_STRING, FIELD(data_dir), 0, 0, "DIR",
     "keep the event log in DIR so a restart loses no acknowledged event;\n"
     "without it, history lives in memory only"},
    {"fsync", "SSEMUX_FSYNC", OPT_FLAG, FIELD(fsync), 0, 0, NULL,
     "fdatasync() the log before acknowledging each publish (survives power\n"
     "loss, not only crashes; much slower)"},
    {"retry-ms", "SSEMUX_RETRY_MS", OPT_UINT, FIELD(retry_ms), 0, 86400000u, "MS",
     "reconnection time sent as `retry:` when a stream opens (default 3000)"},
    {"heartbeat-ms", "SSEMUX_HEARTBEAT_MS", OPT_UINT, FIELD(heartbeat_ms), 100, 3600000u, "MS",
     "longest silence on a stream before a `: heartbeat` comment; also sent\n"
     "as the X-SSE-Heartbeat header (default 15000)"},
    {"history", "SSEMUX_HISTORY", OPT_UINT, FIELD(history), 1, 10000000u, "N",
     "events kept per topic for replay (default 1000)"},
    {"max-age-s", "SSEMUX_MAX_AGE_S", OPT_UINT, FIELD(max_age_s), 0, 31536000u, "S",
     "drop events older than this from history; 0 keeps them (default 3600)"},
    {"max-connections", "SSEMUX_MAX_CONNECTIONS", OPT_UINT, FIELD(max_connections), 1,
     10000000u, "N", "event streams open at once; more get 503 + Retry-After (default 10000)"},
    {"max-header-bytes", "SSEMUX_MAX_HEADER_BYTES", OPT_UINT, FIELD(max_header_bytes), 1024,
     65535, "N", "request line + headers per request; more gets 431 (default 8192)"},
    {"header-timeout-ms", "SSEMUX_HEADER_TIMEOUT_MS", OPT_UINT, FIELD(header_timeout_ms), 100,
     3600000u, "MS",
     "time a request's head may take to arrive; a slower one gets 408 and\n"
     "is closed (slowloris; docs/server.md) (default 10000)"},
    {"max-body-bytes", "SSEMUX_MAX_BODY_BYTES", OPT_UINT, FIELD(max_body_bytes), 64, 64 * MIB,
     "N", "POST /publish body; larger gets 413 (default 65536)"},
    {"max-backlog-bytes", "SSEMUX_MAX_BACKLOG_BYTES", OPT_UINT, FIELD(max_backlog_bytes), 1024,
     1024 * MIB, "N",
     "unsent bytes a stream may fall behind before it is closed with a retry\n"
     "hint; it resumes by ID (default 1048576)"},
    {"max-topics", "SSEMUX_MAX_TOPICS", OPT_UINT, FIELD(max_topics), 1, 100000000u, "N",
     "topics the store holds; publishing to a new one past this gets 503\n"
     "(default 100000)"},
    {"jwt-secret", "SSEMUX_JWT_SECRET", OPT_STRING, FIELD(jwt_secret), 0, 0, "SECRET",
     "require HS256 JWTs signed with SECRET (prefer the variable or\n"
     "--jwt-secret-file: flags show up in ps); without a secret the server is open"},
    {"jwt-secret-file", "SSEMUX_JWT_SECRET_FILE", OPT_STRING, FIELD(jwt_secret_file), 0, 0,
     "PATH", "read the JWT secret from PATH (trailing newline ignored)"},
    {"cors-origins", "SSEMUX_CORS_ORIGINS", OPT_STRING, FIELD(cors_origins), 0, 0, "LIST",
     "comma-separated origins allowed cross-origin (e.g. https://app.example),\n"
     "or * for any; none by default"},
    {"tls-cert", "SSEMUX_TLS_CERT", OPT_STRING, FIELD(tls_cert), 0, 0, "PATH",
     "PEM certificate: serve HTTPS (HTTP/1.1; see --http2)"},
    {"tls-key", "SSEMUX_TLS_KEY", OPT_STRING, FIELD(tls_key), 0, 0, "PATH",
     "PEM private key for --tls-cert"},
    {"http2", "SSEMUX_HTTP2", OPT_FLAG, FIELD(http2), 0, 0, NULL,
     "with TLS, offer HTTP/2 by ALPN. Off by default: libwebsockets 4.1 drops\n"
     "the Last-Event-ID header of HTTP/2 requests, so clients must resume with\n"
     "?lastEventId= instead (ssemux's hub does; a native EventSource does not)"},
    {"drain-ms", "SSEMUX_DRAIN_MS", OPT_UINT, FIELD(drain_ms), 0, 600000u, "MS",
     "on SIGTERM/SIGINT, time allowed to flush streams before exiting (default 5000)"},
    {"drain-retry-ms", "SSEMUX_DRAIN_RETRY_MS", OPT_UINT, FIELD(drain_retry_ms), 0, 86400000u,
     "MS", "`retry:` sent to every stream when draining (default 250)"},
    {"verbose", "SSEMUX_VERBOSE", OPT_FLAG, FIELD(verbose), 0, 0, NULL,
     "log libwebsockets notices too"},
    {"redis", "SSEMUX_REDIS", OPT_STRING, FIELD(redis_url), 0, 0, "URL",
     "keep events in Redis (redis://[USER:PASSWORD@]HOST[:PORT][/DB]: AUTH as\n"
     "the ACL user, or the default one with :PASSWORD@, and SELECT DB on every\n"
     "connect; percent-encode : @ / % in them) instead of the embedded store,\n"
     "so several instances share one stream. Prefer the variable for a password\n"
     "(flags show up in ps). No rediss://: TLS goes through a local stunnel\n"
     "(docs/deployment.md). --history and --max-age-s apply to the Redis streams"},
    {"redis-prefix", "SSEMUX_REDIS_PREFIX", OPT_STRING, FIELD(redis_prefix), 0, 0, "PREFIX",
     "prefix of every Redis key (default ssemux:)"},
    {"redis-stream-len", "SSEMUX_REDIS_STREAM_LEN", OPT_UINT, FIELD(redis_stream_len), 100,
     100000000u, "N",
     "approximate length of the global Redis stream every instance follows;\n"
     "an instance that falls further behind than N events (cut off, stopped)\n"
     "cannot read what was trimmed: its streams get ssemux-gap (default 100000)"},
    {"demo", "SSEMUX_DEMO", OPT_FLAG, FIELD(demo), 0, 0, NULL,
     "demo mode (the live demo, docs/demo.md): POST /demo/outage?seconds=N\n"
     "drops every event stream and refuses new ones (503 + Retry-After) for N\n"
     "seconds, so the page can show tabs reconnecting. Anyone who reaches the\n"
     "port can trigger it: never in production"},
};

#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))

void config_defaults(server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->host = "127.0.0.1";
    cfg->port = 8080;
    cfg->retry_ms = 3000;
    cfg->heartbeat_ms = 15000;
    cfg->history = 1000;
    cfg->max_age_s = 3600;
    cfg->max_connections = 10000;
    cfg->max_header_bytes = 8192;
    cfg->header_timeout_ms = 10000;
    cfg->max_body_bytes = 65536;
    cfg->max_backlog_bytes = MIB;
    cfg->max_topics = 100000;
    cfg->drain_ms = 5000;
    cfg->drain_retry_ms = 250;
    cfg->redis_prefix = "ssemux:";
    cfg->redis_stream_len = 100000;
}

static const option_spec *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (strlen(options[i].flag) == len && memcmp(options[i].flag, name, len) == 0)
            return &options[i];
    return NULL;
}

static bool parse_uint(const char *text, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    unsigned long long v;

    if (!text || text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool parse_flag_value(const char *text, bool *out)
{
    if (!strcmp(text, "1") || !strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "on"))
        *out = true;
    else if (!strcmp(text, "0") || !strcmp(text, "false") || !strcmp(text, "no") ||
             !strcmp(text, "off") || !text[0])
        *out = false;
    else
        return false;
    return true;
}

/* Stores one value; `source` names the flag or variable for errors. */
static bool apply(server_config *cfg, const option_spec *opt, const char *value,
                  const char *source, char *err, size_t err_cap)
{
    char *field = (char *)cfg + opt->offset;

    switch (opt->type) {
    case OPT_STRING:
        *(const char **)(void *)field = value && value[0] ? value : NULL;
        return true;
    case OPT_UINT:
        if (parse_uint(value, opt->min, opt->max, (unsigned *)(void *)field))
            return true;
        snprintf(err, err_cap, "%s: expected a whole number from %u to %u, got \"%s\"", source,
                 opt->min, opt->max, value ? value : "");
        return false;
    case OPT_FLAG:
        if (parse_flag_value(value, (bool *)(void *)field))
            return true;
        snprintf(err, err_cap, "%s: expected 1/0, true/false, yes/no or on/off, got \"%s\"",
                 source, value);
        return false;
    }
    return false;
}

config_result config_parse(server_config *cfg, int argc, char **argv, config_getenv getenv_fn,
                           void *env_user, char *err, size_t err_cap)
{
    config_defaults(cfg);
    if (getenv_fn) {
        for (size_t i = 0; i < OPTION_COUNT; i++) {
            const char *value = getenv_fn(env_user, options[i].env);
            if (value && !apply(cfg, &options[i], value, options[i].env, err, err_cap))
                return CONFIG_ERROR;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *name, *eq, *value;
        const option_spec *opt;
        size_t name_len;

        if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
            return CONFIG_HELP;
        if (!strcmp(arg, "--version"))
            return CONFIG_VERSION;
        if (strncmp(arg, "--", 2) != 0) {
            snprintf(err, err_cap, "unexpected argument \"%s\" (see --help)", arg);
            return CONFIG_ERROR;
        }
        name = arg + 2;
        eq = strchr(name, '=');
        name_len = eq ? (size_t)(eq - name) : strlen(name);
        opt = find_flag(name, name_len);
        if (!opt) {
            snprintf(err, err_cap, "unknown option \"%s\" (see --help)", arg);
            return CONFIG_ERROR;
        }
        if (eq) {
            value = eq + 1;
        } else if (opt->type == OPT_FLAG) {
            value = "1";
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(err, err_cap, "%s needs a value (see --help)", arg);
            return CONFIG_ERROR;
        }
        if (!apply(cfg, opt, value, arg, err, err_cap))
            return CONFIG_ERROR;
    }
    if (!cfg->tls_cert != !cfg->tls_key) {
        snprintf(err, err_cap, "--tls-cert and --tls-key go together");
        return CONFIG_ERROR;
    }
    if (cfg->http2 && !cfg->tls_cert) {
        snprintf(err, err_cap, "--http2 needs --tls-cert and --tls-key (HTTP/2 is offered by ALPN)");
        return CONFIG_ERROR;
    }
    if (cfg->redis_url && cfg->data_dir) {
        snprintf(err, err_cap, "--redis and --data-dir exclude each other (Redis keeps the events)");
        return CONFIG_ERROR;
    }
    if (!cfg->redis_prefix)
        cfg->redis_prefix = "";
    if (cfg->jwt_secret && cfg->jwt_secret_file) {
        snprintf(err, err_cap, "give the JWT secret once: --jwt-secret or --jwt-secret-file");
        return CONFIG_ERROR;
    }
    return CONFIG_OK;
}

void config_usage(FILE *out, const char *program)
{
    fprintf(out,
            "Usage: %s [OPTION]...\n"
            "\n"
            "Server-Sent Events with replay: GET /events?topic=A&topic=B streams events,\n"
            "POST /publish (topic, type, data) adds one, GET /healthz, GET /metrics.\n"
            "Every option can also be set by the environment variable shown; a flag\n"
            "wins over its variable. See docs/server.md and docs/protocol.md.\n"
            "\n",
            program);
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const option_spec *o = &options[i];
        char head[64];
        const char *line = o->help;

        snprintf(head, sizeof(head), "--%s%s%s", o->flag, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-26s [%s]\n", head, o->env);
        while (*line) {
            const char *nl = strchr(line, '\n');
            size_t n = nl ? (size_t)(nl - line) : strlen(line);
            fprintf(out, "      %.*s\n", (int)n, line);
            line += n + (nl ? 1 : 0);
        }
    }
    fprintf(out, "  %-26s\n      this text\n  %-26s\n      print the version\n", "--help",
            "--version");
    fprintf(out, "\nExit status:\n"
                 "  0  stopped by SIGTERM/SIGINT after draining, or --help/--version\n"
                 "  1  could not start (port in use, bad --data-dir, TLS files, store)\n"
                 "  2  usage error (unknown flag, bad value, unreadable --jwt-secret-file)\n");
}
