/* tc_photo_matte.c: the foreground estimate writes every pixel's colour
 * (the pixel itself outside the band), so that compose never reads memory
 * it did not write; inside the band it unmixes a known blend. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "photo/photo_internal.h"

enum { W = 40, H = 30 };

/* A red person on the left, a green wall on the right and a band of
 * columns 18-21 where they blend with alpha 0.8, 0.6, 0.4, 0.2. */
static void scene(uint8_t *rgb, float *alpha)
{
    const float fgc[3] = {0.8f, 0.2f, 0.1f}, bgc[3] = {0.1f, 0.7f, 0.2f};
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float a = x < 18 ? 1.0f : x > 21 ? 0.0f : 0.8f - 0.2f * (float)(x - 18);
            size_t i = (size_t)y * W + x;
            alpha[i] = a;
            for (int c = 0; c < 3; c++)
                rgb[3 * i + c] = (uint8_t)lrintf(255 * (a * fgc[c] + (1 - a) * bgc[c]));
        }
}

/* Outside the band F is the pixel, whatever the buffer held before (NaN
 * here: a value left unwritten fails); in the band F is near the person's
 * red, not the blend. */
static void test_foreground_every_pixel(void **state)
{
    (void)state;
    static uint8_t rgb[W * H * 3];
    static float alpha[W * H], F[W * H * 3];
    scene(rgb, alpha);
    for (size_t i = 0; i < (size_t)W * H * 3; i++)
        F[i] = NAN;
    assert_int_equal(photo_foreground(rgb, alpha, W, H, F), 0);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            size_t i = (size_t)y * W + x;
            for (int c = 0; c < 3; c++) {
                float f = F[3 * i + c];
                assert_true(isfinite(f) && f >= 0 && f <= 1);
                if (alpha[i] <= 0 || alpha[i] >= 1)
                    assert_true(fabsf(f - rgb[3 * i + c] / 255.0f) < 1e-6f);
            }
            if (x == 20) /* alpha 0.4: the blend is greenish, F must be red */
                assert_true(F[3 * i] > 0.6f && F[3 * i + 1] < 0.4f);
        }
}

/* No band at all (alpha only 0 and 1): still every pixel written. */
static void test_foreground_no_band(void **state)
{
    (void)state;
    static uint8_t rgb[W * H * 3];
    static float alpha[W * H], F[W * H * 3];
    scene(rgb, alpha);
    for (size_t i = 0; i < (size_t)W * H; i++)
        alpha[i] = alpha[i] >= 0.5f ? 1.0f : 0.0f;
    for (size_t i = 0; i < (size_t)W * H * 3; i++)
        F[i] = NAN;
    assert_int_equal(photo_foreground(rgb, alpha, W, H, F), 0);
    for (size_t i = 0; i < (size_t)W * H * 3; i++)
        assert_true(fabsf(F[i] - rgb[i] / 255.0f) < 1e-6f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_foreground_every_pixel),
        cmocka_unit_test(test_foreground_no_band),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
