/* Placeholder until the eval helper's implementation lands: the duplicate
 * check reports "could not assess" (score -1), never a silent pass, and there
 * is no face hash yet. */
#include <math.h>

#include "check_int.h"

int check_duplicate(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)x, (void)in, (void)c, (void)e;
    r->score = -1;
    r->value = NAN;
    check_say(r, "此项尚未实现自动检测，由审核老师查看", "Not yet assessed automatically; a reviewer will look");
    return 0;
}

int check_face_hash(const tc_check_input *in, tc_check_hash *out)
{
    (void)in, (void)out;
    return -1;
}
