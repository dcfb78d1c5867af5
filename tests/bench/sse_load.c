/*
 * sse_load: load generator for Server-Sent Events servers (ssemux-server,
 * nginx + nchan). See --help, and docs/benchmarks.md ("Server") for how
 * run-server-bench.sh uses it.
 *
 * A run goes through fixed phases, each bounded in time:
 *   connect  open --connections streams, --connect-concurrency at a time,
 *            until all are up or failed, or --connect-timeout passes;
 *   idle     (--idle only) hold them --idle-hold-ms, measure server memory;
 *   settle   --settle-ms so the server has registered every subscriber;
 *   publish  --rate events/s for --duration s, each stamped with its send time;
 *   drain    until every open stream has every event, or --drain-ms passes;
 * then one "name value" line per figure.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sse_load_options.h"
#include "sse_load_proc.h"
#include "sse_load_publisher.h"
#include "sse_load_run.h"
#include "sse_load_subscriber.h"

#define READ_BUFFER_BYTES (64u * 1024u)
#define MAX_EPOLL_EVENTS 1024
#define MS 1000000ull

/* One socket per connection plus a few: raise the soft limit, and the hard
 * one too when allowed (root), rather than fail at connection 1020. */
static int raise_fd_limit(uint64_t need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur >= need)
        return 0;
    struct rlimit want = { .rlim_cur = need, .rlim_max = rl.rlim_max > need ? rl.rlim_max : need };
    if (setrlimit(RLIMIT_NOFILE, &want) == 0)
        return 0;
    fprintf(stderr, "sse_load: need %llu open files, the limit is %llu (hard %llu): "
            "raise it with ulimit -n, or run as root\n", (unsigned long long)need,
            (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    return -1;
}

/* Waits up to timeout_ms for socket events and hands each to its owner. */
static void poll_once(load_run *r, int timeout_ms)
{
    struct epoll_event events[MAX_EPOLL_EVENTS];
    int n = epoll_wait(r->epoll_fd, events, MAX_EPOLL_EVENTS, timeout_ms);
    for (int i = 0; i < n; i++) {
        uint64_t tag = events[i].data.u64;
        if (tag & LOAD_TAG_PUBLISHER)
            load_pub_handle(r, (uint32_t)(tag & ~LOAD_TAG_PUBLISHER), events[i].events);
        else
            load_sub_handle(r, (uint32_t)tag, events[i].events);
    }
}

static void poll_for(load_run *r, uint64_t ms)
{
    uint64_t end = load_now_ns() + ms * MS;
    for (uint64_t now = load_now_ns(); now < end; now = load_now_ns())
        poll_once(r, (int)((end - now + MS - 1) / MS));
}

static double seconds_between(uint64_t from_ns, uint64_t to_ns)
{
    return to_ns > from_ns ? (double)(to_ns - from_ns) / 1e9 : 0.0;
}

static double tool_cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* "Connection refused", "HTTP status 503" or "closed by the server". */
static const char *describe_failure(char *buf, size_t cap, int err, int status)
{
    if (err)
        snprintf(buf, cap, "%s", strerror(err));
    else if (status)
        snprintf(buf, cap, "HTTP status %d", status);
    else
        snprintf(buf, cap, "closed by the server");
    return buf;
}

static void connect_all(load_run *r)
{
    uint64_t start = load_now_ns();
    uint64_t deadline = start + (uint64_t)(r->opt->connect_timeout_s * 1e9);
    while (r->established + r->failed < r->opt->connections && load_now_ns() < deadline) {
        load_subs_connect_more(r);
        poll_once(r, 100);
    }
    printf("connections_requested %u\n", r->opt->connections);
    printf("connections_established %u\n", r->established);
    printf("connections_failed %u\n", r->failed);
    printf("connections_unfinished %u\n", r->opt->connections - r->established - r->failed);
    printf("connect_seconds %.3f\n", seconds_between(start, load_now_ns()));
    if (r->failed) {
        char why[128];
        fprintf(stderr, "sse_load: %u connections failed (%u connect errors, %u non-200 answers, "
                "%u closed before the head); the first: %s\n", r->failed, r->failed_connect,
                r->failed_status, r->failed_closed,
                describe_failure(why, sizeof why, r->first_failure_errno, r->first_failure_status));
    }
}

static int sample_server(const load_run *r, load_proc_sample *s)
{
    if (r->opt->server_pid == 0)
        return -1;
    if (load_proc_sample_tree(r->opt->server_pid, s) != 0) {
        fprintf(stderr, "sse_load: --server-pid %d: no such process\n", r->opt->server_pid);
        return -1;
    }
    return 0;
}

static int run_idle(load_run *r)
{
    load_proc_sample before, after;
    int have_before = sample_server(r, &before) == 0;
    connect_all(r);
    poll_for(r, r->opt->idle_hold_ms);
    printf("connections_open_after_hold %u\n", r->established - r->lost);
    if (!have_before || sample_server(r, &after) != 0)
        return 0;
    uint32_t open = r->established - r->lost;
    printf("server_processes %u\n", after.processes);
    printf("server_rss_kib_before %llu\n", (unsigned long long)before.rss_kib);
    printf("server_rss_kib_after %llu\n", (unsigned long long)after.rss_kib);
    printf("server_pss_kib_before %llu\n", (unsigned long long)before.pss_kib);
    printf("server_pss_kib_after %llu\n", (unsigned long long)after.pss_kib);
    if (open) {
        printf("server_rss_kib_per_connection %.2f\n",
               ((double)after.rss_kib - (double)before.rss_kib) / open);
        printf("server_pss_kib_per_connection %.2f\n",
               ((double)after.pss_kib - (double)before.pss_kib) / open);
    }
    return 0;
}

static void print_latency(const char *prefix, const load_hist *h)
{
    static const struct { const char *name; double percent; } points[] = {
        {"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}, {"max", 100}
    };
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
        printf("%s_ms_%s %.3f\n", prefix, points[i].name,
               (double)load_hist_percentile(h, points[i].percent) / 1e6);
    printf("%s_ms_mean %.3f\n", prefix, load_hist_mean(h) / 1e6);
}

static int run_load(load_run *r)
{
    const load_options *o = r->opt;
    if (load_pubs_init(r) != 0) {
        perror("sse_load: publishers");
        return 1;
    }
    connect_all(r);
    if (r->established == 0) {
        fprintf(stderr, "sse_load: no subscriber connected; nothing to measure\n");
        return 1;
    }
    poll_for(r, o->settle_ms);

    load_proc_sample cpu_before, cpu_after;
    int have_cpu = sample_server(r, &cpu_before) == 0;
    double tool_cpu_before = tool_cpu_seconds();
    uint64_t planned = (uint64_t)ceil(o->rate * o->duration_s);
    uint64_t start = load_now_ns();
    uint64_t end = start + (uint64_t)(o->duration_s * 1e9);
    uint64_t interval_ns = (uint64_t)(1e9 / o->rate);

    /* Publish: event k is due at start + k/rate. When no publisher is free
     * it waits; its time stamp is taken when it is actually sent. */
    for (uint64_t now = start; now < end && r->sent < planned; now = load_now_ns()) {
        uint64_t due = (uint64_t)((double)(now - start) * o->rate / 1e9) + 1u;
        if (due > planned)
            due = planned;
        while (r->sent < due && load_pub_send(r))
            ;
        /* Behind (every publisher busy): a response wakes us. Otherwise
         * sleep until the next event is due, in whole ms rounded up: an
         * event goes out at most ~1 ms late and the loop never spins. */
        int wait_ms = 50;
        if (r->sent >= due) {
            uint64_t next_due = start + r->sent * interval_ns;
            now = load_now_ns();
            uint64_t wait = next_due > now ? (next_due - now + MS - 1) / MS : 0;
            wait_ms = wait < 50 ? (int)wait : 50;
        }
        poll_once(r, wait_ms);
    }
    uint64_t publish_end = load_now_ns();
    load_pubs_publishing_done(r);

    /* Drain: responses to the last posts, then the last deliveries. */
    uint64_t drain_deadline = publish_end + o->drain_ms * MS;
    while (load_now_ns() < drain_deadline &&
           (load_pubs_in_flight(r) || load_subs_behind(r, r->sent)))
        poll_once(r, 20);
    uint64_t drain_end = load_now_ns();
    have_cpu = have_cpu && sample_server(r, &cpu_after) == 0;
    double tool_cpu = tool_cpu_seconds() - tool_cpu_before;
    load_subs_count_missing(r);

    uint32_t open = r->established - r->lost;
    double publish_s = seconds_between(start, publish_end);
    double window_s = seconds_between(start, drain_end);
    double delivery_s = seconds_between(start, r->last_delivery_ns ? r->last_delivery_ns : drain_end);
    printf("connections_lost %u\n", r->lost);
    printf("publish_rate_target %.1f\n", o->rate);
    printf("events_sent %llu\n", (unsigned long long)r->sent);
    printf("events_published %llu\n", (unsigned long long)r->accepted);
    printf("publish_errors %llu\n", (unsigned long long)r->publish_errors);
    printf("publish_connect_errors %llu\n", (unsigned long long)r->publish_connect_errors);
    printf("publish_refused_503 %llu\n", (unsigned long long)r->publish_refused);
    printf("publish_dropped %llu\n", (unsigned long long)r->publish_dropped);
    printf("publish_unanswered %u\n", load_pubs_unanswered(r));
    printf("publish_pipelined %llu\n", (unsigned long long)r->publish_pipelined);
    printf("publish_rate_achieved %.1f\n", publish_s > 0 ? (double)r->sent / publish_s : 0.0);
    printf("events_expected %llu\n", (unsigned long long)(r->sent * open));
    printf("events_delivered %llu\n", (unsigned long long)r->delivered);
    printf("events_missing %llu\n", (unsigned long long)r->seq_counts.missing);
    printf("events_duplicate %llu\n", (unsigned long long)r->seq_counts.duplicates);
    printf("events_foreign %llu\n", (unsigned long long)r->foreign);
    printf("events_corrupt %llu\n", (unsigned long long)r->corrupt);
    printf("delivered_per_s %.0f\n", delivery_s > 0 ? (double)r->delivered / delivery_s : 0.0);
    print_latency("latency", &r->latency);
    print_latency("read_latency", &r->read_latency);
    print_latency("publish_answer", &r->publish_answer);
    printf("latency_kernel_stamped_reads %llu\n", (unsigned long long)r->arrival_stamps);
    printf("latency_unstamped_reads %llu\n", (unsigned long long)r->read_stamps);
    printf("tool_cpu_percent %.1f\n", window_s > 0 ? 100.0 * tool_cpu / window_s : 0.0);
    if (have_cpu) {
        printf("server_cpu_percent %.1f\n",
               window_s > 0 ? 100.0 * (cpu_after.cpu_seconds - cpu_before.cpu_seconds) / window_s : 0.0);
        printf("server_rss_kib_after %llu\n", (unsigned long long)cpu_after.rss_kib);
        printf("server_pss_kib_after %llu\n", (unsigned long long)cpu_after.pss_kib);
    }
    if (r->publish_errors) {
        char why[128];
        fprintf(stderr, "sse_load: %llu posts failed; the first: %s\n",
                (unsigned long long)r->publish_errors,
                describe_failure(why, sizeof why, r->first_publish_errno, r->first_publish_status));
    }
    return 0;
}

int main(int argc, char **argv)
{
    load_options opt;
    int parsed = load_options_parse(&opt, argc, argv);
    if (parsed != 0)
        return parsed > 0 ? 0 : 2;
    if (raise_fd_limit((uint64_t)opt.connections + opt.publishers + 64u) != 0)
        return 1;

    static load_run run; /* three ~58 KiB histograms: not for the stack */
    load_run *r = &run;
    r->opt = &opt;
    r->run_id = (uint32_t)getpid() ^ (uint32_t)load_now_ns();
    load_hist_init(&r->latency);
    load_hist_init(&r->read_latency);
    load_hist_init(&r->publish_answer);
    r->read_capacity = READ_BUFFER_BYTES;
    r->read_buffer = malloc(r->read_capacity);
    r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (!r->read_buffer || r->epoll_fd < 0 || load_subs_init(r) != 0) {
        perror("sse_load: setup");
        return 1;
    }
    printf("mode %s\n", opt.idle ? "idle" : "load");
    printf("publish_mode %s\n", opt.publish_mode == LOAD_PUBLISH_NCHAN ? "nchan" : "ssemux");
    printf("pipeline_loosely %d\n", opt.pipeline_loosely);
    int status = opt.idle ? run_idle(r) : run_load(r);
    load_pubs_free(r);
    load_subs_free(r);
    close(r->epoll_fd);
    free(r->read_buffer);
    return status;
}
