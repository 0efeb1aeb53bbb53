// 三方通话 on the agent desktop: call a unit's contact (by unit code or number) into the current call,
// drop the unit, or leave the citizen and the unit connected. Progress arrives as `conference.status` frames.
import { post, ApiError } from './api.js';
import { t, getLang } from '../i18n.js';

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Mounts the three-way panel in `root`. `currentCallId()` gives the call on the desktop (or null).
 * Returns { onFrame(frame), reset() }: feed it every socket frame; reset when the call ends.
 */
export function mountConference(root, { currentCallId }) {
  let conferenceId = null;
  const panel = el('section', { class: 'conference', 'aria-labelledby': 'conf-title' });
  const title = el('h3', { id: 'conf-title' }, t('conf.title'));
  const unit = el('input', { id: 'conf-unit', maxlength: '32', placeholder: t('conf.unit') });
  const number = el('input', { id: 'conf-number', maxlength: '32', inputmode: 'tel', placeholder: t('conf.number') });
  const call = el('button', { type: 'button', id: 'conf-call', class: 'primary' }, t('conf.call'));
  const drop = el('button', { type: 'button', id: 'conf-drop', disabled: '' }, t('conf.drop'));
  const leave = el('button', { type: 'button', id: 'conf-leave', disabled: '' }, t('conf.leave'));
  const status = el('p', { id: 'conf-status', role: 'status', class: 'muted' });
  panel.append(title, unit, number, call, drop, leave, status);
  root.append(panel);

  function show(text, active, connected) {
    status.textContent = text;
    call.disabled = active;
    drop.disabled = !active;
    leave.disabled = !connected;
  }

  function fail(error) {
    const text = error instanceof ApiError ? (getLang() === 'en' ? error.en : error.zh) || error.message : t('error.network');
    show(text, conferenceId !== null, false);
  }

  call.addEventListener('click', async () => {
    const callId = currentCallId();
    if (!callId) return;
    const body = unit.value.trim() ? { unitCode: unit.value.trim() } : { number: number.value.trim() };
    try {
      const res = await post(`/api/calls/${encodeURIComponent(callId)}/conference`, body);
      conferenceId = res.conference.id;
      show(t(`conf.status.${res.conference.status}`), true, false);
    } catch (error) { fail(error); }
  });
  drop.addEventListener('click', async () => {
    if (conferenceId) try { await post(`/api/conferences/${conferenceId}/drop-unit`); } catch (error) { fail(error); }
  });
  leave.addEventListener('click', async () => {
    if (conferenceId) try { await post(`/api/conferences/${conferenceId}/leave`); } catch (error) { fail(error); }
  });

  return {
    onFrame(frame) {
      if (frame?.type !== 'conference.status') return;
      const c = frame.conference;
      conferenceId = c.id;
      const active = ['dialing', 'ringing', 'connected'].includes(c.status);
      show(t(`conf.status.${c.status}`), active, c.status === 'connected');
      if (!active) conferenceId = null;
    },
    reset() { conferenceId = null; show('', false, false); },
  };
}
