/* Benchmark of the vision engine (issue 3): per model, the median latency
 * of one inference on one core, its multiply-adds and the GFLOP/s achieved
 * (2 FLOP per multiply-add); then the same through the public API, with
 * the pre- and post-processing, on a 512x512 portrait; then the far-face
 * fallback: tc_vision_detect on the portrait shrunk to half and pasted on
 * a 3x larger grey canvas, where the short-range detector finds nothing
 * and the full-range one runs too.  The full-range model is optional: its
 * rows are left out when its file is absent.
 *
 *   bench_vision [--ops] [MODELS_DIR]   (default $TUCAI_MODELS, else models/)
 *
 * --ops adds a per-op profile of each model: every node timed on its own
 * (median of 50, after running the nodes before it), with its share and,
 * for convolutions, its GFLOP/s; fused nodes show as CONV...+add+prelu.
 * The process pins itself to one CPU so that the figure is one core's. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>

#include "vision/tc_net.h"
#include "vision/tc_vision.h"

#define WARMUP 20
#define RUNS 200

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median ms of one tc_tfl_net_run. */
static double bench_net(const tc_tfl_net *net)
{
    void *arena = aligned_alloc(64, tc_tfl_net_arena_bytes(net));
    const int *s = tc_tfl_net_input_shape(net, 0);
    size_t n = (size_t)s[0] * s[1] * s[2] * s[3];
    float *in = tc_tfl_net_input(net, arena, 0);
    static double t[RUNS];
    for (int r = 0; r < WARMUP + RUNS; r++) {
        for (size_t i = 0; i < n; i++) /* a fixed, image-like pattern */
            in[i] = (float)((i * 2654435761u >> 7) % 256) / 255.0f;
        double t0 = now_ms();
        tc_tfl_net_run(net, arena);
        if (r >= WARMUP)
            t[r - WARMUP] = now_ms() - t0;
    }
    free(arena);
    return median(t, RUNS);
}

/* Per-node median times of one net (see --ops). */
static void profile_net(const tc_tfl_net *net, const char *name)
{
    enum { PRUNS = 50 };
    void *arena = aligned_alloc(64, tc_tfl_net_arena_bytes(net));
    const int *s = tc_tfl_net_input_shape(net, 0);
    size_t n = (size_t)s[0] * s[1] * s[2] * s[3];
    float *in = tc_tfl_net_input(net, arena, 0);
    int nn = tc_tfl_net_n_nodes(net);
    double *ms = calloc((size_t)nn, sizeof *ms), t[PRUNS], total = 0;
    for (int k = 0; k < nn; k++) {
        for (int r = 0; r < PRUNS; r++) {
            for (size_t i = 0; i < n; i++)
                in[i] = (float)((i * 2654435761u >> 7) % 256) / 255.0f;
            tc_tfl_net_run_nodes(net, arena, 0, k);
            double t0 = now_ms();
            tc_tfl_net_run_nodes(net, arena, k, k + 1);
            t[r] = now_ms() - t0;
        }
        ms[k] = median(t, PRUNS);
        total += ms[k];
    }
    printf("\nper-op profile, %s (%d nodes, sum of medians %.3f ms):\n", name, nn, total);
    for (int k = 0; k < nn; k++) {
        char d[128];
        tc_tfl_net_describe_node(net, k, d, sizeof d);
        int64_t m = tc_tfl_net_node_macs(net, k);
        printf("%4d %-52s %8.1f us %5.1f%%", k, d, ms[k] * 1e3, 100 * ms[k] / total);
        if (m)
            printf(" %6.1f GFLOP/s", 2.0 * m / (ms[k] * 1e6));
        printf("\n");
    }
    free(ms);
    free(arena);
}

int main(int argc, char **argv)
{
    const char *env = getenv("TUCAI_MODELS");
    int ops = argc > 1 && strcmp(argv[1], "--ops") == 0;
    if (ops) {
        argv++;
        argc--;
    }
    const char *dir = argc > 1 ? argv[1] : env && *env ? env : "models";
    /* one core: the last one this process may use */
    cpu_set_t set;
    int cpu = -1;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &set))
                cpu = c;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    static const char *files[5] = {TC_VISION_DETECTOR_FILE, TC_VISION_LANDMARK_FILE, TC_VISION_SEGMENTER_FILE,
                                   TC_VISION_EYES_FILE, TC_VISION_FAR_DETECTOR_FILE};
    static const char *names[5] = {"face detection", "face landmarks", "person segmentation", "eyes (attention)",
                                   "far faces (fallback)"};
    double ms[5];
    int64_t macs[5];
    int n_models = 5;
    for (int k = 0; k < n_models; k++) {
        char path[4096], *data;
        size_t len;
        tc_err e;
        tc_tfl_net *net;
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        if (k == 4 && access(path, R_OK) != 0) { /* optional */
            n_models = 4;
            break;
        }
        if (tc_file_read(path, (size_t)64 << 20, &data, &len, &e) ||
            tc_tfl_net_load((const uint8_t *)data, len, &net, &e)) {
            fprintf(stderr, "bench_vision: %s: %s (run scripts/fetch-models)\n", path, e.en);
            return 1;
        }
        free(data);
        macs[k] = tc_tfl_net_macs(net);
        ms[k] = bench_net(net);
        if (ops)
            profile_net(net, names[k]);
        tc_tfl_net_free(net);
    }
    printf("vision engine: one inference on one core (CPU %d), median of %d runs after %d warm-up\n", cpu, RUNS,
           WARMUP);
    printf("%-22s %10s %10s %9s\n", "model", "M mul-add", "median ms", "GFLOP/s");
    for (int k = 0; k < n_models; k++)
        printf("%-22s %10.1f %10.3f %9.1f\n", names[k], macs[k] / 1e6, ms[k], 2.0 * macs[k] / (ms[k] * 1e6));
    printf("%-22s %10.1f %10.3f %9.1f\n", "all four", (macs[0] + macs[1] + macs[2] + macs[3]) / 1e6,
           ms[0] + ms[1] + ms[2] + ms[3],
           2.0 * (macs[0] + macs[1] + macs[2] + macs[3]) / ((ms[0] + ms[1] + ms[2] + ms[3]) * 1e6));

    /* The public API on a real photo: letterbox/crop, inference, decoding,
     * NMS, projection, mask resized to the image. */
    if (VIPS_INIT(argv[0]))
        return 1;
    const char *td = getenv("TC_TESTDATA");
    char img_path[4096];
    snprintf(img_path, sizeof img_path, "%s/portraits/astronaut.png", td && *td ? td : "../shared/testdata");
    VipsImage *im = vips_image_new_from_file(img_path, NULL), *rgb = NULL;
    uint8_t *px = NULL;
    int w = 512, h = 512;
    if (im && !vips_extract_band(im, &rgb, 0, "n", 3, NULL)) {
        size_t len;
        px = vips_image_write_to_memory(rgb, &len);
        w = vips_image_get_width(rgb);
        h = vips_image_get_height(rgb);
    } else {
        snprintf(img_path, sizeof img_path, "a synthetic 512x512 gradient (astronaut.png not found)");
        vips_error_clear();
        px = g_malloc((size_t)w * h * 3);
        for (size_t i = 0; i < (size_t)w * h * 3; i++)
            px[i] = (uint8_t)(i * 7 / 3);
    }
    if (rgb) g_object_unref(rgb);
    if (im) g_object_unref(im);
    tc_err e;
    tc_vision *v = tc_vision_load(dir, &e);
    tc_vision_ctx *c = v ? tc_vision_ctx_new(v, &e) : NULL;
    if (!c) {
        fprintf(stderr, "bench_vision: %s\n", e.en);
        return 1;
    }
    tc_vision_image img = {px, w, h, (size_t)w * 3};
    tc_vision_face faces[TC_VISION_MAX_FACES];
    tc_vision_mesh *mesh = malloc(sizeof *mesh);
    float *mask = malloc((size_t)w * h * sizeof *mask);
    tc_vision_eye_info eyes;
    static double t[4][RUNS];
    int nf = 0;
    for (int r = 0; r < WARMUP + RUNS; r++) {
        double t0 = now_ms();
        tc_vision_detect(v, c, &img, faces, TC_VISION_MAX_FACES, &nf, &e);
        double t1 = now_ms();
        if (nf > 0)
            tc_vision_landmarks(v, c, &img, &faces[0], mesh, &e);
        double t2 = now_ms();
        tc_vision_segment(v, c, &img, mask, &e);
        double t3 = now_ms();
        if (nf > 0)
            tc_vision_eyes(v, c, &img, mesh, &eyes, &e);
        double t4 = now_ms();
        if (r >= WARMUP) {
            t[0][r - WARMUP] = t1 - t0;
            t[1][r - WARMUP] = t2 - t1;
            t[2][r - WARMUP] = t3 - t2;
            t[3][r - WARMUP] = t4 - t3;
        }
    }
    printf("\npublic API with pre/post-processing, input %s (%dx%d, %d face%s):\n", img_path, w, h, nf,
           nf == 1 ? "" : "s");
    printf("  tc_vision_detect    %7.3f ms\n", median(t[0], RUNS));
    printf("  tc_vision_landmarks %7.3f ms%s\n", median(t[1], RUNS), nf ? "" : " (no face: not run)");
    printf("  tc_vision_segment   %7.3f ms (mask at %dx%d)\n", median(t[2], RUNS), w, h);
    printf("  tc_vision_eyes      %7.3f ms%s\n", median(t[3], RUNS), nf ? "" : " (no face: not run)");

    /* The fallback: the portrait at half size on a 3x larger canvas. */
    int fw = 3 * w, fh = 3 * h, sw = w / 2, sh = h / 2;
    uint8_t *far = malloc((size_t)fw * fh * 3);
    if (far) {
        memset(far, 200, (size_t)fw * fh * 3);
        for (int y = 0; y < sh; y++) /* every 2nd pixel: a plain decimation is enough here */
            for (int x = 0; x < sw; x++)
                memcpy(far + ((size_t)(fh / 3 + y) * fw + fw / 3 + x) * 3, px + ((size_t)2 * y * w + 2 * x) * 3, 3);
        tc_vision_image fimg = {far, fw, fh, (size_t)fw * 3};
        for (int r = 0; r < WARMUP + RUNS; r++) {
            double t0 = now_ms();
            tc_vision_detect(v, c, &fimg, faces, TC_VISION_MAX_FACES, &nf, &e);
            if (r >= WARMUP)
                t[0][r - WARMUP] = now_ms() - t0;
        }
        printf("  tc_vision_detect    %7.3f ms on a far face: the same at half size on a %dx%d canvas "
               "(%d face%s%s)\n",
               median(t[0], RUNS), fw, fh, nf, nf == 1 ? "" : "s",
               nf && faces[0].far ? ", found by the full-range fallback"
                                  : n_models == 5 ? "" : "; the full-range model is absent: not run");
        free(far);
    }
    free(mask);
    free(mesh);
    g_free(px);
    tc_vision_ctx_free(c);
    tc_vision_free(v);
    vips_shutdown();
    return 0;
}
