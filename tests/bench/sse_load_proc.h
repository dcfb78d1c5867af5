/*
 * What the server process costs, read from /proc: memory (VmRSS and PSS)
 * and CPU time of a process and all its descendants, so a multi-process
 * server (nginx: master + workers) is measured whole. PSS splits shared
 * pages (nchan's shared-memory zone, libraries) between the processes that
 * map them, so summing it does not count a page twice; RSS sums do.
 */
#ifndef SSE_LOAD_PROC_H
#define SSE_LOAD_PROC_H

#include <stdint.h>

typedef struct load_proc_sample {
    uint64_t rss_kib;   /* sum of VmRSS */
    uint64_t pss_kib;   /* sum of Pss from smaps_rollup (0 if unreadable) */
    double cpu_seconds; /* user + system time so far */
    unsigned processes;
} load_proc_sample;

/* 0 on success, -1 if `pid` does not exist. */
int load_proc_sample_tree(int pid, load_proc_sample *out);

#endif
