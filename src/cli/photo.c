/* `tucai photo`: one upload in, one spec photo or print sheet out, made by
 * the server's pipeline (tc_studio_make, checks off): the same bytes as the
 * server makes for the same file, spec and background. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <vips/vips.h>

#include "cli_int.h"
#include "tc_cli.h"
#include "../spec/tc_spec.h"
#include "../sheet/tc_sheet.h"

static const char usage[] =
    "usage: tucai photo IN -o OUT [options]\n"
    "  --spec NAME|WxHmm@DPI|WxHpx@DPI   spec (default chsi); see `tucai specs`\n"
    "  --specs FILE.json                 extra or patched specs\n"
    "  --background blue|white|grey|NAME|#RRGGBB   (default: the spec's)\n"
    "  --sheet 6inch|5inch|a4            print sheet instead of a single photo\n"
    "  --layout 1|2|best                 1: 1寸x8+2寸x4, 2: 2寸x8, best: most of --spec (default)\n"
    "  --cut-lines                       draw cut lines on the sheet\n"
    "  --format jpeg|png|pdf             sheet format (default from OUT's extension)\n"
    "  --json                            print the measurements as JSON\n"
    "  --mask OUT.png                    also write the final alpha (person = white) at the photo's size\n"
    "  --trimap OUT.png                  also write the edge step's trimap (black: sure backdrop, grey: unknown,\n"
    "                                    light grey: ear region, white: sure person)\n"
    "  --no-strict                       produce a photo even when the head cannot meet the spec\n"
    "  --largest-face                    with several people in the photo, take the largest face\n"
    "                                    (otherwise refused: photo.faces)\n"
    "  --models DIR                      the vision models (default $TUCAI_MODELS or ./models)\n"
    "developer options (skip the vision models, for tests of the geometry):\n"
    "  --geom LX,LY,RX,RY,CX,CY[,FLX,FLY,FRX,FRY]  eye centres, chin [, cheeks] in source pixels\n"
    "                                    (the mask then comes from a plain-backdrop keyer)\n";

static int parse_geom(const char *s, tc_photo_face_geom *g)
{
    double v[10];
    int n = 0;
    const char *p = s;
    while (n < 10 && *p) {
        char *end;
        v[n] = strtod(p, &end);
        if (end == p || !isfinite(v[n]))
            return -1;
        n++;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    if (*p || (n != 6 && n != 10))
        return -1;
    tc_photo_geom_init(g);
    g->left_eye[0] = (float)v[0], g->left_eye[1] = (float)v[1];
    g->right_eye[0] = (float)v[2], g->right_eye[1] = (float)v[3];
    g->chin[0] = (float)v[4], g->chin[1] = (float)v[5];
    if (n == 10) {
        g->face_left[0] = (float)v[6], g->face_left[1] = (float)v[7];
        g->face_right[0] = (float)v[8], g->face_right[1] = (float)v[9];
    }
    return 0;
}

static const char *ext_of(const char *path)
{
    const char *d = strrchr(path, '.');
    if (!d)
        return "jpeg";
    if (!strcasecmp(d, ".png"))
        return "png";
    if (!strcasecmp(d, ".pdf"))
        return "pdf";
    return "jpeg";
}

/* A mask (alpha or trimap) as an 8-bit greyscale PNG, for looking at edges. */
static int write_mask_png(const tc_photo_mask *a, const char *path, tc_err *e)
{
    size_t n = (size_t)a->width * a->height;
    uint8_t *px = malloc(n ? n : 1);
    if (!px)
        return tc_err_internal(e, "photo: out of memory");
    for (size_t i = 0; i < n; i++)
        px[i] = (uint8_t)lrintf(fminf(fmaxf(a->a[i], 0.0f), 1.0f) * 255.0f);
    VipsImage *v = vips_image_new_from_memory(px, n, a->width, a->height, 1, VIPS_FORMAT_UCHAR);
    void *buf = NULL;
    size_t len = 0;
    int r = v ? vips_pngsave_buffer(v, &buf, &len, "compression", 6, NULL) : -1;
    if (v)
        g_object_unref(v);
    free(px);
    if (r != 0) {
        vips_error_clear();
        return tc_err_set(e, TCE_PHOTO_ENCODE_2, path);
    }
    r = tc_file_write_atomic(path, buf, len, e);
    g_free(buf);
    return r;
}

/* What `tucai photo` asks of the studio besides the upload and the spec. */
typedef struct photo_opts {
    const char *bg, *mask_out, *trimap_out;
    int strict, largest;
    const tc_photo_face_geom *geom;
} photo_opts;

/* One photo of spec through the pipeline; *jpg (malloc'ed) and *rep filled.
 * A photo the pipeline could not make is an error here, with its reason. */
static int make_photo(const tc_studio *s, tc_studio_ctx *c, const char *data, size_t len, const tc_photo_limits *lim,
                      const tc_spec *spec, const photo_opts *po, int first, uint8_t **jpg, size_t *jlen,
                      tc_photo_report *rep, tc_err *e)
{
    tc_studio_req req = {.data = data,
                         .len = len,
                         .limits = lim,
                         .spec = spec->name,
                         .spec_def = spec,
                         .background = po->bg,
                         .refuse_crowd = !po->largest,
                         .no_strict = !po->strict,
                         .geom = po->geom,
                         .want_alpha = first && po->mask_out,
                         .want_trimap = first && po->trimap_out};
    tc_studio_result res;
    if (tc_studio_make(s, c, &req, &res, e) != 0)
        return -1;
    int rc = -1;
    if (!res.jpeg) { /* the pipeline's reason, as it is */
        tc_err_set(e, 422, res.problem, "未能制作照片", "The photo could not be made");
        if (res.problem_zh[0]) {
            snprintf(e->zh, sizeof e->zh, "%s", res.problem_zh);
            snprintf(e->en, sizeof e->en, "%s", res.problem_en);
        }
        goto done;
    }
    if (req.want_alpha && write_mask_png(&res.alpha, po->mask_out, e) != 0)
        goto done;
    if (req.want_trimap && res.trimap.a && write_mask_png(&res.trimap, po->trimap_out, e) != 0)
        goto done;
    *jpg = res.jpeg;
    *jlen = res.jpeg_len;
    *rep = res.report;
    res.jpeg = NULL;
    rc = 0;
done:
    tc_studio_result_free(&res);
    return rc;
}

int tc_cli_photo(int argc, char **argv)
{
    const char *in = NULL, *outp = NULL, *spec_name = "chsi", *specs_file = NULL, *sheet = NULL;
    const char *layout = "best", *format = NULL, *geom = NULL, *models = NULL;
    photo_opts po = {.strict = 1};
    int json = 0, cut = 0, no_strict = 0;
    const cli_opt opts[] = {{"-o", &outp, NULL},
                            {"--spec", &spec_name, NULL},
                            {"--specs", &specs_file, NULL},
                            {"--background", &po.bg, NULL},
                            {"--sheet", &sheet, NULL},
                            {"--layout", &layout, NULL},
                            {"--format", &format, NULL},
                            {"--geom", &geom, NULL},
                            {"--mask", &po.mask_out, NULL},
                            {"--trimap", &po.trimap_out, NULL},
                            {"--models", &models, NULL},
                            {"--json", NULL, &json},
                            {"--cut-lines", NULL, &cut},
                            {"--no-strict", NULL, &no_strict},
                            {"--largest-face", NULL, &po.largest},
                            {NULL, NULL, NULL}};
    int st = cli_parse(argc, argv, "photo", usage, opts, &in);
    if (st >= 0)
        return st;
    po.strict = !no_strict;
    if (!in || !outp) {
        fputs(usage, stderr);
        return 2;
    }

    tc_err e = {0};
    /* Harmless when main() has done it already (libvips starts once). */
    if (tc_photo_startup(argv[0], &e) != 0)
        return cli_fail("photo", &e);
    int rc = 1;
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    tc_studio *s = NULL;
    tc_studio_ctx *c = NULL;
    char *data = NULL;
    uint8_t *outbuf = NULL;
    size_t outlen = 0;
    tc_sheet_layout sl = {0};
    uint8_t *jpgs[2] = {0};
    size_t lens[2] = {0};
    tc_spec custom;
    const tc_spec *spec;
    tc_photo_face_geom g;

    if (specs_file && tc_spec_table_load_file(&t, specs_file, &e) != 0)
        goto err;
    /* the models first: without them nothing else is worth checking */
    s = geom ? tc_studio_open_bare(&t, &e) : tc_studio_open(models, &t, &e);
    c = s ? tc_studio_ctx_new(s, &e) : NULL;
    if (!c)
        goto err;
    spec = tc_spec_find(&t, spec_name);
    if (!spec) {
        if (tc_spec_parse_custom(spec_name, &custom, &e) != 0)
            goto err;
        spec = &custom;
    }
    if (geom) {
        if (parse_geom(geom, &g) != 0) {
            tc_err_set(&e, TCE_PHOTO_BAD_GEOMETRY_9);
            goto err;
        }
        po.geom = &g;
    }

    /* the limits of an upload apply to the command line too */
    tc_photo_limits lim;
    tc_photo_limits_default(&lim);
    size_t len = 0;
    if (tc_file_read(in, lim.max_bytes + 1, &data, &len, &e) != 0) {
        if (!strcmp(e.code, "file.too_large"))
            tc_err_set(&e, TCE_PHOTO_TOO_LARGE_4, lim.max_bytes / 1048576.0);
        goto err;
    }

    /* one photo, or a sheet of them (each spec through the pipeline) */
    tc_photo_report rep[2];
    if (!sheet) {
        if (make_photo(s, c, data, len, &lim, spec, &po, 1, &outbuf, &outlen, &rep[0], &e) != 0)
            goto err;
        if (json) {
            char *j = tc_photo_report_json(&rep[0]);
            printf("%s\n", j);
            free(j);
        }
    } else {
        tc_sheet_paper paper;
        tc_sheet_item items[2];
        size_t n = 1;
        const tc_spec *specs[2] = {spec, NULL};
        if (tc_sheet_paper_find(sheet, &paper, &e) != 0)
            goto err;
        if (!strcmp(layout, "best")) {
            items[0] = (tc_sheet_item){tc_spec_width_mm(spec), tc_spec_height_mm(spec), 0};
        } else {
            if (tc_sheet_named_items(layout, &t, items, specs, &n, &e) != 0)
                goto err;
        }
        for (size_t k = 0; k < n; k++)
            if (make_photo(s, c, data, len, &lim, specs[k], &po, k == 0, &jpgs[k], &lens[k], &rep[k], &e) != 0)
                goto err;
        if (tc_sheet_plan(&paper, items, n, &sl, &e) != 0)
            goto err;
        const uint8_t *ph[2] = {jpgs[0], jpgs[1]};
        if (tc_sheet_render(&sl, ph, lens, format ? format : ext_of(outp), cut, &outbuf, &outlen, &e) != 0)
            goto err;
        if (json) {
            printf("{\"sheet\":\"%s\",\"width_mm\":%.1f,\"height_mm\":%.1f,\"gap_mm\":%.2f,\"count\":%zu,\"photos\":[",
                   paper.name, sl.paper.w_mm, sl.paper.h_mm, sl.gap_mm, sl.n);
            for (size_t k = 0; k < n; k++) {
                char *j = tc_photo_report_json(&rep[k]);
                printf("%s%s", k ? "," : "", j);
                free(j);
            }
            printf("]}\n");
        }
    }
    if (tc_file_write_atomic(outp, outbuf, outlen, &e) != 0)
        goto err;
    rc = 0;
    goto done;
err:
    rc = cli_fail("photo", &e);
done:
    free(outbuf);
    free(jpgs[0]);
    free(jpgs[1]);
    tc_sheet_layout_free(&sl);
    tc_studio_ctx_free(c);
    tc_studio_free(s);
    free(data);
    tc_spec_table_free(&t);
    return rc;
}
