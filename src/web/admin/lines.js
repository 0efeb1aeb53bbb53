// 热线与队列 Lines and desks, as a form: each line (number, name, greeting, wrap-up, desk, priority, 一次一评) and
// each desk (id, name, target skills and level, priority, limits, where it overflows), with the desk's overflow
// rules and queue announcements as small JSON editors checked before sending; the effective time (now or
// scheduled); the server's errors shown at their fields. Changes apply to new callers only.
import { el, get, put, t, when, showFieldErrors, clearFieldErrors, note, fromLocalInput, forgetDesks, fill, add } from './common.js';

export default { titleKey: 'adm.lines.title', mount };

const LINE_FIELDS = [
  ['number', 'text', 20], ['name', 'text', 100], ['greeting', 'text', 200], ['wrapUpSeconds', 'number'], ['queue', 'queue'], ['priority', 'number'], ['rateAfterCall', 'bool'],
];
const QUEUE_FIELDS = [
  ['id', 'text', 32], ['name', 'text', 100], ['target.skills', 'list'], ['target.minLevel', 'number'], ['priority', 'number'],
  ['maxWaiting', 'number'], ['maxWaitSeconds', 'number'], ['overflowTo', 'overflow'],
];

function getPath(obj, path) { return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj); }
function setPath(obj, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  const parent = keys.reduce((o, k) => (o[k] ??= {}), obj);
  if (value === undefined) delete parent[last]; else parent[last] = value;
}

async function mount(root, ctx) {
  const data = await get('/api/admin/lines');
  const lines = JSON.parse(JSON.stringify(data.lines ?? []));
  const queues = JSON.parse(JSON.stringify(data.queues ?? []));
  const ro = !ctx.admin;
  const msg = el('p', { class: 'note', id: 'lines-note', role: 'status', hidden: true });
  const others = el('ul', { class: 'error-list', id: 'lines-errors' });
  const linesBox = el('div', { class: 'panel scroll-x' });
  const queuesBox = el('div', { class: 'desk-cards', id: 'desk-cards' });
  const jsonProblems = new Map();

  function input(obj, path, kind, name, max) {
    const value = getPath(obj, path);
    const common = { disabled: ro, 'data-input': name, 'aria-label': t(`adm.lines.f.${path}`) };
    let node;
    if (kind === 'bool') node = el('input', { type: 'checkbox', checked: value === true, ...common, onchange: (e) => setPath(obj, path, e.target.checked) });
    else if (kind === 'number') node = el('input', { type: 'number', value: value ?? '', class: 'num-input', ...common, oninput: (e) => setPath(obj, path, e.target.value === '' ? undefined : Number(e.target.value)) });
    else if (kind === 'list') node = el('input', { value: (value ?? []).join(', '), ...common, oninput: (e) => setPath(obj, path, e.target.value.split(/[,，\s]+/).filter(Boolean)) });
    else if (kind === 'queue' || kind === 'overflow') {
      const options = kind === 'overflow' ? [['callback', t('adm.lines.callback')], ...queues.filter((q) => q !== obj).map((q) => [q.id, q.id])] : queues.map((q) => [q.id, q.id]);
      node = el('select', { ...common, onchange: (e) => setPath(obj, path, e.target.value || undefined) },
        kind === 'queue' ? el('option', { value: '', selected: !value }, t('adm.lines.first_queue')) : null,
        options.map(([v, label]) => el('option', { value: v, selected: v === value }, label)),
        value && !options.some(([v]) => v === value) ? el('option', { value, selected: true }, value) : null);
    } else node = el('input', { value: value ?? '', maxlength: max, ...common, oninput: (e) => setPath(obj, path, e.target.value === '' && path !== 'number' && path !== 'id' ? undefined : e.target.value) });
    return node;
  }
  const cell = (name, node) => el('td', { 'data-field': name }, node, el('small', { class: 'field-error' }));

  function jsonBox(obj, key, name) {
    const area = el('textarea', { rows: 4, class: 'mono', disabled: ro, 'data-input': name, spellcheck: 'false' });
    area.value = JSON.stringify(obj[key] ?? (key === 'overflowRules' ? [] : {}), null, 1);
    area.addEventListener('input', () => {
      try { obj[key] = JSON.parse(area.value); jsonProblems.delete(name); area.classList.remove('invalid'); } catch { jsonProblems.set(name, true); area.classList.add('invalid'); }
    });
    return el('label', { class: 'field', 'data-field': name }, el('span', {}, t(`adm.lines.f.${key}`)), area, el('small', { class: 'field-error' }));
  }

  function draw() {
    fill(linesBox, el('h2', {}, t('adm.lines.lines')), el('table', { class: 'grid', id: 'lines-table' },
      el('thead', {}, el('tr', {}, LINE_FIELDS.map(([f]) => el('th', {}, t(`adm.lines.f.${f}`))), el('th', {}))),
      el('tbody', {}, lines.map((line, i) => el('tr', { 'data-line': line.number },
        LINE_FIELDS.map(([f, kind, max]) => cell(`lines.${i}.${f}`, input(line, f, kind, `lines.${i}.${f}`, max))),
        el('td', {}, ro ? null : el('button', { type: 'button', class: 'link-button', onclick: () => { lines.splice(i, 1); draw(); } }, t('adm.remove'))))))),
    ro ? null : el('button', { type: 'button', id: 'lines-add', onclick: () => { lines.push({ number: '', rateAfterCall: false }); draw(); } }, t('adm.lines.add_line')));
    fill(queuesBox, ...queues.map((q, i) => el('div', { class: 'panel desk-card', 'data-desk': q.id },
      el('div', { class: 'desk-fields' }, QUEUE_FIELDS.map(([f, kind, max]) => el('label', { class: 'field', 'data-field': `queues.${i}.${f}` },
        el('span', {}, t(`adm.lines.f.${f}`)), input(q, f, kind, `queues.${i}.${f}`, max), el('small', { class: 'field-error' })))),
      el('div', { class: 'desk-json' }, jsonBox(q, 'overflowRules', `queues.${i}.overflowRules`), jsonBox(q, 'announcements', `queues.${i}.announcements`)),
      ro ? null : el('button', { type: 'button', class: 'link-button', onclick: () => { queues.splice(i, 1); draw(); } }, t('adm.lines.remove_desk')))));
  }
  const addDesk = ro ? null : el('button', {
    type: 'button', id: 'desks-add',
    onclick: () => { queues.push({ id: '', target: { skills: ['general'], minLevel: 1 }, overflowRules: [], priority: 0, overflowTo: 'callback', announcements: {} }); draw(); },
  }, t('adm.lines.add_desk'));
  draw();

  const effective = el('input', { type: 'datetime-local', id: 'lines-effective', disabled: ro });
  const save = async () => {
    clearFieldErrors(root);
    if (jsonProblems.size) { note(msg, 'error', t('adm.lines.bad_json')); return; }
    const body = { lines, queues };
    const at = fromLocalInput(effective.value);
    if (at !== undefined) body.effectiveAt = at;
    try {
      const r = await put('/api/admin/lines', body);
      forgetDesks();
      fill(others);
      note(msg, 'ok', t('adm.lines.saved', { version: r.version, at: when(r.effectiveAt) }));
    } catch (error) { note(msg, 'error', showFieldErrors(root, error, others)); }
  };
  const scheduled = (data.scheduled ?? []).map((s) => el('li', {}, t('adm.categories.scheduled_one', { version: s.version, at: when(s.effectiveAt) })));
  add(root, 
    el('p', { class: 'version-line', id: 'lines-version' }, t('adm.version_line', { version: data.version, at: when(data.effectiveAt) })),
    el('p', { class: 'muted' }, t('adm.lines.help')),
    scheduled.length ? el('div', { class: 'scheduled' }, el('strong', {}, t('adm.scheduled')), el('ul', {}, scheduled)) : null,
    linesBox, el('h2', { class: 'sub-title' }, t('adm.lines.desks')), queuesBox, addDesk,
    ro ? null : el('div', { class: 'save-bar' }, el('span', { class: 'spacer' }),
      el('label', { class: 'inline', 'data-field': 'effectiveAt' }, el('span', {}, t('adm.effective_at')), effective, el('small', { class: 'field-error' })),
      el('small', { class: 'muted' }, t('adm.effective_hint')),
      el('button', { type: 'button', class: 'primary', id: 'lines-save', onclick: save }, t('adm.save_version'))),
    msg, others);
}
