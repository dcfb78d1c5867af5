/*
 * Missing / duplicate accounting for one subscriber, in 16 bytes whatever
 * the run length: every published event carries a sequence number 0, 1, 2...
 * and each stream remembers the lowest number it has not seen (`base`) plus
 * a 64-bit window of which numbers above it arrived. A window instead of a
 * single "next expected" number tolerates the reordering two publisher
 * connections can cause (up to 63 events apart) without calling it loss.
 */
#ifndef SSE_LOAD_SEQ_H
#define SSE_LOAD_SEQ_H

#include <stdint.h>

typedef struct load_seq {
    uint64_t base; /* every number below this arrived or was counted missing */
    uint64_t seen; /* bit i: base + i arrived (bit 0 is always clear) */
} load_seq;

typedef struct load_seq_counts {
    uint64_t missing;    /* numbers that fell out of the window unseen */
    uint64_t duplicates; /* numbers that arrived twice (or after falling out) */
} load_seq_counts;

/* Records that `seq` arrived. Returns 1 if it is new, 0 if it is a
 * duplicate (counted in `counts`). */
int load_seq_see(load_seq *s, uint64_t seq, load_seq_counts *counts);

/* At the end of a run in which numbers 0 .. published-1 were sent: adds the
 * ones this stream never got to counts->missing. */
void load_seq_finish(const load_seq *s, uint64_t published, load_seq_counts *counts);

#endif
