// Money in the console (issue 8), platform staff: the print queue of paid
// reprints (加洗) — the print-ready PDF, shipped with carrier and tracking
// number, done — and the daily reconciliation reports.
import { t, addMessages } from '/common/i18n.js';
import { api, qs } from '/common/api.js';
import { h, mount, errorRegion, showError, fmtTime } from '/common/dom.js';
import { isPlatform, route, input, button, table, notice, panel, navItem } from './core.js';

addMessages({
  'nav.print': '加洗发货', 'nav.recon': '对账',
  'print.title': '加洗订单 · 打印与发货', 'print.tab.to_ship': '待发货', 'print.tab.shipped': '已发货', 'print.tab.done': '已完成',
  'print.no': '订单号', 'print.paid_at': '支付时间', 'print.student': '学生', 'print.layout': '版式', 'print.qty': '套数',
  'print.address': '收货地址', 'print.pdf': '打印文件', 'print.download': '下载 PDF', 'print.ship': '发货', 'print.carrier': '快递公司',
  'print.tracking': '快递单号', 'print.ship_submit': '标记已发货', 'print.done': '标记已签收', 'print.shipped': '{no} 已发货',
  'print.marked_done': '{no} 已完成', 'print.empty': '没有订单',
  'recon.title': '每日对账', 'recon.day': '日期', 'recon.provider': '支付渠道', 'recon.checked': '核对订单', 'recon.paid': '支付笔数',
  'recon.refunded': '退款笔数', 'recon.mismatches': '差异', 'recon.none': '无差异', 'recon.run': '立即对账', 'recon.made': '{day} 对账完成',
  'recon.empty': '还没有对账报告', 'recon.at': '生成时间',
}, {
  'nav.print': 'Reprints', 'nav.recon': 'Reconciliation',
  'print.title': 'Reprint orders · print and ship', 'print.tab.to_ship': 'To ship', 'print.tab.shipped': 'Shipped', 'print.tab.done': 'Done',
  'print.no': 'Order', 'print.paid_at': 'Paid', 'print.student': 'Student', 'print.layout': 'Layout', 'print.qty': 'Sets',
  'print.address': 'Ship to', 'print.pdf': 'Print file', 'print.download': 'Download PDF', 'print.ship': 'Ship', 'print.carrier': 'Carrier',
  'print.tracking': 'Tracking number', 'print.ship_submit': 'Mark shipped', 'print.done': 'Mark received', 'print.shipped': '{no} shipped',
  'print.marked_done': '{no} completed', 'print.empty': 'No orders',
  'recon.title': 'Daily reconciliation', 'recon.day': 'Day', 'recon.provider': 'Provider', 'recon.checked': 'Orders checked', 'recon.paid': 'Payments',
  'recon.refunded': 'Refunds', 'recon.mismatches': 'Mismatches', 'recon.none': 'None', 'recon.run': 'Reconcile now', 'recon.made': '{day} reconciled',
  'recon.empty': 'No reports yet', 'recon.at': 'Made',
});

const SHIP = ['to_ship', 'shipped', 'done'];
const lang = () => (document.documentElement.lang || 'zh').startsWith('en') ? 'en' : 'zh';

route('print', {
  title: 'print.title', need: 'platform',
  async render(tab = 'to_ship') {
    if (!SHIP.includes(tab)) tab = 'to_ship';
    const err = errorRegion();
    const msg = h('div');
    const box = h('div');
    const load = async () => {
      const r = await api.get('/api/v1/print/orders' + qs({ ship_state: tab }));
      mount(box, table([
        { key: 'print.no', id: 'no', value: (o) => o.out_trade_no },
        { key: 'print.paid_at', id: 'paid', value: (o) => fmtTime(o.paid_at) },
        { key: 'print.student', id: 'student', value: (o) => `${o.detail.student_name || ''} · ${o.detail.school || ''}` },
        { key: 'print.layout', id: 'layout', value: (o) => (lang() === 'en' ? o.detail.layout_en : o.detail.layout_zh) || o.detail.layout },
        { key: 'print.qty', id: 'qty', value: (o) => String(o.detail.quantity || 1) },
        { key: 'print.address', id: 'address', value: (o) => { const a = o.detail.address || {}; return `${a.name} ${a.phone} ${a.region} ${a.detail}`; } },
        { key: 'print.pdf', id: 'pdf', value: (o) => h('a', { class: 'c-link', href: `/api/v1/print/orders/${o.out_trade_no}/sheet.pdf`, download: '', i18n: 'print.download' }) },
        { key: 'print.ship', id: 'ship', value: (o) => shipCell(o) },
      ], r.data.orders, { cls: 'c-print', empty: 'print.empty' }));
    };
    const shipCell = (o) => {
      if (o.ship_state === 'shipped') {
        const done = button('print.done', { class: 'c-btn c-print-done' });
        done.addEventListener('click', async () => {
          showError(err, null);
          try { await api.post(`/api/v1/print/orders/${o.out_trade_no}/done`); mount(msg, notice('print.marked_done', { no: o.out_trade_no })); await load(); } catch (e) { showError(err, e); }
        });
        return h('span', {}, h('span', { text: `${o.carrier} ${o.tracking} ` }), done);
      }
      if (o.ship_state !== 'to_ship') return `${o.carrier} ${o.tracking}`;
      const carrier = input({ name: 'carrier', maxlength: '20', placeholder: t('print.carrier'), 'aria-label': t('print.carrier') });
      const tracking = input({ name: 'tracking', maxlength: '40', placeholder: t('print.tracking'), 'aria-label': t('print.tracking') });
      const form = h('form', { class: 'c-inline-form c-ship-form', novalidate: true }, carrier, tracking, button('print.ship_submit', { type: 'submit' }));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        showError(err, null);
        try {
          await api.post(`/api/v1/print/orders/${o.out_trade_no}/ship`, { carrier: carrier.value.trim(), tracking: tracking.value.trim() });
          mount(msg, notice('print.shipped', { no: o.out_trade_no }));
          await load();
        } catch (e) { showError(err, e); }
      });
      return form;
    };
    await load();
    const tabs = h('nav', { class: 'c-tabs' }, SHIP.map((k) => h('a', { href: '#/print/' + k, class: 'c-tab' + (k === tab ? ' c-tab_on' : ''), 'aria-current': k === tab ? 'page' : null, i18n: 'print.tab.' + k })));
    return h('div', { class: 'c-page' }, h('h1', { i18n: 'print.title' }), tabs, err, msg, h('section', { class: 'c-panel' }, box));
  },
});

route('recon', {
  title: 'recon.title', need: 'platform',
  async render() {
    const err = errorRegion();
    const msg = h('div');
    const box = h('div');
    const load = async () => {
      const r = await api.get('/api/v1/recon/reports');
      mount(box, table([
        { key: 'recon.day', id: 'day', value: (x) => x.day },
        { key: 'recon.provider', id: 'provider', value: (x) => x.provider },
        { key: 'recon.checked', id: 'checked', value: (x) => String(x.report.checked ?? '') },
        { key: 'recon.paid', id: 'paid', value: (x) => `${x.report.paid ?? 0} · ¥${((x.report.paid_fen || 0) / 100).toFixed(2)}` },
        { key: 'recon.refunded', id: 'refunded', value: (x) => `${x.report.refunded ?? 0} · ¥${((x.report.refunded_fen || 0) / 100).toFixed(2)}` },
        { key: 'recon.mismatches', id: 'mismatches', value: (x) => ((x.report.mismatches || []).length
          ? h('ul', { class: 'c-recon-list' }, x.report.mismatches.map((m) => h('li', { text: `${m.out_trade_no}: ${m.problem} (${m.ours} / ${m.theirs})` })))
          : h('span', { i18n: 'recon.none' })) },
        { key: 'recon.at', id: 'at', value: (x) => fmtTime(x.created_at) },
      ], r.data.reports, { cls: 'c-recon', empty: 'recon.empty' }));
    };
    await load();
    const day = input({ name: 'day', type: 'date', value: new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10), 'aria-label': t('recon.day') });
    const form = h('form', { class: 'c-inline-form', novalidate: true }, day, button('recon.run', { type: 'submit' }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      try { await api.post('/api/v1/recon/run', { day: day.value }); mount(msg, notice('recon.made', { day: day.value })); await load(); } catch (e) { showError(err, e); }
    });
    return h('div', { class: 'c-page' }, h('h1', { i18n: 'recon.title' }), panel('recon.run', form, err, msg), h('section', { class: 'c-panel' }, box));
  },
});

navItem('print', 'nav.print', ['print'], isPlatform, 60);
navItem('recon', 'nav.recon', ['recon'], isPlatform, 61);

