/* Command-line parsing for sse_load; see sse_load_options.h. */
#define _GNU_SOURCE
#include "sse_load_options.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
"Usage: sse_load --port PORT [options]\n"
"\n"
"Opens N Server-Sent Events connections to one server, publishes events at a\n"
"fixed rate over keep-alive HTTP and reports delivery, loss and latency; or,\n"
"with --idle, holds N idle connections and reports the server's memory.\n"
"Every run is bounded in connections and time and stops by itself.\n"
"\n"
"Target:\n"
"  --url-host ADDR          IPv4 address of the server (default 127.0.0.1)\n"
"  --port PORT              its port (required)\n"
"  --path PATH              event-stream path and query (default /events?topic=bench)\n"
"  --connections N          subscriber connections (default 100, max 200000)\n"
"  --source-addrs A,B,...   bind subscriber sockets to these local addresses,\n"
"                           round-robin (e.g. 127.0.0.2,127.0.0.3): each address\n"
"                           gives another ~28k ports towards one server port\n"
"  --connect-concurrency C  connects in flight at once (default 256)\n"
"  --connect-timeout S      give up connecting after S seconds (default 60)\n"
"\n"
"Publishing (not with --idle):\n"
"  --publish-mode M         ssemux: POST form fields topic, type, data (default)\n"
"                           nchan: POST the message as the raw body\n"
"  --publish-url URL        a path on the same server, or http://ADDR:PORT/PATH\n"
"                           (default /publish, or /pub?id=bench for nchan)\n"
"  --topic T                topic form field, ssemux mode (default bench)\n"
"  --event-type T           type form field, ssemux mode (default bench)\n"
"  --rate R                 events per second (default 10)\n"
"  --duration S             seconds of publishing (default 10, max 600)\n"
"  --payload BYTES          size of each event's data (default 128, min 64)\n"
"  --publishers K           keep-alive publishing connections (default 1)\n"
"  --pipeline-loosely       a connection is free once a response's head is read:\n"
"                           the next request goes out before that body is read\n"
"                           (503 refusals and dropped posts are counted)\n"
"  --settle-ms MS           wait after all subscribers are up (default 500)\n"
"  --drain-ms MS            wait for late deliveries after publishing (default 5000)\n"
"\n"
"Memory:\n"
"  --idle                   hold the connections idle, report server memory\n"
"  --idle-hold-ms MS        how long to hold them before measuring (default 3000)\n"
"  --server-pid PID         server process; it and its descendants are measured\n"
"                           (RSS and PSS from /proc, CPU time under load)\n"
"\n"
"Output: one \"name value\" line per figure, for people and for awk.\n"
"Exit status: 0 when the run completed (figures may still show loss), 2 on\n"
"usage errors, 1 when the run could not be carried out.\n";

enum {
    OPT_HOST = 1000, OPT_PORT, OPT_PATH, OPT_CONNECTIONS, OPT_SOURCES, OPT_CONCURRENCY,
    OPT_CONNECT_TIMEOUT, OPT_MODE, OPT_PUBLISH_URL, OPT_TOPIC, OPT_TYPE, OPT_RATE,
    OPT_DURATION, OPT_PAYLOAD, OPT_PUBLISHERS, OPT_LOOSE, OPT_SETTLE, OPT_DRAIN, OPT_IDLE,
    OPT_IDLE_HOLD, OPT_SERVER_PID, OPT_HELP
};

static const struct option long_options[] = {
    {"url-host", required_argument, 0, OPT_HOST},
    {"port", required_argument, 0, OPT_PORT},
    {"path", required_argument, 0, OPT_PATH},
    {"connections", required_argument, 0, OPT_CONNECTIONS},
    {"source-addrs", required_argument, 0, OPT_SOURCES},
    {"connect-concurrency", required_argument, 0, OPT_CONCURRENCY},
    {"connect-timeout", required_argument, 0, OPT_CONNECT_TIMEOUT},
    {"publish-mode", required_argument, 0, OPT_MODE},
    {"publish-url", required_argument, 0, OPT_PUBLISH_URL},
    {"topic", required_argument, 0, OPT_TOPIC},
    {"event-type", required_argument, 0, OPT_TYPE},
    {"rate", required_argument, 0, OPT_RATE},
    {"duration", required_argument, 0, OPT_DURATION},
    {"payload", required_argument, 0, OPT_PAYLOAD},
    {"publishers", required_argument, 0, OPT_PUBLISHERS},
    {"pipeline-loosely", no_argument, 0, OPT_LOOSE},
    {"settle-ms", required_argument, 0, OPT_SETTLE},
    {"drain-ms", required_argument, 0, OPT_DRAIN},
    {"idle", no_argument, 0, OPT_IDLE},
    {"idle-hold-ms", required_argument, 0, OPT_IDLE_HOLD},
    {"server-pid", required_argument, 0, OPT_SERVER_PID},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0}
};

static int fail(const char *what, const char *value)
{
    fprintf(stderr, "sse_load: %s: %s (see --help)\n", what, value);
    return -1;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int copy_string(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static int parse_ipv4(const char *s, struct in_addr *out)
{
    return inet_pton(AF_INET, s, out) == 1 ? 0 : -1;
}

static int parse_sources(load_options *o, const char *list)
{
    char copy[LOAD_MAX_SOURCE_ADDRS * 16 + 1];
    if (strlen(list) >= sizeof copy)
        return -1;
    strcpy(copy, list);
    o->source_count = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (o->source_count == LOAD_MAX_SOURCE_ADDRS || parse_ipv4(tok, &o->source[o->source_count]) != 0)
            return -1;
        o->source_count++;
    }
    return o->source_count ? 0 : -1;
}

/* "http://ADDR:PORT/PATH" or "/PATH". Only IPv4 literals: the tool never
 * resolves names, so it can only reach what it was pointed at. */
static int parse_publish_url(load_options *o, const char *url, int *has_server)
{
    *has_server = 0;
    if (url[0] == '/')
        return copy_string(o->publish_path, sizeof o->publish_path, url);
    if (strncmp(url, "http://", 7) != 0)
        return -1;
    const char *hostport = url + 7;
    const char *slash = strchr(hostport, '/');
    const char *colon = strchr(hostport, ':');
    if (!slash || !colon || colon > slash || (size_t)(slash - hostport) >= sizeof o->publish_host_header)
        return -1;
    char addr[64];
    if ((size_t)(colon - hostport) >= sizeof addr)
        return -1;
    memcpy(addr, hostport, (size_t)(colon - hostport));
    addr[colon - hostport] = 0;
    char port[16];
    if ((size_t)(slash - colon - 1) >= sizeof port)
        return -1;
    memcpy(port, colon + 1, (size_t)(slash - colon - 1));
    port[slash - colon - 1] = 0;
    uint32_t p;
    if (parse_ipv4(addr, &o->publish_server.sin_addr) != 0 || parse_u32(port, 1, 65535, &p) != 0)
        return -1;
    o->publish_server.sin_family = AF_INET;
    o->publish_server.sin_port = htons((uint16_t)p);
    memcpy(o->publish_host_header, hostport, (size_t)(slash - hostport));
    o->publish_host_header[slash - hostport] = 0;
    *has_server = 1;
    return copy_string(o->publish_path, sizeof o->publish_path, slash);
}

int load_options_parse(load_options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->server.sin_family = AF_INET;
    o->server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    strcpy(o->path, "/events?topic=bench");
    o->connections = 100;
    o->publish_mode = LOAD_PUBLISH_SSEMUX;
    strcpy(o->topic, "bench");
    strcpy(o->event_type, "bench");
    o->rate = 10;
    o->duration_s = 10;
    o->payload = 128;
    o->publishers = 1;
    o->connect_concurrency = 256;
    o->connect_timeout_s = 60;
    o->settle_ms = 500;
    o->drain_ms = 5000;
    o->idle_hold_ms = 3000;

    uint32_t port = 0;
    const char *host = "127.0.0.1";
    const char *publish_url = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        uint32_t u;
        switch (opt) {
        case OPT_HOST:
            if (parse_ipv4(optarg, &o->server.sin_addr) != 0)
                return fail("--url-host wants an IPv4 address", optarg);
            host = optarg;
            break;
        case OPT_PORT:
            if (parse_u32(optarg, 1, 65535, &port) != 0)
                return fail("bad --port", optarg);
            break;
        case OPT_PATH:
            if (optarg[0] != '/' || copy_string(o->path, sizeof o->path, optarg) != 0)
                return fail("--path wants /PATH?QUERY", optarg);
            break;
        case OPT_CONNECTIONS:
            if (parse_u32(optarg, 1, LOAD_MAX_CONNECTIONS, &o->connections) != 0)
                return fail("--connections wants 1..200000", optarg);
            break;
        case OPT_SOURCES:
            if (parse_sources(o, optarg) != 0)
                return fail("--source-addrs wants up to 64 comma-separated IPv4 addresses", optarg);
            break;
        case OPT_CONCURRENCY:
            if (parse_u32(optarg, 1, 65536, &o->connect_concurrency) != 0)
                return fail("--connect-concurrency wants 1..65536", optarg);
            break;
        case OPT_CONNECT_TIMEOUT:
            if (parse_double(optarg, 0.1, 600, &o->connect_timeout_s) != 0)
                return fail("--connect-timeout wants 0.1..600 seconds", optarg);
            break;
        case OPT_MODE:
            if (strcmp(optarg, "ssemux") == 0)
                o->publish_mode = LOAD_PUBLISH_SSEMUX;
            else if (strcmp(optarg, "nchan") == 0)
                o->publish_mode = LOAD_PUBLISH_NCHAN;
            else
                return fail("--publish-mode wants ssemux or nchan", optarg);
            break;
        case OPT_PUBLISH_URL:
            publish_url = optarg;
            break;
        case OPT_TOPIC:
            if (copy_string(o->topic, sizeof o->topic, optarg) != 0)
                return fail("bad --topic", optarg);
            break;
        case OPT_TYPE:
            if (copy_string(o->event_type, sizeof o->event_type, optarg) != 0)
                return fail("bad --event-type", optarg);
            break;
        case OPT_RATE:
            if (parse_double(optarg, 0.01, LOAD_MAX_RATE, &o->rate) != 0)
                return fail("--rate wants 0.01..1000000 events/s", optarg);
            break;
        case OPT_DURATION:
            if (parse_double(optarg, 0.1, LOAD_MAX_DURATION_S, &o->duration_s) != 0)
                return fail("--duration wants 0.1..600 seconds", optarg);
            break;
        case OPT_PAYLOAD:
            if (parse_u32(optarg, LOAD_MIN_PAYLOAD, LOAD_MAX_PAYLOAD, &o->payload) != 0)
                return fail("--payload wants 64..16384 bytes", optarg);
            break;
        case OPT_PUBLISHERS:
            if (parse_u32(optarg, 1, LOAD_MAX_PUBLISHERS, &o->publishers) != 0)
                return fail("--publishers wants 1..16", optarg);
            break;
        case OPT_LOOSE:
            o->pipeline_loosely = 1;
            break;
        case OPT_SETTLE:
            if (parse_u32(optarg, 0, 60000, &o->settle_ms) != 0)
                return fail("--settle-ms wants 0..60000", optarg);
            break;
        case OPT_DRAIN:
            if (parse_u32(optarg, 0, 60000, &o->drain_ms) != 0)
                return fail("--drain-ms wants 0..60000", optarg);
            break;
        case OPT_IDLE:
            o->idle = 1;
            break;
        case OPT_IDLE_HOLD:
            if (parse_u32(optarg, 0, 600000, &o->idle_hold_ms) != 0)
                return fail("--idle-hold-ms wants 0..600000", optarg);
            break;
        case OPT_SERVER_PID:
            if (parse_u32(optarg, 1, 1u << 30, &u) != 0)
                return fail("bad --server-pid", optarg);
            o->server_pid = (int)u;
            break;
        case OPT_HELP:
            fputs(usage, stdout);
            return 1;
        default:
            fputs("sse_load: see --help\n", stderr);
            return -1;
        }
    }
    if (optind < argc)
        return fail("unexpected argument", argv[optind]);
    if (port == 0)
        return fail("missing option", "--port");
    o->server.sin_port = htons((uint16_t)port);
    snprintf(o->host_header, sizeof o->host_header, "%s:%u", host, (unsigned)port);

    int has_server = 0;
    if (!publish_url)
        publish_url = o->publish_mode == LOAD_PUBLISH_NCHAN ? "/pub?id=bench" : "/publish";
    if (parse_publish_url(o, publish_url, &has_server) != 0)
        return fail("--publish-url wants /PATH or http://ADDR:PORT/PATH", publish_url);
    if (!has_server) {
        o->publish_server = o->server;
        strcpy(o->publish_host_header, o->host_header);
    }
    return 0;
}
