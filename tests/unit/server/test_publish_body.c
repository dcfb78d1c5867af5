/* publish_body: form and JSON bodies of POST /publish. */
#include <stdlib.h>

#include "check.h"
#include "publish_body.h"

typedef struct parsed {
    publish_body_status status;
    publish_fields f;
    char scratch[4096];
} parsed;

static parsed *parse_n(publish_body_kind kind, const char *body, size_t len)
{
    static parsed p;
    memset(&p, 0, sizeof(p));
    p.status = publish_body_parse(kind, body, len, p.scratch, &p.f);
    return &p;
}

static parsed *parse(publish_body_kind kind, const char *body)
{
    return parse_n(kind, body, strlen(body));
}

static void recognizes_content_types(void)
{
    const char *form = "application/x-www-form-urlencoded; charset=UTF-8";
    CHECK_INT(PUBLISH_BODY_FORM, publish_body_kind_of(form, strlen(form)));
    CHECK_INT(PUBLISH_BODY_JSON, publish_body_kind_of("Application/JSON", 16));
    CHECK_INT(PUBLISH_BODY_UNSUPPORTED, publish_body_kind_of("text/plain", 10));
    CHECK_INT(PUBLISH_BODY_UNSUPPORTED, publish_body_kind_of("application/jsonx", 17));
    CHECK_INT(PUBLISH_BODY_UNSUPPORTED, publish_body_kind_of(NULL, 0));
}

static void decodes_form_fields(void)
{
    parsed *p = parse(PUBLISH_BODY_FORM, "topic=scores&type=goal&data=1%3A0+Home%0D%0Anext&x=y");
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_STR("scores", p->f.topic, p->f.topic_len);
    CHECK_STR("goal", p->f.type, p->f.type_len);
    CHECK_STR("1:0 Home\r\nnext", p->f.data, p->f.data_len);
}

static void defaults_the_type_to_message(void)
{
    parsed *p = parse(PUBLISH_BODY_FORM, "data=&topic=t");
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_STR("message", p->f.type, p->f.type_len);
    CHECK_INT(0, p->f.data_len);
}

static void reports_what_is_wrong_with_a_form(void)
{
    CHECK_INT(PUBLISH_BODY_MISSING_TOPIC, parse(PUBLISH_BODY_FORM, "data=x")->status);
    CHECK_INT(PUBLISH_BODY_MISSING_DATA, parse(PUBLISH_BODY_FORM, "topic=t")->status);
    CHECK_INT(PUBLISH_BODY_BAD_TOPIC, parse(PUBLISH_BODY_FORM, "topic=a%20b&data=x")->status);
    CHECK_INT(PUBLISH_BODY_BAD_TYPE, parse(PUBLISH_BODY_FORM, "topic=t&type=a%0Ab&data=x")->status);
    CHECK_INT(PUBLISH_BODY_BAD_TYPE, parse(PUBLISH_BODY_FORM, "topic=t&type=&data=x")->status);
    CHECK_INT(PUBLISH_BODY_MALFORMED, parse(PUBLISH_BODY_FORM, "topic=t&data=%4")->status);
    CHECK_INT(PUBLISH_BODY_MALFORMED, parse(PUBLISH_BODY_FORM, "topic=t&data=%zz")->status);
    CHECK_INT(PUBLISH_BODY_DATA_NOT_UTF8, parse(PUBLISH_BODY_FORM, "topic=t&data=%FF")->status);
}

static void limits_the_type_to_64_bytes(void)
{
    char body[256] = "topic=t&data=x&type=";
    memset(body + strlen(body), 'a', 64);
    CHECK_INT(PUBLISH_BODY_OK, parse(PUBLISH_BODY_FORM, body)->status);
    strcat(body, "a");
    CHECK_INT(PUBLISH_BODY_BAD_TYPE, parse(PUBLISH_BODY_FORM, body)->status);
}

static void reads_json_fields(void)
{
    parsed *p = parse(PUBLISH_BODY_JSON,
                      " {\"topic\":\"scores\",\"type\":\"goal\",\"data\":\"a\\nb \\u00e9\\\"\"} \n");
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_STR("scores", p->f.topic, p->f.topic_len);
    CHECK_STR("goal", p->f.type, p->f.type_len);
    CHECK_STR("a\nb \xc3\xa9\"", p->f.data, p->f.data_len);
}

static void reads_json_strings_longer_than_lejp_chunks(void)
{
    static char body[3000], want[2600];
    memset(want, 'x', 2500);
    want[2500] = '\0';
    snprintf(body, sizeof(body), "{\"data\":\"%s\",\"topic\":\"t\"}", want);
    parsed *p = parse(PUBLISH_BODY_JSON, body);
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_STR(want, p->f.data, p->f.data_len);
}

static void ignores_nested_keys_with_our_names(void)
{
    parsed *p = parse(PUBLISH_BODY_JSON,
                      "{\"meta\":{\"topic\":\"evil\",\"data\":1},\"topic\":\"t\",\"data\":\"ok\"}");
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_STR("t", p->f.topic, p->f.topic_len);
    CHECK_STR("ok", p->f.data, p->f.data_len);
}

static void wants_json_data_as_a_string(void)
{
    CHECK_INT(PUBLISH_BODY_DATA_NOT_STRING,
              parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\",\"data\":{\"a\":1}}")->status);
    CHECK_INT(PUBLISH_BODY_DATA_NOT_STRING,
              parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\",\"data\":[1]}")->status);
    CHECK_INT(PUBLISH_BODY_DATA_NOT_STRING,
              parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\",\"data\":[\"inside\"]}")->status);
    CHECK_INT(PUBLISH_BODY_DATA_NOT_STRING,
              parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\",\"data\":42}")->status);
    CHECK_INT(PUBLISH_BODY_BAD_TOPIC, parse(PUBLISH_BODY_JSON, "{\"topic\":1,\"data\":\"x\"}")->status);
}

/* Each JSON body in bad[] must be refused with `want`. */
static void expect_json_refused(const char *test, const char *const *bad, size_t n,
                                publish_body_status want)
{
    for (size_t i = 0; i < n; i++) {
        parsed *p = parse(PUBLISH_BODY_JSON, bad[i]);
        if (p->status != want) {
            fprintf(stderr, "%s: %s: expected \"%s\", got \"%s\"\n", test, bad[i],
                    publish_body_strerror(want), publish_body_strerror(p->status));
            check_failed_count++;
        }
    }
}

static void rejects_malformed_json(void)
{
    static const char *bad[] = {"", "{", "[]", "{\"topic\":\"t\",\"data\":\"x\"", "\"x\"",
                                "{\"topic\":\"t\",\"data\":\"x\"} trailing", "{topic:1}"};
    expect_json_refused(__func__, bad, sizeof bad / sizeof bad[0], PUBLISH_BODY_MALFORMED);
}

static void refuses_keys_longer_than_lejp_can_hold(void)
{
    /* LEJP 4.1.6 does not bound its 128-byte key path: a 300-byte key that
     * ends in "topic" must be refused, not wrap around and match. */
    char body[512];
    memset(body, 'k', sizeof body);
    memcpy(body, "{\"", 2);
    memcpy(body + 2 + 295, "topic\":\"t\",\"data\":\"x\"}", 23);
    body[2 + 295 + 23] = 0;
    CHECK_INT(PUBLISH_BODY_MALFORMED, parse(PUBLISH_BODY_JSON, body)->status);
}

/* RFC 8259 section 7: every escape a JSON string may use. */
static void decodes_every_json_string_escape(void)
{
    parsed *p = parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\",\"data\":"
                                         "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 "
                                         "\\u07FF \\u20AC \\uFFFF\"}");
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_STR("\" \\ / \b \f \n \r \t A \xc3\xa9 \xdf\xbf \xe2\x82\xac \xef\xbf\xbf", p->f.data,
              p->f.data_len);
}

/* What Python's json.dumps writes by default for "smile 😀". */
static void joins_surrogate_pairs_into_utf8(void)
{
    parsed *p = parse(PUBLISH_BODY_JSON,
                      "{\"topic\":\"t\",\"data\":\"smile \\ud83d\\ude00\",\"type\":\"\\uD83D\\uDE00\"}");
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_STR("smile \xf0\x9f\x98\x80", p->f.data, p->f.data_len);
    CHECK_STR("\xf0\x9f\x98\x80", p->f.type, p->f.type_len);
    /* The extremes: U+10000 and U+10FFFF. */
    p = parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\",\"data\":\"\\ud800\\udc00\\udbff\\udfff\"}");
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_STR("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", p->f.data, p->f.data_len);
}

/* LEJP hands long strings over in 254-byte chunks; a pair split across two
 * of them is still one character. */
static void joins_a_surrogate_pair_split_across_lejp_chunks(void)
{
    static char body[1200], want[1200];
    for (size_t shift = 248; shift <= 256; shift++) {
        char pad[300];
        memset(pad, 'x', shift);
        pad[shift] = '\0';
        snprintf(body, sizeof body, "{\"topic\":\"t\",\"data\":\"%s\\ud83d\\ude00%s\"}", pad, pad);
        snprintf(want, sizeof want, "%s\xf0\x9f\x98\x80%s", pad, pad);
        parsed *p = parse(PUBLISH_BODY_JSON, body);
        CHECK_INT(PUBLISH_BODY_OK, p->status);
        CHECK_STR(want, p->f.data, p->f.data_len);
    }
}

static void refuses_lone_or_reversed_surrogates(void)
{
    static const char *bad[] = {
        "{\"topic\":\"t\",\"data\":\"\\ud83d\"}",          /* high alone */
        "{\"topic\":\"t\",\"data\":\"\\ude00\"}",          /* low alone */
        "{\"topic\":\"t\",\"data\":\"\\ude00\\ud83d\"}",   /* reversed */
        "{\"topic\":\"t\",\"data\":\"\\ud83d x\\ude00\"}", /* not adjacent */
        "{\"topic\":\"t\",\"data\":\"\\ud83d\\u0041\"}",   /* high, then not a low */
        "{\"topic\":\"t\",\"data\":\"\\ud83d\\ud83d\"}",   /* two highs */
        "{\"topic\":\"t\",\"data\":\"\\ud800\\ue000\"}",   /* high, then past the lows */
        "{\"topic\":\"t\",\"data\":\"\\ud83d\\n\"}",       /* high, then another escape */
        "{\"topic\":\"t\",\"data\":\"x\",\"type\":\"\\udfff\"}",
        "{\"topic\":\"t\",\"data\":\"x\",\"other\":\"\\ud800\"}", /* even where unread */
        "{\"\\ud800\":1,\"topic\":\"t\",\"data\":\"x\"}",              /* and in a key */
    };
    expect_json_refused(__func__, bad, sizeof bad / sizeof bad[0], PUBLISH_BODY_LONE_SURROGATE);
    CHECK(strstr(publish_body_strerror(PUBLISH_BODY_LONE_SURROGATE), "pair") != NULL);
}

/* docs/protocol.md: \u0000 is U+0000, carried in data like %00 in a form;
 * type and topic refuse it as they refuse every control character. */
static void carries_u0000_in_data_only(void)
{
    parsed *p = parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\",\"data\":\"a\\u0000b\"}");
    CHECK_INT(PUBLISH_BODY_OK, p->status);
    CHECK_MEM("a\0b", 3, p->f.data, p->f.data_len);
    CHECK_INT(PUBLISH_BODY_BAD_TYPE,
              parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\",\"data\":\"x\",\"type\":\"a\\u0000\"}")->status);
    CHECK_INT(PUBLISH_BODY_BAD_TOPIC,
              parse(PUBLISH_BODY_JSON, "{\"topic\":\"t\\u0000\",\"data\":\"x\"}")->status);
}

/* RFC 8259 section 8.1: the text itself is UTF-8, so surrogates encoded
 * raw (CESU-8) are refused, never joined as if they were escapes. */
static void refuses_json_text_that_is_not_utf8(void)
{
    static const char *bad[] = {
        "{\"topic\":\"t\",\"data\":\"\xff\"}",
        "{\"topic\":\"t\",\"data\":\"\xed\xa0\xbd\xed\xb8\x80\"}",
        "{\"x\":\"\xc0\xaf\",\"topic\":\"t\",\"data\":\"x\"}",
    };
    expect_json_refused(__func__, bad, sizeof bad / sizeof bad[0], PUBLISH_BODY_JSON_NOT_UTF8);
}

/* LEJP 4.1.6 reads a backslash before a NUL byte as an escape for NUL. */
static void refuses_unknown_escapes(void)
{
    static const char nul_escape[] = "{\"topic\":\"t\",\"data\":\"a\\\0\"}";
    static const char *bad[] = {
        "{\"topic\":\"t\",\"data\":\"\\x41\"}",
        "{\"topic\":\"t\",\"data\":\"\\u12\"}",
        "{\"topic\":\"t\",\"data\":\"\\u12G4\"}",
        "{\"topic\":\"t\",\"data\":\"\\u0x12\"}",
        "{\"topic\":\"t\",\"data\":\"\\U0041\"}",
    };
    CHECK_INT(PUBLISH_BODY_MALFORMED,
              parse_n(PUBLISH_BODY_JSON, nul_escape, sizeof nul_escape - 1)->status);
    expect_json_refused(__func__, bad, sizeof bad / sizeof bad[0], PUBLISH_BODY_MALFORMED);
}

static void validates_utf8(void)
{
    const char *good = "plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    CHECK(utf8_valid(good, strlen(good)));
    CHECK(!utf8_valid("\xc0\xaf", 2));         /* overlong */
    CHECK(!utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    CHECK(!utf8_valid("\xe2\x82", 2));         /* cut short */
    CHECK(!utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
}

int main(void)
{
    RUN(recognizes_content_types);
    RUN(decodes_form_fields);
    RUN(defaults_the_type_to_message);
    RUN(reports_what_is_wrong_with_a_form);
    RUN(limits_the_type_to_64_bytes);
    RUN(reads_json_fields);
    RUN(reads_json_strings_longer_than_lejp_chunks);
    RUN(ignores_nested_keys_with_our_names);
    RUN(wants_json_data_as_a_string);
    RUN(rejects_malformed_json);
    RUN(refuses_keys_longer_than_lejp_can_hold);
    RUN(decodes_every_json_string_escape);
    RUN(joins_surrogate_pairs_into_utf8);
    RUN(joins_a_surrogate_pair_split_across_lejp_chunks);
    RUN(refuses_lone_or_reversed_surrogates);
    RUN(carries_u0000_in_data_only);
    RUN(refuses_json_text_that_is_not_utf8);
    RUN(refuses_unknown_escapes);
    RUN(validates_utf8);
    return check_report();
}
