#!/usr/bin/env python3
"""Site edits before convert.py, on the tree with literal error texts.  Each
is a pattern; a pattern that no longer matches is reported, not forced."""
import re, sys, os
ROOT = sys.argv[1] if len(sys.argv) > 1 else '.'
def edit(rel, pat, rep, count=0, flags=re.S):
    p = os.path.join(ROOT, rel); s = open(p, encoding='utf-8').read()
    s2, n = re.subn(pat, rep, s, count=count, flags=flags)
    if n == 0:
        print('fixup: no match in %s for %s' % (rel, pat[:60])); return
    open(p, 'w', encoding='utf-8').write(s2)
# the refusals name their code literally, so their texts go to the catalogue
edit('src/journey/tc_journey.c',
     r'(if \(!strcmp\(code, ("journey\.\w+")\)\)\s*\n\s*return tc_err_set\(e, \d+, )code,',
     lambda m: m.group(1) + m.group(2) + ',')
# the body limit is said with its size, through a tc_err like every other text
edit('src/http/tc_http.c',
     r'pending\(c, 413, "http\.body_too_large", NULL, NULL\);\n(\s*)c->pending_zh = tc_pool_printf\(&c->pool, "请求内容过大（最多 %zu 字节）", c->max_body\);\n\s*c->pending_en = tc_pool_printf\(&c->pool, "Request body too large \(at most %zu bytes\)", c->max_body\);\n',
     lambda m: ('tc_err be;\n%(i)stc_err_set(&be, 413, "http.body_too_large", "请求内容过大（最多 %%zu 字节）",\n'
                '%(i)s           "Request body too large (at most %%zu bytes)", c->max_body);\n'
                '%(i)spending(c, be.status, tc_pool_strdup(&c->pool, be.code), tc_pool_strdup(&c->pool, be.zh),\n'
                '%(i)s        tc_pool_strdup(&c->pool, be.en));\n') % {'i': m.group(1)})
# a reprint for someone else's record: the photo is not found, as elsewhere
edit('src/api/tc_api_money.c', r'404, "reprint\.no_photo", "没有这张照片", "No such photo"',
     '404, "photo.not_found", "照片不存在", "photo not found"')
# a settings field naming no spec is spec.unknown (400); spec.not_found stays the 404 of a missing resource
for rel in ('src/api/tc_api_school.c', 'src/api/tc_api_core.c', 'src/api/tc_api.c', 'src/api/tc_api_journey.c'):
    if not os.path.exists(os.path.join(ROOT, rel)):
        continue
    p = os.path.join(ROOT, rel); s = open(p, encoding='utf-8').read()
    s2 = s.replace('!strcmp(e.code, "spec.not_found") ? 0 : -1', '!strcmp(e.code, "spec.unknown") ? 0 : -1')
    s2 = s2.replace('(fe says why, spec.not_found)', '(fe says why, spec.unknown)')
    s2 = s2.replace('/* and a spec the photo workers cannot make (spec.not_found) */', '/* and a spec the photo workers cannot make (spec.unknown) */')
    if s2 != s:
        open(p, 'w', encoding='utf-8').write(s2)
