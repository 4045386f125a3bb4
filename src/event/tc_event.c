/* The event hub: a ring of recent events behind one mutex (tc_event.h). */
#include <stdio.h>
#include <string.h>

#include "tc_event.h"

void tc_event_hub_init(tc_event_hub *h)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    h->next = 1;
}

void tc_event_hub_destroy(tc_event_hub *h)
{
    pthread_mutex_destroy(&h->mu);
}

void tc_event_hub_publish(tc_event_hub *h, int64_t person_id, const char *type, const char *json)
{
    pthread_mutex_lock(&h->mu);
    tc_event *ev = &h->ring[h->next % TC_EVENT_RING];
    ev->seq = h->next++;
    ev->person_id = person_id;
    snprintf(ev->type, sizeof ev->type, "%s", type);
    /* an event's data is a small summary; a longer one is replaced by {} and
     * the app refetches what it needs anyway */
    if (strlen(json) < sizeof ev->data)
        snprintf(ev->data, sizeof ev->data, "%s", json);
    else
        snprintf(ev->data, sizeof ev->data, "{}");
    pthread_mutex_unlock(&h->mu);
}

uint64_t tc_event_hub_now(tc_event_hub *h)
{
    pthread_mutex_lock(&h->mu);
    uint64_t n = h->next;
    pthread_mutex_unlock(&h->mu);
    return n;
}

int tc_event_hub_next(tc_event_hub *h, int64_t person_id, uint64_t *from, tc_event *out)
{
    int found = 0;
    pthread_mutex_lock(&h->mu);
    uint64_t lo = h->next > TC_EVENT_RING ? h->next - TC_EVENT_RING : 1;
    if (*from < lo)
        *from = lo;
    for (; *from < h->next; (*from)++) {
        const tc_event *ev = &h->ring[*from % TC_EVENT_RING];
        if (ev->person_id == person_id) {
            *out = *ev;
            (*from)++;
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&h->mu);
    return found;
}
