/* publish_body: form and JSON bodies of POST /publish. */
#include <stdlib.h>

#include "check.h"
#include "publish_body.h"

typedef struct parsed {
    publish_body_status status;
    publish_fields f;
    char scratch[4096];
} parsed;

static parsed *parse(publish_body_kind kind, const char *body)
{
    static parsed p;
    memset(&p, 0, sizeof(p));
    p.status = publish_body_parse(kind, body, strlen(body), p.scratch, &p.f);
    return &p;
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

static void rejects_malformed_json(void)
{
    static const char *bad[] = {"", "{", "[]", "{\"topic\":\"t\",\"data\":\"x\"", "\"x\"",
                                "{\"topic\":\"t\",\"data\":\"x\"} trailing", "{topic:1}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parsed *p = parse(PUBLISH_BODY_JSON, bad[i]);
        if (p->status != PUBLISH_BODY_MALFORMED) {
            fprintf(stderr, "rejects_malformed_json: \"%s\": expected MALFORMED, got %d\n", bad[i],
                    p->status);
            check_failed_count++;
        }
    }
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
    RUN(validates_utf8);
    return check_report();
}
