/*
 * The state of one sse_load run, shared by the subscriber side
 * (sse_load_subscriber.c), the publisher side (sse_load_publisher.c) and the
 * phases in sse_load.c. Everything lives here so those files keep no state
 * of their own. One thread drives it all through one epoll set.
 */
#ifndef SSE_LOAD_RUN_H
#define SSE_LOAD_RUN_H

#include <stdint.h>
#include <time.h>

#include "ssemux/parser.h"
#include "sse_load_hist.h"
#include "sse_load_http.h"
#include "sse_load_options.h"
#include "sse_load_seq.h"

/* epoll data: subscriber index, or this bit plus a publisher index. */
#define LOAD_TAG_PUBLISHER (UINT64_C(1) << 63)

typedef struct load_run load_run;

typedef struct load_sub {
    load_run *run;
    int fd;
    uint8_t state;          /* LOAD_SUB_* in sse_load_subscriber.c */
    uint8_t chunked;        /* the response is chunked */
    uint16_t request_sent;  /* bytes of the GET written so far */
    uint16_t head_len;
    char *head;             /* LOAD_HTTP_MAX_HEAD bytes, only while reading the head */
    load_http_chunked chunk;
    load_seq seq;
    sse_parser parser;      /* its buffer is this sub's slice of run->parser_memory */
} load_sub;

typedef struct load_pub {
    int fd;                 /* -1 when not connected */
    uint8_t state;          /* LOAD_PUB_* in sse_load_publisher.c */
    uint8_t parked;         /* --pipeline-loosely: head read, body left unread */
    uint8_t queued;         /* the next request is written behind that body */
    uint32_t interest;      /* epoll events asked for */
    int body_until_close;   /* response has no length: it ends at EOF */
    uint64_t sent_ns;       /* CLOCK_MONOTONIC the last request was written */
    char *request;          /* head + body; the payload is rewritten per event */
    size_t request_len, payload_offset, request_sent;
    char head[LOAD_HTTP_MAX_HEAD];
    size_t head_len;
    load_http_head response;
    int64_t body_left;
    load_http_chunked chunk;
} load_pub;

struct load_run {
    const load_options *opt;
    int epoll_fd;
    uint32_t run_id;
    char *read_buffer;      /* one buffer for every socket read */
    size_t read_capacity;
    uint64_t read_mono_ns;  /* CLOCK_MONOTONIC when the current read returned */
    uint64_t read_wall_ns;  /* CLOCK_REALTIME, same moment */
    uint64_t arrival_ns;    /* CLOCK_REALTIME the kernel received the bytes of
                             * the current read (SO_TIMESTAMPNS), else read_wall_ns */

    /* Subscribers. */
    load_sub *subs;
    char *parser_memory;
    size_t parser_slice;
    sse_parser_limits limits;
    char *sub_request;
    size_t sub_request_len;
    uint32_t next_sub;      /* next index to connect */
    uint32_t connecting, established, failed, lost;
    uint32_t failed_connect, failed_status, failed_closed;
    int first_failure_errno, first_failure_status;

    /* Deliveries. */
    uint64_t delivered, foreign, corrupt;
    load_seq_counts seq_counts;
    load_hist latency;      /* publish -> bytes in the subscriber's socket */
    load_hist read_latency; /* publish -> this tool read them (adds our own queueing) */
    uint64_t arrival_stamps, read_stamps; /* which clock each latency came from */
    uint64_t last_delivery_ns;

    /* Publishers. */
    load_pub pubs[LOAD_MAX_PUBLISHERS];
    uint64_t sent;          /* sequence numbers handed out */
    int pubs_done;          /* publishing is over: no body is left unread */
    uint64_t accepted, publish_errors, publish_connect_errors;
    uint64_t publish_refused;   /* answered 503 */
    uint64_t publish_dropped;   /* connection gone before the answer */
    uint64_t publish_pipelined; /* written before the previous body was read */
    load_hist publish_answer;   /* request written -> its response head read */
    int first_publish_status, first_publish_errno;
};

/* CLOCK_MONOTONIC in ns: for scheduling and durations. */
static inline uint64_t load_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_REALTIME in ns: for the send stamp in each event, because the
 * kernel's receive time stamps (SO_TIMESTAMPNS) are on this clock. A step
 * of the wall clock during a run would show as a latency outlier. */
static inline uint64_t load_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
