/*
 * ssecat's JSON lines must equal what JavaScript prints for the same event:
 * JSON.stringify(new TextDecoder().decode(bytes)). The expected strings
 * below were checked against node 20 (see docs/ssecat.md, "Output").
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "json_line.h"

#define FFFD "\xEF\xBF\xBD" /* U+FFFD REPLACEMENT CHARACTER */

/* Raw bytes would garble the terminal: show non-ASCII as \xHH. */
static void print_escaped(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02X", c);
    }
}

/* Compares what a writer put into `out` (returning `rc`) with `expected`. */
static void expect_output(const char *name, const char *expected, size_t expected_len,
                          FILE *out, int rc)
{
    char got[512];
    size_t got_len;

    rewind(out);
    got_len = fread(got, 1, sizeof got, out);
    fclose(out);
    if (rc == 0 && got_len == expected_len && memcmp(got, expected, got_len) == 0)
        return;
    check_failed_count++;
    fprintf(stderr, "%s: expected ", name);
    print_escaped(expected, expected_len);
    fprintf(stderr, "\n  got      ");
    print_escaped(got, got_len);
    fprintf(stderr, " (rc %d)\n", rc);
}

static FILE *scratch_file(void)
{
    FILE *f = tmpfile();
    if (f == NULL) {
        perror("tmpfile");
        check_failed_count++;
    }
    return f;
}

#define EXPECT_STRING(name, input, expected)                                              \
    do {                                                                                  \
        FILE *out_ = scratch_file();                                                      \
        if (out_ != NULL) {                                                               \
            int rc_ = sse_json_write_string(out_, input, sizeof(input) - 1);              \
            expect_output(name, expected, sizeof(expected) - 1, out_, rc_);               \
        }                                                                                 \
    } while (0)

static void escapes_like_json_stringify(void)
{
    EXPECT_STRING("plain_ascii", "hello world", "\"hello world\"");
    EXPECT_STRING("empty", "", "\"\"");
    EXPECT_STRING("short_escapes", "\"\\\b\f\n\r\t", "\"\\\"\\\\\\b\\f\\n\\r\\t\"");
    EXPECT_STRING("other_controls_as_lowercase_u00xx", "\x01\x0b\x1a\x1f",
                  "\"\\u0001\\u000b\\u001a\\u001f\"");
    /* sizeof-based lengths let an embedded NUL through */
    EXPECT_STRING("nul_byte", "a\0b", "\"a\\u0000b\"");
    EXPECT_STRING("del_is_raw", "\x7f", "\"\x7f\"");
    EXPECT_STRING("slash_is_not_escaped", "a/b", "\"a/b\"");
    EXPECT_STRING("line_separator_u2028_is_raw", "\xE2\x80\xA8\xE2\x80\xA9",
                  "\"\xE2\x80\xA8\xE2\x80\xA9\"");
}

static void passes_valid_utf8_through(void)
{
    EXPECT_STRING("two_three_four_byte_sequences", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80",
                  "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
    EXPECT_STRING("boundaries_u80_u7ff_u800_uffff", "\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF",
                  "\"\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\"");
    EXPECT_STRING("last_before_surrogates_ud7ff", "\xED\x9F\xBF", "\"\xED\x9F\xBF\"");
    EXPECT_STRING("u10000_and_u10ffff", "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF",
                  "\"\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\"");
    EXPECT_STRING("bom_inside_a_value_is_kept", "\xEF\xBB\xBFx", "\"\xEF\xBB\xBFx\"");
    EXPECT_STRING("replacement_character_itself", FFFD, "\"" FFFD "\"");
}

/* WHATWG Encoding, "UTF-8 decoder": one U+FFFD per maximal subpart, and the
 * byte that broke a sequence is looked at again as a new lead byte. */
static void replaces_invalid_sequences(void)
{
    EXPECT_STRING("c0_c1_are_never_valid", "\xC0\x80\xC1\xBF", "\"" FFFD FFFD FFFD FFFD "\"");
    EXPECT_STRING("stray_continuation", "a\x80" "b", "\"a" FFFD "b\"");
    EXPECT_STRING("f5_to_ff_are_never_valid", "\xF5\xF8\xFE\xFF", "\"" FFFD FFFD FFFD FFFD "\"");
    EXPECT_STRING("five_byte_form", "\xF8\x88\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD FFFD "\"");
    EXPECT_STRING("overlong_three_byte", "\xE0\x80\x80", "\"" FFFD FFFD FFFD "\"");
    EXPECT_STRING("overlong_three_byte_u7ff", "\xE0\x9F\xBF", "\"" FFFD FFFD FFFD "\"");
    EXPECT_STRING("overlong_four_byte", "\xF0\x8F\xBF\xBF", "\"" FFFD FFFD FFFD FFFD "\"");
    EXPECT_STRING("surrogate_ud800", "\xED\xA0\x80", "\"" FFFD FFFD FFFD "\"");
    EXPECT_STRING("surrogate_pair_as_cesu8", "\xED\xA0\xBD\xED\xB8\x80",
                  "\"" FFFD FFFD FFFD FFFD FFFD FFFD "\"");
    EXPECT_STRING("past_u10ffff", "\xF4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
    EXPECT_STRING("truncated_two_byte_at_end", "a\xC3", "\"a" FFFD "\"");
    EXPECT_STRING("truncated_three_byte_at_end", "\xE2\x82", "\"" FFFD "\"");
    EXPECT_STRING("truncated_four_byte_at_end", "\xF0\x9F\x98", "\"" FFFD "\"");
    EXPECT_STRING("truncated_then_ascii", "\xE2\x82" "A\xF0\x9F\x98" "B", "\"" FFFD "A" FFFD "B\"");
    EXPECT_STRING("truncated_then_quote_is_escaped", "\xC3\"", "\"" FFFD "\\\"\"");
    EXPECT_STRING("truncated_then_valid", "\xC2\xC2\xA9", "\"" FFFD "\xC2\xA9\"");
    EXPECT_STRING("truncated_then_control", "\xF0\x9F\n", "\"" FFFD "\\n\"");
}

static void writes_event_retry_and_comment_lines(void)
{
    FILE *out;
    sse_event ev = {"message", 7, "a\nb", 3, NULL, 0, 0};

    if ((out = scratch_file()) != NULL) {
        static const char expected[] = "{\"type\":\"message\",\"data\":\"a\\nb\",\"id\":\"\"}\n";
        expect_output("event_line", expected, sizeof expected - 1, out,
                      sse_json_write_event(out, &ev));
    }
    ev = (sse_event){"t\xFF", 2, "", 0, "7\"", 2, 1};
    if ((out = scratch_file()) != NULL) {
        static const char expected[] = "{\"type\":\"t" FFFD "\",\"data\":\"\",\"id\":\"7\\\"\"}\n";
        expect_output("event_line_escapes_every_field", expected, sizeof expected - 1, out,
                      sse_json_write_event(out, &ev));
    }
    if ((out = scratch_file()) != NULL) {
        int rc = sse_json_write_retry(out, 0) | sse_json_write_retry(out, 4294967295u);
        static const char expected[] = "{\"retry\":0}\n{\"retry\":4294967295}\n";
        expect_output("retry_lines", expected, sizeof expected - 1, out, rc);
    }
    if ((out = scratch_file()) != NULL) {
        int rc = sse_json_write_comment(out, "", 0) | sse_json_write_comment(out, "k\"\xC3", 3);
        static const char expected[] = "{\"comment\":\"\"}\n{\"comment\":\"k\\\"" FFFD "\"}\n";
        expect_output("comment_lines", expected, sizeof expected - 1, out, rc);
    }
}

static void reports_write_errors(void)
{
    /* A stream opened for reading refuses every write. */
    FILE *ro = fopen("/dev/null", "r");
    sse_event ev = {"message", 7, "x", 1, "", 0, 0};

    if (ro == NULL) {
        perror("/dev/null");
        check_failed_count++;
        return;
    }
    if (sse_json_write_event(ro, &ev) != -1 || sse_json_write_retry(ro, 1) != -1 ||
        sse_json_write_comment(ro, "x", 1) != -1 || sse_json_write_string(ro, "", 0) != -1) {
        check_failed_count++;
        fprintf(stderr, "write_error: expected -1 from every writer, got 0 from at least one\n");
    }
    fclose(ro);
}

int main(void)
{
    RUN(escapes_like_json_stringify);
    RUN(passes_valid_utf8_through);
    RUN(replaces_invalid_sequences);
    RUN(writes_event_retry_and_comment_lines);
    RUN(reports_write_errors);
    return check_report();
}
