// Money in the student app (issue 8): the 我的 page's orders section; orders
// by state, addresses, reprints (加洗) and tracking come here.
import { h, fmtTime } from '/common/dom.js';
import { api } from '/common/api.js';
import { mineSections } from './journey.js';

async function ordersSection() {
  let orders;
  try { orders = (await api.get('/api/v1/me/orders')).data; } catch { return null; } // not offered: hidden
  if (!orders || !Array.isArray(orders.orders)) return null;
  const list = orders.orders.length
    ? h('div', { class: 'weui-cells tc-orders' }, orders.orders.map((o) => h('div', { class: 'weui-cell' },
      h('div', { class: 'weui-cell__bd' }, h('p', { text: o.out_trade_no || String(o.id || '') }), h('p', { class: 'tc-mine-record__meta', text: fmtTime(o.created_at || o.at) })),
      h('div', { class: 'weui-cell__ft' },
        h('span', { i18n: 'mine.order_amount', i18nVars: { amount: ((o.amount_fen || 0) / 100).toFixed(2) } }), ' ',
        h('span', { i18n: 'mine.order_state.' + o.state })))))
    : h('p', { class: 'weui-cells__tips', i18n: 'mine.orders_empty' });
  return [h('h2', { class: 'weui-cells__title', i18n: 'mine.orders' }), list];
}

export function installMoney() {
  mineSections.push(ordersSection);
}
