// What school and platform staff see (issue 20, items 8–12), in a real
// browser at 1440x900 on the real server: the reviewer's check table names
// every check (zh and en), failed first; a school admin of one school lands
// on its batches, and the progress table follows a roster import without a
// reload; a file with a bad row offers "import the good rows" and "download
// the bad rows" (a CSV with each row's error), and the roster with full ID
// numbers (audited); the audit log in words with readable changes; the
// demo's second school and notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client, fakeId, fileForm } from '../http/lib.mjs';
import { launch, newPage, shot, DESKTOP } from './helpers.mjs';

let srv, browser, admin, school, batch;
const open = [];
const USER = 'staff-web-school';
const REVIEWER = 'staff-web-reviewer';
const pw = (u) => 'N3w-password-' + u; // what Client.staffLogin changes the first password to

before(async () => {
  srv = await startServer();
  browser = await launch();
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  school = (await admin.post('/api/v1/schools', { json: { name: '员工页面测试大学' } })).data.school;
  for (const [username, role] of [[USER, 'school_admin'], [REVIEWER, 'reviewer']]) {
    const r = await admin.post('/api/v1/staff/accounts', { json: { username, role, password: 'Init-pass-' + username, school_id: role === 'school_admin' ? school.id : undefined } });
    assert.equal(r.status, 201, r.text);
    await new Client(srv.url).staffLogin(username, 'Init-pass-' + username);
  }
  const r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '2026届 员工页面', settings: {} } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function desktop(opts = {}) {
  const p = await newPage(browser, { viewport: DESKTOP, mobile: false, ...opts });
  open.push(p.context);
  return p;
}
const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);
async function signIn(page, username, password = pw(username)) {
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForSelector('#app[aria-busy="false"]:not([data-view="login"])');
}
const csvOf = (rows) => '姓名,学号,身份证号,层次,专业,班级,采集码\n' + rows.join('\n') + '\n';
const good = (n, cls = '数学1班') => `员工${n},W${n},${fakeId(500 + n)},本科,数学,${cls},CHSI-STAFF-WEB-${n}`;
const progressAll = (page) => page.locator('table.c-progress-table tbody tr').last().locator('td[data-col="total"]');

// ---- item 8 -------------------------------------------------------------------------------------------------

test('reviewer: every check has its name in the console\'s language, failed ones first', async () => {
  const { page, problems } = await desktop();
  await signIn(page, REVIEWER);
  // a report as the server stores it: codes, verdicts, scores; advice only for failed checks
  const names = ['face_count', 'face_inside', 'geometry', 'pose_yaw', 'pose_pitch', 'pose_roll', 'eyes_open', 'gaze', 'mouth_closed',
    'expression', 'light_dark', 'light_bright', 'light_uneven', 'light_hotspot', 'red_eye', 'blur', 'resolution', 'glasses',
    'glasses_tinted', 'glasses_glare', 'hair_brows', 'ears_visible', 'headwear', 'jewelry', 'clothing_colour', 'recapture',
    'retouch', 'duplicate', 'framing', 'compression', 'shoulders', 'clothing_pattern', 'makeup', 'hair_shoulders', 'body_framing'];
  const verdict = (n) => (n === 'light_uneven' || n === 'jewelry' ? 'fail' : n === 'red_eye' ? 'unknown' : 'pass');
  const checks = names.map((name) => ({
    code: 'check.' + name, name, verdict: verdict(name), score: verdict(name) === 'unknown' ? -1 : verdict(name) === 'fail' ? 30 : 90,
    zh: verdict(name) === 'fail' ? '请调整后重拍' : '', en: verdict(name) === 'fail' ? 'Adjust and shoot again' : '',
  }));
  const item = { id: 61, state: 'submitted', submitted_at: 1767225600,
    student: { id: 61, name_masked: '王*', student_no: 'W61', school: school.name, batch: batch.name, class_name: '1班' },
    photo: { id: 61, standard_url: '/icon.png', original_url: '/icon.png', overlay_url: '/icon.png', checks: { checks } } };
  await page.route('**/api/v1/review/queue', (r) => r.fulfill({ json: { items: [item] } }));
  await page.goto(srv.url + '/console/#/review');
  await view(page, 'review');
  const rows = page.locator('table.c-checks tbody tr');
  assert.equal(await rows.count(), names.length);
  const cells = await rows.evaluateAll((r) => r.map((x) => ({ v: x.dataset.verdict, name: x.cells[0].textContent.trim(), score: x.cells[2].textContent.trim() })));
  for (const c of cells) {
    assert.ok(c.name.length > 0, 'no empty 检测项');
    assert.match(c.name, /[\u4e00-\u9fff]/, 'Chinese: ' + c.name);
    assert.doesNotMatch(c.name, /[a-z]_|check\./, 'no code: ' + c.name);
  }
  assert.deepEqual(cells.slice(0, 3).map((c) => c.v), ['fail', 'fail', 'unknown'], 'failed first, then could not assess');
  assert.deepEqual(cells.slice(0, 2).map((c) => c.name), ['面部光线均匀（阴阳脸）', '耳环、项链等饰品']);
  assert.equal(cells[2].score, '—', 'a score that could not be measured is not -1');
  assert.equal(new Set(cells.map((c) => c.name)).size, names.length, 'each check its own name');
  assert.match(await rows.first().textContent(), /请调整后重拍/, 'the advice of a failed check');
  await shot(page, 'staff-01-review-checks');
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.locator('table.c-checks th', { hasText: 'Check' }).first().waitFor();
  assert.equal((await rows.first().locator('td').first().textContent()).trim(), 'Even light on the face');
  assert.match(await rows.first().textContent(), /Adjust and shoot again/);
  const en = await rows.evaluateAll((r) => r.map((x) => x.cells[0].textContent));
  for (const n of en) assert.doesNotMatch(n, /[\u4e00-\u9fff]/, 'English: ' + n);
  await shot(page, 'staff-02-review-checks-en');
  await page.getByRole('button', { name: '切换到中文' }).click();
  assert.deepEqual(problems, []);
});

// ---- items 9 and 11 -----------------------------------------------------------------------------------------

test('school admin: lands on its school; progress follows the import; import the good rows, download the bad ones; the full-ID roster', { timeout: 120000 }, async () => {
  const { page, problems } = await desktop({ acceptDownloads: true });
  await signIn(page, USER);
  await view(page, 'school');
  assert.equal((await page.locator('#app h1').textContent()).trim(), school.name, 'its school, not a one-row list');
  await page.locator('.c-batches').getByRole('link', { name: batch.name }).click();
  await view(page, 'batch');
  assert.equal((await progressAll(page).textContent()).trim(), '0');

  // a good file: the progress table follows without a reload
  const file = page.getByLabel('花名册文件');
  await file.setInputFiles({ name: '名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf([good(1), good(2), good(3, '数学2班')])) });
  await page.getByRole('button', { name: '预览' }).click();
  await page.getByText('共 3 行，检查通过，可以导入。').waitFor();
  await page.getByRole('button', { name: '确认导入' }).click();
  await page.getByText('导入完成：共 3 行，新增 3，更新 0。').waitFor();
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('table.c-progress-table tbody tr');
    return rows.length && rows[rows.length - 1].querySelector('td[data-col="total"]').textContent.trim() === '3';
  });
  const classes = await page.locator('table.c-progress-table tbody tr td[data-col="class"]').allTextContents();
  assert.deepEqual(classes, ['数学1班', '数学2班', '合计']);
  assert.equal((await page.locator('.c-batch-count').textContent()).trim(), '3');
  await shot(page, 'staff-03-progress-after-import');

  // a file with one bad row: refused as a whole by default, with two ways on
  const bad = `员工9,W9,${fakeId(509).slice(0, 17)}0,本科,数学,数学1班,CHSI-STAFF-WEB-9`;
  await file.setInputFiles({ name: '补充名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf([good(4), bad, good(5)])) });
  await page.getByRole('button', { name: '预览' }).click();
  await page.locator('#app .tc-error[data-code="roster.invalid"]').waitFor();
  assert.match(await page.locator('table.c-errors').textContent(), /身份证号无效/);
  const goodBtn = page.getByRole('button', { name: '只导入无误的 2 行' });
  await goodBtn.waitFor();
  await shot(page, 'staff-04-roster-bad-row');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载有错误的行（CSV）' }).click()]);
  assert.equal(dl.suggestedFilename(), '补充名单-待修改.csv');
  const text = readFileSync(await dl.path(), 'utf8').replace(/^\uFEFF/, '');
  const lines = text.trim().split('\r\n');
  assert.equal(lines.length, 2, text);
  assert.match(lines[0], /"姓名","学号","身份证号".*"图像采集码","错误原因"/);
  assert.match(lines[1], /^"员工9","W9",.*"CHSI-STAFF-WEB-9","第 \d+ 行的身份证号无效/);
  await page.getByText('已下载 1 行有错误的学生', { exact: false }).waitFor();
  assert.equal((await progressAll(page).textContent()).trim(), '3', 'nothing imported yet');
  await goodBtn.click();
  await page.getByText('已导入无误的 2 行（新增 2，更新 0）；1 行有错误，未导入。').waitFor();
  await page.locator('table.c-errors').getByText('身份证号无效', { exact: false }).waitFor();
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('table.c-progress-table tbody tr');
    return rows[rows.length - 1].querySelector('td[data-col="total"]').textContent.trim() === '5';
  });
  await page.getByText('共 5 人').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'staff-05-roster-good-rows');

  // the roster with full ID numbers: offered to the school admin, audited
  await page.getByText('含完整身份证号的名单可修改后重新导入', { exact: false }).waitFor();
  const [x] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出名单（含完整身份证号）' }).click()]);
  assert.match(x.suggestedFilename(), /full-ids\.xlsx$/);
  const au = (await admin.get(`/api/v1/admin/audit?action=roster.export_ids&staff=${USER}`)).data;
  assert.equal(au.total, 1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'staff-06-roster-exports');

  // a 采集码 another school's student holds: only the database finds it, at import
  const taken = `员工8,W8,${fakeId(508)},本科,数学,数学2班,${srv.demo.students[0].chsi_code}`;
  await file.setInputFiles({ name: '第三批.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf([good(6), taken])) });
  await page.getByRole('button', { name: '预览' }).click();
  await page.getByText('共 2 行，检查通过，可以导入。').waitFor();
  await page.getByRole('button', { name: '确认导入' }).click();
  await page.locator('#app .tc-error[data-code="roster.chsi_taken"]').waitFor();
  // the file's row number and the column at fault
  assert.match(await page.locator('#app .tc-error[data-code="roster.chsi_taken"]').textContent(), /第 3 行：该图像采集码已属于另一条学生记录/);
  assert.match(await page.locator('table.c-errors tbody').textContent(), /3\s*采集码第 3 行/);
  assert.equal((await progressAll(page).textContent()).trim(), '5', 'all or nothing');
  await shot(page, 'staff-06b-roster-code-taken');
  await page.getByRole('button', { name: '只导入无误的行' }).click();
  await page.getByText('已导入无误的 1 行（新增 1，更新 0）；1 行有错误，未导入。').waitFor();
  await page.locator('table.c-errors').getByText('该图像采集码已属于另一条学生记录', { exact: false }).waitFor();
  await page.getByText('共 6 人').waitFor();
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('table.c-progress-table tbody tr');
    return rows[rows.length - 1].querySelector('td[data-col="total"]').textContent.trim() === '6';
  });
  assert.deepEqual(problems, []);
});

// ---- item 10 ------------------------------------------------------------------------------------------------

test('platform admin: the audit log in words, with what changed as "field: old → new"', async () => {
  // a few changes to find
  const sa = new Client(srv.url);
  await sa.staffLogin(USER, pw(USER), pw(USER));
  let r = await sa.req('PUT', `/api/v1/batches/${batch.id}`, { json: { name: '2026届 员工页面（改）', settings: { fee_fen: 1500 } } });
  assert.equal(r.status, 200, r.text);
  r = await sa.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csvOf([good(77)])), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const st = (await sa.get(`/api/v1/batches/${batch.id}/students?q=W77`)).data.students[0];
  assert.equal((await sa.post(`/api/v1/students/${st.id}/unlock`)).status, 200);

  const { page, problems } = await desktop();
  await signIn(page, srv.demo.staff[0].username);
  await page.locator('#nav').getByRole('link', { name: '操作日志' }).click();
  await view(page, 'audit');
  const table = page.locator('table.c-audit');
  const body = await table.locator('tbody').textContent();
  for (const code of ['password_change', 'student.unlock', 'batch.update', 'roster_import', 'staff_create', 'login']) {
    assert.ok(!new RegExp(`(^|[^a-z_.])${code.replace('.', '\\.')}([^a-z_.]|$)`).test(body), 'no raw action ' + code);
  }
  assert.doesNotMatch(body, /[{}]|"[a-z_]+":|[a-z]+_[a-z]+：/, 'no raw JSON, no field codes');
  for (const w of ['修改密码', '解锁学生', '修改批次设置', '导入名单', '创建账号', '登录']) assert.ok(body.includes(w), w);

  await page.getByLabel('操作', { exact: true }).selectOption('batch.update');
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByText('共 1 条').waitFor();
  const change = table.locator('tbody tr').first().locator('[data-col="change"]');
  assert.match(await change.textContent(), /名称：2026届 员工页面 → 2026届 员工页面（改）/);
  assert.match(await change.textContent(), /费用（元）：.* → 15\.00 元/);
  assert.match(await table.locator('tbody tr').first().locator('[data-col="target"]').textContent(), new RegExp(`批次 #${batch.id}`));
  await shot(page, 'staff-07-audit-change');
  await page.getByLabel('操作', { exact: true }).selectOption('');
  await page.getByRole('button', { name: '查询' }).click();
  await table.locator('tbody tr', { hasText: '解锁学生' }).first().waitFor();
  // a refused import says why in words, not its code
  const refused = await table.locator('tbody tr', { hasText: '名单导入被拒绝' }).first().locator('[data-col="change"]').textContent();
  assert.match(refused, /拒绝原因：采集码已属于另一条学生记录/);
  assert.doesNotMatch(await table.textContent(), /roster\.[a-z_]+/);
  await shot(page, 'staff-08-audit');
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await table.locator('tbody tr', { hasText: 'Student unlocked' }).first().waitFor();
  const en = await table.locator('tbody').textContent();
  assert.ok(en.includes('Password changed') && en.includes('Batch settings changed'), en.slice(0, 300));
  await table.locator('tbody tr', { hasText: 'Fee (yuan)' }).getByText('¥15.00').waitFor(); // values follow the switch too
  assert.doesNotMatch(await table.locator('tbody').textContent(), /元|学校管理员|审核员|：/, 'no Chinese words left in English');
  await shot(page, 'staff-09-audit-en');
  await page.getByRole('button', { name: '切换到中文' }).click();
  assert.deepEqual(problems, []);
});

// ---- item 12 ------------------------------------------------------------------------------------------------

test('the demo: a second school whose admin sees only it; the first school\'s notice is filled in', async () => {
  const d = srv.demo;
  const first = d.staff.find((s) => s.role === 'school_admin'), second = d.second_school.admin;
  await new Client(srv.url).staffLogin(second.username, second.password);
  await new Client(srv.url).staffLogin(first.username, first.password);

  const { page, problems } = await desktop();
  await signIn(page, second.username);
  await view(page, 'school');
  assert.equal((await page.locator('#app h1').textContent()).trim(), d.second_school.school);
  await page.locator('.c-batches').getByRole('link', { name: d.second_school.batch.name }).click();
  await view(page, 'batch');
  await page.getByText(`共 ${d.second_school.students.length} 人`).waitFor();
  const names = await page.locator('table.c-student-table td[data-col="name"]').allTextContents();
  assert.deepEqual(names.sort(), d.second_school.students.map((s) => s.name).sort());
  assert.ok(!names.some((n) => d.students.some((s) => s.name === n)), 'none of the first school\'s students');
  await shot(page, 'staff-10-demo-second-school');
  // the first school is refused to it
  await page.goto(`${srv.url}/console/#/school/${d.school_id}`);
  await page.locator('#app .tc-error[data-code="auth.other_school"]').waitFor();
  await shot(page, 'staff-11-demo-other-school-refused');

  const p2 = await desktop();
  await signIn(p2.page, first.username);
  await view(p2.page, 'school');
  assert.equal((await p2.page.locator('#app h1').textContent()).trim(), d.school);
  const notice = p2.page.locator('.c-notice-preview, .tc-notice').first();
  await p2.page.getByText('所采集相片将用于毕业证书制作', { exact: false }).first().waitFor();
  await notice.scrollIntoViewIfNeeded().catch(() => {});
  await shot(p2.page, 'staff-12-demo-notice');

  // the platform admin sees both
  const p3 = await desktop();
  await signIn(p3.page, d.staff[0].username);
  await view(p3.page, 'schools');
  for (const n of [d.school, d.second_school.school]) await p3.page.locator('.c-schools').getByRole('link', { name: n }).waitFor();
  assert.deepEqual([...problems, ...p2.problems, ...p3.problems], []);
});
