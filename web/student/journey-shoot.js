// Shooting (seed 000 §8–§14): the choice between live and album with the
// server's refusal (cool-off countdown, the locks, a full draft box), the
// tutorial watched to the end, the rear-camera viewfinder, the album upload,
// and the production page with the checks' result.  Lock texts are the
// server's, shown as sent (tc_journey_refusal).

import { t, getLang } from '/common/i18n.js';
import { api, ApiError } from '/common/api.js';
import { h, errorRegion, showError, newId } from '/common/dom.js';
import { state, withBusy, go, render, onLeave, currentView, bilingual, loadJourney } from './core.js';
import { page, lead, btn, linkBtn, btnArea, noticeBox, proofImg, seedTime, fmtLeft, nowSec, both, countdown } from './ui.js';
import { outline, SCENES, icon } from './figures.js';
import { startGuide } from './guide.js';

// ---- shooting: the choice, and refusals ------------------------------------------------------

// The server answers shoot.allowed for live shooting; "watch the tutorial
// first" is not a block here: the live choice leads to the tutorial.
function canShoot(j) {
  const sh = j.shoot || {};
  return !!sh.allowed || !!(sh.reason && sh.reason.code === 'journey.tutorial_unwatched');
}

// The refusal in the server's words (a lock names the draft box when it
// holds photos); the cool-off is said by the countdown instead.
function shootRefusal(j) {
  const sh = j.shoot || {};
  if (canShoot(j) || !sh.reason) return null;
  if (sh.reason.code === 'journey.cooloff' && sh.cooloff_until) return null; // the countdown says it
  return sh.reason;
}

export async function shootView() {
  const j = await loadJourney();
  const sh = j.shoot || {};
  const set = j.settings || {};
  const drafts = j.drafts || [];
  const parts = [];
  const refusal = shootRefusal(j);
  const blocked = !canShoot(j);
  if (refusal) parts.push(noticeBox(refusal));
  let coolEl = null;
  if (blocked && sh.cooloff_until && sh.cooloff_until > nowSec()) {
    coolEl = h('p', { class: 'tc-box tc-box_info tc-cooloff', role: 'timer', 'aria-live': 'off' });
    parts.push(coolEl);
  }
  const choice = (key, tipKey, iconName, href, mode) => {
    const attrs = { class: 'tc-choice' + (blocked ? ' is-disabled' : ''), dataset: { mode } };
    const inner = [icon(iconName), h('span', { class: 'tc-choice__text' }, h('strong', { i18n: key }), h('small', { i18n: tipKey }))];
    return blocked ? h('div', { ...attrs, 'aria-disabled': 'true', role: 'link' }, inner) : h('a', { ...attrs, href }, inner);
  };
  const liveHref = j.progress && j.progress.tutorial_done ? '#/camera' : '#/tutorial';
  const choices = h('div', { class: 'tc-choices', role: 'group', 'aria-label': t('shoot.lead') },
    set.live_allowed === false ? null : choice('shoot.live', 'shoot.live_tip', 'camera', liveHref, 'live'),
    set.album_allowed ? choice('shoot.album', 'shoot.album_tip', 'album', '#/album', 'album') : null);
  const node = page('tc-shoot', lead('shoot.lead'), ...parts, choices,
    btnArea(
      drafts.length || (sh.reason && /lock|full/.test(sh.reason.code))
        ? linkBtn('shoot.drafts', '#/drafts', !!refusal, { n: drafts.length, cap: set.draft_capacity || 3 }) : null,
      linkBtn('shoot.read_tips', '#/tips')));
  if (coolEl) {
    const tm = seedTime(sh.cooloff_until);
    countdown(sh.cooloff_until, (left) => {
      coolEl.textContent = t('shoot.cooloff', { time: getLang() === 'zh' ? tm.zh : tm.en }) + ' · ' + fmtLeft(left);
    }, () => render({ quiet: true }), coolEl);
  }
  return node;
}

// Upload a picture; on 202 go to the production page.  A refusal that
// is a lock or a full draft box sends the student to the shooting page,
// which shows the seed's text.
async function uploadPhoto(blob, name, source, err) {
  showError(err, null);
  const fd = new FormData();
  fd.append('photo', blob, name);
  fd.append('source', source);
  try {
    const res = await withBusy('shoot.uploading', () => api.postForm('/api/v1/me/photos', fd));
    const photo = res.data && res.data.photo;
    go('photo/' + photo.id);
    return true;
  } catch (e) {
    // every refusal is shown where the student is, in the server's words (the cool-off or
    // lock with its time, a full draft box …); the journey is refreshed behind it
    showError(err, e);
    if (e instanceof ApiError && ['journey.locked', 'journey.live_locked', 'journey.drafts_full', 'journey.cooloff'].includes(e.code))
      await loadJourney().catch(() => {});
    return false;
  }
}

// ---- the tutorial (seed 000 §8): watched to the end before "next" ---------------------------

const SCENE_MS = 2400;

export async function tutorialView() {
  const j = await loadJourney();
  if (!canShoot(j)) { go('shoot', true); return null; }
  const err = errorRegion();
  const total = SCENES.length * SCENE_MS;
  let elapsed = 0, playing = true, ended = false, last = performance.now(), scene = -1;
  const already = !!(j.progress && j.progress.tutorial_done);
  const stage = h('div', { class: 'tc-video__stage' });
  const caption = h('p', { class: 'tc-video__caption', 'aria-live': 'polite' });
  const bar = h('div', { class: 'tc-video__bar' });
  const progress = h('div', { class: 'tc-video__progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', i18nAttr: { 'aria-label': 'tutorial.progress' } }, bar);
  const play = h('button', { type: 'button', class: 'tc-video__play', i18nAttr: { 'aria-label': 'tutorial.pause' }, dataset: { state: 'playing' } });
  const next = btn('common.next', { primary: true, disabled: !already, cls: 'tc-next' });
  const status = h('p', { class: 'tc-hint', 'aria-live': 'polite', i18n: already ? 'tutorial.watched' : 'tutorial.must_watch' });
  const video = h('div', { class: 'tc-video', role: 'group', dataset: { state: 'playing' }, i18nAttr: { 'aria-label': 'nav.tutorial' } }, stage, caption,
    h('div', { class: 'tc-video__controls' }, play, progress));

  const showScene = (i) => {
    if (i === scene) return;
    scene = i;
    stage.replaceChildren ? stage.replaceChildren(SCENES[i]()) : (stage.textContent = '', stage.append(SCENES[i]()));
    caption.dataset.i18n = `tutorial.s${i + 1}`;
    caption.textContent = t(`tutorial.s${i + 1}`);
  };
  const setPlaying = (on) => {
    playing = on;
    last = performance.now();
    const key = ended ? 'tutorial.replay' : on ? 'tutorial.pause' : 'tutorial.play';
    play.dataset.i18nAttr = `aria-label:${key}`;
    play.setAttribute('aria-label', t(key));
    play.dataset.state = ended ? 'ended' : on ? 'playing' : 'paused';
    video.dataset.state = play.dataset.state;
    video.classList.toggle('is-paused', !on);
  };
  const finish = async () => {
    ended = true;
    setPlaying(false);
    status.dataset.i18n = 'tutorial.watched';
    status.textContent = t('tutorial.watched');
    try {
      await api.post('/api/v1/me/tutorial/done');
      next.disabled = false;
    } catch (e) { showError(err, e); }
  };
  play.addEventListener('click', () => {
    if (ended) { ended = false; elapsed = 0; scene = -1; setPlaying(true); return; }
    setPlaying(!playing);
  });
  const timer = setInterval(() => {
    const now = performance.now();
    // Time counts only while playing and visible: a hidden tab is not watching.
    if (playing && !ended && document.visibilityState === 'visible') elapsed += now - last;
    last = now;
    const pct = Math.min(100, (elapsed / total) * 100);
    bar.style.width = pct.toFixed(1) + '%'; // CSSOM, allowed by the CSP (not a style attribute)
    progress.setAttribute('aria-valuenow', String(Math.round(pct)));
    showScene(Math.min(SCENES.length - 1, Math.floor(elapsed / SCENE_MS)));
    if (!ended && elapsed >= total) finish();
  }, 100);
  onLeave(() => clearInterval(timer));
  showScene(0);
  next.addEventListener('click', () => go('camera'));
  return page('tc-tutorial', lead('tutorial.lead'), video, status, err, btnArea(next));
}

// ---- the viewfinder (seed 000 §9–§10) --------------------------------------------------------

// Rear camera only.  facingMode {exact: environment} first; a browser that
// cannot honour "exact" (no facing information, e.g. some in-app webviews
// and desktop cameras) is asked again without it, and a camera that then
// says it faces the user is refused.
async function openRearCamera() {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) throw Object.assign(new Error('unsupported'), { name: 'Unsupported' });
  const size = { width: { ideal: 1440 }, height: { ideal: 1920 } };
  const exact = (md.getSupportedConstraints ? md.getSupportedConstraints() : {}).facingMode !== false;
  try {
    if (exact) return await md.getUserMedia({ audio: false, video: { facingMode: { exact: 'environment' }, ...size } });
  } catch (e) {
    if (e.name !== 'OverconstrainedError' && e.name !== 'ConstraintNotSatisfiedError') throw e;
  }
  const stream = await md.getUserMedia({ audio: false, video: { facingMode: 'environment', ...size } });
  const track = stream.getVideoTracks()[0];
  const facing = track && track.getSettings ? track.getSettings().facingMode : undefined;
  if (facing === 'user') {
    stream.getTracks().forEach((tr) => tr.stop());
    throw Object.assign(new Error('front camera'), { name: 'NoRearCamera' });
  }
  return stream;
}

export async function cameraView() {
  const j = await loadJourney();
  if (!canShoot(j)) { go('shoot', true); return null; }
  if (!(j.progress && j.progress.tutorial_done)) { go('tutorial', true); return null; }
  const err = errorRegion();
  const video = h('video', { class: 'tc-viewfinder__video', playsinline: true, muted: true, autoplay: true, 'aria-hidden': 'true' });
  video.muted = true;
  video.setAttribute('playsinline', '');
  const canvas = h('canvas', { class: 'tc-viewfinder__canvas', hidden: true, role: 'img', i18nAttr: { 'aria-label': 'camera.preview' } });
  const status = h('p', { class: 'tc-viewfinder__status', role: 'status', i18n: 'camera.starting' });
  // the guide is drawn from the batch's spec; without it, from 学信网's proportions
  const spec = await api.get('/api/v1/me/spec').then((r) => r.data.spec, () => null);
  // the live guide (issue 19 item 8): one hint at a time, the server's thresholds
  const hint = h('p', { class: 'tc-guide', role: 'status', 'aria-live': 'polite', hidden: true });
  const glasses = h('p', { class: 'tc-guide tc-guide_glasses', hidden: true, i18n: 'camera.hint_glasses' });
  const finder = h('div', { class: 'tc-viewfinder', role: 'group', i18nAttr: { 'aria-label': 'camera.region' } }, video, canvas, outline(spec), hint, glasses, status);
  const shutter = h('button', { type: 'button', class: 'tc-shutter', disabled: true, i18nAttr: { 'aria-label': 'camera.shutter' } });
  const retake = btn('camera.retake', { cls: 'tc-retake' });
  const ok = btn('camera.confirm', { primary: true, cls: 'tc-confirm-photo' });
  const previewBtns = h('div', { class: 'tc-btn-row', hidden: true }, retake, ok);
  const checkHint = h('p', { class: 'tc-hint', hidden: true, i18n: 'camera.check_preview' });
  const fallback = h('div', { class: 'tc-fallback', hidden: true });
  let stream = null, stopGuide = () => {}, glassesOn = false;
  const stop = () => { stopGuide(); if (stream) stream.getTracks().forEach((tr) => tr.stop()); stream = null; };
  const showHint = (key, glassesRule) => {
    glassesOn = key !== null && !!glassesRule;
    if (key === null) delete hint.dataset.hint;
    glasses.hidden = !glassesOn || video.hidden;
    hint.hidden = !key || video.hidden;
    if (!key) return;
    hint.dataset.hint = key;
    hint.dataset.i18n = 'camera.hint_' + key;
    hint.textContent = t('camera.hint_' + key);
    hint.classList.toggle('is-ok', key === 'ok');
  };
  onLeave(stop);

  const showFallback = (reasonKey) => {
    stop();
    finder.hidden = true;
    shutter.hidden = true;
    fallback.hidden = false;
    const inputId = newId('cap');
    const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: inputId, class: 'tc-file-input', 'aria-describedby': inputId + '-why' });
    const preview = h('img', { class: 'tc-proof', hidden: true, i18nAttr: { alt: 'camera.preview' } });
    const send = btn('camera.confirm', { primary: true, cls: 'tc-confirm-photo', attrs: { hidden: true } });
    let file = null;
    input.addEventListener('change', () => {
      file = input.files[0] || null;
      if (!file) return;
      if (preview.src) URL.revokeObjectURL(preview.src);
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
      send.hidden = false;
    });
    send.addEventListener('click', () => { if (file) uploadPhoto(file, file.name || 'photo.jpg', 'camera', err); });
    fallback.append(
      h('div', { class: 'tc-box tc-box_warn', role: 'alert', id: inputId + '-why' },
        h('i', { class: 'weui-icon-warn', 'aria-hidden': 'true' }),
        h('p', { class: 'tc-box__text' }, h('span', { i18n: reasonKey }), ' ', h('span', { i18n: 'camera.fallback' }))),
      input, h('label', { for: inputId, class: 'weui-btn weui-btn_primary tc-file-btn' }, h('span', { i18n: 'camera.fallback_btn' })),
      preview, btnArea(send));
  };

  (async () => {
    try {
      stream = await openRearCamera();
      if (!finder.isConnected && !document.body.contains(finder)) { /* may still be mounting */ }
      video.srcObject = stream;
      await video.play().catch(() => {});
      status.hidden = true;
      shutter.disabled = false;
      // hints only advise: without the detector (no WebAssembly, blocked, slow) the camera is as before
      const guide = await api.get('/api/v1/me/guide').then((r) => r.data.guide, () => null);
      if (stream && guide) stopGuide = startGuide(video, guide, showHint);
    } catch (e) {
      const key = e.name === 'NotAllowedError' || e.name === 'SecurityError' ? 'camera.denied'
        : e.name === 'Unsupported' ? 'camera.unsupported' : 'camera.no_rear';
      showFallback(key);
    }
  })();

  shutter.addEventListener('click', () => {
    const w = video.videoWidth, hgt = video.videoHeight;
    if (!w || !hgt) return;
    canvas.width = w;
    canvas.height = hgt;
    canvas.getContext('2d').drawImage(video, 0, 0, w, hgt);
    canvas.hidden = false;
    video.hidden = true;
    hint.hidden = glasses.hidden = true;
    shutter.hidden = true;
    previewBtns.hidden = false;
    checkHint.hidden = false;
    finder.classList.add('is-preview');
    ok.focus();
  });
  retake.addEventListener('click', () => {
    canvas.hidden = true;
    video.hidden = false;
    if (hint.dataset.hint) hint.hidden = false;
    glasses.hidden = !glassesOn;
    shutter.hidden = false;
    previewBtns.hidden = true;
    checkHint.hidden = true;
    finder.classList.remove('is-preview');
    shutter.focus();
  });
  ok.addEventListener('click', () => {
    ok.disabled = true;
    canvas.toBlob(async (blob) => {
      if (!blob) { ok.disabled = false; return; }
      const sent = await uploadPhoto(blob, 'camera.jpg', 'camera', err);
      if (sent) stop(); else ok.disabled = false;
    }, 'image/jpeg', 0.92);
  });
  return page('tc-camera', lead('camera.lead'), finder, fallback, checkHint, err,
    h('div', { class: 'tc-shutter-row' }, shutter), previewBtns);
}

// ---- album upload ---------------------------------------------------------------------------

export async function albumView() {
  const j = await loadJourney();
  if (!(j.settings && j.settings.album_allowed)) {
    return page('tc-album', noticeBox(both('album.not_allowed')), btnArea(linkBtn('common.back', '#/shoot')));
  }
  if (!canShoot(j)) { go('shoot', true); return null; }
  const err = errorRegion();
  const inputId = newId('album');
  const input = h('input', { type: 'file', accept: 'image/*', id: inputId, name: 'photo', class: 'tc-file-input' });
  const label = h('label', { for: inputId, class: 'weui-btn weui-btn_default tc-file-btn' }, h('span', { i18n: 'album.choose' }));
  const preview = h('img', { class: 'tc-proof', hidden: true, i18nAttr: { alt: 'camera.preview' } });
  const send = btn('album.upload', { primary: true, disabled: true, cls: 'tc-confirm-photo' });
  let file = null;
  input.addEventListener('change', () => {
    file = input.files[0] || null;
    if (!file) return;
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    send.disabled = false;
    label.firstChild.dataset.i18n = 'album.rechoose';
    label.firstChild.textContent = t('album.rechoose');
  });
  send.addEventListener('click', async () => {
    if (!file) return;
    send.disabled = true;
    if (!await uploadPhoto(file, file.name || 'photo.jpg', 'album', err)) send.disabled = false;
  });
  return page('tc-album', lead('album.lead'), preview, h('div', { class: 'tc-center tc-pad' }, input, label), err, btnArea(send));
}

// ---- production and checks (seed 000 §11) -------------------------------------------------------

const TERMINAL = new Set(['draft', 'failed', 'error', 'used', 'deleted']);

export async function photoView(id) {
  const err = errorRegion();
  let photo = (await api.get(`/api/v1/me/photos/${encodeURIComponent(id)}`)).data;
  // a live region: the result (draft, or the failed checks) is read out when it arrives
  const body = h('div', { class: 'tc-photo', 'aria-live': 'polite' });
  const node = page('tc-photo-page', body, err);
  const show = async () => {
    if (photo.state === 'processing') body.replaceChildren(processing());
    else body.replaceChildren(await finished(photo));
    body.dataset.state = photo.state;
  };
  const started = performance.now();
  const processing = () => {
    const bar = h('div', { class: 'tc-progress__bar' });
    const pct = Math.min(92, 8 + (performance.now() - started) / 250);
    bar.style.width = pct + '%';
    return h('div', { class: 'tc-processing' },
      h('div', { class: 'tc-processing__icon', 'aria-hidden': 'true' }, h('span', { class: 'weui-primary-loading' }, h('span', { class: 'weui-primary-loading__dot' }))),
      h('p', { class: 'tc-processing__text', role: 'status', i18n: 'photo.processing' }),
      h('div', { class: 'tc-progress', 'aria-hidden': 'true' }, bar),
      h('ol', { class: 'tc-steps', i18nAttr: { 'aria-label': 'photo.steps' } },
        h('li', { class: 'is-done', i18n: 'photo.step_upload' }),
        h('li', { class: 'is-current', i18n: 'photo.step_make' }),
        h('li', { i18n: 'photo.step_check' })));
  };
  await show();
  if (photo.state === 'processing') {
    let busy = false, stopped = false;
    const poll = async () => {
      if (busy || stopped) return;
      busy = true;
      try {
        photo = (await api.get(`/api/v1/me/photos/${encodeURIComponent(id)}`)).data;
        if (TERMINAL.has(photo.state)) { stopped = true; clearInterval(timer); await show(); if (currentView() === 'photo') document.getElementById('page-title').focus(); }
        else { const bar = body.querySelector('.tc-progress__bar'); if (bar) bar.style.width = Math.min(92, 8 + (performance.now() - started) / 250) + '%'; }
      } catch (e) { showError(err, e); } finally { busy = false; }
    };
    const timer = setInterval(poll, 1000);
    const onEvent = (ev) => { if (ev.detail.type === 'photo' && (!ev.detail.data || String(ev.detail.data.id) === String(id))) poll(); };
    window.addEventListener('tc:event', onEvent);
    onLeave(() => { stopped = true; clearInterval(timer); window.removeEventListener('tc:event', onEvent); });
  }
  return node;
}

async function finished(photo) {
  const j = await loadJourney().catch(() => state.journey || {});
  const hasDrafts = ((j && j.drafts) || []).length > 0;
  if (photo.state === 'draft') {
    return h('div', { class: 'tc-result-box' },
      h('i', { class: 'weui-icon-success weui-icon_msg', 'aria-hidden': 'true' }),
      h('h2', { class: 'tc-result-box__title', i18n: 'photo.draft' }),
      h('p', { class: 'tc-lead', i18n: 'photo.draft_lead' }),
      photo.proof_url ? proofImg(photo.proof_url) : null,
      btnArea(linkBtn('common.next', `#/submit/${photo.id}`, true), linkBtn('photo.continue', '#/shoot'), linkBtn('nav.drafts', '#/drafts')));
  }
  if (photo.state === 'failed' || photo.state === 'error') {
    // the server sends the reasons that matter most, each once (at most 3); checks that
    // could not run are no failures and are not listed: the student never reads a code
    const items = (photo.failed || []).map((f) => bilingual(h('li', { dataset: { code: f.code } }), f));
    // a lock this photo started or met, in the server's words (seed 000 §12–§13)
    const locked = photo.lock || null;
    const retake = h('button', { type: 'button', class: 'weui-btn weui-btn_primary tc-retake', onclick: () => go('shoot') });
    const note = h('p', { class: 'tc-cooloff', role: 'timer', 'aria-live': 'off' });
    const out = h('div', { class: 'tc-result-box' },
      h('i', { class: 'weui-icon-warn weui-icon_msg', 'aria-hidden': 'true' }),
      h('h2', { class: 'tc-result-box__title', i18n: photo.state === 'error' ? 'photo.error' : 'photo.failed' }),
      items.length ? h('p', { class: 'tc-lead', i18n: 'photo.failed_lead' }) : null,
      items.length ? h('ul', { class: 'tc-reasons' }, items) : null,
      !locked && photo.message ? bilingual(h('p', { class: 'tc-lead tc-photo__message' }), photo.message) : null,
      locked ? noticeBox(locked) : null,
      note,
      btnArea(locked ? null : retake, hasDrafts ? linkBtn(locked ? 'shoot.go_drafts' : 'nav.drafts', '#/drafts', !!locked) : null,
        linkBtn('shoot.read_tips', '#/tips')));
    const until = photo.cooloff_until || 0;
    if (!locked && until > nowSec()) {
      retake.disabled = true;
      const tm = seedTime(until);
      countdown(until, (left) => {
        retake.textContent = t('photo.retake_wait', { time: fmtLeft(left) });
        retake.setAttribute('aria-label', t('photo.retake') + ' ' + fmtLeft(left));
        note.textContent = t('photo.cooloff_note', { time: getLang() === 'zh' ? tm.zh : tm.en });
      }, () => {
        retake.disabled = false;
        retake.dataset.i18n = 'photo.retake';
        retake.textContent = t('photo.retake');
        retake.removeAttribute('aria-label');
        note.textContent = '';
      }, retake);
    } else {
      retake.dataset.i18n = 'photo.retake';
      retake.textContent = t('photo.retake');
    }
    return out;
  }
  return h('div', { class: 'tc-result-box' },
    h('p', { class: 'tc-lead', i18n: photo.state === 'used' ? 'photo.used' : 'photo.deleted' }),
    btnArea(linkBtn('home.continue', '#/journey', true)));
}
