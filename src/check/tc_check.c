/* tc_check: the framework — names, the one table of defaults, configuration,
 * running the checks in order, and the report as JSON. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_int.h"

/* Checks of check_face.c, check_light.c, check_attire.c. */
int check_face_count(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_face_inside(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_geometry(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_framing(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_pose_yaw(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_pose_pitch(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_pose_roll(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_eyes_open(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_gaze(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_mouth_closed(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_expression(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_light_dark(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_light_bright(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_light_uneven(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_light_hotspot(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_red_eye(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_blur(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_resolution(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_glasses(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_glasses_tinted(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_glasses_glare(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_hair_brows(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_ears_visible(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_headwear(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_jewelry(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);
int check_clothing_colour(check_ctx *, const tc_check_input *, const tc_check_config *, tc_check_result *, tc_err *);

/* One row per check, in tc_check_id order.  threshold: the default pass mark;
 * bad/good: the raw measurement that scores 0 and 100 (check_ramp).  The
 * numbers were measured on the portraits in ../shared/testdata (see
 * docs/QUALITY.md); change them here and nowhere else.
 * Units of the raw values (tc_check_result.value):
 *   face_count faces; face_inside smallest margin / face width (negative:
 *   outside); geometry 1 when the spec fits, else how far off (fraction);
 *   pose_* degrees; eyes_open eyelid gap / eye width of the less open eye
 *   (tc_vision_eyes: the attention model's contour; 0.12 scores 50); gaze iris offset /
 *   eye width; mouth_closed lip gap / mouth width; expression smile index
 *   (0.055 up to the fail point, 0.08 at the default: flagged for review);
 *   light_dark mean face luma; light_bright clipped fraction; light_uneven
 *   darker / brighter half; light_hotspot highlight fraction; red_eye red
 *   fraction of the irises; blur sharpness index; resolution face width in
 *   source px / the spec's face width; glasses frame-edge index (the
 *   bridge's, or the frame's sides scaled to it); glasses_tinted
 *   (eyes covered) brightest tenth of the darker eye's box / that side's
 *   cheek median; glare lens highlight fraction; hair_brows hair fraction above
 *   the brows; ears skin fraction beside the cheek (worse side); headwear
 *   share neither skin nor hair above the hairline or in the most covered
 *   even strip across the forehead (0.60 to 0.90: flagged for review; 0.90 and
 *   above fails, CHECK_HEADWEAR_FAIL); jewelry
 *   bright-blob fraction; clothing ΔE (CIE76) top vs background; compression blockiness (step
 *   across the 8x8 grid / step inside, 1 = none; the file's JPEG quality
 *   scores apart, 60 = 50); shoulders degrees of the shoulders' line (15 fails,
 *   7 and above flagged); clothing_pattern share of the top's cells with
 *   stripes or a print (0.25 and above flagged, never failed); makeup the
 *   largest of lips / lid / iris over its reference (1 and above flagged, never
 *   failed); hair_shoulders share of hair-coloured pixels in front of the
 *   shoulders (0.12 and above flagged, never failed by default); body_framing how far the
 *   person reaches below the chin in face heights (2.2 and more: half length,
 *   a failure only with a face too small for the spec; full length, 4.3,
 *   always). */
static const struct {
    const char *name;
    check_fn fn;
    check_tune t;
    unsigned need; /* CHECK_NEED_*: what the runner makes sure of before fn */
} checks[TC_CHECK_N] = {
    [TC_CHECK_FACE_COUNT] = {"face_count", check_face_count, {50, 0, 1}},
    [TC_CHECK_FACE_INSIDE] = {"face_inside", check_face_inside, {50, -0.05, 0.05}, CHECK_NEED_MESH},
    [TC_CHECK_GEOMETRY] = {"geometry", check_geometry, {50, 0.40, 0.05}, CHECK_NEED_LAYOUT},
    [TC_CHECK_POSE_YAW] = {"pose_yaw", check_pose_yaw, {50, 25, 10}, CHECK_NEED_MESH},
    [TC_CHECK_POSE_PITCH] = {"pose_pitch", check_pose_pitch, {50, 25, 10}, CHECK_NEED_MESH},
    [TC_CHECK_POSE_ROLL] = {"pose_roll", check_pose_roll, {50, 14, 5}, CHECK_NEED_MESH},
    [TC_CHECK_EYES_OPEN] = {"eyes_open", check_eyes_open, {50, 0.04, 0.20, 0.17}, CHECK_NEED_MESH},
    [TC_CHECK_GAZE] = {"gaze", check_gaze, {50, 0.22, 0.06}, CHECK_NEED_MESH},
    [TC_CHECK_MOUTH_CLOSED] = {"mouth_closed", check_mouth_closed, {50, 0.16, 0.04}, CHECK_NEED_MESH},
    [TC_CHECK_EXPRESSION] = {"expression", check_expression, {50, 0.13, 0.03, 0.055}, CHECK_NEED_MESH},
    [TC_CHECK_LIGHT_DARK] = {"light_dark", check_light_dark, {50, 25, 65}},
    [TC_CHECK_LIGHT_BRIGHT] = {"light_bright", check_light_bright, {50, 0.12, 0.02}},
    [TC_CHECK_LIGHT_UNEVEN] = {"light_uneven", check_light_uneven, {50, 0.45, 0.80}},
    [TC_CHECK_LIGHT_HOTSPOT] = {"light_hotspot", check_light_hotspot, {50, 0.05, 0.005}},
    [TC_CHECK_RED_EYE] = {"red_eye", check_red_eye, {50, 0.30, 0.05}, CHECK_NEED_MESH},
    [TC_CHECK_BLUR] = {"blur", check_blur, {50, 0.12, 0.22}},
    [TC_CHECK_RESOLUTION] = {"resolution", check_resolution, {50, 0.35, 0.85}, CHECK_NEED_MESH},
    [TC_CHECK_GLASSES] = {"glasses", check_glasses, {50, 4.0, 2.5}, CHECK_NEED_MESH},
    [TC_CHECK_GLASSES_TINTED] = {"glasses_tinted", check_glasses_tinted, {50, 0.25, 0.49}, CHECK_NEED_MESH},
    [TC_CHECK_GLASSES_GLARE] = {"glasses_glare", check_glasses_glare, {50, 0.06, 0.01}, CHECK_NEED_SKIN},
    [TC_CHECK_HAIR_BROWS] = {"hair_brows", check_hair_brows, {50, 0.70, 0.30}, CHECK_NEED_SKIN | CHECK_NEED_COLOUR},
    [TC_CHECK_EARS_VISIBLE] = {"ears_visible", check_ears_visible, {50, 0.01, 0.09}, CHECK_NEED_SKIN | CHECK_NEED_COLOUR},
    [TC_CHECK_HEADWEAR] = {"headwear", check_headwear, {50, 1.0, 0.2, 0.60}, CHECK_NEED_SKIN | CHECK_NEED_COLOUR},
    [TC_CHECK_JEWELRY] = {"jewelry", check_jewelry, {50, 0.04, 0.005}, CHECK_NEED_SKIN},
    [TC_CHECK_CLOTHING_COLOUR] = {"clothing_colour", check_clothing_colour, {50, 12, 30}, CHECK_NEED_SKIN | CHECK_NEED_COLOUR},
    [TC_CHECK_RECAPTURE] = {"recapture", check_recapture, {50, 0, 100}},
    [TC_CHECK_RETOUCH] = {"retouch", check_retouch, {50, 0, 100}},
    [TC_CHECK_DUPLICATE] = {"duplicate", check_duplicate, {50, 0, 100}},
    [TC_CHECK_FRAMING] = {"framing", check_framing, {50, 0.02, 0}, CHECK_NEED_LAYOUT},
    [TC_CHECK_COMPRESSION] = {"compression", check_compression, {50, 2.4, 1.1}},
    /* issue 16 item 8 (check_body.c, check_pattern.c, check_makeup.c; units there) */
    [TC_CHECK_SHOULDERS] = {"shoulders", check_shoulders, {50, 20, 10, 7}, CHECK_NEED_MESH},
    [TC_CHECK_CLOTHING_PATTERN] = {"clothing_pattern", check_clothing_pattern, {50, 0.60, 0.0, 0.25}, CHECK_NEED_MESH},
    [TC_CHECK_MAKEUP] = {"makeup", check_makeup, {50, 1.5, 0.5, 1.0}, CHECK_NEED_MESH},
    [TC_CHECK_HAIR_SHOULDERS] = {"hair_shoulders", check_hair_shoulders, {50, 0.45, 0.05, 0.12}, CHECK_NEED_MESH},
    [TC_CHECK_BODY_FRAMING] = {"body_framing", check_body_framing, {50, 2.7, 1.7}},
};

/* A photo whose mean per-pixel chroma (max - min of R, G, B, 0..255) stays
 * below this is black and white (check_is_grey).  A grey JPEG decodes to
 * exactly 0 (the 57 Yale photos of the real table); the least colourful
 * colour photos measured were a dim WIDER photo at 1.3 and, in the
 * synthetic set, the darkened variants at 3.4 and above.  A sepia or
 * colour-cast print is not grey and is judged normally. */
double check_grey_chroma(void)
{
    return 0.5;
}

/* glasses_tinted (eyes covered): an eye whose value is above the fail point
 * but below this is darker than any uncovered eye of the tuning part (real:
 * lowest 0.47, a Yale "sad" face; 0.42 on S031's lowered head in shadow) and
 * as dark as faintly tinted lenses (0.37-0.44 on the synthetic "tinted"
 * variants): "could not assess", so that a reviewer looks, never a pass and
 * never a rejection the student cannot argue with. */
double check_eyes_review(void)
{
    return 0.45;
}

/* "check." + name, kept as literals so that tc_check_code returns a constant. */
static const char *const codes[TC_CHECK_N] = {
    "check.face_count",   "check.face_inside",   "check.geometry",       "check.pose_yaw",
    "check.pose_pitch",   "check.pose_roll",     "check.eyes_open",      "check.gaze",
    "check.mouth_closed", "check.expression",    "check.light_dark",     "check.light_bright",
    "check.light_uneven", "check.light_hotspot", "check.red_eye",        "check.blur",
    "check.resolution",   "check.glasses",       "check.glasses_tinted", "check.glasses_glare",
    "check.hair_brows",   "check.ears_visible",  "check.headwear",       "check.jewelry",
    "check.clothing_colour", "check.recapture",  "check.retouch",        "check.duplicate",
    "check.framing",      "check.compression",   "check.shoulders",      "check.clothing_pattern",
    "check.makeup",       "check.hair_shoulders", "check.body_framing",
};

const char *tc_check_name(tc_check_id id)
{
    return (int)id >= 0 && id < TC_CHECK_N ? checks[id].name : NULL;
}

const char *tc_check_code(tc_check_id id)
{
    return (int)id >= 0 && id < TC_CHECK_N ? codes[id] : NULL;
}

int tc_check_by_name(const char *name)
{
    if (!name)
        return -1;
    if (!strncmp(name, "check.", 6))
        name += 6;
    for (int i = 0; i < TC_CHECK_N; i++)
        if (!strcmp(name, checks[i].name))
            return i;
    return -1;
}

int tc_check_is_liveness(tc_check_id id)
{
    return id == TC_CHECK_RECAPTURE;
}

const check_tune *check_tuning(tc_check_id id)
{
    return (int)id >= 0 && id < TC_CHECK_N ? &checks[id].t : NULL;
}

int check_ramp(tc_check_id id, double v)
{
    const check_tune *t = check_tuning(id);
    if (!t || !isfinite(v))
        return 0;
    double f = (v - t->bad) / (t->good - t->bad);
    if (!(f > 0))
        f = 0;
    if (f > 1)
        f = 1;
    return (int)lround(100.0 * f);
}

double tc_check_limit(const tc_check_config *c, tc_check_id id)
{
    const check_tune *t = check_tuning(id);
    if (!t)
        return NAN;
    /* check_ramp's inverse at the threshold */
    return t->bad + (t->good - t->bad) * c->threshold[id] / 100.0;
}

/* A spec range as [lo, hi], an open side null. */
static json_t *guide_range(const tc_spec_range *r)
{
    return json_pack("[oo]", r->has_lo ? json_real(r->lo) : json_null(), r->has_hi ? json_real(r->hi) : json_null());
}

char *tc_check_guide_json(const tc_check_config *c, const tc_spec *spec)
{
    static const tc_check_id used[] = {TC_CHECK_FACE_COUNT,  TC_CHECK_POSE_ROLL,   TC_CHECK_POSE_YAW,
                                       TC_CHECK_LIGHT_DARK,  TC_CHECK_LIGHT_UNEVEN, TC_CHECK_LIGHT_BRIGHT,
                                       TC_CHECK_RESOLUTION,  TC_CHECK_FRAMING,     TC_CHECK_GLASSES};
    tc_check_tone_limits tl;
    tc_check_tone_limits_get(&tl);
    json_t *en = json_object();
    for (size_t i = 0; en && i < sizeof used / sizeof used[0]; i++)
        json_object_set_new(en, checks[used[i]].name, json_boolean(c->enabled[used[i]]));
    json_t *o = json_pack(
        "{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:b,s:{s:f,s:f,s:f,s:f},s:o,s:{s:i,s:i,s:o,s:o,s:f}}",
        "pose_roll_max", tc_check_limit(c, TC_CHECK_POSE_ROLL), "pose_yaw_max", tc_check_limit(c, TC_CHECK_POSE_YAW),
        "light_dark_min", tc_check_limit(c, TC_CHECK_LIGHT_DARK), "light_uneven_min",
        tc_check_limit(c, TC_CHECK_LIGHT_UNEVEN), "light_bright_max", tc_check_limit(c, TC_CHECK_LIGHT_BRIGHT),
        "resolution_min", tc_check_limit(c, TC_CHECK_RESOLUTION), "framing_outside_max",
        tc_check_limit(c, TC_CHECK_FRAMING), "glasses_forbidden",
        c->glasses == TC_CHECK_GLASSES_RULE_FORBIDDEN && c->enabled[TC_CHECK_GLASSES], "tone", "target_face",
        tl.target_face, "target_top", tl.target_top, "min_correction", tl.min_correction, "max_gain", tl.max_gain,
        "enabled", en, "spec", "width", spec->width, "height", spec->height, "eye_line", guide_range(&spec->eye_line),
        "face_width", guide_range(&spec->face_width), "max_centre_off", spec->max_centre_off);
    if (o)
        json_object_set_new(o, "hair_behind_shoulders", json_boolean(c->hair_behind_shoulders));
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(o);
    return text;
}

void tc_check_config_default(tc_check_config *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < TC_CHECK_N; i++) {
        c->threshold[i] = checks[i].t.threshold;
        c->enabled[i] = 1;
    }
    c->glasses = TC_CHECK_GLASSES_RULE_CLEAR_OK;
}

int tc_check_config_json(tc_check_config *c, const char *json, size_t len, tc_err *e)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return tc_err_set(e, TCE_CHECK_BAD_CONFIG, root ? 1 : je.line);
    }
    /* Apply to a copy so that a bad file leaves *c as it was. */
    tc_check_config n = *c;
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(root, key, v)
    {
        if (!strcmp(key, "hair_behind_shoulders")) {
            if (!json_is_boolean(v)) {
                rc = tc_err_set(e, TCE_CHECK_BAD_CONFIG_6);
                break;
            }
            n.hair_behind_shoulders = json_is_true(v);
        } else if (!strcmp(key, "glasses")) {
            const char *s = json_string_value(v);
            if (s && !strcmp(s, "forbidden"))
                n.glasses = TC_CHECK_GLASSES_RULE_FORBIDDEN;
            else if (s && !strcmp(s, "clear_ok"))
                n.glasses = TC_CHECK_GLASSES_RULE_CLEAR_OK;
            else {
                rc = tc_err_set(e, TCE_CHECK_BAD_CONFIG_2);
                break;
            }
        } else if (!strcmp(key, "thresholds") && json_is_object(v)) {
            const char *k2;
            json_t *t;
            json_object_foreach(v, k2, t)
            {
                int id = tc_check_by_name(k2);
                if (id < 0 || !json_is_integer(t) || json_integer_value(t) < 0 || json_integer_value(t) > 100) {
                    rc = tc_err_set(e, TCE_CHECK_BAD_CONFIG_3, k2);
                    break;
                }
                n.threshold[id] = (int)json_integer_value(t);
            }
            if (rc)
                break;
        } else if (!strcmp(key, "disabled") && json_is_array(v)) {
            size_t i;
            json_t *t;
            json_array_foreach(v, i, t)
            {
                int id = tc_check_by_name(json_string_value(t));
                if (id < 0) {
                    rc = tc_err_set(e, TCE_CHECK_BAD_CONFIG_4);
                    break;
                }
                n.enabled[id] = 0;
            }
            if (rc)
                break;
        } else {
            rc = tc_err_set(e, TCE_CHECK_BAD_CONFIG_5, key);
            break;
        }
    }
    json_decref(root);
    if (rc == 0)
        *c = n;
    return rc;
}

/* Cut a truncated UTF-8 string back to its last whole character, so that a
 * long message never ends in half a Chinese character (invalid JSON). */
static void utf8_cut(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need)
        s[i - 1] = 0;
}

void check_say(tc_check_result *r, const char *zh_fmt, const char *en_fmt, ...)
{
    va_list ap;
    va_start(ap, en_fmt);
    va_list ap2;
    va_copy(ap2, ap);
    vsnprintf(r->zh, sizeof r->zh, zh_fmt, ap);
    vsnprintf(r->en, sizeof r->en, en_fmt, ap2);
    utf8_cut(r->zh);
    utf8_cut(r->en);
    va_end(ap2);
    va_end(ap);
}

/* CPU time of this thread in ms: the checks' budget is per core, and wall
 * time on a shared machine also counts whoever else ran meanwhile. */
static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int tc_check_run(const tc_check_config *c, const tc_check_input *in, tc_check_report *out, tc_err *e)
{
    if (!in || !out || !in->work || !in->work->px || in->work->width <= 0 || in->work->height <= 0 || !in->spec)
        return tc_err_set(e, TCE_CHECK_BAD_INPUT);
    if (in->mask && (in->mask->width != in->work->width || in->mask->height != in->work->height || !in->mask->a))
        return tc_err_set(e, TCE_CHECK_BAD_INPUT_2);
    tc_check_config def;
    if (!c) {
        tc_check_config_default(&def);
        c = &def;
    }
    memset(out, 0, sizeof *out);
    double t_start = cpu_ms();
    check_ctx x;
    if (check_ctx_init(&x, in, e) != 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < TC_CHECK_N; i++) {
        tc_check_result *r = &out->r[i];
        r->id = (tc_check_id)i;
        r->threshold = c->threshold[i];
        r->value = NAN;
        r->sides[0] = r->sides[1] = NAN;
        if (!c->enabled[i] || (i == TC_CHECK_HAIR_SHOULDERS && !c->hair_behind_shoulders)) {
            r->skipped = 1;
            r->score = -1;
            r->verdict = TC_CHECK_PASS;
            continue;
        }
        r->score = -1;
        double t0 = cpu_ms();
        /* a check that cannot run without the mesh, the cheeks' skin or
         * colour is "could not assess", said once here */
        int frc = check_needs(&x, checks[i].need, r) ? 0 : checks[i].fn(&x, in, c, r, e);
        r->ms = (float)(cpu_ms() - t0);
        if (frc != 0) {
            rc = -1;
            break;
        }
        if (r->score < 0) {
            r->score = -1;
            r->verdict = TC_CHECK_UNKNOWN;
            if (!r->zh[0])
                check_say(r, "无法自动判断此项", "Could not assess this automatically");
            out->n_unknown++;
        } else {
            if (r->score > 100)
                r->score = 100;
            if (r->score >= r->threshold) {
                r->verdict = TC_CHECK_PASS;
                r->zh[0] = r->en[0] = 0;
            } else {
                r->verdict = TC_CHECK_FAIL;
                out->n_failed++;
                if (tc_check_is_liveness(r->id))
                    out->liveness_failed = 1;
            }
        }
    }
    const tc_check_hash *h = rc == 0 ? check_ctx_hash(&x) : NULL;
    if (h) {
        out->hash = *h;
        out->has_hash = 1;
    }
    out->passed = out->n_failed == 0;
    check_ctx_free(&x);
    out->ms = (float)(cpu_ms() - t_start);
    return rc;
}

static const char *verdict_name(tc_check_verdict v)
{
    return v == TC_CHECK_PASS ? "pass" : v == TC_CHECK_FAIL ? "fail" : "unknown";
}

char *tc_check_report_json(const tc_check_report *rep)
{
    json_t *root = json_object();
    json_object_set_new(root, "passed", json_boolean(rep->passed));
    json_object_set_new(root, "failed", json_integer(rep->n_failed));
    json_object_set_new(root, "unknown", json_integer(rep->n_unknown));
    json_object_set_new(root, "liveness_failed", json_boolean(rep->liveness_failed));
    if (rep->has_hash) {
        char hex[65];
        uint8_t b[32];
        for (int i = 0; i < 4; i++)
            for (int k = 0; k < 8; k++)
                b[i * 8 + k] = (uint8_t)(rep->hash.bits[i] >> (56 - 8 * k));
        tc_hex(b, 32, hex);
        json_object_set_new(root, "hash", json_string(hex));
    } else
        json_object_set_new(root, "hash", json_null());
    json_t *arr = json_array();
    for (int i = 0; i < TC_CHECK_N; i++) {
        const tc_check_result *r = &rep->r[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(tc_check_code(r->id)));
        json_object_set_new(o, "name", json_string(tc_check_name(r->id)));
        json_object_set_new(o, "verdict", json_string(verdict_name(r->verdict)));
        if (r->skipped)
            json_object_set_new(o, "skipped", json_true());
        json_object_set_new(o, "score", json_integer(r->score));
        json_object_set_new(o, "threshold", json_integer(r->threshold));
        json_object_set_new(o, "value", isfinite(r->value) ? json_real(r->value) : json_null());
        json_object_set_new(o, "zh", json_string(r->zh));
        json_object_set_new(o, "en", json_string(r->en));
        json_t *reg = json_array();
        for (int k = 0; k < 4; k++)
            json_array_append_new(reg, json_real(round(r->region[k] * 10) / 10));
        json_object_set_new(o, "region", reg);
        if (r->match_ref)
            json_object_set_new(o, "match_ref", json_integer(r->match_ref));
        if (i == TC_CHECK_EARS_VISIBLE && isfinite(r->sides[0]) && isfinite(r->sides[1]))
            json_object_set_new(o, "sides", json_pack("[ff]", round(r->sides[0] * 1000) / 1000,
                                                      round(r->sides[1] * 1000) / 1000));
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "checks", arr);
    char *s = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(root);
    return s;
}
