#include "redis_keys.h"

#include <stdio.h>
#include <string.h>

bool redis_keys_init(redis_keys *keys, const char *prefix)
{
    size_t len = strlen(prefix);

    memset(keys, 0, sizeof(*keys));
    if (len > REDIS_PREFIX_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = prefix[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(":_.{}-", c)))
            return false;
    }
    memcpy(keys->prefix, prefix, len);
    keys->prefix_len = len;
    snprintf(keys->all, sizeof(keys->all), "%sall", prefix);
    snprintf(keys->last_id, sizeof(keys->last_id), "%slast-id", prefix);
    return true;
}

size_t redis_keys_topic(const redis_keys *keys, const char *topic, size_t topic_len,
                        char out[REDIS_KEY_MAX])
{
    int n = snprintf(out, REDIS_KEY_MAX, "%st:%.*s", keys->prefix, (int)topic_len, topic);
    /* Sized for the longest prefix and topic; a truncation still never
     * reports bytes past the buffer. */
    if (n <= 0)
        return 0;
    return (size_t)n < REDIS_KEY_MAX ? (size_t)n : REDIS_KEY_MAX - 1;
}

const char *redis_keys_topic_of(const redis_keys *keys, const char *key, size_t key_len,
                                size_t *topic_len)
{
    size_t head = keys->prefix_len + 2;

    if (key_len <= head || memcmp(key, keys->prefix, keys->prefix_len) != 0 ||
        memcmp(key + keys->prefix_len, "t:", 2) != 0)
        return NULL;
    *topic_len = key_len - head;
    return key + head;
}
