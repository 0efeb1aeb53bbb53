// The supervisors' wallboard: sign-in, the live socket (/ws/wallboard), the board, the chart, the
// agent grid with force actions, and the wall-TV layout (button or ?tv=1).
import './strings.js';
import { get, post, setCsrfToken, ApiError } from '../desktop/api.js';
import { connectLive } from '../desktop/live.js';
import { t, getLang, setLang, applyI18n, onLangChange } from '../i18n.js';
import { createBoard } from './board.js';
import { createCharts } from './charts.js';
import { createAgentGrid } from './grid.js';
import { syncClock, serverNow, timeLabel } from './format.js';

const $ = (id) => document.getElementById(id);
const ALLOWED = new Set(['supervisor', 'admin']);
let me = null;
let started = false;

function relabelPage() {
  applyI18n();
  document.title = t('wb.title');
  $('tv-toggle').textContent = t(document.body.classList.contains('tv') ? 'wb.tv.exit' : 'wb.tv');
  const s = $('ws-status');
  s.textContent = t(s.dataset.state === 'online' ? 'ws.online' : 'ws.offline');
}

function setTv(on) {
  document.body.classList.toggle('tv', on);
  const url = new URL(location.href);
  if (on) url.searchParams.set('tv', '1'); else url.searchParams.delete('tv');
  history.replaceState(null, '', url);
  relabelPage();
  if (on && document.documentElement.requestFullscreen && !document.fullscreenElement) {
    document.documentElement.requestFullscreen().catch(() => { /* needs a user gesture; the layout still applies */ });
  } else if (!on && document.fullscreenElement) {
    document.exitFullscreen().catch(() => {});
  }
}

function showLogin(message) {
  $('login-view').hidden = false;
  $('board-view').hidden = true;
  $('logout').hidden = true;
  $('login-error').textContent = message ?? '';
}

function forceDialog(grid) {
  const dialog = $('force-dialog');
  let target = null;
  $('force-cancel').addEventListener('click', () => dialog.close());
  $('force-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const reason = $('force-reason').value.trim();
    if (reason.length < 2) { $('force-error').textContent = t('wb.force.reason'); return; }
    const { row, action } = target;
    const message = $('action-message');
    try {
      await post(`/api/wallboard/agents/${encodeURIComponent(row.id)}/force`, { action, reason });
      message.dataset.kind = 'ok';
      message.textContent = t('wb.force.done', { action: `${t(`wb.force.${action}`)} ${row.name}` });
      dialog.close();
    } catch (error) {
      const text = error instanceof ApiError ? (getLang() === 'en' ? error.en : error.zh) : t('error.network');
      $('force-error').textContent = t('wb.force.refused', { message: text });
    }
    grid.redraw();
  });
  return (row, action) => {
    target = { row, action };
    $('force-title').textContent = t('wb.force.title', { action: t(`wb.force.${action}`), name: row.name, seat: row.seat });
    $('force-reason').value = '';
    $('force-error').textContent = '';
    dialog.showModal();
    $('force-reason').focus();
  };
}

function startBoard() {
  if (started) return;
  started = true;
  $('login-view').hidden = true;
  $('board-view').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = `${me.user.displayName} (${me.user.username})`;
  const board = createBoard();
  const charts = createCharts($('chart'));
  const grid = createAgentGrid({ onAction: (row, action) => openForce(row, action) });
  const openForce = forceDialog(grid);
  onLangChange(() => { relabelPage(); board.render(); grid.relabel(); charts.redraw(); });
  $('tv-toggle').addEventListener('click', () => { setTv(!document.body.classList.contains('tv')); charts.redraw(); grid.redraw(); });

  connectLive({
    path: '/ws/wallboard',
    onStatus(state) { $('ws-status').dataset.state = state === 'online' ? 'online' : 'offline'; relabelPage(); },
    onFrame(frame) {
      syncClock(frame.serverTime);
      if (frame.type === 'hello') {
        grid.setAll(frame.agents);
      } else if (frame.type === 'wallboard') {
        grid.patch(frame.agents);
      } else {
        return;
      }
      board.update(frame.snapshot);
      charts.update(frame.snapshot.history);
      document.body.dataset.seq = String(frame.seq ?? 0);
    },
  });
  setInterval(() => {
    board.tick();
    grid.tick();
    $('clock').textContent = timeLabel(serverNow());
  }, 1000);
}

async function boot() {
  relabelPage();
  if (new URLSearchParams(location.search).get('tv') === '1') setTv(true);
  $('lang-switch').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  $('logout').addEventListener('click', async () => {
    try { await post('/api/logout'); } catch { /* already gone */ }
    location.reload();
  });
  const enter = (session) => {
    me = session;
    setCsrfToken(session.csrfToken);
    if (!ALLOWED.has(session.user.role)) { showLogin(t('wb.forbidden')); return; }
    startBoard();
  };
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    try {
      enter(await post('/api/login', { username: $('login-username').value.trim(), password: $('login-password').value }));
    } catch (error) {
      $('login-error').textContent = error instanceof ApiError && error.status === 401 ? t('login.failed') : t('error.network');
    } finally {
      $('login-submit').disabled = false;
    }
  });
  try {
    enter(await get('/api/me'));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
    showLogin();
  }
}

void boot();
