/*
 * The publisher side of sse_load: a few keep-alive HTTP/1.1 connections,
 * one request in flight on each, posting events in the shape the server
 * under test wants (--publish-mode: ssemux form fields or nchan raw body).
 * With --pipeline-loosely a connection is free again once a response's
 * head is read: the next request is written before that body is read, as
 * a client that hands the head to its caller and reads bodies lazily.
 */
#ifndef SSE_LOAD_PUBLISHER_H
#define SSE_LOAD_PUBLISHER_H

#include <stdint.h>

#include "sse_load_run.h"

/* Builds each publisher's request template. 0 or -1 (errno set). */
int load_pubs_init(load_run *r);
/* Posts the next event (sequence number r->sent) on an idle publisher,
 * stamped with the time of sending. 1 if sent, 0 if none was free. */
int load_pub_send(load_run *r);
/* Handles epoll `events` for publisher `index`. */
void load_pub_handle(load_run *r, uint32_t index, uint32_t events);
/* After publishing: read the bodies loose publishers left unread, and
 * read every later one at once. */
void load_pubs_publishing_done(load_run *r);
/* Connections with a request written whose response has not been read. */
uint32_t load_pubs_in_flight(const load_run *r);
/* Requests written whose response head never came. */
uint32_t load_pubs_unanswered(const load_run *r);
void load_pubs_free(load_run *r);

#endif
