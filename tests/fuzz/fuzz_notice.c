/* Fuzz target: the school notice's HTML sanitiser (src/api/api_notice.h).
 * Beyond "no crash, no leak" it checks what the sanitiser promises: the
 * result holds no tag but the allow-list's, written by us (so no script,
 * style, event handler or javascript: link), and sanitising the result
 * again (a notice opened in the editor and saved) keeps to that too.  (Not
 * byte-identical: the parser moves misnested tags, e.g. a list inside h3.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_notice.h"

/* Is every tag in s one we write: <x> or </x> for an allowed x, <br>, or
 * <a href="http(s)://..." rel="noopener">?  Text holds no raw '<' or '>'. */
static int tags_ok(const char *s)
{
    static const char *const OK[] = {"p", "b", "strong", "i", "em", "u", "ul", "ol", "li", "h3", "h4", "a"};
    while ((s = strpbrk(s, "<>"))) {
        if (*s == '>')
            return 0;
        const char *end = strchr(s, '>');
        if (!end)
            return 0;
        size_t n = (size_t)(end - s - 1);
        const char *t = s + 1;
        if (n == 2 && !strncmp(t, "br", 2)) {
            s = end + 1;
            continue;
        }
        if (!strncmp(t, "a href=\"", 8)) {
            const char *q = strchr(t + 8, '"');
            if (!q || q > end || (strncasecmp(t + 8, "http://", 7) && strncasecmp(t + 8, "https://", 8)) ||
                strncmp(q, "\" rel=\"noopener\">", 17))
                return 0;
            s = end + 1;
            continue;
        }
        if (*t == '/')
            t++, n--;
        int found = 0;
        for (size_t i = 0; i < sizeof OK / sizeof *OK; i++)
            found |= strlen(OK[i]) == n && !strncmp(t, OK[i], n);
        if (!found)
            return 0;
        s = end + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out;
    tc_err e;
    if (api_notice_sanitize((const char *)data, size, &out, &e) != 0)
        return 0;
    if (!tags_ok(out) || strlen(out) > API_NOTICE_MAX_OUT)
        abort();
    char *again;
    if (api_notice_sanitize(out, strlen(out), &again, &e) != 0 || !tags_ok(again))
        abort();
    free(again);
    free(out);
    return 0;
}
