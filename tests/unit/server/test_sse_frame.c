/* sse_frame: the exact bytes of events, retry hints and gap notices. */
#include "check.h"
#include "sse_frame.h"

static void check_event(const char *data, const char *expected)
{
    char out[512];
    size_t size = sse_frame_event_size(3, 4, data, strlen(data));
    size_t n = sse_frame_event(out, sizeof(out), "1-2", 3, "tick", 4, data, strlen(data));
    CHECK_STR(expected, out, n);
    CHECK_INT(n, size);
}

static void writes_id_event_and_data_lines(void)
{
    check_event("hello", "id: 1-2\nevent: tick\ndata: hello\n\n");
}

static void splits_data_at_lf_cr_and_crlf(void)
{
    check_event("a\nb\rc\r\nd", "id: 1-2\nevent: tick\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
}

static void keeps_empty_lines_and_a_trailing_break(void)
{
    /* "a\n\nb\n" must arrive as "a\n\nb\n": four data lines, the last empty. */
    check_event("a\n\nb\n", "id: 1-2\nevent: tick\ndata: a\ndata: \ndata: b\ndata: \n\n");
    check_event("\r\n", "id: 1-2\nevent: tick\ndata: \ndata: \n\n");
}

static void sends_empty_data_as_one_empty_line(void)
{
    /* WHATWG dispatches it (the data buffer is "\n" before the final
     * newline is removed), so the event is not lost. */
    check_event("", "id: 1-2\nevent: tick\ndata: \n\n");
}

static void keeps_leading_spaces_of_data(void)
{
    /* The parser strips one space after the colon: ours. */
    check_event(" x", "id: 1-2\nevent: tick\ndata:  x\n\n");
}

static void refuses_a_too_small_buffer(void)
{
    char out[16];
    CHECK_INT(0, sse_frame_event(out, sizeof(out), "1-2", 3, "tick", 4, "hello", 5));
    CHECK_INT(0, sse_frame_retry(out, 4, 3000));
    CHECK_INT(0, sse_frame_gap(out, sizeof(out), "t", "1-2", "3-4", false));
}

static void writes_retry_hints(void)
{
    char out[32];
    size_t n = sse_frame_retry(out, sizeof(out), 3000);
    CHECK_STR("retry: 3000\n\n", out, n);
}

static void writes_gap_notices_without_an_id(void)
{
    char out[256];
    size_t n = sse_frame_gap(out, sizeof(out), "scores", "5-0", "9-1", false);
    CHECK_STR("event: ssemux-gap\ndata: {\"topic\":\"scores\",\"requested\":\"5-0\",\"oldest\":\"9-1\"}\n\n",
              out, n);
    n = sse_frame_gap(out, sizeof(out), "scores", "5-0", NULL, false);
    CHECK_STR("event: ssemux-gap\ndata: {\"topic\":\"scores\",\"requested\":\"5-0\",\"oldest\":null}\n\n",
              out, n);
    n = sse_frame_gap(out, sizeof(out), "scores", "5-0", NULL, true);
    CHECK_STR("event: scores/ssemux-gap\ndata: {\"topic\":\"scores\",\"requested\":\"5-0\",\"oldest\":null}\n\n",
              out, n);
}

static void renames_the_type_for_routed_streams(void)
{
    char frame[128], out[128];
    size_t n = sse_frame_event(frame, sizeof(frame), "17-3", 4, "goal", 4, "a\nb", 3);
    size_t m = sse_frame_route(out, sizeof(out), frame, n, "scores", 6);
    CHECK_STR("id: 17-3\nevent: scores/goal\ndata: a\ndata: b\n\n", out, m);
    CHECK_INT(0, sse_frame_route(out, m - 1, frame, n, "scores", 6));
    CHECK_INT(0, sse_frame_route(out, sizeof(out), "data: x\n\n", 9, "scores", 6));
}

int main(void)
{
    RUN(writes_id_event_and_data_lines);
    RUN(splits_data_at_lf_cr_and_crlf);
    RUN(keeps_empty_lines_and_a_trailing_break);
    RUN(sends_empty_data_as_one_empty_line);
    RUN(keeps_leading_spaces_of_data);
    RUN(refuses_a_too_small_buffer);
    RUN(writes_retry_hints);
    RUN(writes_gap_notices_without_an_id);
    RUN(renames_the_type_for_routed_streams);
    return check_report();
}
