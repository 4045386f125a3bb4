/* Compression damage (issue 16, item 3): the 学信网 standard asks for JPEG
 * quality >= 60.  Two measures, the worse decides:
 *  - the file's own quality: the luma quantisation table of a JPEG compared
 *    with the standard's (ITU-T T.81 Annex K) gives the quality factor the
 *    encoder used (libjpeg's scaling, which nearly every encoder follows);
 *  - the blocks on the pixels: the mean luma step across the 8x8 grid's
 *    boundaries against the mean step inside the blocks, measured around the
 *    face when the work copy is the file's own pixels (not shrunk), so that
 *    a photo saved at a low quality and then re-saved at a high one is still
 *    caught.  The grid's phase is not assumed (a rotated or cropped photo
 *    moves it): the strongest of the 8 phases against the others. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

static const uint8_t std_luma[64] = {
    16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,  14, 13, 16, 24,  40,  57,
    69, 56, 14, 17, 22,  29,  51,  87,  80, 62, 18, 22, 37,  56,  68,  109, 103, 77, 24, 35,  55,  64,
    81, 104, 113, 92, 49, 64, 78,  87,  103, 121, 120, 101, 72, 92,  95,  98,  112, 100, 103, 99,
};

int tc_check_jpeg_quality(const void *data, size_t len)
{
    const uint8_t *p = data;
    if (!p || len < 4 || p[0] != 0xFF || p[1] != 0xD8)
        return 0;
    size_t i = 2;
    /* bounded walk over the marker segments up to the first scan */
    while (i + 4 <= len) {
        if (p[i] != 0xFF)
            return 0;
        uint8_t m = p[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        if (m == 0xD9 || m == 0xDA)
            return 0;
        size_t seg = (size_t)p[i + 2] << 8 | p[i + 3];
        if (seg < 2 || i + 2 + seg > len)
            return 0;
        if (m == 0xDB) {
            size_t j = i + 4, end = i + 2 + seg;
            while (j < end) {
                int pq = p[j] >> 4, tq = p[j] & 15;
                size_t n = pq ? 128 : 64;
                if (j + 1 + n > end)
                    return 0;
                if (tq == 0) {
                    /* entries the encoder clamped at 255 say nothing of the scale */
                    double sum = 0, ssum = 0;
                    for (int k = 0; k < 64; k++) {
                        int v = pq ? (p[j + 1 + 2 * k] << 8 | p[j + 2 + 2 * k]) : p[j + 1 + k];
                        if (v >= 255)
                            continue;
                        sum += v;
                        ssum += std_luma[k];
                    }
                    if (ssum <= 0)
                        return 1;
                    double scale = 100.0 * sum / ssum;
                    double q = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
                    q = q < 1 ? 1 : q > 100 ? 100 : q;
                    return (int)lround(q);
                }
                j += 1 + n;
            }
        }
        i += 2 + seg;
    }
    return 0;
}

/* The blockiness of luma l (w x h) inside r: the mean absolute step across
 * the strongest of the 8 column phases and 8 row phases, over the mean of
 * the other phases (1: no grid).  NAN when the region is too small. */
static double blockiness(const uint8_t *l, int w, const int r[4])
{
    double sh[8] = {0}, sv[8] = {0};
    long nh[8] = {0}, nv[8] = {0};
    for (int y = r[1]; y < r[3] - 1; y++)
        for (int x = r[0]; x < r[2] - 1; x++) {
            int v = l[(size_t)y * w + x];
            sh[x & 7] += abs(l[(size_t)y * w + x + 1] - v);
            nh[x & 7]++;
            sv[y & 7] += abs(l[(size_t)(y + 1) * w + x] - v);
            nv[y & 7]++;
        }
    double b = 0;
    for (int dir = 0; dir < 2; dir++) {
        double *s = dir ? sv : sh;
        long *n = dir ? nv : nh;
        double m[8], best = -1, rest = 0;
        int bi = 0;
        for (int k = 0; k < 8; k++) {
            if (n[k] < 64)
                return NAN;
            m[k] = s[k] / n[k];
            if (m[k] > best)
                best = m[k], bi = k;
        }
        for (int k = 0; k < 8; k++)
            if (k != bi)
                rest += m[k] / 7;
        b += rest > 0.05 ? best / rest : 1;
    }
    return b / 2;
}

int check_compression(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                      tc_err *e)
{
    (void)c, (void)e;
    int q = in->jpeg_quality;
    double b = NAN;
    /* the grid is only on the file's own pixels: a shrunk work copy has none */
    if (x->has_mesh && in->work_scale >= 0.999) {
        const uint8_t *l = check_lum(x);
        int rr[4];
        double fw = x->face_w;
        if (l && check_clip(x, x->oval_box[0] - 0.15 * fw, x->oval_box[1] - 0.15 * fw, x->oval_box[2] + 0.15 * fw,
                            x->oval_box[3] + 0.15 * fw, rr))
            b = blockiness(l, x->w, rr);
    }
    if (q <= 0 && !isfinite(b))
        return check_unsure(r, "无法判断压缩质量（照片已缩小或不是 JPEG）",
                               "The compression cannot be judged (the photo was shrunk, or it is not a JPEG)");
    int sb = isfinite(b) ? check_ramp(TC_CHECK_COMPRESSION, b) : 100;
    /* quality 60 scores 50: the standard's minimum is the pass mark */
    int sq = q > 0 ? (int)lround(fmin(100, fmax(0, (q - 30) * 100.0 / 60))) : 100;
    r->value = isfinite(b) ? b : NAN;
    r->score = sb < sq ? sb : sq;
    if (x->has_mesh)
        check_region(r, x->oval_box[0], x->oval_box[1], x->oval_box[2], x->oval_box[3]);
    if (q > 0 && sq <= sb)
        check_say(r, "照片压缩过度（JPEG 质量约 %d，要求不低于 60），请用相机或手机拍摄原图直接上传，不要经聊天软件转发或压缩",
                  "The photo is too compressed (JPEG quality about %d, at least 60 is required): upload the "
                  "camera's original file, not one sent through a chat app or compressed",
                  q);
    else
        check_say(r, "照片有明显的压缩方块（块状失真），请用相机或手机拍摄原图直接上传，不要经聊天软件转发或压缩",
                  "The photo shows compression blocks: upload the camera's original file, not one sent through a "
                  "chat app or compressed");
    return 0;
}
