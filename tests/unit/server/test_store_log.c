/* store_memory with a data dir: the log survives restarts, torn tails are
 * dropped, compaction keeps exactly what is retained. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_fixture.h"

#define T0 1700000000000ULL

static char dir[64];

static void fresh_dir(void)
{
    char cmd[128];
    if (dir[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    strcpy(dir, "/tmp/ssemux-test-log-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static char *log_path(void)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/events.log", dir);
    return path;
}

static off_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

static void replays_events_and_keeps_ids_increasing(void)
{
    store_memory_config c = fixture_config(10, 0, dir);
    store *s = fixture_open(&c, T0);
    const store_event *out[10];
    fixture_ok(s, "a", "one", T0 + 100);
    event_id last = fixture_ok(s, "b", "two", T0 + 100);
    store_destroy(s);

    /* The clock went back across the restart: IDs must not. */
    s = fixture_open(&c, T0);
    CHECK(s != NULL);
    CHECK_INT(0, event_id_compare(last, store_last_id(s)));
    CHECK_INT(1, store_read_after(s, "a", 1, event_id_zero(), out, 10));
    CHECK_STR("one", fixture_data(out[0]), 3);
    event_id next = fixture_ok(s, "a", "three", T0);
    CHECK(event_id_compare(next, last) > 0);
    store_destroy(s);
}

static void drops_a_torn_tail(void)
{
    store_memory_config c = fixture_config(10, 0, dir);
    store_memory_open_info info;
    const store_event *out[10];
    char err[256];
    store *s = fixture_open(&c, T0);
    fixture_ok(s, "a", "kept", T0);
    off_t good = file_size(log_path());
    fixture_ok(s, "a", "torn", T0);
    store_destroy(s);
    /* A crash in the middle of the second write. */
    CHECK_INT(0, truncate(log_path(), file_size(log_path()) - 5));

    CHECK_INT(STORE_OK, store_memory_open(&c, T0, &s, &info, err, sizeof(err)));
    CHECK_INT(1, info.retained_events);
    CHECK(info.truncated_bytes > 0);
    CHECK_INT(good, file_size(log_path()));
    fixture_ok(s, "a", "after", T0);
    store_destroy(s);

    s = fixture_open(&c, T0);
    CHECK_INT(2, store_read_after(s, "a", 1, event_id_zero(), out, 10));
    CHECK_STR("kept", fixture_data(out[0]), 4);
    CHECK_STR("after", fixture_data(out[1]), 5);
    store_destroy(s);
}

static void drops_a_record_whose_checksum_fails(void)
{
    store_memory_config c = fixture_config(10, 0, dir);
    store_memory_open_info info;
    char err[256];
    store *s = fixture_open(&c, T0);
    fixture_ok(s, "a", "kept", T0);
    fixture_ok(s, "a", "flipped", T0);
    store_destroy(s);
    int fd = open(log_path(), O_RDWR);
    CHECK(fd >= 0);
    CHECK_INT(1, pwrite(fd, "X", 1, file_size(log_path()) - 4));
    close(fd);
    CHECK_INT(STORE_OK, store_memory_open(&c, T0, &s, &info, err, sizeof(err)));
    CHECK_INT(1, info.retained_events);
    store_destroy(s);
}

static void refuses_a_file_that_is_not_a_log(void)
{
    store_memory_config c = fixture_config(10, 0, dir);
    store *s = NULL;
    char err[256] = "";
    FILE *f = fopen(log_path(), "w");
    fputs("hello, I am not a log\n", f);
    fclose(f);
    CHECK_INT(STORE_CORRUPT, store_memory_open(&c, T0, &s, NULL, err, sizeof(err)));
    CHECK(s == NULL);
    CHECK(strstr(err, "not an ssemux event log") != NULL);
}

static void locks_the_data_dir(void)
{
    store_memory_config c = fixture_config(10, 0, dir);
    store *s = fixture_open(&c, T0), *second = NULL;
    char err[256] = "";
    CHECK_INT(STORE_DATA_DIR_IN_USE, store_memory_open(&c, T0, &second, NULL, err, sizeof(err)));
    CHECK(second == NULL);
    store_destroy(s);
    second = fixture_open(&c, T0);
    CHECK(second != NULL);
    store_destroy(second);
}

static void compacts_to_what_is_retained(void)
{
    store_memory_config c = fixture_config(5, 0, dir);
    c.compact_min_bytes = 4096;
    store *s = fixture_open(&c, T0);
    store_stats stats;
    store_topic_info info;
    const store_event *out[10];
    char data[200];
    event_id ids[400];
    memset(data, 'd', sizeof(data) - 1);
    data[sizeof(data) - 1] = '\0';
    for (int i = 0; i < 400; i++)
        ids[i] = fixture_ok(s, i % 2 ? "odd" : "even", data, T0 + (uint64_t)i);
    store_get_stats(s, &stats);
    CHECK(stats.compactions > 0);
    /* 10 retained records of ~290 bytes: the log stays near that, far
     * below the ~115 KB ever written. */
    CHECK(stats.log_bytes < 3 * 4096);
    CHECK_INT(stats.log_bytes, file_size(log_path()));
    store_destroy(s);

    s = fixture_open(&c, T0);
    CHECK_INT(5, store_read_after(s, "even", 4, event_id_zero(), out, 10));
    CHECK_INT(0, event_id_compare(ids[390], out[0]->id));
    CHECK(store_topic_info_get(s, "even", 4, &info));
    CHECK_INT(0, event_id_compare(ids[388], info.dropped_through));
    CHECK_INT(0, event_id_compare(ids[399], store_last_id(s)));
    store_destroy(s);
}

static void remembers_the_last_id_when_everything_expired(void)
{
    store_memory_config c = fixture_config(5, 1000, dir);
    c.compact_min_bytes = 1;
    store *s = fixture_open(&c, T0);
    store_topic_info info;
    fixture_ok(s, "a", "x", T0);
    store_destroy(s);
    s = fixture_open(&c, T0 + 3600000);
    event_id last = fixture_ok(s, "a", "y", T0 + 3600000); /* compacts the log */
    store_destroy(s);
    /* Later still, nothing is retained, and the clock is behind: IDs
     * continue after `last` all the same, and the gap is remembered. */
    s = fixture_open(&c, T0 + 7200000);
    CHECK(store_topic_info_get(s, "a", 1, &info));
    CHECK_INT(0, info.count);
    CHECK_INT(0, event_id_compare(last, info.dropped_through));
    store_destroy(s);
    s = fixture_open(&c, T0 - 10);
    CHECK_INT(0, event_id_compare(last, store_last_id(s)));
    CHECK(event_id_compare(fixture_ok(s, "a", "z", T0 - 10), last) > 0);
    store_destroy(s);
}

int main(void)
{
    fresh_dir();
    RUN(replays_events_and_keeps_ids_increasing);
    fresh_dir();
    RUN(drops_a_torn_tail);
    fresh_dir();
    RUN(drops_a_record_whose_checksum_fails);
    fresh_dir();
    RUN(refuses_a_file_that_is_not_a_log);
    fresh_dir();
    RUN(locks_the_data_dir);
    fresh_dir();
    RUN(compacts_to_what_is_retained);
    fresh_dir();
    RUN(remembers_the_last_id_when_everything_expired);
    fresh_dir(); /* removes the last one */
    rmdir(dir);
    return check_report();
}
