/* Sliding-window sequence accounting; see sse_load_seq.h. */
#include "sse_load_seq.h"

#define WINDOW 64u

static unsigned ones(uint64_t bits)
{
    return (unsigned)__builtin_popcountll(bits);
}

int load_seq_see(load_seq *s, uint64_t seq, load_seq_counts *counts)
{
    if (seq < s->base) {
        counts->duplicates++;
        return 0;
    }
    uint64_t offset = seq - s->base;
    if (offset >= WINDOW) {
        /* Slide so `seq` lands on the window's last bit; whatever slides out
         * unseen is given up as missing (a late arrival is then a duplicate). */
        uint64_t slide = offset - (WINDOW - 1u);
        if (slide >= WINDOW) {
            counts->missing += slide - ones(s->seen);
            s->seen = 0;
        } else {
            uint64_t out = s->seen & ((UINT64_C(1) << slide) - 1u);
            counts->missing += slide - ones(out);
            s->seen >>= slide;
        }
        s->base += slide;
        offset = WINDOW - 1u;
    }
    uint64_t bit = UINT64_C(1) << offset;
    if (s->seen & bit) {
        counts->duplicates++;
        return 0;
    }
    s->seen |= bit;
    while (s->seen & 1u) {
        s->seen >>= 1;
        s->base++;
    }
    return 1;
}

void load_seq_finish(const load_seq *s, uint64_t published, load_seq_counts *counts)
{
    if (published > s->base)
        counts->missing += (published - s->base) - ones(s->seen);
}
