/* tc_event: the event hub behind the app's live updates, without a server
 * (tests/http/journey.test.mjs reads the same events from GET /api/v1/me/events). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event/tc_event.h"

static void test_each_persons_events_in_order_and_a_late_stream_skips(void **state)
{
    (void)state;
    tc_event_hub *h = malloc(sizeof *h);
    tc_event_hub_init(h);
    uint64_t from = tc_event_hub_now(h);
    tc_event_hub_publish(h, 7, "photo", "{\"id\":1}");
    tc_event_hub_publish(h, 8, "photo", "{\"id\":2}");
    tc_event_hub_publish(h, 7, "message", "{}");
    tc_event ev;
    assert_true(tc_event_hub_next(h, 7, &from, &ev));
    assert_string_equal(ev.type, "photo");
    assert_string_equal(ev.data, "{\"id\":1}");
    assert_true(tc_event_hub_next(h, 7, &from, &ev));
    assert_string_equal(ev.type, "message");
    assert_false(tc_event_hub_next(h, 7, &from, &ev)); /* person 8's event is not 7's */
    /* a stream that fell behind the ring skips what it lost, in order */
    uint64_t old = tc_event_hub_now(h);
    for (int i = 0; i < TC_EVENT_RING + 10; i++)
        tc_event_hub_publish(h, 9, "photo", i == TC_EVENT_RING + 9 ? "{\"last\":true}" : "{}");
    uint64_t prev = 0;
    int n = 0;
    while (tc_event_hub_next(h, 9, &old, &ev)) {
        assert_true(ev.seq > prev);
        prev = ev.seq;
        n++;
    }
    assert_true(n <= TC_EVENT_RING);
    assert_string_equal(ev.data, "{\"last\":true}");
    tc_event_hub_destroy(h);
    free(h);
}

static void test_a_new_stream_sees_only_what_comes_after_it(void **state)
{
    (void)state;
    tc_event_hub *h = malloc(sizeof *h);
    tc_event_hub_init(h);
    tc_event_hub_publish(h, 7, "photo", "{\"old\":true}");
    uint64_t from = tc_event_hub_now(h);
    tc_event ev;
    assert_false(tc_event_hub_next(h, 7, &from, &ev));
    tc_event_hub_publish(h, 7, "payment", "{\"new\":true}");
    assert_true(tc_event_hub_next(h, 7, &from, &ev));
    assert_string_equal(ev.type, "payment");
    assert_string_equal(ev.data, "{\"new\":true}");
    assert_int_equal(ev.person_id, 7);
    assert_false(tc_event_hub_next(h, 7, &from, &ev));
    tc_event_hub_destroy(h);
    free(h);
}

static void test_data_that_does_not_fit_is_stored_as_an_empty_object(void **state)
{
    (void)state;
    tc_event_hub *h = malloc(sizeof *h);
    tc_event_hub_init(h);
    char fits[TC_EVENT_DATA], too_long[TC_EVENT_DATA + 1];
    memset(fits, 'a', sizeof fits - 1);
    fits[sizeof fits - 1] = '\0';         /* TC_EVENT_DATA - 1 bytes: kept */
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0'; /* TC_EVENT_DATA bytes: replaced */
    uint64_t from = tc_event_hub_now(h);
    tc_event_hub_publish(h, 3, "message", fits);
    tc_event_hub_publish(h, 3, "message", too_long);
    tc_event ev;
    assert_true(tc_event_hub_next(h, 3, &from, &ev));
    assert_string_equal(ev.data, fits);
    assert_true(tc_event_hub_next(h, 3, &from, &ev));
    assert_string_equal(ev.data, "{}");
    tc_event_hub_destroy(h);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_persons_events_in_order_and_a_late_stream_skips),
        cmocka_unit_test(test_a_new_stream_sees_only_what_comes_after_it),
        cmocka_unit_test(test_data_that_does_not_fit_is_stored_as_an_empty_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
