/*
 * tc_cli — the subcommands of the tucai program that need more than a few
 * lines (main.c dispatches).
 */
#ifndef TC_CLI_H
#define TC_CLI_H

#include <stdio.h>

#include "../api/tc_api.h"
#include "../photo/tc_photo.h"
#include "../vision/tc_vision.h"

/* Create a demo school, its three staff accounts, a batch and a roster of
 * students with their 采集码 QR images as PNG files under <dir>/qr/, plus
 * <dir>/roster.csv and <dir>/README.txt; print how to sign in as each role
 * to out.  The school is named uniquely, so it can run more than once. */
int tc_cli_demo(tc_app *app, const char *dir, const char *url, FILE *out, tc_err *e);

/* A valid 18-digit resident ID number for tests and demos (fake: region
 * 320102, the given birth date and sequence). */
void tc_cli_fake_idnum(int year, int month, int day, int seq, char out[19]);

/* `tucai photo ...`: tc_photo's command with the vision engine as its
 * analyzer (models from $TUCAI_MODELS or ./models). */
int tc_cli_photo(int argc, char **argv);

/* The vision engine as tc_photo's analyzer (what `tucai photo` uses), for
 * other programs such as the photo benchmark.  pv is the caller's and must
 * outlive the analyzer: v is the loaded models (shared by threads, read
 * only), c this thread's context. */
typedef struct tc_cli_photo_vision {
    const tc_vision *v;
    tc_vision_ctx *c;
} tc_cli_photo_vision;
tc_photo_analyzer tc_cli_photo_analyzer(tc_cli_photo_vision *pv);

#endif
