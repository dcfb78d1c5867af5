/*
 * base64url without padding: RFC 4648 section 10 test vectors (in the URL
 * alphabet, padding removed) and the strictness a token checker needs.
 */
#include <string.h>

#include "base64url.h"
#include "check.h"

static const struct {
    const char *plain;
    const char *encoded;
} rfc4648_vectors[] = {
    {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

static void encodes_rfc4648_vectors_without_padding(void)
{
    for (size_t i = 0; i < sizeof rfc4648_vectors / sizeof rfc4648_vectors[0]; i++) {
        char out[16];
        size_t len = 99;
        const char *plain = rfc4648_vectors[i].plain;
        CHECK(base64url_encode(plain, strlen(plain), out, sizeof out, &len));
        CHECK_STR(rfc4648_vectors[i].encoded, out, len);
        CHECK_INT(strlen(rfc4648_vectors[i].encoded), BASE64URL_ENCODED_LEN(strlen(plain)));
        CHECK_INT(len, strlen(out)); /* NUL-terminated */
    }
}

static void decodes_rfc4648_vectors(void)
{
    for (size_t i = 0; i < sizeof rfc4648_vectors / sizeof rfc4648_vectors[0]; i++) {
        unsigned char out[16];
        size_t len = 99;
        const char *encoded = rfc4648_vectors[i].encoded;
        CHECK(base64url_decode(encoded, strlen(encoded), out, sizeof out, &len));
        CHECK_STR(rfc4648_vectors[i].plain, out, len);
    }
}

static void uses_the_url_alphabet(void)
{
    const unsigned char bytes[] = {0xFB, 0xFF, 0xBF};
    unsigned char back[3];
    char out[8];
    size_t len;

    CHECK(base64url_encode(bytes, sizeof bytes, out, sizeof out, &len));
    CHECK_STR("-_-_", out, len);
    CHECK(base64url_decode("-_-_", 4, back, sizeof back, &len));
    CHECK_MEM(bytes, sizeof bytes, back, len);
}

static void refuses_standard_alphabet_padding_and_junk(void)
{
    static const char *const bad[] = {
        "+/+/",  /* standard alphabet */
        "Zg==",  /* padding */
        "Zm9v\n", "Zm 9v", "Zm9v.", "Zm\0v",
        "Zm9vY", /* 4k+1 characters: a dangling 6 bits */
        "Zh",    /* "f" with a nonzero unused bit: a second spelling of "Zg" */
        "Zm9",   /* "fo" is "Zm8" */
    };
    static const size_t lens[] = {4, 4, 5, 5, 5, 4, 5, 2, 3};
    unsigned char out[16];
    size_t len;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (base64url_decode(bad[i], lens[i], out, sizeof out, &len)) {
            fprintf(stderr, "%s: decoded bad input #%zu\n", __func__, i);
            check_failed_count++;
        }
    }
}

static void refuses_buffers_that_are_too_small(void)
{
    char enc[5];
    unsigned char dec[2];
    size_t len;

    CHECK(!base64url_encode("foo", 3, enc, 4, &len)); /* needs 4 + NUL */
    CHECK(base64url_encode("foo", 3, enc, 5, &len));
    CHECK(!base64url_decode("Zm9v", 4, dec, sizeof dec, &len));
    CHECK(base64url_decode("Zm8", 3, dec, sizeof dec, &len));
    CHECK_INT(2, len);
}

static void round_trips_every_byte_value(void)
{
    unsigned char bytes[256], back[256];
    char text[BASE64URL_ENCODED_LEN(256) + 1];
    size_t len;

    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)i;
    for (size_t n = 0; n <= sizeof bytes; n++) {
        CHECK(base64url_encode(bytes, n, text, sizeof text, &len));
        CHECK_INT(BASE64URL_ENCODED_LEN(n), len);
        CHECK(base64url_decode(text, len, back, sizeof back, &len));
        CHECK_MEM(bytes, n, back, len);
    }
}

int main(void)
{
    RUN(encodes_rfc4648_vectors_without_padding);
    RUN(decodes_rfc4648_vectors);
    RUN(uses_the_url_alphabet);
    RUN(refuses_standard_alphabet_padding_and_junk);
    RUN(refuses_buffers_that_are_too_small);
    RUN(round_trips_every_byte_value);
    return check_report();
}
