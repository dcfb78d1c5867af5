/*
 * The publish script, run with EVALSHA (loaded by SCRIPT LOAD on every
 * connect). One script, so assigning the ID and writing both streams is
 * atomic: no instance ever sees an ID in one stream and not the other.
 *
 *   KEYS[1] <prefix>all        every event, in ID order (the live feed)
 *   KEYS[2] <prefix>t:<topic>  the topic's history (replay at startup)
 *   KEYS[3] <prefix>last-id    the newest ID handed out
 *   ARGV    floor-id, all-maxlen, topic-maxlen, max-age-ms, topic, type, data
 *
 * The global stream's entry also carries b, the ID of the entry before it
 * ("0-0" for the first): an instance whose feed finds b newer than the
 * last entry it read knows that entries were trimmed before it read them
 * (it fell further behind than the global stream's length), and says so
 * instead of skipping them silently (store_redis.c, feed_entry).
 *
 * The ID is "<ms>-<seq>" (event_id.h's format and Redis's stream ID
 * format): ms from Redis's clock, so instances with skewed clocks still
 * agree, and never below the last ID or the caller's floor (the newest ID
 * the instance has seen), so IDs only grow even if Redis came back
 * without its data. Returns the ID.
 */
#ifndef SSEMUX_SERVER_REDIS_SCRIPT_H
#define SSEMUX_SERVER_REDIS_SCRIPT_H

#define REDIS_PUBLISH_SCRIPT                                                                   \
    "local function parse(s)\n"                                                                \
    "  local d = string.find(s, '-', 1, true)\n"                                               \
    "  return tonumber(string.sub(s, 1, d - 1)), tonumber(string.sub(s, d + 1))\n"             \
    "end\n"                                                                                    \
    "local t = redis.call('TIME')\n"                                                           \
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"                  \
    "local ms, seq = parse(ARGV[1])\n"                                                         \
    "local last = redis.call('GET', KEYS[3])\n"                                                \
    "local before = last or '0-0'\n"                                                           \
    "if last then\n"                                                                           \
    "  local lms, lseq = parse(last)\n"                                                        \
    "  if lms > ms or (lms == ms and lseq > seq) then ms, seq = lms, lseq end\n"               \
    "end\n"                                                                                    \
    "if now > ms then ms, seq = now, 0 else seq = seq + 1 end\n"                               \
    "local id = string.format('%d-%d', ms, seq)\n"                                             \
    "redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], id,\n"                                \
    "           't', ARGV[5], 'e', ARGV[6], 'd', ARGV[7], 'p', now, 'b', before)\n"            \
    "redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], id,\n"                                \
    "           'e', ARGV[6], 'd', ARGV[7], 'p', now)\n"                                       \
    "local age = tonumber(ARGV[4])\n"                                                          \
    "if age > 0 then\n"                                                                        \
    "  redis.call('XTRIM', KEYS[2], 'MINID', '~', string.format('%d-0', now - age))\n"         \
    "  redis.call('PEXPIRE', KEYS[2], age)\n"                                                  \
    "end\n"                                                                                    \
    "redis.call('SET', KEYS[3], id)\n"                                                         \
    "return id\n"

#endif
