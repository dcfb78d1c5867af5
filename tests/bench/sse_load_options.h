/* Command line of the SSE load tool (sse_load --help prints the same). */
#ifndef SSE_LOAD_OPTIONS_H
#define SSE_LOAD_OPTIONS_H

#include <netinet/in.h>
#include <stdint.h>

/* Hard bounds, so a typo cannot start an unbounded run. */
#define LOAD_MAX_CONNECTIONS 200000u
#define LOAD_MAX_SOURCE_ADDRS 64u
#define LOAD_MAX_RATE 1000000.0
#define LOAD_MAX_DURATION_S 600.0
#define LOAD_MAX_PAYLOAD 16384u
#define LOAD_MAX_PUBLISHERS 16u
#define LOAD_MAX_PATH 1024u

typedef enum load_publish_mode {
    LOAD_PUBLISH_SSEMUX, /* POST form fields topic, type, data (ssemux-server) */
    LOAD_PUBLISH_NCHAN   /* POST the raw message as the body (nginx + nchan) */
} load_publish_mode;

typedef struct load_options {
    struct sockaddr_in server;         /* --url-host, --port */
    char host_header[300];             /* "host:port" for the Host header */
    char path[LOAD_MAX_PATH];          /* --path: the event stream */
    uint32_t connections;
    struct in_addr source[LOAD_MAX_SOURCE_ADDRS];
    uint32_t source_count;             /* 0: let the kernel choose */
    load_publish_mode publish_mode;
    struct sockaddr_in publish_server; /* from --publish-url, else --url-host/--port */
    char publish_host_header[300];
    char publish_path[LOAD_MAX_PATH];
    char topic[128];                   /* --topic (ssemux mode) */
    char event_type[64];               /* --event-type (ssemux mode) */
    double rate;                       /* events/s */
    double duration_s;
    uint32_t payload;                  /* bytes of data per event */
    uint32_t publishers;               /* keep-alive publishing connections */
    int pipeline_loosely;              /* next request before the last body is read */
    uint32_t connect_concurrency;      /* connects in flight at once */
    double connect_timeout_s;
    uint32_t settle_ms;                /* pause between "all connected" and publishing */
    uint32_t drain_ms;                 /* how long to wait for stragglers after publishing */
    int idle;                          /* --idle: memory per idle connection */
    uint32_t idle_hold_ms;
    int server_pid;                    /* 0: none */
} load_options;

/* Parses argv into `o`. Returns 0 to run, 1 if --help was printed, -1 on
 * a usage error (already printed to stderr). */
int load_options_parse(load_options *o, int argc, char **argv);

/* The smallest --payload that fits the run id, sequence number and time
 * stamp the receivers need. */
#define LOAD_MIN_PAYLOAD 64u

#endif
