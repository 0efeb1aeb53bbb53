// 节假日 Calendar: each year's statutory holidays and makeup working days (调休上班) as date lists, the warning
// for a year the deadlines will need but that is not entered, and save (applied to the deadline clocks at once).
import { el, get, put, t, when, showFieldErrors, clearFieldErrors, note, fill, add } from './common.js';

const state = { year: null };
const DAY = 86_400_000;

export default { titleKey: 'adm.calendar.title', mount };

const weekday = (iso) => new Date(`${iso}T00:00:00Z`).getUTCDay();
const dayText = (iso) => `${iso} ${t(`adm.weekday.${weekday(iso)}`)}`;

/** Every date from `from` to `to` (inclusive, at most a year). */
function range(from, to) {
  const out = [];
  for (let d = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); d <= end && out.length < 366; d += DAY) {
    out.push(new Date(d).toISOString().slice(0, 10));
  }
  return out;
}

function dateList(kind, dates, year, ro, changed) {
  const list = el('ul', { class: 'date-list', id: `cal-${kind}` });
  const draw = () => fill(list, ...[...dates].sort().map((d, i) => el('li', {
    class: weekday(d) === 0 || weekday(d) === 6 ? 'weekend' : '', 'data-date': d, 'data-field': `${kind}.${i}`,
  }, dayText(d), ro ? null : el('button', { type: 'button', class: 'chip-x', title: t('adm.remove'), onclick: () => { dates.delete(d); draw(); changed(); } }, '×'),
  el('small', { class: 'field-error' }))));
  draw();
  const bounds = { min: `${year}-01-01`, max: `${year}-12-31` };
  const from = el('input', { type: 'date', ...bounds, id: `cal-${kind}-from` });
  const to = kind === 'holidays' ? el('input', { type: 'date', ...bounds, id: `cal-${kind}-to` }) : null;
  const add = el('button', {
    type: 'button', id: `cal-${kind}-add`,
    onclick: () => {
      if (!from.value) return;
      for (const d of to?.value ? range(from.value, to.value) : [from.value]) dates.add(d);
      from.value = '';
      if (to) to.value = '';
      draw();
      changed();
    },
  }, t('adm.add'));
  return el('div', { class: 'panel date-panel', 'data-field': kind },
    el('h2', {}, t(`adm.calendar.${kind}`), el('small', { class: 'muted' }, ` ${t(`adm.calendar.${kind}.hint`)}`)),
    list,
    ro ? null : el('div', { class: 'date-add' }, from, to ? el('span', {}, t('adm.calendar.to')) : null, to, add),
    el('small', { class: 'field-error' }));
}

async function mount(root, ctx) {
  const data = await get('/api/admin/calendar');
  const years = new Map((data.years ?? []).map((y) => [y.year, y]));
  const missing = data.missing ?? [];
  const all = [...new Set([...years.keys(), ...missing])].sort();
  const thisYear = Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4));
  if (!all.includes(thisYear + 1)) all.push(thisYear + 1);
  state.year ??= missing[0] ?? (all.includes(thisYear) ? thisYear : all[0]);
  const ro = !ctx.admin;
  const msg = el('p', { class: 'note', id: 'calendar-note', role: 'status', hidden: true });
  const others = el('ul', { class: 'error-list', id: 'calendar-errors' });
  const editor = el('div', { id: 'calendar-editor' });
  const select = el('select', { id: 'calendar-year', onchange: (e) => { state.year = Number(e.target.value); draw(); } },
    all.map((y) => el('option', { value: y, selected: y === state.year }, `${y}${missing.includes(y) ? ` ${t('adm.calendar.missing_mark')}` : ''}`)));

  function draw() {
    const year = state.year;
    const stored = years.get(year);
    const holidays = new Set(stored?.holidays ?? []);
    const makeup = new Set(stored?.makeupWorkdays ?? []);
    const dirty = el('span', { class: 'muted', id: 'calendar-dirty' });
    const changed = () => { dirty.textContent = t('adm.unsaved'); };
    const save = async () => {
      clearFieldErrors(editor);
      try {
        const r = await put(`/api/admin/calendar/${year}`, { holidays: [...holidays].sort(), makeupWorkdays: [...makeup].sort() });
        years.set(year, { year, ...r });
        const gone = missing.indexOf(year);
        if (gone >= 0) missing.splice(gone, 1);
        note(msg, 'ok', t('adm.calendar.saved', { year }));
        fill(others);
        dirty.textContent = '';
        showWarning();
      } catch (error) { note(msg, 'error', showFieldErrors(editor, error, others)); }
    };
    fill(editor, 
      el('p', { class: 'muted', id: 'calendar-source' }, stored
        ? t('adm.calendar.source', { source: t(`adm.calendar.source.${stored.source}`), at: when(stored.updatedAt), by: stored.updatedBy ?? '—' })
        : t('adm.calendar.none', { year })),
      el('div', { class: 'calendar-grid' }, dateList('holidays', holidays, year, ro, changed), dateList('makeupWorkdays', makeup, year, ro, changed)),
      ro ? null : el('div', { class: 'save-bar' }, dirty, el('span', { class: 'spacer' }),
        el('button', { type: 'button', class: 'primary', id: 'calendar-save', onclick: save }, t('adm.calendar.save', { year }))));
  }
  const warning = el('div', { class: 'warning-banner', id: 'calendar-missing', role: 'alert' });
  function showWarning() {
    warning.hidden = missing.length === 0;
    warning.textContent = t('adm.calendar.missing', { years: missing.join('、') });
  }
  showWarning();
  add(root, warning,
    el('div', { class: 'filters' }, el('label', { class: 'inline' }, el('span', {}, t('adm.calendar.year')), select),
      el('small', { class: 'muted' }, t('adm.calendar.help'))),
    editor, msg, others);
  draw();
}
