#include "limit_report.h"

#include <inttypes.h>
#include <stdio.h>

void ssecat_report_discarded(const sse_parser_limits *limits, sse_status error)
{
    const char *flag = NULL;
    uint32_t value = 0;
    switch (error) {
    case SSE_E_DATA_TOO_LARGE: flag = "--max-data"; value = limits->max_data; break;
    case SSE_E_TYPE_TOO_LONG: flag = "--max-type"; value = limits->max_type; break;
    case SSE_E_ID_TOO_LONG: flag = "--max-id"; value = limits->max_id; break;
    default: break;
    }
    if (flag)
        fprintf(stderr, "ssecat: %s (%s %" PRIu32 ")\n", sse_strerror(error), flag, value);
    else
        fprintf(stderr, "ssecat: %s\n", sse_strerror(error));
}
