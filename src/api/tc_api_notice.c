/* The school notice's sanitiser: libxml2's HTML parser builds a tree the way
 * a browser would (unclosed tags, stray ends, entities), and we write back
 * only what the allow-list names.  Writing our own output — never passing
 * the input through — is what makes it safe: an attribute or a tag we do
 * not know cannot survive, whatever the parser thought of it. */
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_notice.h"

static const char *const KEEP[] = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "h3", "h4"};
/* dropped with everything inside: code, styling, embedded things, form
 * controls and the document's head */
static const char *const DROP[] = {"script", "style",  "iframe", "object",   "embed",  "template", "noscript",
                                   "head",   "title",  "meta",   "link",     "svg",    "math",     "textarea",
                                   "select", "option", "button", "frameset", "frame",  "applet",   "noembed",
                                   "xmp",    "canvas", "audio",  "video",    "source", "form",     "input"};

static int in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(name, list[i]))
            return 1;
    return 0;
}

static void put_escaped(tc_buf *b, const char *s, int attr)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = attr ? "&quot;" : NULL; break;
        default: break;
        }
        if (rep) {
            tc_buf_append(b, run, (size_t)(s - run));
            tc_buf_puts(b, rep);
            run = s + 1;
        }
    }
    tc_buf_append(b, run, (size_t)(s - run));
}

/* An http(s) link with nothing that could end the attribute or hide a
 * scheme: no controls, spaces or quotes (the parser already decoded
 * entities, so "&#106;avascript:" arrives as "javascript:"). */
static int href_ok(const char *h)
{
    if (!h || (strncasecmp(h, "http://", 7) && strncasecmp(h, "https://", 8)))
        return 0;
    size_t n = strlen(h);
    if (n > 2048)
        return 0;
    for (const unsigned char *c = (const unsigned char *)h; *c; c++)
        if (*c <= 0x20 || *c == 0x7f || *c == '"' || *c == '\'' || *c == '<' || *c == '>' || *c == '\\')
            return 0;
    return 1;
}

static void walk(tc_buf *b, xmlNode *n, int depth)
{
    for (; n; n = n->next) {
        if (b->len > API_NOTICE_MAX_OUT)
            return;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                put_escaped(b, (const char *)n->content, 0);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || !n->name)
            continue; /* comments, processing instructions, entities */
        const char *name = (const char *)n->name;
        if (in_list(name, DROP, TC_ARRAY_LEN(DROP)))
            continue;
        if (depth >= API_NOTICE_MAX_DEPTH) {
            walk(b, n->children, depth);
            continue;
        }
        if (!strcasecmp(name, "br")) {
            tc_buf_puts(b, "<br>");
            continue;
        }
        if (!strcasecmp(name, "a")) {
            xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
            int ok = href_ok((const char *)href);
            if (ok) {
                tc_buf_puts(b, "<a href=\"");
                put_escaped(b, (const char *)href, 1);
                tc_buf_puts(b, "\" rel=\"noopener\">");
            }
            xmlFree(href);
            walk(b, n->children, depth + 1);
            if (ok)
                tc_buf_puts(b, "</a>");
            continue;
        }
        if (in_list(name, KEEP, TC_ARRAY_LEN(KEEP))) {
            char tag[16];
            size_t i = 0;
            for (; name[i] && i < sizeof tag - 1; i++)
                tag[i] = (char)(name[i] | 0x20); /* allow-listed names are ASCII letters and digits */
            tag[i] = 0;
            tc_buf_printf(b, "<%s>", tag);
            walk(b, n->children, depth + 1);
            tc_buf_printf(b, "</%s>", tag);
            continue;
        }
        walk(b, n->children, depth + 1); /* html, body, div, span, font...: their content only */
    }
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
    xmlInitParser();
}

int api_notice_sanitize(const char *html, size_t len, char **out, tc_err *e)
{
    *out = NULL;
    if (len > API_NOTICE_MAX_IN)
        return tc_err_set(e, TCE_NOTICE_TOO_LARGE, API_NOTICE_MAX_IN / 1024);
    if (!tc_utf8_valid(html, len))
        return tc_err_set(e, TCE_NOTICE_BAD_TEXT);
    tc_buf b;
    tc_buf_init(&b);
    if (len > 0) {
        pthread_once(&xml_once, xml_init);
        htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                                        HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                            HTML_PARSE_COMPACT);
        if (doc) {
            walk(&b, doc->children, 0);
            xmlFreeDoc(doc);
        }
    }
    if (b.len > API_NOTICE_MAX_OUT) {
        tc_buf_free(&b);
        return tc_err_set(e, TCE_NOTICE_TOO_LARGE, API_NOTICE_MAX_OUT / 1024);
    }
    *out = tc_buf_steal(&b, NULL);
    return 0;
}
