// The batch setting hair_behind_shoulders (issue 16 item 8, seed 001 §4:
// 头发应放在肩膀后): off by default; a school turns it on for a batch, the
// settings answer and the camera's guide carry it, a bad value is refused
// with the field named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, enrolStudent } from './lib.mjs';

let srv, admin;

before(async () => {
  srv = await startServer();
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
});
after(async () => { if (srv) await srv.stop(); });

test('hair_behind_shoulders: off by default, on for a batch that asks it, carried to the guide; a bad value is refused', async () => {
  let r = await admin.post('/api/v1/schools', { json: { name: '头发设置学校' } });
  assert.equal(r.status, 201, r.text);
  const school = r.data.school;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '默认批次', settings: { pay_when: 'school' } } });
  assert.equal(r.status, 201, r.text);
  const plain = r.data.batch;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`,
    { json: { name: '头发批次', settings: { pay_when: 'school', hair_behind_shoulders: true } } });
  assert.equal(r.status, 201, r.text);
  const hair = r.data.batch;

  r = await admin.get(`/api/v1/batches/${plain.id}/settings`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.effective.hair_behind_shoulders, false, 'off by default');
  r = await admin.get(`/api/v1/batches/${hair.id}/settings`);
  assert.equal(r.data.effective.hair_behind_shoulders, true);

  const a = await enrolStudent(srv.url, admin, plain.id, 801, { tag: 'HAIR' });
  const b = await enrolStudent(srv.url, admin, hair.id, 802, { tag: 'HAIR' });
  assert.equal((await a.get('/api/v1/me/guide')).data.guide.hair_behind_shoulders, false);
  assert.equal((await b.get('/api/v1/me/guide')).data.guide.hair_behind_shoulders, true);

  r = await admin.req('PUT', `/api/v1/batches/${plain.id}`, { json: { settings: { hair_behind_shoulders: 'yes' } } });
  assert.equal(r.status, 400);
  assert.equal(r.data.errors[0].field, 'hair_behind_shoulders');
  for (const x of r.data.errors) assert.ok(x.code && x.zh && x.en);
  r = await admin.req('PUT', `/api/v1/schools/${school.id}/settings`, { json: { settings: { hair_behind_shoulders: true } } });
  assert.equal(r.status, 200, r.text);
  r = await admin.get(`/api/v1/batches/${plain.id}/settings`);
  assert.equal(r.data.effective.hair_behind_shoulders, true, 'the school\'s default is inherited');
});
