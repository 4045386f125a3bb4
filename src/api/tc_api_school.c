/* The school console: batches, progress, exports, reminders (issue 7). */
#include "api_int.h"

int api_school_routes(tc_http_server *s, tc_app *app, size_t upload_max, tc_err *e)
{
    (void)s, (void)app, (void)upload_max, (void)e;
    return 0;
}
