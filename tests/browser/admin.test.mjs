// The platform admin's and the reviewer's new pages (issue 7) in a real
// browser on the real server: the reason catalogue edited on its page, then
// a reviewer rejects with the edited reason (the student sees its wording),
// bulk-approves the rest and makes them final by batch on the production
// page; the start page's numbers; an account disabled (its sign-in fails);
// a custom spec added, edited in its dialog, refused deletion while a batch
// chooses it, then deleted; the audit log searched.  A screenshot of each
// page at 1440x900.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, acceptConsent } from '../http/lib.mjs';
import { launch, newPage, shot, DESKTOP } from './helpers.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits (TC_TESTDATA) and the models';
// the automatic checks are off for this batch: the test is about people's decisions
const ALL_CHECKS = ['face_count', 'face_inside', 'geometry', 'pose_yaw', 'pose_pitch', 'pose_roll', 'eyes_open', 'gaze',
  'mouth_closed', 'expression', 'light_dark', 'light_bright', 'light_uneven', 'light_hotspot', 'red_eye', 'blur', 'resolution',
  'glasses', 'glasses_tinted', 'glasses_glare', 'hair_brows', 'ears_visible', 'headwear', 'jewelry', 'clothing_colour',
  'recapture', 'retouch', 'duplicate'];

let srv, admin, browser, school, batch;
const open = [];
const ADMIN = 'web-platform';
const REVIEWER = 'web-rev2';
const pw = (u) => 'N3w-password-' + u;
const studs = [];

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  for (const [username, role] of [[ADMIN, 'platform_admin'], [REVIEWER, 'reviewer'], ['web-victim', 'reviewer']]) {
    const r = await admin.post('/api/v1/staff/accounts', { json: { username, role, password: 'Init-pass-' + username } });
    assert.equal(r.status, 201, r.text);
    await new Client(srv.url).staffLogin(username, 'Init-pass-' + username);
  }
  let r = await admin.post('/api/v1/schools', { json: { name: '后台测试大学' } });
  school = r.data.school;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '后台测试批次', settings: { checks: { disabled: ALL_CHECKS } } } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  const rows = [0, 1, 2].map((i) => ({ n: 600 + i, name: `后台${i + 1}`, no: `W${600 + i}`, chsi: `CHSI-WEBADMIN-${600 + i}` }));
  const csv = '姓名,学号,身份证号,班级,采集码\n' + rows.map((x) => `${x.name},${x.no},${fakeId(x.n)},1班,${x.chsi}`).join('\n') + '\n';
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  for (const x of rows) {
    const c = new Client(srv.url);
    await c.csrf();
    r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: x.chsi, id_last4: fakeId(x.n).slice(-4) }) });
    assert.equal(r.status, 200, r.text);
    await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
    await acceptConsent(c);
    for (const step of ['notice/read', 'tips/read']) await c.post('/api/v1/me/' + step);
    await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } });
    await c.post('/api/v1/me/tutorial/done');
    studs.push({ client: c, no: x.no });
  }
  browser = await launch();
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function desktop() {
  const p = await newPage(browser, { viewport: DESKTOP, mobile: false });
  open.push(p.context);
  return p;
}
const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);
async function signIn(page, username) {
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(pw(username));
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForSelector('#app[aria-busy="false"]:not([data-view="login"])');
}
async function shoot(c) {
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 1200; i++) {
    const p = await c.get(`/api/v1/me/photos/${r.data.photo.id}`);
    if (p.data.state !== 'processing') return p.data;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('photo still processing');
}

test('platform admin: edit a reason on the catalogue page; a reviewer rejects with it (the student sees the new wording), bulk-approves, makes the batch final', { skip: noPhotos, timeout: 600000 }, async () => {
  const photos = await Promise.all(studs.map((s) => shoot(s.client)));
  for (let i = 0; i < studs.length; i++) {
    assert.equal(photos[i].state, 'draft', 'checks are off for this batch');
    const r = await studs[i].client.post('/api/v1/me/submission', { json: { photo_id: photos[i].id } });
    assert.equal(r.status, 200, r.text);
  }
  // the catalogue page: edit 光线过暗's wording
  const a = await desktop();
  await signIn(a.page, ADMIN);
  await a.page.locator('#nav').getByRole('link', { name: '驳回原因' }).click();
  await view(a.page, 'reasons');
  const row = a.page.locator('table.c-reason-table tbody tr', { has: a.page.locator('code', { hasText: /^light_dark$/ }) });
  await row.getByRole('button', { name: '编辑' }).click();
  const dlg = a.page.getByRole('dialog');
  await dlg.getByLabel('中文说明').fill('光线太暗，请到明亮处重拍');
  await dlg.getByRole('button', { name: '保存' }).click();
  await a.page.locator('#app .c-notice', { hasText: '已保存原因 light_dark' }).waitFor();
  assert.match(await row.textContent(), /光线太暗，请到明亮处重拍/);
  await shot(a.page, 'console-30-admin-reasons');
  assert.deepEqual(a.problems, []);

  // the reviewer: start page, then the queue
  const { page, problems } = await desktop();
  await signIn(page, REVIEWER);
  await view(page, 'welcome');
  assert.equal(await page.locator('[data-stat="queue"] .c-stat__n').textContent(), '3');
  assert.equal(await page.locator('[data-stat="mine"] .c-stat__n').textContent(), '0');
  await shot(page, 'console-31-review-start');
  await page.getByRole('link', { name: '进入照片审核' }).click();
  await view(page, 'review');
  await page.getByLabel('光线太暗，请到明亮处重拍').check();
  await page.getByRole('button', { name: '驳回（R）' }).click();
  await page.locator('#app .c-notice', { hasText: '已驳回：' }).waitFor();
  // bulk: select all (the two still to review) and approve
  await page.getByRole('button', { name: '全选' }).click();
  assert.equal(await page.locator('.c-queue__pick:checked').count(), 2);
  await shot(page, 'console-32-review-bulk');
  await page.getByRole('button', { name: '批量通过（2）' }).click();
  await page.locator('#app .c-notice', { hasText: '已批量通过 2 张' }).waitFor();
  const js = await Promise.all(studs.map(async (s) => (await s.client.get('/api/v1/me/journey')).data));
  assert.deepEqual(js.map((j) => j.step).sort(), ['approved', 'approved', 'rejected']);
  const rj = js.find((j) => j.step === 'rejected');
  assert.deepEqual(rj.submission.reasons.map((x) => x.zh), ['光线太暗，请到明亮处重拍'], 'the student sees the edited wording');

  // production: filter to the batch, make it all final
  await page.locator('#nav').getByRole('link', { name: '成片制作' }).click();
  await view(page, 'production');
  assert.equal(await page.locator('table.c-prod tbody tr').count(), 2);
  await page.getByLabel('批次').selectOption(String(batch.id));
  await page.getByText('待制作 2 张').waitFor();
  await shot(page, 'console-33-production');
  await page.getByRole('button', { name: '本批次全部制作' }).click();
  await page.locator('#app .c-notice', { hasText: '已制作 2 张成片' }).waitFor();
  await page.getByText('没有待制作的照片').waitFor();
  const finals = await Promise.all(studs.map(async (s) => (await s.client.get('/api/v1/me/result')).data));
  assert.equal(finals.filter((x) => x && x.final).length, 2);
  await page.locator('#nav').getByRole('link', { name: '照片审核' }).waitFor();
  await page.goto(srv.url + '/console/#/welcome');
  await view(page, 'welcome');
  assert.equal(await page.locator('[data-stat="mine"] .c-stat__n').textContent(), '3', 'my decisions today');
  assert.deepEqual(problems, []);
});

test('platform admin: disable an account (its sign-in fails), add a custom spec, search the audit log', async () => {
  const { page, problems } = await desktop();
  await signIn(page, ADMIN);
  await page.locator('#nav').getByRole('link', { name: '账号管理' }).click();
  await view(page, 'accounts');
  const row = page.locator('table.c-accounts tbody tr', { hasText: 'web-victim' });
  await row.getByRole('button', { name: '禁用' }).click();
  await page.locator('#app .c-notice', { hasText: '已禁用账号 web-victim' }).waitFor();
  // the notice can show before the table is drawn again (seen under load)
  await row.filter({ hasText: '已禁用' }).waitFor({ timeout: 10000 });
  assert.match(await row.textContent(), /已禁用/);
  await shot(page, 'console-34-admin-accounts');
  const c = new Client(srv.url);
  await c.csrf();
  const r = await c.post('/api/v1/staff/login', { json: { username: 'web-victim', password: pw('web-victim') } });
  assert.equal(r.status, 401, 'a disabled account cannot sign in');

  await page.locator('#nav').getByRole('link', { name: '照片规格' }).click();
  await view(page, 'specs');
  await page.getByLabel('名称').fill('visa_web');
  await page.getByLabel('中文名').fill('签证照');
  await page.getByLabel('宽').fill('33');
  await page.getByLabel('高', { exact: true }).fill('48');
  await page.getByRole('button', { name: '新增', exact: true }).click();
  await page.locator('#app .c-notice', { hasText: '已新增规格 visa_web（390×567 像素）' }).waitFor();
  // the table is fetched again after the notice: wait for it rather than count at once
  await page.locator('table.c-spec-table_custom tbody tr').first().waitFor();
  assert.equal(await page.locator('table.c-spec-table_custom tbody tr').count(), 1);
  await page.getByLabel('名称').fill('tiny_web');
  await page.getByLabel('宽').fill('5');
  await page.getByLabel('高', { exact: true }).fill('5');
  await page.getByRole('button', { name: '新增', exact: true }).click();
  await page.locator('#app .tc-error[data-code="photo.bad_spec"]').waitFor();
  await shot(page, 'console-35-admin-specs');

  await page.locator('#nav').getByRole('link', { name: '操作日志' }).click();
  await view(page, 'audit');
  await shot(page, 'console-36-admin-audit');
  await page.getByLabel('操作', { exact: true }).selectOption('staff.disable');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByText('共 1 条').waitFor();
  const line = page.locator('table.c-audit tbody tr');
  assert.equal(await line.count(), 1);
  // words, not codes: the action, the target and what changed (issue 20, item 10)
  assert.match(await line.textContent(), /web-platform.*停用账号.*账号 web-victim/s);
  assert.doesNotMatch(await line.textContent(), /staff\.disable|[{}"]/);
  assert.match(await line.locator('[data-col="change"]').textContent(), /已停用：否 → 是/);
  await page.getByLabel('操作', { exact: true }).selectOption('');
  await page.getByLabel('包含文字').fill('visa_web');
  await page.getByRole('button', { name: '查询' }).click();
  await page.locator('table.c-audit tbody tr', { hasText: '新增照片规格' }).waitFor();
  await shot(page, 'console-37-admin-audit-search');
  assert.deepEqual(problems, []);
});

test('platform admin: edit a custom spec (the dialog comes filled in), delete refused while a batch chooses it (the server names the batch), then deleted', async () => {
  let r = await admin.post('/api/v1/admin/specs', { json: { name: 'web_edit', zh: '网页编辑', width: 35, height: 45, unit: 'mm', dpi: 300 } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '规格网页批次', settings: { spec: 'web_edit' } } });
  assert.equal(r.status, 201, r.text);
  const specBatch = r.data.batch;
  const { page, problems } = await desktop();
  await signIn(page, ADMIN);
  await page.locator('#nav').getByRole('link', { name: '照片规格' }).click();
  await view(page, 'specs');
  const row = page.locator('table.c-spec-table_custom tbody tr', { has: page.locator('code', { hasText: /^web_edit$/ }) });
  assert.equal(await page.locator('table.c-spec-table_builtin button').count(), 0, 'built-in specs have no actions');

  // edit: the same fields, filled in as typed (mm), the name fixed
  await row.getByRole('button', { name: '编辑' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByText('编辑规格 web_edit').waitFor();
  assert.equal(await dlg.getByLabel('名称').inputValue(), 'web_edit');
  assert.equal(await dlg.getByLabel('名称').getAttribute('readonly'), '');
  assert.equal(await dlg.getByLabel('中文名').inputValue(), '网页编辑');
  assert.equal(await dlg.getByLabel('单位').inputValue(), 'mm');
  assert.deepEqual([await dlg.getByLabel('宽').inputValue(), await dlg.getByLabel('高', { exact: true }).inputValue()], ['35', '45']);
  assert.equal(await dlg.getByLabel('分辨率（dpi）').inputValue(), '300');
  // a bad size: the server's error in the dialog, nothing saved
  await dlg.getByLabel('宽').fill('3');
  await dlg.getByRole('button', { name: '保存' }).click();
  await dlg.locator('.tc-error[data-code="photo.bad_spec"]').waitFor();
  await dlg.getByLabel('中文名').fill('网页编辑后');
  await dlg.getByLabel('宽').fill('40');
  await dlg.getByLabel('高', { exact: true }).fill('50');
  await shot(page, 'console-38-admin-spec-edit');
  await dlg.getByRole('button', { name: '保存' }).click();
  await page.locator('#app .c-notice', { hasText: '已保存规格 web_edit（472×591 像素）' }).waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0, 'the dialog closed');
  // the table is fetched again after the notice: wait for it rather than read it at once
  await page.locator('table.c-spec-table_custom tbody tr', { hasText: '472 × 591' }).waitFor();
  assert.match(await row.textContent(), /网页编辑后.*472 × 591/s);
  let spec = (await admin.get('/api/v1/admin/specs')).data.custom.find((x) => x.name === 'web_edit');
  assert.deepEqual([spec.zh, spec.width, spec.height], ['网页编辑后', 472, 591]);

  // delete while the batch chooses it: asked first, then the server's refusal
  await row.getByRole('button', { name: '删除' }).click();
  const ask = page.getByRole('alertdialog');
  await ask.getByText('删除规格 web_edit？').waitFor();
  await ask.getByRole('button', { name: '删除' }).click();
  const refusal = ask.locator('.tc-error[data-code="spec.in_use"]');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /规格 web_edit 正在使用：批次“规格网页批次”（后台测试大学）/);
  await shot(page, 'console-39-admin-spec-in-use');
  await ask.getByRole('button', { name: '取消' }).click();
  assert.ok((await admin.get('/api/v1/admin/specs')).data.custom.some((x) => x.name === 'web_edit'), 'still there');

  // the batch chooses another spec; now it goes
  r = await admin.req('PUT', `/api/v1/batches/${specBatch.id}`, { json: { settings: {} } });
  assert.equal(r.status, 200, r.text);
  await row.getByRole('button', { name: '删除' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: '删除' }).click();
  await page.locator('#app .c-notice', { hasText: '已删除规格 web_edit' }).waitFor();
  // the notice can show before the list is drawn again (seen under load)
  await row.waitFor({ state: 'detached', timeout: 10000 });
  assert.equal(await row.count(), 0);
  spec = (await admin.get('/api/v1/admin/specs')).data.custom.find((x) => x.name === 'web_edit');
  assert.equal(spec, undefined);
  await shot(page, 'console-40-admin-spec-deleted');
  assert.deepEqual(problems, []);
});
