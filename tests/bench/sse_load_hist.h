/*
 * Latency histogram for the load tool: log-linear buckets in the manner of
 * HdrHistogram, so memory is fixed (one array, ~58 KiB) however many values
 * are recorded, and every bucket is narrower than 1/128 of its value
 * (relative error below 0.8 %) from 1 ns to the full 64-bit range.
 */
#ifndef SSE_LOAD_HIST_H
#define SSE_LOAD_HIST_H

#include <stdint.h>

/* Values below 2^LINEAR_BITS get one bucket each; each power of two above
 * that is split into 2^(LINEAR_BITS-1) buckets. */
#define LOAD_HIST_LINEAR_BITS 8
#define LOAD_HIST_BUCKETS ((1u << LOAD_HIST_LINEAR_BITS) + \
                           (64u - LOAD_HIST_LINEAR_BITS) * (1u << (LOAD_HIST_LINEAR_BITS - 1)))

typedef struct load_hist {
    uint64_t counts[LOAD_HIST_BUCKETS];
    uint64_t total;
    uint64_t min, max;
    long double sum; /* for the mean; long double keeps 1e12 ns sums exact enough */
} load_hist;

void load_hist_init(load_hist *h);
void load_hist_record(load_hist *h, uint64_t value);
/* The smallest recorded-bucket upper bound at or below which `percent` % of
 * the values lie (clamped to the exact max); 0 when nothing was recorded. */
uint64_t load_hist_percentile(const load_hist *h, double percent);
double load_hist_mean(const load_hist *h);

/* Bucket index of `value`, and the largest value that bucket holds
 * (exposed for the self-test). */
unsigned load_hist_bucket(uint64_t value);
uint64_t load_hist_bucket_upper(unsigned bucket);

#endif
