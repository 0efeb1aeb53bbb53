// The optional browser phone of the agent desktop: registers the agent's own seat with Asterisk over
// WSS (sip.js + WebRTC), shows the registration state, rings, answers, mutes and hangs up. A seat with a
// desk phone gets no browser phone (the service says so), so the two never take each other's registration.
import { createSeatPhone } from './seat-phone.js';
import { softphoneText } from './softphone-text.js';

const REJECTED_RETRY_MS = 60_000;
const FETCH_RETRY_MS = 30_000;

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Holds the seat's phone for this browser tab: a second tab of the same desktop waits instead of fighting. */
function holdSeat(seat, onWaiting) {
  const locks = navigator.locks;
  if (!locks) return Promise.resolve(() => {});
  return new Promise((held) => {
    let release;
    const holding = new Promise((resolve) => { release = resolve; });
    const name = `hotline-softphone:${seat}`;
    locks.request(name, { ifAvailable: true }, (lock) => {
      if (lock) { held(release); return holding; }
      onWaiting();
      locks.request(name, () => { held(release); return holding; });
      return undefined;
    });
  });
}

/**
 * Mounts the softphone in `element`. fetchJson(path) resolves to the JSON answer (the desktop's api.get);
 * t(key, vars) is the page's translator. Returns { refresh(), close(), state() }: refresh after the agent
 * signs in at another seat; close on leaving (also done on pagehide).
 */
export function mountSoftphone(element, { fetchJson, t, loadSip = (url) => import(url) } = {}) {
  const say = softphoneText(t);
  element.classList.add('softphone');
  const title = el('h3', { class: 'softphone-title' });
  const seat = el('span', { id: 'softphone-seat', class: 'softphone-seat' });
  const badge = el('span', { id: 'softphone-state', class: 'softphone-state', 'data-state': 'registering', role: 'status' });
  const detail = el('p', { id: 'softphone-detail', class: 'softphone-detail' });
  const caller = el('span', { id: 'softphone-caller', class: 'softphone-caller' });
  const callState = el('span', { id: 'softphone-call-state', class: 'softphone-call-state' });
  const answer = el('button', { type: 'button', id: 'softphone-answer', class: 'primary' });
  const hangup = el('button', { type: 'button', id: 'softphone-hangup', class: 'danger' });
  const mute = el('button', { type: 'button', id: 'softphone-mute', 'aria-pressed': 'false' });
  const callBox = el('div', { id: 'softphone-call', class: 'softphone-call' });
  const audio = el('audio', { id: 'softphone-audio', autoplay: '' });
  callBox.hidden = true;
  callBox.append(callState, caller, answer, hangup, mute);
  const head = el('div', { class: 'softphone-head' });
  head.append(title, seat, badge);
  element.replaceChildren(head, detail, callBox, audio);

  let shown = { state: 'registering', detail: {} };
  let account = null;
  let call = null;
  let phone = null;
  let release = null;
  let timer = null;
  let closed = false;
  let generation = 0;

  function why(info) {
    if (!info.reason) return '';
    if (info.reason === 'rejected') {
      const key = info.statusCode === 401 || info.statusCode === 403 ? 'softphone.why.credentials' : 'softphone.why.rejected';
      return say(key, { statusCode: info.statusCode, reasonPhrase: info.reasonPhrase || '' });
    }
    const text = say(`softphone.why.${info.reason}`, info);
    return info.retryInMs ? `${text}，${say('softphone.retry', { seconds: Math.ceil(info.retryInMs / 1000) })}` : text;
  }

  function render() {
    title.textContent = say('softphone.title');
    seat.textContent = account ? say('softphone.seat', { seat: account.seat }) : '';
    badge.dataset.state = shown.state;
    badge.textContent = say(`softphone.state.${shown.state}`);
    if (shown.state === 'off') detail.textContent = say(`softphone.off.${shown.detail.reason}`, { seat: shown.detail.seat || '' });
    else detail.textContent = shown.detail.message ?? why(shown.detail);
    element.dataset.state = shown.state;
    callBox.hidden = !call;
    if (call) {
      callBox.dataset.state = call.state;
      caller.textContent = [call.caller.number || say('softphone.unknown_caller'), call.caller.name].filter(Boolean).join(' ');
      callState.textContent = say(call.state === 'ringing' ? 'softphone.incoming' : call.state === 'talking' ? 'softphone.talking' : 'softphone.connecting');
      answer.hidden = call.state !== 'ringing';
      mute.hidden = call.state !== 'talking';
      mute.setAttribute('aria-pressed', String(call.muted));
      mute.textContent = say(call.muted ? 'softphone.unmute' : 'softphone.mute');
    }
    answer.textContent = say('softphone.answer');
    hangup.textContent = say('softphone.hangup');
  }

  function show(state, info = {}) {
    shown = { state, detail: info };
    render();
  }

  function later(ms, fn) {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  }

  function stopPhone() {
    const p = phone;
    phone = null;
    call = null;
    p?.stop();
  }

  async function start() {
    const mine = ++generation;
    show('registering');
    let given;
    try {
      given = await fetchJson('/api/softphone');
    } catch {
      if (mine !== generation || closed) return;
      show('failed', { reason: 'fetch_failed' });
      later(FETCH_RETRY_MS, start);
      return;
    }
    if (mine !== generation || closed) return;
    if (!given || given.enabled !== true) {
      account = null;
      show('off', { reason: given?.reason || 'disabled', seat: given?.seat || '' });
      return;
    }
    account = given;
    release ??= await holdSeat(given.seat, () => { if (mine === generation) show('unregistered', { reason: 'other_tab' }); });
    let sip;
    try {
      sip = await loadSip(given.sipJs);
    } catch {
      if (mine === generation) show('failed', { reason: 'load_failed' });
      return;
    }
    if (mine !== generation || closed) return;
    phone = createSeatPhone({
      sip, account: given, audio,
      on: {
        state(state, info) {
          if (mine !== generation) return;
          show(state, info);
          // Refused credentials: ask the service again later (the seat's secret may have been rotated).
          if (state === 'failed') later(REJECTED_RETRY_MS, () => { stopPhone(); void start(); });
        },
        call(view) {
          if (mine !== generation) return;
          call = view;
          if (!view) audio.srcObject = null;
          render();
        },
      },
    });
    phone.start();
  }

  answer.addEventListener('click', async () => {
    try {
      await phone?.answer();
    } catch (error) {
      show(shown.state, { ...shown.detail, message: say('softphone.mic_failed', { message: error?.message || String(error) }) });
    }
  });
  hangup.addEventListener('click', () => { phone?.hangup().catch(() => {}); });
  mute.addEventListener('click', () => { if (call) phone?.setMuted(!call.muted); });

  const langWatch = new window.MutationObserver(render);
  langWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  const onLeave = () => close();
  window.addEventListener('pagehide', onLeave);

  function close() {
    if (closed) return;
    closed = true;
    generation++;
    clearTimeout(timer);
    stopPhone();
    release?.();
    release = null;
    langWatch.disconnect();
    window.removeEventListener('pagehide', onLeave);
  }

  void start();
  return {
    refresh() { if (closed) return; clearTimeout(timer); stopPhone(); release?.(); release = null; void start(); },
    close,
    state: () => ({ ...shown, call }),
  };
}
