/*
 * How ssecat reports an event it had to drop: one line on stderr, in both
 * modes and even with --quiet, naming the flag that would have let it in.
 */
#ifndef SSECAT_LIMIT_REPORT_H
#define SSECAT_LIMIT_REPORT_H

#include "ssemux/parser.h"

/* "ssecat: event id longer than the limit; event discarded (--max-id N)". */
void ssecat_report_discarded(const sse_parser_limits *limits, sse_status error);

#endif
