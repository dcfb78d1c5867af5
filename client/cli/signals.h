/*
 * Signals the URL-mode loop acts on. SIGINT/SIGTERM end ssecat cleanly;
 * SIGHUP drops the connection and reconnects at once (the way to force a
 * reconnect). Each handler sets a flag and writes a byte to a pipe whose
 * read end the event loop polls next to libcurl's sockets (the self-pipe
 * trick), so a signal that lands just before the loop goes to sleep still
 * wakes it. SIGPIPE is ignored: a closed stdout shows up as a write error
 * instead of killing the process mid-line.
 */
#ifndef SSECAT_SIGNALS_H
#define SSECAT_SIGNALS_H

#include <stdbool.h>

/* Installs the handlers. Returns the fd to poll for input, or -1 on error. */
int ssecat_signals_install(void);

/* True once SIGINT or SIGTERM arrived. Also empties the pipe, so call it
 * before ssecat_restart_requested in each turn of the loop. */
bool ssecat_stop_requested(void);

/* True if SIGHUP arrived since the last call (several count as one). */
bool ssecat_restart_requested(void);

#endif
