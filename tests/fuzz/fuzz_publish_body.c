/*
 * libFuzzer target for the body of POST /publish (publish_body.h): any
 * bytes a publisher sends, as form-urlencoded or as JSON (LEJP).
 *
 * Beyond "no crash", an accepted body must yield fields the rest of the
 * server may trust (a valid topic, a 1..64 byte UTF-8 type without
 * controls, UTF-8 data inside the scratch buffer), and those fields must
 * survive a round trip: written back out as a form body and as a JSON
 * body, each must parse to exactly the same fields. The two encodings of
 * one publish must not mean different things.
 *
 * Input layout: [0] bit 0: 0 form, 1 JSON; bit 1: also read the body as a
 * Content-Type value (publish_body_kind_of). The rest is the body, in an
 * exactly-sized heap buffer, with an exactly-sized scratch buffer, as
 * publish.c allocates them, so ASan sees any overrun.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "publish_body.h"

static bool is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7F;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The media type is the value up to ';', ' ' or tab, compared without case. */
static bool media_type_matches(const char *value, size_t len, const char *want)
{
    size_t n = strlen(want);
    if (len < n || (len > n && value[n] != ';' && value[n] != ' ' && value[n] != '\t'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(value[i]) != want[i])
            return false;
    return true;
}

static void check_kind_of(const char *value, size_t len)
{
    publish_body_kind want = PUBLISH_BODY_UNSUPPORTED;
    if (media_type_matches(value, len, "application/x-www-form-urlencoded"))
        want = PUBLISH_BODY_FORM;
    else if (media_type_matches(value, len, "application/json"))
        want = PUBLISH_BODY_JSON;
    CHECK(publish_body_kind_of(value, len) == want);
}

/* What publish.c hands to the store must be what publish_body.h promises. */
static void check_fields(const publish_fields *f, const char *scratch, size_t len)
{
    CHECK(topic_name_valid(f->topic, f->topic_len) && f->topic[f->topic_len] == '\0');
    CHECK(f->type_len >= 1 && f->type_len <= PUBLISH_TYPE_MAX && f->type[f->type_len] == '\0');
    CHECK(utf8_valid(f->type, f->type_len));
    for (size_t i = 0; i < f->type_len; i++)
        CHECK(!is_control((unsigned char)f->type[i]));
    /* Decoding never grows, and data lives in the caller's scratch. */
    CHECK(f->data_len <= len);
    CHECK(f->data_len == 0 ||
          (f->data >= scratch && f->data + f->data_len <= scratch + (len ? len : 1)));
    CHECK(utf8_valid(f->data, f->data_len));
}

static bool same_fields(const publish_fields *a, const publish_fields *b)
{
    return a->topic_len == b->topic_len && memcmp(a->topic, b->topic, a->topic_len) == 0 &&
           a->type_len == b->type_len && memcmp(a->type, b->type, a->type_len) == 0 &&
           a->data_len == b->data_len &&
           (a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0);
}

/* ---- re-encoding ------------------------------------------------------ */

typedef struct text {
    char *p;
    size_t len;
} text;

static void put(text *t, const char *s, size_t n)
{
    memcpy(t->p + t->len, s, n);
    t->len += n;
}

static void put_str(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static const char hex[] = "0123456789ABCDEF";

/* Every byte that is not a letter or digit as %XX: the strictest spelling. */
static void put_form_value(text *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            t->p[t->len++] = (char)c;
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(t, esc, 3);
        }
    }
}

/* A JSON string (RFC 8259 section 7): quote, backslash and controls escaped. */
static void put_json_string(text *t, const char *s, size_t n)
{
    t->p[t->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(t, esc, 2);
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(t, esc, 6);
        } else {
            t->p[t->len++] = (char)c;
        }
    }
    t->p[t->len++] = '"';
}

/* Both encodings take at most 6 bytes per input byte, plus the names. */
static size_t encoded_cap(const publish_fields *f)
{
    return 64 + 6 * (f->topic_len + f->type_len + f->data_len);
}

static text encode_form(const publish_fields *f)
{
    text t = {malloc(encoded_cap(f)), 0};
    CHECK(t.p);
    put_str(&t, "topic=");
    put_form_value(&t, f->topic, f->topic_len);
    put_str(&t, "&type=");
    put_form_value(&t, f->type, f->type_len);
    put_str(&t, "&data=");
    put_form_value(&t, f->data, f->data_len);
    return t;
}

static text encode_json(const publish_fields *f)
{
    text t = {malloc(encoded_cap(f)), 0};
    CHECK(t.p);
    put_str(&t, "{\"topic\":");
    put_json_string(&t, f->topic, f->topic_len);
    put_str(&t, ",\"type\":");
    put_json_string(&t, f->type, f->type_len);
    put_str(&t, ",\"data\":");
    put_json_string(&t, f->data, f->data_len);
    put_str(&t, "}");
    return t;
}

/* Parses a re-encoded body; it must give back the same fields. */
static void check_round_trip(publish_body_kind kind, text body, const publish_fields *want)
{
    char *scratch = malloc(body.len ? body.len : 1);
    publish_fields got;
    publish_body_status st;

    CHECK(scratch);
    st = publish_body_parse(kind, body.p, body.len, scratch, &got);
    if (st != PUBLISH_BODY_OK) {
        fprintf(stderr, "fuzz_publish_body: re-encoded %s body refused: %s\n",
                kind == PUBLISH_BODY_FORM ? "form" : "JSON", publish_body_strerror(st));
        fprintf(stderr, "fuzz_publish_body: body: %.*s\n", (int)body.len, body.p);
        FAIL("a body made from accepted fields parses");
    }
    check_fields(&got, scratch, body.len);
    if (!same_fields(&got, want))
        FAIL("re-encoded fields parse to the same fields");
    free(scratch);
    free(body.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    publish_body_kind kind;
    publish_fields fields;
    publish_body_status st;
    char *body, *scratch;
    size_t len;

    if (size < 1)
        return 0;
    kind = input[0] & 1 ? PUBLISH_BODY_JSON : PUBLISH_BODY_FORM;
    len = size - 1;
    body = malloc(len ? len : 1);
    scratch = malloc(len ? len : 1);
    CHECK(body && scratch);
    if (len)
        memcpy(body, input + 1, len);
    if (input[0] & 2)
        check_kind_of(body, len);

    st = publish_body_parse(kind, body, len, scratch, &fields);
    CHECK(st >= PUBLISH_BODY_OK && st <= PUBLISH_BODY_LONE_SURROGATE);
    CHECK(publish_body_strerror(st) != NULL);
    if (st == PUBLISH_BODY_OK) {
        check_fields(&fields, scratch, len);
        check_round_trip(PUBLISH_BODY_FORM, encode_form(&fields), &fields);
        check_round_trip(PUBLISH_BODY_JSON, encode_json(&fields), &fields);
    }
    free(body);
    free(scratch);
    return 0;
}
