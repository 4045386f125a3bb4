// Money in the student app (issue 8, seed 004 §2.7–2.9): 我的 gets the order
// tabs, the address book and 加洗; pages for orders by state, one order
// (fee lines, the photo of a completed order, tracking), addresses and the
// reprint form.  The server decides everything; these pages only show it.
import { h, fmtTime, errorRegion, showError } from '/common/dom.js';
import { api, qs } from '/common/api.js';
import { t } from '/common/i18n.js';
import { route, go, toast, withBusy, mineSections, loadJourney } from './core.js';
import { page, btn, btnArea, cellLink, emailBox } from './ui.js';
import { sheetDrawing } from './figures.js';
import './money-text.js';

const TABS = ['all', 'to_pay', 'to_ship', 'shipped', 'done'];
const yuan = (fen) => ((fen || 0) / 100).toFixed(2);
const lang = () => (document.documentElement.lang || 'zh').startsWith('en') ? 'en' : 'zh';
const txt = (o, base) => (lang() === 'en' ? o[base + '_en'] || o.en : o[base + '_zh'] || o.zh) || '';

// ---- paying: the provider's launch, and WeChat's authorisation first ----------------------------

const inWeChat = () => /MicroMessenger/i.test(navigator.userAgent || '');
const RESUME = 'tc_wx_pay'; // sessionStorage: the payment to ask again for after WeChat's redirect
const RESUME_MS = 10 * 60 * 1000;

// Where the provider's launch sends the payer (our own sandbox page, or
// WeChat's H5 cashier); JSAPI inside WeChat goes through the bridge, which
// WeChat injects a moment after the page loads.  after: the route to show
// once WeChat says the payment went through.
export function launch(l, after = 'orders') {
  if (l && l.kind === 'jsapi' && l.params) {
    const pay = () => window.WeixinJSBridge.invoke('getBrandWCPayRequest', l.params, (res) => {
      if (res && res.err_msg === 'get_brand_wcpay_request:ok') go(after, true);
    });
    if (window.WeixinJSBridge) pay();
    else document.addEventListener('WeixinJSBridgeReady', pay, { once: true });
    return true;
  }
  if (l && l.url && (l.url.startsWith('/') || l.url.startsWith('https://'))) { location.assign(l.url); return true; }
  return false;
}

function takeResume() {
  let v = null;
  try { v = JSON.parse(sessionStorage.getItem(RESUME) || 'null'); sessionStorage.removeItem(RESUME); } catch { v = null; }
  return v;
}

// POST a pay endpoint (me/pay, me/orders/:no/pay, me/reprints).  Inside
// WeChat the server pays by JSAPI and needs the payer's openid, which only
// WeChat can tell it: when it answers wechat.openid_required, the browser goes
// through WeChat's authorisation (no question is asked: snsapi_base) and
// comes back to this page, where resumePay asks again.  A request made on the
// way back never redirects again, so a failing authorisation cannot loop.
export async function payRequest(path, body, after = 'orders', resumed = false) {
  try {
    return await api.post(path, body);
  } catch (e) {
    if (e.code !== 'wechat.openid_required' || !inWeChat() || resumed) throw e;
    const back = location.pathname + location.hash;
    const r = await api.post('/api/v1/wechat/oauth/start', { return: back });
    try {
      sessionStorage.setItem(RESUME, JSON.stringify({ path, body: body === undefined ? null : body, after, hash: location.hash, at: Date.now() }));
    } catch { /* private mode: the student presses Pay again */ }
    location.assign(r.data.url);
    return new Promise(() => {}); // the page is leaving
  }
}

// Back from WeChat's authorisation: ask for the payment that was waiting.
export async function resumePay() {
  const v = takeResume();
  if (!v || !v.path || Date.now() - v.at > RESUME_MS || v.hash !== location.hash) return;
  try {
    const r = await withBusy('pay.launching', () => payRequest(v.path, v.body === null ? undefined : v.body, v.after, true));
    launch(r.data && r.data.launch, v.after);
  } catch (e) {
    toast(e.code === 'wechat.openid_required' ? 'money.wx_retry' : 'money.pay_failed');
  }
}

// ---- 我的: the order tabs, addresses, reprints -------------------------------------------------

async function mineMoney() {
  let counts = {};
  try {
    const all = (await api.get('/api/v1/me/orders')).data.orders || [];
    for (const o of all) counts[o.tab] = (counts[o.tab] || 0) + 1;
  } catch { counts = {}; }
  const tabs = h('div', { class: 'tc-order-tabs', role: 'list' }, TABS.slice(1).map((k) => h('a', {
    class: 'tc-order-tabs__item', role: 'listitem', href: '#/orders/' + k, dataset: { tab: k } },
  h('span', { class: 'tc-order-tabs__n', text: String(counts[k] || 0) }), h('span', { i18n: 'money.tab.' + k }))));
  return [h('h2', { class: 'weui-cells__title', i18n: 'money.orders' }),
    h('div', { class: 'weui-cells tc-mine-money' }, cellLink('money.all_orders', '#/orders/all'), tabs,
      cellLink('money.addresses', '#/addresses'), cellLink('money.reprint', '#/reprint'))];
}

// ---- orders ---------------------------------------------------------------------------------

function orderCell(o) {
  const d = o.detail || {};
  const what = o.kind === 'reprint' ? `${txt(d, 'layout')} × ${d.quantity || 1}` : t('money.kind.photo');
  return h('a', { class: 'weui-cell weui-cell_access tc-order', href: '#/order/' + o.out_trade_no, dataset: { no: o.out_trade_no, tab: o.tab } },
    h('div', { class: 'weui-cell__bd' },
      h('p', { class: 'tc-order__what', text: what }),
      h('p', { class: 'tc-order__meta', text: `${o.out_trade_no} · ${fmtTime(o.created_at)}` })),
    h('div', { class: 'weui-cell__ft' },
      h('span', { class: 'tc-order__amount', text: '¥' + yuan(o.amount_fen) }), ' ',
      h('span', { class: 'tc-order__state tc-order__state_' + o.tab, i18n: 'money.tab.' + o.tab })));
}

async function ordersView(tab = 'all') {
  if (!TABS.includes(tab)) tab = 'all';
  const r = await api.get('/api/v1/me/orders' + qs({ state: tab }));
  const nav = h('div', { class: 'weui-navbar tc-navbar', role: 'tablist' }, TABS.map((k) => h('a', {
    class: 'weui-navbar__item' + (k === tab ? ' weui-bar__item_on' : ''), role: 'tab', 'aria-selected': String(k === tab),
    href: '#/orders/' + k, i18n: 'money.tab.' + k })));
  const list = r.data.orders.length ? h('div', { class: 'weui-cells tc-orders' }, r.data.orders.map(orderCell))
    : h('p', { class: 'weui-cells__tips tc-orders-empty', i18n: 'money.empty' });
  return page('tc-orders-page', nav, list);
}

function kv(key, value, vars) {
  return h('div', { class: 'weui-cell' }, h('div', { class: 'weui-cell__bd' }, h('span', { i18n: key, i18nVars: vars })),
    h('div', { class: 'weui-cell__ft', text: value }));
}

async function orderView(no) {
  const o = (await api.get('/api/v1/me/orders/' + encodeURIComponent(no))).data.order;
  const err = errorRegion();
  const d = o.detail || {};
  const head = h('div', { class: 'tc-order-head' },
    h('p', { class: 'tc-order-head__state', i18n: 'money.tab.' + o.tab }),
    h('p', { class: 'tc-order-head__amount', text: '¥' + yuan(o.amount_fen) }));
  const lines = h('div', { class: 'weui-cells tc-order-lines' }, (o.lines || []).map((l) => h('div', { class: 'weui-cell' },
    h('div', { class: 'weui-cell__bd', text: `${txt(l, 'x')} × ${l.quantity}` }), h('div', { class: 'weui-cell__ft', text: '¥' + yuan(l.amount_fen) }))),
  kv('money.total', '¥' + yuan(o.amount_fen)));
  const info = h('div', { class: 'weui-cells' }, kv('money.no', o.out_trade_no, { no: '' }), kv('money.created', fmtTime(o.created_at), { at: '' }),
    o.paid_at ? kv('money.paid_at', fmtTime(o.paid_at), { at: '' }) : null);
  const parts = [head, h('h2', { class: 'weui-cells__title', i18n: 'money.lines' }), lines, info];
  // money paid for a closed order: the server refunds it; say so
  if (o.late_paid_at) parts.splice(1, 0, h('p', { class: 'weui-cells__tips tc-order-late', i18n: 'money.late' }));
  if (o.kind === 'reprint') {
    const a = d.address || {};
    const steps = ['paid', 'shipped', 'done'];
    const at = o.ship_state === 'done' ? 2 : o.ship_state === 'shipped' ? 1 : o.state === 'paid' ? 0 : -1;
    parts.push(h('h2', { class: 'weui-cells__title', i18n: 'money.ship' }),
      h('ol', { class: 'tc-steps' }, steps.map((s, i) => h('li', { class: 'tc-steps__item' + (i <= at ? ' tc-steps__item_on' : ''), i18n: 'money.step.' + s }))),
      h('div', { class: 'weui-cells tc-ship' },
        o.tracking ? kv('money.carrier', o.carrier) : null,
        o.tracking ? h('div', { class: 'weui-cell tc-tracking' }, h('div', { class: 'weui-cell__bd', i18n: 'money.tracking' }), h('div', { class: 'weui-cell__ft tc-tracking__no', text: o.tracking })) : null,
        kv('money.ship_to', `${a.name || ''} ${a.phone || ''}`), h('div', { class: 'weui-cell' }, h('div', { class: 'weui-cell__bd tc-order__meta', text: `${a.region || ''} ${a.detail || ''}` }))));
  }
  if (o.result) {
    // only to the student's confirmed address (issue 14): the result page's box
    const j = await loadJourney().catch(() => ({}));
    parts.push(h('h2', { class: 'weui-cells__title', i18n: 'money.photo' }),
      h('div', { class: 'tc-order-photo' }, h('img', { src: o.result.standard_url, alt: t('money.photo'), class: 'tc-proof' }), h('p', { class: 'weui-cells__tips', i18n: 'money.save_tip' })),
      btnArea(h('a', { class: 'weui-btn weui-btn_primary tc-download', href: o.result.standard_url, download: 'photo.jpg', i18n: 'money.download' }),
        h('a', { class: 'weui-btn weui-btn_default', href: o.result.sheet_url, download: 'sheet.jpg', i18n: 'money.sheet' })),
      emailBox((j && j.notify) || {}));
  }
  const actions = [];
  if (o.state === 'created') {
    const pay = btn('money.pay', { primary: true, cls: 'tc-order-pay' });
    pay.addEventListener('click', async () => {
      showError(err, null);
      try { const r = await withBusy('pay.launching', () => payRequest(`/api/v1/me/orders/${o.out_trade_no}/pay`)); launch(r.data.launch); } catch (e) { showError(err, e); }
    });
    const close = btn('money.close', { cls: 'tc-order-close' });
    close.addEventListener('click', async () => {
      showError(err, null);
      try { await api.post(`/api/v1/me/orders/${o.out_trade_no}/close`); toast('money.closed'); go('order/' + o.out_trade_no, true); } catch (e) { showError(err, e); }
    });
    actions.push(pay, close);
  }
  if (o.ship_state === 'shipped') {
    const got = btn('money.received', { primary: true, cls: 'tc-order-received' });
    got.addEventListener('click', async () => {
      showError(err, null);
      try { await api.post(`/api/v1/me/orders/${o.out_trade_no}/received`); go('order/' + o.out_trade_no, true); } catch (e) { showError(err, e); }
    });
    actions.push(got);
  }
  return page('tc-order-page', ...parts, err, actions.length ? btnArea(...actions) : null);
}

// ---- addresses --------------------------------------------------------------------------------

function field(key, input) {
  return h('label', { class: 'weui-cell weui-cell_active' }, h('div', { class: 'weui-cell__hd' }, h('span', { class: 'weui-label', i18n: key })),
    h('div', { class: 'weui-cell__bd' }, input));
}

async function addressesView() {
  const list = (await api.get('/api/v1/me/addresses')).data.addresses;
  const cells = list.length ? h('div', { class: 'weui-cells tc-addresses' }, list.map((a) => h('a', {
    class: 'weui-cell weui-cell_access tc-address', href: '#/address/' + a.id, dataset: { id: String(a.id) } },
  h('div', { class: 'weui-cell__bd' },
    h('p', {}, h('span', { text: `${a.name} ${a.phone}` }), a.is_default ? h('span', { class: 'tc-badge', i18n: 'addr.is_default' }) : null),
    h('p', { class: 'tc-order__meta', text: `${a.region} ${a.detail}` })),
  h('div', { class: 'weui-cell__ft', i18n: 'addr.edit' }))))
    : h('p', { class: 'weui-cells__tips', i18n: 'addr.empty' });
  return page('tc-addresses-page', h('p', { class: 'weui-cells__tips', i18n: 'addr.tip' }), cells,
    btnArea(h('a', { class: 'weui-btn weui-btn_primary tc-address-add', href: '#/address/new', i18n: 'addr.add' })));
}

async function addressView(id = 'new') {
  const list = (await api.get('/api/v1/me/addresses')).data.addresses;
  const a = list.find((x) => String(x.id) === id) || { name: '', phone: '', region: '', detail: '', is_default: list.length === 0 };
  const inp = (name, attrs) => h('input', { class: 'weui-input', name, value: a[name] || '', ...attrs });
  const name = inp('name', { maxlength: '20', autocomplete: 'name' });
  const phone = inp('phone', { type: 'tel', inputmode: 'numeric', maxlength: '11', autocomplete: 'tel' });
  const region = inp('region', { maxlength: '40', placeholder: t('addr.region_ph') });
  const detail = inp('detail', { maxlength: '100', autocomplete: 'street-address' });
  const def = h('input', { type: 'checkbox', class: 'weui-switch', name: 'is_default', checked: !!a.is_default });
  const err = errorRegion();
  const save = btn('addr.save', { primary: true, cls: 'tc-address-save' });
  save.addEventListener('click', async () => {
    showError(err, null);
    const body = { name: name.value.trim(), phone: phone.value.trim(), region: region.value.trim(), detail: detail.value.trim(), is_default: def.checked };
    try {
      await withBusy('common.working', () => api.post('/api/v1/me/addresses' + (a.id ? '/' + a.id : ''), body));
      toast('addr.saved');
      history.back();
    } catch (e) { showError(err, e); }
  });
  const del = a.id ? btn('addr.delete', { warn: true, cls: 'tc-address-delete' }) : null;
  if (del) del.addEventListener('click', async () => {
    try { await api.del('/api/v1/me/addresses/' + a.id); toast('addr.deleted'); go('addresses', true); } catch (e) { showError(err, e); }
  });
  return page('tc-address-page', h('div', { class: 'weui-cells weui-cells_form' },
    field('addr.name', name), field('addr.phone', phone), field('addr.region', region), field('addr.detail', detail),
    h('label', { class: 'weui-cell weui-cell_switch' }, h('div', { class: 'weui-cell__bd', i18n: 'addr.default' }), h('div', { class: 'weui-cell__ft' }, def))),
  err, btnArea(save, del));
}

// ---- reprints (加洗) ------------------------------------------------------------------------------

async function reprintView() {
  const o = (await api.get('/api/v1/me/reprint')).data;
  if (!o.photos.length) return page('tc-reprint-page', h('p', { class: 'weui-cells__tips tc-reprint-none', i18n: 'rp.none' }));
  const radios = (name, items, label, checked) => h('div', { class: 'weui-cells weui-cells_radio', role: 'radiogroup' }, items.map((it, i) =>
    h('label', { class: 'weui-cell weui-cell_active weui-check__label' },
      h('div', { class: 'weui-cell__bd' }, label(it)),
      h('div', { class: 'weui-cell__ft' }, h('input', { type: 'radio', class: 'weui-check', name, value: String(it.id ?? it.student_id), checked: checked(it, i) }),
        h('span', { class: 'weui-icon-checked' })))));
  const photos = radios('photo', o.photos.map((p) => ({ ...p, id: p.student_id })), (p) => h('span', { text: `${p.name} · ${p.school} · ${p.batch}` }), (p, i) => p.current || i === 0);
  // each layout with a small drawing of its print sheet (the server's plan)
  const layouts = radios('layout', o.layouts, (l) => h('span', { class: 'tc-layout' },
    h('span', { class: 'tc-layout__fig', dataset: { layout: l.id } }, sheetDrawing(l.sheet)),
    h('span', { class: 'tc-layout__text' }, h('span', { text: txt(l, 'x') }), ' ', h('span', { class: 'tc-order__meta', i18n: 'rp.unit', i18nVars: { amount: yuan(l.unit_fen) } }))), (l, i) => i === 0);
  const qty = h('input', { class: 'weui-input', type: 'number', name: 'quantity', min: '1', max: String(o.quantity_max), value: '1', inputmode: 'numeric' });
  const addrs = o.addresses.length ? radios('address', o.addresses, (a) => h('span', {}, h('p', { text: `${a.name} ${a.phone}` }), h('p', { class: 'tc-order__meta', text: `${a.region} ${a.detail}` })), (a) => a.is_default)
    : null;
  const total = h('p', { class: 'tc-reprint-total' });
  const form = h('div');
  const val = (name) => (form.querySelector(`input[name=${name}]:checked`) || {}).value;
  const update = () => {
    const l = o.layouts.find((x) => x.id === val('layout')) || o.layouts[0];
    total.textContent = t('rp.total', { amount: yuan(l.unit_fen * Math.max(1, Number(qty.value) || 1)) });
  };
  const err = errorRegion();
  const submit = btn('rp.submit', { primary: true, cls: 'tc-reprint-submit' });
  submit.addEventListener('click', async () => {
    showError(err, null);
    try {
      const r = await withBusy('pay.launching', () => payRequest('/api/v1/me/reprints', {
        student_id: Number(val('photo')), layout: val('layout'), quantity: Number(qty.value), address_id: val('address') ? Number(val('address')) : null }));
      launch(r.data.launch);
    } catch (e) { showError(err, e); }
  });
  form.append(h('h2', { class: 'weui-cells__title', i18n: 'rp.photo' }), photos,
    h('h2', { class: 'weui-cells__title', i18n: 'rp.layout' }), layouts, h('p', { class: 'weui-cells__tips', i18n: 'rp.confirm_layout' }),
    h('div', { class: 'weui-cells weui-cells_form' }, field('rp.qty', qty)),
    h('h2', { class: 'weui-cells__title', i18n: 'rp.address' }), addrs || h('p', { class: 'weui-cells__tips', i18n: 'addr.empty' }),
    h('div', { class: 'weui-cells' }, cellLink('addr.add', '#/address/new')));
  form.addEventListener('change', update);
  qty.addEventListener('input', update);
  update();
  return page('tc-reprint-page', form, total, err, btnArea(submit));
}

export function installMoney() {
  mineSections.push(mineMoney);
  const r = (name, title, fn) => route(name, { title, need: 'student', render: fn, tab: 'mine' });
  r('orders', 'nav.orders', ordersView);
  r('order', 'nav.order', orderView);
  r('addresses', 'nav.addresses', addressesView);
  r('address', 'nav.address', addressView);
  r('reprint', 'nav.reprint', reprintView);
  // back from WeChat's authorisation (tc_api_wechat.c): the waiting payment
  if (inWeChat()) setTimeout(resumePay, 0);
}
