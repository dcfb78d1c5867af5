/* /proc readings for the server under test; see sse_load_proc.h. */
#define _GNU_SOURCE
#include "sse_load_proc.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A process tree deeper or wider than this is not a server we bench. */
#define MAX_TREE 256

/* Field `name` ("VmRSS:") of a /proc key-value file, in kB; 0 if absent. */
static uint64_t read_kib(const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[256];
    uint64_t v = 0;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0) {
            v = strtoull(line + n, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* From /proc/PID/stat: parent pid and utime + stime in clock ticks. The
 * command name may hold spaces and ')' so parsing starts after the last ')'. */
static int read_stat(int pid, int *ppid, uint64_t *ticks)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    /* After ")": state(3) ppid(4) ... utime(14) stime(15). */
    char state;
    int parent;
    unsigned long long utime, stime;
    if (sscanf(p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &state, &parent, &utime, &stime) != 4)
        return -1;
    *ppid = parent;
    *ticks = utime + stime;
    return 0;
}

int load_proc_sample_tree(int pid, load_proc_sample *out)
{
    memset(out, 0, sizeof *out);
    int tree[MAX_TREE];
    unsigned count = 0;
    int ppid;
    uint64_t ticks;
    if (read_stat(pid, &ppid, &ticks) != 0)
        return -1;
    tree[count++] = pid;

    /* Descendants: repeat a /proc scan until no new child is found (a
     * server tree is one or two levels deep, so this is a few scans). */
    for (int added = 1; added && count < MAX_TREE;) {
        added = 0;
        DIR *d = opendir("/proc");
        if (!d)
            break;
        struct dirent *e;
        while ((e = readdir(d)) && count < MAX_TREE) {
            if (!isdigit((unsigned char)e->d_name[0]))
                continue;
            int child = atoi(e->d_name);
            if (read_stat(child, &ppid, &ticks) != 0)
                continue;
            int parent_in = 0, child_in = 0;
            for (unsigned i = 0; i < count; i++) {
                parent_in |= tree[i] == ppid;
                child_in |= tree[i] == child;
            }
            if (parent_in && !child_in) {
                tree[count++] = child;
                added = 1;
            }
        }
        closedir(d);
    }

    long hz = sysconf(_SC_CLK_TCK);
    for (unsigned i = 0; i < count; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/status", tree[i]);
        out->rss_kib += read_kib(path, "VmRSS:");
        snprintf(path, sizeof path, "/proc/%d/smaps_rollup", tree[i]);
        out->pss_kib += read_kib(path, "Pss:");
        if (read_stat(tree[i], &ppid, &ticks) == 0)
            out->cpu_seconds += (double)ticks / (double)(hz > 0 ? hz : 100);
    }
    out->processes = count;
    return 0;
}
