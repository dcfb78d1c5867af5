/* sse_parse_retry_after: delay-seconds and IMF-fixdate (RFC 9110 10.2.3).
 * Expected Unix times come from GNU `date -u -d ... +%s`, not from the code. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "ssemux/engine.h"

/* Parses `value` at `now_ms`; -2 when it is rejected (no delay is negative). */
static int64_t delay_for(const char *value, int64_t now_ms)
{
    int64_t delay = -7;
    if (!sse_parse_retry_after(value, strlen(value), now_ms, &delay))
        return -2;
    return delay;
}

/* Milliseconds since the epoch of an IMF-fixdate: parsed at now = 0 when it
 * is in the future, which every date after 1970 is. */
static int64_t unix_ms_of(const char *date) { return delay_for(date, 0); }

static void parses_delay_seconds(void)
{
    CHECK_INT(120000, delay_for("120", 0));
    CHECK_INT(0, delay_for("0", 0));
    CHECK_INT(7000, delay_for("007", 123456789)); /* relative: now does not matter */
    CHECK_INT(5000, delay_for(" \t5 \r\n", 0));   /* raw header line, untrimmed */
}

static void saturates_huge_delay_seconds(void)
{
    /* RFC 9110: a value too large to represent may be taken as 2^31 s. */
    CHECK_INT(2147483648LL * 1000, delay_for("2147483648", 0));
    CHECK_INT(2147483648LL * 1000, delay_for("99999999999999999999999999999999999999", 0));
    CHECK_INT(2147483647LL * 1000, delay_for("2147483647", 0));
}

static void parses_imf_fixdate(void)
{
    CHECK_INT(784111777000LL, unix_ms_of("Sun, 06 Nov 1994 08:49:37 GMT"));
    CHECK_INT(10000, delay_for("Sun, 06 Nov 1994 08:49:37 GMT", 784111767000LL));
    CHECK_INT(1, delay_for("Sun, 06 Nov 1994 08:49:37 GMT", 784111776999LL));
    CHECK_INT(1709164800000LL, unix_ms_of("Thu, 29 Feb 2024 00:00:00 GMT"));
    CHECK_INT(951827696000LL, unix_ms_of("Tue, 29 Feb 2000 12:34:56 GMT"));
    CHECK_INT(4107542400000LL, unix_ms_of("Mon, 01 Mar 2100 00:00:00 GMT"));
    CHECK_INT(253402300799000LL, unix_ms_of("Fri, 31 Dec 9999 23:59:59 GMT"));
    CHECK_INT(5000, delay_for(" Sun, 06 Nov 1994 08:49:42 GMT\r\n", 784111777000LL));
}

static void parses_dates_before_1970(void)
{
    /* Meaningless as a Retry-After, but the day arithmetic must not break
     * for negative times: check it against a clock set even earlier. */
    CHECK_INT(1000, delay_for("Wed, 31 Dec 1969 23:59:59 GMT", -2000));
    CHECK_INT(1000, delay_for("Mon, 01 Jan 0001 00:00:00 GMT", -62135596801000LL));
    /* Year 0000 is valid (4DIGIT) and, proleptically, a leap year; its
     * January and February fall in the era before year 0 in the day count. */
    CHECK_INT(1000, delay_for("Sat, 01 Jan 0000 00:00:00 GMT", -62167219201000LL));
    CHECK_INT(1000, delay_for("Tue, 29 Feb 0000 00:00:00 GMT", -62162121601000LL));
}

static void leap_second_counts_as_next_second(void)
{
    CHECK_INT(1483228800000LL, unix_ms_of("Sat, 31 Dec 2016 23:59:60 GMT"));
}

static void past_date_means_now(void)
{
    CHECK_INT(0, delay_for("Sun, 06 Nov 1994 08:49:37 GMT", 784111777000LL));
    CHECK_INT(0, delay_for("Sun, 06 Nov 1994 08:49:37 GMT", 1700000000000LL));
    CHECK_INT(0, delay_for("Mon, 01 Jan 0001 00:00:00 GMT", INT64_MAX));
}

static void far_future_date_does_not_overflow(void)
{
    CHECK_INT(INT64_MAX, delay_for("Fri, 31 Dec 9999 23:59:59 GMT", INT64_MIN));
}

static void rejects_garbage(void)
{
    static const char *const bad[] = {
        "",
        "   ",
        "abc",
        "-1",
        "+1",
        "1.5",
        "12abc",
        "1 2",
        "0x10",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "sun, 06 Nov 1994 08:49:37 GMT",  /* names are case-sensitive */
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 Nox 1994 08:49:37 GMT",
        "Sun 06 Nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",   /* two-digit day required */
        "Sun,  6 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT", /* obsolete RFC 850 form */
        "Sun Nov  6 08:49:37 1994",       /* obsolete asctime form */
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sat, 29 Feb 2023 00:00:00 GMT",  /* not a leap year */
        "Thu, 29 Feb 1900 00:00:00 GMT",  /* century, not a leap year */
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:37 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT x",
        "Sun, 06 Nov 1994 08:49:37 GMTx",
        "Sun, 06 Nov 1994 08-49-37 GMT",
        "Sun, 06 Nov -994 08:49:37 GMT",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t got = delay_for(bad[i], 0);
        if (got != -2)
            fprintf(stderr, "  \"%s\" was accepted\n", bad[i]);
        CHECK_INT(-2, got);
    }
}

static void rejects_embedded_nul_and_null(void)
{
    int64_t delay = -7;
    CHECK(!sse_parse_retry_after("12\0" "3", 4, 0, &delay));
    CHECK(!sse_parse_retry_after(NULL, 0, 0, &delay));
    CHECK(!sse_parse_retry_after("12", 2, 0, NULL));
    CHECK_INT(-7, delay);
    /* Only `len` bytes count, whatever follows. */
    CHECK(sse_parse_retry_after("12junk", 2, 0, &delay));
    CHECK_INT(12000, delay);
}

int main(void)
{
    RUN(parses_delay_seconds);
    RUN(saturates_huge_delay_seconds);
    RUN(parses_imf_fixdate);
    RUN(parses_dates_before_1970);
    RUN(leap_second_counts_as_next_second);
    RUN(past_date_means_now);
    RUN(far_future_date_does_not_overflow);
    RUN(rejects_garbage);
    RUN(rejects_embedded_nul_and_null);
    return check_report();
}
