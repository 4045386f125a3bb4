/* tc_store — the photo, submission and order state machines: the words the
 * database keeps, and one transition table per machine, each step with the
 * store function that takes it.  docs/ARCHITECTURE.md ("State machines")
 * shows the same tables; tests/unit/test_store_states.c checks every pair. */
#include <assert.h>
#include <string.h>

#include "store_int.h"

#define NEW TC_STORE_STATE_NEW

typedef struct step {
    int from, to;
    const char *by; /* the store function that takes this step */
} step;

/* The words, in the enums' order; the same lists as the schema's CHECKs. */
static const char *const PHOTO_NAMES[] = {"processing", "failed", "draft", "deleted", "used", "error"};
static const char *const SUB_NAMES[] = {"pending_payment", "submitted", "withdrawn", "approved",
                                        "rejected",        "final",     "reset"};
static const char *const ORDER_NAMES[] = {"created", "paid", "closed", "refunding", "refunded"};
static const char *const FINAL_NAMES[] = {"ready", "confirmed", "correction"};

static const step PHOTO_STEPS[] = {
    {NEW, TC_STORE_PHOTO_PROCESSING, "tc_store_photo_begin_limited"},
    {TC_STORE_PHOTO_PROCESSING, TC_STORE_PHOTO_DRAFT, "tc_store_photo_finish"},
    {TC_STORE_PHOTO_PROCESSING, TC_STORE_PHOTO_FAILED, "tc_store_photo_finish"},
    {TC_STORE_PHOTO_PROCESSING, TC_STORE_PHOTO_ERROR, "tc_store_photo_finish"},
    {TC_STORE_PHOTO_DRAFT, TC_STORE_PHOTO_DELETED, "tc_store_photo_delete"},
    {TC_STORE_PHOTO_DRAFT, TC_STORE_PHOTO_USED, "tc_store_submission_create"},
    {TC_STORE_PHOTO_USED, TC_STORE_PHOTO_DRAFT, "tc_store_submission_withdraw"},
};

static const step SUB_STEPS[] = {
    {NEW, TC_STORE_SUB_PENDING_PAYMENT, "tc_store_submission_create (the fee first)"},
    {NEW, TC_STORE_SUB_SUBMITTED, "tc_store_submission_create"},
    {TC_STORE_SUB_PENDING_PAYMENT, TC_STORE_SUB_SUBMITTED, "tc_store_order_paid"},
    {TC_STORE_SUB_PENDING_PAYMENT, TC_STORE_SUB_WITHDRAWN, "tc_store_submission_withdraw"},
    {TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_WITHDRAWN, "tc_store_submission_withdraw"},
    {TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_APPROVED, "tc_store_review_decide"},
    {TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_REJECTED, "tc_store_review_decide"},
    {TC_STORE_SUB_APPROVED, TC_STORE_SUB_FINAL, "tc_store_submission_final"},
    {TC_STORE_SUB_PENDING_PAYMENT, TC_STORE_SUB_RESET, "tc_store_submission_reset"},
    {TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_RESET, "tc_store_submission_reset"},
    {TC_STORE_SUB_APPROVED, TC_STORE_SUB_RESET, "tc_store_submission_reset"},
    {TC_STORE_SUB_REJECTED, TC_STORE_SUB_RESET, "tc_store_submission_reset"},
    {TC_STORE_SUB_FINAL, TC_STORE_SUB_RESET, "tc_store_submission_reset"},
};

static const step ORDER_STEPS[] = {
    {NEW, TC_STORE_ORDER_CREATED, "tc_store_order_open, tc_store_order_create"},
    {TC_STORE_ORDER_CREATED, TC_STORE_ORDER_PAID, "tc_store_order_paid"},
    {TC_STORE_ORDER_CREATED, TC_STORE_ORDER_CLOSED, "tc_store_order_close"},
    {TC_STORE_ORDER_CLOSED, TC_STORE_ORDER_REFUNDING, "tc_store_order_paid_late"},
    {TC_STORE_ORDER_PAID, TC_STORE_ORDER_REFUNDING, "tc_store_order_refunding"},
    {TC_STORE_ORDER_PAID, TC_STORE_ORDER_REFUNDED, "tc_store_order_refunded"},
    {TC_STORE_ORDER_REFUNDING, TC_STORE_ORDER_REFUNDED, "tc_store_order_refunded"},
};

/* The 成片 (submission.final_state): "–" is '' (approved, not produced). */
static const step FINAL_STEPS[] = {
    {NEW, TC_STORE_FINAL_READY, "tc_store_submission_final, tc_store_final_make"},
    {TC_STORE_FINAL_READY, TC_STORE_FINAL_CONFIRMED, "tc_store_final_confirm"},
    {TC_STORE_FINAL_READY, TC_STORE_FINAL_CORRECTION, "tc_store_final_correct"},
    {TC_STORE_FINAL_CORRECTION, TC_STORE_FINAL_READY, "tc_store_final_make"},
};

static const struct machine {
    const char *const *names;
    int n;
    const step *steps;
    size_t nsteps;
} MACHINES[TC_STORE_SM_COUNT] = {
    [TC_STORE_SM_PHOTO] = {PHOTO_NAMES, TC_STORE_PHOTO_COUNT, PHOTO_STEPS, TC_ARRAY_LEN(PHOTO_STEPS)},
    [TC_STORE_SM_SUBMISSION] = {SUB_NAMES, TC_STORE_SUB_COUNT, SUB_STEPS, TC_ARRAY_LEN(SUB_STEPS)},
    [TC_STORE_SM_ORDER] = {ORDER_NAMES, TC_STORE_ORDER_COUNT, ORDER_STEPS, TC_ARRAY_LEN(ORDER_STEPS)},
    [TC_STORE_SM_FINAL] = {FINAL_NAMES, TC_STORE_FINAL_COUNT, FINAL_STEPS, TC_ARRAY_LEN(FINAL_STEPS)},
};

_Static_assert(TC_ARRAY_LEN(PHOTO_NAMES) == TC_STORE_PHOTO_COUNT, "a word for every photo state");
_Static_assert(TC_ARRAY_LEN(SUB_NAMES) == TC_STORE_SUB_COUNT, "a word for every submission state");
_Static_assert(TC_ARRAY_LEN(ORDER_NAMES) == TC_STORE_ORDER_COUNT, "a word for every order state");
_Static_assert(TC_ARRAY_LEN(FINAL_NAMES) == TC_STORE_FINAL_COUNT, "a word for every 成片 state");

static const struct machine *machine_of(tc_store_machine m)
{
    assert(m >= 0 && m < TC_STORE_SM_COUNT);
    return &MACHINES[m];
}

int tc_store_state_count(tc_store_machine m)
{
    return machine_of(m)->n;
}

const char *tc_store_state_name(tc_store_machine m, int state)
{
    const struct machine *k = machine_of(m);
    assert(state >= 0 && state < k->n);
    return k->names[state];
}

int tc_store_state_of(tc_store_machine m, const char *name)
{
    const struct machine *k = machine_of(m);
    for (int i = 0; name && i < k->n; i++)
        if (!strcmp(k->names[i], name))
            return i;
    return NEW;
}

int tc_store_state_can(tc_store_machine m, int from, int to)
{
    const struct machine *k = machine_of(m);
    for (size_t i = 0; i < k->nsteps; i++)
        if (k->steps[i].from == from && k->steps[i].to == to)
            return 1;
    return 0;
}
