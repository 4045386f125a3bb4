/* `tucai check`: the server's pipeline (tc_studio_make, every check on) on
 * one file, each check's verdict printed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cli_int.h"
#include "tc_cli.h"

static const char usage[] =
    "usage: tucai check IN [--spec chsi] [--background blue] [--json] [--overlay OUT.png]\n"
    "                      [--config CHECKS.json] [--models DIR] [--photo OUT.jpg] [--overlay-data OUT.json]\n"
    "  Make the standard photo from IN and run every automatic check on it: each check's code,\n"
    "  score (0-100, higher is better), threshold, verdict and what to do.\n"
    "  --config  thresholds per check, disabled checks, glasses rule, hair behind the shoulders, e.g.\n"
    "            {\"glasses\":\"forbidden\",\"hair_behind_shoulders\":true,\"thresholds\":{\"light_dark\":45},\n"
    "             \"disabled\":[\"jewelry\"]}\n"
    "  --overlay-data  the overlay's drawing data, as the server keeps it for the review console.\n"
    "  Exit status: 0 every check passed, 1 a check failed or no photo could be made, 2 usage.\n";

int tc_cli_check(int argc, char **argv)
{
    const char *in = NULL, *spec = "chsi", *bg = NULL, *overlay = NULL, *config = NULL, *models = NULL,
               *photo_out = NULL, *overlay_data = NULL;
    int json = 0;
    const cli_opt opts[] = {{"--spec", &spec, NULL},       {"--background", &bg, NULL}, {"--overlay", &overlay, NULL},
                            {"--config", &config, NULL},   {"--models", &models, NULL}, {"--photo", &photo_out, NULL},
                            {"--json", NULL, &json},       {"--overlay-data", &overlay_data, NULL},
                            {NULL, NULL, NULL}};
    int st = cli_parse(argc, argv, "check", usage, opts, &in);
    if (st >= 0)
        return st;
    if (!in) {
        fputs(usage, stderr);
        return 2;
    }
    tc_err e = {0};
    if (tc_photo_startup(argv[0], &e) != 0)
        return cli_fail("check", &e);
    tc_check_config cfg;
    tc_check_config_default(&cfg);
    char *data = NULL;
    size_t len = 0;
    if (config) {
        if (tc_file_read(config, 1 << 20, &data, &len, &e) != 0 || tc_check_config_json(&cfg, data, len, &e) != 0) {
            free(data);
            return cli_fail("check", &e);
        }
        free(data);
        data = NULL;
    }
    tc_photo_limits lim;
    tc_photo_limits_default(&lim);
    if (tc_file_read(in, lim.max_bytes + 1, &data, &len, &e) != 0)
        return cli_fail("check", &e);
    int rc = 1;
    tc_studio *s = tc_studio_open(models, NULL, &e);
    tc_studio_ctx *c = s ? tc_studio_ctx_new(s, &e) : NULL;
    tc_studio_result res = {0};
    if (!c)
        goto err;
    tc_studio_req req = {.data = data,
                         .len = len,
                         .limits = &lim,
                         .spec = spec,
                         .background = bg,
                         .checks = &cfg,
                         .run_checks = 1,
                         .want_overlay = overlay != NULL,
                         .want_overlay_data = overlay_data != NULL};
    if (tc_studio_make(s, c, &req, &res, &e) != 0)
        goto err;
    if (overlay && tc_file_write_atomic(overlay, res.overlay_png, res.overlay_len, &e) != 0)
        goto err;
    if (overlay_data &&
        tc_file_write_atomic(overlay_data, res.overlay_data, res.overlay_data_len, &e) != 0)
        goto err;
    if (photo_out && res.jpeg && tc_file_write_atomic(photo_out, res.jpeg, res.jpeg_len, &e) != 0)
        goto err;
    const tc_check_report *rep = &res.checks;
    if (json) {
        char *cj = tc_check_report_json(rep);
        json_t *root = cj ? json_loads(cj, 0, NULL) : NULL;
        free(cj);
        if (!root) {
            tc_err_internal(&e, "check: report JSON");
            goto err;
        }
        if (res.jpeg) {
            char *pj = tc_photo_report_json(&res.report);
            json_t *p = pj ? json_loads(pj, 0, NULL) : NULL;
            free(pj);
            json_object_set_new(root, "photo", p ? p : json_null());
        } else
            json_object_set_new(root, "photo", json_null());
        json_object_set_new(root, "problem", json_string(res.problem));
        json_object_set_new(root, "problem_zh", json_string(res.problem_zh));
        json_object_set_new(root, "problem_en", json_string(res.problem_en));
        json_t *ms = json_object();
        json_object_set_new(ms, "decode", json_real(res.ms_decode));
        json_object_set_new(ms, "vision", json_real(res.ms_vision));
        json_object_set_new(ms, "compose", json_real(res.ms_compose));
        json_object_set_new(ms, "checks", json_real(res.ms_checks));
        json_object_set_new(root, "ms", ms);
        json_t *tone = json_object();
        json_object_set_new(tone, "measured", json_boolean(res.tone.measured));
        json_object_set_new(tone, "face_luma", json_real(res.tone.face_luma));
        json_object_set_new(tone, "need", json_real(res.tone.need));
        json_object_set_new(tone, "gain", json_real(res.tone.gain));
        json_object_set_new(tone, "wb", json_pack("[fff]", res.tone.wb[0], res.tone.wb[1], res.tone.wb[2]));
        json_object_set_new(tone, "cast", json_real(res.tone.cast));
        json_object_set_new(tone, "skin", json_pack("[ff]", res.tone.skin[0], res.tone.skin[1]));
        json_object_set_new(root, "tone", tone);
        char *txt = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(6));
        json_decref(root);
        if (txt)
            printf("%s\n", txt);
        free(txt);
    } else {
        for (int i = 0; i < TC_CHECK_N; i++) {
            const tc_check_result *r = &rep->r[i];
            const char *v = r->skipped ? "skip" : r->verdict == TC_CHECK_PASS ? "pass"
                                              : r->verdict == TC_CHECK_FAIL   ? "FAIL"
                                                                              : "unknown";
            char val[32] = "";
            if (isfinite(r->value))
                snprintf(val, sizeof val, "%.3g", r->value);
            printf("%-24s %-7s %3d/%-3d %-9s", tc_check_code(r->id), v, r->score, r->threshold, val);
            if (r->zh[0])
                printf(" %s / %s", r->zh, r->en);
            printf("\n");
        }
        if (res.jpeg)
            printf("photo: %dx%d, %zu bytes, %s\n", res.report.width, res.report.height, res.jpeg_len,
                   res.report.in_spec ? "in spec" : res.report.problem);
        else
            printf("photo: none (%s) %s / %s\n", res.problem, res.problem_zh, res.problem_en);
        printf("%s: %d failed, %d could not be assessed; checks %.1f ms (vision %.0f ms)\n",
               rep->passed && res.jpeg ? "PASSED" : "NOT PASSED", rep->n_failed, rep->n_unknown, res.ms_checks,
               res.ms_vision);
    }
    rc = rep->passed && res.jpeg ? 0 : 1;
    goto done;
err:
    rc = cli_fail("check", &e);
done:
    tc_studio_result_free(&res);
    tc_studio_ctx_free(c);
    tc_studio_free(s);
    free(data);
    return rc;
}
