/*
 * `tucai vision IMAGE --json [--mask OUT.png] [--models DIR]`: runs the
 * four models on one image and prints what they found, every coordinate
 * normalised to the image as MediaPipe gives them.  Used by people checking
 * a photo by hand and by the agreement tests' fixtures' format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "tc_cli.h"

/* Decode with libvips: EXIF orientation applied, converted to 8-bit sRGB,
 * alpha dropped (MediaPipe ignores it).  *rgb is g_malloc'ed, owned by the
 * caller (g_free). */
static int read_rgb(const char *path, uint8_t **rgb, int *w, int *h, tc_err *e)
{
    VipsImage *in = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    VipsImage *rot = NULL, *srgb = NULL, *u8 = NULL, *three = NULL;
    int rc = -1;
    if (!in) {
        tc_err_set(e, TCE_VISION_IMAGE_READ, path,
                   vips_error_buffer());
        vips_error_clear();
        return -1;
    }
    if (vips_autorot(in, &rot, NULL) || vips_colourspace(rot, &srgb, VIPS_INTERPRETATION_sRGB, NULL) ||
        vips_cast_uchar(srgb, &u8, NULL) || vips_extract_band(u8, &three, 0, "n", 3, NULL)) {
        tc_err_set(e, TCE_VISION_IMAGE_READ_2, path,
                   vips_error_buffer());
        vips_error_clear();
        goto done;
    }
    size_t len;
    *rgb = vips_image_write_to_memory(three, &len);
    *w = vips_image_get_width(three);
    *h = vips_image_get_height(three);
    if (!*rgb || len != (size_t)*w * *h * 3) {
        tc_err_set(e, TCE_VISION_IMAGE_READ_3, path);
        goto done;
    }
    rc = 0;
done:
    if (three) g_object_unref(three);
    if (u8) g_object_unref(u8);
    if (srgb) g_object_unref(srgb);
    if (rot) g_object_unref(rot);
    g_object_unref(in);
    return rc;
}

static int write_mask(const char *path, const float *mask, int w, int h, tc_err *e)
{
    uint8_t *g = malloc((size_t)w * h);
    if (!g)
        return tc_err_internal(e, "out of memory");
    for (size_t i = 0; i < (size_t)w * h; i++)
        g[i] = (uint8_t)(mask[i] * 255.0f + 0.5f);
    VipsImage *im = vips_image_new_from_memory(g, (size_t)w * h, w, h, 1, VIPS_FORMAT_UCHAR);
    int rc = 0;
    if (!im || vips_pngsave(im, path, NULL)) {
        rc = tc_err_set(e, TCE_VISION_MASK_WRITE, path,
                        vips_error_buffer());
        vips_error_clear();
    }
    if (im)
        g_object_unref(im);
    free(g);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: tucai vision IMAGE --json [--mask OUT.png] [--models DIR]\n"
                    "  用法：tucai vision 图像 --json [--mask 输出.png] [--models 模型目录]\n");
    return 2;
}

int tc_cli_vision(int argc, char **argv)
{
    const char *image = NULL, *mask_path = NULL, *models = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--mask") == 0 && i + 1 < argc)
            mask_path = argv[++i];
        else if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return usage();
        else if (!image)
            image = argv[i];
        else
            return usage();
    }
    if (!image || (!json && !mask_path))
        return usage();
    if (VIPS_INIT(argv[0]))
        return fprintf(stderr, "vision: cannot start libvips\n"), 1;

    tc_err e;
    tc_err_clear(&e);
    tc_vision *v = NULL;
    tc_vision_ctx *c = NULL;
    uint8_t *rgb = NULL;
    float *mask = NULL;
    int w = 0, h = 0, rc = 1;
    if (read_rgb(image, &rgb, &w, &h, &e))
        goto done;
    if (!(v = tc_vision_load(models, &e)) || !(c = tc_vision_ctx_new(v, &e)))
        goto done;
    tc_vision_image img = {rgb, w, h, (size_t)w * 3};
    tc_vision_face faces[TC_VISION_MAX_FACES];
    int nf;
    tc_vision_mesh lm;
    tc_vision_eye_info eyes;
    lm.presence = 0;
    mask = malloc((size_t)w * h * sizeof *mask);
    if (!mask) {
        tc_err_internal(&e, "out of memory");
        goto done;
    }
    if (tc_vision_detect(v, c, &img, faces, TC_VISION_MAX_FACES, &nf, &e) ||
        (nf > 0 && tc_vision_landmarks(v, c, &img, &faces[0], &lm, &e)) || tc_vision_segment(v, c, &img, mask, &e))
        goto done;
    if (nf > 0 && lm.presence >= 0.5f && tc_vision_eyes(v, c, &img, &lm, &eyes, &e))
        goto done;
    double sum = 0;
    for (size_t i = 0; i < (size_t)w * h; i++)
        sum += mask[i];
    if (mask_path && write_mask(mask_path, mask, w, h, &e))
        goto done;
    if (json) {
        printf("{\"width\":%d,\"height\":%d,\"faces\":[", w, h);
        for (int i = 0; i < nf; i++) {
            const tc_vision_face *f = &faces[i];
            printf("%s{\"score\":%.6f,\"far\":%s,\"box\":{\"xmin\":%.6f,\"ymin\":%.6f,\"width\":%.6f,"
                   "\"height\":%.6f},\"keypoints\":[",
                   i ? "," : "", f->score, f->far ? "true" : "false", f->xmin, f->ymin, f->width, f->height);
            for (int k = 0; k < TC_VISION_KEYPOINTS; k++)
                printf("%s[%.6f,%.6f]", k ? "," : "", f->keypoints[k][0], f->keypoints[k][1]);
            printf("]}");
        }
        printf("],\"landmarks\":[");
        if (nf > 0 && lm.presence >= 0.5f)
            for (int i = 0; i < TC_VISION_LANDMARKS; i++)
                printf("%s[%.6f,%.6f,%.6f]", i ? "," : "", lm.points[i][0], lm.points[i][1], lm.points[i][2]);
        printf("],\"eyes\":");
        if (nf > 0 && lm.presence >= 0.5f) {
            printf("{\"openness\":[%.6f,%.6f],\"contour\":[", eyes.openness[0], eyes.openness[1]);
            for (int k = 0; k < 2; k++)
                for (int i = 0; i < 16; i++)
                    printf("%s[%.6f,%.6f]", k || i ? "," : "", eyes.contour[k][i][0], eyes.contour[k][i][1]);
            printf("]}");
        } else
            printf("null");
        printf(",\"mask_mean\":%.6f}\n", sum / ((double)w * h));
    }
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "vision: %s (%s)\n%s\n", e.en, e.code, e.zh);
    free(mask);
    g_free(rgb);
    tc_vision_ctx_free(c);
    tc_vision_free(v);
    return rc;
}
