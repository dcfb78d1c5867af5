#include "publish_body.h"

#include <string.h>

#include <libwebsockets.h>

#include "json_object.h"

#define DEFAULT_TYPE "message"

/* Case-insensitive compare of the media type before any ';' parameter. */
static bool media_type_is(const char *value, size_t len, const char *want)
{
    size_t n = 0, want_len = strlen(want);

    while (n < len && value[n] != ';' && value[n] != ' ' && value[n] != '\t')
        n++;
    if (n != want_len)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = value[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != want[i])
            return false;
    }
    return true;
}

publish_body_kind publish_body_kind_of(const char *content_type, size_t len)
{
    if (!content_type)
        return PUBLISH_BODY_UNSUPPORTED;
    if (media_type_is(content_type, len, "application/x-www-form-urlencoded"))
        return PUBLISH_BODY_FORM;
    if (media_type_is(content_type, len, "application/json"))
        return PUBLISH_BODY_JSON;
    return PUBLISH_BODY_UNSUPPORTED;
}

/* Event types end up on an "event:" line: no line breaks, no controls. */
static bool type_valid(const char *type, size_t len)
{
    if (len == 0 || len > PUBLISH_TYPE_MAX || !utf8_valid(type, len))
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)type[i] < 0x20 || type[i] == 0x7F)
            return false;
    return true;
}

/* Collected fields before validation. */
typedef struct raw_fields {
    const char *topic, *type, *data;
    size_t topic_len, type_len, data_len;
    bool has_topic, has_type, has_data, data_not_string;
} raw_fields;

static publish_body_status validate(const raw_fields *raw, publish_fields *out)
{
    if (!raw->has_topic)
        return PUBLISH_BODY_MISSING_TOPIC;
    if (!topic_name_valid(raw->topic, raw->topic_len))
        return PUBLISH_BODY_BAD_TOPIC;
    if (raw->data_not_string)
        return PUBLISH_BODY_DATA_NOT_STRING;
    if (!raw->has_data)
        return PUBLISH_BODY_MISSING_DATA;
    if (raw->has_type && !type_valid(raw->type, raw->type_len))
        return PUBLISH_BODY_BAD_TYPE;
    if (!utf8_valid(raw->data, raw->data_len))
        return PUBLISH_BODY_DATA_NOT_UTF8;

    memcpy(out->topic, raw->topic, raw->topic_len);
    out->topic[raw->topic_len] = '\0';
    out->topic_len = raw->topic_len;
    if (raw->has_type) {
        memcpy(out->type, raw->type, raw->type_len);
        out->type_len = raw->type_len;
    } else {
        memcpy(out->type, DEFAULT_TYPE, sizeof(DEFAULT_TYPE) - 1);
        out->type_len = sizeof(DEFAULT_TYPE) - 1;
    }
    out->type[out->type_len] = '\0';
    out->data = raw->data;
    out->data_len = raw->data_len;
    return PUBLISH_BODY_OK;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* application/x-www-form-urlencoded decoding of one name or value:
 * '+' is a space, %XX a byte. Returns the decoded length or -1. */
static long form_decode(const char *in, size_t len, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        if (in[i] == '+') {
            out[o++] = ' ';
        } else if (in[i] == '%') {
            int hi, lo;
            if (i + 2 >= len)
                return -1;
            hi = hex_value(in[i + 1]);
            lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    return (long)o;
}

static publish_body_status parse_form(const char *body, size_t len, char *scratch,
                                      publish_fields *out)
{
    raw_fields raw;
    size_t pos = 0, used = 0;

    memset(&raw, 0, sizeof(raw));
    while (pos < len) {
        const char *pair = body + pos, *amp = memchr(pair, '&', len - pos), *eq;
        size_t pair_len = amp ? (size_t)(amp - pair) : len - pos;
        char name[8];
        long name_len, value_len;
        char *value;

        pos += pair_len + 1;
        if (!pair_len)
            continue;
        eq = memchr(pair, '=', pair_len);
        if (!eq || (size_t)(eq - pair) >= sizeof(name))
            continue; /* not one of ours: topic, type, data */
        name_len = form_decode(pair, (size_t)(eq - pair), name);
        if (name_len < 0)
            return PUBLISH_BODY_MALFORMED;
        value = scratch + used;
        value_len = form_decode(eq + 1, pair_len - (size_t)(eq - pair) - 1, value);
        if (value_len < 0)
            return PUBLISH_BODY_MALFORMED;
        used += (size_t)value_len;
        if (name_len == 5 && !memcmp(name, "topic", 5)) {
            raw.topic = value, raw.topic_len = (size_t)value_len, raw.has_topic = true;
        } else if (name_len == 4 && !memcmp(name, "type", 4)) {
            raw.type = value, raw.type_len = (size_t)value_len, raw.has_type = true;
        } else if (name_len == 4 && !memcmp(name, "data", 4)) {
            raw.data = value, raw.data_len = (size_t)value_len, raw.has_data = true;
        }
    }
    return validate(&raw, out);
}

/* LEJP walks the JSON and reports strings in chunks; this collects the
 * three top-level fields into scratch. */
typedef struct json_state {
    raw_fields raw;
    char *scratch;
    size_t used;
    int field; /* 1 topic, 2 type, 3 data, 0 none */
    size_t start;
} json_state;

static const char *const json_paths[] = {"topic", "type", "data"};

/* Which field the parser is at. LEJP's path_match stays set inside nested
 * values, so compare paths: strings count only at exactly "data", while
 * anything at "data" or inside an array there ("data[]") means data is not
 * a string. Returns 1 topic, 2 type, 3 data, 0 none. */
static int json_field(struct lejp_ctx *ctx, bool *exact)
{
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(json_paths[i]);
        if (strncmp(ctx->path, json_paths[i], n) != 0)
            continue;
        if (ctx->path[n] == '\0' || ctx->path[n] == '[') {
            *exact = ctx->path[n] == '\0';
            return i + 1;
        }
    }
    return 0;
}

static signed char json_callback(struct lejp_ctx *ctx, char reason)
{
    json_state *st = ctx->user;
    bool exact = false;
    int field;

    if (reason == LEJPCB_CONSTRUCTED || reason == LEJPCB_DESTRUCTED || reason == LEJPCB_START ||
        reason == LEJPCB_COMPLETE || reason == LEJPCB_FAILED || reason == LEJPCB_PAIR_NAME)
        return 0;
    field = json_field(ctx, &exact);
    if (!field)
        return 0;
    if (!exact && (reason == LEJPCB_VAL_STR_START || reason == LEJPCB_VAL_STR_CHUNK ||
                   reason == LEJPCB_VAL_STR_END))
        reason = LEJPCB_VAL_NULL; /* a string inside an array: still not a string field */

    switch (reason) {
    case LEJPCB_VAL_STR_START:
        st->field = field;
        st->start = st->used;
        return 0;
    case LEJPCB_VAL_STR_CHUNK:
    case LEJPCB_VAL_STR_END:
        memcpy(st->scratch + st->used, ctx->buf, ctx->npos);
        st->used += ctx->npos;
        if (reason == LEJPCB_VAL_STR_END) {
            char *v = st->scratch + st->start;
            size_t n = json_string_join_surrogates(v, st->used - st->start);
            st->used = st->start + n;
            if (field == 1)
                st->raw.topic = v, st->raw.topic_len = n, st->raw.has_topic = true;
            else if (field == 2)
                st->raw.type = v, st->raw.type_len = n, st->raw.has_type = true;
            else
                st->raw.data = v, st->raw.data_len = n, st->raw.has_data = true,
                st->raw.data_not_string = false;
            st->field = 0;
        }
        return 0;
    case LEJPCB_VAL_TRUE:
    case LEJPCB_VAL_FALSE:
    case LEJPCB_VAL_NULL:
    case LEJPCB_VAL_NUM_INT:
    case LEJPCB_VAL_NUM_FLOAT:
    case LEJPCB_OBJECT_START:
    case LEJPCB_ARRAY_START:
        /* A number, literal, object or array where a string belongs. */
        if (field == 3)
            st->raw.data_not_string = true;
        else if (field == 1)
            st->raw.topic = "", st->raw.topic_len = 0, st->raw.has_topic = true;
        else
            st->raw.type = "", st->raw.type_len = 0, st->raw.has_type = true;
        return 0;
    default:
        /* Ends of objects and arrays: the path still names the last key. */
        return 0;
    }
}

static publish_body_status parse_json(const char *body, size_t len, char *scratch,
                                      publish_fields *out)
{
    json_state st;

    memset(&st, 0, sizeof(st));
    st.scratch = scratch;
    switch (json_object_parse(body, len, json_callback, &st, json_paths, 3)) {
    case JSON_OBJECT_OK:
        return validate(&st.raw, out);
    case JSON_OBJECT_NOT_UTF8:
        return PUBLISH_BODY_JSON_NOT_UTF8;
    case JSON_OBJECT_LONE_SURROGATE:
        return PUBLISH_BODY_LONE_SURROGATE;
    case JSON_OBJECT_MALFORMED:
        break;
    }
    return PUBLISH_BODY_MALFORMED;
}

publish_body_status publish_body_parse(publish_body_kind kind, const char *body, size_t len,
                                       char *scratch, publish_fields *out)
{
    memset(out, 0, sizeof(*out));
    if (len > 0x7FFFFFFF)
        return PUBLISH_BODY_MALFORMED;
    if (kind == PUBLISH_BODY_FORM)
        return parse_form(body, len, scratch, out);
    if (kind == PUBLISH_BODY_JSON)
        return parse_json(body, len, scratch, out);
    return PUBLISH_BODY_MALFORMED;
}

const char *publish_body_strerror(publish_body_status status)
{
    switch (status) {
    case PUBLISH_BODY_OK:
        return "ok";
    case PUBLISH_BODY_MALFORMED:
        return "the body is not valid for its Content-Type";
    case PUBLISH_BODY_MISSING_TOPIC:
        return "missing topic";
    case PUBLISH_BODY_BAD_TOPIC:
        return "topic names are 1 to 64 of A-Z a-z 0-9 . _ : -";
    case PUBLISH_BODY_BAD_TYPE:
        return "type must be 1 to 64 bytes of UTF-8 without control characters";
    case PUBLISH_BODY_MISSING_DATA:
        return "missing data";
    case PUBLISH_BODY_DATA_NOT_STRING:
        return "data must be a string";
    case PUBLISH_BODY_DATA_NOT_UTF8:
        return "data must be UTF-8";
    case PUBLISH_BODY_JSON_NOT_UTF8:
        return "a JSON body must be UTF-8";
    case PUBLISH_BODY_LONE_SURROGATE:
        return "a surrogate escape (\\uD800 to \\uDFFF) must be half of a pair, high then low";
    }
    return "bad request";
}
