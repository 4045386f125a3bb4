/* tucai-matte OUT.jpg MASK.png|- REPORT.json: the edge-quality figures of
 * eval/matte_metrics.h for one photo made by `tucai photo IN -o OUT.jpg
 * --mask MASK.png --json > REPORT.json` (any version of it: old and new
 * binaries are compared from their files; scripts/matte-quality).  Prints
 * one line: ear_left ear_right specks islands smear outline (outline -1
 * without a mask).  With SEEN_LEFT
 * SEEN_RIGHT, ears_visible's shares of skin beside each cheek (`tucai check
 * --json`, "sides"; scripts/gallery), an ear under 0.05 is hidden and its
 * figure leaves out the backdrop that only hair closes (matte_metrics.h). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <vips/vips.h>

#include "matte_metrics.h"

static int get(json_t *j, const char *k, double *v)
{
    json_t *x = json_object_get(j, k);
    if (!json_is_number(x))
        return -1;
    *v = json_number_value(x);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: tucai-matte OUT.jpg MASK.png|- REPORT.json [SEEN_LEFT SEEN_RIGHT]\n");
        return 2;
    }
    /* the share at ears_visible's default threshold (score 50 on its ramp 0.01..0.09) */
    int hidden[2] = {0, 0};
    for (int k = 0; argc == 6 && k < 2; k++) {
        char *end;
        double v = strtod(argv[4 + k], &end);
        hidden[k] = end != argv[4 + k] && isfinite(v) && v < 0.05; /* "nan": not assessed, seen */
    }
    if (VIPS_INIT(argv[0]))
        return 1;
    json_error_t je;
    json_t *j = json_load_file(argv[3], 0, &je);
    double ey, cy, cx, fw;
    const char *bgs = j ? json_string_value(json_object_get(j, "background")) : NULL;
    unsigned r, g, b;
    if (!j || get(j, "eye_line_y", &ey) || get(j, "chin_y", &cy) || get(j, "face_centre_x", &cx) ||
        get(j, "face_width", &fw) || !bgs || sscanf(bgs, "#%2x%2x%2x", &r, &g, &b) != 3) {
        fprintf(stderr, "tucai-matte: %s: not a photo report\n", argv[3]);
        return 1;
    }
    uint8_t bg[3] = {(uint8_t)r, (uint8_t)g, (uint8_t)b};
    VipsImage *im = vips_image_new_from_file(argv[1], "access", VIPS_ACCESS_SEQUENTIAL, NULL), *m = NULL;
    size_t len = 0, mlen = 0;
    uint8_t *px = im && im->Bands == 3 ? vips_image_write_to_memory(im, &len) : NULL;
    uint8_t *mp = NULL;
    float *alpha = NULL;
    if (!px) {
        fprintf(stderr, "tucai-matte: %s: %s\n", argv[1], vips_error_buffer());
        return 1;
    }
    int w = im->Xsize, h = im->Ysize;
    if (strcmp(argv[2], "-")) {
        m = vips_image_new_from_file(argv[2], NULL);
        mp = m && m->Xsize == w && m->Ysize == h && m->Bands == 1 && m->BandFmt == VIPS_FORMAT_UCHAR
                 ? vips_image_write_to_memory(m, &mlen)
                 : NULL;
        if (!mp) {
            fprintf(stderr, "tucai-matte: %s: not an 8-bit mask of the photo's size\n", argv[2]);
            return 1;
        }
        alpha = malloc((size_t)w * h * sizeof(float));
        for (size_t i = 0; alpha && i < (size_t)w * h; i++)
            alpha[i] = mp[i] / 255.0f;
    }
    tc_matte_figures f;
    if ((mp && !alpha) || tc_matte_measure_hidden(px, alpha, w, h, bg, ey, cy, cx, fw, hidden, &f) != 0) {
        fprintf(stderr, "tucai-matte: out of memory\n");
        return 1;
    }
    printf("%.3f %.3f %ld %ld %ld %ld\n", f.ear_alpha[0], f.ear_alpha[1], f.specks, f.islands, f.smear,
           tc_matte_outline(alpha, w, h, cy));
    free(alpha);
    g_free(mp);
    g_free(px);
    if (m)
        g_object_unref(m);
    g_object_unref(im);
    json_decref(j);
    vips_shutdown();
    return 0;
}
