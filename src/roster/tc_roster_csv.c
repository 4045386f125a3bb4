/* tc_roster — CSV reader (RFC 4180, plus what Excel and hand edits produce). */
#include "roster_int.h"

#include <string.h>

/* The separator is whichever of comma and tab occurs more often, outside
 * quotes, in the first non-empty line (the header): names never contain
 * either, so the header is the most reliable line to count. */
static char detect_sep(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == '\r' || p[i] == '\n' || p[i] == ' '))
        i++;
    size_t commas = 0, tabs = 0;
    int q = 0;
    for (; i < n; i++) {
        char c = p[i];
        if (c == '"')
            q = !q;
        else if (!q && (c == '\n' || c == '\r'))
            break;
        else if (!q && c == ',')
            commas++;
        else if (!q && c == '\t')
            tabs++;
    }
    return tabs > commas ? '\t' : ',';
}

/* A cell is collected into a fixed buffer a little larger than the cap, so
 * that the builder can tell "too long" and cut at a character boundary,
 * while a hostile 10 MB cell costs no memory. */
typedef struct {
    char buf[TC_ROSTER_MAX_CELL + 8];
    size_t n;
    int over;
} cell;

static inline void put(cell *c, char ch)
{
    if (c->n < sizeof c->buf)
        c->buf[c->n++] = ch;
    else
        c->over = 1;
}

int tc_roster_read_csv(const char *p, size_t n, tc_roster_rb *b)
{
    char sep = detect_sep(p, n);
    b->r->sep = sep;
    cell c;
    size_t i = 0;
    int line = 1;
    while (i < n) {
        tc_roster_rb_row_begin(b, line);
        int col = 0;
        for (;;) {
            c.n = 0;
            c.over = 0;
            if (i < n && p[i] == '"') {
                int start = line;
                i++;
                for (;;) {
                    if (i >= n) {
                        b->failed = 1;
                        return tc_err_set(b->e, TCE_ROSTER_CSV_QUOTE, start);
                    }
                    char ch = p[i];
                    if (ch == '"') {
                        if (i + 1 < n && p[i + 1] == '"') {
                            put(&c, '"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (ch == '\n')
                        line++;
                    put(&c, ch);
                    i++;
                }
                /* text after the closing quote ("a"b): kept, as Excel does */
                while (i < n && p[i] != sep && p[i] != '\n' && p[i] != '\r')
                    put(&c, p[i++]);
            } else {
                while (i < n && p[i] != sep && p[i] != '\n' && p[i] != '\r')
                    put(&c, p[i++]);
            }
            if (tc_roster_rb_cell(b, col, c.buf, c.n, c.over ? RB_TOO_LONG : 0) != 0)
                return -1;
            if (col < (1 << 30))
                col++;
            if (i >= n)
                break;
            if (p[i] == sep) {
                i++;
                if (i >= n) { /* "a,b," at the very end: one more, empty, cell */
                    break;
                }
                continue;
            }
            /* end of record: CRLF, LF or a lone CR (old Mac files) */
            if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
                i++;
            i++;
            line++;
            break;
        }
        if (tc_roster_rb_row_end(b) != 0)
            return -1;
    }
    return 0;
}
