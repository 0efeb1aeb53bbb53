// 单位 Units: the handling-unit directory (districts, streets, townships, departments, utilities) with search and
// filters; add, rename and the contact number for three-way calls, retire and restore (the server refuses to
// retire a unit with open dispatches and says how many), and each unit's accounts.
import { el, get, post, patch, t, query, when, errorText, showFieldErrors, note, pager, table, confirmAction, openDialog, fill, add } from './common.js';

const KINDS = ['district', 'street', 'township', 'department', 'utility'];
const filters = { q: '', kind: '', district: '', state: 'active', offset: 0, limit: 50 };

export default { titleKey: 'adm.units.title', mount };

const kindText = (kind) => t(`adm.kind.${kind}`);

const field = (name, key, input) => el('label', { class: 'field', 'data-field': name }, el('span', {}, t(key)), input, el('small', { class: 'field-error' }));

function unitDialog(unit, districts, done) {
  openDialog((close) => {
    const creating = !unit;
    const inputs = {
      code: el('input', { id: 'unit-code', value: unit?.code ?? '', disabled: !creating, maxlength: 32 }),
      name: el('input', { id: 'unit-name', value: unit?.name ?? '', maxlength: 100 }),
      kind: el('select', { id: 'unit-kind', disabled: !creating }, KINDS.map((k) => el('option', { value: k, selected: k === (unit?.kind ?? 'street') }, kindText(k)))),
      districtCode: el('select', { id: 'unit-district', disabled: !creating }, el('option', { value: '' }, t('adm.none')),
        districts.map((d) => el('option', { value: d.code, selected: d.code === unit?.districtCode }, d.name))),
      contactNumber: el('input', { id: 'unit-contact', value: unit?.contactNumber ?? '', maxlength: 24 }),
      handles: el('input', { id: 'unit-handles', value: (unit?.handles ?? []).join(', '), placeholder: 'water/outage, heating', maxlength: 2000 }),
    };
    const message = el('p', { class: 'form-error', role: 'alert' });
    const others = el('ul', { class: 'error-list' });
    const form = el('form', { class: 'adm-form', id: 'unit-form', novalidate: true },
      el('h2', {}, t(creating ? 'adm.units.create' : 'adm.units.edit')),
      field('code', 'adm.units.code', inputs.code), field('name', 'adm.units.name', inputs.name),
      field('kind', 'adm.units.kind', inputs.kind), field('districtCode', 'adm.units.district', inputs.districtCode),
      field('contactNumber', 'adm.units.contact', inputs.contactNumber),
      field('handles', 'adm.units.handles', inputs.handles), el('small', { class: 'muted' }, t('adm.units.handles_hint')),
      creating ? null : el('p', { class: 'muted' }, t('adm.units.rename_note')),
      message, others,
      el('div', { class: 'dialog-actions' }, el('button', { type: 'button', onclick: close }, t('adm.cancel')),
        el('button', { type: 'submit', class: 'primary', id: 'unit-save' }, t('adm.save'))));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const v = (k) => inputs[k].value.trim();
      const handles = v('handles').split(/[,，;；\s]+/).filter(Boolean);
      const body = {};
      if (creating) {
        Object.assign(body, { code: v('code'), name: v('name'), kind: v('kind') });
        if (v('districtCode')) body.districtCode = v('districtCode');
        if (v('contactNumber')) body.contactNumber = v('contactNumber');
        if (handles.length) body.handles = handles;
      } else {
        if (v('name') !== unit.name) body.name = v('name');
        if (v('contactNumber') !== (unit.contactNumber ?? '')) body.contactNumber = v('contactNumber') || null;
        if (handles.join(',') !== (unit.handles ?? []).join(',')) body.handles = handles;
        if (!Object.keys(body).length) { close(); return; }
      }
      try {
        const r = creating ? await post('/api/admin/units', body) : await patch(`/api/admin/units/${encodeURIComponent(unit.code)}`, body);
        close();
        done(t(creating ? 'adm.units.created' : 'adm.units.saved', { name: r.unit?.name ?? body.name ?? unit.name }));
      } catch (error) { message.textContent = showFieldErrors(form, error, others); }
    });
    return form;
  }, { id: 'unit-dialog' });
}

async function usersRow(unit, cols) {
  const cell = el('td', { colspan: cols, class: 'sub' }, t('adm.loading'));
  const tr = el('tr', { class: 'sub-row', 'data-users-of': unit.code }, cell);
  get(`/api/admin/units/${encodeURIComponent(unit.code)}/users`).then((r) => {
    const users = Array.isArray(r) ? r : r.users ?? [];
    fill(cell, users.length
      ? table(['adm.f.username', 'adm.f.display_name', 'adm.f.state'], users.map((u) => [u.username, u.displayName,
        t(u.disabled ? 'adm.state.disabled' : 'adm.state.active')]))
      : el('span', { class: 'muted' }, t('adm.units.no_users')));
  }).catch((error) => fill(cell, errorText(error)));
  return tr;
}

async function mount(root, ctx) {
  const districts = await get('/api/admin/units?kind=district&limit=200&state=active').then((r) => r.units ?? []).catch(() => []);
  const msg = el('p', { class: 'note', id: 'units-note', role: 'status', hidden: true });
  const list = el('div', { id: 'units-list' });
  const inputs = {
    q: el('input', { id: 'units-q', type: 'search', value: filters.q, placeholder: t('adm.units.search'), maxlength: 64 }),
    kind: el('select', { id: 'units-kind' }, el('option', { value: '' }, t('adm.units.all_kinds')), KINDS.map((k) => el('option', { value: k, selected: k === filters.kind }, kindText(k)))),
    district: el('select', { id: 'units-district' }, el('option', { value: '' }, t('adm.units.all_districts')),
      districts.map((d) => el('option', { value: d.code, selected: d.code === filters.district }, d.name))),
    state: el('select', { id: 'units-state' }, ['active', 'retired'].map((s) => el('option', { value: s, selected: s === filters.state }, t(`adm.units.state.${s}`)))),
  };
  const cols = ctx.admin ? 8 : 7;
  async function act(unit, action) {
    if (action === 'retire' && !(await confirmAction(t('adm.units.confirm_retire', { name: unit.name })))) return;
    try {
      await post(`/api/admin/units/${encodeURIComponent(unit.code)}/${action}`);
      note(msg, 'ok', t(`adm.units.done.${action}`, { name: unit.name }));
      void load();
    } catch (error) { note(msg, 'error', errorText(error)); }
  }
  function row(u) {
    const users = el('button', {
      type: 'button', class: 'link-button', 'data-users': u.code,
      onclick: async (e) => {
        const tr = e.target.closest('tr');
        const open = tr.nextElementSibling?.dataset.usersOf === u.code;
        if (open) tr.nextElementSibling.remove(); else tr.after(await usersRow(u, cols));
      },
    }, String(u.users ?? 0));
    return el('tr', { 'data-code': u.code, 'data-retired': u.retiredAt ? 'yes' : 'no' },
      el('td', { class: 'mono' }, u.code), el('td', {}, u.name), el('td', {}, kindText(u.kind)), el('td', {}, u.districtName ?? ''),
      el('td', { class: 'mono' }, u.contactNumber ?? ''), el('td', { class: 'num' }, users),
      el('td', {}, u.retiredAt ? el('span', { class: 'tag tag-bad' }, `${t('adm.units.retired')} ${when(u.retiredAt)}`) : el('span', { class: 'tag tag-ok' }, t('adm.units.active'))),
      ctx.admin ? el('td', { class: 'actions' },
        el('button', { type: 'button', 'data-action': 'edit', onclick: () => unitDialog(u, districts, (text) => { note(msg, 'ok', text); void load(); }) }, t('adm.edit')),
        u.retiredAt
          ? el('button', { type: 'button', 'data-action': 'restore', onclick: () => act(u, 'restore') }, t('adm.units.restore'))
          : el('button', { type: 'button', class: 'danger', 'data-action': 'retire', onclick: () => act(u, 'retire') }, t('adm.units.retire'))) : null);
  }
  async function load() {
    try {
      const r = await get(`/api/admin/units${query(filters)}`);
      fill(list, 
        table(['adm.units.code', 'adm.units.name', 'adm.units.kind', 'adm.units.district', 'adm.units.contact', 'adm.units.users', 'adm.f.state', ctx.admin ? 'adm.actions' : null].filter((k) => k !== null),
          r.units.map(row), { id: 'units-table' }),
        r.units.length ? null : el('p', { class: 'muted empty' }, t('adm.none_found')),
        pager({ total: r.total, offset: filters.offset, limit: filters.limit }, (offset) => { filters.offset = offset; void load(); }));
    } catch (error) { fill(list, el('p', { class: 'bar-error', role: 'alert' }, errorText(error))); }
  }
  const search = (event) => {
    event?.preventDefault();
    Object.assign(filters, { q: inputs.q.value.trim(), kind: inputs.kind.value, district: inputs.district.value, state: inputs.state.value, offset: 0 });
    void load();
  };
  for (const k of ['kind', 'district', 'state']) inputs[k].addEventListener('change', search);
  add(root, 
    el('form', { class: 'filters', id: 'units-filters', onsubmit: search }, inputs.q, inputs.kind, inputs.district, inputs.state,
      el('button', { type: 'submit' }, t('adm.search')), el('span', { class: 'spacer' }),
      ctx.admin ? el('button', { type: 'button', class: 'primary', id: 'unit-new', onclick: () => unitDialog(undefined, districts, (text) => { note(msg, 'ok', text); void load(); }) }, t('adm.units.create')) : null),
    msg, list);
  await load();
}
