#include "store_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"

#define MAGIC "SSEMUX1\n"
#define MAGIC_LEN 8
#define RECORD_HEADER 8                      /* length + CRC */
#define PAYLOAD_FIXED (1 + 8 + 8 + 8 + 1)    /* kind, ms, seq, published_ms, topic length */
#define MAX_PAYLOAD (64u * 1024 * 1024)      /* larger is corruption, not an event */

struct store_log {
    int fd;
    int lock_fd;
    int tmp_fd; /* -1 unless a rewrite is in progress */
    bool fsync_each;
    uint64_t bytes;
    uint64_t tmp_bytes;
    char *path;     /* DIR/events.log */
    char *tmp_path; /* DIR/events.log.tmp */
    char *dir;
    unsigned char *buf; /* one encoded record */
    size_t buf_cap;
};

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

size_t store_log_record_size(size_t topic_len, size_t frame_len)
{
    return RECORD_HEADER + PAYLOAD_FIXED + topic_len + frame_len;
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* write() all of it, retrying on EINTR and short writes. */
static bool write_all(int fd, const unsigned char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool read_exact(int fd, uint64_t offset, unsigned char *p, size_t len)
{
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return true;
}

static bool reserve(store_log *log, size_t need)
{
    unsigned char *p;

    if (need <= log->buf_cap)
        return true;
    p = realloc(log->buf, need);
    if (!p)
        return false;
    log->buf = p;
    log->buf_cap = need;
    return true;
}

/* Encodes a record into log->buf; returns its size or 0. */
static size_t encode(store_log *log, const store_log_record *r)
{
    size_t frame_len = r->kind == STORE_LOG_EVENT ? r->frame_len : 0;
    size_t size = store_log_record_size(r->topic_len, frame_len);
    unsigned char *p;

    if (r->topic_len > 255 || size - RECORD_HEADER > MAX_PAYLOAD || !reserve(log, size))
        return 0;
    p = log->buf + RECORD_HEADER;
    p[0] = (unsigned char)r->kind;
    put_u64(p + 1, r->id.ms);
    put_u64(p + 9, r->id.seq);
    put_u64(p + 17, (uint64_t)r->published_ms);
    p[25] = (unsigned char)r->topic_len;
    if (r->topic_len)
        memcpy(p + PAYLOAD_FIXED, r->topic, r->topic_len);
    if (frame_len)
        memcpy(p + PAYLOAD_FIXED + r->topic_len, r->frame, frame_len);
    put_u32(log->buf, (uint32_t)(size - RECORD_HEADER));
    put_u32(log->buf + 4, crc32_update(0, p, size - RECORD_HEADER));
    return size;
}

static bool decode(const unsigned char *p, size_t len, store_log_record *r)
{
    if (len < PAYLOAD_FIXED)
        return false;
    r->kind = (store_log_kind)p[0];
    if (r->kind != STORE_LOG_EVENT && r->kind != STORE_LOG_DROPPED && r->kind != STORE_LOG_LAST_ID)
        return false;
    r->id.ms = get_u64(p + 1);
    r->id.seq = get_u64(p + 9);
    r->published_ms = (int64_t)get_u64(p + 17);
    r->topic_len = p[25];
    if (PAYLOAD_FIXED + r->topic_len > len)
        return false;
    r->topic = (const char *)p + PAYLOAD_FIXED;
    r->frame = r->topic + r->topic_len;
    r->frame_len = len - PAYLOAD_FIXED - r->topic_len;
    return true;
}

static void set_err(char *err, size_t cap, const char *what, const char *path)
{
    if (err && cap)
        snprintf(err, cap, "%s %s: %s", what, path, strerror(errno));
}

/* Fsyncs a directory so a rename or a new file in it is durable. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Reads records from MAGIC_LEN on; returns the offset where the valid log
 * ends, or UINT64_MAX if the visitor stopped. */
static uint64_t replay(store_log *log, uint64_t size, store_log_visit visit, void *user,
                       uint64_t *records)
{
    uint64_t off = MAGIC_LEN;
    unsigned char head[RECORD_HEADER];

    while (off + RECORD_HEADER <= size) {
        store_log_record r;
        uint32_t len;

        if (!read_exact(log->fd, off, head, RECORD_HEADER))
            break;
        len = get_u32(head);
        if (len < PAYLOAD_FIXED || len > MAX_PAYLOAD || off + RECORD_HEADER + len > size)
            break;
        if (!reserve(log, len) || !read_exact(log->fd, off + RECORD_HEADER, log->buf, len))
            break;
        if (crc32_update(0, log->buf, len) != get_u32(head + 4) || !decode(log->buf, len, &r))
            break;
        if (!visit(user, &r))
            return UINT64_MAX;
        (*records)++;
        off += RECORD_HEADER + len;
    }
    return off;
}

static store_log *log_alloc(const char *dir, bool fsync_each)
{
    store_log *log = calloc(1, sizeof(*log));

    if (!log)
        return NULL;
    log->fd = log->lock_fd = log->tmp_fd = -1;
    log->fsync_each = fsync_each;
    log->dir = strdup(dir);
    log->path = path_join(dir, "events.log");
    log->tmp_path = path_join(dir, "events.log.tmp");
    if (!log->dir || !log->path || !log->tmp_path) {
        store_log_close(log);
        return NULL;
    }
    return log;
}

static store_status lock_dir(store_log *log, char *err, size_t err_cap)
{
    char *lock_path = path_join(log->dir, "lock");

    if (!lock_path)
        return STORE_NO_MEMORY;
    log->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (log->lock_fd < 0) {
        set_err(err, err_cap, "cannot open", lock_path);
        free(lock_path);
        return STORE_IO_ERROR;
    }
    if (flock(log->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (err && err_cap)
            snprintf(err, err_cap, "%s is locked: another ssemux-server uses this --data-dir",
                     lock_path);
        free(lock_path);
        return STORE_DATA_DIR_IN_USE;
    }
    free(lock_path);
    return STORE_OK;
}

/* Checks (or writes, for a new or never-completed file) the magic. */
static store_status check_magic(store_log *log, uint64_t *size, char *err, size_t err_cap)
{
    unsigned char magic[MAGIC_LEN];
    size_t have = *size < MAGIC_LEN ? (size_t)*size : MAGIC_LEN;

    if (have && !read_exact(log->fd, 0, magic, have)) {
        set_err(err, err_cap, "cannot read", log->path);
        return STORE_IO_ERROR;
    }
    if (have && memcmp(magic, MAGIC, have) != 0) {
        if (err && err_cap)
            snprintf(err, err_cap, "%s is not an ssemux event log", log->path);
        return STORE_CORRUPT;
    }
    if (have < MAGIC_LEN) {
        /* Empty, or a crash while creating it. */
        if (ftruncate(log->fd, 0) != 0 || pwrite(log->fd, MAGIC, MAGIC_LEN, 0) != MAGIC_LEN) {
            set_err(err, err_cap, "cannot write", log->path);
            return STORE_IO_ERROR;
        }
        *size = MAGIC_LEN;
        if (log->fsync_each) {
            (void)fdatasync(log->fd);
            sync_dir(log->dir);
        }
    }
    return STORE_OK;
}

store_status store_log_open(const char *dir, bool fsync_each, store_log_visit visit, void *user,
                            store_log **out, store_log_replay *result, char *err, size_t err_cap)
{
    store_log_replay local = {0, 0};
    store_log *log;
    store_status st;
    struct stat sb;
    uint64_t size, end;

    *out = NULL;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        set_err(err, err_cap, "cannot create", dir);
        return STORE_IO_ERROR;
    }
    log = log_alloc(dir, fsync_each);
    if (!log)
        return STORE_NO_MEMORY;
    st = lock_dir(log, err, err_cap);
    if (st != STORE_OK)
        goto fail;
    /* A leftover from a compaction that crashed before its rename. */
    (void)unlink(log->tmp_path);

    log->fd = open(log->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (log->fd < 0 || fstat(log->fd, &sb) != 0) {
        set_err(err, err_cap, "cannot open", log->path);
        st = STORE_IO_ERROR;
        goto fail;
    }
    size = (uint64_t)sb.st_size;
    st = check_magic(log, &size, err, err_cap);
    if (st != STORE_OK)
        goto fail;

    end = replay(log, size, visit, user, &local.records);
    if (end == UINT64_MAX) {
        if (err && err_cap)
            snprintf(err, err_cap, "out of memory replaying %s", log->path);
        st = STORE_NO_MEMORY;
        goto fail;
    }
    if (end < size) {
        /* The torn tail of a write the crash interrupted: never acked. */
        local.truncated_bytes = size - end;
        if (ftruncate(log->fd, (off_t)end) != 0) {
            set_err(err, err_cap, "cannot truncate", log->path);
            st = STORE_IO_ERROR;
            goto fail;
        }
    }
    if (lseek(log->fd, (off_t)end, SEEK_SET) < 0) {
        set_err(err, err_cap, "cannot seek", log->path);
        st = STORE_IO_ERROR;
        goto fail;
    }
    log->bytes = end;
    if (result)
        *result = local;
    *out = log;
    return STORE_OK;

fail:
    store_log_close(log);
    return st;
}

store_status store_log_append(store_log *log, const store_log_record *record)
{
    size_t size = encode(log, record);

    if (!size)
        return record->topic_len > 255 ? STORE_BAD_ARGUMENT : STORE_NO_MEMORY;
    if (!write_all(log->fd, log->buf, size) || (log->fsync_each && fdatasync(log->fd) != 0)) {
        /* Leave no half record behind: later appends must stay readable. */
        if (ftruncate(log->fd, (off_t)log->bytes) == 0)
            (void)lseek(log->fd, (off_t)log->bytes, SEEK_SET);
        return STORE_IO_ERROR;
    }
    log->bytes += size;
    return STORE_OK;
}

uint64_t store_log_bytes(const store_log *log)
{
    return log->bytes;
}

store_status store_log_rewrite_begin(store_log *log)
{
    if (log->tmp_fd >= 0)
        store_log_rewrite_abort(log);
    /* Read-write: after the rename this descriptor is the log. */
    log->tmp_fd = open(log->tmp_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log->tmp_fd < 0)
        return STORE_IO_ERROR;
    if (!write_all(log->tmp_fd, (const unsigned char *)MAGIC, MAGIC_LEN)) {
        store_log_rewrite_abort(log);
        return STORE_IO_ERROR;
    }
    log->tmp_bytes = MAGIC_LEN;
    return STORE_OK;
}

store_status store_log_rewrite_add(store_log *log, const store_log_record *record)
{
    size_t size;

    if (log->tmp_fd < 0)
        return STORE_BAD_ARGUMENT;
    size = encode(log, record);
    if (!size)
        return STORE_NO_MEMORY;
    if (!write_all(log->tmp_fd, log->buf, size))
        return STORE_IO_ERROR;
    log->tmp_bytes += size;
    return STORE_OK;
}

store_status store_log_rewrite_commit(store_log *log)
{
    if (log->tmp_fd < 0)
        return STORE_BAD_ARGUMENT;
    /* The data must be on disk before the rename makes it the log, or a
     * power cut could leave an empty file under the old name. */
    if (log->fsync_each && fdatasync(log->tmp_fd) != 0) {
        store_log_rewrite_abort(log);
        return STORE_IO_ERROR;
    }
    if (rename(log->tmp_path, log->path) != 0) {
        store_log_rewrite_abort(log);
        return STORE_IO_ERROR;
    }
    if (log->fsync_each)
        sync_dir(log->dir);
    /* The temp descriptor was written sequentially: it is at the end. */
    close(log->fd);
    log->fd = log->tmp_fd;
    log->tmp_fd = -1;
    log->bytes = log->tmp_bytes;
    return STORE_OK;
}

void store_log_rewrite_abort(store_log *log)
{
    if (log->tmp_fd >= 0) {
        close(log->tmp_fd);
        log->tmp_fd = -1;
        (void)unlink(log->tmp_path);
    }
}

void store_log_close(store_log *log)
{
    if (!log)
        return;
    store_log_rewrite_abort(log);
    if (log->fd >= 0)
        close(log->fd);
    if (log->lock_fd >= 0)
        close(log->lock_fd);
    free(log->path);
    free(log->tmp_path);
    free(log->dir);
    free(log->buf);
    free(log);
}
