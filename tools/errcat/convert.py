#!/usr/bin/env python3
"""Move every literal tc_err_set(e, STATUS, "code", "zh", "en", ...) in src/ into
one catalogue, src/base/tc_errcat.h, as  #define TCE_X STATUS, "code", "zh", "en"
and rewrite the site to tc_err_set(e, TCE_X, ...).  Idempotent: sites already
using TCE_ are left; existing catalogue entries are kept and reused."""
import os, re, sys, collections

ROOT = sys.argv[1] if len(sys.argv) > 1 else '.'
CAT = os.path.join(ROOT, 'src/base/tc_errcat.h')

def scan_string(s, i):
    # s[i] == '"'; return index after closing quote
    j = i + 1
    while s[j] != '"':
        j += 2 if s[j] == '\\' else 1
    return j + 1

def split_args(s, start):
    """s[start] is just after '('. Return (list of (a,b) spans, index of ')')."""
    depth = 0; i = start; args = []; a = start
    while True:
        c = s[i]
        if c == '"' or c == "'":
            if c == '"':
                i = scan_string(s, i); continue
            j = i + 1
            while s[j] != "'":
                j += 2 if s[j] == '\\' else 1
            i = j + 1; continue
        if s.startswith('/*', i):
            i = s.index('*/', i) + 2; continue
        if s.startswith('//', i):
            i = s.index('\n', i); continue
        if c in '([{': depth += 1
        elif c in ')]}':
            if depth == 0:
                args.append((a, i)); return args, i
            depth -= 1
        elif c == ',' and depth == 0:
            args.append((a, i)); a = i + 1
        i += 1

LIT = re.compile(r'\s*("(?:[^"\\]|\\.)*"\s*)+$', re.S)
def literal(txt):
    """A sequence of adjacent string literals -> its value (escapes kept), or None."""
    t = txt.strip()
    if not t.startswith('"') or not LIT.match(t):
        return None
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', t)
    return ''.join(parts)

def load_catalogue():
    cat = collections.OrderedDict()  # name -> (status, code, zh, en)
    if not os.path.exists(CAT):
        return cat
    txt = open(CAT, encoding='utf-8').read()
    for m in re.finditer(r'#define (TCE_\w+)\s+((?:\\\n|[^\n])*)', txt):
        body = m.group(2).replace('\\\n', ' ')
        mm = re.match(r'\s*(\d+),\s*("(?:[^"\\]|\\.)*"),\s*((?:"(?:[^"\\]|\\.)*"\s*)+),\s*((?:"(?:[^"\\]|\\.)*"\s*)+)$', body.strip())
        if not mm:
            sys.exit('cannot read catalogue line: ' + m.group(1))
        cat[m.group(1)] = (int(mm.group(1)), literal(mm.group(2)), literal(mm.group(3)), literal(mm.group(4)))
    return cat

def name_for(code, entry, cat, byval):
    if entry in byval:
        return byval[entry]
    base = 'TCE_' + re.sub(r'[^A-Za-z0-9]', '_', code).upper()
    n = base; k = 2
    while n in cat:
        n = '%s_%d' % (base, k); k += 1
    cat[n] = entry; byval[entry] = n
    return n

def prepass(p, s):
    """store's two wrappers with literal texts become plain tc_err_set calls."""
    out = []; pos = 0
    for m in re.finditer(r'\b(refuse|store_not_found)\(', s):
        if m.start() < pos or s[m.start()-1] in ' *' and s[:m.start()].rstrip().endswith(('int', 'static int')):
            continue
        args, close = split_args(s, m.end())
        lits = [literal(s[a:b]) for a, b in args]
        if m.group(1) == 'refuse' and len(args) == 5 and None not in lits[2:] and \
                s[args[1][0]:args[1][1]].strip().isdigit() and not any('%' in x for x in lits[3:]):
            rep = 'tc_err_set(' + s[m.end():close] + ')'
        elif m.group(1) == 'store_not_found' and len(args) == 4 and None not in lits[1:]:
            rep = 'tc_err_set(%s, 404, "%s", "%s不存在", "%s not found")' % (
                s[args[0][0]:args[0][1]].strip(), lits[3], lits[1], lits[2])
        else:
            continue
        out.append(s[pos:m.start()]); out.append(rep); pos = close + 1
    out.append(s[pos:])
    return ''.join(out)

def tidy(s):
    """Join 'TCE_X,' with its arguments on the next line when they fit in 110 columns."""
    lines = s.split('\n'); out = []; i = 0
    while i < len(lines):
        l = lines[i]
        if re.search(r'\bTCE_\w+,$', l) and i + 1 < len(lines):
            j = l + ' ' + lines[i + 1].strip()
            if len(j) <= 110:
                out.append(j); i += 2; continue
        out.append(l); i += 1
    return '\n'.join(out)

def main():
    cat = load_catalogue()
    # a site's original (status, code, zh, en) -> entry name, so that an entry
    # edited in the catalogue (wording, status) still takes the sites it came from
    import json
    ORIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'orig.json')
    orig = {k: tuple(v) for k, v in json.load(open(ORIG)).items()} if os.path.exists(ORIG) else {}
    byval = {v: k for k, v in cat.items()}
    for k, v in orig.items():
        if k in cat:
            byval[v] = k
    skipped = []; changed = 0
    for dp, dn, fn in os.walk(os.path.join(ROOT, 'src')):
        for f in sorted(fn):
            if not f.endswith(('.c', '.h')) or f == 'tc_errcat.h':
                continue
            p = os.path.join(dp, f)
            s = open(p, encoding='utf-8').read()
            s0 = s
            if '/store/' in p:
                s = prepass(p, s)
            out = []; pos = 0; n_site = 0
            for m in re.finditer(r'\b(tc_err_set|respond_error3|refuse_busy|pending)\(', s):
                if m.start() < pos:
                    continue
                # skip the prototype / definition in tc_base
                args, close = split_args(s, m.end())
                if len(args) >= 2 and 'int ' in s[args[1][0]:args[1][1]]:
                    continue
                if len(args) < 5:
                    if not (len(args) >= 2 and s[args[1][0]:args[1][1]].strip().startswith('TCE_')):
                        if 'tc_base' not in p:
                            skipped.append('%s:%d' % (p, s.count('\n', 0, m.start()) + 1))
                    continue
                st = s[args[1][0]:args[1][1]].strip()
                code = literal(s[args[2][0]:args[2][1]])
                zh = literal(s[args[3][0]:args[3][1]])
                en = literal(s[args[4][0]:args[4][1]])
                if not st.isdigit() or code is None or zh is None or en is None:
                    if 'tc_base' not in p and not st.startswith('TCE_'):
                        skipped.append('%s:%d' % (p, s.count('\n', 0, m.start()) + 1))
                    continue
                name = name_for(code, (int(st), code, zh, en), cat, byval)
                a1 = args[1][0]
                # keep one space after the comma as written
                lead = re.match(r'\s*', s[a1:]).group(0)
                out.append(s[pos:a1]); out.append(lead + name)
                pos = args[4][1]; n_site += 1
            out.append(s[pos:])
            s = tidy(''.join(out))
            if s != s0:
                open(p, 'w', encoding='utf-8').write(s)
                changed += n_site
    # entries no site names any more (a branch removed or reworded it) go
    used = set()
    for dp, dn, fn in os.walk(os.path.join(ROOT, 'src')):
        for f in fn:
            if f.endswith(('.c', '.h')) and f != 'tc_errcat.h':
                used |= set(re.findall(r'\bTCE_\w+', open(os.path.join(dp, f), encoding='utf-8').read()))
    for k in [k for k in cat if k not in used]:
        print('dropped (unused):', k); del cat[k]
    write_catalogue(cat)
    for k, v in cat.items():
        orig.setdefault(k, v)
    json.dump(orig, open(ORIG, 'w'), ensure_ascii=False, indent=0)
    print('rewrote %d sites; catalogue %d entries, %d codes' %
          (changed, len(cat), len({v[1] for v in cat.values()})))
    for sk in skipped:
        print('left (not literal):', sk)

def cstr(v):
    return '"%s"' % v

def write_catalogue(cat):
    groups = collections.OrderedDict()
    for name, v in sorted(cat.items(), key=lambda kv: (kv[1][1].split('.')[0], kv[1][1], kv[0])):
        groups.setdefault(v[1].split('.')[0], []).append((name, v))
    L = []
    L.append('/*')
    L.append(' * tc_errcat — the catalogue of every error a tucai function can report:')
    L.append(' * stable code, HTTP status, and the message in Chinese and English that a')
    L.append(' * student or staff member reads.  One line per message; a code may have')
    L.append(' * several messages (TCE_X, TCE_X_2 ...) when the same reason is worded for')
    L.append(' * different inputs.  A site writes  return tc_err_set(e, TCE_X, args...);')
    L.append(' * the macro expands to  status, code, zh, en  so the compiler still checks')
    L.append(' * the printf arguments against both texts.')
    L.append(' *')
    L.append(' * tests/unit/test_errcat.c checks the catalogue: every code has one status,')
    L.append(' * Chinese text with no English word in it, English text, and is used;')
    L.append(' * no tc_err_set in src/ writes its text inline.')
    L.append(' */')
    L.append('#ifndef TC_ERRCAT_H')
    L.append('#define TC_ERRCAT_H')
    L.append('')
    for g, rows in groups.items():
        L.append('/* ---- %s %s */' % (g, '-' * max(3, 70 - len(g))))
        for name, (st, code, zh, en) in rows:
            L.append('#define %s \\' % name)
            L.append('    %d, %s, \\' % (st, cstr(code)))
            L.append('    %s, \\' % cstr(zh))
            L.append('    %s' % cstr(en))
        L.append('')
    L.append('/* Every entry, for tests/unit/test_errcat.c:')
    L.append(' * X(name) is expanded once per entry. */')
    L.append('#define TC_ERRCAT_EACH(X) \\')
    names = [n for g in groups.values() for n, _ in g]
    for i, n in enumerate(names):
        L.append('    X(%s)%s' % (n, ' \\' if i < len(names) - 1 else ''))
    L.append('')
    L.append('#endif')
    open(CAT, 'w', encoding='utf-8').write('\n'.join(L) + '\n')

def drop_unused_helpers(root):
    """store's wrappers, once no call is left: their definitions and declaration go."""
    sd = os.path.join(root, 'src/store')
    texts = {f: open(os.path.join(sd, f), encoding='utf-8').read() for f in os.listdir(sd) if f.endswith(('.c', '.h'))}
    for f, s in texts.items():
        if f.endswith('.c') and not re.search(r'\brefuse\(e', s):
            s2 = re.sub(r'\nstatic int refuse\(tc_err \*e, int status[^)]*\)\n\{\n[^}]*\}\n', '\n', s)
            if s2 != s:
                texts[f] = s2; open(os.path.join(sd, f), 'w', encoding='utf-8').write(s2)
    if not any(re.search(r'\bstore_not_found\(e', s) for s in texts.values()):
        for f, s in texts.items():
            s2 = re.sub(r'\nint store_not_found\(tc_err \*e,[^)]*\)\n\{\n(?:.*\n)*?\}\n', '\n', s)
            s2 = re.sub(r'\n(?:/\*[^\n]*\*/\n)?int store_not_found\([^)]*\);\n', '', s2)
            if s2 != s:
                open(os.path.join(sd, f), 'w', encoding='utf-8').write(s2)

main()
drop_unused_helpers(ROOT)
_b = os.path.join(ROOT, 'src/base/tc_base.h'); _t = open(_b, encoding='utf-8').read()
if 'tc_errcat.h' not in _t:
    _t = _t.replace('#include <stdint.h>\n', '#include <stdint.h>\n\n#include "tc_errcat.h" /* every error code with its status and texts */\n', 1)
    open(_b, 'w', encoding='utf-8').write(_t)
