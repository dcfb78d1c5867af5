/* The pure parts of the Redis store: --redis URLs and their credentials,
 * key names, and checking
 * stream entries that Redis sends back (network input: anything malformed
 * is refused, never trusted). */
#include "check.h"
#include "redis_auth.h"
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
        "redis://h:65536", "redis://h:x", "redis://h/x", "redis://[::1",
        "redis://[::1]x", "rediss://h",
        /* credentials: no ':' (ambiguous), empty password, bad or NUL
         * escapes, no host after them */
        "redis://secret@h", "redis://u:@h", "redis://:@h", "redis://:a%2@h", "redis://:a%g0@h",
        "redis://:a%00b@h", "redis://u%00:p@h", "redis://:p@", "redis://:p@:6379",
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

static void parses_credentials_percent_decoded(void)
{
    char err[256];
    redis_url u;

    CHECK(redis_url_parse("redis://:s3cret@10.0.0.5:6380/2", &u, err, sizeof err));
    CHECK_STR("", u.user, strlen(u.user));
    CHECK_STR("s3cret", u.password, strlen(u.password));
    CHECK_STR("10.0.0.5", u.host, strlen(u.host));
    CHECK_INT(6380, u.port);
    CHECK_INT(2, u.db);
    /* Passwords hold : @ / % and spaces: percent-encoded... */
    CHECK(redis_url_parse("redis://app%2Dx:p%3Aa%40s%25s%2Fw%20%231@[::1]/7", &u, err, sizeof err));
    CHECK_STR("app-x", u.user, strlen(u.user));
    CHECK_STR("p:a@s%s/w #1", u.password, strlen(u.password));
    CHECK_STR("::1", u.host, strlen(u.host));
    CHECK_INT(7, u.db);
    /* ...or, for : @ /, as typed: the user ends at the first ':', the
     * password at the last '@'. */
    CHECK(redis_url_parse("redis://app:p:a@s/w@cache:6379", &u, err, sizeof err));
    CHECK_STR("app", u.user, strlen(u.user));
    CHECK_STR("p:a@s/w", u.password, strlen(u.password));
    CHECK_STR("cache", u.host, strlen(u.host));
    CHECK_INT(0, u.db);
    /* '+' is itself in userinfo (it means a space only in form bodies). */
    CHECK(redis_url_parse("redis://:a+b@h", &u, err, sizeof err));
    CHECK_STR("a+b", u.password, strlen(u.password));
    /* No credentials: no AUTH. */
    CHECK(redis_url_parse("redis://cache", &u, err, sizeof err));
    CHECK(!u.user[0] && !u.password[0]);
}

/* Whatever is wrong with a URL, the error never quotes its password, and
 * a refused URL leaves none behind in the struct. */
static void errors_never_show_the_password(void)
{
    static const char *bad[] = {
        "rediss://:TOPSECRET@h",     "redis://:TOP%zzSECRET@h", "redis://u:TOPSECRET@h:x",
        "redis://u:TOPSECRET@h/x",   "redis://u:TOPSECRET",     "redis://u:TOPSECRET@",
        "http://u:TOPSECRET@h",      "redis://TOPSECRET@h",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512] = "";
        redis_url u;
        CHECK(!redis_url_parse(bad[i], &u, err, sizeof err));
        CHECK(err[0] && !strstr(err, "TOPSECRET") && !strstr(err, "SECRET"));
        CHECK(!u.password[0] && !u.user[0]);
    }
    {
        char err[512] = "";
        redis_url u;
        CHECK(!redis_url_parse("rediss://h", &u, err, sizeof err));
        CHECK(strstr(err, "TLS") && strstr(err, "stunnel"));
    }
}

static void overlong_credentials_are_refused(void)
{
    char text[REDIS_URL_PASSWORD_MAX + 64], err[256];
    redis_url u;
    int n = snprintf(text, sizeof text, "redis://:");

    memset(text + n, 'p', REDIS_URL_PASSWORD_MAX);
    snprintf(text + n + REDIS_URL_PASSWORD_MAX, sizeof text - (size_t)n - REDIS_URL_PASSWORD_MAX,
             "@h");
    CHECK(redis_url_parse(text, &u, err, sizeof err));
    CHECK_INT(REDIS_URL_PASSWORD_MAX, strlen(u.password));
    snprintf(text + n + REDIS_URL_PASSWORD_MAX, sizeof text - (size_t)n - REDIS_URL_PASSWORD_MAX,
             "p@h");
    CHECK(!redis_url_parse(text, &u, err, sizeof err));
}

static void auth_sends_what_the_url_gives(void)
{
    const char *argv[REDIS_AUTH_ARGC_MAX];
    size_t lens[REDIS_AUTH_ARGC_MAX];
    char err[256];
    redis_url u;

    CHECK(redis_url_parse("redis://h", &u, err, sizeof err));
    CHECK_INT(0, redis_auth_argv(&u, argv, lens));
    CHECK(redis_url_parse("redis://:pw@h", &u, err, sizeof err));
    CHECK_INT(2, redis_auth_argv(&u, argv, lens));
    CHECK_STR("AUTH", argv[0], lens[0]);
    CHECK_STR("pw", argv[1], lens[1]);
    CHECK(redis_url_parse("redis://app:pw%40x@h", &u, err, sizeof err));
    CHECK_INT(3, redis_auth_argv(&u, argv, lens));
    CHECK_STR("app", argv[1], lens[1]);
    CHECK_STR("pw@x", argv[2], lens[2]);
}

static void tells_refused_credentials_from_other_errors(void)
{
    static const char *refused[] = {
        "WRONGPASS invalid username-password pair or user is disabled.",
        "NOAUTH Authentication required.",
        "ERR invalid password",
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?",
        "ERR Client sent AUTH, but no password is set",
    };
    static const char *other[] = {
        "ERR DB index is out of range", "NOPERM this user has no permissions", "LOADING", "",
    };
    char err[256], line[512];
    redis_url u;

    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK(redis_auth_refused(refused[i], strlen(refused[i])));
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        CHECK(!redis_auth_refused(other[i], strlen(other[i])));
    CHECK(redis_url_parse("redis://app:TOPSECRET@h", &u, err, sizeof err));
    redis_auth_describe(&u, refused[0], strlen(refused[0]), line, sizeof line);
    CHECK(strstr(line, "authentication failed as user \"app\": WRONGPASS") == line);
    CHECK(!strstr(line, "TOPSECRET"));
    CHECK(redis_url_parse("redis://h", &u, err, sizeof err));
    redis_auth_describe(&u, refused[1], strlen(refused[1]), line, sizeof line);
    CHECK(strstr(line, "authentication failed: NOAUTH") == line && strstr(line, ":PASSWORD@"));
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
    RUN(parses_credentials_percent_decoded);
    RUN(errors_never_show_the_password);
    RUN(overlong_credentials_are_refused);
    RUN(auth_sends_what_the_url_gives);
    RUN(tells_refused_credentials_from_other_errors);
    RUN(names_keys_under_the_prefix);
    RUN(reads_a_published_entry);
    RUN(reads_the_previous_id);
    RUN(refuses_malformed_entries);
    return check_report();
}
