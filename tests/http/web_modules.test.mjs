// The web pages' modules as files (issue 17 item 5), without a server or a
// browser: every module under web/ parses as an ES module, no file is longer
// than 800 lines, the imports form no circle (a page module never imports
// its entry or a module that imports it back), every import names a file
// that is there, and every <script>/<link> of the pages names a file the
// server serves from web/.  Imports are read by V8's own module parser
// (vm.SourceTextModule in a child node with --experimental-vm-modules), not
// by a pattern; dynamic import() must name a literal path so that it can be
// followed too.  The seed texts of the locks and a full draft box are the
// server's alone (tc_journey_refusal): no page keeps a copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = process.env.TC_SRCDIR || path.resolve(new URL('../..', import.meta.url).pathname);
const WEB = path.join(ROOT, 'web');
const MAX_LINES = 800;

// The server's mounts (src/api/tc_api.c, api_routes): URL prefix -> folder.
// /vendor/ is node_modules' weui, not ours.
const MOUNTS = [['/console/', 'console'], ['/pay/', 'pay'], ['/common/', 'common'], ['/', 'student']];
// Where each page is served: relative addresses resolve against this.
const PAGES = { 'student/index.html': '/', 'console/index.html': '/console/', 'pay/sandbox.html': '/pay/sandbox/ORDER' };

function walk(dir, out = []) {
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out); else out.push(p);
  }
  return out;
}

const files = walk(WEB);
const modules = files.filter((f) => f.endsWith('.js'));

// URL path of a file under web/, and back.
function urlOf(file) {
  const rel = path.relative(WEB, file).split(path.sep).join('/');
  for (const [prefix, dir] of MOUNTS) if (rel.startsWith(dir + '/')) return prefix + rel.slice(dir.length + 1);
  return null;
}
function fileOf(urlPath) {
  for (const [prefix, dir] of MOUNTS) if (urlPath.startsWith(prefix)) return path.join(WEB, dir, urlPath.slice(prefix.length));
  return null;
}
const resolve = (spec, fromUrl) => new URL(spec, 'http://tucai.test' + fromUrl).pathname;

// Parse every module in one child: {file: {static: [...], error}}.
function parseAll() {
  const script = `
    import vm from 'node:vm';
    import { readFileSync } from 'node:fs';
    const out = {};
    for (const f of JSON.parse(process.argv[1])) {
      try { out[f] = { deps: new vm.SourceTextModule(readFileSync(f, 'utf8'), { identifier: f }).dependencySpecifiers }; }
      catch (e) { out[f] = { error: String(e && e.message || e) }; }
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', '--input-type=module', '-e', script,
    JSON.stringify(modules)], { encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}
const parsed = parseAll();

// Dynamic import()s: only literal paths, so that the graph below is complete.
function dynamicImports(file) {
  const src = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [], bad = [];
  for (const m of src.matchAll(/\bimport\s*\(\s*([^)]*)\)/g)) {
    const lit = /^(['"])([^'"]+)\1$/.exec(m[1].trim());
    if (lit) found.push(lit[2]); else bad.push(m[0]);
  }
  return { found, bad };
}

// file -> files it imports (ours only)
const graph = new Map();
for (const f of modules) {
  const deps = [...((parsed[f] && parsed[f].deps) || []), ...dynamicImports(f).found];
  graph.set(f, deps.map((d) => ({ spec: d, file: fileOf(resolve(d, urlOf(f))) })));
}

test('every module under web/ parses as an ES module', () => {
  assert.ok(modules.length > 10, `found ${modules.length} modules`);
  const broken = modules.filter((f) => parsed[f].error).map((f) => `${path.relative(ROOT, f)}: ${parsed[f].error}`);
  assert.deepEqual(broken, []);
  // the check itself catches a broken module (not just "no error reported")
  const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', '--input-type=module', '-e',
    "import vm from 'node:vm'; new vm.SourceTextModule('export const x = ;');"], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
});

test(`no file under web/ is longer than ${MAX_LINES} lines`, () => {
  const long = files.filter((f) => /\.(js|html|css)$/.test(f))
    .map((f) => [path.relative(ROOT, f), readFileSync(f, 'utf8').split('\n').length - 1])
    .filter(([, n]) => n > MAX_LINES).map(([f, n]) => `${f}: ${n} lines`);
  assert.deepEqual(long, []);
});

test('every import names a file that is there; dynamic import() only with a literal path', () => {
  const missing = [], bad = [];
  for (const [f, deps] of graph) {
    for (const d of deps) if (!d.file || !existsSync(d.file)) missing.push(`${path.relative(ROOT, f)}: ${d.spec}`);
    for (const b of dynamicImports(f).bad) bad.push(`${path.relative(ROOT, f)}: ${b}`);
  }
  assert.deepEqual(missing, []);
  assert.deepEqual(bad, []);
});

test('no import circles in web/', () => {
  // depth-first search; a back edge to a module on the current path is a circle
  const circles = [];
  const state = new Map(); // file -> 1 on the path, 2 done
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const { file: d } of graph.get(f) || []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 1) circles.push(stack.slice(stack.indexOf(d)).concat(d).map((x) => path.relative(WEB, x)).join(' -> '));
      else if (!state.get(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of modules) if (!state.get(f)) visit(f);
  assert.deepEqual(circles, []);
  // the search finds a circle when there is one
  const saved = new Map(graph);
  const [a, b] = modules;
  graph.set(a, [{ file: b }]);
  graph.set(b, [{ file: a }]);
  state.clear();
  circles.length = 0;
  visit(a);
  assert.equal(circles.length, 1);
  for (const [k, v] of saved) graph.set(k, v);
});

test('every script and stylesheet of the pages is a file the server serves', () => {
  const missing = [];
  let modulesSeen = 0;
  for (const [rel, pageUrl] of Object.entries(PAGES)) {
    const html = readFileSync(path.join(WEB, rel), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    for (const m of html.matchAll(/<(script|link)\b([^>]*)>/g)) {
      const attr = (name) => (new RegExp(`\\b${name}=["']([^"']*)["']`).exec(m[2]) || [])[1];
      const ref = m[1] === 'script' ? attr('src') : attr('href');
      if (!ref) { if (m[1] === 'script') missing.push(`${rel}: an inline script (the CSP forbids it)`); continue; }
      if (/^[a-z]+:/i.test(ref) && !ref.startsWith('http://tucai.test')) { missing.push(`${rel}: ${ref} is not on this site (the CSP allows 'self' only)`); continue; }
      const p = resolve(ref, pageUrl);
      if (p.startsWith('/vendor/')) continue; // weui, from node_modules
      if (m[1] === 'script' && attr('type') === 'module') modulesSeen++;
      const f = fileOf(p);
      if (!f || !existsSync(f)) missing.push(`${rel}: ${ref} (${p})`);
    }
  }
  assert.deepEqual(missing, []);
  assert.equal(modulesSeen, Object.keys(PAGES).length, 'one module entry per page');
});

test('the lock and full-draft-box texts are not kept in the pages: the server sends them (tc_journey_refusal)', () => {
  // seed 000 §12–§14, as src/journey/tc_journey.c writes them (its refusals' texts are entries of the
  // error catalogue, src/base/tc_errcat.h)
  const seedTexts = ['系统检测到草稿箱有照片', '请联系学校图采工作部门进行账号解锁', '请仔细阅读拍摄要求，可于', '草稿箱已满，请前往草稿箱',
    'There are photos in your draft box', 'The draft box is full'];
  const server = ['src/journey/tc_journey.c', 'src/base/tc_errcat.h']
    .map((f) => readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
  for (const s of seedTexts) assert.ok(server.includes(s), `the server has "${s}"`);
  const copies = [];
  for (const f of files.filter((x) => /\.(js|html)$/.test(x))) {
    const src = readFileSync(f, 'utf8');
    for (const s of seedTexts) if (src.includes(s)) copies.push(`${path.relative(ROOT, f)}: ${s}`);
  }
  assert.deepEqual(copies, []);
});
