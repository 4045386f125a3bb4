/* Money on paper: orders by state, addresses, reprints, the print queue, refunds, reconciliation (issue 8). */
#include "api_int.h"

int api_money_routes(tc_http_server *s, tc_app *app, size_t upload_max, tc_err *e)
{
    (void)s, (void)app, (void)upload_max, (void)e;
    return 0;
}
