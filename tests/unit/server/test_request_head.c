/* request_head: the strict reading of a connection's first request head. */
#include "check.h"
#include "request_head.h"

#define MAX 8192

static request_head_status scan(const char *text, size_t *head_len)
{
    size_t unused;
    return request_head_scan(text, strlen(text), MAX, head_len ? head_len : &unused);
}

static void accepts_a_complete_head_and_says_where_it_ends(void)
{
    const char *req = "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
    size_t n = 0;
    CHECK_INT(REQUEST_HEAD_OK, scan(req, &n));
    CHECK_INT(strlen(req) - 3, n);
    CHECK_INT(REQUEST_HEAD_OK, scan("GET / HTTP/1.0\r\n\r\n", NULL));
    /* Bare LF line ends and empty lines before the request (RFC 9112 2.2). */
    CHECK_INT(REQUEST_HEAD_OK, scan("GET / HTTP/1.1\nHost: x\n\n", NULL));
    CHECK_INT(REQUEST_HEAD_OK, scan("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", &n));
    CHECK_INT(strlen("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), n);
    /* Empty values and tabs inside values are fine. */
    CHECK_INT(REQUEST_HEAD_OK, scan("GET / HTTP/1.1\r\nX-A:\r\nX-B: a\tb\r\n\r\n", NULL));
}

static void waits_for_the_rest_of_a_well_formed_start(void)
{
    CHECK_INT(REQUEST_HEAD_INCOMPLETE, scan("", NULL));
    CHECK_INT(REQUEST_HEAD_INCOMPLETE, scan("GE", NULL));
    CHECK_INT(REQUEST_HEAD_INCOMPLETE, scan("GET /healthz HTTP/1.1\r\nHost: x\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_INCOMPLETE, scan("GET /healthz HTTP/1.1\r\nHost: x\r", NULL));
}

static void refuses_malformed_lines(void)
{
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET / HTTP/1.1\r\nX-A : b\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET / HTTP/1.1\r\n: x\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET  / HTTP/1.1\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET /\x01 HTTP/1.1\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET /\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET /a%00b HTTP/1.1\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD, scan("GET / HTTP/1.1 x\r\n\r\n", NULL));
    /* A NUL in a value (strlen would stop at it: pass the length). */
    size_t n;
    CHECK_INT(REQUEST_HEAD_BAD,
              request_head_scan("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26, MAX, &n));
    /* Not HTTP at all: judged before any line end arrives. */
    CHECK_INT(REQUEST_HEAD_BAD, scan("\x16\x03\x01\x02", NULL));
}

static void names_unknown_methods_and_versions(void)
{
    CHECK_INT(REQUEST_HEAD_BAD_METHOD, scan("CONNECT a:1 HTTP/1.1\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD_METHOD, scan("get / HTTP/1.1\r\n\r\n", NULL));
    /* Known to be unknown as soon as the method ends. */
    CHECK_INT(REQUEST_HEAD_BAD_METHOD, scan("BREW ", NULL));
    CHECK_INT(REQUEST_HEAD_BAD_VERSION, scan("GET / HTTP/2.0\r\n\r\n", NULL));
    CHECK_INT(REQUEST_HEAD_BAD_VERSION, scan("GET / HTTP/1.2\r\n\r\n", NULL));
    CHECK_INT(501, request_head_http_status(REQUEST_HEAD_BAD_METHOD));
    CHECK_INT(505, request_head_http_status(REQUEST_HEAD_BAD_VERSION));
    CHECK_INT(400, request_head_http_status(REQUEST_HEAD_BAD));
}

static void refuses_a_head_past_the_limit(void)
{
    char big[MAX + 64];
    size_t n;
    memset(big, 'a', sizeof(big));
    memcpy(big, "GET /", 5);
    CHECK_INT(REQUEST_HEAD_TOO_LARGE, request_head_scan(big, sizeof(big), MAX, &n));
    CHECK_INT(REQUEST_HEAD_INCOMPLETE, request_head_scan(big, MAX - 1, MAX, &n));
    CHECK_INT(431, request_head_http_status(REQUEST_HEAD_TOO_LARGE));
}

int main(void)
{
    RUN(accepts_a_complete_head_and_says_where_it_ends);
    RUN(waits_for_the_rest_of_a_well_formed_start);
    RUN(refuses_malformed_lines);
    RUN(names_unknown_methods_and_versions);
    RUN(refuses_a_head_past_the_limit);
    return check_report();
}
