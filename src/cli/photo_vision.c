/* `tucai photo` with the vision engine: the analyzer that turns the work copy
 * of a photo into the face geometry and person mask that tc_photo composes
 * from.  Kept here, in the program, so that photo and vision stay independent
 * modules that know nothing of each other. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../photo/tc_photo.h"
#include "../vision/tc_vision.h"
#include "tc_cli.h"

/* Mesh indices (MediaPipe face mesh): eye corners 33/133 and 362/263,
 * chin 152, cheek contour at ear level 234/454. */
enum { EYE_A_OUT = 33, EYE_A_IN = 133, EYE_B_IN = 362, EYE_B_OUT = 263, CHIN = 152, CHEEK_A = 234, CHEEK_B = 454 };

static void pt(const tc_vision_mesh *m, int i, int w, int h, float out[2])
{
    out[0] = m->points[i][0] * (float)w;
    out[1] = m->points[i][1] * (float)h;
}

static int analyze(void *ctx, const tc_photo_rgb *work, int largest_face, tc_photo_face_geom *g, tc_photo_mask *mask,
                   tc_err *e)
{
    tc_cli_photo_vision *pv = ctx;
    int w = work->width, h = work->height;
    tc_vision_image img = {work->px, w, h, (size_t)w * 3};
    tc_vision_face faces[TC_VISION_MAX_FACES];
    int n = 0;
    if (tc_vision_detect(pv->v, pv->c, &img, faces, TC_VISION_MAX_FACES, &n, e) != 0)
        return -1;
    /* Not simply the most confident face: a passer-by far behind is
     * ignored, a second person beside the student is refused. */
    tc_photo_face_box boxes[TC_VISION_MAX_FACES];
    for (int i = 0; i < n; i++)
        boxes[i] = (tc_photo_face_box){faces[i].xmin * w, faces[i].ymin * h, faces[i].width * w, faces[i].height * h};
    int pick;
    if (tc_photo_pick_face(boxes, n, w, h, largest_face, &pick, e) != 0)
        return -1;
    tc_vision_mesh mesh;
    if (tc_vision_landmarks(pv->v, pv->c, &img, &faces[pick], &mesh, e) != 0)
        return -1;
    if (mesh.presence < 0.5f)
        return tc_err_set(e, 422, "photo.no_face", "未检测到人脸，请正对镜头重新拍摄",
                          "No face found: face the camera and shoot again");
    tc_photo_geom_init(g);
    float a0[2], a1[2], b0[2], b1[2], ea[2], eb[2];
    pt(&mesh, EYE_A_OUT, w, h, a0);
    pt(&mesh, EYE_A_IN, w, h, a1);
    pt(&mesh, EYE_B_IN, w, h, b0);
    pt(&mesh, EYE_B_OUT, w, h, b1);
    ea[0] = (a0[0] + a1[0]) / 2, ea[1] = (a0[1] + a1[1]) / 2;
    eb[0] = (b0[0] + b1[0]) / 2, eb[1] = (b0[1] + b1[1]) / 2;
    /* "left" is the image's left, whichever eye of the person that is */
    int a_left = ea[0] <= eb[0];
    for (int k = 0; k < 2; k++) {
        g->left_eye[k] = a_left ? ea[k] : eb[k];
        g->right_eye[k] = a_left ? eb[k] : ea[k];
    }
    pt(&mesh, CHIN, w, h, g->chin);
    float ca[2], cb[2];
    pt(&mesh, CHEEK_A, w, h, ca);
    pt(&mesh, CHEEK_B, w, h, cb);
    int ca_left = ca[0] <= cb[0];
    for (int k = 0; k < 2; k++) {
        g->face_left[k] = ca_left ? ca[k] : cb[k];
        g->face_right[k] = ca_left ? cb[k] : ca[k];
    }
    for (int i = 0; i < TC_PHOTO_OVAL_POINTS; i++)
        pt(&mesh, tc_photo_oval_mesh_index[i], w, h, g->oval[i]);
    mask->width = w;
    mask->height = h;
    mask->a = malloc((size_t)w * (size_t)h * sizeof *mask->a);
    if (!mask->a)
        return tc_err_internal(e, "photo: out of memory for the mask");
    return tc_vision_segment(pv->v, pv->c, &img, mask->a, e);
}

tc_photo_analyzer tc_cli_photo_analyzer(tc_cli_photo_vision *pv)
{
    return (tc_photo_analyzer){pv, analyze};
}

int tc_cli_photo(int argc, char **argv)
{
    /* --help and usage errors need no models */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") || !strcmp(argv[i], "--geom"))
            return tc_photo_cli(argc, argv);
    tc_err e = {0};
    tc_vision *v = tc_vision_load(NULL, &e);
    tc_cli_photo_vision pv = {v, v ? tc_vision_ctx_new(v, &e) : NULL};
    if (!v || !pv.c) {
        fprintf(stderr, "tucai: %s\n       %s [%s]\n", e.en, e.zh, e.code);
        tc_vision_free(v);
        return 1;
    }
    tc_photo_analyzer an = tc_cli_photo_analyzer(&pv);
    int rc = tc_photo_cli_with(argc, argv, &an);
    tc_vision_ctx_free(pv.c);
    tc_vision_free(v);
    return rc;
}
