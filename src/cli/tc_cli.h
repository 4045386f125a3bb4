/*
 * tc_cli — the tucai program's subcommands (main.c dispatches): every piece
 * of command-line code lives here, on top of the modules' public headers.
 * The photo commands all go through the one pipeline, tc_studio_make.
 *
 * Each tc_cli_<command>(argc, argv) takes argv[0] = the command's name and
 * returns the process exit status (0 ok, 1 failure, 2 usage).
 *
 * Owns: nothing past a command's run; each command opens and frees what it
 * uses (store, studio, files) before it returns.
 */
#ifndef TC_CLI_H
#define TC_CLI_H

#include <stdio.h>

#include "../api/tc_api.h"
#include "../photo/tc_photo.h"
#include "../studio/tc_studio.h"
#include "../vision/tc_vision.h"

/* Create a demo school, its three staff accounts, a batch and a roster of
 * students with their 采集码 QR images as PNG files under <dir>/qr/, plus
 * <dir>/roster.csv and <dir>/README.txt; print how to sign in as each role
 * to out.  The school is named uniquely, so it can run more than once. */
int tc_cli_demo(tc_api_app *app, const char *dir, const char *url, FILE *out, tc_err *e);

/* A valid 18-digit resident ID number for tests and demos (fake: region
 * 320102, the given birth date and sequence). */
void tc_cli_fake_idnum(int year, int month, int day, int seq, char out[19]);

/* `tucai photo IN -o OUT [--spec NAME] ...` (see --help): tc_studio_make
 * with the checks off, so the photo is the server's for the same file, spec
 * and background; models from --models, $TUCAI_MODELS or ./models, none
 * with the developer option --geom. */
int tc_cli_photo(int argc, char **argv);

/* `tucai check IN [--spec chsi] [--background ..] [--json] [--overlay OUT.png]
 * [--config CHECKS.json] [--models DIR] [--photo OUT.jpg] [--overlay-data OUT.json]`: the server's
 * pipeline with every check; each check's code, score, verdict and message.
 * Exit status 0 when all pass, 1 when any fails, 2 usage. */
int tc_cli_check(int argc, char **argv);

/* `tucai vision IMAGE --json [--mask OUT.png] [--models DIR]`: the three
 * models on one image, as JSON (docs, issue 3).  Initialises libvips. */
int tc_cli_vision(int argc, char **argv);

/* `tucai specs [--json] [--file SPECS.json] [NAME]`: print the spec table. */
int tc_cli_specs(int argc, char **argv);

#endif
