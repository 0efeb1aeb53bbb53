// The recordings page: search, a reason before every play, and the player that seeks through range requests.
import { get, post, setCsrfToken, ApiError } from '../desktop/api.js';
import { t, getLang, setLang, applyI18n, onLangChange } from '../i18n.js';

const $ = (id) => document.getElementById(id);
const state = { me: null, rows: [], current: null };

function showError(message) {
  $('rec-error').hidden = !message;
  $('rec-error').textContent = message || '';
}

function errorText(error) {
  if (error instanceof ApiError && error.status === 403) return t('rec.forbidden');
  if (error instanceof ApiError) return getLang() === 'en' ? error.en || error.message : error.zh || error.message;
  return t('error.network');
}

const duration = (ms) => (ms === null || ms === undefined ? '—' : `${Math.floor(ms / 60000)}:${String(Math.round(ms / 1000) % 60).padStart(2, '0')}`);

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function render() {
  const body = $('results').querySelector('tbody');
  body.replaceChildren();
  if (state.rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(t('rec.empty'));
    td.colSpan = 7;
    tr.append(td);
    body.append(tr);
  }
  for (const r of state.rows) {
    const tr = document.createElement('tr');
    tr.dataset.id = r.id;
    tr.setAttribute('aria-selected', String(state.current?.id === r.id));
    const status = r.deletedAt ? t('rec.status.deleted') : r.held ? t('rec.status.held') : r.disputed ? t('rec.status.disputed') : t('rec.status.kept');
    const action = document.createElement('td');
    if (r.playable) {
      const play = document.createElement('button');
      play.type = 'button';
      play.className = 'play';
      play.textContent = t('rec.play');
      play.addEventListener('click', () => void choose(r));
      action.append(play);
    }
    tr.append(cell(new Date(r.createdAt).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN')), cell(r.ticketNumber ?? '—'),
      cell(r.callerNumber), cell(r.agentName ?? r.agentId ?? '—'), cell(duration(r.durationMs)), cell(status), action);
    body.append(tr);
  }
}

/** Supervisors and admins give a reason for every access; agents may leave it empty. */
function askReason() {
  return new Promise((resolve) => {
    const dialog = $('reason-dialog');
    $('reason-text').value = '';
    const done = (value) => { dialog.close(); resolve(value); };
    $('reason-cancel').onclick = () => done(null);
    $('reason-form').onsubmit = (event) => {
      event.preventDefault();
      const text = $('reason-text').value.trim();
      if (text.length >= 2) done(text);
    };
    dialog.showModal();
  });
}

async function choose(row) {
  const reason = await askReason();
  if (reason === null) return;
  state.current = row;
  const q = `reason=${encodeURIComponent(reason)}`;
  $('player').hidden = false;
  $('player-title').textContent = `${row.ticketNumber ?? row.callId ?? row.id} · ${row.callerNumber}`;
  $('audio').src = `/api/recordings/${encodeURIComponent(row.id)}/audio?${q}`;
  $('download').href = `/api/recordings/${encodeURIComponent(row.id)}/audio?${q}&download=1`;
  render();
}

async function search() {
  showError('');
  const params = new URLSearchParams();
  for (const [key, id] of [['ticket', 'q-ticket'], ['caller', 'q-caller'], ['agent', 'q-agent']]) {
    const v = $(id).value.trim();
    if (v) params.set(key, v);
  }
  if ($('q-from').value) params.set('from', String(new Date(`${$('q-from').value}T00:00:00+08:00`).getTime()));
  if ($('q-to').value) params.set('to', String(new Date(`${$('q-to').value}T00:00:00+08:00`).getTime() + 86_400_000));
  try {
    state.rows = (await get(`/api/recordings?${params}`)).recordings;
  } catch (error) {
    state.rows = [];
    showError(errorText(error));
  }
  render();
}

async function start() {
  $('login-view').hidden = true;
  $('rec-view').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = `${state.me.user.displayName} (${state.me.user.username})`;
  await search();
}

async function boot() {
  applyI18n();
  document.title = t('rec.title');
  try {
    state.me = await get('/api/me');
    setCsrfToken(state.me.csrfToken);
  } catch {
    $('login-view').hidden = false;
    return;
  }
  await start();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    state.me = await post('/api/login', { username: $('login-username').value.trim(), password: $('login-password').value });
    setCsrfToken(state.me.csrfToken);
    await start();
  } catch (error) {
    $('login-error').textContent = error instanceof ApiError && error.status === 401 ? t('login.failed') : errorText(error);
  }
});
$('search-form').addEventListener('submit', (event) => { event.preventDefault(); void search(); });
$('logout').addEventListener('click', async () => { try { await post('/api/logout'); } finally { location.reload(); } });
$('lang-switch').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
onLangChange(() => { applyI18n(); document.title = t('rec.title'); render(); });
void boot();
