// The agent grid: only the rows in view are in the DOM (750+ agents stay smooth), rows are patched
// in place when a frame changes them, and a canvas seat map shows every agent's state at a glance.
import { t, tOr } from '../i18n.js';
import { clockText, serverNow } from './format.js';

const ROW_H = 28;
const BUFFER = 8;
const STATES = ['ready', 'ringing', 'on_call', 'wrap_up', 'paused', 'offline'];
const COLOURS = { ready: '#2e9d62', ringing: '#2f6fc4', on_call: '#d03a3a', wrap_up: '#8a5cc2', paused: '#d48a1c', offline: '#9aa5b1' };
const $ = (id) => document.getElementById(id);

function stateText(row) {
  const state = tOr(`state.${row.state}`, row.state);
  return row.reason ? `${state} · ${tOr(`reason.${row.reason}`, row.reason)}` : state;
}

export function createAgentGrid({ onAction }) {
  const rows = new Map();
  const shown = new Map();
  const stale = new Set();
  let order = [];
  let orderDirty = true;
  let frame = 0;
  let filterState = '';
  let search = '';
  const body = $('agent-body');
  const spacer = $('agent-spacer');
  const canvas = $('seat-map');

  function header() {
    const cols = ['wb.col.seat', 'wb.col.name', 'wb.col.state', 'wb.col.since', 'wb.col.caller', 'wb.col.line', 'wb.col.calls', 'wb.col.handle', 'wb.col.actions'];
    $('agent-head').replaceChildren(...cols.map((key) => { const s = document.createElement('span'); s.textContent = t(key); return s; }));
    const select = $('grid-state');
    select.replaceChildren(new Option(t('wb.grid.all'), ''), ...STATES.map((s) => new Option(t(`state.${s}`), s)));
    select.value = filterState;
  }

  function matches(row) {
    if (filterState && row.state !== filterState) return false;
    if (!search) return true;
    return row.id.toLowerCase().includes(search) || row.name.toLowerCase().includes(search) || row.seat.toLowerCase().includes(search);
  }

  function recomputeOrder() {
    order = [...rows.values()].filter(matches).sort((a, b) => (a.seat < b.seat ? -1 : a.seat > b.seat ? 1 : 0)).map((r) => r.id);
    orderDirty = false;
    spacer.style.height = `${order.length * ROW_H}px`;
    $('grid-count').textContent = t('wb.grid.count', { shown: order.length, total: rows.size });
  }

  function build(id) {
    const el = document.createElement('div');
    el.className = 'agent-row';
    el.setAttribute('role', 'row');
    el.dataset.agent = id;
    el.innerHTML = '<span class="mono seat"></span><span class="name"></span><span><span class="badge state"></span></span>'
      + '<span class="mono since"></span><span class="mono caller"></span><span class="line"></span><span class="calls"></span>'
      + '<span class="mono handle"></span><span class="actions"><button type="button" data-action="ready"></button>'
      + '<button type="button" data-action="pause"></button><button type="button" data-action="logout"></button></span>';
    return el;
  }

  function fill(el, row) {
    const q = (sel) => el.querySelector(sel);
    q('.seat').textContent = row.seat;
    q('.name').textContent = row.name;
    const badge = q('.state');
    badge.dataset.state = row.state;
    badge.textContent = stateText(row);
    q('.since').dataset.since = String(row.since);
    q('.since').textContent = clockText(serverNow() - row.since);
    q('.caller').textContent = row.caller ?? '';
    q('.line').textContent = row.line ?? '';
    q('.calls').textContent = String(row.callsToday);
    q('.handle').textContent = clockText(row.handleSecondsToday * 1000);
    for (const b of el.querySelectorAll('button')) b.textContent = t(`wb.force.${b.dataset.action}`);
    el.dataset.state = row.state;
  }

  function render() {
    frame = 0;
    if (orderDirty) recomputeOrder();
    const top = body.scrollTop;
    const height = body.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / ROW_H) - BUFFER);
    const last = Math.min(order.length, Math.ceil((top + height) / ROW_H) + BUFFER);
    const keep = new Set();
    for (let i = first; i < last; i++) {
      const id = order[i];
      keep.add(id);
      let el = shown.get(id);
      const fresh = !el;
      if (fresh) { el = build(id); shown.set(id, el); body.appendChild(el); }
      el.style.top = `${i * ROW_H}px`;
      if (fresh || stale.has(id)) fill(el, rows.get(id));
    }
    for (const [id, el] of shown) if (!keep.has(id)) { el.remove(); shown.delete(id); }
    stale.clear();
    drawSeatMap();
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function drawSeatMap() {
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio)) { canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio); }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const all = [...rows.values()].sort((a, b) => (a.seat < b.seat ? -1 : 1));
    if (all.length === 0) return;
    const cols = Math.ceil(Math.sqrt((all.length * width) / height));
    const size = Math.max(2, Math.min(width / cols, height / Math.ceil(all.length / cols)));
    all.forEach((row, i) => {
      ctx.fillStyle = COLOURS[row.state] ?? '#9aa5b1';
      ctx.fillRect((i % cols) * size, Math.floor(i / cols) * size, size - 1, size - 1);
    });
  }

  body.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
  body.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const row = rows.get(button.closest('.agent-row').dataset.agent);
    if (row) onAction(row, button.dataset.action);
  });
  $('grid-state').addEventListener('change', (e) => { filterState = e.target.value; orderDirty = true; schedule(); });
  $('grid-search').addEventListener('input', (e) => { search = e.target.value.trim().toLowerCase(); orderDirty = true; schedule(); });
  header();

  return {
    setAll(list) {
      rows.clear();
      for (const r of list) rows.set(r.id, r);
      for (const el of shown.values()) el.remove();
      shown.clear();
      orderDirty = true;
      schedule();
    },
    patch(list) {
      for (const r of list) {
        const was = rows.get(r.id);
        rows.set(r.id, r);
        if (!was || ((filterState || search) && was.state !== r.state) || was.seat !== r.seat) orderDirty = true;
        stale.add(r.id);
      }
      if (list.length) schedule();
    },
    /** Time in state counts up every second for the rows in view. */
    tick() {
      const now = serverNow();
      for (const el of shown.values()) {
        const since = el.querySelector('.since');
        since.textContent = clockText(now - Number(since.dataset.since));
      }
    },
    relabel() { header(); for (const id of shown.keys()) stale.add(id); orderDirty = true; schedule(); },
    redraw: schedule,
    size: () => rows.size,
  };
}
