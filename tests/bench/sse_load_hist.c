/* Log-linear latency histogram; see sse_load_hist.h. */
#include "sse_load_hist.h"

#include <string.h>

#define LINEAR (1u << LOAD_HIST_LINEAR_BITS)
#define HALF (1u << (LOAD_HIST_LINEAR_BITS - 1))

void load_hist_init(load_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

unsigned load_hist_bucket(uint64_t value)
{
    if (value < LINEAR)
        return (unsigned)value;
    /* Shift the value until its top LINEAR_BITS bits remain: `top` is then
     * in [HALF, LINEAR) and `shift` names the power of two. */
    unsigned msb = 63u - (unsigned)__builtin_clzll(value);
    unsigned shift = msb - LOAD_HIST_LINEAR_BITS + 1u;
    uint64_t top = value >> shift;
    return LINEAR + (shift - 1u) * HALF + (unsigned)(top - HALF);
}

uint64_t load_hist_bucket_upper(unsigned bucket)
{
    if (bucket < LINEAR)
        return bucket;
    unsigned shift = (bucket - LINEAR) / HALF + 1u;
    uint64_t top = HALF + (bucket - LINEAR) % HALF;
    /* For the very last bucket (top + 1) << shift is 2^64, which wraps to 0
     * in unsigned arithmetic, so the bound comes out as UINT64_MAX. */
    return ((top + 1u) << shift) - 1u;
}

void load_hist_record(load_hist *h, uint64_t value)
{
    h->counts[load_hist_bucket(value)]++;
    h->total++;
    h->sum += (long double)value;
    if (value < h->min)
        h->min = value;
    if (value > h->max)
        h->max = value;
}

uint64_t load_hist_percentile(const load_hist *h, double percent)
{
    if (h->total == 0)
        return 0;
    if (percent >= 100.0)
        return h->max;
    /* Rank of the value asked for, 1-based: ceil(percent% of total). */
    long double exact = (long double)h->total * (long double)percent / 100.0L;
    uint64_t rank = (uint64_t)exact;
    if ((long double)rank < exact || rank == 0)
        rank++;
    uint64_t seen = 0;
    for (unsigned b = 0; b < LOAD_HIST_BUCKETS; b++) {
        seen += h->counts[b];
        if (seen >= rank) {
            uint64_t upper = load_hist_bucket_upper(b);
            return upper < h->max ? upper : h->max;
        }
    }
    return h->max;
}

double load_hist_mean(const load_hist *h)
{
    return h->total ? (double)(h->sum / (long double)h->total) : 0.0;
}
