/* request_token: which part of a request holds a token (docs/auth.md). */
#include "check.h"
#include "request_token.h"

/* The value found, compared whole. */
#define CHECK_VALUE(expected, found_) CHECK_STR(expected, (found_).value, strlen((found_).value))

typedef struct found {
    bool ok;
    unsigned count;
    char value[256];
} found;

static found fill(unsigned count, const char *value, size_t len)
{
    found f = {count > 0, count, ""};
    if (f.ok)
        snprintf(f.value, sizeof f.value, "%.*s", (int)len, value);
    return f;
}

static found bearer(const char *h)
{
    const char *v = NULL;
    size_t n = 0;
    unsigned count = request_token_from_bearer(h, strlen(h), &v, &n);
    return fill(count, v, n);
}

static found query_arg(const char *arg)
{
    const char *v = NULL;
    size_t n = 0;
    unsigned count = request_token_from_query_arg(arg, strlen(arg), &v, &n);
    return fill(count, v, n);
}

static found cookies(const char *h)
{
    const char *v = NULL;
    size_t n = 0;
    unsigned count = request_token_from_cookies(h, strlen(h), &v, &n);
    return fill(count, v, n);
}

static void reads_bearer_in_any_case_after_one_or_more_spaces(void)
{
    CHECK_VALUE("abc", bearer("Bearer abc"));
    CHECK_VALUE("abc", bearer("bEARER   abc"));
    CHECK(bearer("Bearer ").ok); /* there, but empty: the caller refuses it */
    CHECK_INT(0, strlen(bearer("Bearer ").value));
    CHECK(!bearer("Basic abc").ok);
    CHECK(!bearer("Bearerabc").ok);
    CHECK(!bearer("Bearer").ok);
    CHECK(!bearer("Bearer\tabc").ok);
    CHECK(!bearer("").ok);
}

static void reads_only_the_argument_named_access_token(void)
{
    CHECK_VALUE("abc", query_arg("access_token=abc"));
    CHECK(query_arg("access_token=").ok);
    CHECK(query_arg("access_token").ok); /* a bare name is there too */
    CHECK_INT(0, strlen(query_arg("access_token").value));
    CHECK(!query_arg("access_tokens=abc").ok);
    CHECK(!query_arg("xaccess_token=abc").ok);
    CHECK(!query_arg("Access_token=abc").ok);
    CHECK(!query_arg("topic=access_token=abc").ok);
    CHECK_VALUE("a=b", query_arg("access_token=a=b"));
}

static void reads_the_cookie_named_ssemux_token_exactly(void)
{
    found f = cookies("theme=dark; ssemux_token=abc; lang=en");
    CHECK_INT(1, f.count);
    CHECK_VALUE("abc", f);
    CHECK_VALUE("abc", cookies("ssemux_token=abc"));
    CHECK_VALUE("abc", cookies("  ssemux_token = abc ;x=y"));
    /* lws 4.1.6's lws_http_cookie_get matched these as ssemux_token. */
    CHECK_INT(0, cookies("old_ssemux_token=abc").count);
    CHECK_INT(0, cookies("a=ssemux_token=abc").count);
    CHECK_INT(0, cookies("ssemux_tokens=abc; Ssemux_token=abc; ssemux_token").count);
    CHECK_INT(0, cookies("").count);
    f = cookies("ssemux_token=");
    CHECK_INT(1, f.count);
    CHECK_INT(0, strlen(f.value));
}

static void counts_a_cookie_given_twice(void)
{
    found f = cookies("ssemux_token=first; x=1; ssemux_token=second");
    CHECK_INT(2, f.count);
    CHECK_VALUE("first", f);
}

int main(void)
{
    RUN(reads_bearer_in_any_case_after_one_or_more_spaces);
    RUN(reads_only_the_argument_named_access_token);
    RUN(reads_the_cookie_named_ssemux_token_exactly);
    RUN(counts_a_cookie_given_twice);
    return check_report();
}
