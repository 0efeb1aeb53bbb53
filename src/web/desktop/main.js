// The agent desktop: sign-in, the state bar, the live connection and the screen pop with its form.
import './words.js';
import { get, post, setCsrfToken, ApiError } from './api.js';
import { connectLive } from './live.js';
import { createStateBar } from './state-bar.js';
import { createPopView } from './pop.js';
import { createTicketForm } from './ticket-form.js';
import { createPopNote } from './pop-note.js';
import { mountConference } from './conference.js';
import { mountSoftphone } from '../softphone/softphone.js';
import { t, getLang, setLang, applyI18n, onLangChange } from '../i18n.js';

const $ = (id) => document.getElementById(id);
const POP_KEY = 'hl.pop';
let me = null;
let live = null;
/** The browser phone beside the hardware phone (shown only where the seat is a browser seat). */
let softphone = null;

function showLogin() {
  $('login-view').hidden = false;
  $('desk-view').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login-username').focus();
}

async function loadReference() {
  const [categories, units] = await Promise.all([get('/api/ticket-categories'), get('/api/units')]);
  return { categories: categories.groups, units: units.districts };
}

function rememberPop(pop) {
  try {
    if (pop) window.sessionStorage.setItem(POP_KEY, JSON.stringify(pop)); else window.sessionStorage.removeItem(POP_KEY);
  } catch { /* storage full or disabled */ }
}

function rememberedPop() {
  try { return JSON.parse(window.sessionStorage.getItem(POP_KEY) || 'null'); } catch { return null; }
}

async function startDesk() {
  $('login-view').hidden = true;
  $('desk-view').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = `${me.user.displayName} (${me.user.username})`;
  const { categories, units } = await loadReference();
  const categoryLabel = (code) => {
    const [g, i] = String(code || '').split('/');
    const group = categories.find((x) => x.code === g);
    const item = group?.items.find((x) => x.code === i);
    if (!group) return code || '';
    const pick = (x) => (getLang() === 'en' ? x.en : x.zh);
    return item ? `${pick(group)} / ${pick(item)}` : pick(group);
  };
  const bar = createStateBar();
  const note = createPopNote();
  const popView = createPopView({ categoryLabel, onNote: (ticket, pop) => note.open(ticket, pop) });
  const form = createTicketForm({ categories, units });
  onLangChange(() => { applyI18n(); bar.render(); popView.render(); form.relabel(); note.relabel(); });

  const showPop = (pop, ended) => {
    if (popView.current()?.callId !== pop.callId) note.reset();
    popView.show(pop, { ended });
    rememberPop(pop);
    void form.open(pop.callId, { defaults: { contactPhone: pop.callerNumber } });
  };

  if (me.agent) {
    await bar.refresh();
    softphone = mountSoftphone($('softphone'), { fetchJson: get, t });
  } else {
    $('state-error').hidden = false;
    $('state-error').textContent = t('agent.not_agent');
  }

  const conference = mountConference(document.querySelector('#pop') ?? document.body, { currentCallId: () => popView.current()?.callId ?? null });

  let agentState = null;
  live = connectLive({
    onStatus(state) {
      const el = $('ws-status');
      el.dataset.state = state;
      el.textContent = t(state === 'online' ? 'ws.online' : 'ws.offline');
    },
    onFrame(frame) {
      conference.onFrame(frame);
      if (frame.type === 'hello') {
        if (frame.agent) { agentState = frame.agent.state; bar.update(frame.agent); }
        if (frame.pop) showPop(frame.pop, false);
        else {
          const kept = rememberedPop();
          if (kept && !popView.current()) showPop(kept, true);
        }
      } else if (frame.type === 'pop') {
        showPop(frame.pop, false);
      } else if (frame.type === 'agent.state') {
        // Signing in (perhaps at another seat) changes which seat the browser phone registers as.
        if (frame.state !== 'offline' && agentState === 'offline') softphone?.refresh();
        agentState = frame.state;
        bar.update({ state: frame.state, reason: frame.reason, since: frame.since });
      } else if (frame.type === 'call.ended') {
        popView.ended(frame.callId);
        conference.reset();
      }
    },
  });
}

async function boot() {
  applyI18n();
  $('lang-switch').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  onLangChange(() => { applyI18n(); const s = $('ws-status'); if (s.dataset.state) s.textContent = t(s.dataset.state === 'online' ? 'ws.online' : 'ws.offline'); });
  $('logout').addEventListener('click', async () => {
    try { await post('/api/logout'); } catch { /* already gone */ }
    rememberPop(null);
    softphone?.close();
    live?.close();
    location.reload();
  });
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    $('login-submit').textContent = t('login.busy');
    try {
      const result = await post('/api/login', { username: $('login-username').value.trim(), password: $('login-password').value });
      setCsrfToken(result.csrfToken);
      me = result;
      await startDesk();
    } catch (error) {
      $('login-error').textContent = error instanceof ApiError && error.status === 401 ? t('login.failed')
        : error instanceof ApiError && error.status ? (getLang() === 'en' ? error.en : error.zh) : t('error.network');
    } finally {
      $('login-submit').disabled = false;
      $('login-submit').textContent = t('login.submit');
    }
  });
  try {
    me = await get('/api/me');
    setCsrfToken(me.csrfToken);
    await startDesk();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
    showLogin();
  }
}

void boot();
