#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

/* Process-wide by nature: a signal handler can reach nothing else. */
static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t restart_flag;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int signo)
{
    int saved = errno; /* write() may clobber errno under the interrupted code */
    if (signo == SIGHUP)
        restart_flag = 1;
    else
        stop_flag = 1;
    if (wake_pipe[1] >= 0) {
        ssize_t ignored = write(wake_pipe[1], "", 1); /* full pipe: already awake */
        (void)ignored;
    }
    errno = saved;
}

static bool make_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 &&
           fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

int ssecat_signals_install(void)
{
    struct sigaction sa;

    if (pipe(wake_pipe) != 0 || !make_nonblocking(wake_pipe[0]) ||
        !make_nonblocking(wake_pipe[1]))
        return -1;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
        sigaction(SIGHUP, &sa, NULL) != 0)
        return -1;
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) != 0)
        return -1;
    return wake_pipe[0];
}

bool ssecat_stop_requested(void)
{
    char drain[64];
    while (wake_pipe[0] >= 0 && read(wake_pipe[0], drain, sizeof drain) > 0)
        continue;
    return stop_flag != 0;
}

bool ssecat_restart_requested(void)
{
    if (!restart_flag)
        return false;
    restart_flag = 0; /* a SIGHUP landing between test and clear merges with this one */
    return true;
}
