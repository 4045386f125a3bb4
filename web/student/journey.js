// The student's journey after sign-in (issue 6; seeds 000–004): the
// agreements (issue 19 item 5), the school's notice, the shooting tips, the notification choice, shooting
// (live with the rear camera after the tutorial, or from the album), the
// production and checks, the draft box, confirming one photo, payment,
// waiting for review, the result, and 我的 (records, orders, messages, FAQ).
//
// The server decides every step: after each action the page asks
// GET /api/v1/me/journey and goes where `step` says; a refusal ({code, zh,
// en}) is shown as the server words it, the seed texts of the locks and a
// full draft box included (src/journey/tc_journey.c, tc_journey_refusal).
//
// This file is the route table only.  The views live in one file per group
// (journey-start, -shoot, -drafts, -result, -mine), their building blocks in
// ui.js, the state, router, tab bar and live updates in core.js, the words
// in journey-text.js.

import './journey-text.js';
import { route, go, buildTabbar, loadJourney, stepRoute } from './core.js';
import { noticeView, tipsView, notifyView } from './journey-start.js';
import { consentView } from './journey-consent.js';
import { shootView, tutorialView, cameraView, albumView, photoView } from './journey-shoot.js';
import { draftsView, submitView, payView, paidView } from './journey-drafts.js';
import { statusView, resultView } from './journey-result.js';
import { mineView, messagesView } from './journey-mine.js';

// Every journey page needs a signed-in student; live: refreshed in place
// when the server reports a change (core.js, startEvents).
export function installJourney() {
  buildTabbar();
  const r = (name, title, fn, extra = {}) => route(name, { title, need: 'student', render: fn, tab: 'home', ...extra });
  r('journey', 'nav.journey', async () => { const j = await loadJourney(); go(stepRoute(j), true); return null; });
  r('consent', 'nav.consent', consentView);
  r('notice', 'nav.notice', noticeView);
  r('tips', 'nav.tips', tipsView);
  r('notify', 'nav.notify', notifyView);
  r('shoot', 'nav.shoot', shootView, { live: true });
  r('tutorial', 'nav.tutorial', tutorialView);
  r('camera', 'nav.camera', cameraView);
  r('album', 'nav.album', albumView);
  r('photo', 'nav.photo', photoView);
  r('drafts', 'nav.drafts', draftsView, { live: true });
  r('submit', 'nav.submit', submitView);
  r('pay', 'nav.pay', payView);
  r('paid', 'nav.paid', paidView);
  r('status', 'nav.status', statusView, { live: true });
  r('result', 'nav.result', resultView, { live: true });
  r('mine', 'nav.mine', mineView, { tab: 'mine' });
  r('messages', 'nav.messages', messagesView, { tab: 'messages', live: true });
}
