#!/usr/bin/env python3
"""Edits of catalogue entries (after convert.py; idempotent): one status per
code, no English word in a Chinese text a student can reach."""
import re, sys, os
ROOT = sys.argv[1] if len(sys.argv) > 1 else '.'
P = os.path.join(ROOT, 'src/base/tc_errcat.h')
s = open(P, encoding='utf-8').read()
def entry(name, status=None, code=None, zh=None):
    global s
    m = re.search(r'#define %s \\\n    (\d+), "([^"]*)", \\\n    ("(?:[^"\\]|\\.)*"), \\\n' % name, s)
    if not m:
        print('edits: no entry', name); return
    st = str(status) if status else m.group(1); cd = code or m.group(2); z = '"%s"' % zh if zh else m.group(3)
    s = s[:m.start()] + '#define %s \\\n    %s, "%s", \\\n    %s, \\\n' % (name, st, cd, z) + s[m.end():]
def by_text(zh_now, **kw):
    for m in re.finditer(r'#define (TCE_\w+) \\\n    \d+, "[^"]*", \\\n    "%s"' % re.escape(zh_now), s):
        entry(m.group(1), **kw); return
    if not any(v and ('"%s"' % v) in s for v in kw.values() if isinstance(v, str)):
        print('edits: no entry with', zh_now)
_ = by_text('订单属于其他商户号', status=400)                 # pay.bad_callback: 400 as its siblings
_ = by_text('沙箱中此订单已关闭', status=502)                 # pay.provider: the provider refused, 502 as the others
_ = by_text('沙箱中没有此订单的付款，或退款超过付款', status=502)
_ = by_text('--geom 格式：LX,LY,RX,RY,CX,CY[,FLX,FLY,FRX,FRY]', status=422)  # photo.bad_geometry: 422 as the others
_ = by_text('请选择照片规格', code='spec.unknown')            # a settings field naming no spec (400), not a missing resource (404)
_ = by_text('没有名为 %s 的照片规格：请选择内置规格或平台添加的自定义规格', code='spec.unknown')
_ = by_text('微信内支付需要 openid', zh='微信内支付需要先完成微信授权')
_ = by_text('支付方式或 openid 无效', zh='支付方式或微信授权信息无效')
_ = by_text('openid 与微信授权的不一致', zh='支付用的微信身份与授权时的不一致，请回到支付页面重试')
_ = by_text('微信授权的应答中没有有效的 openid（HTTP %ld）', zh='微信授权的应答中没有有效的用户标识（HTTP %ld）')
_ = by_text('微信授权的校验参数不匹配（state），请回到支付页面重试', zh='微信授权的校验参数不匹配，请回到支付页面重试')
open(P, 'w', encoding='utf-8').write(s)
