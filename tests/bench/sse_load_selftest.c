/*
 * Self-test of sse_load's pieces that need no server: the latency
 * histogram, response heads, chunked decoding at every split point, the
 * missing/duplicate window and the payload format. A wrong figure here
 * would silently skew every benchmark table, so each check says what it
 * expected and what came instead.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sse_load_expect.h"
#include "sse_load_hist.h"
#include "sse_load_http.h"
#include "sse_load_options.h"
#include "sse_load_payload.h"
#include "sse_load_seq.h"

static void histogram_percentiles_are_within_one_percent(void)
{
    static load_hist h;
    load_hist_init(&h);
    /* 1..100000 us in ns: pN is N% of 100 ms. */
    for (uint64_t v = 1; v <= 100000; v++)
        load_hist_record(&h, v * 1000u);
    static const double points[] = {50, 90, 99, 99.9};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        double exact = points[i] * 1000.0 * 1000.0;
        double got = (double)load_hist_percentile(&h, points[i]);
        if (got < exact || got > exact * 1.008) {
            fprintf(stderr, "FAIL histogram p%g: expected %.0f (+0.8%%), got %.0f\n",
                    points[i], exact, got);
            failures++;
        }
    }
    EXPECT_EQ("histogram max", 100000000u, load_hist_percentile(&h, 100));
    EXPECT_EQ("histogram total", 100000u, h.total);
}

static void histogram_buckets_cover_every_value_in_order(void)
{
    /* Each bucket's upper bound is the value just below the next bucket. */
    for (unsigned b = 0; b + 1 < LOAD_HIST_BUCKETS; b++) {
        uint64_t upper = load_hist_bucket_upper(b);
        if (load_hist_bucket(upper) != b || load_hist_bucket(upper + 1) != b + 1) {
            fprintf(stderr, "FAIL histogram bucket %u: upper %llu maps to %u, next to %u\n", b,
                    (unsigned long long)upper, load_hist_bucket(upper), load_hist_bucket(upper + 1));
            failures++;
            return;
        }
    }
    EXPECT_EQ("histogram last bucket", LOAD_HIST_BUCKETS - 1, load_hist_bucket(UINT64_MAX));
    EXPECT_EQ("histogram last bound", UINT64_MAX, load_hist_bucket_upper(LOAD_HIST_BUCKETS - 1));
}

static void response_head_reads_status_and_framing(void)
{
    const char *h = "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
                    "content-length: 42\r\nConnection: keep-alive\r\n\r\nBODY";
    load_http_head head;
    EXPECT_EQ("head length", strlen(h) - 4, load_http_head_parse(h, strlen(h), &head));
    EXPECT_EQ("head status", 201, head.status);
    EXPECT_EQ("head content-length", 42, head.content_length);
    EXPECT_EQ("head keep-alive", 0, head.close);
    EXPECT_EQ("head incomplete", 0, load_http_head_parse(h, 30, &head));

    const char *c = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    EXPECT_EQ("chunked head length", strlen(c), load_http_head_parse(c, strlen(c), &head));
    EXPECT_EQ("chunked head flag", 1, head.chunked);
    EXPECT_EQ("chunked head close", 1, head.close);
    EXPECT_EQ("chunked head no length", (unsigned long long)-1, head.content_length);
    EXPECT_EQ("not http", (unsigned long long)-1, load_http_head_parse("SSH-2.0-x\r\n", 11, &head));
}

/* Decodes `wire` split into two at every position; the payload and the
 * end must not depend on the split. */
static void chunked_decoding_is_split_independent(void)
{
    const char *wire = "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                       "0\r\nTrailer: x\r\n\r\nNEXT";
    size_t wire_len = strlen(wire);
    for (size_t split = 0; split <= wire_len; split++) {
        char buf[256], out[256];
        size_t out_len = 0, consumed_total = 0;
        int done = 0;
        load_http_chunked c;
        load_http_chunked_init(&c);
        memcpy(buf, wire, wire_len);
        size_t parts[2][2] = {{0, split}, {split, wire_len - split}};
        for (int i = 0; i < 2 && !done; i++) {
            size_t consumed;
            long n = load_http_chunked_decode(&c, buf + parts[i][0], parts[i][1], &consumed, &done);
            if (n < 0) {
                fprintf(stderr, "FAIL chunked split %zu: framing error\n", split);
                failures++;
                return;
            }
            memcpy(out + out_len, buf + parts[i][0], (size_t)n);
            out_len += (size_t)n;
            consumed_total += consumed;
        }
        if (out_len != 26 + 5 || memcmp(out, "hello", 5) != 0 ||
            memcmp(out + 5, "abcdefghijklmnopqrstuvwxyz", 26) != 0 || !done ||
            consumed_total != wire_len - 4) {
            fprintf(stderr, "FAIL chunked split %zu: got %zu bytes \"%.*s\", done %d, consumed %zu\n",
                    split, out_len, (int)out_len, out, done, consumed_total);
            failures++;
            return;
        }
    }
    load_http_chunked c;
    load_http_chunked_init(&c);
    char bad[] = "zz\r\n";
    size_t consumed;
    int done;
    EXPECT_EQ("chunked bad size", (unsigned long long)-1,
              load_http_chunked_decode(&c, bad, strlen(bad), &consumed, &done));
}

static void sequence_window_counts_loss_and_duplicates(void)
{
    load_seq s = {0, 0};
    load_seq_counts n = {0, 0};
    /* 0..9 in order, 5 twice, 12 before 10 and 11 (reordered, not lost). */
    for (uint64_t i = 0; i < 10; i++)
        load_seq_see(&s, i, &n);
    EXPECT_EQ("duplicate is refused", 0, load_seq_see(&s, 5, &n));
    load_seq_see(&s, 12, &n);
    load_seq_see(&s, 10, &n);
    load_seq_see(&s, 11, &n);
    EXPECT_EQ("in-window reorder: no loss", 0, n.missing);
    EXPECT_EQ("one duplicate", 1, n.duplicates);
    EXPECT_EQ("base after 0..12", 13, s.base);
    /* 13..99 lost, then 100..199 arrive: 87 missing once the window slides. */
    for (uint64_t i = 100; i < 200; i++)
        load_seq_see(&s, i, &n);
    EXPECT_EQ("gap counted", 87, n.missing);
    /* A late 50 is a duplicate of something already given up. */
    load_seq_see(&s, 50, &n);
    EXPECT_EQ("late arrival", 2, n.duplicates);
    /* 250 were published; 200..249 never came. */
    load_seq_finish(&s, 250, &n);
    EXPECT_EQ("tail missing", 87 + 50, n.missing);

    load_seq t = {0, 0};
    load_seq_counts m = {0, 0};
    load_seq_see(&t, 3, &m);
    load_seq_see(&t, 70, &m); /* slides 7 out: 0,1,2,4,5,6 unseen, 3 seen */
    EXPECT_EQ("partial slide", 6, m.missing);
    load_seq_finish(&t, 71, &m);
    EXPECT_EQ("finish with window bits", 6 + (71 - 7) - 1, m.missing);
}

static void payload_round_trips_at_exact_size(void)
{
    char buf[LOAD_MIN_PAYLOAD + 1];
    uint64_t seq, ns;
    load_payload_write(buf, LOAD_MIN_PAYLOAD, 0xdeadbeefu, UINT64_MAX, UINT64_MAX);
    buf[LOAD_MIN_PAYLOAD] = 0;
    EXPECT_EQ("payload length", LOAD_MIN_PAYLOAD, strlen(buf));
    EXPECT_EQ("payload read", 1, load_payload_read(buf, LOAD_MIN_PAYLOAD, 0xdeadbeefu, &seq, &ns));
    EXPECT_EQ("payload seq", UINT64_MAX, seq);
    EXPECT_EQ("payload time", UINT64_MAX, ns);
    EXPECT_EQ("other run refused", 0, load_payload_read(buf, LOAD_MIN_PAYLOAD, 0xdeadbeeeu, &seq, &ns));
    EXPECT_EQ("heartbeat refused", 0, load_payload_read("ping", 4, 0xdeadbeefu, &seq, &ns));
}

int main(void)
{
    histogram_percentiles_are_within_one_percent();
    histogram_buckets_cover_every_value_in_order();
    response_head_reads_status_and_framing();
    chunked_decoding_is_split_independent();
    sequence_window_counts_loss_and_duplicates();
    payload_round_trips_at_exact_size();
    if (failures) {
        fprintf(stderr, "sse_load_selftest: %d failure(s)\n", failures);
        return 1;
    }
    puts("sse_load_selftest: all checks passed");
    return 0;
}
