#include "redis_entry.h"

#include <string.h>

#include "publish_body.h"

static bool is_string(const redisReply *r)
{
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}

bool redis_reply_event_id(const redisReply *reply, event_id *out)
{
    return is_string(reply) && reply->len > 0 &&
           event_id_parse(reply->str, (size_t)reply->len, out);
}

static bool parse_ms(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (!len || len > 19)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* What POST /publish would have accepted: the type ends up on an "event:"
 * line, so no line breaks or controls; both are UTF-8. */
static bool type_and_data_valid(const redis_entry *e)
{
    if (!e->type_len || e->type_len > PUBLISH_TYPE_MAX || !utf8_valid(e->type, e->type_len))
        return false;
    for (size_t i = 0; i < e->type_len; i++)
        if ((unsigned char)e->type[i] < 0x20 || e->type[i] == 0x7F)
            return false;
    return utf8_valid(e->data, e->data_len);
}

static bool field_is(const redisReply *f, char name)
{
    return f->len == 1 && f->str[0] == name;
}

bool redis_entry_parse(const redisReply *entry, bool need_topic, redis_entry *out)
{
    const redisReply *fields;
    bool have_type = false, have_data = false, have_published = false;

    memset(out, 0, sizeof(*out));
    if (!entry || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
        return false;
    if (!redis_reply_event_id(entry->element[0], &out->id) || event_id_is_zero(out->id))
        return false;
    fields = entry->element[1];
    if (!fields || fields->type != REDIS_REPLY_ARRAY || fields->elements % 2)
        return false;
    for (size_t i = 0; i < fields->elements; i += 2) {
        const redisReply *name = fields->element[i], *value = fields->element[i + 1];

        if (!is_string(name) || !is_string(value))
            return false;
        if (field_is(name, 't')) {
            out->topic = value->str;
            out->topic_len = (size_t)value->len;
        } else if (field_is(name, 'e')) {
            out->type = value->str;
            out->type_len = (size_t)value->len;
            have_type = true;
        } else if (field_is(name, 'd')) {
            out->data = value->str;
            out->data_len = (size_t)value->len;
            have_data = true;
        } else if (field_is(name, 'p')) {
            if (!parse_ms(value->str, (size_t)value->len, &out->published_ms))
                return false;
            have_published = true;
        } else if (field_is(name, 'b')) {
            if (!redis_reply_event_id(value, &out->before))
                return false;
            out->has_before = true;
        }
    }
    return have_type && have_data && have_published && (!need_topic || out->topic) &&
           type_and_data_valid(out);
}

store_append_request redis_entry_request(const redis_entry *e, const char *topic,
                                         size_t topic_len)
{
    store_append_request req;

    req.topic = topic;
    req.topic_len = topic_len;
    req.type = e->type;
    req.type_len = e->type_len;
    req.data = e->data;
    req.data_len = e->data_len;
    req.now_ms = e->published_ms;
    return req;
}
