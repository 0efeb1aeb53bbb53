// The service-level part of the board: the tiles, the line and desk tables, the ticking longest wait.
import { t } from '../i18n.js';
import { clockText, pct, seconds, serverNow, timeLabel } from './format.js';

const $ = (id) => document.getElementById(id);
const STATES = ['ready', 'ringing', 'on_call', 'wrap_up', 'paused', 'offline'];

function level(share, good, fair) {
  if (share === null || share === undefined) return '';
  return share >= good ? 'ok' : share >= fair ? 'warn' : 'bad';
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
}

export function createBoard() {
  let snapshot = null;

  function renderTable(table, rows) {
    const head = ['wb.name', 'wb.waiting', 'wb.longest', 'wb.rate15', 'wb.answerRate', 'wb.offered', 'wb.answered', 'wb.abandoned', 'wb.overflowed', 'wb.asa', 'wb.aht'];
    table.replaceChildren();
    const thead = document.createElement('tr');
    for (const key of head) {
      const th = document.createElement('th');
      th.textContent = t(key);
      if (key === 'wb.rate15' || key === 'wb.answerRate') th.title = `${t('wb.today')} / ${t('wb.hour')}`;
      thead.appendChild(th);
    }
    table.appendChild(thead);
    for (const row of rows) {
      const tr = document.createElement('tr');
      tr.dataset.key = row.key;
      cell(tr, row.name);
      cell(tr, String(row.waiting), row.waiting > 0 ? 'bad' : '');
      const wait = document.createElement('td');
      wait.className = 'mono longest';
      wait.dataset.since = row.longestWaitSince ?? '';
      tr.appendChild(wait);
      cell(tr, `${pct(row.today.rate15)} / ${pct(row.hour.rate15)}`);
      cell(tr, `${pct(row.today.answerRate)} / ${pct(row.hour.answerRate)}`);
      cell(tr, String(row.today.offered));
      cell(tr, String(row.today.answered));
      cell(tr, String(row.today.abandoned));
      cell(tr, String(row.today.overflowed ?? 0));
      cell(tr, seconds(row.today.asaSeconds));
      cell(tr, seconds(row.today.ahtSeconds));
      table.appendChild(tr);
    }
  }

  function renderAgents(agents) {
    const box = $('agent-states');
    box.replaceChildren();
    const total = document.createElement('span');
    total.className = 'agent-state';
    total.innerHTML = '<span></span><b></b>';
    total.firstChild.textContent = t('wb.agents.total');
    total.lastChild.textContent = String(agents.total);
    box.appendChild(total);
    for (const s of STATES) {
      const el = document.createElement('span');
      el.className = 'agent-state';
      el.dataset.state = s;
      el.innerHTML = '<span class="badge"></span><b></b>';
      el.firstChild.dataset.state = s;
      el.firstChild.textContent = t(`state.${s}`);
      el.lastChild.textContent = String(agents.byState[s] ?? 0);
      box.appendChild(el);
    }
  }

  function render() {
    if (!snapshot) return;
    const { total } = snapshot;
    $('kpi-waiting').textContent = String(total.waiting);
    $('kpi-longest').dataset.since = total.longestWaitSince ?? '';
    $('kpi-rate15').textContent = pct(total.today.rate15);
    $('kpi-rate15-hour').textContent = pct(total.hour.rate15);
    $('kpi-answerRate').textContent = pct(total.today.answerRate);
    $('kpi-answerRate-hour').textContent = pct(total.hour.answerRate);
    $('kpi-abandoned').textContent = String(total.today.abandoned);
    $('kpi-abandoned-hour').textContent = String(total.hour.abandoned);
    $('kpi-overflowed').textContent = String(total.today.overflowed ?? 0);
    $('kpi-overflowed-hour').textContent = String(total.hour.overflowed ?? 0);
    $('kpi-asa').textContent = seconds(total.today.asaSeconds);
    $('kpi-asa-hour').textContent = seconds(total.hour.asaSeconds);
    $('kpi-aht').textContent = seconds(total.today.ahtSeconds);
    $('kpi-aht-hour').textContent = seconds(total.hour.ahtSeconds);
    document.querySelector('[data-kpi="rate15"]').dataset.level = level(total.today.rate15, 0.9, 0.8);
    document.querySelector('[data-kpi="answerRate"]').dataset.level = level(total.today.answerRate, 0.95, 0.9);
    document.querySelector('[data-kpi="waiting"]').dataset.level = total.waiting > 0 ? 'warn' : 'ok';
    renderTable($('lines-table'), snapshot.lines);
    renderTable($('desks-table'), snapshot.desks);
    renderAgents(snapshot.agents);
    $('updated').textContent = t('wb.updated', { time: timeLabel(snapshot.at) });
    tick();
  }

  /** Longest waits count up every second on the screen, between frames. */
  function tick() {
    const now = serverNow();
    for (const el of document.querySelectorAll('#kpi-longest, td.longest')) {
      const since = Number(el.dataset.since);
      el.textContent = el.dataset.since ? clockText(now - since) : '00:00';
    }
  }

  return {
    update(next) { snapshot = next; render(); },
    render,
    tick,
    current: () => snapshot,
  };
}
