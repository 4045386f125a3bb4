// The sandbox provider's pay page: no money moves.  It shows the order
// (GET /api/v1/pay/sandbox/:no), and its button has the sandbox "take the
// money" and call back, signed, the way a real provider would
// (POST /api/v1/pay/sandbox/:no/pay); then it returns to the app (/#/paid).
// The order number comes from the path /pay/sandbox/:no, or ?no= when the
// page is opened as /sandbox.html.

import { t, addMessages, getLang, setLang, onLangChange } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, mount, errorRegion, showError, relabel } from '/common/dom.js';

addMessages({
  'sbx.title': '沙箱支付',
  'sbx.banner': '测试环境：这是内置的沙箱支付页面，不会产生真实扣款。',
  'sbx.order': '订单号',
  'sbx.desc': '商品',
  'sbx.amount': '金额',
  'sbx.state': '状态',
  'sbx.pay': '确认支付（沙箱）',
  'sbx.cancel': '取消并返回',
  'sbx.paid': '已支付',
  'sbx.created': '待支付',
  'sbx.paying': '正在支付…',
  'sbx.no_order': '缺少订单号',
}, {
  'sbx.title': 'Sandbox payment',
  'sbx.banner': 'Test environment: this is the built-in sandbox pay page. No real money moves.',
  'sbx.order': 'Order no.',
  'sbx.desc': 'Item',
  'sbx.amount': 'Amount',
  'sbx.state': 'State',
  'sbx.pay': 'Pay (sandbox)',
  'sbx.cancel': 'Cancel and go back',
  'sbx.paid': 'Paid',
  'sbx.created': 'Awaiting payment',
  'sbx.paying': 'Paying…',
  'sbx.no_order': 'No order number',
});

const app = document.getElementById('app');
const langBtn = document.getElementById('lang-switch');
function labels() {
  langBtn.textContent = t('common.lang_switch');
  langBtn.setAttribute('aria-label', t('common.lang_switch_label'));
  const title = document.getElementById('page-title');
  title.textContent = t('sbx.title');
  document.title = t('sbx.title');
}
langBtn.addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
onLangChange(() => { labels(); relabel(document.body); });

function orderNo() {
  const m = location.pathname.match(/\/pay\/sandbox\/([A-Za-z0-9_-]{1,64})$/);
  if (m) return m[1];
  return new URLSearchParams(location.search).get('no') || '';
}

async function start() {
  labels();
  const no = orderNo();
  const err = errorRegion();
  if (!no) { showError(err, { code: 'sbx.no_order', zh: '缺少订单号', en: 'No order number' }); mount(app, err); return; }
  let order = null;
  try { order = (await api.get('/api/v1/pay/sandbox/' + encodeURIComponent(no))).data; } catch (e) { showError(err, e); }
  const row = (key, value) => h('div', { class: 'weui-cell' },
    h('div', { class: 'weui-cell__hd weui-label', i18n: key }), h('div', { class: 'weui-cell__bd', text: value }));
  const pay = h('button', { type: 'button', class: 'weui-btn weui-btn_primary tc-sandbox-pay', i18n: 'sbx.pay', disabled: !order || order.state === 'paid' });
  pay.addEventListener('click', async () => {
    showError(err, null);
    pay.disabled = true;
    pay.textContent = t('sbx.paying');
    try {
      const res = await api.post('/api/v1/pay/sandbox/' + encodeURIComponent(no) + '/pay');
      location.assign((res.data && res.data.return_url) || '/#/paid');
    } catch (e) {
      pay.disabled = false;
      pay.textContent = t('sbx.pay');
      showError(err, e);
    }
  });
  mount(app,
    h('div', { class: 'tc-box tc-box_warn tc-sandbox-banner', role: 'note' },
      h('i', { class: 'weui-icon-warn', 'aria-hidden': 'true' }), h('p', { class: 'tc-box__text', i18n: 'sbx.banner' })),
    order ? h('div', { class: 'tc-amount' }, h('span', { class: 'tc-amount__label', i18n: 'sbx.amount' }),
      h('strong', { class: 'tc-amount__value', text: '¥' + ((order.amount_fen || 0) / 100).toFixed(2) })) : null,
    order ? h('div', { class: 'weui-cells' },
      row('sbx.order', order.out_trade_no),
      row('sbx.desc', order.description || ''),
      h('div', { class: 'weui-cell' }, h('div', { class: 'weui-cell__hd weui-label', i18n: 'sbx.state' }),
        h('div', { class: 'weui-cell__bd', i18n: order.state === 'paid' ? 'sbx.paid' : 'sbx.created' }))) : null,
    err,
    h('div', { class: 'weui-btn-area tc-btns' }, pay,
      h('a', { href: '/#/journey', class: 'weui-btn weui-btn_default', i18n: 'sbx.cancel' })));
  app.setAttribute('aria-busy', 'false');
}

start();
