/* The platform admin: schools, staff, the reason catalogue, specs, the audit log (issue 7). */
#include "api_int.h"

int api_admin_routes(tc_http_server *s, tc_app *app, size_t upload_max, tc_err *e)
{
    (void)s, (void)app, (void)upload_max, (void)e;
    return 0;
}
