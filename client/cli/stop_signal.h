/*
 * SIGINT/SIGTERM end ssecat cleanly. The handler sets a flag and writes a
 * byte to a pipe whose read end the event loop polls next to libcurl's
 * sockets (the self-pipe trick), so a signal that lands just before the loop
 * goes to sleep still wakes it. SIGPIPE is ignored: a closed stdout shows up
 * as a write error instead of killing the process mid-line.
 */
#ifndef SSECAT_STOP_SIGNAL_H
#define SSECAT_STOP_SIGNAL_H

#include <stdbool.h>

/* Installs the handlers. Returns the fd to poll for input, or -1 on error. */
int ssecat_stop_signal_install(void);

/* True once SIGINT or SIGTERM arrived. Also empties the pipe. */
bool ssecat_stop_requested(void);

#endif
