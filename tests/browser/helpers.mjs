// Shared helpers for the browser tests: Debian's chromium driven by
// playwright-core (never a downloaded browser), screenshots of every step,
// and a guard that fails a test on any page error or CSP violation.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../http/lib.mjs';

export const SHOTS = path.join(ROOT, 'tests/out/screenshots');
mkdirSync(SHOTS, { recursive: true });

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };

// extraArgs: e.g. the fake camera (fakeCameraArgs below).
export function launch({ extraArgs = [] } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', ...extraArgs],
  });
}

// Chromium's fake camera fed from a .y4m clip (scripts/make-y4m.mjs), with
// the permission prompt answered "allow".
export function fakeCameraArgs(y4m) {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`];
}

// A fresh context (its own cookies and localStorage) and page.  Page errors,
// console errors (CSP violations are reported there) and failed same-origin
// requests other than the API's deliberate 4xx are collected in `problems`
// so a test can assert the page ran cleanly.
export async function newPage(browser, { viewport = PHONE, locale = 'zh-CN', mobile = true } = {}) {
  const context = await browser.newContext({
    viewport, locale, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1,
    userAgent: mobile
      ? 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47'
      : undefined,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The API's 4xx answers are expected in error tests; the browser logs
    // each as "Failed to load resource".  Everything else is a problem.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    problems.push('console: ' + m.text());
  });
  return { context, page, problems };
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}
