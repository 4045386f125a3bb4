/* Fuzz target: roster parsing and validation from arbitrary bytes (the CSV
 * corpus; ZIP-looking inputs go the XLSX way, which is fine). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "roster/tc_roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_roster r;
    tc_err e;
    if (tc_roster_parse((const char *)data, size, &r, &e) != 0)
        return 0;
    tc_roster_report rep;
    tc_roster_validate(&r, &rep);
    json_t *j = tc_roster_report_json(&rep);
    char *s = json_dumps(j, 0);
    free(s);
    json_decref(j);
    tc_roster_report_free(&rep);
    tc_roster_free(&r);
    return 0;
}
