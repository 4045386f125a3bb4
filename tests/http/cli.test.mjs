// The command line: version, serve --help, migrate, demo, import-roster, qr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, fakeId, tempDir } from './lib.mjs';

const run = (...args) => spawnSync(BIN, args, { encoding: 'utf8' });

test('version and serve --help document every option', () => {
  const v = run('version');
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^tucai \d+\.\d+\.\d+/);
  const h = run('serve', '--help');
  assert.equal(h.status, 0);
  for (const opt of ['--data-dir', '--listen', '--port', '--tls-cert', '--tls-key', '--secret', '--cookie-secure',
    '--trust-proxy', '--upload-max-mb', '--config']) assert.ok(h.stdout.includes(opt), opt);
  assert.match(h.stdout, /TUCAI_PORT/);
  const bad = run('serve', '--no-such-flag');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /config\.unknown_option/);
  assert.equal(run('no-such-command').status, 2);
});

test('migrate, demo and import-roster work on a data directory', () => {
  const dir = tempDir('tucai-cli-');
  let r = run('migrate', '--data-dir', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /schema version [0-9]+/);
  r = run('demo', '--data-dir', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /特征码/);
  const demo = JSON.parse(readFileSync(path.join(dir, 'demo', 'demo.json'), 'utf8'));
  assert.equal(demo.students.length, 6);
  for (const s of demo.students) assert.ok(existsSync(s.qr_png), s.qr_png);
  // the QR images decode back to the students' codes
  r = run('qr', 'decode', demo.students[0].qr_png);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), demo.students[0].chsi_code);

  const csv = path.join(dir, 'more.csv');
  writeFileSync(csv, `姓名,学号,身份证号,采集码\n新同学,2022019999,${fakeId(99)},CLI-CODE-1\n`);
  r = run('import-roster', '--data-dir', dir, demo.batch.code, csv, '--dry-run');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).dry_run, true);
  r = run('import-roster', '--data-dir', dir, demo.batch.code, csv);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).inserted, 1);
  const badCsv = path.join(dir, 'bad.csv');
  writeFileSync(badCsv, `姓名,学号,身份证号,采集码\n坏,1,123,X\n`);
  r = run('import-roster', '--data-dir', dir, demo.batch.code, badCsv);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /roster\.invalid/);
  assert.match(r.stdout, /roster\.bad_id/);
  // a second demo in the same database makes a second school, not an error
  r = run('demo', '--data-dir', dir, path.join(dir, 'demo2'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Demo University 2/);
});
