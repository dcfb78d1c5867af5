/* The pure parts of the Redis store: --redis URLs, key names, and checking
 * stream entries that Redis sends back (network input: anything malformed
 * is refused, never trusted). */
#include "check.h"
#include "redis_entry.h"
#include "redis_keys.h"
#include "redis_url.h"

static void parses_redis_urls(void)
{
    char err[256];
    redis_url u;

    CHECK(redis_url_parse("redis://127.0.0.1", &u, err, sizeof err));
    CHECK_STR("127.0.0.1", u.host, strlen(u.host));
    CHECK_INT(6379, u.port);
    CHECK_INT(0, u.db);
    CHECK(redis_url_parse("redis://cache.internal:6380/3", &u, err, sizeof err));
    CHECK_STR("cache.internal", u.host, strlen(u.host));
    CHECK_INT(6380, u.port);
    CHECK_INT(3, u.db);
    CHECK(redis_url_parse("redis://[::1]:7000/", &u, err, sizeof err));
    CHECK_STR("::1", u.host, strlen(u.host));
    CHECK_INT(7000, u.port);
}

static void refuses_other_urls(void)
{
    static const char *bad[] = {
        "", "127.0.0.1:6379", "http://h", "redis://", "redis://:6379", "redis://h:",
        "redis://h:65536", "redis://h:x", "redis://h/x", "redis://u:p@h", "redis://[::1",
        "redis://[::1]x", "rediss://h",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        redis_url u;
        if (redis_url_parse(bad[i], &u, err, sizeof err) || !err[0]) {
            fprintf(stderr, "refuses_other_urls: expected \"%s\" to be refused\n", bad[i]);
            check_failed_count++;
        }
    }
}

static void names_keys_under_the_prefix(void)
{
    char key[REDIS_KEY_MAX];
    const char *topic;
    size_t len, n;
    redis_keys k;

    CHECK(redis_keys_init(&k, "app{1}:"));
    CHECK_STR("app{1}:all", k.all, strlen(k.all));
    CHECK_STR("app{1}:last-id", k.last_id, strlen(k.last_id));
    n = redis_keys_topic(&k, "scores", 6, key);
    CHECK_STR("app{1}:t:scores", key, n);
    topic = redis_keys_topic_of(&k, key, n, &len);
    CHECK(topic && len == 6 && !memcmp(topic, "scores", 6));
    CHECK(!redis_keys_topic_of(&k, "app{1}:t:", 9, &len));
    CHECK(!redis_keys_topic_of(&k, "other:t:x", 9, &len));
    CHECK(!redis_keys_init(&k, "a*"));  /* a glob character: SCAN MATCH would misread it */
    CHECK(!redis_keys_init(&k, "a b"));
    CHECK(redis_keys_init(&k, ""));
}

/* Builds [id, [name, value, ...]] from strings, as hiredis would. */
typedef struct fake_entry {
    redisReply entry, id, fields, items[10];
    redisReply *entry_elems[2];
    redisReply *field_elems[10];
} fake_entry;

static void set_str(redisReply *r, const char *s)
{
    memset(r, 0, sizeof *r);
    r->type = REDIS_REPLY_STRING;
    r->str = (char *)s;
    r->len = (int)strlen(s);
}

static redisReply *make_entry(fake_entry *f, const char *id, const char *const *kv, size_t n)
{
    memset(f, 0, sizeof *f);
    set_str(&f->id, id);
    for (size_t i = 0; i < n; i++) {
        set_str(&f->items[i], kv[i]);
        f->field_elems[i] = &f->items[i];
    }
    f->fields.type = REDIS_REPLY_ARRAY;
    f->fields.elements = n;
    f->fields.element = f->field_elems;
    f->entry_elems[0] = &f->id;
    f->entry_elems[1] = &f->fields;
    f->entry.type = REDIS_REPLY_ARRAY;
    f->entry.elements = 2;
    f->entry.element = f->entry_elems;
    return &f->entry;
}

static void reads_a_published_entry(void)
{
    static const char *const kv[] = {"t", "scores", "e", "goal", "d", "2:1", "p", "1700000000123"};
    fake_entry f;
    redis_entry e;

    CHECK(redis_entry_parse(make_entry(&f, "1700000000123-4", kv, 8), true, &e));
    CHECK(e.id.ms == 1700000000123ULL && e.id.seq == 4);
    CHECK_STR("scores", e.topic, e.topic_len);
    CHECK_STR("goal", e.type, e.type_len);
    CHECK_STR("2:1", e.data, e.data_len);
    CHECK(e.published_ms == 1700000000123ULL);
    /* Topic streams carry no t field. */
    CHECK(redis_entry_parse(make_entry(&f, "5-0", kv + 2, 6), false, &e));
    CHECK(!redis_entry_parse(make_entry(&f, "5-0", kv + 2, 6), true, &e));
    CHECK(!e.has_before);
}

/* The global stream chains each entry to the one before it (b): how a
 * feed knows entries were trimmed before it read them. */
static void reads_the_previous_id(void)
{
    static const char *const chained[] = {"t", "s", "e", "m", "d", "1", "p", "7", "b", "6-2"};
    static const char *const first[] = {"t", "s", "e", "m", "d", "1", "p", "7", "b", "0-0"};
    static const char *const bad[] = {"t", "s", "e", "m", "d", "1", "p", "7", "b", "6"};
    fake_entry f;
    redis_entry e;

    CHECK(redis_entry_parse(make_entry(&f, "7-0", chained, 10), true, &e));
    CHECK(e.has_before && e.before.ms == 6 && e.before.seq == 2);
    CHECK(redis_entry_parse(make_entry(&f, "7-0", first, 10), true, &e));
    CHECK(e.has_before && event_id_is_zero(e.before));
    CHECK(!redis_entry_parse(make_entry(&f, "7-0", bad, 10), true, &e));
}

static void refuses_malformed_entries(void)
{
    static const char *const no_type[] = {"t", "x", "d", "1", "p", "1"};
    static const char *const bad_type[] = {"t", "x", "e", "a\nb", "d", "1", "p", "1"};
    static const char *const bad_time[] = {"t", "x", "e", "m", "d", "1", "p", "-1"};
    static const char *const bad_utf8[] = {"t", "x", "e", "m", "d", "\xff", "p", "1"};
    static const char *const odd[] = {"t", "x", "e"};
    static const char *const good[] = {"t", "x", "e", "m", "d", "1", "p", "1"};
    fake_entry f;
    redis_entry e;

    CHECK(!redis_entry_parse(make_entry(&f, "1-0", no_type, 6), true, &e));
    CHECK(!redis_entry_parse(make_entry(&f, "1-0", bad_type, 8), true, &e));
    CHECK(!redis_entry_parse(make_entry(&f, "1-0", bad_time, 8), true, &e));
    CHECK(!redis_entry_parse(make_entry(&f, "1-0", bad_utf8, 8), true, &e));
    CHECK(!redis_entry_parse(make_entry(&f, "1-0", odd, 3), true, &e));
    CHECK(!redis_entry_parse(make_entry(&f, "0-0", good, 8), true, &e));
    CHECK(!redis_entry_parse(make_entry(&f, "x", good, 8), true, &e));
    make_entry(&f, "1-0", good, 8);
    f.items[5].type = REDIS_REPLY_INTEGER; /* a value that is not a string */
    CHECK(!redis_entry_parse(&f.entry, true, &e));
    CHECK(!redis_entry_parse(NULL, true, &e));
}

int main(void)
{
    RUN(parses_redis_urls);
    RUN(refuses_other_urls);
    RUN(names_keys_under_the_prefix);
    RUN(reads_a_published_entry);
    RUN(reads_the_previous_id);
    RUN(refuses_malformed_entries);
    return check_report();
}
