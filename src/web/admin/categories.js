// 分类 Categories: the two-level tree with each category's urgency and handling class; edit names and classes,
// add, retire (a category used by tickets is retired, never removed or recoded), and the effective time (now,
// or later to schedule the version). Every error the server finds is shown at its field.
import { el, get, put, t, when, showFieldErrors, clearFieldErrors, note, fromLocalInput, fill, add } from './common.js';

const URGENCY = ['life_safety', 'utilities', 'general', 'complex'];
const HANDLING = ['township', 'department'];

export default { titleKey: 'adm.categories.title', mount };

function classSelect(values, value, prefix, attrs, inherit) {
  return el('select', attrs,
    inherit ? el('option', { value: '', selected: !value }, t('adm.categories.inherit')) : null,
    values.map((v) => el('option', { value: v, selected: v === value }, t(`${prefix}.${v}`))));
}

async function mount(root, ctx) {
  const data = await get('/api/admin/categories');
  const groups = JSON.parse(JSON.stringify(data.groups ?? []));
  const fresh = new WeakSet();
  const msg = el('p', { class: 'note', id: 'categories-note', role: 'status', hidden: true });
  const others = el('ul', { class: 'error-list', id: 'categories-errors' });
  const tbody = el('tbody');
  const ro = !ctx.admin;

  const cell = (name, input) => el('td', { 'data-field': name }, input, el('small', { class: 'field-error' }));
  const text = (obj, key, name, attrs = {}) => cell(name, el('input', {
    value: obj[key] ?? '', disabled: ro || (key === 'code' && !fresh.has(obj)), maxlength: key === 'code' ? 65 : 100, 'data-input': name, ...attrs,
    oninput: (e) => { obj[key] = e.target.value; },
  }));
  const pick = (obj, key, name, values, prefix, inherit) => cell(name, classSelect(values, obj[key], prefix, {
    disabled: ro, 'data-input': name, onchange: (e) => { if (e.target.value) obj[key] = e.target.value; else delete obj[key]; },
  }, inherit));
  const retired = (obj, name) => cell(name, el('input', { type: 'checkbox', checked: obj.retired, disabled: ro, 'data-input': name, onchange: (e) => { obj.retired = e.target.checked; draw(); } }));
  const remove = (list, obj) => (fresh.has(obj) && !ro
    ? el('button', { type: 'button', class: 'link-button', onclick: () => { list.splice(list.indexOf(obj), 1); draw(); } }, t('adm.remove')) : null);

  function draw() {
    const rows = [];
    groups.forEach((g, gi) => {
      const p = `groups.${gi}`;
      rows.push(el('tr', { class: `group-row${g.retired ? ' retired' : ''}`, 'data-code': g.code },
        text(g, 'code', `${p}.code`), text(g, 'zh', `${p}.zh`), text(g, 'en', `${p}.en`),
        pick(g, 'urgency', `${p}.urgency`, URGENCY, 'adm.urgency'), pick(g, 'handling', `${p}.handling`, HANDLING, 'adm.handling'),
        retired(g, `${p}.retired`), el('td', {}, remove(groups, g))));
      (g.items ?? []).forEach((it, ii) => {
        const q = `${p}.items.${ii}`;
        rows.push(el('tr', { class: `item-row${it.retired || g.retired ? ' retired' : ''}`, 'data-code': it.code },
          text(it, 'code', `${q}.code`, { class: 'indent' }), text(it, 'zh', `${q}.zh`), text(it, 'en', `${q}.en`),
          pick(it, 'urgency', `${q}.urgency`, URGENCY, 'adm.urgency', true), pick(it, 'handling', `${q}.handling`, HANDLING, 'adm.handling', true),
          retired(it, `${q}.retired`), el('td', {}, remove(g.items, it))));
      });
      if (!ro) {
        rows.push(el('tr', { class: 'add-row' }, el('td', { colspan: 7 }, el('button', {
          type: 'button', class: 'link-button', 'data-add-item': g.code,
          onclick: () => { const it = { code: `${g.code}/`, zh: '', en: '', retired: false }; fresh.add(it); (g.items ??= []).push(it); draw(); },
        }, t('adm.categories.add_item', { group: g.zh || g.code })))));
      }
    });
    fill(tbody, ...rows);
  }
  draw();

  const effective = el('input', { type: 'datetime-local', id: 'categories-effective', disabled: ro });
  const save = async () => {
    clearFieldErrors(root);
    const body = { groups };
    const at = fromLocalInput(effective.value);
    if (at !== undefined) body.effectiveAt = at;
    try {
      const r = await put('/api/admin/categories', body);
      note(msg, 'ok', t('adm.categories.saved', { version: r.version, at: when(r.effectiveAt) }));
      fill(others);
    } catch (error) { note(msg, 'error', showFieldErrors(root, error, others)); }
  };
  const scheduled = (data.scheduled ?? []).map((s) => el('li', {}, t('adm.categories.scheduled_one', { version: s.version, at: when(s.effectiveAt) })));
  add(root, 
    el('p', { class: 'version-line', id: 'categories-version' }, t('adm.version_line', { version: data.version, at: when(data.effectiveAt) })),
    scheduled.length ? el('div', { class: 'scheduled' }, el('strong', {}, t('adm.scheduled')), el('ul', {}, scheduled)) : null,
    el('div', { class: 'panel scroll-x' }, el('table', { class: 'grid tree', id: 'categories-table' },
      el('thead', {}, el('tr', {}, ['adm.categories.code', 'adm.categories.zh', 'adm.categories.en', 'adm.categories.urgency', 'adm.categories.handling', 'adm.categories.retired', '']
        .map((k) => el('th', {}, k ? t(k) : '')))),
      tbody)),
    ro ? null : el('div', { class: 'save-bar' },
      el('button', {
        type: 'button', id: 'categories-add-group',
        onclick: () => { const g = { code: '', zh: '', en: '', urgency: 'general', handling: 'township', retired: false, items: [] }; fresh.add(g); groups.push(g); draw(); },
      }, t('adm.categories.add_group')),
      el('span', { class: 'spacer' }),
      el('label', { class: 'inline', 'data-field': 'effectiveAt' }, el('span', {}, t('adm.effective_at')), effective, el('small', { class: 'field-error' })),
      el('small', { class: 'muted' }, t('adm.effective_hint')),
      el('button', { type: 'button', class: 'primary', id: 'categories-save', onclick: save }, t('adm.save_version'))),
    msg, others);
}
