/*
 * tc_event — the event hub behind the app's live updates (Server-Sent
 * Events): the server publishes a small event for a person (a photo is done,
 * a submission was decided, a payment arrived, a message came), and each of
 * that person's event streams polls the hub for what is new.  A fixed ring of
 * the last TC_EVENT_RING events behind one mutex: publishing never blocks on
 * a reader and never allocates; a stream that falls behind skips what fell
 * out of the ring (the app refreshes its whole view on any event).
 *
 * Owns: nothing allocated.  The hub lives in tc_api_app, set up and torn down
 * by main (tc_event_hub_init / tc_event_hub_destroy), shared by every thread.
 * Nothing here fails.
 */
#ifndef TC_EVENT_H
#define TC_EVENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

enum { TC_EVENT_RING = 256, TC_EVENT_DATA = 240 };

typedef struct tc_event {
    uint64_t seq;
    int64_t person_id;
    char type[16];             /* "photo", "submission", "payment", "message" */
    char data[TC_EVENT_DATA];  /* JSON text; a longer one is stored as {}       */
} tc_event;

typedef struct tc_event_hub {
    pthread_mutex_t mu;
    uint64_t next;             /* seq of the next event                       */
    tc_event ring[TC_EVENT_RING];
} tc_event_hub;

void tc_event_hub_init(tc_event_hub *h);
void tc_event_hub_destroy(tc_event_hub *h);
void tc_event_hub_publish(tc_event_hub *h, int64_t person_id, const char *type, const char *json);
/* The current sequence number (a new stream starts from here). */
uint64_t tc_event_hub_now(tc_event_hub *h);
/* Copy the first event for person_id with seq >= *from into *out and move
 * *from past it; 0 when there is none (yet).  Events that fell out of the
 * ring are skipped. */
int tc_event_hub_next(tc_event_hub *h, int64_t person_id, uint64_t *from, tc_event *out);

#endif
