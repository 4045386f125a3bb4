/* Fuzz target: the XLSX path of roster parsing.  Inputs that do not start
 * with the ZIP magic are given it, so that mutations of the corpus spend
 * their time inside libzip/expat handling rather than in the CSV reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roster/tc_roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > TC_ROSTER_MAX_BYTES - 4)
        return 0;
    uint8_t *buf = malloc(size + 4);
    if (!buf)
        return 0;
    size_t n = size;
    if (size >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        memcpy(buf, data, size);
    } else {
        memcpy(buf, "PK\x03\x04", 4);
        memcpy(buf + 4, data, size);
        n = size + 4;
    }
    tc_roster r;
    tc_err e;
    if (tc_roster_parse((const char *)buf, n, &r, &e) == 0) {
        tc_roster_report rep;
        tc_roster_validate(&r, &rep);
        tc_roster_report_free(&rep);
        tc_roster_free(&r);
    }
    free(buf);
    return 0;
}
