// The console's export page in a real browser (desktop, 1440x900; issue 19
// item 7): from the batch page (where the roster import links the roster
// template) to 导出照片, a preset and its preview, a bad template's error from
// the server, a collision listed, the archive split into parts and one part
// downloaded and opened, the 采集码 list downloaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, execFileSync, acceptConsent } from '../http/lib.mjs';
import { launch, newPage, shot, DESKTOP } from './helpers.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');

let srv, browser, batch, dir;
const open = [];
const USER = 'ui-export-admin';
const PASS = 'Init-pass-ui-export';

async function approvedPhoto(admin, i) {
  const c = new Client(srv.url);
  await c.csrf();
  let r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-UX-' + i, id_last4: fakeId(900 + i).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  assert.equal((await c.post('/api/v1/entry/confirm', { json: { phone: '1370013700' + i } })).status, 200);
  await acceptConsent(c); // the consent gate (issue 19 item 5) comes before any upload
  for (const p of ['/api/v1/me/notice/read', '/api/v1/me/tips/read', '/api/v1/me/tutorial/done']) assert.equal((await c.post(p)).status, 200);
  r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  let ph;
  for (let k = 0; k < 900; k++) {
    ph = (await c.get(`/api/v1/me/photos/${r.data.photo.id}`)).data;
    if (ph.state !== 'processing') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(ph.state, 'draft', JSON.stringify(ph));
  assert.equal((await c.post('/api/v1/me/submission', { json: { photo_id: ph.id } })).status, 200);
  const item = (await admin.get('/api/v1/review/queue')).data.items.find((x) => x.photo.id === ph.id);
  assert.equal((await admin.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);
}

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'tucai-ui-export-'));
  const admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  const school = (await admin.post('/api/v1/schools', { json: { name: '导出页面测试大学' } })).data.school;
  let r = await admin.post('/api/v1/staff/accounts', { json: { username: USER, role: 'school_admin', password: PASS, school_id: school.id } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '2026届 毕业照', settings: { pay_when: 'school', cooloff_min: 0, checks: { disabled: ['duplicate'] } } } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  const rows = [1, 2, 3, 4].map((i) => `导出生${i},U00${i},${fakeId(900 + i)},本科,数学与应用数学,${i <= 2 ? '数学1班' : '数学2班'},CHSI-UX-${i},1370013700${i}`);
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码,手机号\n' + rows.join('\n') + '\n';
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  if (havePhotos) for (const i of [1, 2, 3]) await approvedPhoto(admin, i);
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);

test('school admin: the export page — presets, preview, a refused template, parts, the code list', { timeout: 300000 }, async () => {
  const { context, page, problems } = await newPage(browser, { viewport: DESKTOP, mobile: false });
  open.push(context);
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  await page.getByLabel('用户名').fill(USER);
  await page.getByLabel('密码', { exact: true }).fill(PASS);
  await page.getByRole('button', { name: '登录' }).click();
  await view(page, 'password');
  await page.getByLabel('原密码').fill(PASS);
  await page.getByLabel('新密码', { exact: true }).fill('Export-page-pass-1');
  await page.getByLabel('确认新密码').fill('Export-page-pass-1');
  await page.getByRole('button', { name: '修改密码' }).click();
  await view(page, 'school');

  // the batch page: the roster import links the template; the export page is a button away
  await page.goto(`${srv.url}/console/#/batch/${batch.id}`);
  await view(page, 'batch');
  const tplLink = page.locator('a[data-act="roster-template"]');
  await assert.doesNotReject(tplLink.waitFor());
  assert.equal(await tplLink.textContent(), '下载名单模板（XLSX，含示例行）');
  const [tplDl] = await Promise.all([page.waitForEvent('download'), tplLink.click()]);
  const tplFile = path.join(dir, 'template.xlsx');
  await tplDl.saveAs(tplFile);
  assert.ok(execFileSync('unzip', ['-p', tplFile, 'xl/worksheets/sheet1.xml']).toString().includes('>*身份证号<'));
  await page.locator('a[data-act="export-page"]').click();
  await view(page, 'export');
  assert.equal(await page.locator('h1').textContent(), '导出照片');

  const tpl = page.getByLabel('命名模板');
  assert.equal(await tpl.inputValue(), '{学号}');
  const files = () => page.locator('.c-export-names td[data-col="file"]').allTextContents();
  if (havePhotos) assert.deepEqual(await files(), ['U001.jpg', 'U002.jpg', 'U003.jpg']);
  else await page.locator('.c-export-preview .c-empty').waitFor();
  if (havePhotos) {
    // the students' 校对 (issue 19 item 6): approved, no 成片 confirmed yet — all counted, none left with the box ticked
    await page.locator('.c-export-unconfirmed', { hasText: '其中 3 名学生尚未确认成片' }).waitFor();
    await page.getByLabel('只导出学生已核对确认的成片').check();
    await page.locator('.c-export-preview .c-empty', { hasText: '还没有学生确认的成片' }).waitFor();
    assert.equal(await page.locator('.c-export-unconfirmed').count(), 0);
    await shot(page, 'export-01b-confirmed-only');
    await page.getByLabel('只导出学生已核对确认的成片').uncheck();
    await page.waitForFunction(() => document.querySelectorAll('.c-export-names td[data-col="file"]').length === 3);
  }

  // a preset: folders per class
  await page.getByLabel('班级/学号.jpg').check();
  assert.equal(await tpl.inputValue(), '{班级}/{学号}');
  if (havePhotos) await page.waitForFunction(() => document.querySelector('.c-export-names td[data-col="file"]')?.textContent === '数学1班/U001.jpg');

  // a template the server refuses: its words next to the field
  await tpl.fill('../{学号}');
  const alert = page.locator('.c-export .tc-error[data-code="export.bad_template"]');
  await alert.waitFor();
  assert.equal(await tpl.getAttribute('aria-invalid'), 'true');
  assert.match(await alert.textContent(), /文件夹名不能为空，也不能是 \. 或 \.\./);
  await shot(page, 'export-02-refused');
  assert.ok(await page.getByLabel('自定义').isChecked());

  // a field inserted from the chips; by class alone the names collide and are listed
  await tpl.fill('');
  await page.getByRole('button', { name: '{班级}' }).click();
  assert.equal(await tpl.inputValue(), '{班级}');
  if (havePhotos) {
    await page.locator('.c-export-collisions').waitFor();
    assert.match(await page.locator('.c-export-collisions').textContent(), /1 个文件名重复.*数学1班_2\.jpg/);
  }
  await page.getByLabel('班级/学号.jpg').check();

  // parts of 2 photos
  await page.getByLabel('分包方式').selectOption('part_photos');
  await page.getByLabel('每包上限').fill('2');
  const nparts = havePhotos ? 2 : 1;
  await page.waitForFunction((n) => document.querySelectorAll('.c-export-part-list tbody tr').length === n, nparts);
  assert.match(await page.locator('.c-export-part-list caption').textContent(), new RegExp(`共 ${nparts} 个包`));
  await shot(page, 'export-01-page');

  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`a[data-act="part"][data-part="${nparts}"]`).click()]);
  const zip = path.join(dir, 'part.zip');
  await dl.saveAs(zip);
  execFileSync('unzip', ['-tqq', zip]);
  const names = execFileSync('zipinfo', ['-1', zip]).toString().trim().split('\n');
  assert.ok(names.includes('采集码.xlsx') && names.includes('manifest.csv'), names.join(','));
  if (havePhotos) {
    assert.match(dl.suggestedFilename(), /part2-of-2\.zip$/);
    assert.deepEqual(names.filter((n) => n.endsWith('.jpg')), ['数学2班/U003.jpg']);
  }

  // the code list, named as above
  const [cdl] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-act="codes"]').click()]);
  const codes = path.join(dir, 'codes.xlsx');
  await cdl.saveAs(codes);
  const xml = execFileSync('unzip', ['-p', codes, 'xl/worksheets/sheet1.xml']).toString();
  assert.ok(xml.includes('>照片文件名<'));
  if (havePhotos) assert.ok(xml.includes('>数学2班/U003.jpg<') && xml.includes('>CHSI-UX-3<'));

  // the page in English: its own words switch, the server's names stay
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Export photos');
  assert.ok(await page.getByLabel('Class/StudentNo.jpg').isChecked());
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky bar stays on top in a full-page shot
  await shot(page, 'export-03-page-en');
  assert.deepEqual(problems, []);
});
