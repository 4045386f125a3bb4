// Automatic deadline reminders (issue 19 item 4): per batch, remind_days
// (a batch setting) and 1 day before the close, to the students who signed
// in and have not finished, in the message centre and by the channels they
// chose, each once — across rounds and restarts.  The server's reminder
// clock is moved with --test-clock-offset-s (read through tc_api_clock only);
// rounds run every second (--remind-interval-s 1).  Also: the console's
// manual reminder stays; the daily limit of outside messages per student
// and channel (--student-messages-per-day) holds while the message centre
// still gets everything; the closing time and the school's contact reach
// the student's journey.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, enrolStudent, fileForm, fakeId } from './lib.mjs';
import { standin } from '../pay/standin.mjs';

const DAY = 86400;
let smtp, srv, admin, mailctl, batch, a, d, ends, dataDir;

const args = (offset) => ['--remind-interval-s', '1', '--test-clock-offset-s', String(offset), '--student-messages-per-day', '3',
  '--sms-webhook-url', `http://127.0.0.1:${smtp.info.ctl_port}/webhook`];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const poll = async (what, fn, ms = 20000) => {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for ' + what);
    await sleep(200);
  }
};

// A restart on the same data, with the reminders' clock moved.
async function restart(offset) {
  await srv.stop({ keep: true });
  srv = await startServer({ dataDir, extraArgs: args(offset) });
  for (const c of [admin, a, d]) c.base = srv.url;
}

const reminders = async (c) => (await c.get('/api/v1/me/messages')).data.messages.filter((m) => m.kind === 'reminder');
const sms = async (phone) => (await mailctl('/webhooks')).map((w) => JSON.parse(w.body)).filter((b) => b.channel === 'sms' && b.recipient === phone);

before(async () => {
  smtp = await standin('tests/notify/smtp-standin.mjs');
  mailctl = (p) => fetch(`http://127.0.0.1:${smtp.info.ctl_port}${p}`).then((r) => r.json());
  srv = await startServer({ extraArgs: args(0) });
  dataDir = srv.dataDir;
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '提醒测试学院' } });
  assert.equal(r.status, 201, r.text);
  const school = r.data.school;
  r = await admin.req('PUT', `/api/v1/schools/${school.id}/contact`, { json: { phone: '0531-8888 0000', wechat: 'remind_office', hours: '周一至周五 9:00–17:00' } });
  assert.equal(r.status, 200, r.text);
  ends = Math.floor(Date.now() / 1000) + 5 * DAY;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '2027届毕业生', ends_at: ends, settings: { remind_days: 3 } } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  if (batch.ends_at !== ends) {
    r = await admin.req('PUT', `/api/v1/batches/${batch.id}`, { json: { ends_at: ends } });
    assert.equal(r.status, 200, r.text);
  }
  // a: chose status notices by SMS; d: chose nothing outside the app; the
  // third row never signs in
  a = await enrolStudent(srv.url, admin, batch.id, 501, { tag: 'REM', name: '提醒甲', no: 'R', phone: '13811110001' });
  d = await enrolStudent(srv.url, admin, batch.id, 502, { tag: 'REM', name: '提醒乙', no: 'R', phone: '13811110002' });
  const csv = `姓名,学号,身份证号,层次,专业,班级,采集码\n提醒丙,R503,${fakeId(503)},本科,会计,1班,CHSI-REM-503\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  assert.equal((await a.post('/api/v1/me/notify', { json: { status: true, payment: false, sms: true } })).status, 200);
  assert.equal((await d.post('/api/v1/me/notify', { json: { status: false, payment: false } })).status, 200);
});

after(async () => {
  if (srv) { const r = await srv.stop(); if (process.env.TC_DEBUG_LOG) console.log(r.log.slice(-4000)); }
  if (smtp) smtp.stop();
});

test('the journey shows the closing time and the school contact', async () => {
  const j = (await a.get('/api/v1/me/journey')).data;
  assert.equal(j.settings.ends_at, ends);
  assert.equal(j.settings.remind_days, 3);
  assert.deepEqual(j.school.contact, { phone: '0531-8888 0000', wechat: 'remind_office', hours: '周一至周五 9:00–17:00' });
});

test('reminders go N days and 1 day before the close, each once, through the chosen channels', { timeout: 180000 }, async () => {
  // five days before the close: nothing yet
  await sleep(2500);
  assert.deepEqual(await reminders(a), []);

  // three days (less an hour) before: the N-day reminder
  await restart(2 * DAY + 3600);
  const [r3] = await poll('the 3-day reminder', async () => { const m = await reminders(a); return m.length && m; });
  assert.equal(r3.title_zh, '采集截止提醒');
  assert.match(r3.body_zh, /^提醒测试学院提醒您：「2027届毕业生」的照片采集将于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间）截止，还剩 3 天/);
  const s3 = await poll('its SMS', async () => { const s = await sms('13811110001'); return s.length && s; });
  assert.equal(s3.length, 1);
  assert.match(s3[0].body, /^【提醒测试学院】采集截止提醒：.*还剩 3 天/);
  assert.doesNotMatch(s3[0].body, /提醒乙|提醒丙/);
  assert.equal((await reminders(d)).length, 1, 'the student who chose nothing still has it in the message centre');
  assert.deepEqual(await sms('13811110002'), [], '... and no SMS');
  // more rounds: still once
  await sleep(3000);
  assert.equal((await reminders(a)).length, 1);
  assert.equal((await sms('13811110001')).length, 1);

  // the console's manual reminder stays (and is an SMS too)
  let r = await admin.post(`/api/v1/batches/${batch.id}/remind`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.sent, 2);
  assert.equal(r.data.skipped_unverified, 1);
  assert.equal(r.data.outbox, 1);
  await poll('the manual SMS', async () => (await sms('13811110001')).length === 2);

  // a day (less an hour) before: the 1-day reminder, once, surviving a restart
  await restart(4 * DAY + 3600);
  await poll('the 1-day reminder', async () => (await reminders(a)).length === 3);
  const last = (await reminders(a)).find((m) => /不足一天/.test(m.body_zh));
  assert.ok(last, JSON.stringify(await reminders(a)));
  await poll('its SMS', async () => (await sms('13811110001')).length === 3);
  await restart(4 * DAY + 7200);
  await sleep(3000);
  assert.equal((await reminders(a)).length, 3, 'once each, across restarts');
  assert.equal((await reminders(d)).length, 3);

  // the daily limit: a fourth SMS today is not sent; the message centre has it
  assert.equal((await admin.post(`/api/v1/students/${a.studentId}/unlock`)).status, 200);
  await poll('the unlock message', async () => (await a.get('/api/v1/me/messages')).data.messages.some((m) => m.kind === 'unlocked'));
  await sleep(2500);
  assert.equal((await sms('13811110001')).length, 3, 'at most --student-messages-per-day SMS a day');
  assert.match(srv.log(), /daily message limit \(3\) reached, unlocked sms not sent/);
});
