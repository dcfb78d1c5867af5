/* event_id: "<ms>-<seq>" parsing, formatting, ordering and generation. */
#include "check.h"
#include "event_id.h"

static void parses_ms_and_seq(void)
{
    event_id id;
    CHECK(event_id_parse("1700000000000-42", 16, &id));
    CHECK_INT(1700000000000LL, id.ms);
    CHECK_INT(42, id.seq);
    CHECK(event_id_parse("0-0", 3, &id));
    CHECK(event_id_is_zero(id));
}

static void parses_the_largest_id(void)
{
    const char *max = "18446744073709551615-18446744073709551615";
    event_id id;
    CHECK(event_id_parse(max, strlen(max), &id));
    CHECK(id.ms == UINT64_MAX && id.seq == UINT64_MAX);
}

static void rejects_everything_else(void)
{
    static const char *bad[] = {
        "", "-", "1", "1-", "-1", "1-2-3", " 1-2", "1-2 ", "+1-2", "1-+2", "a-1", "1-a",
        "18446744073709551616-0", "0-18446744073709551616", "1_2", "1--2",
        "000000000000000000001-0" /* 21 digits */,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        event_id id = {7, 7};
        if (event_id_parse(bad[i], strlen(bad[i]), &id)) {
            fprintf(stderr, "rejects_everything_else: expected \"%s\" to be refused\n", bad[i]);
            check_failed_count++;
        }
        CHECK(id.ms == 7 && id.seq == 7); /* untouched on failure */
    }
}

static void stops_at_the_given_length(void)
{
    event_id id;
    CHECK(event_id_parse("12-34xyz", 4, &id));
    CHECK_INT(12, id.ms);
    CHECK_INT(3, id.seq);
    CHECK(!event_id_parse("12-34xyz", 6, &id));
}

static void formats_what_it_parses(void)
{
    char text[EVENT_ID_MAX_TEXT];
    event_id id = {1700000000123ULL, 9}, back;
    size_t n = event_id_format(id, text);
    CHECK_STR("1700000000123-9", text, n);
    CHECK(event_id_parse(text, n, &back));
    CHECK_INT(0, event_id_compare(id, back));
    n = event_id_format((event_id){UINT64_MAX, UINT64_MAX}, text);
    CHECK_INT(EVENT_ID_MAX_TEXT - 1, n);
}

static void orders_by_ms_then_seq(void)
{
    event_id a = {5, 9}, b = {6, 0}, c = {6, 1};
    CHECK(event_id_compare(a, b) < 0);
    CHECK(event_id_compare(b, c) < 0);
    CHECK(event_id_compare(c, a) > 0);
    CHECK_INT(0, event_id_compare(c, c));
    CHECK_INT(0, event_id_compare(event_id_max(a, c), c));
}

static void next_counts_within_one_millisecond(void)
{
    event_id_gen gen;
    event_id_gen_init(&gen, event_id_zero());
    event_id a = event_id_next(&gen, 1000), b = event_id_next(&gen, 1000),
             c = event_id_next(&gen, 1001);
    CHECK(a.ms == 1000 && a.seq == 0);
    CHECK(b.ms == 1000 && b.seq == 1);
    CHECK(c.ms == 1001 && c.seq == 0);
}

static void next_keeps_increasing_when_the_clock_steps_back(void)
{
    event_id_gen gen;
    event_id_gen_init(&gen, (event_id){5000, 3});
    event_id a = event_id_next(&gen, 4000), b = event_id_next(&gen, 4500);
    CHECK(a.ms == 5000 && a.seq == 4);
    CHECK(b.ms == 5000 && b.seq == 5);
    CHECK(event_id_compare(a, b) < 0);
}

static void next_rolls_over_a_full_millisecond(void)
{
    event_id_gen gen;
    event_id_gen_init(&gen, (event_id){10, UINT64_MAX});
    event_id a = event_id_next(&gen, 10);
    CHECK(a.ms == 11 && a.seq == 0);
}

int main(void)
{
    RUN(parses_ms_and_seq);
    RUN(parses_the_largest_id);
    RUN(rejects_everything_else);
    RUN(stops_at_the_given_length);
    RUN(formats_what_it_parses);
    RUN(orders_by_ms_then_seq);
    RUN(next_counts_within_one_millisecond);
    RUN(next_keeps_increasing_when_the_clock_steps_back);
    RUN(next_rolls_over_a_full_millisecond);
    return check_report();
}
