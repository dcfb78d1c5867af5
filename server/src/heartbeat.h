/*
 * One timer for the whole server (not one per stream): every half
 * heartbeat interval it asks idle streams for a ": heartbeat" comment,
 * closes streams whose token expired, and applies age retention.
 */
#ifndef SSEMUX_SERVER_HEARTBEAT_H
#define SSEMUX_SERVER_HEARTBEAT_H

#include "server.h"

void heartbeat_start(server *srv);
void heartbeat_stop(server *srv);

#endif
