// The reports page: the month's ranking with its four classes, a unit's trend, top categories, hotspot streets, daily volume.
import { get, post, setCsrfToken, ApiError } from '../desktop/api.js';
import { t, getLang, setLang, applyI18n, onLangChange } from '../i18n.js';
import './strings.js';
import { renderCategories, renderDaily, renderTrend, resizeCharts } from './charts.js';

const $ = (id) => document.getElementById(id);
const CLASSES = ['advanced', 'progress', 'rectification', 'governance'];
const state = { me: null, scope: null, month: '', level: 'unit', selected: null, data: {} };

const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);
const num = (v) => (v === null || v === undefined ? '—' : v.toFixed(2));

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function showError(message) {
  $('reports-error').hidden = !message;
  $('reports-error').textContent = message || '';
}

function errorText(error) {
  if (error instanceof ApiError && error.status === 403) return t('reports.forbidden');
  if (error instanceof ApiError) return getLang() === 'en' ? error.en || error.message : error.zh || error.message;
  return t('error.network');
}

function renderRanking() {
  const report = state.data.ranking;
  const body = $('ranking-table').querySelector('tbody');
  body.replaceChildren();
  if (!report) return;
  $('basis').textContent = t(`reports.basis.${report.basis}`);
  $('basis').dataset.basis = report.basis;
  if (report.rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(t('reports.empty'), 'muted');
    td.colSpan = 11;
    tr.append(td);
    body.append(tr);
  }
  for (const r of report.rows) {
    const tr = document.createElement('tr');
    tr.dataset.code = r.code;
    for (const c of r.classes) tr.classList.add(`class-${c}`);
    tr.setAttribute('aria-selected', String(r.code === state.selected));
    const gain = cell(r.gain === null ? '—' : `${r.gain > 0 ? '+' : ''}${r.gain.toFixed(2)}`, 'num');
    if (r.gain > 0) gain.classList.add('gain-up');
    if (r.gain < 0) gain.classList.add('gain-down');
    const classes = cell('');
    for (const c of CLASSES.filter((k) => r.classes.includes(k))) {
      const badge = document.createElement('span');
      badge.className = `badge badge-${c}`;
      badge.textContent = t(`reports.class.${c}`);
      classes.append(badge);
    }
    tr.append(cell(r.rank ?? '—'), cell(r.name), cell(r.districtName ?? ''), cell(String(r.dispatched), 'num'), cell(pct(r.responseRate), 'num'),
      cell(pct(r.resolutionRate), 'num'), cell(pct(r.satisfactionRate), 'num'), cell(num(r.composite), 'num'), gain, cell(String(r.volume), 'num'), classes);
    tr.addEventListener('click', () => { void selectUnit(r.code); });
    body.append(tr);
  }
}

/** 关账: managers close a month that has ended; a closed month shows when and by whom instead. */
function renderClosing() {
  const report = state.data.ranking;
  const note = $('closed-note');
  const button = $('close-month');
  const manager = state.scope && state.scope.role !== 'unit';
  note.hidden = !(manager && report && report.closed);
  button.hidden = !(manager && report && !report.closed && report.month < state.scope.currentMonth);
  if (!note.hidden) {
    const time = report.closedAt === null ? '' : new Date(report.closedAt).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai' });
    note.textContent = t('reports.closed', { time, by: report.closedBy ?? '' });
  }
}

function askToClose() {
  $('close-text').textContent = t('reports.close.text', { month: state.month });
  $('close-error').textContent = '';
  $('close-confirm').disabled = false;
  $('close-dialog').showModal();
}

async function closeMonth() {
  const month = state.month;
  $('close-confirm').disabled = true;
  try {
    await post(`/api/reports/months/${month}/close`);
    $('close-dialog').close();
    await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      $('close-dialog').close();
      await load();
      showError(t('reports.closed.already'));
      return;
    }
    $('close-error').textContent = errorText(error);
    $('close-confirm').disabled = false;
  }
}

function renderStreets() {
  const body = $('streets-table').querySelector('tbody');
  body.replaceChildren();
  for (const s of state.data.streets?.rows ?? []) {
    const tr = document.createElement('tr');
    tr.append(cell(s.name), cell(s.districtName ?? ''), cell(String(s.count), 'num'));
    body.append(tr);
  }
}

function renderHotspots() {
  const list = $('hotspot-list');
  list.replaceChildren();
  const alerts = state.data.hotspots?.alerts ?? [];
  if (alerts.length === 0) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = t('reports.hotspots.none');
    list.append(li);
  }
  for (const a of alerts) {
    const li = document.createElement('li');
    li.textContent = `${new Date(a.windowStart).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN')} · ${a.unitName} · ${a.category} · ${a.count}`;
    list.append(li);
  }
}

function renderAll() {
  renderRanking();
  renderClosing();
  renderStreets();
  renderHotspots();
  if (state.data.categories) renderCategories($('categories-chart'), state.data.categories.rows);
  if (state.data.daily) renderDaily($('daily-chart'), state.data.daily.days);
  if (state.data.scorecard) {
    $('scorecard-unit').textContent = state.data.scorecard.unit.name;
    $('scorecard-hint').hidden = true;
    renderTrend($('trend-chart'), state.data.scorecard.months);
  }
}

async function selectUnit(code) {
  state.selected = code;
  try {
    state.data.scorecard = await get(`/api/reports/units/${encodeURIComponent(code)}/scorecard?month=${state.month}&months=12`);
    showError('');
  } catch (error) { showError(errorText(error)); }
  renderAll();
}

async function load() {
  const q = `month=${state.month}&level=${state.level}`;
  $('csv').href = `/api/reports/ranking.csv?${q}`;
  try {
    if (state.scope.role === 'unit') {
      await selectUnit(state.scope.unitCode);
      return;
    }
    const [ranking, categories, streets, daily, hotspots] = await Promise.all([
      get(`/api/reports/ranking?${q}`), get(`/api/reports/top-categories?month=${state.month}`),
      get(`/api/reports/hotspot-streets?month=${state.month}`), get(`/api/reports/daily-volume?month=${state.month}`), get('/api/hotspots'),
    ]);
    state.data = { ...state.data, ranking, categories, streets, daily, hotspots };
    showError('');
    const first = ranking.rows[0]?.code;
    if (state.selected === null && first) await selectUnit(first);
    else renderAll();
  } catch (error) { showError(errorText(error)); }
}

async function start() {
  $('login-view').hidden = true;
  $('reports-view').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = `${state.me.user.displayName} (${state.me.user.username})`;
  try { state.scope = await get('/api/reports/me'); } catch (error) { showError(errorText(error)); return; }
  state.month = state.scope.currentMonth;
  const fromUrl = new URLSearchParams(location.search).get('month');
  if (/^\d{4}-\d{2}$/.test(fromUrl || '')) state.month = fromUrl;
  $('month').value = state.month;
  const unitOnly = state.scope.role === 'unit';
  for (const id of ['level-field', 'csv', 'ranking-panel']) $(id).hidden = unitOnly;
  for (const id of ['categories-chart', 'daily-chart', 'streets-table', 'hotspot-list']) $(id).closest('.panel').hidden = unitOnly;
  await load();
}

async function boot() {
  applyI18n();
  document.title = t('reports.title');
  try {
    state.me = await get('/api/me');
    setCsrfToken(state.me.csrfToken);
    await start();
  } catch {
    $('login-view').hidden = false;
  }
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
$('logout').addEventListener('click', async () => { try { await post('/api/logout'); } finally { location.reload(); } });
$('close-month').addEventListener('click', askToClose);
$('close-cancel').addEventListener('click', () => $('close-dialog').close());
$('close-confirm').addEventListener('click', () => { void closeMonth(); });
$('lang-switch').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
$('month').addEventListener('change', () => { if ($('month').value) { state.month = $('month').value; void load(); } });
$('level').addEventListener('change', () => { state.level = $('level').value; state.selected = null; state.data.scorecard = null; void load(); });
onLangChange(() => { applyI18n(); document.title = t('reports.title'); renderAll(); });
window.addEventListener('resize', resizeCharts);
void boot();
