/*
 * Inside tc_api: the school notice's sanitiser (issue 7).  A school admin
 * writes the notice in a rich-text editor; students' phones show it as HTML,
 * so the server keeps only an allow-list and the student app can render what
 * it gets.  Fuzzed by tests/fuzz/fuzz_notice.c.  Not part of the module's
 * interface.
 */
#ifndef TC_API_NOTICE_H
#define TC_API_NOTICE_H

#include <stddef.h>

#include "../base/tc_base.h"

enum {
    API_NOTICE_MAX_IN = 256 * 1024, /* bytes of HTML accepted from the editor  */
    API_NOTICE_MAX_OUT = 64 * 1024, /* bytes of sanitised HTML stored          */
    API_NOTICE_MAX_DEPTH = 64,      /* nesting kept; deeper content is text     */
};

/* Parse html (len bytes, UTF-8) with libxml2's HTML parser and write it back
 * keeping only p, br, b, strong, i, em, u, ul, ol, li, h3, h4 and a with an
 * http(s) href (written with rel="noopener"); every other attribute goes;
 * script, style and other active or invisible elements go with their
 * content; any other element is replaced by its content.  *out is malloc'd
 * (the caller frees it).  Errors (400): notice.too_large (input or result
 * over the caps), notice.bad_text (not UTF-8). */
int api_notice_sanitize(const char *html, size_t len, char **out, tc_err *e);

#endif
