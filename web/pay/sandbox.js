// The sandbox provider's pay page (/pay/sandbox/:out_trade_no).  A demo: the
// Pay button asks our own server to mark the order paid through the signed
// sandbox callback path; no money moves anywhere.
import { api } from '/common/api.js';

const $ = (id) => document.getElementById(id);
const no = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const RETURN_URL = '/#/paid';

const STATES = {
  created: '待支付 / to pay', paid: '已支付 / paid', closed: '已关闭 / closed',
  refunding: '退款中 / refunding', refunded: '已退款 / refunded',
};

function showError(err) {
  const e = (err && err.error) || {};
  const el = $('error');
  el.textContent = [e.zh, e.en].filter(Boolean).join(' / ') || '出错了 / Something went wrong';
  el.hidden = false;
}

function fen(n) {
  return (Number(n) / 100).toFixed(2);
}

async function load() {
  if (!/^[A-Za-z0-9_*|-]{6,32}$/.test(no)) {
    showError({ error: { zh: '订单号无效', en: 'Invalid order number' } });
    return;
  }
  try {
    const { data } = await api.get('/api/v1/pay/sandbox/' + encodeURIComponent(no));
    const o = (data && data.order) || data || {};
    $('desc').textContent = o.description || '';
    $('amount').textContent = fen(o.amount_fen || o.amount || 0);
    $('no').textContent = o.out_trade_no || no;
    $('state').textContent = STATES[o.state] || o.state || '—';
    $('pay').disabled = o.state !== 'created';
    if (o.state === 'paid') $('pay').textContent = '已支付 / Paid';
  } catch (err) {
    showError(err);
  } finally {
    $('card').removeAttribute('aria-busy');
  }
}

$('pay').addEventListener('click', async () => {
  $('pay').disabled = true;
  $('error').hidden = true;
  try {
    const { data } = await api.post('/api/v1/pay/sandbox/' + encodeURIComponent(no) + '/pay');
    // only our own pages: never follow an absolute URL from an answer
    const next = data && typeof data.return_url === 'string' && data.return_url.startsWith('/') &&
      !data.return_url.startsWith('//') ? data.return_url : RETURN_URL;
    location.assign(next);
  } catch (err) {
    showError(err);
    $('pay').disabled = false;
  }
});

$('cancel').addEventListener('click', () => {
  location.assign('/#/');
});

load();
