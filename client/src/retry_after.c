/*
 * Retry-After (RFC 9110 10.2.3): "Retry-After = HTTP-date / delay-seconds".
 * Only the IMF-fixdate form of HTTP-date is accepted (the one RFC 9110
 * requires senders to use). No locale, no timegm (absent from C11 and from
 * some libcs), no strtol: the value is read at fixed positions, so the
 * work is bounded by its length.
 */
#include "ssemux/engine.h"

#include <string.h>

/* RFC 9110 10.2.3: a delay-seconds value that does not fit may be taken as
 * 2^31; that is 68 years, far past any useful delay. */
#define DELAY_SECONDS_MAX 2147483648LL

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ows(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* "delay-seconds = 1*DIGIT"; saturates instead of failing on overflow. */
static bool parse_delay_seconds(const char *s, size_t len, int64_t *seconds)
{
    if (len == 0)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        if (v < DELAY_SECONDS_MAX)
            v = v * 10 + (s[i] - '0'); /* < 2^31 * 10 + 9: no overflow */
    }
    *seconds = v < DELAY_SECONDS_MAX ? v : DELAY_SECONDS_MAX;
    return true;
}

/* Two (or four) ASCII digits at s, or -1. */
static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Index of the 3-letter name at s in `names` (case-sensitive, as RFC 9110's
 * %s"..." grammar says), or -1. */
static int name_index(const char *s, const char *names, int count)
{
    for (int i = 0; i < count; i++)
        if (memcmp(s, names + 3 * i, 3) == 0)
            return i;
    return -1;
}

static bool is_leap_year(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil): eras of 400 years, each 146097 days, with
 * years starting in March so the leap day falls at the end. */
static int64_t days_from_civil(int year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                      /* [0, 399] */
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* IMF-fixdate = day-name "," SP DD SP month SP YYYY SP HH ":" MM ":" SS SP "GMT",
 * e.g. "Sun, 06 Nov 1994 08:49:37 GMT": exactly 29 bytes. The day name must
 * be a real one but, as in every HTTP client, need not match the date. */
static bool parse_imf_fixdate(const char *s, size_t len, int64_t *unix_ms)
{
    static const char day_names[] = "MonTueWedThuFriSatSun";
    static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (len != 29)
        return false;
    if (name_index(s, day_names, 7) < 0 || memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
        memcmp(s + 25, " GMT", 4) != 0)
        return false;
    int day = digits(s + 5, 2);
    int month = name_index(s + 8, month_names, 12) + 1;
    int year = digits(s + 12, 4);
    int hour = digits(s + 17, 2);
    int minute = digits(s + 20, 2);
    int second = digits(s + 23, 2);
    if (day < 1 || month < 1 || year < 0 || hour < 0 || minute < 0 || second < 0)
        return false;
    /* second 60 is a leap second (RFC 9110 5.6.7 allows it); it counts as
     * the next second, as POSIX time does. */
    if (day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60)
        return false;
    int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    *unix_ms = secs * 1000; /* |secs| < 2^36 for years 0..9999 */
    return true;
}

bool sse_parse_retry_after(const char *value, size_t len, int64_t now_unix_ms, int64_t *delay_ms)
{
    if (!value || !delay_ms)
        return false;
    /* Header values may reach us untrimmed (e.g. raw libcurl header lines). */
    while (len > 0 && is_ows(value[0])) {
        value++;
        len--;
    }
    while (len > 0 && is_ows(value[len - 1]))
        len--;

    int64_t seconds;
    if (parse_delay_seconds(value, len, &seconds)) {
        *delay_ms = seconds * 1000;
        return true;
    }
    int64_t at_ms;
    if (!parse_imf_fixdate(value, len, &at_ms))
        return false;
    if (at_ms <= now_unix_ms) {
        *delay_ms = 0; /* the moment has passed: retry now */
        return true;
    }
    /* at_ms > now, so the true difference is positive and below 2^64: exact
     * in unsigned arithmetic; saturate if it does not fit int64. */
    uint64_t diff = (uint64_t)at_ms - (uint64_t)now_unix_ms;
    *delay_ms = diff > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)diff;
    return true;
}
